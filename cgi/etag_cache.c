/* etag_cache.c - the ETags of API answers a worker keeps (etag_cache.h). */
#include "etag_cache.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "config.h"
#include "epoch.h"

#define WAYS     4   /* entries per set: the least recently used goes */
#define URI_MAX  255 /* a longer path and query is not kept */
#define ETAG_MAX 47  /* "..." or W/"...", as the handler makes it */

struct etag_entry {
	char key_hash[64];
	char uri[URI_MAX + 1];
	char etag[ETAG_MAX + 1];
	long long until;
	unsigned long used; /* 0: empty */
};

static struct etag_entry *entries; /* config etag_cache of them, in sets of WAYS; owned here */
static unsigned nsets;
static unsigned long clock_tick;
static struct epoch epoch;            /* shared after etag_cache_share() */
static unsigned long long held_epoch; /* the epoch every held entry was read in */

int etag_cache_share(void)
{
	return epoch_share(&epoch);
}

void etag_cache_changed(void)
{
	epoch_move(&epoch);
}

unsigned long long etag_cache_epoch(void)
{
	return epoch_read(&epoch);
}

void etag_cache_free(void)
{
	free(entries);
	entries = NULL;
	nsets = 0;
}

/* FNV-1a of the key's hash and the URI: the set. */
static unsigned set_of(const char *key_hash, const char *uri)
{
	unsigned h = 2166136261u;

	for (int i = 0; i < 64; i++)
		h = (h ^ (unsigned char)key_hash[i]) * 16777619u;
	for (const char *p = uri; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h % nsets;
}

/* The entries, all of one epoch: when the epoch has moved, they go. 0 when
 * the cache is off or could not be made. */
static int ready(unsigned long long now_epoch)
{
	int n = config_get()->etag_cache;

	if (n < WAYS)
		return 0;
	if (entries == NULL) {
		if ((entries = calloc((size_t)n, sizeof(*entries))) == NULL)
			return 0;
		nsets = (unsigned)n / WAYS;
		held_epoch = now_epoch;
	}
	if (now_epoch != held_epoch) {
		memset(entries, 0, (size_t)nsets * WAYS * sizeof(*entries));
		held_epoch = now_epoch;
	}
	return 1;
}

static int matches(const struct etag_entry *e, const char *key_hash, const char *uri)
{
	return e->used != 0 && CRYPTO_memcmp(e->key_hash, key_hash, 64) == 0 && strcmp(e->uri, uri) == 0;
}

const char *etag_cache_find(const char *key_hash, const char *uri)
{
	struct etag_entry *set;

	if (strlen(uri) > URI_MAX || !ready(etag_cache_epoch()))
		return NULL;
	set = &entries[(size_t)set_of(key_hash, uri) * WAYS];
	for (int i = 0; i < WAYS; i++) {
		if (!matches(&set[i], key_hash, uri))
			continue;
		if ((long long)time(NULL) >= set[i].until) {
			memset(&set[i], 0, sizeof(set[i]));
			return NULL;
		}
		set[i].used = ++clock_tick;
		return set[i].etag;
	}
	return NULL;
}

void etag_cache_put(const char *key_hash, const char *uri, const char *etag, unsigned long long read_epoch)
{
	struct etag_entry *set, *e = NULL;

	if (strlen(uri) > URI_MAX || strlen(etag) > ETAG_MAX || !ready(etag_cache_epoch()) || read_epoch != held_epoch)
		return;
	set = &entries[(size_t)set_of(key_hash, uri) * WAYS];
	for (int i = 0; i < WAYS && e == NULL; i++)
		if (matches(&set[i], key_hash, uri))
			e = &set[i];
	for (int i = 0; i < WAYS && e == NULL; i++)
		if (set[i].used == 0)
			e = &set[i];
	if (e == NULL) {
		e = &set[0];
		for (int i = 1; i < WAYS; i++)
			if (set[i].used < e->used)
				e = &set[i];
	}
	memcpy(e->key_hash, key_hash, 64);
	strcpy(e->uri, uri);
	strcpy(e->etag, etag);
	e->until = (long long)time(NULL) + ETAG_CACHE_SECONDS;
	e->used = ++clock_tick;
}
