/* mustache.h - a spec-complete Mustache engine over jansson values.
 *
 * Templates are compiled once into an op array (text spans point into the
 * set's own copy of the source; dotted names are split at compile time) and
 * rendered many times without per-variable allocation. Supports the whole
 * spec except lambdas: variables, sections, inverted sections, comments,
 * partials, set delimiters, inheritance (parents/blocks), dynamic names.
 * See docs/mustache.md for the language notes and decisions. */
#ifndef MUSTACHE_H
#define MUSTACHE_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"
#include "result.h"

struct mus_set; /* a compiled set of named templates */

/* Where an error happened: template name, 1-based line and column. */
struct mus_error {
	char name[128];
	int line, col;
	char msg[256];
};

/* New empty set (NULL on OOM). The set owns every template added to it. */
struct mus_set *mus_set_new(void);
void mus_set_free(struct mus_set *set);

/* Compile src under name (replaces an earlier one). R_SUCCESS, R_BAD_INPUT with
 * err filled (template name, 1-based line and column, message), or
 * R_TOO_LARGE when section nesting exceeds the set's limit. */
enum res mus_set_add(struct mus_set *set, const char *name, const char *src, size_t len,
                     struct mus_error *err);

/* Load every *.mustache below dir recursively; the name is the relative path
 * without ".mustache" ("layout", "partials/nav"). Then verify every static
 * partial {{>x}} and parent {{<x}} referenced by any template in the set
 * exists: a missing one is R_BAD_INPUT naming the referencing template, line
 * and column. */
enum res mus_set_load_dir(struct mus_set *set, const char *dir, struct mus_error *err);

/* 1 if a template of that name is in the set. */
int mus_has(const struct mus_set *set, const char *name);

/* Render template name against ctx, APPENDING to out. R_NOT_FOUND if no such
 * template; R_TOO_LARGE when a limit is hit (output size, partial/parent
 * depth); err filled (err may be NULL). Missing partials at render time
 * render as empty, as the spec requires. On error out keeps what was written
 * before the call plus a partial render; callers discard it. */
enum res mus_render(const struct mus_set *set, const char *name, json_t *ctx, struct buf *out,
                    struct mus_error *err);

/* Limits (defaults: section nesting 64, partial/parent depth 32, output
 * 16 MiB). Values <= 0 keep the current setting. Nesting applies to
 * templates compiled after the call. */
struct mus_limits {
	int max_nesting;
	int max_partial_depth;
	size_t max_output;
};
void mus_set_limits(struct mus_set *set, const struct mus_limits *lim);

#endif
