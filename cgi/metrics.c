/* metrics.c - the counters behind GET /metrics (metrics.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <libpq-fe.h>

#include "buf.h"
#include "config.h"
#include "metrics.h"
#include "router.h"

#ifndef PORTAL_VERSION
#define PORTAL_VERSION "unknown"
#endif

#define MAX_ROUTES 192 /* above nroutes (a routes.c longer than this counts the rest as "other") */
#define NCLASSES 5     /* 1xx .. 5xx */
#define NPOOLS 2
#define MAX_SLOTS 4096
enum { CACHE_PAGE, CACHE_CONTEXT, CACHE_ETAG, NCACHES };
static const double buckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]) + 1) /* and +Inf */

/* One worker slot's counts: written by its worker only. Index MAX_ROUTES
 * is a request that matched no route (404, 405). */
struct block {
	uint64_t requests[MAX_ROUTES + 1][NCLASSES];
	uint64_t duration[MAX_ROUTES + 1][NBUCKETS]; /* per bucket, not cumulative */
	uint64_t duration_us[MAX_ROUTES + 1];
	uint64_t items[MAX_ROUTES + 1]; /* items an ingest request took */
	uint64_t cache[NCACHES][2];     /* [0] hits, [1] misses */
	uint64_t replica_reads;
};

/* What the master writes. */
struct master_block {
	uint64_t ended[NPOOLS][METRICS_NREASONS];
	int64_t running[NPOOLS];
	double started;                 /* the master's start (epoch seconds) */
	unsigned char used[MAX_SLOTS];  /* a slot that ever had a worker */
};

static const struct route *routes;  /* the route table (metrics_routes) */
static unsigned nroutes;
static struct master_block *master; /* shared; NULL: not mapped */
static struct block *blocks;        /* shared, nslots of them */
static int nslots, my_slot = -1;
static size_t mapped;

int metrics_share(int n)
{
	size_t size = sizeof(struct master_block) + (size_t)n * sizeof(struct block);
	void *m;

	if (n <= 0 || n > MAX_SLOTS) {
		errno = EINVAL;
		return -1;
	}
	/* untouched pages cost nothing: a slot's block is written by its
	 * worker, and read only for slots that ever had one */
	m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	master = m;
	blocks = (struct block *)((char *)m + sizeof(struct master_block));
	nslots = n;
	mapped = size;
	master->started = (double)time(NULL);
	return 0;
}

void metrics_routes(const struct route *table, unsigned n)
{
	routes = table;
	nroutes = n;
}

void metrics_unshare(void)
{
	if (master != NULL)
		munmap(master, mapped);
	master = NULL;
	blocks = NULL;
}

void metrics_slot(int slot)
{
	if (master == NULL || slot < 0 || slot >= nslots)
		return;
	my_slot = slot;
	__atomic_store_n(&master->used[slot], 1, __ATOMIC_RELAXED);
}

static void add(uint64_t *counter, uint64_t n) { __atomic_fetch_add(counter, n, __ATOMIC_RELAXED); }
static uint64_t get(const uint64_t *counter) { return __atomic_load_n(counter, __ATOMIC_RELAXED); }

static int route_index(const struct route *rt)
{
	size_t i;

	if (rt == NULL || routes == NULL)
		return MAX_ROUTES;
	i = (size_t)(rt - routes);
	return i < nroutes && i < MAX_ROUTES ? (int)i : MAX_ROUTES;
}

void metrics_request(const struct req *req, double seconds)
{
	struct block *b;
	int r, c;
	size_t k = 0;

	if (master == NULL || my_slot < 0)
		return;
	b = &blocks[my_slot];
	r = route_index(req->route);
	c = req->status / 100 - 1;
	c = c < 0 ? 0 : c >= NCLASSES ? NCLASSES - 1 : c;
	add(&b->requests[r][c], 1);
	while (k < NBUCKETS - 1 && seconds > buckets[k])
		k++;
	add(&b->duration[r][k], 1);
	add(&b->duration_us[r], seconds > 0 ? (uint64_t)(seconds * 1e6) : 0);
	if (req->ingested > 0 && req->status / 100 == 2) /* taken and committed */
		add(&b->items[r], (uint64_t)req->ingested);
	if (req->page_lookup)
		add(&b->cache[CACHE_PAGE][!req->page_cached], 1);
	if (req->ctx_lookup)
		add(&b->cache[CACHE_CONTEXT][!req->ctx_cached], 1);
	if (req->etag_lookup)
		add(&b->cache[CACHE_ETAG][!req->etag_cached], 1);
	if (req->replica_read)
		add(&b->replica_reads, 1);
}

void metrics_worker_ended(int pool, int why)
{
	if (master != NULL && pool >= 0 && pool < NPOOLS && why >= 0 && why < METRICS_NREASONS)
		add(&master->ended[pool][why], 1);
}

void metrics_workers(int pool, int running)
{
	if (master != NULL && pool >= 0 && pool < NPOOLS)
		__atomic_store_n(&master->running[pool], (int64_t)running, __ATOMIC_RELAXED);
}

/* addr (text) as 16 bytes, an IPv4 address as its IPv4-mapped IPv6 form
 * (::ffff:a.b.c.d), so that either spelling of one matches the other.
 * 1, or 0 when addr is not an address. */
static int addr_bytes(const char *addr, size_t n, unsigned char out[16])
{
	char text[INET6_ADDRSTRLEN + 1];

	if (n == 0 || n >= sizeof(text))
		return 0;
	memcpy(text, addr, n);
	text[n] = '\0';
	if (inet_pton(AF_INET6, text, out) == 1)
		return 1;
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	return inet_pton(AF_INET, text, out + 12) == 1;
}

/* One entry of the list: "ADDR" or "ADDR/BITS" (IPv4 bits 0-32, IPv6
 * 0-128). Its address and its prefix in IPv6 bits; -1 when it is not one. */
static int entry_parse(const char *p, size_t n, unsigned char net[16])
{
	const char *slash = memchr(p, '/', n);
	size_t an = slash ? (size_t)(slash - p) : n;
	int v4, bits = 0;

	if (!addr_bytes(p, an, net))
		return -1;
	v4 = memchr(p, ':', an) == NULL;
	if (slash == NULL)
		return 128;
	if (slash + 1 == p + n)
		return -1;
	for (const char *d = slash + 1; d < p + n; d++) {
		if (*d < '0' || *d > '9' || bits > 128)
			return -1;
		bits = bits * 10 + (*d - '0');
	}
	if (bits > (v4 ? 32 : 128))
		return -1;
	return v4 ? bits + 96 : bits;
}

int metrics_addr_in(const char *list, const char *addr)
{
	unsigned char a[16], net[16];
	const char *item;
	size_t n;
	int bits;

	if (addr == NULL || list == NULL || !addr_bytes(addr, strlen(addr), a))
		return 0;
	while (config_list_next(&list, &item, &n))
		if ((bits = entry_parse(item, n, net)) >= 0 && memcmp(a, net, (size_t)bits / 8) == 0 &&
		    (bits % 8 == 0 || ((a[bits / 8] ^ net[bits / 8]) & (0xff00 >> (bits % 8))) == 0))
			return 1;
	return 0;
}

const char *metrics_allow_check(const char *list)
{
	static char bad[64];
	unsigned char net[16];
	const char *item;
	size_t n;

	while (list != NULL && config_list_next(&list, &item, &n))
		if (entry_parse(item, n, net) < 0) {
			snprintf(bad, sizeof(bad), "%.*s", (int)(n < 60 ? n : 60), item);
			return bad;
		}
	return NULL;
}

int metrics_allowed(const char *addr) { return metrics_addr_in(config_get()->metrics_allow, addr); }

static void help(struct buf *b, const char *name, const char *type, const char *text)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

static const char *route_name(int r) { return r < (int)nroutes && r < MAX_ROUTES ? routes[r].name : "unmatched"; }

void metrics_text(struct buf *b, const void *queues)
{
	static const char *const pools[NPOOLS] = {"pages", "api"};
	static const char *const reasons[METRICS_NREASONS] = {"retired", "died", "stuck"};
	static const char *const caches[NCACHES] = {"page", "context", "etag"};
	const PGresult *q = queues;
	static struct block sum; /* one worker answers at a time */
	int s, r, c, p;
	size_t k;

	memset(&sum, 0, sizeof(sum));
	for (s = 0; master != NULL && s < nslots; s++) {
		const struct block *x = &blocks[s];
		if (!__atomic_load_n(&master->used[s], __ATOMIC_RELAXED))
			continue;
		for (r = 0; r <= MAX_ROUTES; r++) {
			for (c = 0; c < NCLASSES; c++)
				sum.requests[r][c] += get(&x->requests[r][c]);
			for (k = 0; k < NBUCKETS; k++)
				sum.duration[r][k] += get(&x->duration[r][k]);
			sum.duration_us[r] += get(&x->duration_us[r]);
			sum.items[r] += get(&x->items[r]);
		}
		for (c = 0; c < NCACHES; c++) {
			sum.cache[c][0] += get(&x->cache[c][0]);
			sum.cache[c][1] += get(&x->cache[c][1]);
		}
		sum.replica_reads += get(&x->replica_reads);
	}
	help(b, "portal_build_info", "gauge", "The portal's release (VERSION), always 1");
	buf_printf(b, "portal_build_info{version=\"%s\"} 1\n", PORTAL_VERSION);
	help(b, "portal_up", "gauge", "1 when the counters are shared by the workers (0: this worker's view only)");
	buf_printf(b, "portal_up %d\n", master != NULL);
	if (master != NULL) {
		help(b, "portal_start_time_seconds", "gauge", "When the portal master started (Unix time)");
		buf_printf(b, "portal_start_time_seconds %.0f\n", master->started);
	}
	help(b, "portal_http_requests_total", "counter", "Requests answered, by route and status class");
	for (r = 0; r <= MAX_ROUTES; r++)
		for (c = 0; c < NCLASSES; c++)
			if (sum.requests[r][c] > 0)
				buf_printf(b, "portal_http_requests_total{route=\"%s\",status=\"%dxx\"} %llu\n", route_name(r), c + 1,
				           (unsigned long long)sum.requests[r][c]);
	help(b, "portal_http_request_duration_seconds", "histogram",
	     "Time from the request's arrival at a worker to its answer sent, by route");
	for (r = 0; r <= MAX_ROUTES; r++) {
		uint64_t n = 0;
		for (k = 0; k < NBUCKETS; k++)
			n += sum.duration[r][k];
		if (n == 0)
			continue;
		n = 0;
		for (k = 0; k < NBUCKETS - 1; k++) {
			n += sum.duration[r][k];
			buf_printf(b, "portal_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n", route_name(r),
			           buckets[k], (unsigned long long)n);
		}
		n += sum.duration[r][NBUCKETS - 1];
		buf_printf(b, "portal_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n", route_name(r),
		           (unsigned long long)n);
		buf_printf(b, "portal_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", route_name(r),
		           (double)sum.duration_us[r] / 1e6);
		buf_printf(b, "portal_http_request_duration_seconds_count{route=\"%s\"} %llu\n", route_name(r),
		           (unsigned long long)n);
	}
	help(b, "portal_ingest_items_total", "counter", "Items the ingest API took (accepted), by route");
	for (r = 0; r < MAX_ROUTES && r < (int)nroutes; r++)
		if (routes[r].access == ACCESS_API && routes[r].method[0] == 'P')
			buf_printf(b, "portal_ingest_items_total{route=\"%s\"} %llu\n", route_name(r),
			           (unsigned long long)sum.items[r]);
	help(b, "portal_cache_requests_total", "counter", "Lookups in the workers' caches, by cache and result");
	for (c = 0; c < NCACHES; c++) {
		buf_printf(b, "portal_cache_requests_total{cache=\"%s\",result=\"hit\"} %llu\n", caches[c],
		           (unsigned long long)sum.cache[c][0]);
		buf_printf(b, "portal_cache_requests_total{cache=\"%s\",result=\"miss\"} %llu\n", caches[c],
		           (unsigned long long)sum.cache[c][1]);
	}
	help(b, "portal_replica_reads_total", "counter", "Requests read from the read replica (PORTAL_DB_READ)");
	buf_printf(b, "portal_replica_reads_total %llu\n", (unsigned long long)sum.replica_reads);
	if (master != NULL) {
		help(b, "portal_workers", "gauge", "Workers running, by pool");
		for (p = 0; p < NPOOLS; p++)
			buf_printf(b, "portal_workers{pool=\"%s\"} %lld\n", pools[p],
			           (long long)__atomic_load_n(&master->running[p], __ATOMIC_RELAXED));
		help(b, "portal_worker_exits_total", "counter",
		     "Workers that ended, by pool and why: retired (PORTAL_MAX_REQUESTS, a reload), died (a signal, an"
		     " error), stuck (killed past PORTAL_REQUEST_TIMEOUT)");
		for (p = 0; p < NPOOLS; p++)
			for (r = 0; r < METRICS_NREASONS; r++)
				buf_printf(b, "portal_worker_exits_total{pool=\"%s\",reason=\"%s\"} %llu\n", pools[p], reasons[r],
				           (unsigned long long)get(&master->ended[p][r]));
	}
	help(b, "portal_database_up", "gauge", "1 when this worker could read the queues from the database");
	buf_printf(b, "portal_database_up %d\n", q != NULL);
	if (q != NULL) { /* metrics_queues(): (name, help, type, labels, value) rows, grouped by name */
		const char *last = "";
		for (r = 0; r < PQntuples(q); r++) {
			const char *name = PQgetvalue(q, r, 0);
			if (strcmp(name, last) != 0)
				help(b, name, PQgetvalue(q, r, 2), PQgetvalue(q, r, 1));
			last = name;
			buf_printf(b, "%s%s %s\n", name, PQgetvalue(q, r, 3), PQgetvalue(q, r, 4));
		}
	}
}
