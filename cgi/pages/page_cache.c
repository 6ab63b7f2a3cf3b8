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
 * notification naming the tenant moves in every worker. Entries hold references to JSON that nothing modifies after it
 * is built (a page adds only top-level keys to its own model). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "pages.h"
#include "session.h"

#define CACHE_SLOTS 256

static struct page_cache_entry cache[CACHE_SLOTS];
static unsigned long cache_clock;

/* See pages.h. */
void page_cache_free(void)
{
	size_t i;

	for (i = 0; i < CACHE_SLOTS; i++) {
		free(cache[i].key);
		json_decref(cache[i].frag);
		free(cache[i].html);
		memset(&cache[i], 0, sizeof(cache[i]));
	}
}

/* See pages.h. */
struct page_cache_entry *page_cache_get(struct req *req, const char *key)
{
	const struct tenant_ctx *t = req->tenant;
	size_t i, n = (size_t)config_get()->dashboard_cache;

	req->page_epoch = sess_data_epoch(t->id); /* before the page is read, if it is */
	req->page_lookup = n > 0;
	for (i = 0; i < n; i++) {
		struct page_cache_entry *c = &cache[i];
		if (c->key == NULL || strcmp(c->key, key) != 0)
			continue;
		if (c->version != t->version || c->epoch != req->page_epoch || c->hour != t->hour ||
		    (c->valid_until && time(NULL) >= c->valid_until))
			return NULL; /* stale: replaced by the next page_cache_put */
		c->used = ++cache_clock;
		req->page_cached = 1;
		return c;
	}
	return NULL;
}

/* See pages.h. */
struct page_cache_entry *page_cache_put(struct req *req, const char *key, time_t valid_until, json_t *frag)
{
	const struct tenant_ctx *t = req->tenant;
	struct page_cache_entry *c = &cache[0];
	size_t i, n = (size_t)config_get()->dashboard_cache;
	char *k;

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
	if ((k = strdup(key)) == NULL)
		return NULL;
	free(c->key);
	json_decref(c->frag);
	free(c->html);
	c->html = NULL;
	c->html_len = 0;
	c->key = k;
	c->version = t->version;
	c->epoch = req->page_epoch;
	c->hour = t->hour;
	c->valid_until = valid_until;
	c->frag = json_incref(frag);
	c->used = ++cache_clock;
	return c;
}
