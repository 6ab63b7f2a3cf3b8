/* http_parse.c - query string, cookie, urlencoded, multipart and JSON
 * parsers; see http_parse.h for the contract.
 *
 * Every length is checked against `end` before a byte is read, and every
 * limit is checked before anything is copied into the arena. */
#include "http_parse.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MP_HEADER_MAX 8192 /* bytes of one part's header block */
#define BOUNDARY_MAX 70    /* RFC 2046 */

const struct http_limits http_default_limits = {
	.max_fields = 64,
	.max_name = 128,
	.max_value = 64 * 1024,
	.max_file = 1024 * 1024,
	.max_files = 4,
	.max_body = 8 * 1024 * 1024,
	.max_json_depth = 32,
};

struct mp_part {
	const char *name;
	const char *filename;
	const char *ctype;
	int have_cd;
};

static int hexval(unsigned char c);
static long pct_len(const char *s, size_t len);
static int is_ws(char c);
static int is_tchar(char c);
static int is_ctl(char c);
static int has_ctl(const char *s, size_t n);
static int ci_eq(const char *s, size_t n, const char *lit);
static const char *skip_ws(const char *p, const char *end);
static void params_init(struct http_params *out);
static enum res params_reserve(struct arena *a, struct http_params *out,
                               const struct http_limits *lim);
static int next_param(struct arena *a, const char **pp, const char *end, const char **name,
                      size_t *nlen, char **val, size_t *vlen);
static char *sanitise_filename(struct arena *a, const char *s, size_t n);
static int boundary_ok(const char *b, size_t n);
static enum res mp_disposition(struct arena *a, const char *p, const char *end,
                               const struct http_limits *lim, struct mp_part *pt);
static enum res mp_header_line(struct arena *a, const char *p, const char *end,
                               const struct http_limits *lim, struct mp_part *pt);
static enum res mp_headers(struct arena *a, const char **pp, const char *end,
                           const struct http_limits *lim, struct mp_part *pt);
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

static int is_ws(char c) { return c == ' ' || c == '\t'; }

/* RFC 7230 tchar. */
static int is_tchar(char c)
{
	unsigned char u = (unsigned char)c;

	if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9'))
		return 1;
	return u != 0 && strchr("!#$%&'*+-.^_`|~", u) != NULL;
}

static int is_ctl(char c)
{
	unsigned char u = (unsigned char)c;

	return u < 0x20 || u == 0x7f;
}

static int has_ctl(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (is_ctl(s[i]))
			return 1;
	return 0;
}

/* ASCII case-insensitive s[0..n) == lit, independent of the locale. */
static int ci_eq(const char *s, size_t n, const char *lit)
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

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && is_ws(*p))
		p++;
	return p;
}

static void params_init(struct http_params *out)
{
	out->items = NULL;
	out->count = 0;
	out->cap = 0;
}

/* Room for one more pair, or R_TOO_LARGE once max_fields are stored. The
 * arena cannot free, so the old array is simply abandoned (total waste is
 * below the final size). */
static enum res params_reserve(struct arena *a, struct http_params *out,
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
static int next_param(struct arena *a, const char **pp, const char *end, const char **name,
                      size_t *nlen, char **val, size_t *vlen)
{
	const char *p = skip_ws(*pp, end), *start;
	size_t n;
	char *v;

	if (p == end)
		return 0;
	if (*p != ';')
		return -1;
	while (p < end && (*p == ';' || is_ws(*p)))
		p++;
	if (p == end) { /* trailing ';' */
		*pp = p;
		return 0;
	}
	*name = p;
	while (p < end && is_tchar(*p))
		p++;
	*nlen = (size_t)(p - *name);
	if (*nlen == 0)
		return -1;
	p = skip_ws(p, end);
	if (p == end || *p != '=')
		return -1;
	p = skip_ws(p + 1, end);
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
		while (p < end && *p != ';' && !is_ws(*p))
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

/* Base name after the last '/' or '\\' with control bytes dropped. A name
 * that sanitises to nothing (or to "." / "..") becomes "_" so it is never
 * mistaken for "no file chosen" nor usable as a path component. */
static char *sanitise_filename(struct arena *a, const char *s, size_t n)
{
	const char *base = s;
	size_t i, j = 0;
	char *r;

	for (i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == '\\')
			base = s + i + 1;
	n -= (size_t)(base - s);
	if ((r = arena_alloc(a, n + 2)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (!is_ctl(base[i]))
			r[j++] = base[i];
	r[j] = '\0';
	if (s != base || n > 0 || j > 0) {
		if (j == 0 || strcmp(r, ".") == 0 || strcmp(r, "..") == 0) {
			r[0] = '_';
			r[1] = '\0';
		}
	}
	return r;
}

/* RFC 2046 bchars, 1..70 of them, not ending in a space. */
static int boundary_ok(const char *b, size_t n)
{
	size_t i;

	if (n < 1 || n > BOUNDARY_MAX || b[n - 1] == ' ')
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)b[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			continue;
		if (c == 0 || strchr("'()+_,-./:=? ", c) == NULL)
			return 0;
	}
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

	params_init(out);
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
		if ((ret = params_reserve(a, out, lim)) != R_SUCCESS)
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

	params_init(out);
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
		ps = skip_ws(p, semi);
		plen = (size_t)(semi - ps);
		while (plen > 0 && is_ws(ps[plen - 1]))
			plen--;
		p = semi < end ? semi + 1 : end;
		if ((eq = memchr(ps, '=', plen)) == NULL)
			continue;
		nlen = (size_t)(eq - ps);
		vs = eq + 1;
		vlen = plen - nlen - 1;
		while (nlen > 0 && is_ws(ps[nlen - 1]))
			nlen--;
		while (vlen > 0 && is_ws(*vs)) {
			vs++;
			vlen--;
		}
		if (nlen == 0)
			continue;
		for (i = 0; i < nlen && is_tchar(ps[i]); i++)
			;
		if (i < nlen)
			continue;
		if (vlen >= 2 && vs[0] == '"' && vs[vlen - 1] == '"') {
			vs++;
			vlen -= 2;
		}
		if (has_ctl(vs, vlen) || memchr(vs, '"', vlen) != NULL)
			continue;
		if (nlen > lim->max_name || vlen > lim->max_value) {
			ret = R_TOO_LARGE;
			goto out;
		}
		if ((ret = params_reserve(a, out, lim)) != R_SUCCESS)
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

const char *http_multipart_boundary(struct arena *a, const char *content_type)
{
	const char *p, *end, *pname, *found = NULL;
	size_t nlen, vlen, flen = 0;
	char *val;
	int r;

	if (content_type == NULL)
		return NULL;
	end = content_type + strlen(content_type);
	p = skip_ws(content_type, end);
	if ((size_t)(end - p) < 10 || !ci_eq(p, 10, "multipart/"))
		return NULL;
	p += 10;
	if (p == end || !is_tchar(*p))
		return NULL;
	while (p < end && is_tchar(*p))
		p++;
	while ((r = next_param(a, &p, end, &pname, &nlen, &val, &vlen)) == 1) {
		if (!ci_eq(pname, nlen, "boundary"))
			continue;
		if (found != NULL)
			return NULL; /* two boundaries: ambiguous */
		found = val;
		flen = vlen;
	}
	if (r != 0 || found == NULL || !boundary_ok(found, flen))
		return NULL;
	return found;
}

/* Content-Disposition: form-data; name="x"; filename="y" */
static enum res mp_disposition(struct arena *a, const char *p, const char *end,
                               const struct http_limits *lim, struct mp_part *pt)
{
	const char *t = p, *pname;
	size_t nlen, vlen;
	char *val;
	int r;

	while (p < end && is_tchar(*p))
		p++;
	if (!ci_eq(t, (size_t)(p - t), "form-data"))
		return R_BAD_INPUT;
	while ((r = next_param(a, &p, end, &pname, &nlen, &val, &vlen)) == 1) {
		if (ci_eq(pname, nlen, "name")) {
			if (pt->name != NULL || vlen == 0 || has_ctl(val, vlen))
				return R_BAD_INPUT;
			if (vlen > lim->max_name)
				return R_TOO_LARGE;
			pt->name = val;
		} else if (ci_eq(pname, nlen, "filename")) {
			if (pt->filename != NULL)
				return R_BAD_INPUT;
			if ((pt->filename = sanitise_filename(a, val, vlen)) == NULL)
				return R_INTERNAL;
		}
		/* filename* and unknown parameters are ignored (RFC 7578 4.2) */
	}
	if (r == -2)
		return R_INTERNAL;
	return r == 0 ? R_SUCCESS : R_BAD_INPUT;
}

static enum res mp_header_line(struct arena *a, const char *p, const char *end,
                               const struct http_limits *lim, struct mp_part *pt)
{
	const char *colon = memchr(p, ':', (size_t)(end - p)), *v, *ve;
	size_t i, nlen;

	if (colon == NULL || colon == p)
		return R_BAD_INPUT;
	nlen = (size_t)(colon - p);
	for (i = 0; i < nlen; i++)
		if (!is_tchar(p[i]))
			return R_BAD_INPUT; /* also refuses obsolete line folding */
	v = skip_ws(colon + 1, end);
	ve = end;
	while (ve > v && is_ws(ve[-1]))
		ve--;
	if (ci_eq(p, nlen, "content-disposition")) {
		if (pt->have_cd)
			return R_BAD_INPUT;
		pt->have_cd = 1;
		return mp_disposition(a, v, ve, lim, pt);
	}
	if (ci_eq(p, nlen, "content-type")) {
		if (pt->ctype != NULL || has_ctl(v, (size_t)(ve - v)))
			return R_BAD_INPUT;
		if ((pt->ctype = arena_strndup(a, v, (size_t)(ve - v))) == NULL)
			return R_INTERNAL;
	}
	return R_SUCCESS;
}

/* Header lines up to the blank line, CRLF or bare LF, within 8 KiB. */
static enum res mp_headers(struct arena *a, const char **pp, const char *end,
                           const struct http_limits *lim, struct mp_part *pt)
{
	const char *p = *pp, *limit, *nl, *le;
	enum res r;

	limit = (size_t)(end - p) > MP_HEADER_MAX ? p + MP_HEADER_MAX : end;
	for (;;) {
		nl = memchr(p, '\n', (size_t)(limit - p));
		if (nl == NULL)
			return limit < end ? R_TOO_LARGE : R_BAD_INPUT;
		le = nl;
		if (le > p && le[-1] == '\r')
			le--;
		if (le == p)
			break;
		if ((r = mp_header_line(a, p, le, lim, pt)) != R_SUCCESS)
			return r;
		p = nl + 1;
	}
	if (!pt->have_cd || pt->name == NULL)
		return R_BAD_INPUT;
	*pp = nl + 1;
	return R_SUCCESS;
}

enum res http_parse_multipart(struct arena *a, const char *body, size_t len,
                              const char *boundary, const struct http_limits *lim,
                              struct http_params *out)
{
	enum res ret = R_BAD_INPUT;
	const char *p, *end, *q, *cend;
	char *delim, *value;
	size_t blen, dlen, clen, files = 0;
	struct mp_part pt;
	struct http_param *it;

	params_init(out);
	if (lim == NULL)
		lim = &http_default_limits;
	if (boundary == NULL || body == NULL)
		goto out;
	blen = strlen(boundary);
	if (!boundary_ok(boundary, blen))
		goto out;
	if (len > lim->max_body) {
		ret = R_TOO_LARGE;
		goto out;
	}
	/* "\n--boundary": a delimiter always starts a line. */
	dlen = blen + 3;
	ret = R_INTERNAL;
	if ((delim = arena_alloc(a, dlen + 1)) == NULL)
		goto out;
	memcpy(delim, "\n--", 3);
	memcpy(delim + 3, boundary, blen);
	ret = R_BAD_INPUT;
	end = body + len;
	if (len >= dlen - 1 && memcmp(body, delim + 1, dlen - 1) == 0)
		p = body + dlen - 1;
	else if ((q = memmem(body, len, delim, dlen)) != NULL)
		p = q + dlen; /* after the preamble */
	else
		goto out;
	for (;;) {
		/* p is just past a delimiter */
		if (end - p >= 2 && p[0] == '-' && p[1] == '-')
			break; /* close delimiter; the epilogue is ignored */
		p = skip_ws(p, end);
		if (p < end && *p == '\r')
			p++;
		if (p >= end || *p != '\n')
			goto out;
		p++;
		memset(&pt, 0, sizeof(pt));
		if ((ret = mp_headers(a, &p, end, lim, &pt)) != R_SUCCESS)
			goto out;
		ret = R_BAD_INPUT;
		/* One linear memmem per part: the whole body is scanned once. */
		if ((q = memmem(p, (size_t)(end - p), delim, dlen)) == NULL)
			goto out; /* no closing boundary */
		cend = q;
		if (cend > p && cend[-1] == '\r')
			cend--;
		clen = (size_t)(cend - p);
		ret = R_TOO_LARGE;
		if (pt.filename != NULL) {
			/* An empty filename is a file input left empty: kept, not counted. */
			if (pt.filename[0] != '\0' && ++files > lim->max_files)
				goto out;
			if (clen > lim->max_file)
				goto out;
		} else if (clen > lim->max_value)
			goto out;
		if ((ret = params_reserve(a, out, lim)) != R_SUCCESS)
			goto out;
		ret = R_INTERNAL;
		if ((value = arena_strndup(a, p, clen)) == NULL)
			goto out;
		it = &out->items[out->count++];
		it->name = pt.name;
		it->value = value;
		it->value_len = clen;
		it->filename = pt.filename;
		it->content_type = pt.ctype;
		p = q + dlen;
		ret = R_BAD_INPUT;
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
