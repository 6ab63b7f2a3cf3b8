/* mustache_scan.c - the compiler's tag scanner: a tag's kind and name, new
 * delimiters, and the look-ahead over a line that decides whether it is
 * standalone (see mustache_compile.c and docs/mustache.md). */
#include "mustache_parse.h"

#include <string.h>

int mus_starts(const char *s, size_t n, size_t p, const char *w, size_t wl)
{
	return p + wl <= n && memcmp(s + p, w, wl) == 0;
}

const char *mus_find_str(const char *s, size_t n, size_t from, const char *w, size_t wl)
{
	if (from > n)
		return NULL;
	return memmem(s + from, n - from, w, wl);
}

/* Parse the tag starting at t (which begins with otag). */
int mus_parse_tag(const struct pstate *ps, const char *otag, size_t olen, const char *ctag,
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
		e = mus_find_str(s, n, p, w, clen + 1);
		if (e == NULL) {
			*why = tg->kind == T_RAW ? "unclosed" : "baddelim";
			return -1;
		}
		tg->end = (size_t)(e - s) + clen + 1;
	} else {
		e = mus_find_str(s, n, p, ctag, clen);
		if (e == NULL) {
			*why = "unclosed";
			return -1;
		}
		tg->end = (size_t)(e - s) + clen;
	}
	tg->nstart = p;
	tg->nend = (size_t)(e - s);
	while (tg->nstart < tg->nend && (mus_is_ws(s[tg->nstart]) || s[tg->nstart] == '\n' || s[tg->nstart] == '\r'))
		tg->nstart++;
	while (tg->nend > tg->nstart && (mus_is_ws(s[tg->nend - 1]) || s[tg->nend - 1] == '\n' || s[tg->nend - 1] == '\r'))
		tg->nend--;
	return 0;
}

/* Parse "{{=<% %>=}}" content into new delimiters; 0 on success. */
int mus_parse_delims(const char *s, size_t a, size_t b, char *o, size_t *olen, char *c, size_t *clen)
{
	size_t i = a, j;

	j = i;
	while (j < b && !mus_is_ws(s[j]))
		j++;
	if (j == i || j == b || j - i > MAX_DELIM)
		return -1;
	memcpy(o, s + i, j - i);
	o[j - i] = '\0';
	*olen = j - i;
	while (j < b && mus_is_ws(s[j]))
		j++;
	i = j;
	while (j < b && !mus_is_ws(s[j]))
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
int mus_prescan(struct pstate *ps, size_t pos)
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
	while (p < n && mus_is_ws(s[p]))
		p++;
	ps->line_indent_end = p;
	for (;;) {
		if (p >= n || s[p] == '\n' || (s[p] == '\r' && p + 1 < n && s[p + 1] == '\n'))
			break;
		if (!mus_starts(s, n, p, o, olen))
			return 0;
		if (mus_parse_tag(ps, o, olen, c, clen, p, &tg, &why) != 0)
			return 0;
		if (tg.kind == T_VAR || tg.kind == T_RAW)
			return 0;
		if (tg.kind == T_DELIM &&
		    mus_parse_delims(s, tg.nstart + 0, tg.nend, o, &olen, c, &clen) != 0)
			return 0;
		if (count == 0) {
			first.k = tg.kind; first.a = tg.nstart; first.b = tg.nend;
		} else if (count == 1) {
			second.k = tg.kind; second.a = tg.nstart; second.b = tg.nend;
		}
		count++;
		p = tg.end;
		last_end = p;
		while (p < n && mus_is_ws(s[p]))
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
