/* feed.c - the demo feeder's script (feed.h). */
#include <stdio.h>
#include <string.h>

#include "feed.h"

static const char *const sevs[] = {"critical", "high", "medium", "low"};
/* Weights of sevs for incidents and findings (out of 10). */
static const int inc_weight[] = {2, 3, 3, 2};
static const int vuln_weight[] = {1, 3, 3, 3};

static const struct {
	const char *title, *indicator, *kind;
} incidents[] = {
    {"Beacon to known C2 address", "185.220.101.4", "ip"},
    {"Suspicious PowerShell download", "update-check.example-cdn.net", "domain"},
    {"Credential phishing link clicked", "login-microsoft.example.org", "domain"},
    {"Exploit attempt on edge device", "CVE-2024-3400", "cve"},
    {"Ransomware precursor behaviour", "e3b0c44298fc1c149afbf4c8996fb924", "hash"},
    {"Impossible travel sign-in", "91.92.250.11", "ip"},
    {"Brute force against VPN portal", "45.9.148.108", "ip"},
    {"Malicious macro opened", "5d41402abc4b2a76b9719d911017c592", "hash"},
};
#define N_INCIDENTS (int)(sizeof(incidents) / sizeof(incidents[0]))

static const char *const cves[] = {
    "CVE-2024-3400",  "CVE-2023-4966",  "CVE-2024-21887", "CVE-2023-34362", "CVE-2024-1709", "CVE-2023-20198",
    "CVE-2024-23897", "CVE-2023-46805", "CVE-2021-44228", "CVE-2024-6387",  "CVE-2024-4577", "CVE-2023-44487",
};
#define N_CVES (int)(sizeof(cves) / sizeof(cves[0]))

/* splitmix64: small, seedable, the same on every platform. */
static uint64_t next(struct feed *f)
{
	uint64_t z = (f->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0 <= r < n */
static int below(struct feed *f, int n)
{
	return (int)(next(f) % (uint64_t)n);
}

static int weighted(struct feed *f, const int *w)
{
	int r = below(f, 10), i = 0;

	while (i < 3 && r >= w[i])
		r -= w[i++];
	return i;
}

void feed_time(time_t t, char *out, size_t n)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *add(json_t **arr, json_t *item)
{
	if (*arr == NULL)
		*arr = json_array();
	json_array_append_new(*arr, item);
	return item;
}

static void set_time(json_t *o, const char *key, time_t t)
{
	char s[32];

	feed_time(t, s, sizeof(s));
	json_object_set_new(o, key, json_string(s));
}

static void asset_id(char *out, size_t n, int slot)
{
	snprintf(out, n, "demo-feed/asset-%02d", slot + 1);
}

/* The whole current state of an item (the API stores what it is sent). */
static void send_item(struct feed *f, const struct feed_item *it, time_t closed, struct feed_batch *b)
{
	char id[96];
	json_t *o;

	snprintf(id, sizeof(id), "demo-feed/%s/%s-%u", f->run, it->incident ? "inc" : "vuln", it->seq);
	o = json_pack("{s:s, s:I, s:s}", "external_id", id, "tenant_id", (json_int_t)f->tenants[it->tenant], "severity",
	              sevs[it->sev]);
	if (it->incident) {
		json_object_set_new(o, "title", json_string(incidents[it->what].title));
		json_object_set_new(o, "indicator", json_string(incidents[it->what].indicator));
		json_object_set_new(o, "indicator_kind", json_string(incidents[it->what].kind));
		set_time(o, "opened_at", it->opened);
		if (it->acked)
			set_time(o, "acknowledged_at", it->acked);
		if (closed)
			set_time(o, "closed_at", closed);
		add(&b->incidents, o);
	} else {
		json_object_set_new(o, "cve", json_string(cves[it->what]));
		if (it->asset >= 0) {
			char aid[48];
			asset_id(aid, sizeof(aid), it->asset);
			json_object_set_new(o, "asset_external_id", json_string(aid));
		}
		set_time(o, "first_seen", it->opened);
		if (closed)
			set_time(o, "fixed_at", closed);
		add(&b->vulns, o);
	}
}

void feed_init(struct feed *f, uint64_t seed, const long long *tenants, int n, int daily_max, int burst,
               const char *run)
{
	memset(f, 0, sizeof(*f));
	f->rng = seed;
	f->n_tenants = n < FEED_MAX_TENANTS ? n : FEED_MAX_TENANTS;
	memcpy(f->tenants, tenants, sizeof(f->tenants[0]) * (size_t)f->n_tenants);
	f->daily_max = daily_max > 0 ? daily_max : 1;
	f->burst = burst > 0 ? burst : 1;
	f->bucket = f->burst;
	f->day = -1;
	snprintf(f->run, sizeof(f->run), "%s", run);
}

/* May one more new item be made now? Takes it from the bucket. */
static int allowance(struct feed *f)
{
	if (f->made_today >= f->daily_max || f->bucket < 1.0)
		return 0;
	f->bucket -= 1.0;
	f->made_today++;
	return 1;
}

static void open_item(struct feed *f, int incident, time_t now, struct feed_batch *b)
{
	struct feed_item *it = &f->open[f->n_open++];

	memset(it, 0, sizeof(*it));
	it->incident = incident;
	it->tenant = below(f, f->n_tenants);
	it->seq = ++f->seq;
	it->opened = now;
	it->asset = -1;
	if (incident) {
		it->sev = weighted(f, inc_weight);
		it->what = below(f, N_INCIDENTS);
		it->ack_due = f->tick + 1 + below(f, 4);
		it->close_due = it->ack_due + 2 + below(f, 10);
	} else {
		it->sev = weighted(f, vuln_weight);
		it->what = below(f, N_CVES);
		if (f->assets[it->tenant] > 0)
			it->asset = below(f, f->assets[it->tenant]);
		it->close_due = f->tick + 4 + below(f, 40);
	}
	send_item(f, it, 0, b);
}

static void new_asset(struct feed *f, struct feed_batch *b)
{
	int t = below(f, f->n_tenants), slot;
	char id[48], name[64], addr[32];

	for (int i = 0; i < f->n_tenants && f->assets[t] >= FEED_ASSET_SLOTS; i++)
		t = (t + 1) % f->n_tenants;
	slot = f->assets[t]++;
	asset_id(id, sizeof(id), slot);
	if (slot == 0)
		snprintf(name, sizeof(name), "Demo probe %lld", f->tenants[t]);
	else
		snprintf(name, sizeof(name), "%s %02d", slot % 4 == 3 ? "Discovered host" : "Laptop", slot);
	snprintf(addr, sizeof(addr), "10.%lld.200.%d", f->tenants[t] % 250, slot + 10);
	add(&b->assets,
	    json_pack("{s:s, s:I, s:s, s:s, s:s}", "external_id", id, "tenant_id", (json_int_t)f->tenants[t], "kind",
	              slot == 0       ? "probe"
	              : slot % 4 == 3 ? "discovered"
	                              : "lightweight_agent",
	              "name", name, "address", addr));
}

void feed_tick(struct feed *f, time_t now, struct feed_batch *b)
{
	int r, room = 0;

	memset(b, 0, sizeof(*b));
	f->tick++;
	if (f->n_tenants == 0)
		return;
	if (f->last != 0 && now > f->last) {
		f->bucket += (double)(now - f->last) * f->daily_max / 86400.0;
		if (f->bucket > f->burst)
			f->bucket = f->burst;
	}
	f->last = now;
	if (now / 86400 != f->day) {
		f->day = now / 86400;
		f->made_today = 0;
	}
	/* What is due: acknowledged, then resolved or fixed (and forgotten). */
	for (int i = 0; i < f->n_open;) {
		struct feed_item *it = &f->open[i];
		int ack = it->incident && !it->acked && f->tick >= it->ack_due;
		if (ack)
			it->acked = now;
		if (f->tick >= it->close_due) {
			send_item(f, it, now, b);
			f->open[i] = f->open[--f->n_open];
			continue;
		}
		if (ack)
			send_item(f, it, 0, b);
		i++;
	}
	for (int t = 0; t < f->n_tenants; t++)
		room |= f->assets[t] < FEED_ASSET_SLOTS;
	/* Something new, most ticks. */
	r = below(f, 100);
	if (r < 35) {
		if (f->n_open < FEED_MAX_OPEN && allowance(f))
			open_item(f, 1, now, b);
	} else if (r < 80) {
		if (f->n_open < FEED_MAX_OPEN && allowance(f))
			open_item(f, 0, now, b);
	} else if (r < 95 && room && allowance(f)) {
		new_asset(f, b);
	}
}

void feed_close_all(struct feed *f, time_t now, struct feed_batch *b)
{
	memset(b, 0, sizeof(*b));
	for (int i = 0; i < f->n_open; i++) {
		struct feed_item *it = &f->open[i];
		if (it->incident && !it->acked)
			it->acked = now;
		send_item(f, it, now, b);
	}
	f->n_open = 0;
}

void feed_batch_free(struct feed_batch *b)
{
	json_decref(b->assets);
	json_decref(b->vulns);
	json_decref(b->incidents);
	memset(b, 0, sizeof(*b));
}
