/* mustache_int.h - internals shared by the set (mustache.c), the compiler
 * (mustache_compile.c), the loader (mustache_load.c) and the renderer
 * (mustache_render.c). Not part of the public API. */
#ifndef MUSTACHE_INT_H
#define MUSTACHE_INT_H

#include <stdint.h>

#include "mustache.h"

enum mus_op_kind {
	MOP_TEXT,     /* text span */
	MOP_INDENT,   /* a line starting with a tag: emit the current indentation */
	MOP_VAR,      /* {{x}} escaped */
	MOP_RAW,      /* {{{x}}} {{&x}} */
	MOP_SECTION,  /* {{#x}} body = (i, end) */
	MOP_INVERTED, /* {{^x}} */
	MOP_PARTIAL,  /* {{>x}} {{>*x}} */
	MOP_PARENT,   /* {{<x}} body holds the block overrides */
	MOP_BLOCK     /* {{$x}} body is the default */
};

struct mus_op {
	uint8_t kind;
	uint8_t bol;     /* text: starts at the beginning of a source line */
	uint8_t dynamic; /* partial/parent: name is *dotted.name */
	uint8_t nseg;    /* number of name segments; 0 = implicit iterator "." */
	uint32_t end;    /* sections, parents, blocks: index after the body */
	uint32_t seg;    /* first segment in tmpl->segs */
	int32_t slot;    /* static partial/parent: slot index in the set */
	const char *text; /* text: the span; partial/parent/block: indentation */
	size_t len;
	const char *name; /* the tag's name as written, NUL-terminated */
	int line, col;
};

struct mus_seg {
	const char *s; /* NUL-terminated */
	size_t n;
};

struct mus_tmpl {
	char *name;
	char *src;     /* owned copy of the source */
	char *strs;    /* NUL-terminated names and segments */
	struct mus_seg *segs;
	struct mus_op *ops;
	uint32_t nops;
};

struct mus_slot {
	char *name;
	uint64_t hash;
	struct mus_tmpl *t; /* NULL while only referenced */
};

struct mus_set {
	struct mus_slot *slots;
	uint32_t nslots, capslots;
	int32_t *index; /* open addressing over slots, -1 empty */
	uint32_t capindex;
	struct mus_limits lim;
};

uint64_t mus_hash(const char *s, size_t n);
/* Slot index of name, creating an empty slot if needed; -1 on OOM. */
int32_t mus_slot_get(struct mus_set *set, const char *name, size_t n);
void mus_tmpl_free(struct mus_tmpl *t);
/* Slot index of name, or -1. */
int32_t mus_find(const struct mus_set *set, const char *name, size_t n);
void mus_set_err(struct mus_error *err, const char *name, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
