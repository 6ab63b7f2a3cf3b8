/* test_feed.c - the demo feeder's script (cgi/feed.c): the same seed tells
 * the same story, everything opened is resolved, and the bounds hold. */
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "tap.h"

static const long long tenants[] = {11, 12, 13, 14};
#define T0 1764662400 /* 2025-12-02T08:00:00Z */

/* The JSON of `ticks` ticks of a script, one batch a line. */
static char *story(uint64_t seed, int ticks)
{
	struct feed f;
	size_t len = 0, cap = 0;
	char *out = NULL;

	feed_init(&f, seed, tenants, 4, 2880, 60, "t");
	for (int i = 0; i < ticks; i++) {
		struct feed_batch b;
		json_t *all;
		char *s;
		feed_tick(&f, T0 + i * 5, &b);
		all = json_pack("[OOO]", b.assets ? b.assets : json_null(), b.vulns ? b.vulns : json_null(),
		                b.incidents ? b.incidents : json_null());
		s = json_dumps(all, JSON_COMPACT | JSON_SORT_KEYS);
		if (len + strlen(s) + 2 > cap) {
			cap = (len + strlen(s) + 2) * 2;
			out = realloc(out, cap);
		}
		memcpy(out + len, s, strlen(s));
		len += strlen(s);
		out[len++] = '\n';
		out[len] = '\0';
		free(s);
		json_decref(all);
		feed_batch_free(&b);
	}
	return out;
}

static void test_same_seed_same_story(void)
{
	char *a = story(7, 300), *b = story(7, 300), *c = story(8, 300);

	TAP_OK(a && b && strcmp(a, b) == 0, "the same seed gives the same 300 ticks");
	TAP_OK(a && c && strcmp(a, c) != 0, "another seed another story");
	TAP_OK(a && strstr(a, "\"closed_at\"") && strstr(a, "\"fixed_at\"") && strstr(a, "\"acknowledged_at\""),
	       "incidents are acknowledged and resolved, findings fixed");
	TAP_OK(a && strstr(a, "\"kind\":\"probe\"") && strstr(a, "\"kind\":\"lightweight_agent\""),
	       "probes and agents appear");
	free(a);
	free(b);
	free(c);
}

/* Every incident and finding opened is closed by the end, each once, with
 * its dates in order; never more open than FEED_MAX_OPEN; a day's new
 * items stay under the cap; assets stay within their slots. */
static void test_bounded_and_everything_closes(void)
{
	enum { TICKS = 3 * 17280 };          /* three days at 5 s */
	static unsigned char state[2][4096]; /* seq -> 1 open, 2 closed */
	struct feed f;
	struct feed_batch b;
	int max_open = 0, bad_order = 0, twice = 0, unknown = 0, assets = 0, day_new = 0, max_day = 0, seqs = 0;
	long day = -1;

	feed_init(&f, 3, tenants, 4, 500, 40, "t");
	for (int i = 0; i <= TICKS; i++) {
		time_t now = T0 + (time_t)i * 5;
		json_t *arr[2];
		if (i < TICKS)
			feed_tick(&f, now, &b);
		else
			feed_close_all(&f, now, &b);
		if (now / 86400 != day) {
			day = now / 86400;
			day_new = 0;
		}
		assets += b.assets ? (int)json_array_size(b.assets) : 0;
		day_new += b.assets ? (int)json_array_size(b.assets) : 0;
		arr[0] = b.vulns;
		arr[1] = b.incidents;
		for (int k = 0; k < 2; k++) {
			size_t j;
			json_t *it;
			json_array_foreach(arr[k], j, it)
			{
				const char *id = json_string_value(json_object_get(it, "external_id"));
				const char *o = json_string_value(json_object_get(it, k ? "opened_at" : "first_seen"));
				const char *a = json_string_value(json_object_get(it, "acknowledged_at"));
				const char *c = json_string_value(json_object_get(it, k ? "closed_at" : "fixed_at"));
				unsigned seq = (unsigned)atoi(strrchr(id, '-') + 1);
				if (seq >= sizeof(state[0])) {
					unknown++;
					continue;
				}
				if ((a && strcmp(o, a) > 0) || (a && c && strcmp(a, c) > 0) || (c && strcmp(o, c) > 0))
					bad_order++;
				if (state[k][seq] == 0) {
					day_new++;
					seqs++;
					state[k][seq] = 1;
				}
				if (c) {
					twice += state[k][seq] == 2;
					state[k][seq] = 2;
				}
			}
		}
		if (day_new > max_day)
			max_day = day_new;
		if (f.n_open > max_open)
			max_open = f.n_open;
		feed_batch_free(&b);
	}
	{
		int still_open = 0;
		for (size_t k = 0; k < 2; k++)
			for (size_t s = 0; s < sizeof(state[0]); s++)
				still_open += state[k][s] == 1;
		TAP_OK(still_open == 0 && seqs > 100, "all %d incidents and findings opened are closed (%d open)", seqs,
		       still_open);
	}
	TAP_OK(twice == 0 && unknown == 0, "none is closed twice (%d), all ids known (%d)", twice, unknown);
	TAP_OK(bad_order == 0, "opened <= acknowledged <= closed in every item (%d out of order)", bad_order);
	TAP_OK(max_open <= FEED_MAX_OPEN, "at most %d open at once (saw %d)", FEED_MAX_OPEN, max_open);
	TAP_OK(max_day <= 500, "at most the daily cap of new items a day (saw %d)", max_day);
	TAP_OK(assets <= 4 * FEED_ASSET_SLOTS, "at most %d assets per tenant (sent %d in all)", FEED_ASSET_SLOTS,
	       assets);
}

static void test_no_tenants_no_items(void)
{
	struct feed f;
	struct feed_batch b;

	feed_init(&f, 1, tenants, 0, 100, 10, "t");
	feed_tick(&f, T0, &b);
	TAP_OK(!b.assets && !b.vulns && !b.incidents, "no tenants: nothing to send");
	feed_batch_free(&b);
}

int main(void)
{
	test_same_seed_same_story();
	test_bounded_and_everything_closes();
	test_no_tenants_no_items();
	return tap_done();
}
