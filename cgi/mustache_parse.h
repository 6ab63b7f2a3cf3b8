/* mustache_parse.h - the compiler's parser state and its tag scanner,
 * shared by mustache_compile.c (the compiler) and mustache_scan.c (tags,
 * delimiters, the standalone-line prescan); private to those two. */
#ifndef MUSTACHE_PARSE_H
#define MUSTACHE_PARSE_H

#include "mustache_int.h"

#define MAX_DELIM 16

enum tag_kind { T_VAR, T_RAW, T_SECTION, T_INVERTED, T_CLOSE, T_COMMENT, T_PARTIAL, T_PARENT,
	        T_BLOCK, T_DELIM };

struct tag {
	enum tag_kind kind;
	size_t start, end;    /* whole tag [start, end) */
	size_t nstart, nend;  /* trimmed content */
};

struct open {
	uint32_t op;
	enum tag_kind kind;
	const char *name; /* trimmed content, not NUL-terminated */
	size_t nlen;
	size_t pos;
	const char *strip; /* intrinsic indentation stripped from body lines */
	size_t nstrip;
};

enum line_mode { L_NORMAL, L_STANDALONE, L_PAIR_BLOCK };

struct pstate {
	struct mus_set *set;
	const char *tname;
	const char *s;
	size_t n;
	char otag[MAX_DELIM + 1], ctag[MAX_DELIM + 1];
	size_t olen, clen;
	struct mus_op *ops;
	uint32_t nops, capops;
	char *strs;
	size_t nstrs, capstrs;
	struct mus_seg *segs;
	uint32_t nsegs;
	struct open *stack;
	int depth, maxdepth;
	/* current line */
	enum line_mode mode;
	size_t line_indent_end; /* [line start, this) is the indentation */
	size_t line_start;
	size_t line_last_end;   /* end of the last tag on a standalone line */
	size_t line_after;      /* first byte of the next line */
	int first_tag_done;
	/* position -> line/column, advanced monotonically */
	size_t lc_pos;
	int lc_line;
	size_t lc_bol;
	struct mus_error *err;
	enum res rc;
};

static inline int mus_is_ws(char c) { return c == ' ' || c == '\t'; }
/* s[p..p+wl) == w, within n. */
int mus_starts(const char *s, size_t n, size_t p, const char *w, size_t wl);
/* The first w in s[from..n), or NULL. */
const char *mus_find_str(const char *s, size_t n, size_t from, const char *w, size_t wl);
/* Parse the tag starting at t (which begins with otag); -1 with *why. */
int mus_parse_tag(const struct pstate *ps, const char *otag, size_t olen, const char *ctag, size_t clen, size_t t,
                  struct tag *tg, const char **why);
/* Parse "{{=<% %>=}}" content into new delimiters; 0 on success. */
int mus_parse_delims(const char *s, size_t a, size_t b, char *o, size_t *olen, char *c, size_t *clen);
/* Look at the line starting at pos: is it standalone? Sets ps->mode etc. */
int mus_prescan(struct pstate *ps, size_t pos);

#endif
