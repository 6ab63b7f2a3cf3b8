/* metrics.h - what GET /metrics says in Prometheus' text format (issue
 * #24; docs/operations.md, "Monitoring"): requests by route and status
 * class, their durations, the caches' hits and misses, ingested items,
 * the workers and their restarts, the queues in the database.
 *
 * Counters live in memory the master maps before it forks (MAP_SHARED):
 * one block per worker slot, written by that slot's worker only, and one
 * block the master writes (restarts). A worker that dies leaves its
 * counts in the block; the next worker of the slot adds to them. GET
 * /metrics sums every block, so any worker answers for all of them. */
#ifndef METRICS_H
#define METRICS_H

#include "http.h"

/* The route table the counters are kept by (routes.c's; the server's). */
struct route;
void metrics_routes(const struct route *table, unsigned n);

/* Map the shared blocks for nslots workers (the master, before forking).
 * -1 on failure (errno): the portal serves on, /metrics says so. */
int metrics_share(int nslots);
void metrics_unshare(void);

/* The worker's slot (after fork). */
void metrics_slot(int slot);

/* One request done (dispatch, after it was sent). */
void metrics_request(const struct req *req, double seconds);

/* The master: a worker of pool ended; why: METRICS_RETIRED (its
 * PORTAL_MAX_REQUESTS, or a reload), METRICS_DIED (a signal or an error
 * exit), METRICS_STUCK (killed past PORTAL_REQUEST_TIMEOUT). */
enum { METRICS_RETIRED, METRICS_DIED, METRICS_STUCK, METRICS_NREASONS };
void metrics_worker_ended(int pool, int why);
/* The master: the workers running now, per pool. */
void metrics_workers(int pool, int running);

/* Is addr (REMOTE_ADDR) one of PORTAL_METRICS_ALLOW's? */
int metrics_allowed(const char *addr);
/* Is addr in list: addresses and CIDR ranges ("10.0.0.0/8", "fd00::/8"),
 * separated by commas or blanks? An IPv4 address matches its IPv4-mapped
 * IPv6 spelling and the other way round; an entry that is not one matches
 * nothing. */
int metrics_addr_in(const char *list, const char *addr);
/* The first entry of list that is neither an address nor a range (a
 * static buffer), or NULL when every entry is one. */
const char *metrics_allow_check(const char *list);

/* The text exposition of everything counted, into b; queues is the
 * database's part (the metrics_queues() rows: name, labels, value), NULL
 * when it could not be read. */
struct buf;
void metrics_text(struct buf *b, const void *queues);

#endif
