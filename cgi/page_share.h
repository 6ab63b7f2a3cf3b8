/* page_share.h - pages computed once for all of a master's workers.
 *
 * Each worker keeps its own page cache (cgi/pages/page_cache.c). After a
 * change every worker missed the same page at once and computed it for
 * itself: under a live feed, one database read per worker per batch where
 * one does. This store, in memory the master maps before it forks, holds
 * one computed page per slot (its model as JSON text and the markup
 * rendered from it) under the same key and stamps as the workers' caches.
 * The first worker to miss claims the slot and computes; a worker that
 * misses the same key with the same stamps meanwhile waits for it and
 * takes a copy, instead of computing too: while the claiming worker lives,
 * for at most PORTAL_PAGE_SHARE_WAIT_MS (20 ms; a page takes 5-10 ms under
 * a live feed, and a computing worker put off the CPU would otherwise
 * hold up every worker that misses its page), then it computes it too.
 *
 * Slots are found by the key's hash: two keys in one slot take turns (a
 * page computed again, never a wrong one). A worker holds at most one
 * claim at a time, and never waits while it holds one. */
#ifndef PAGE_SHARE_H
#define PAGE_SHARE_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define PAGE_SHARE_SLOTS   64
#define PAGE_SHARE_BYTES   (256 * 1024) /* a slot's key, model and markup; a larger page is not shared */
#define PAGE_SHARE_KEY_MAX 1024
/* A claim older than this is given up (a worker stuck in its request). */
#define PAGE_SHARE_CLAIM_MS 1000

/* What an entry is good for: the same values as the reader's, exactly.
 * Not the tenant's version, which a worker's page cache also compares:
 * the workers' context rows hold versions read at different times (a row
 * is kept until the session's next touch), so under a live feed no two
 * would agree. The epoch is what covers a change: every move of a
 * tenant's version notifies it (tenants_changed()), the first worker to
 * hear it moves the epoch all the master's workers read, and a write's
 * answer waits until its own notification has been heard. A page
 * computed after the epoch read shows every change answered before. */
struct page_stamp {
	unsigned long long epoch; /* the tenant's data epoch, read before the page was */
	long long hour;           /* the UTC hour */
};

/* The master, before it forks the workers: map the slots. 0, or -1 (then
 * nothing is shared: page_share_get() says PAGE_SHARE_NONE). */
int page_share_init(void);

enum page_share_got {
	PAGE_SHARE_NONE,    /* not there, and not claimed: compute it */
	PAGE_SHARE_HIT,     /* *json and *html hold a copy */
	PAGE_SHARE_CLAIMED, /* not there: compute it, then page_share_put() or page_share_release() */
};

/* The page under key with stamp st, still good at now (its valid_until
 * not passed), copied into json and html (appended; *valid_until set), or
 * waited for while another worker computes it, or claimed for this one. */
enum page_share_got page_share_get(const char *key, const struct page_stamp *st, time_t now, struct buf *json,
                                   struct buf *html, time_t *valid_until);
/* The claimed page computed: keep it for the others (html may be NULL: a
 * model without markup, as a JSON view has it). Ends the claim. */
void page_share_put(const char *json, size_t json_len, const char *html, size_t html_len, time_t valid_until);
/* End the claim without a page (the page failed, or was too large). */
void page_share_release(void);
/* The page under key with stamp st is no good to this reader (its copy
 * would not load): empty its slot, if it still holds that page, so that
 * the next miss computes it again instead of every reader copying it out
 * and computing for itself until the stamp moves. */
void page_share_drop(const char *key, const struct page_stamp *st);
/* Whether this worker holds a claim. */
int page_share_claimed(void);

#endif
