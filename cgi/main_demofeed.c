/* main_demofeed.c - the live demo: probes and agents of a few demo
 * companies reporting through the real ingest API v2, through nginx, with
 * an API key, every DEMO_FEED_INTERVAL_MS. What they report is feed.c's
 * script (deterministic given DEMO_FEED_SEED, bounded in rate and volume);
 * this file only posts it.
 *
 * Only scripts/stack starts it, for `make run` with demo data (SEED=1 and
 * DEMO_FEED not 0), with a key it had `ctl api-key` make for the demo MSSP.
 *
 * The portal away (no answer, 5xx, 401 while it is being set up again): the
 * same batch is posted again after 1 s, 2 s, 4 s ... at most 60 s; nothing
 * new is made meanwhile. SIGTERM: the post in progress ends (or is aborted
 * DEMO_FEED_STOP_GRACE seconds after the signal, default 3), what is still
 * open is resolved and fixed in one last try, and the feeder exits 0. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>

#include "api.h"
#include "buf.h"
#include "config.h"
#include "feed.h"
#include "jalloc.h"
#include "log.h"
#include "result.h"
#include "token.h"

#define BODY_MAX 65536

static volatile sig_atomic_t stop;
static double stop_seen;
static int stop_grace = 3;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

struct poster {
	CURL *curl;
	struct curl_slist *headers;
	const char *base;
	struct buf body;
	long sent[3]; /* items taken since the last summary: assets, findings, incidents */
};

static int env_int(const char *name, int def, int min, int max)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max) {
		log_warn("%s=%s is not a number from %d to %d: using %d", name, v, min, max, def);
		return def;
	}
	return (int)n;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (!stop && nanosleep(&ts, &ts) != 0)
		;
}

/* libcurl's progress callback: abort a post stop_grace seconds after SIGTERM. */
static int cancel_post(void *p, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	(void)p, (void)dt, (void)dn, (void)ut, (void)un;
	if (!stop)
		return 0;
	if (stop_seen == 0)
		stop_seen = log_now();
	return log_now() - stop_seen >= stop_grace;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct buf *b = ud;

	if (b->len < BODY_MAX)
		buf_append(b, p, size * n);
	return size * n;
}

/* Post items to /api/v2/{what}. R_SUCCESS: the portal took the batch (its
 * per-item errors are logged); R_BAD_INPUT: refused as a whole (400, 413),
 * posting it again would not help; R_UNAVAILABLE: no answer or not now. */
static enum res post(struct poster *p, const char *what, int slot, json_t *items)
{
	char url[512], *json = NULL;
	long status = 0;
	CURLcode cc;
	json_t *answer = NULL;
	enum res r = R_UNAVAILABLE;

	snprintf(url, sizeof(url), "%s/api/v2/%s", p->base, what);
	json = json_text(items, JSON_COMPACT);
	if (json == NULL)
		return R_INTERNAL;
	buf_reset(&p->body);
	curl_easy_setopt(p->curl, CURLOPT_URL, url);
	curl_easy_setopt(p->curl, CURLOPT_POSTFIELDS, json);
	cc = curl_easy_perform(p->curl);
	if (cc != CURLE_OK) {
		log_warn("POST /api/v2/%s: %s", what, curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(p->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status == 200) {
		json_int_t rejected;
		answer = json_loadb(p->body.data ? p->body.data : "", p->body.len, 0, NULL);
		rejected = json_integer_value(json_object_get(answer, "rejected"));
		p->sent[slot] += json_integer_value(json_object_get(answer, "accepted"));
		if (rejected > 0) {
			const char *why = json_string_value(
			    json_object_get(json_array_get(json_object_get(answer, "errors"), 0), "error"));
			log_warn("POST /api/v2/%s: %lld item(s) rejected, the first: %s", what, (long long)rejected,
			         why ? why : "?");
		}
		r = R_SUCCESS;
	} else if (status == 400 || status == 413) {
		log_err("POST /api/v2/%s: %ld %.200s (batch dropped)", what, status, p->body.data ? p->body.data : "");
		r = R_BAD_INPUT;
	} else {
		log_warn("POST /api/v2/%s: %ld %.200s", what, status, p->body.data ? p->body.data : "");
	}
out:
	json_decref(answer);
	free(json);
	return r;
}

/* Post what is left of a batch, in order (an asset before the findings on
 * it); each array posted is released, so a retry posts only the rest. */
static enum res post_batch(struct poster *p, struct feed_batch *b)
{
	json_t **arrays[3] = {&b->assets, &b->vulns, &b->incidents};
	static const char *const paths[3] = {"assets", "vulnerabilities", "incidents"};

	for (int i = 0; i < 3; i++) {
		enum res r;
		if (*arrays[i] == NULL)
			continue;
		r = post(p, paths[i], i, *arrays[i]);
		if (r == R_UNAVAILABLE || r == R_INTERNAL)
			return r;
		json_decref(*arrays[i]);
		*arrays[i] = NULL;
	}
	return R_SUCCESS;
}

/* DEMO_FEED_TENANTS: comma-separated tenant ids; how many were read. */
static int parse_tenants(const char *s, long long *out, int max)
{
	int n = 0;

	while (s != NULL && *s != '\0' && n < max) {
		char *end;
		long long id;
		errno = 0;
		id = strtoll(s, &end, 10);
		if (errno != 0 || end == s || id <= 0 || (*end != ',' && *end != '\0'))
			return -1;
		out[n++] = id;
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

static int key_ok(const char *k)
{
	if (k == NULL || strlen(k) != API_KEY_LEN || strncmp(k, API_KEY_PREFIX, API_KEY_PREFIX_LEN) != 0)
		return 0;
	return strspn(k + API_KEY_PREFIX_LEN, "0123456789abcdef") == API_KEY_LEN - API_KEY_PREFIX_LEN;
}

int main(void)
{
	const struct config *cfg;
	const char *key = getenv("DEMO_FEED_KEY");
	long long tenants[FEED_MAX_TENANTS];
	struct poster p;
	struct feed f;
	struct feed_batch b = {NULL, NULL, NULL};
	struct sigaction sa;
	char auth[API_KEY_LEN + 32], run[24];
	int n, interval, backoff = 0, pending = 0, ret = 1;
	double summary_at;

	memset(&p, 0, sizeof(p));
	log_set_name("demofeed");
	cfg = config_load();
	if (!key_ok(key)) {
		log_err("DEMO_FEED_KEY must be an API key (mssp_ and 64 hex digits): ctl api-key makes one");
		return 2;
	}
	n = parse_tenants(getenv("DEMO_FEED_TENANTS"), tenants, FEED_MAX_TENANTS);
	if (n <= 0) {
		log_err("DEMO_FEED_TENANTS must list the tenant ids to report for, comma-separated");
		return 2;
	}
	interval = env_int("DEMO_FEED_INTERVAL_MS", 5000, 50, 3600000);
	stop_grace = env_int("DEMO_FEED_STOP_GRACE", 3, 0, 60);
	snprintf(run, sizeof(run), "%lx", (unsigned long)time(NULL));
	feed_init(&f, (uint64_t)env_int("DEMO_FEED_SEED", 1, 0, 2147483647), tenants, n,
	          env_int("DEMO_FEED_DAILY_MAX", 5760, 1, 100000), env_int("DEMO_FEED_BURST", 60, 1, 10000), run);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	p.curl = curl_easy_init();
	if (p.curl == NULL)
		goto out;
	p.base = cfg->base_url;
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	p.headers = curl_slist_append(NULL, auth);
	tok_wipe(auth, sizeof(auth));
	p.headers = curl_slist_append(p.headers, "Content-Type: application/json");
	p.headers = curl_slist_append(p.headers, "Accept: application/json");
	if (p.headers == NULL)
		goto out;
	curl_easy_setopt(p.curl, CURLOPT_HTTPHEADER, p.headers);
	curl_easy_setopt(p.curl, CURLOPT_USERAGENT, "mssp-portal-demofeed");
	curl_easy_setopt(p.curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(p.curl, CURLOPT_WRITEDATA, &p.body);
	curl_easy_setopt(p.curl, CURLOPT_CONNECTTIMEOUT, 3L);
	curl_easy_setopt(p.curl, CURLOPT_TIMEOUT, 15L);
	curl_easy_setopt(p.curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p.curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(p.curl, CURLOPT_XFERINFOFUNCTION, cancel_post);

	log_info("demo feed started: %s, %d tenant(s), every %d ms, run %s", p.base, f.n_tenants, interval, run);
	summary_at = log_now() + 60;
	while (!stop) {
		enum res r;
		if (!pending) {
			feed_tick(&f, time(NULL), &b);
			pending = 1;
		}
		r = post_batch(&p, &b);
		if (r == R_UNAVAILABLE || r == R_INTERNAL) {
			backoff = backoff ? (backoff * 2 > 60000 ? 60000 : backoff * 2) : 1000;
			log_warn("the portal did not take the batch: next try in %d ms", backoff);
			sleep_ms(backoff);
			continue;
		}
		if (backoff)
			log_info("the portal takes batches again");
		backoff = 0;
		feed_batch_free(&b);
		pending = 0;
		if (log_now() >= summary_at) {
			log_info("taken in the last minute: %ld assets, %ld findings, %ld incidents; %d open",
			         p.sent[0], p.sent[1], p.sent[2], f.n_open);
			memset(p.sent, 0, sizeof(p.sent));
			summary_at = log_now() + 60;
		}
		sleep_ms(interval);
	}
	/* Stopping: one last try at what is pending, then close what is open. */
	if (stop_seen == 0)
		stop_seen = log_now();
	if (pending && post_batch(&p, &b) != R_SUCCESS)
		log_warn("stopping: the last batch was not taken");
	feed_batch_free(&b);
	{
		int open = f.n_open;
		feed_close_all(&f, time(NULL), &b);
		if (post_batch(&p, &b) == R_SUCCESS)
			log_info("stopping: %d open item(s) resolved", open);
		else
			log_warn("stopping: %d open item(s) left open", open);
		feed_batch_free(&b);
	}
	ret = 0;
out:
	feed_batch_free(&b);
	curl_slist_free_all(p.headers);
	if (p.curl)
		curl_easy_cleanup(p.curl);
	buf_free(&p.body);
	curl_global_cleanup();
	log_info("demo feed stopped");
	return ret;
}
