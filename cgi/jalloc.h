/* jalloc.h - where jansson's memory comes from while a request runs.
 *
 * A page's model is a tree of a thousand or more jansson values (a
 * 50-row table alone is 950), each one or two allocations made for the
 * request and freed at its end. Between jalloc_request_begin() and
 * jalloc_request_end(), jansson allocates from one bump region of the
 * worker instead (freeing there does nothing), and the whole region is
 * taken back at once at the end: about a tenth of a dashboard's requests
 * a second (docs/performance.md, "Session 36").
 *
 * So a jansson value made during a request lives until its end, whoever
 * holds a reference. What must outlive the request is made with the region
 * suspended (jalloc_suspend() ... jalloc_resume()), from malloc as before:
 * the page cache's entries (page_cache_put() copies the page into them),
 * and text from json_dumps(), which its callers release with free()
 * (json_text()). Values made outside a request (the assets' model at
 * start, the reporter and mailer, which never begin one) come from malloc.
 *
 * Under AddressSanitizer the region is poisoned when it is taken back and
 * unpoisoned piece by piece as it is handed out: a value used after its
 * request ended, or written past its end, is reported as it would be with
 * malloc. */
#ifndef JALLOC_H
#define JALLOC_H

#include <jansson.h>

/* Route jansson's allocations through this module; once per process,
 * before any jansson value exists. */
void jalloc_init(void);
/* From here to jalloc_request_end(), jansson allocates from the region. */
void jalloc_request_begin(void);
/* Take the whole region back. Every value made since
 * jalloc_request_begin() must be unreachable by now. */
void jalloc_request_end(void);
/* Allocate from malloc until jalloc_resume(saved); nests. */
int jalloc_suspend(void);
void jalloc_resume(int saved);
/* json_dumps(v, flags) as malloc'd text, for free(); NULL on failure. */
char *json_text(const json_t *v, size_t flags);

#endif
