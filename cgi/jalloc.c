/* jalloc.c - jansson's memory during a request (jalloc.h). */
#include "jalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define JALLOC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JALLOC_ASAN 1
#endif
#endif
#ifdef JALLOC_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif

/* The region: reserved once, touched only as far as requests reach. A
 * request that needs more than it holds gets the rest from malloc. */
#define REGION_SIZE ((size_t)16 << 20)
/* What a request left touched beyond this is given back to the kernel at
 * its end, so one large request does not keep a worker's memory up. */
#define REGION_KEEP ((size_t)1 << 20)
#define ALIGN 16

static unsigned char *region; /* NULL: not reserved (yet, or mmap failed) */
static size_t used, high;     /* bytes handed out this request; the most touched */
static int active;            /* allocating from the region */

static int in_region(const void *p)
{
	return region != NULL && (uintptr_t)p >= (uintptr_t)region && (uintptr_t)p < (uintptr_t)region + REGION_SIZE;
}

static void *jalloc_malloc(size_t n)
{
	if (active && region != NULL && n <= REGION_SIZE - ALIGN && used <= REGION_SIZE - ALIGN - n) {
		void *p = region + used;
		used += n ? (n + ALIGN - 1) & ~(size_t)(ALIGN - 1) : ALIGN;
		if (used > high)
			high = used;
		UNPOISON(p, n);
		return p;
	}
	return malloc(n);
}

static void jalloc_free(void *p)
{
	if (!in_region(p))
		free(p); /* the region's pieces are taken back together */
}

void jalloc_init(void) { json_set_alloc_funcs(jalloc_malloc, jalloc_free); }

void jalloc_request_begin(void)
{
	if (region == NULL) {
		void *r = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (r == MAP_FAILED)
			return; /* malloc, as without the region */
		region = r;
		POISON(region, REGION_SIZE);
	}
	used = 0;
	active = 1;
}

void jalloc_request_end(void)
{
	active = 0;
	if (region == NULL)
		return;
	POISON(region, used);
	if (high > REGION_KEEP) {
		madvise(region + REGION_KEEP, high - REGION_KEEP, MADV_DONTNEED);
		high = REGION_KEEP;
	}
	used = 0;
}

int jalloc_suspend(void)
{
	int was = active;
	active = 0;
	return was;
}

void jalloc_resume(int saved) { active = saved; }

char *json_text(const json_t *v, size_t flags)
{
	int saved = jalloc_suspend();
	char *s = json_dumps(v, flags);
	jalloc_resume(saved);
	return s;
}
