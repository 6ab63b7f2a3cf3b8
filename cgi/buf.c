/* buf.c - growable byte buffer. */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int buf_reserve(struct buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return -1;
	if (extra > (size_t)-1 / 2 - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (p == NULL)
		goto fail;
	b->data = p;
	b->cap = cap;
	return 0;
fail:
	b->oom = 1;
	return -1;
}

void buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) != 0)
		return;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s) { buf_append(b, s, strlen(s)); }

void buf_putc(struct buf *b, char c)
{
	if (buf_reserve(b, 1) != 0)
		return;
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	if (buf_reserve(b, 64) != 0)
		return;
	va_copy(ap2, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (buf_reserve(b, (size_t)n) != 0)
			return;
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_html(struct buf *b, const char *s, size_t n)
{
	size_t i, run = 0;
	const char *ent;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		case '`': ent = "&#96;"; break;
		case '=': ent = "&#61;"; break;
		default: continue;
		}
		buf_append(b, s + run, i - run);
		buf_puts(b, ent);
		run = i + 1;
	}
	buf_append(b, s + run, n - run);
}

void buf_csv(struct buf *b, const char *s)
{
	/* what a spreadsheet may take for the start of a formula (OWASP's
	 * list: = + - @, tab and carriage return) */
	int risky = *s != '\0' && strchr("=+-@\t\r", *s) != NULL;

	if (!risky && strpbrk(s, ",\"\r\n") == NULL) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	if (risky)
		buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
}

char *buf_take(struct buf *b)
{
	char *p;

	if (b->data == NULL && !b->oom)
		buf_reserve(b, 0);
	p = b->oom ? NULL : b->data;
	if (b->oom)
		free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = 0;
	return p;
}
