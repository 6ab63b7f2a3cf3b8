/* buf.h - growable byte buffer.
 *
 * Ownership: a struct buf owns its `data`; buf_free() releases it. Every
 * append keeps `data` NUL-terminated (the NUL is not counted in `len`).
 * On allocation failure the buffer sets `oom` and ignores further appends,
 * so callers check once at the end (buf_ok()). */
#ifndef BUF_H
#define BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
	int oom;
};

#define BUF_INIT {NULL, 0, 0, 0}

/* Make room for `extra` more bytes (plus the NUL); 0 on success. */
int buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Append `s` HTML-escaped: & < > " ' ` = become entities. */
void buf_html(struct buf *b, const char *s, size_t n);
/* Append s as one CSV field: quoted when it holds , " CR or LF; a value
 * starting with = + - @, a tab or a CR is prefixed with ' so spreadsheets
 * do not run it as a formula. */
void buf_csv(struct buf *b, const char *s);
/* Empty the buffer, keeping its memory for reuse. */
void buf_reset(struct buf *b);
/* Release the memory; the buffer is BUF_INIT again. */
void buf_free(struct buf *b);
/* Detach the data: the caller owns and frees the returned string. */
char *buf_take(struct buf *b);
static inline int buf_ok(const struct buf *b) { return !b->oom; }

#endif
