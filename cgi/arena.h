/* arena.h - per-request bump allocator.
 *
 * Everything a request allocates from its arena is released at once by
 * arena_reset() at the end of the request; nothing is freed one by one.
 * Allocation failure returns NULL. */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	size_t used; /* total bytes handed out, for limits and logs */
};

#define ARENA_INIT {NULL, 0}

/* n bytes aligned for any type, zeroed; NULL on overflow or OOM. */
void *arena_alloc(struct arena *a, size_t n);
/* Overflow-checked arena_alloc(count * size). */
void *arena_calloc(struct arena *a, size_t count, size_t size);
/* Copy of s[0..n) with a terminating NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* Release all blocks but the first, which is kept for the next request. */
void arena_reset(struct arena *a);
/* Release everything. */
void arena_free(struct arena *a);

#endif
