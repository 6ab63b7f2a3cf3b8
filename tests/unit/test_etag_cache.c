/* test_etag_cache.c - the ETags a worker keeps (cgi/etag_cache.c): a tag
 * is found for its key and URI only, within its epoch and its lifetime; a
 * full set lets its least recently used entry go; what does not fit is not
 * kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "etag_cache.h"
#include "tap.h"

static const char *key(int i)
{
	static char k[65];

	snprintf(k, sizeof(k), "%064d", i);
	return k;
}

int main(void)
{
	unsigned long long e;
	char uri[300], k1[65];
	int kept = 0;

	setenv("PORTAL_ETAG_CACHE", "8", 1); /* two sets of four */
	config_load();
	snprintf(k1, sizeof(k1), "%s", key(1));

	e = etag_cache_epoch();
	TAP_OK(etag_cache_find(k1, "/a") == NULL, "an empty cache finds nothing");
	etag_cache_put(k1, "/a", "\"t1\"", e);
	TAP_STR(etag_cache_find(k1, "/a"), "\"t1\"", "a kept tag is found for its key and URI");
	TAP_OK(etag_cache_find(key(2), "/a") == NULL && etag_cache_find(k1, "/b") == NULL,
	       "another key, or another URI, finds nothing");
	etag_cache_put(k1, "/a", "\"t2\"", e);
	TAP_STR(etag_cache_find(k1, "/a"), "\"t2\"", "keeping it again replaces the tag");

	etag_cache_changed();
	TAP_OK(etag_cache_find(k1, "/a") == NULL, "a change (the epoch moved) lets every tag go");
	etag_cache_put(k1, "/a", "\"t3\"", e);
	TAP_OK(etag_cache_find(k1, "/a") == NULL, "a tag read before the change is not kept after it");

	e = etag_cache_epoch();
	for (int i = 0; i < 40; i++) {
		snprintf(uri, sizeof(uri), "/d/%d", i);
		etag_cache_put(k1, uri, "\"x\"", e);
	}
	for (int i = 0; i < 40; i++) {
		snprintf(uri, sizeof(uri), "/d/%d", i);
		kept += etag_cache_find(k1, uri) != NULL;
	}
	TAP_OK(kept == 8, "no more tags than the cache holds are kept (%d of 40)", kept);
	snprintf(uri, sizeof(uri), "/d/%d", 39);
	TAP_OK(etag_cache_find(k1, uri) != NULL, "the last kept is there");

	memset(uri, 'u', 290);
	uri[0] = '/';
	uri[290] = '\0';
	etag_cache_put(k1, uri, "\"y\"", e);
	TAP_OK(etag_cache_find(k1, uri) == NULL, "a URI longer than 255 bytes is not kept");
	etag_cache_put(k1, "/long-tag", "\"0123456789012345678901234567890123456789012345\"", e);
	TAP_OK(etag_cache_find(k1, "/long-tag") == NULL, "a tag longer than 47 bytes is not kept");

	etag_cache_free();
	return tap_done();
}
