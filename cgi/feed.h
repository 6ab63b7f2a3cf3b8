/* feed.h - the demo feeder's script: what the demo's probes and agents
 * report next, as ingest API v2 items (docs/api.md). No I/O: the program
 * (main_demofeed.c) posts what feed_tick() returns, so the same seed gives
 * the same story, and the bounds below hold whatever the network does.
 *
 * Bounds: at most FEED_MAX_OPEN incidents and findings in flight (each is
 * resolved or fixed a few ticks after it was opened), at most
 * FEED_ASSET_SLOTS assets per tenant (the same external ids every run), and
 * new items drawn from a bucket of `burst` that refills at daily_max a day,
 * with at most daily_max new items in one UTC day. */
#ifndef FEED_H
#define FEED_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#define FEED_MAX_TENANTS 32
#define FEED_MAX_OPEN    48
#define FEED_ASSET_SLOTS 8

struct feed_item {
	int incident; /* 1: an incident; 0: a finding (vulnerability) */
	int tenant;   /* index into feed.tenants */
	unsigned seq; /* its number in this run: the external id */
	int sev;      /* index into the severities */
	int what;     /* title and indicator, or CVE */
	int asset;    /* finding: asset slot it is on, -1: none */
	time_t opened, acked;
	long ack_due, close_due; /* ticks */
};

struct feed {
	uint64_t rng;
	long long tenants[FEED_MAX_TENANTS];
	int n_tenants;
	int assets[FEED_MAX_TENANTS]; /* asset slots sent this run */
	struct feed_item open[FEED_MAX_OPEN];
	int n_open;
	long tick;
	unsigned seq;
	char run[24]; /* tag of this run in the external ids */
	int daily_max, burst;
	double bucket; /* new items allowed now */
	time_t last;   /* time of the previous tick (0: none yet) */
	long day;      /* UTC day of made_today */
	int made_today;
};

/* The items of one tick, one JSON array per endpoint (NULL: nothing to
 * send); owned by the batch, released by feed_batch_free(). */
struct feed_batch {
	json_t *assets;
	json_t *vulns;
	json_t *incidents;
};

/* Start a script: seed, the tenant ids items go to (at most
 * FEED_MAX_TENANTS are kept), the daily cap and burst of new items, and a
 * tag (letters, digits, '-') naming this run in every external id. */
void feed_init(struct feed *f, uint64_t seed, const long long *tenants, int n, int daily_max, int burst,
               const char *run);
/* One tick at wall-clock time now: acknowledge, resolve and fix what is
 * due, maybe open an incident, find a vulnerability, see a new asset. The
 * caller owns *b (feed_batch_free). */
void feed_tick(struct feed *f, time_t now, struct feed_batch *b);
/* Resolve and fix everything still open, at now (shutdown). */
void feed_close_all(struct feed *f, time_t now, struct feed_batch *b);
/* Release a batch's arrays; the batch is empty again. */
void feed_batch_free(struct feed_batch *b);
/* "YYYY-MM-DDTHH:MM:SSZ" of t into out (at least 21 bytes). */
void feed_time(time_t t, char *out, size_t n);

#endif
