/* mustache_compile.c - the compiler: template source -> op array.
 *
 * The parser walks the source line by line. At each line start it looks
 * ahead over the line ("prescan") to decide whether the line is standalone:
 * nothing but whitespace and non-output tags. Standalone lines lose their
 * indentation and line ending; a standalone partial/parent keeps the
 * indentation as the indentation of what it expands. See docs/mustache.md
 * for the inheritance indentation rules. */
#include "mustache_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int compile(struct pstate *ps);
static int prescan(struct pstate *ps, size_t pos);
static int parse_tag(const struct pstate *ps, const char *otag, size_t olen, const char *ctag,
                     size_t clen, size_t t, struct tag *tg, const char **why);

static int is_ws(char c) { return c == ' ' || c == '\t'; }

static void linecol(struct pstate *ps, size_t pos, int *line, int *col)
{
	if (pos < ps->lc_pos) { /* rare: restart */
		ps->lc_pos = 0;
		ps->lc_line = 1;
		ps->lc_bol = 0;
	}
	for (; ps->lc_pos < pos && ps->lc_pos < ps->n; ps->lc_pos++) {
		if (ps->s[ps->lc_pos] == '\n') {
			ps->lc_line++;
			ps->lc_bol = ps->lc_pos + 1;
		}
	}
	*line = ps->lc_line;
	*col = (int)(pos - ps->lc_bol) + 1;
}

static int fail(struct pstate *ps, enum res rc, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct pstate *ps, enum res rc, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int line, col;

	linecol(ps, pos, &line, &col);
	if (ps->err) {
		snprintf(ps->err->name, sizeof(ps->err->name), "%s", ps->tname);
		ps->err->line = line;
		ps->err->col = col;
		va_start(ap, fmt);
		vsnprintf(ps->err->msg, sizeof(ps->err->msg), fmt, ap);
		va_end(ap);
	}
	ps->rc = rc;
	return -1;
}

enum res mus_set_add(struct mus_set *set, const char *name, const char *src, size_t len,
                     struct mus_error *err)
{
	struct pstate ps;
	struct mus_tmpl *t = NULL;
	int32_t k;
	enum res rc = R_INTERNAL;

	memset(&ps, 0, sizeof(ps));
	ps.set = set;
	ps.tname = name;
	ps.n = len;
	ps.err = err;
	ps.rc = R_SUCCESS;
	ps.lc_line = 1;
	ps.maxdepth = set->lim.max_nesting;
	if (len > ((size_t)1 << 30)) { /* op indices and line numbers stay in range */
		mus_set_err(err, name, 1, 1, "template larger than 1 GiB");
		return R_TOO_LARGE;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		goto out;
	t->name = strdup(name);
	t->src = malloc(len + 1);
	ps.capstrs = 2 * len + 64;
	ps.strs = malloc(ps.capstrs);
	ps.segs = malloc((len + 2) * sizeof(*ps.segs));
	ps.stack = malloc(((size_t)ps.maxdepth + 1) * sizeof(*ps.stack));
	if (!t->name || !t->src || !ps.strs || !ps.segs || !ps.stack)
		goto out;
	if (len)
		memcpy(t->src, src, len);
	t->src[len] = '\0';
	ps.s = t->src;
	if (compile(&ps) != 0) {
		rc = ps.rc;
		goto out;
	}
	k = mus_slot_get(set, name, strlen(name));
	if (k < 0)
		goto out;
	t->ops = ps.ops;
	t->nops = ps.nops;
	t->strs = ps.strs;
	t->segs = ps.segs;
	ps.ops = NULL;
	ps.strs = NULL;
	ps.segs = NULL;
	if (t->nops == 0) { /* keep a valid pointer for empty templates */
		t->ops = calloc(1, sizeof(*t->ops));
		if (t->ops == NULL)
			goto out;
	}
	mus_tmpl_free(set->slots[k].t);
	set->slots[k].t = t;
	t = NULL;
	rc = R_SUCCESS;
out:
	if (rc == R_INTERNAL)
		mus_set_err(err, name, 0, 0, "out of memory");
	free(ps.ops);
	free(ps.strs);
	free(ps.segs);
	free(ps.stack);
	mus_tmpl_free(t);
	return rc;
}

/* ---- compiler --------------------------------------------------------------- */

static struct mus_op *new_op(struct pstate *ps, enum mus_op_kind kind, size_t pos)
{
	struct mus_op *op;

	if (ps->nops == ps->capops) {
		uint32_t cap = ps->capops ? ps->capops * 2 : 32;
		struct mus_op *p = realloc(ps->ops, cap * sizeof(*p));
		if (p == NULL) {
			ps->rc = R_INTERNAL;
			return NULL;
		}
		ps->ops = p;
		ps->capops = cap;
	}
	op = &ps->ops[ps->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = (uint8_t)kind;
	op->slot = -1;
	linecol(ps, pos, &op->line, &op->col);
	return op;
}

static const struct open *top(const struct pstate *ps)
{
	return ps->depth ? &ps->stack[ps->depth - 1] : NULL;
}

static int in_parent_body(const struct pstate *ps)
{
	const struct open *o = top(ps);
	return o && o->kind == T_PARENT;
}

/* Append source text [from, to) as text ops, stripping the enclosing
 * block's intrinsic indentation at line starts. */
static int emit_text(struct pstate *ps, size_t from, size_t to)
{
	const struct open *o = top(ps);
	const char *strip = o ? o->strip : NULL;
	size_t nstrip = o ? o->nstrip : 0;

	if (in_parent_body(ps))
		return 0;
	while (from < to) {
		size_t end = to, k;
		struct mus_op *prev, *op;
		int bol = from == 0 || ps->s[from - 1] == '\n';

		if (nstrip) {
			const char *nl = memchr(ps->s + from, '\n', to - from);
			if (nl)
				end = (size_t)(nl - ps->s) + 1;
			if (bol) {
				for (k = 0; k < nstrip && from < end && ps->s[from] == strip[k]; k++)
					from++;
				if (from == end && end == to) /* a tag follows the stripped indentation */
					return new_op(ps, MOP_INDENT, from) ? 0 : -1;
			}
		}
		if (from < end) {
			prev = ps->nops ? &ps->ops[ps->nops - 1] : NULL;
			/* contiguous text merges: interior line starts are indented
			 * by the renderer after each inner newline */
			if (prev && prev->kind == MOP_TEXT && prev->text + prev->len == ps->s + from &&
			    (!bol || !nstrip)) {
				prev->len += end - from;
			} else {
				op = new_op(ps, MOP_TEXT, from);
				if (op == NULL)
					return -1;
				op->text = ps->s + from;
				op->len = end - from;
				op->bol = (uint8_t)bol;
			}
		}
		from = end;
	}
	return 0;
}

static char *put_str(struct pstate *ps, const char *p, size_t n)
{
	char *d = ps->strs + ps->nstrs;

	memcpy(d, p, n);
	d[n] = '\0';
	ps->nstrs += n + 1;
	return d;
}

/* Validate a name and fill op->name and the dotted segments. */
static int set_name(struct pstate *ps, struct mus_op *op, const struct tag *tg, int dotted)
{
	size_t a = tg->nstart, b = tg->nend, i;
	char *d;

	if (op->kind == MOP_PARTIAL || op->kind == MOP_PARENT) {
		if (a < b && ps->s[a] == '*') {
			op->dynamic = 1;
			a++;
			while (a < b && is_ws(ps->s[a]))
				a++;
			dotted = 1;
		}
	}
	if (a == b)
		return fail(ps, R_BAD_INPUT, tg->start, "empty tag name");
	for (i = a; i < b; i++)
		if (is_ws(ps->s[i]) || ps->s[i] == '\n' || ps->s[i] == '\r')
			return fail(ps, R_BAD_INPUT, tg->start, "tag name \"%.*s\" contains whitespace",
			            (int)(b - a), ps->s + a);
	op->name = put_str(ps, ps->s + a, b - a);
	if (!dotted)
		return 0;
	if (b - a == 1 && ps->s[a] == '.') {
		op->nseg = 0;
		return 0;
	}
	d = put_str(ps, ps->s + a, b - a);
	op->seg = ps->nsegs;
	ps->segs[ps->nsegs++].s = d;
	op->nseg = 1;
	for (i = 0; i < b - a; i++) {
		if (d[i] != '.')
			continue;
		if (i == 0 || i + 1 == b - a || d[i + 1] == '.')
			return fail(ps, R_BAD_INPUT, tg->start, "bad dotted name \"%s\"", op->name);
		if (op->nseg == 255)
			return fail(ps, R_BAD_INPUT, tg->start, "dotted name \"%s\" too long", op->name);
		d[i] = '\0';
		ps->segs[ps->nsegs++].s = d + i + 1;
		op->nseg++;
	}
	for (i = op->seg; i < op->seg + op->nseg; i++)
		ps->segs[i].n = strlen(ps->segs[i].s);
	return 0;
}

static int starts(const char *s, size_t n, size_t p, const char *w, size_t wl)
{
	return p + wl <= n && memcmp(s + p, w, wl) == 0;
}

static const char *find(const char *s, size_t n, size_t from, const char *w, size_t wl)
{
	if (from > n)
		return NULL;
	return memmem(s + from, n - from, w, wl);
}

/* Parse the tag starting at t (which begins with otag). */
static int parse_tag(const struct pstate *ps, const char *otag, size_t olen, const char *ctag,
                     size_t clen, size_t t, struct tag *tg, const char **why)
{
	const char *s = ps->s, *e;
	size_t n = ps->n, p = t + olen, tail = 0;

	(void)otag; /* the caller matched it at t */
	tg->start = t;
	if (p >= n) {
		*why = "unclosed";
		return -1;
	}
	switch (s[p]) {
	case '{': tg->kind = T_RAW; tail = 1; p++; break;
	case '&': tg->kind = T_RAW; p++; break;
	case '#': tg->kind = T_SECTION; p++; break;
	case '^': tg->kind = T_INVERTED; p++; break;
	case '/': tg->kind = T_CLOSE; p++; break;
	case '!': tg->kind = T_COMMENT; p++; break;
	case '>': tg->kind = T_PARTIAL; p++; break;
	case '<': tg->kind = T_PARENT; p++; break;
	case '$': tg->kind = T_BLOCK; p++; break;
	case '=': tg->kind = T_DELIM; tail = 1; p++; break;
	default: tg->kind = T_VAR; break;
	}
	if (tail) {
		char w[MAX_DELIM + 2];
		w[0] = tg->kind == T_RAW ? '}' : '=';
		memcpy(w + 1, ctag, clen);
		e = find(s, n, p, w, clen + 1);
		if (e == NULL) {
			*why = tg->kind == T_RAW ? "unclosed" : "baddelim";
			return -1;
		}
		tg->end = (size_t)(e - s) + clen + 1;
	} else {
		e = find(s, n, p, ctag, clen);
		if (e == NULL) {
			*why = "unclosed";
			return -1;
		}
		tg->end = (size_t)(e - s) + clen;
	}
	tg->nstart = p;
	tg->nend = (size_t)(e - s);
	while (tg->nstart < tg->nend && (is_ws(s[tg->nstart]) || s[tg->nstart] == '\n' || s[tg->nstart] == '\r'))
		tg->nstart++;
	while (tg->nend > tg->nstart && (is_ws(s[tg->nend - 1]) || s[tg->nend - 1] == '\n' || s[tg->nend - 1] == '\r'))
		tg->nend--;
	return 0;
}

/* Parse "{{=<% %>=}}" content into new delimiters; 0 on success. */
static int parse_delims(const char *s, size_t a, size_t b, char *o, size_t *olen, char *c, size_t *clen)
{
	size_t i = a, j;

	j = i;
	while (j < b && !is_ws(s[j]))
		j++;
	if (j == i || j == b || j - i > MAX_DELIM)
		return -1;
	memcpy(o, s + i, j - i);
	o[j - i] = '\0';
	*olen = j - i;
	while (j < b && is_ws(s[j]))
		j++;
	i = j;
	while (j < b && !is_ws(s[j]))
		j++;
	if (j == i || j != b || j - i > MAX_DELIM)
		return -1;
	memcpy(c, s + i, j - i);
	c[j - i] = '\0';
	*clen = j - i;
	if (memchr(o, '=', *olen) || memchr(c, '=', *clen) || strpbrk(o, "\r\n") || strpbrk(c, "\r\n"))
		return -1;
	return 0;
}

/* Look at the line starting at pos: is it standalone? Sets ps->mode etc. */
static int prescan(struct pstate *ps, size_t pos)
{
	const char *s = ps->s;
	size_t n = ps->n, p = pos, last_end = 0;
	char o[MAX_DELIM + 1], c[MAX_DELIM + 1];
	size_t olen = ps->olen, clen = ps->clen;
	int count = 0;
	struct { enum tag_kind k; size_t a, b; } first = {T_VAR, 0, 0}, second = {T_VAR, 0, 0};
	struct tag tg;
	const char *why;

	memcpy(o, ps->otag, olen + 1);
	memcpy(c, ps->ctag, clen + 1);
	ps->mode = L_NORMAL;
	ps->line_start = pos;
	while (p < n && is_ws(s[p]))
		p++;
	ps->line_indent_end = p;
	for (;;) {
		if (p >= n || s[p] == '\n' || (s[p] == '\r' && p + 1 < n && s[p + 1] == '\n'))
			break;
		if (!starts(s, n, p, o, olen))
			return 0;
		if (parse_tag(ps, o, olen, c, clen, p, &tg, &why) != 0)
			return 0;
		if (tg.kind == T_VAR || tg.kind == T_RAW)
			return 0;
		if (tg.kind == T_DELIM &&
		    parse_delims(s, tg.nstart + 0, tg.nend, o, &olen, c, &clen) != 0)
			return 0;
		if (count == 0) {
			first.k = tg.kind; first.a = tg.nstart; first.b = tg.nend;
		} else if (count == 1) {
			second.k = tg.kind; second.a = tg.nstart; second.b = tg.nend;
		}
		count++;
		p = tg.end;
		last_end = p;
		while (p < n && is_ws(s[p]))
			p++;
	}
	if (count == 0)
		return 0;
	ps->line_last_end = last_end;
	ps->line_after = p >= n ? n : (s[p] == '\n' ? p + 1 : p + 2);
	if (count == 1) {
		ps->mode = L_STANDALONE;
	} else if (count == 2 && first.k == T_BLOCK && second.k == T_CLOSE &&
	           first.b - first.a == second.b - second.a &&
	           memcmp(s + first.a, s + second.a, first.b - first.a) == 0) {
		ps->mode = L_PAIR_BLOCK; /* "  {{$b}}{{/b}}\n": indentation, keep the newline */
	} else {
		/* several non-output tags alone on a line: standalone too (needed
		 * by the inheritance spec, and what mustache.js does) */
		ps->mode = L_STANDALONE;
	}
	return 0;
}

static int open_section(struct pstate *ps, enum mus_op_kind kind, const struct tag *tg, struct mus_op **opp)
{
	struct mus_op *op;
	struct open *o;

	if (ps->depth >= ps->maxdepth)
		return fail(ps, R_TOO_LARGE, tg->start, "sections nested deeper than %d", ps->maxdepth);
	op = new_op(ps, kind, tg->start);
	if (op == NULL)
		return -1;
	o = &ps->stack[ps->depth];
	o->op = ps->nops - 1;
	o->kind = tg->kind;
	o->name = ps->s + tg->nstart;
	o->nlen = tg->nend - tg->nstart;
	o->pos = tg->start;
	o->strip = ps->depth ? ps->stack[ps->depth - 1].strip : NULL;
	o->nstrip = ps->depth ? ps->stack[ps->depth - 1].nstrip : 0;
	ps->depth++;
	*opp = op;
	return 0;
}

static const char *kind_word(enum tag_kind k)
{
	switch (k) {
	case T_PARENT: return "parent";
	case T_BLOCK: return "block";
	case T_INVERTED: return "inverted section";
	default: return "section";
	}
}

/* Handle one tag; *pos is advanced past it. */
static int do_tag(struct pstate *ps, const struct tag *tg)
{
	const char *s = ps->s;
	struct mus_op *op = NULL;
	int standalone = ps->mode == L_STANDALONE;
	int first_on_line = !ps->first_tag_done;
	size_t ind_a = ps->line_start, ind_b = ps->line_indent_end;

	ps->first_tag_done = 1;
	/* A tag opening a non-standalone line: the line's indentation goes here. */
	if (!standalone && ps->mode != L_PAIR_BLOCK && (tg->start == 0 || s[tg->start - 1] == '\n') &&
	    !in_parent_body(ps)) {
		if (new_op(ps, MOP_INDENT, tg->start) == NULL)
			return -1;
	}
	switch (tg->kind) {
	case T_COMMENT:
		return 0;
	case T_DELIM:
		if (parse_delims(s, tg->nstart, tg->nend, ps->otag, &ps->olen, ps->ctag, &ps->clen) != 0)
			return fail(ps, R_BAD_INPUT, tg->start,
			            "bad delimiter change \"%.*s\": expected two delimiters without '=' or spaces",
			            (int)(tg->end - tg->start), s + tg->start);
		return 0;
	case T_VAR:
	case T_RAW:
		if (in_parent_body(ps))
			return 0;
		op = new_op(ps, tg->kind == T_VAR ? MOP_VAR : MOP_RAW, tg->start);
		if (op == NULL)
			return -1;
		return set_name(ps, op, tg, 1);
	case T_PARTIAL:
	case T_PARENT:
		if (tg->kind == T_PARTIAL) {
			if (in_parent_body(ps))
				return 0;
			op = new_op(ps, MOP_PARTIAL, tg->start);
			if (op == NULL)
				return -1;
		} else if (open_section(ps, MOP_PARENT, tg, &op) != 0) {
			return -1;
		}
		if (set_name(ps, op, tg, 0) != 0)
			return -1;
		if (standalone && first_on_line) {
			op->text = s + ind_a;
			op->len = ind_b - ind_a;
		}
		if (!op->dynamic) {
			int32_t k = mus_slot_get(ps->set, op->name, strlen(op->name));
			if (k < 0) {
				ps->rc = R_INTERNAL;
				return -1;
			}
			op->slot = k;
		}
		return 0;
	case T_SECTION:
	case T_INVERTED:
		if (open_section(ps, tg->kind == T_SECTION ? MOP_SECTION : MOP_INVERTED, tg, &op) != 0)
			return -1;
		return set_name(ps, op, tg, 1);
	case T_BLOCK: {
		struct open *o;
		const char *ostrip;
		size_t onstrip;

		if (open_section(ps, MOP_BLOCK, tg, &op) != 0)
			return -1;
		if (set_name(ps, op, tg, 0) != 0)
			return -1;
		o = &ps->stack[ps->depth - 1];
		ostrip = o->strip;
		onstrip = o->nstrip;
		if (ps->mode == L_PAIR_BLOCK) {
			op->text = s + ind_a;
			op->len = ind_b - ind_a;
		} else if (standalone && tg->end == ps->line_last_end) {
			/* The body starts on the next line: its first line's
			 * indentation is intrinsic, removed here and re-added
			 * wherever the block (or its override) expands. */
			size_t a = ps->line_after, b = a;
			while (b < ps->n && is_ws(s[b]))
				b++;
			if (b > a && b < ps->n && s[b] != '\n' && s[b] != '\r') {
				o->strip = s + a;
				o->nstrip = b - a;
			} else if (first_on_line) {
				a = ind_a;
				b = ind_b;
			} else {
				a = b;
			}
			/* relative to the enclosing block's stripped indentation */
			if (onstrip && b - a >= onstrip && memcmp(s + a, ostrip, onstrip) == 0)
				a += onstrip;
			op->text = s + a;
			op->len = b - a;
		}
		return 0;
	}
	case T_CLOSE: {
		const struct open *o = top(ps);
		size_t nlen = tg->nend - tg->nstart;

		if (o == NULL)
			return fail(ps, R_BAD_INPUT, tg->start, "close tag \"%.*s\" with no open section",
			            (int)nlen, s + tg->nstart);
		if (o->nlen != nlen || memcmp(o->name, s + tg->nstart, nlen) != 0) {
			int line, col;
			linecol(ps, o->pos, &line, &col);
			return fail(ps, R_BAD_INPUT, tg->start,
			            "close tag \"%.*s\" does not match %s \"%.*s\" opened at %d:%d",
			            (int)nlen, s + tg->nstart, kind_word(o->kind), (int)o->nlen, o->name,
			            line, col);
		}
		ps->ops[o->op].end = ps->nops;
		ps->depth--;
		return 0;
	}
	}
	return 0;
}

static int compile(struct pstate *ps)
{
	const char *s = ps->s;
	size_t n = ps->n, pos = 0, next_tag = (size_t)-1;

	memcpy(ps->otag, "{{", 3);
	memcpy(ps->ctag, "}}", 3);
	ps->olen = ps->clen = 2;
	ps->mode = L_NORMAL;
	while (pos < n) {
		struct tag tg;
		const char *why, *t, *nl;
		size_t tpos, lend;

		if (pos == 0 || s[pos - 1] == '\n') {
			prescan(ps, pos);
			ps->first_tag_done = 0;
			if (ps->mode != L_NORMAL)
				pos = ps->line_indent_end; /* indentation is not literal text */
		}
		/* the next tag, found once per run of text lines (not per line) */
		if (next_tag < pos || next_tag == (size_t)-1) {
			t = find(s, n, pos, ps->otag, ps->olen);
			next_tag = t ? (size_t)(t - s) : n;
		}
		tpos = next_tag;
		if (ps->mode == L_NORMAL) {
			/* text up to the tag or through the end of this line */
			nl = memchr(s + pos, '\n', tpos - pos);
			if (nl) {
				lend = (size_t)(nl - s) + 1;
				if (emit_text(ps, pos, lend) != 0)
					return -1;
				pos = lend;
				continue;
			}
			if (emit_text(ps, pos, tpos) != 0)
				return -1;
		}
		/* standalone / pair lines hold only whitespace between tags */
		if (tpos >= n)
			break;
		if (parse_tag(ps, ps->otag, ps->olen, ps->ctag, ps->clen, tpos, &tg, &why) != 0) {
			if (strcmp(why, "baddelim") == 0)
				return fail(ps, R_BAD_INPUT, tpos,
				            "bad delimiter change: \"%.*s=\" has no closing \"=%s\"",
				            (int)ps->olen, ps->otag, ps->ctag);
			return fail(ps, R_BAD_INPUT, tpos, "tag \"%s\" not closed by \"%s%s\"", ps->otag,
			            s[tpos + ps->olen < n ? tpos + ps->olen : tpos] == '{' ? "}" : "",
			            ps->ctag);
		}
		if (do_tag(ps, &tg) != 0)
			return -1;
		pos = tg.end;
		if (ps->mode == L_STANDALONE && pos == ps->line_last_end) {
			pos = ps->line_after;
			ps->mode = L_NORMAL;
		} else if (ps->mode == L_PAIR_BLOCK && tg.kind == T_CLOSE) {
			ps->mode = L_NORMAL;
		} else if (ps->mode != L_NORMAL) {
			while (pos < n && is_ws(s[pos]))
				pos++;
		}
	}
	if (ps->depth > 0) {
		const struct open *o = top(ps);
		return fail(ps, R_BAD_INPUT, o->pos, "unclosed %s \"%.*s\" opened here", kind_word(o->kind),
		            (int)o->nlen, o->name);
	}
	return 0;
}

