/* http_parse.c - query string, cookie, urlencoded and JSON parsers, and the
 * helpers they share with http_multipart.c (http_parse_int.h); see
 * http_parse.h for the contract.
 *
 * Every length is checked against `end` before a byte is read, and every
 * limit is checked before anything is copied into the arena. */
#include "http_parse.h"
#include "http_parse_int.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

const struct http_limits http_default_limits = {
	.max_fields = 64,
	.max_name = 128,
	.max_value = 64 * 1024,
	.max_file = 1024 * 1024,
	.max_files = 4,
	.max_body = 8 * 1024 * 1024,
	.max_json_depth = 32,
};

static int hexval(unsigned char c);
static long pct_len(const char *s, size_t len);
static int json_depth_ok(json_t *j, size_t depth, size_t max);

/* ---- small helpers ------------------------------------------------------ */

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decoded length of s[0..len), or -1 on a bad escape; writes nothing so
 * limits can be checked before allocating. */
static long pct_len(const char *s, size_t len)
{
	size_t i = 0, n = 0;

	if (len > LONG_MAX)
		return -1;
	while (i < len) {
		if (s[i] == '%') {
			if (len - i < 3 || hexval((unsigned char)s[i + 1]) < 0 ||
			    hexval((unsigned char)s[i + 2]) < 0)
				return -1;
			i += 3;
		} else
			i++;
		n++;
	}
	return (long)n;
}

int hp_is_ws(char c) { return c == ' ' || c == '\t'; }

/* RFC 7230 tchar. */
int hp_is_tchar(char c)
{
	unsigned char u = (unsigned char)c;

	if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9'))
		return 1;
	return u != 0 && strchr("!#$%&'*+-.^_`|~", u) != NULL;
}

int hp_is_ctl(char c)
{
	unsigned char u = (unsigned char)c;

	return u < 0x20 || u == 0x7f;
}

int hp_has_ctl(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (hp_is_ctl(s[i]))
			return 1;
	return 0;
}

/* ASCII case-insensitive s[0..n) == lit, independent of the locale. */
int hp_ci_eq(const char *s, size_t n, const char *lit)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char)s[i], y = (unsigned char)lit[i];
		if (y == '\0')
			return 0;
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return 0;
	}
	return lit[n] == '\0';
}

const char *hp_skip_ws(const char *p, const char *end)
{
	while (p < end && hp_is_ws(*p))
		p++;
	return p;
}

void hp_params_init(struct http_params *out)
{
	out->items = NULL;
	out->count = 0;
	out->cap = 0;
}

/* Room for one more pair, or R_TOO_LARGE once max_fields are stored. The
 * arena cannot free, so the old array is simply abandoned (total waste is
 * below the final size). */
enum res hp_params_reserve(struct arena *a, struct http_params *out,
                               const struct http_limits *lim)
{
	struct http_param *n;
	size_t cap;

	if (out->count >= lim->max_fields)
		return R_TOO_LARGE;
	if (out->count < out->cap)
		return R_SUCCESS;
	cap = out->cap ? out->cap : 4;
	cap = cap > SIZE_MAX / 2 ? SIZE_MAX : cap * 2;
	if (cap > lim->max_fields)
		cap = lim->max_fields;
	n = arena_calloc(a, cap, sizeof(*n));
	if (n == NULL)
		return R_INTERNAL;
	if (out->count)
		memcpy(n, out->items, out->count * sizeof(*n));
	out->items = n;
	out->cap = cap;
	return R_SUCCESS;
}

/* One `; name=value` parameter of a header value. Returns 1 with name and
 * an arena copy of the value (quoted strings unquoted), 0 at the end, -1 on
 * malformed input, -2 when the arena is exhausted.
 *
 * Inside quotes only \" and \\ are escapes: old browsers send Windows paths
 * like "C:\dir\f.txt" unescaped, and keeping the other backslashes lets the
 * base-name step still find the last path separator. */
int hp_next_param(struct arena *a, const char **pp, const char *end, const char **name,
                      size_t *nlen, char **val, size_t *vlen)
{
	const char *p = hp_skip_ws(*pp, end), *start;
	size_t n;
	char *v;

	if (p == end)
		return 0;
	if (*p != ';')
		return -1;
	while (p < end && (*p == ';' || hp_is_ws(*p)))
		p++;
	if (p == end) { /* trailing ';' */
		*pp = p;
		return 0;
	}
	*name = p;
	while (p < end && hp_is_tchar(*p))
		p++;
	*nlen = (size_t)(p - *name);
	if (*nlen == 0)
		return -1;
	p = hp_skip_ws(p, end);
	if (p == end || *p != '=')
		return -1;
	p = hp_skip_ws(p + 1, end);
	if (p < end && *p == '"') {
		start = ++p;
		n = 0;
		while (p < end && *p != '"') {
			if (*p == '\\' && end - p >= 2 && (p[1] == '"' || p[1] == '\\'))
				p++;
			p++;
			n++;
		}
		if (p == end)
			return -1; /* unterminated quoted string */
		if ((v = arena_alloc(a, n + 1)) == NULL)
			return -2;
		n = 0;
		for (p = start; *p != '"'; p++) {
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			v[n++] = *p;
		}
		p++; /* closing quote */
	} else {
		start = p;
		while (p < end && *p != ';' && !hp_is_ws(*p))
			p++;
		n = (size_t)(p - start);
		if ((v = arena_strndup(a, start, n)) == NULL)
			return -2;
	}
	*val = v;
	*vlen = n;
	*pp = p;
	return 1;
}

/* ---- public API --------------------------------------------------------- */

long http_pct_decode(char *dst, const char *s, size_t len, int plus)
{
	size_t i = 0, j = 0;

	if (len > LONG_MAX)
		return -1;
	/* j <= i throughout, so dst == s is safe. */
	while (i < len) {
		if (s[i] == '%') {
			int hi, lo;
			if (len - i < 3 || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				return -1;
			dst[j++] = (char)(hi << 4 | lo);
			i += 3;
		} else {
			dst[j++] = (plus && s[i] == '+') ? ' ' : s[i];
			i++;
		}
	}
	return (long)j;
}

const struct http_param *http_param_get(const struct http_params *p, const char *name)
{
	size_t i;

	if (p == NULL || name == NULL || p->items == NULL)
		return NULL;
	for (i = 0; i < p->count; i++)
		if (p->items[i].name && strcmp(p->items[i].name, name) == 0)
			return &p->items[i];
	return NULL;
}

enum res http_parse_urlencoded(struct arena *a, const char *s, size_t len,
                               const struct http_limits *lim, struct http_params *out)
{
	enum res ret = R_BAD_INPUT;
	const char *p, *end, *amp, *eq, *vp;
	size_t nraw, vraw;
	long nl, vl;
	char *name, *value;
	struct http_param *it;

	hp_params_init(out);
	if (lim == NULL)
		lim = &http_default_limits;
	if (len == 0) {
		ret = R_SUCCESS;
		goto out;
	}
	if (s == NULL)
		goto out;
	if (len > lim->max_body) {
		ret = R_TOO_LARGE;
		goto out;
	}
	p = s;
	end = s + len;
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		nraw = (size_t)((eq ? eq : amp) - p);
		vp = eq ? eq + 1 : amp;
		vraw = (size_t)(amp - vp);
		if ((nl = pct_len(p, nraw)) < 0)
			goto out;
		if (nl == 0)
			goto next; /* "=x" or "&&": nothing to name */
		if ((vl = pct_len(vp, vraw)) < 0)
			goto out;
		if ((size_t)nl > lim->max_name || (size_t)vl > lim->max_value) {
			ret = R_TOO_LARGE;
			goto out;
		}
		if ((ret = hp_params_reserve(a, out, lim)) != R_SUCCESS)
			goto out;
		ret = R_INTERNAL;
		if ((name = arena_alloc(a, (size_t)nl + 1)) == NULL ||
		    (value = arena_alloc(a, (size_t)vl + 1)) == NULL)
			goto out;
		http_pct_decode(name, p, nraw, 1);
		http_pct_decode(value, vp, vraw, 1);
		ret = R_BAD_INPUT;
		if (memchr(name, '\0', (size_t)nl) != NULL)
			goto out; /* "a%00b" would compare equal to "a" */
		it = &out->items[out->count++];
		it->name = name;
		it->value = value;
		it->value_len = (size_t)vl;
		it->filename = NULL;
		it->content_type = NULL;
	next:
		p = amp < end ? amp + 1 : end;
	}
	ret = R_SUCCESS;
out:
	if (ret != R_SUCCESS)
		out->count = 0;
	return ret;
}

enum res http_parse_cookies(struct arena *a, const char *s, size_t len,
                            const struct http_limits *lim, struct http_params *out)
{
	enum res ret = R_BAD_INPUT;
	const char *p, *end, *semi, *ps, *eq, *vs;
	size_t i, plen, nlen, vlen;
	struct http_param *it;
	char *name, *value;

	hp_params_init(out);
	if (lim == NULL)
		lim = &http_default_limits;
	if (len == 0) {
		ret = R_SUCCESS;
		goto out;
	}
	if (s == NULL)
		goto out;
	if (len > lim->max_body) {
		ret = R_TOO_LARGE;
		goto out;
	}
	p = s;
	end = s + len;
	while (p < end) {
		semi = memchr(p, ';', (size_t)(end - p));
		if (semi == NULL)
			semi = end;
		ps = hp_skip_ws(p, semi);
		plen = (size_t)(semi - ps);
		while (plen > 0 && hp_is_ws(ps[plen - 1]))
			plen--;
		p = semi < end ? semi + 1 : end;
		if ((eq = memchr(ps, '=', plen)) == NULL)
			continue;
		nlen = (size_t)(eq - ps);
		vs = eq + 1;
		vlen = plen - nlen - 1;
		while (nlen > 0 && hp_is_ws(ps[nlen - 1]))
			nlen--;
		while (vlen > 0 && hp_is_ws(*vs)) {
			vs++;
			vlen--;
		}
		if (nlen == 0)
			continue;
		for (i = 0; i < nlen && hp_is_tchar(ps[i]); i++)
			;
		if (i < nlen)
			continue;
		if (vlen >= 2 && vs[0] == '"' && vs[vlen - 1] == '"') {
			vs++;
			vlen -= 2;
		}
		if (hp_has_ctl(vs, vlen) || memchr(vs, '"', vlen) != NULL)
			continue;
		if (nlen > lim->max_name || vlen > lim->max_value) {
			ret = R_TOO_LARGE;
			goto out;
		}
		if ((ret = hp_params_reserve(a, out, lim)) != R_SUCCESS)
			goto out;
		ret = R_INTERNAL;
		if ((name = arena_strndup(a, ps, nlen)) == NULL ||
		    (value = arena_strndup(a, vs, vlen)) == NULL)
			goto out;
		it = &out->items[out->count++];
		it->name = name;
		it->value = value;
		it->value_len = vlen;
		it->filename = NULL;
		it->content_type = NULL;
	}
	ret = R_SUCCESS;
out:
	if (ret != R_SUCCESS)
		out->count = 0;
	return ret;
}

/* Containers nested deeper than max fail. Recursion is bounded by max + 1
 * and by jansson's own parser depth limit. */
static int json_depth_ok(json_t *j, size_t depth, size_t max)
{
	const char *k;
	json_t *v;
	size_t i;

	if (!json_is_object(j) && !json_is_array(j))
		return 1;
	if (depth >= max)
		return 0;
	if (json_is_array(j)) {
		json_array_foreach(j, i, v) {
			if (!json_depth_ok(v, depth + 1, max))
				return 0;
		}
	} else {
		json_object_foreach(j, k, v) {
			if (!json_depth_ok(v, depth + 1, max))
				return 0;
		}
	}
	return 1;
}

enum res http_parse_json(const char *body, size_t len, const struct http_limits *lim,
                         json_t **out, char *err, size_t errlen)
{
	enum res ret = R_BAD_INPUT;
	json_error_t jerr;
	json_t *j = NULL;

	if (out != NULL)
		*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (lim == NULL)
		lim = &http_default_limits;
	if (out == NULL)
		goto out;
	if (body == NULL && len > 0) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "no body");
		goto out;
	}
	if (len > lim->max_body) {
		ret = R_TOO_LARGE;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "body of %zu bytes is over the %zu byte limit", len,
			         lim->max_body);
		goto out;
	}
	j = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "line %d, column %d: %s", jerr.line, jerr.column,
			         jerr.text);
		goto out;
	}
	if (!json_depth_ok(j, 0, lim->max_json_depth)) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "nesting deeper than %zu", lim->max_json_depth);
		goto out;
	}
	*out = j;
	j = NULL;
	ret = R_SUCCESS;
out:
	json_decref(j);
	return ret;
}

int http_origin_parse(const char *o, size_t olen, struct http_origin *out)
{
	const char *p, *end = o + olen;
	long n = 0;

	if (olen >= 8 && strncmp(o, "https://", 8) == 0) {
		out->https = 1;
		p = o + 8;
	} else if (olen >= 7 && strncmp(o, "http://", 7) == 0) {
		out->https = 0;
		p = o + 7;
	} else {
		return 0;
	}
	out->host = p;
	while (p < end && *p != ':' && *p != '/')
		p++;
	out->host_len = (size_t)(p - out->host);
	if (out->host_len == 0)
		return 0;
	if (p == end || *p == '/') {
		out->port = out->https ? 443 : 80;
		return 1;
	}
	for (p++; p < end && *p != '/'; p++) {
		if (*p < '0' || *p > '9' || n > 65535)
			return 0;
		n = n * 10 + (*p - '0');
	}
	if (n < 1 || n > 65535)
		return 0;
	out->port = n;
	return 1;
}
