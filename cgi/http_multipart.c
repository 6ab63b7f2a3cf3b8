/* http_multipart.c - multipart/form-data: the boundary of a Content-Type
 * and the parts of a body; see http_parse.h for the contract.
 *
 * Every length is checked against `end` before a byte is read, and every
 * limit is checked before anything is copied into the arena. */
#include "http_parse.h"
#include "http_parse_int.h"

#include <string.h>

#define MP_HEADER_MAX 8192 /* bytes of one part's header block */
#define BOUNDARY_MAX 70    /* RFC 2046 */

struct mp_part {
	const char *name;
	const char *filename;
	const char *ctype;
	int have_cd;
};

static enum res mp_disposition(struct arena *a, const char *p, const char *end,
                               const struct http_limits *lim, struct mp_part *pt);
static enum res mp_header_line(struct arena *a, const char *p, const char *end,
                               const struct http_limits *lim, struct mp_part *pt);
static enum res mp_headers(struct arena *a, const char **pp, const char *end,
                           const struct http_limits *lim, struct mp_part *pt);

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
		if (!hp_is_ctl(base[i]))
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

const char *http_multipart_boundary(struct arena *a, const char *content_type)
{
	const char *p, *end, *pname, *found = NULL;
	size_t nlen, vlen, flen = 0;
	char *val;
	int r;

	if (content_type == NULL)
		return NULL;
	end = content_type + strlen(content_type);
	p = hp_skip_ws(content_type, end);
	if ((size_t)(end - p) < 10 || !hp_ci_eq(p, 10, "multipart/"))
		return NULL;
	p += 10;
	if (p == end || !hp_is_tchar(*p))
		return NULL;
	while (p < end && hp_is_tchar(*p))
		p++;
	while ((r = hp_next_param(a, &p, end, &pname, &nlen, &val, &vlen)) == 1) {
		if (!hp_ci_eq(pname, nlen, "boundary"))
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

	while (p < end && hp_is_tchar(*p))
		p++;
	if (!hp_ci_eq(t, (size_t)(p - t), "form-data"))
		return R_BAD_INPUT;
	while ((r = hp_next_param(a, &p, end, &pname, &nlen, &val, &vlen)) == 1) {
		if (hp_ci_eq(pname, nlen, "name")) {
			if (pt->name != NULL || vlen == 0 || hp_has_ctl(val, vlen))
				return R_BAD_INPUT;
			if (vlen > lim->max_name)
				return R_TOO_LARGE;
			pt->name = val;
		} else if (hp_ci_eq(pname, nlen, "filename")) {
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
		if (!hp_is_tchar(p[i]))
			return R_BAD_INPUT; /* also refuses obsolete line folding */
	v = hp_skip_ws(colon + 1, end);
	ve = end;
	while (ve > v && hp_is_ws(ve[-1]))
		ve--;
	if (hp_ci_eq(p, nlen, "content-disposition")) {
		if (pt->have_cd)
			return R_BAD_INPUT;
		pt->have_cd = 1;
		return mp_disposition(a, v, ve, lim, pt);
	}
	if (hp_ci_eq(p, nlen, "content-type")) {
		if (pt->ctype != NULL || hp_has_ctl(v, (size_t)(ve - v)))
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

	hp_params_init(out);
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
		p = hp_skip_ws(p, end);
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
		if ((ret = hp_params_reserve(a, out, lim)) != R_SUCCESS)
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
