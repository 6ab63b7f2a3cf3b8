/* http_parse.h - parsers for everything a request carries: query strings,
 * cookies, application/x-www-form-urlencoded and multipart/form-data bodies,
 * and JSON bodies.
 *
 * All parsers are pure functions over bytes: they never read the network.
 * Every string they return lives in the caller's arena (see arena.h) and is
 * NUL-terminated; values may also contain NUL bytes (file uploads), so use
 * value_len for those. Limits are enforced before anything is stored:
 * a violated count/size limit returns R_TOO_LARGE, malformed input
 * R_BAD_INPUT, and on any error `out` holds no partial garbage a caller
 * could trust (count may be anything; callers discard it). */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <stddef.h>

#include <jansson.h>

#include "arena.h"
#include "result.h"

struct http_param {
	const char *name;
	const char *value;        /* NUL-terminated copy */
	size_t value_len;         /* bytes in value, excluding the NUL */
	const char *filename;     /* multipart file part: sanitised base name, else NULL */
	const char *content_type; /* multipart part's declared type, else NULL */
};

struct http_params {
	struct http_param *items; /* arena-allocated */
	size_t count;
	size_t cap;
};

struct http_limits {
	size_t max_fields;      /* name/value pairs per query, body or cookie header */
	size_t max_name;        /* bytes in one name */
	size_t max_value;       /* bytes in one non-file value */
	size_t max_file;        /* bytes in one uploaded file */
	size_t max_files;       /* file parts per multipart body */
	size_t max_body;        /* bytes in a whole body */
	size_t max_json_depth;  /* nesting of arrays/objects in a JSON body */
};

/* Defaults used by the portal (64 fields, 128 B names, 64 KiB values,
 * 1 MiB files, 4 files, 8 MiB body, depth 32). */
extern const struct http_limits http_default_limits;

/* "a=1&b=%20x+y" -> pairs, percent- and plus-decoded. Empty names are
 * skipped; a name without '=' has the empty value. Invalid percent escapes
 * are R_BAD_INPUT. Used for query strings and urlencoded bodies. */
enum res http_parse_urlencoded(struct arena *a, const char *s, size_t len,
                               const struct http_limits *lim, struct http_params *out);

/* Cookie header "a=1; b=2" -> pairs (values not percent-decoded, optional
 * surrounding double quotes removed). Malformed pairs are skipped, not
 * fatal, as browsers send what they have; limits still apply. */
enum res http_parse_cookies(struct arena *a, const char *s, size_t len,
                            const struct http_limits *lim, struct http_params *out);

/* Extract the boundary from a Content-Type such as
 * `multipart/form-data; boundary="abc"`. Returns an arena string or NULL
 * when absent/invalid (RFC 2046: 1..70 chars). */
const char *http_multipart_boundary(struct arena *a, const char *content_type);

/* multipart/form-data body -> pairs. File parts have filename set (the base
 * name after the last '/' or '\\', control characters removed) and
 * content_type as declared (never trusted for anything). Headers of a part
 * are bounded (8 KiB). Missing final boundary, missing name, or a part
 * without the blank line are R_BAD_INPUT. */
enum res http_parse_multipart(struct arena *a, const char *body, size_t len,
                              const char *boundary, const struct http_limits *lim,
                              struct http_params *out);

/* JSON body -> new reference (caller json_decref()s it). Rejects bodies over
 * max_body (R_TOO_LARGE), invalid UTF-8/JSON, duplicate keys, and nesting
 * deeper than max_json_depth (R_BAD_INPUT). `err` (may be NULL) receives a
 * short message with the line/column from jansson. */
enum res http_parse_json(const char *body, size_t len, const struct http_limits *lim,
                         json_t **out, char *err, size_t errlen);

/* First value of `name`, or NULL. */
const struct http_param *http_param_get(const struct http_params *p, const char *name);
static inline const char *http_param_str(const struct http_params *p, const char *name)
{
	const struct http_param *x = http_param_get(p, name);
	return x ? x->value : NULL;
}

/* Percent-decode s[0..len) in place semantics into dst (which may equal s);
 * `plus` turns '+' into ' '. Returns the decoded length or -1 on a bad
 * escape. */
long http_pct_decode(char *dst, const char *s, size_t len, int plus);

/* An origin: "scheme://host[:port]" (anything after a '/' ignored, as in a
 * Referer or a base URL), the scheme's default port when none is given.
 * host points into the parsed string, not terminated. */
struct http_origin {
	int https;
	const char *host;
	size_t host_len;
	long port;
};
/* Parse s[0..len); 0 for anything that is not http(s) with a host and a
 * port in 1..65535. */
int http_origin_parse(const char *s, size_t len, struct http_origin *out);

#endif
