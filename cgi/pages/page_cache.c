/* page_cache.c - the worker's validated page cache: the models of its
 * last PORTAL_DASHBOARD_CACHE (32; at most CACHE_SLOTS, 0: off) pages of
 * the pages that use it (the dashboards, the Billing page, the incident
 * list), each under a
 * key its page makes (the tenant, the query and the viewer's scope, what
 * they may see) and stamped with the tenant's data version
 * (tenant_stats.version) and the UTC hour, as request_context() read them
 * in the request's first statement. A page uses it only when everything
 * it shows bumps that version in the writing transaction (stats_apply(),
 * stats_touch()); an entry is then exactly what the database would
 * answer. The context row may be the context cache's, whose version does
 * not follow the data (the rollups' updates name their tenants and leave
 * the context rows cached): an entry is also stamped with the tenant's
 * data epoch (sess_data_epoch()) read before the page was, which a
 * notification naming the tenant moves in every worker. A page that may
 * show the ingest feed late (a dashboard with PORTAL_DASHBOARD_LAG) is
 * stamped with its lag epoch instead, which an ingest batch leaves, and
 * lapses at the valid_until its page gives, not with the version. Entries hold references to JSON that nothing modifies after it
 * is built (a page adds only top-level keys to its own model).
 *
 * A miss asks the master's shared store (cgi/page_share.c) before the
 * page is read: a page another worker computed under the same key and
 * stamps is copied from it (the request log's "page=shared"), or waited
 * for while that worker computes it; else this worker claims it, and
 * page_cache_publish() shares what the page kept once it has been
 * rendered. So after a change the master's workers compute a page once,
 * not once each. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "jalloc.h"
#include "page_share.h"
#include "pages.h"
#include "session.h"

#define CACHE_SLOTS 256

static struct page_cache_entry cache[CACHE_SLOTS];
static unsigned long cache_clock;
static char *claimed_key;                   /* malloc'd: the key this worker claimed in the shared store */
static struct page_cache_entry *claimed_at; /* its entry once page_cache_put() kept it, or NULL */

/* See pages.h. */
void page_cache_free(void)
{
	size_t i;

	page_share_release();
	free(claimed_key);
	claimed_key = NULL;
	claimed_at = NULL;
	for (i = 0; i < CACHE_SLOTS; i++) {
		free(cache[i].key);
		json_decref(cache[i].frag);
		free(cache[i].html);
		memset(&cache[i], 0, sizeof(cache[i]));
	}
}

/* A local miss: the page from the master's shared store, kept here too,
 * or NULL (claimed for this worker, or not shared). */
static struct page_cache_entry *share_get(struct req *req, const char *key)
{
	const struct tenant_ctx *t = req->tenant;
	struct page_stamp st = {req->page_epoch, t->hour};
	struct buf json = BUF_INIT, html = BUF_INIT;
	struct page_cache_entry *c = NULL;
	time_t valid_until = 0;
	json_t *frag;

	switch (page_share_get(key, &st, time(NULL), &json, &html, &valid_until)) {
	case PAGE_SHARE_CLAIMED:
		free(claimed_key);
		if ((claimed_key = strdup(key)) == NULL)
			page_share_release();
		claimed_at = NULL;
		break;
	case PAGE_SHARE_HIT:
		frag = buf_ok(&json) && buf_ok(&html) ? json_loadb(json.data, json.len, 0, NULL) : NULL;
		if (json_is_object(frag) && (c = page_cache_put(req, key, valid_until, frag)) != NULL && html.data) {
			c->html_len = html.len;
			c->html = buf_take(&html);
		}
		if (!json_is_object(frag))
			page_share_drop(key, &st); /* computed here; the next miss shares its page */
		json_decref(frag);
		if (c != NULL)
			req->page_cached = req->page_shared = 1;
		break;
	case PAGE_SHARE_NONE:
		break;
	}
	buf_free(&json);
	buf_free(&html);
	return c;
}

/* See pages.h. */
void page_cache_publish(const struct req *req)
{
	struct page_cache_entry *c = claimed_at;
	char *json;

	if (!page_share_claimed())
		return;
	json = !req->replica_read && c && c->key && claimed_key && strcmp(c->key, claimed_key) == 0
	           ? json_text(c->frag, JSON_COMPACT)
	           : NULL;
	if (json != NULL)
		page_share_put(json, strlen(json), c->html, c->html_len, c->valid_until);
	else
		page_share_release();
	free(json);
	free(claimed_key);
	claimed_key = NULL;
	claimed_at = NULL;
}

/* See pages.h. */
struct page_cache_entry *page_cache_get(struct req *req, const char *key, int lag)
{
	const struct tenant_ctx *t = req->tenant;
	size_t i, n = (size_t)config_get()->dashboard_cache;

	/* before the page is read, if it is */
	req->page_epoch = lag ? sess_lag_epoch(t->id) : sess_data_epoch(t->id);
	req->page_lag = lag != 0;
	req->page_lookup = n > 0;
	for (i = 0; i < n; i++) {
		struct page_cache_entry *c = &cache[i];
		if (c->key == NULL || strcmp(c->key, key) != 0)
			continue;
		if (c->lag != req->page_lag || (!c->lag && c->version != t->version) || c->epoch != req->page_epoch ||
		    c->hour != t->hour || (c->valid_until && time(NULL) >= c->valid_until))
			break; /* stale: replaced by the next page_cache_put */
		c->used = ++cache_clock;
		req->page_cached = 1;
		return c;
	}
	return n > 0 ? share_get(req, key) : NULL;
}

/* See pages.h. */
struct page_cache_entry *page_cache_put(struct req *req, const char *key, time_t valid_until, json_t *frag)
{
	const struct tenant_ctx *t = req->tenant;
	struct page_cache_entry *c = &cache[0];
	size_t i, n = (size_t)config_get()->dashboard_cache;
	json_t *copy;
	char *k;
	int saved;

	if (n == 0)
		return NULL;
	for (i = 0; i < n; i++) {
		if (cache[i].key != NULL && strcmp(cache[i].key, key) == 0) {
			c = &cache[i];
			break;
		}
		if (cache[i].used < c->used)
			c = &cache[i];
	}
	/* The entry outlives the request, whose jansson values go at its end
	 * (jalloc.h): it keeps a copy from malloc. */
	saved = jalloc_suspend();
	copy = json_deep_copy(frag);
	jalloc_resume(saved);
	if (copy == NULL || (k = strdup(key)) == NULL) {
		json_decref(copy);
		return NULL;
	}
	free(c->key);
	json_decref(c->frag);
	free(c->html);
	c->html = NULL;
	c->html_len = 0;
	c->key = k;
	c->version = t->version;
	c->epoch = req->page_epoch;
	c->lag = req->page_lag;
	c->hour = t->hour;
	c->valid_until = valid_until;
	c->frag = copy;
	c->used = ++cache_clock;
	if (claimed_key != NULL && strcmp(claimed_key, key) == 0)
		claimed_at = c;
	return c;
}
