/* etag_cache.h - the ETags of API answers a worker keeps, so that a device
 * polling its configuration with the tag it has is answered 304 without a
 * statement (docs/plans.md, "Devices poll their configuration";
 * docs/performance.md, "Devices polling their configuration").
 *
 * An entry is (the SHA-256 of the API key, the request's path and query)
 * -> the ETag of the answer the key last got there. It is good while:
 * - nothing the answer was read from changed: those tables notify
 *   DB_CONFIG_CHANNEL (config_changed(), sql/triggers/TABLE/config_changed.sql:
 *   plans, their sections and shares, overrides, tenants, devices' names,
 *   users' names, API keys), each notification moves an epoch shared by all
 *   workers (sess_cache_sync() drains them), and an entry is only used in
 *   the epoch read before its statement ran;
 * - it is younger than ETAG_CACHE_SECONDS, so the key's last use
 *   (api_keys.last_used_at, written at most once a minute) stays true
 *   within about a minute.
 * PORTAL_ETAG_CACHE entries per worker (0: off). */
#ifndef ETAG_CACHE_H
#define ETAG_CACHE_H

#define ETAG_CACHE_SECONDS 60

/* The master, before it forks the workers: the epoch shared by all of
 * them. -1 if it cannot (each worker then learns of changes from its own
 * connection only). */
int etag_cache_share(void);
/* A DB_CONFIG_CHANNEL notification arrived (sess_cache_sync()): every
 * worker's entries go. */
void etag_cache_changed(void);
/* The epoch now: read it before the statement whose answer is kept. */
unsigned long long etag_cache_epoch(void);
/* The ETag kept for key_hash (64 hex) and uri in the current epoch, or
 * NULL. The pointer is the cache's, good until the next call. */
const char *etag_cache_find(const char *key_hash, const char *uri);
/* Keep etag for key_hash and uri, read in epoch (etag_cache_epoch() before
 * the statement); nothing when the epoch has moved since or it does not
 * fit. */
void etag_cache_put(const char *key_hash, const char *uri, const char *etag, unsigned long long epoch);
/* At worker exit. */
void etag_cache_free(void);

#endif
