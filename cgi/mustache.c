/* mustache.c - template sets: the name table, limits, errors. The bottom
 * of the engine: the compiler (mustache_compile.c), the renderer
 * (mustache_render.c) and the loader (mustache_load.c) use it, it uses none
 * of them. */
#include "mustache_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers -------------------------------------------------------- */

uint64_t mus_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

void mus_set_err(struct mus_error *err, const char *name, int line, int col, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	snprintf(err->name, sizeof(err->name), "%s", name ? name : "");
	err->line = line;
	err->col = col;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}
/* ---- the set ---------------------------------------------------------------- */

struct mus_set *mus_set_new(void)
{
	struct mus_set *set = calloc(1, sizeof(*set));

	if (set == NULL)
		return NULL;
	set->lim.max_nesting = 64;
	set->lim.max_partial_depth = 32;
	set->lim.max_output = (size_t)16 << 20;
	set->capindex = 64;
	set->index = malloc(set->capindex * sizeof(*set->index));
	if (set->index == NULL) {
		free(set);
		return NULL;
	}
	memset(set->index, 0xff, set->capindex * sizeof(*set->index));
	return set;
}

void mus_set_free(struct mus_set *set)
{
	uint32_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->nslots; i++) {
		mus_tmpl_free(set->slots[i].t);
		free(set->slots[i].name);
	}
	free(set->slots);
	free(set->index);
	free(set);
}

void mus_set_limits(struct mus_set *set, const struct mus_limits *lim)
{
	if (lim->max_nesting > 0)
		set->lim.max_nesting = lim->max_nesting;
	if (lim->max_partial_depth > 0)
		set->lim.max_partial_depth = lim->max_partial_depth;
	if (lim->max_output > 0)
		set->lim.max_output = lim->max_output;
}

int32_t mus_find(const struct mus_set *set, const char *name, size_t n)
{
	uint64_t h = mus_hash(name, n);
	uint32_t mask = set->capindex - 1, i = (uint32_t)h & mask;
	int32_t k;

	while ((k = set->index[i]) >= 0) {
		const struct mus_slot *sl = &set->slots[k];
		if (sl->hash == h && strncmp(sl->name, name, n) == 0 && sl->name[n] == '\0')
			return k;
		i = (i + 1) & mask;
	}
	return -1;
}

static int index_insert(struct mus_set *set, int32_t k)
{
	uint32_t mask = set->capindex - 1, i = (uint32_t)set->slots[k].hash & mask;

	while (set->index[i] >= 0)
		i = (i + 1) & mask;
	set->index[i] = k;
	return 0;
}

int32_t mus_slot_get(struct mus_set *set, const char *name, size_t n)
{
	int32_t k = mus_find(set, name, n);
	uint32_t i;

	if (k >= 0)
		return k;
	if (set->nslots == set->capslots) {
		uint32_t cap = set->capslots ? set->capslots * 2 : 16;
		struct mus_slot *p = realloc(set->slots, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		set->slots = p;
		set->capslots = cap;
	}
	if ((set->nslots + 1) * 2 > set->capindex) {
		uint32_t cap = set->capindex * 2;
		int32_t *idx = malloc(cap * sizeof(*idx));
		if (idx == NULL)
			return -1;
		free(set->index);
		set->index = idx;
		set->capindex = cap;
		memset(idx, 0xff, cap * sizeof(*idx));
		for (i = 0; i < set->nslots; i++)
			index_insert(set, (int32_t)i);
	}
	k = (int32_t)set->nslots;
	set->slots[k].name = strndup(name, n);
	if (set->slots[k].name == NULL)
		return -1;
	set->slots[k].hash = mus_hash(name, n);
	set->slots[k].t = NULL;
	set->nslots++;
	index_insert(set, k);
	return k;
}

int mus_has(const struct mus_set *set, const char *name)
{
	int32_t k = mus_find(set, name, strlen(name));

	return k >= 0 && set->slots[k].t != NULL;
}

void mus_tmpl_free(struct mus_tmpl *t)
{
	if (t == NULL)
		return;
	free(t->name);
	free(t->src);
	free(t->strs);
	free(t->segs);
	free(t->ops);
	free(t);
}
