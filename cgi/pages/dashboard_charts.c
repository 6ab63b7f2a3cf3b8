/* dashboard_charts.c - the dashboards' server-drawn charts as SVG
 * geometry for the templates: the 30-day trend with its axes, the
 * inventory donut and the severity bars (docs/dashboards.md, "The
 * charts"). Pure functions of the numbers they are given. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "pages.h"
#include "view.h"

/* The trend chart's geometry (SVG user units; docs/dashboards.md, "The
 * charts"): a box of CHART_W x CHART_H, the plot between X0..X1 and
 * Y0..Y1 (y grows down), the y-axis labels left of X0, the dates below Y1.
 * The box is drawn about as wide as it is on screen (a third of the page,
 * or a phone), so 14-unit labels render at 12 px or more. */
#define CHART_W 340
#define CHART_H 200
#define X0 46
#define X1 316
#define Y0 12
#define Y1 168

/* A round step for about four intervals up to max (1, 2 or 5 times a
 * power of ten, at least 1), and the top of the axis, a multiple of it. */
static long long nice_step(long long max, long long *top)
{
	static const int mult[3] = {1, 2, 5};
	long long pow10 = 1, step = 1;
	int m = 0;

	/* The least of 1, 2, 5, 10, 20, 50... with four steps reaching max. */
	while (step < max / 4 + (max % 4 != 0) && pow10 <= LLONG_MAX / 100) {
		if (++m == 3) {
			m = 0;
			pow10 *= 10;
		}
		step = mult[m] * pow10;
	}
	*top = max <= 0 ? step : (max + step - 1) / step * step;
	return step;
}

/* A tick's label: grouped, or in thousands / millions when the axis goes
 * that high ("20k", "1.5M"), so it fits left of the plot. */
static void tick_label(long long v, long long top, char *out, size_t n)
{
	char g[32];

	if (top >= 10000000)
		snprintf(out, n, v % 1000000 ? "%.1fM" : "%.0fM", (double)v / 1e6);
	else if (top >= 10000)
		snprintf(out, n, v % 1000 ? "%.1fk" : "%.0fk", (double)v / 1e3);
	else
		snprintf(out, n, "%s", view_grouped(v, g));
}

/* y of value v on an axis from 0 to top. */
static int chart_y(long long v, long long top)
{
	if (v < 0)
		v = 0;
	return Y1 - (int)((double)v * (Y1 - Y0) / (double)top + 0.5);
}

/* x of day i of n. */
static int chart_x(int i, int n) { return n > 1 ? X0 + (int)((double)i * (X1 - X0) / (n - 1) + 0.5) : X0; }

/* The decimal digits of v (0 .. 99999, a coordinate or a day) at p;
 * returns their count. The chart's 60 points and 30 days are written
 * with it: printf's formatting was about a quarter of the chart's time. */
static int digits(char *p, int v)
{
	char t[8];
	int n = 0, k = 0;

	if (v < 0 || v > 99999)
		v = 0; /* chart_x() and chart_y() stay in the box, days in 1 .. 31 */
	do
		t[n++] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	while (n > 0)
		p[k++] = t[--n];
	return k;
}

/* An SVG polyline's points for the values over the plot. */
static void polyline(struct buf *b, const long long *v, int n, long long top)
{
	char pt[16];
	int i, k;

	for (i = 0; i < n; i++) {
		k = 0;
		if (i)
			pt[k++] = ' ';
		k += digits(pt + k, chart_x(i, n));
		pt[k++] = ',';
		k += digits(pt + k, chart_y(v[i], top));
		buf_append(b, pt, (size_t)k);
	}
}

/* The civil date (proleptic Gregorian) of day z since 1970-01-01: a
 * chart's 30 days without a gmtime() and two strftime() each (H. Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms", civil_from_days). */
static void civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long era, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	z -= era * 146097;                                      /* day of the era, 0 .. 146096 */
	yoe = (z - z / 1460 + z / 36524 - z / 146096) / 365;    /* year of the era, 0 .. 399 */
	doy = z - (365 * yoe + yoe / 4 - yoe / 100);            /* day of the year from 1 March */
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Day z since 1970-01-01 as "03-05" (label, the series' key) and as
 * people read it, "5 Mar" (date: English month, no leading zero). */
static void day_labels(long long z, char label[8], char date[16])
{
	static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	long long y;
	int m, d, k;

	civil_from_days(z, &y, &m, &d);
	label[0] = (char)('0' + m / 10);
	label[1] = (char)('0' + m % 10);
	label[2] = '-';
	label[3] = (char)('0' + d / 10);
	label[4] = (char)('0' + d % 10);
	label[5] = '\0';
	k = digits(date, d);
	date[k++] = ' ';
	memcpy(date + k, months[m - 1], 4); /* with its NUL */
}

/* The 30-day trend from dashboard_overview's "trend": the open counts now
 * ("open", "open_critical"), and per day with findings (days from "today":
 * 0 today, negative before, positive for future-dated ones) the net found
 * minus fixed. Open at the end of day d = open now - net of the days after
 * d. Returns the model's "trend": the days {day, date, open, critical},
 * the SVG polylines, the y-axis ticks {y, label} with gridlines, the date
 * ticks {x, label} (a week apart, ending today) and a summary for the
 * chart's accessible name, and the change of the open counts over the
 * last 7 days (delta_open, delta_critical: tile_delta). */
json_t *trend_model(const json_t *in)
{
	long long all[30], crit[30], after = 0, after_c = 0, max = 0, top, step, v;
	long long net[31] = {0}, net_c[31] = {0}; /* index 30: future-dated */
	const json_t *days = json_object_get(in, "day");
	struct buf pa = BUF_INIT, pc = BUF_INIT, sum = BUF_INIT;
	const char *today = json_string_value(json_object_get(in, "today"));
	struct tm tm = {0};
	json_t *t, *list = json_array(), *yt = json_array(), *xt = json_array();
	time_t base = 0;
	size_t k;
	int i;

	for (k = 0; k < json_array_size(days); k++) {
		json_int_t d = json_integer_value(json_array_get(days, k));
		int slot = d > 0 ? 30 : d < -29 ? -1 : (int)(d + 29);
		if (slot < 0)
			continue;
		net[slot] += json_integer_value(json_array_get(json_object_get(in, "net"), k));
		net_c[slot] += json_integer_value(json_array_get(json_object_get(in, "net_critical"), k));
	}
	if (today != NULL && strptime(today, "%Y-%m-%d", &tm) != NULL)
		base = timegm(&tm);
	after = net[30];
	after_c = net_c[30];
	for (i = 29; i >= 0; i--) {
		all[i] = json_integer_value(json_object_get(in, "open")) - after;
		crit[i] = json_integer_value(json_object_get(in, "open_critical")) - after_c;
		after += net[i];
		after_c += net_c[i];
		if (all[i] > max)
			max = all[i];
		if (crit[i] > max)
			max = crit[i];
	}
	for (i = 0; i < 30; i++) {
		char label[8] = "", date[16] = "";
		json_t *o = json_object();
		if (base)
			day_labels(base / 86400 - (29 - i), label, date);
		/* Set one by one: json_pack() reads its format again for each
		 * of the 30 days (the keys are ASCII, the labels too). */
		json_object_set_new_nocheck(o, "day", json_string_nocheck(label));
		json_object_set_new_nocheck(o, "date", json_string_nocheck(date));
		json_object_set_new_nocheck(o, "open", json_integer(all[i]));
		json_object_set_new_nocheck(o, "critical", json_integer(crit[i]));
		json_array_append_new(list, o);
		/* A date a week apart, ending today: five labels that never meet. */
		if ((29 - i) % 7 == 0)
			json_array_append_new(xt, json_pack("{s:i, s:s}", "x", chart_x(i, 30), "label", date));
	}
	step = nice_step(max, &top);
	for (v = 0; v <= top; v += step) {
		char label[32];
		tick_label(v, top, label, sizeof(label));
		json_array_append_new(yt, json_pack("{s:i, s:i, s:s}", "y", chart_y(v, top), "ty", chart_y(v, top) + 5,
		                                    "label", label));
	}
	polyline(&pa, all, 30, top);
	polyline(&pc, crit, 30, top);
	buf_printf(&sum, "Open vulnerabilities per day, %s to %s: %lld at the start, %lld at the end, at most %lld; "
	           "critical: %lld at the start, %lld at the end",
	           json_string_value(json_object_get(json_array_get(list, 0), "date")),
	           json_string_value(json_object_get(json_array_get(list, 29), "date")), all[0], all[29], max, crit[0],
	           crit[29]);
	t = json_pack("{s:o, s:s, s:s, s:I, s:O, s:O, s:o, s:o, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:i}", "days", list,
	              "points_all", pa.data ? pa.data : "", "points_critical", pc.data ? pc.data : "", "max",
	              (json_int_t)max, "first", json_object_get(json_array_get(list, 0), "day"), "last",
	              json_object_get(json_array_get(list, 29), "day"), "y_ticks", yt, "x_ticks", xt, "summary",
	              sum.data ? sum.data : "", "w", CHART_W, "h", CHART_H, "x0", X0, "x1", X1, "y1", Y1, "tick_y", Y1 + 5, "xy", Y1 + 22);
	json_object_set_new(t, "delta_open", tile_delta(all[29], all[22], "", "in 7 days", 1));
	json_object_set_new(t, "delta_critical", tile_delta(crit[29], crit[22], "", "in 7 days", 1));
	buf_free(&pa);
	buf_free(&pc);
	buf_free(&sum);
	return t;
}

/* A tile's change against the previous period (docs/dashboards.md, "The
 * tiles"): now and before in the same unit ("" or " pts"), vs naming what
 * before was ("vs the previous 24 h", "in 7 days"); up_is_bad colours a
 * rise as bad (more incidents) or good (a higher resolution rate).
 * Returns {arrow, text, tone: "bad", "good" or "flat"}; the arrow is
 * decoration, the text says it in words ("+3 vs the previous 24 h"). */
json_t *tile_delta(long long now, long long before, const char *unit, const char *vs, int up_is_bad)
{
	long long d = now - before;
	char g[32], text[160];

	if (d == 0) {
		snprintf(text, sizeof(text), "no change %s", vs);
		return json_pack("{s:s, s:s, s:s}", "arrow", "", "text", text, "tone", "flat");
	}
	view_grouped(d < 0 ? -d : d, g);
	snprintf(text, sizeof(text), "%s%s%s %s", d > 0 ? "+" : "\xe2\x88\x92", g, unit, vs);
	return json_pack("{s:s, s:s, s:s}", "arrow", d > 0 ? "\xe2\x96\xb2" : "\xe2\x96\xbc", "text", text, "tone",
	                 (d > 0) == (up_is_bad != 0) ? "bad" : "good");
}

/* The inventory donut: one arc per asset kind on a circle of circumference
 * 100 (r = 15.9155), as stroke-dasharray lengths and offsets. */
json_t *inventory_donut(const long long v[INVENTORY_KINDS])
{
	static const char *const kinds[INVENTORY_KINDS] = {"probe", "agent", "gateway", "discovered", "external"};
	long long total = 0, pct[INVENTORY_KINDS], sum = 0, done = 0;
	json_t *a = json_array();
	int i, big = 0;

	for (i = 0; i < INVENTORY_KINDS; i++)
		total += v[i];
	if (total <= 0)
		return a;
	for (i = 0; i < INVENTORY_KINDS; i++) {
		pct[i] = v[i] * 100 / total;
		sum += pct[i];
		if (v[i] > v[big])
			big = i;
	}
	pct[big] += 100 - sum; /* the rounding rest goes to the largest arc */
	for (i = 0; i < INVENTORY_KINDS; i++) {
		if (pct[i] > 0)
			json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:I}", "kind", kinds[i], "pct", (json_int_t)pct[i],
			                                   "rest", (json_int_t)(100 - pct[i]), "offset",
			                                   (json_int_t)(25 - done)));
		done += pct[i];
	}
	return a;
}

/* Severity bars as SVG geometry: "width" in percent of the largest,
 * "bar_w" in user units (the longest 180, from x 80 after the label). */
json_t *severity_bars(const long long v[4])
{
	static const char *const names[4] = {"critical", "high", "medium", "low"};
	long long max = 1;
	json_t *a = json_array();
	int i;

	for (i = 0; i < 4; i++)
		if (v[i] > max)
			max = v[i];
	for (i = 0; i < 4; i++)
		json_array_append_new(a, json_pack("{s:s, s:I, s:i, s:i, s:i, s:i}", "severity", names[i], "count",
		                                   (json_int_t)v[i], "width", (int)(v[i] * 100 / max), "bar_w",
		                                   (int)(v[i] * 180 / max), "y", i * 28, "ty", i * 28 + 15));
	return a;
}
