/* http_parse_int.h - the helpers http_parse.c shares with http_multipart.c;
 * not for other callers (http_parse.h is the interface). */
#ifndef HTTP_PARSE_INT_H
#define HTTP_PARSE_INT_H

#include <stddef.h>

#include "arena.h"
#include "http_parse.h"
#include "result.h"

int hp_is_ws(char c);
/* RFC 7230 tchar. */
int hp_is_tchar(char c);
int hp_is_ctl(char c);
int hp_has_ctl(const char *s, size_t n);
/* ASCII case-insensitive s[0..n) == lit, independent of the locale. */
int hp_ci_eq(const char *s, size_t n, const char *lit);
const char *hp_skip_ws(const char *p, const char *end);
void hp_params_init(struct http_params *out);
/* Room for one more item in out within lim->max_fields. */
enum res hp_params_reserve(struct arena *a, struct http_params *out, const struct http_limits *lim);
/* The next `; name=value` of a header's parameters (http_parse.c). */
int hp_next_param(struct arena *a, const char **pp, const char *end, const char **name, size_t *nlen, char **val,
                  size_t *vlen);

#endif
