/* test_charts.c - the trend chart's days (cgi/pages/dashboard_charts.c,
 * trend_model()): each of the 30 days ending "today" is labelled as the C
 * library's gmtime() and strftime() label it ("03-05", "5 Mar"), across
 * month and year ends, leap days and centuries; the open counts walk back
 * from today's by the net of the days after. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pages/pages.h"
#include "tap.h"

/* The model of the trend ending on day t (seconds, UTC midnight), with
 * 100 open now and one found on each of the last three days. */
static json_t *model(time_t t)
{
	struct tm tm;
	char today[16];
	json_t *in, *out;

	gmtime_r(&t, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	in = json_pack("{s:s, s:i, s:i, s:[i,i,i], s:[i,i,i], s:[i,i,i]}", "today", today, "open", 100, "open_critical",
	               10, "day", -2, -1, 0, "net", 1, 1, 1, "net_critical", 0, 0, 1);
	out = trend_model(in); /* borrows in */
	json_decref(in);
	return out;
}

int main(void)
{
	/* Days whose 30 days cross a month end, a year end, 29 February (2024,
	 * 2000) and its absence (2100, 2023), and the first day of the epoch. */
	static const char *const ends[] = {"1970-01-30", "2000-03-15", "2023-03-10", "2024-03-10", "2024-12-31",
	                                   "2025-01-20", "2026-12-06", "2100-03-05", "2400-03-01"};
	size_t e;
	int bad = 0, checked = 0;

	for (e = 0; e < sizeof(ends) / sizeof(ends[0]); e++) {
		struct tm tm = {0};
		time_t t;
		json_t *m, *days;
		int i;

		strptime(ends[e], "%Y-%m-%d", &tm);
		t = timegm(&tm);
		m = model(t);
		days = json_object_get(m, "days");
		TAP_OK(json_array_size(days) == 30, "%s: 30 days", ends[e]);
		for (i = 0; i < 30; i++) {
			time_t day = t - (time_t)(29 - i) * 86400;
			struct tm dt;
			char want_day[8], mon[4], want_date[16];
			const json_t *d = json_array_get(days, (size_t)i);
			gmtime_r(&day, &dt);
			strftime(want_day, sizeof(want_day), "%m-%d", &dt);
			strftime(mon, sizeof(mon), "%b", &dt);
			snprintf(want_date, sizeof(want_date), "%d %s", dt.tm_mday, mon);
			checked++;
			if (strcmp(json_string_value(json_object_get(d, "day")), want_day) != 0 ||
			    strcmp(json_string_value(json_object_get(d, "date")), want_date) != 0) {
				printf("#   %s day %d: got %s / %s, want %s / %s\n", ends[e], i,
				       json_string_value(json_object_get(d, "day")), json_string_value(json_object_get(d, "date")),
				       want_day, want_date);
				bad++;
			}
		}
		/* 100 open now, one found on each of the last three days: 97 at
		 * the end of the day before them; critical 10, 9 before today. */
		TAP_OK(json_integer_value(json_object_get(json_array_get(days, 29), "open")) == 100 &&
		           json_integer_value(json_object_get(json_array_get(days, 26), "open")) == 97 &&
		           json_integer_value(json_object_get(json_array_get(days, 0), "open")) == 97 &&
		           json_integer_value(json_object_get(json_array_get(days, 28), "critical")) == 9,
		       "%s: the open counts walk back by the net of the days after", ends[e]);
		TAP_STR(json_string_value(json_object_get(m, "last")),
		        json_string_value(json_object_get(json_array_get(days, 29), "day")), "%s: last is today's key", ends[e]);
		json_decref(m);
	}
	TAP_OK(bad == 0 && checked == 270, "every day labelled as gmtime() and strftime() label it (%d of %d wrong)", bad,
	       checked);
	return tap_done();
}
