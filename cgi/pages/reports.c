/* reports.c - the executive report (docs/reports.md, "What a report
 * says"): a tenant's security over a period, as a page with print styles
 * (the browser's Print saves it as PDF) and its JSON twin. Every figure is
 * report_executive()'s; this file adds the texts people read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cdp.h"
#include "config.h"
#include "db.h"
#include "form.h"
#include "jalloc.h"
#include "tmpdir.h"
#include "pages.h"
#include "view.h"

DB_STMT(st_report, 3, "SELECT report_executive($1::bigint, $2::date, $3::date)::text");

/* The period's fields: the days it starts and ends (UTC, both included). */
static const struct form_field period_fields[] = {
    {.name = "from", .label = "From", .kind = FORM_DATE, .required = 1},
    {.name = "to", .label = "To", .kind = FORM_DATE, .required = 1},
};
#define REPORT_MAX_DAYS 366
/* The customers the page ranks on screen (the CSV and the PDF: all). */
#define REPORT_SCREEN_CUSTOMERS 50

/* See pages.h. */
void report_last_month(char from[11], char to[11])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	tm.tm_mday = 1;
	tm.tm_hour = 12;
	now = timegm(&tm) - 86400; /* the last day of the month before */
	gmtime_r(&now, &tm);
	strftime(to, 11, "%Y-%m-%d", &tm);
	tm.tm_mday = 1;
	strftime(from, 11, "%Y-%m-%d", &tm);
}

/* A figure in minutes (a JSON number or null) as a duration, or "–". */
static json_t *minutes_text(json_t *v)
{
	char b[32];

	return json_string(json_is_number(v) ? view_duration(json_number_value(v), b) : "\xe2\x80\x93");
}

/* The buckets of the distribution of customers' risk scores: the lowest
 * score of each (the next one's lowest bounds it) and its colour. */
static const struct {
	long long from;
	const char *label, *tone;
} risk_buckets[] = {{0, "0", "sev-low"},
                    {1, "1-9", "sev-medium"},
                    {10, "10-29", "sev-high"},
                    {30, "30-99", "sev-critical"},
                    {100, "100 or more", "sev-critical"}};
#define RISK_BUCKETS (sizeof(risk_buckets) / sizeof(risk_buckets[0]))
/* At most this many customers are named under "need attention". */
#define ATTENTION_MAX 10

/* A consolidated report's overview of its (ranked) customers: the
 * distribution of their risk scores ("distribution": bars) and those that
 * need attention ("attention": {id, name, reasons}, most at risk first;
 * "attention_more": how many more did): a risk score that rose, a critical
 * vulnerability open, or under 90 % of incidents resolved within SLA. */
static void customers_overview(json_t *rep)
{
	long long n[RISK_BUCKETS] = {0}, max = 1, risk, before, crit, met, due;
	json_t *bars = json_array(), *att = json_array(), *row;
	size_t i, b, more = 0;
	char text[96];

	json_array_foreach(json_object_get(rep, "customers"), i, row)
	{
		json_t *reasons = json_array();
		risk = json_integer_value(json_object_get(row, "risk"));
		before = json_integer_value(json_object_get(row, "risk_before"));
		crit = json_integer_value(json_object_get(row, "critical_open"));
		met = json_integer_value(json_object_get(row, "resolve_met"));
		due = json_integer_value(json_object_get(row, "resolve_due"));
		b = RISK_BUCKETS - 1;
		while (b > 0 && risk < risk_buckets[b].from)
			b--;
		n[b]++;
		if (risk > before) {
			snprintf(text, sizeof(text), "risk score rose from %lld to %lld", before, risk);
			json_array_append_new(reasons, json_string(text));
		}
		if (crit > 0) {
			snprintf(text, sizeof(text), "%lld critical %s open", crit,
			         crit == 1 ? "vulnerability" : "vulnerabilities");
			json_array_append_new(reasons, json_string(text));
		}
		if (due > 0 && met * 10 < due * 9) {
			snprintf(text, sizeof(text), "%lld of %lld incidents resolved within SLA", met, due);
			json_array_append_new(reasons, json_string(text));
		}
		if (json_array_size(reasons) == 0)
			json_decref(reasons);
		else if (json_array_size(att) == ATTENTION_MAX) {
			more++;
			json_decref(reasons);
		} else
			json_array_append_new(att, json_pack("{s:O, s:O, s:o}", "id", json_object_get(row, "id"), "name",
			                                     json_object_get(row, "name"), "reasons", reasons));
	}
	for (b = 0; b < RISK_BUCKETS; b++)
		if (n[b] > max)
			max = n[b];
	for (b = 0; b < RISK_BUCKETS; b++)
		json_array_append_new(bars, json_pack("{s:s, s:s, s:I, s:i, s:i, s:i}", "label", risk_buckets[b].label,
		                                      "tone", risk_buckets[b].tone, "count", (json_int_t)n[b], "bar_w",
		                                      (int)(n[b] * 180 / max), "y", (int)b * 28, "ty",
		                                      (int)b * 28 + 15));
	json_object_set_new(rep, "distribution", bars);
	json_object_set_new(rep, "attention", att);
	if (more > 0)
		json_object_set_new(rep, "attention_more", json_integer((json_int_t)more));
}

/* See pages.h. */
void report_decorate(json_t *rep)
{
	static const char *const kinds[][2] = {{"probe", "Probes"},
	                                       {"agent", "Lightweight agents"},
	                                       {"gateway", "Gateways"},
	                                       {"discovered", "Probe-discovered assets"},
	                                       {"external", "External assets"}};
	json_t *risk = json_object_get(rep, "risk"), *cov = json_object_get(rep, "coverage"), *rows = json_array(),
	       *vs = json_object_get(json_object_get(rep, "vulnerabilities"), "by_severity"),
	       *is = json_object_get(json_object_get(rep, "incidents"), "by_severity"), *row;
	long long open_end[4] = {0, 0, 0, 0};
	char b[32];
	size_t i;

	tenant_kind_flags(json_object_get(rep, "tenant"));
	json_object_set_new(risk, "delta",
	                    tile_delta(json_integer_value(json_object_get(risk, "now")),
	                               json_integer_value(json_object_get(risk, "before")), "", "vs the period before",
	                               1));
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		json_t *k = json_object_get(cov, kinds[i][0]);
		json_array_append_new(rows, json_pack("{s:s, s:s, s:O, s:O}", "kind", kinds[i][0], "label", kinds[i][1],
		                                      "total", json_object_get(k, "total"), "new",
		                                      json_object_get(k, "new")));
	}
	json_object_set_new(rep, "coverage_rows", rows);
	json_array_foreach(vs, i, row)
	{
		json_t *m = json_object_get(row, "median_days_to_fix");
		char days[32];
		if (json_is_number(m))
			snprintf(days, sizeof(days), "%.1f", json_number_value(m));
		else
			days[0] = '\0';
		json_object_set_new(row, "median_text", json_string(view_days(days, b)));
		if (i < 4)
			open_end[i] = json_integer_value(json_object_get(row, "open_end"));
	}
	json_object_set_new(json_object_get(rep, "vulnerabilities"), "bars", severity_bars(open_end));
	json_array_foreach(is, i, row)
	{
		json_object_set_new(row, "ack_mean_text", minutes_text(json_object_get(row, "ack_mean")));
		json_object_set_new(row, "ack_p90_text", minutes_text(json_object_get(row, "ack_p90")));
		json_object_set_new(row, "resolve_mean_text", minutes_text(json_object_get(row, "resolve_mean")));
		json_object_set_new(row, "resolve_p90_text", minutes_text(json_object_get(row, "resolve_p90")));
		view_compliance(row, "ack_pct", json_integer_value(json_object_get(row, "ack_met")),
		                json_integer_value(json_object_get(row, "ack_due")));
		view_compliance(row, "resolve_pct", json_integer_value(json_object_get(row, "resolve_met")),
		                json_integer_value(json_object_get(row, "resolve_due")));
	}
	json_array_foreach(json_object_get(rep, "customers"), i, row)
	{
		json_object_set_new(row, "rank", json_integer((json_int_t)i + 1));
		json_object_set_new(row, "delta",
		                    tile_delta(json_integer_value(json_object_get(row, "risk")),
		                               json_integer_value(json_object_get(row, "risk_before")), "", "", 1));
		view_compliance(row, "resolve_pct", json_integer_value(json_object_get(row, "resolve_met")),
		                json_integer_value(json_object_get(row, "resolve_due")));
	}
	if (json_array_size(json_object_get(rep, "customers")) > 0)
		customers_overview(rep);
}

/* See pages.h. */
void report_period_check(const char *const in[2], json_t *values, json_t *errors)
{
	char buf[FORM_VALUE_MAX], msg[160];
	long long day[2] = {0, 0};
	const char *out;

	for (int i = 0; i < 2; i++) {
		const struct form_field *f = &period_fields[i];
		enum form_err e =
		    in[i] == NULL || *in[i] == '\0' ? FORM_E_REQUIRED : form_value(f, in[i], buf, &out, &day[i]);
		json_object_set_new(values, f->name, json_string(in[i] ? in[i] : ""));
		if (e != FORM_OK)
			json_object_set_new(errors, f->name, json_string(form_message(f, e, msg)));
	}
	if (json_object_get(errors, "from") != NULL || json_object_get(errors, "to") != NULL)
		return;
	if (day[1] < day[0])
		json_object_set_new(errors, "to", json_string("To must be on or after From."));
	else if (day[1] - day[0] + 1 > REPORT_MAX_DAYS)
		json_object_set_new(errors, "to", json_string("A report covers at most 366 days."));
}

DB_STMT(st_report_wait, 1, "SELECT set_config('statement_timeout', $1::int * 1000 || 'ms', true)");

enum res report_wait(int seconds)
{
	char v[16];
	const char *params[1] = {v};

	snprintf(v, sizeof(v), "%d", seconds);
	return db_run(&st_report_wait, params);
}

/* The report of the period the query names (the previous calendar month
 * when it names none) into the model as "report", with "period": {values,
 * errors}: R_SUCCESS and *rep (the model's), or, for a period that is not
 * one, the form's errors answered (400, *rep NULL), or, for figures that
 * take longer than PORTAL_REPORT_WAIT to gather, the form answered with
 * "too_long" (503, *rep NULL: the page offers the PDF, which the reporter
 * makes without making anyone wait), or the database's refusal. */
static enum res load_report(struct req *req, json_t **rep)
{
	const char *in[2] = {http_query(req, "from"), http_query(req, "to")};
	char from[11], to[11], dfrom[11], dto[11], id[24];
	const char *params[3] = {id, from, to};
	json_t *values = json_object(), *errors = json_object();
	enum res r;

	*rep = NULL;
	json_object_set_new(view_model(req), "page_title", json_string("Executive report"));
	if (in[0] == NULL && in[1] == NULL) {
		report_last_month(dfrom, dto);
		in[0] = dfrom;
		in[1] = dto;
	}
	report_period_check(in, values, errors);
	if (json_object_size(errors) > 0) {
		view_form(req, R_BAD_INPUT, "period", values, errors);
		return R_SUCCESS;
	}
	snprintf(from, sizeof(from), "%s", in[0]);
	snprintf(to, sizeof(to), "%s", in[1]);
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	if ((r = report_wait(config_get()->report_wait)) != R_SUCCESS ||
	    (*rep = list_read_json(&st_report, params, &r)) == NULL) {
		if (r == R_UNAVAILABLE && db_timed_out()) { /* too large to wait for: the form, and the PDF offered */
			json_object_set_new(view_model(req), "too_long", json_integer(config_get()->report_wait));
			view_form(req, R_UNAVAILABLE, "period", values, errors);
			return R_SUCCESS;
		}
		json_decref(values);
		json_decref(errors);
		return r;
	}
	report_decorate(*rep);
	json_object_set_new(view_model(req), "report", *rep);
	json_object_set_new(view_model(req), "period", json_pack("{s:o, s:o}", "values", values, "errors", errors));
	return R_SUCCESS;
}

/* GET /t/{id}/reports/executive[?from=YYYY-MM-DD&to=YYYY-MM-DD]: the
 * report over the period (the previous calendar month by default). A
 * period that is not one comes back with its fields and a message next to
 * each (400). */
enum res page_report(struct req *req)
{
	json_t *rep, *all;
	enum res r;
	size_t n;

	req->template = "reports";
	if ((r = load_report(req, &rep)) != R_SUCCESS || rep == NULL)
		return r;
	/* On screen the ranking's first rows: its summary above counts them
	 * all, and the CSV and the PDF have every one. */
	all = json_object_get(rep, "customers");
	if ((n = json_array_size(all)) > REPORT_SCREEN_CUSTOMERS) {
		while (json_array_size(all) > REPORT_SCREEN_CUSTOMERS)
			json_array_remove(all, json_array_size(all) - 1);
		json_object_set_new(rep, "customers_more", json_integer((json_int_t)(n - REPORT_SCREEN_CUSTOMERS)));
	}
	return R_SUCCESS;
}

/* The CSV's tables: where each is in the report, the field that names its
 * rows, and its figures (docs/reports.md, "What a report says"). */
static const struct csv_table {
	const char *name, *obj, *list, *row, *fields[12];
} csv_tables[] = {
    {"coverage", NULL, "coverage_rows", "kind", {"total", "new"}},
    {"vulnerabilities",
     "vulnerabilities",
     "by_severity",
     "severity",
     {"open_start", "opened", "fixed", "open_end", "over_30", "over_60", "over_90", "median_days_to_fix"}},
    {"top_cves", "vulnerabilities", "top_cves", "cve", {"severity", "open", "assets"}},
    {"incidents",
     "incidents",
     "by_severity",
     "severity",
     {"opened", "resolved", "open_end", "ack_mean", "ack_p90", "resolve_mean", "resolve_p90", "ack_met", "ack_due",
      "resolve_met", "resolve_due"}},
    {"serious_incidents",
     "incidents",
     "serious",
     "id",
     {"severity", "customer", "title", "opened_at", "status", "note"}},
    {"threats", NULL, "threats", "indicator", {"kind", "incidents", "customers", "elsewhere"}},
    {"customers",
     NULL,
     "customers",
     "name",
     {"id", "rank", "risk", "risk_before", "critical_open", "resolve_met", "resolve_due"}},
    {"risk_distribution", NULL, "distribution", "label", {"count"}},
};

/* A JSON scalar as a CSV cell (null: empty). */
static void csv_value(struct buf *b, json_t *v)
{
	char n[64];

	if (json_is_string(v))
		buf_csv(b, json_string_value(v));
	else if (json_is_integer(v))
		buf_printf(b, "%lld", (long long)json_integer_value(v));
	else if (json_is_real(v)) {
		snprintf(n, sizeof(n), "%.1f", json_real_value(v));
		buf_puts(b, n);
	}
}

static void csv_line(struct buf *b, const char *table, json_t *row, const char *figure, json_t *v)
{
	buf_puts(b, table);
	buf_putc(b, ',');
	csv_value(b, row);
	buf_putc(b, ',');
	buf_puts(b, figure);
	buf_putc(b, ',');
	csv_value(b, v);
	buf_puts(b, "\r\n");
}

/* See pages.h. */
void report_csv(json_t *rep, struct buf *b)
{
	json_t *risk, *list, *row;
	size_t t, i, f;

	buf_puts(b, "table,row,figure,value\r\n");
	risk = json_object_get(rep, "risk");
	csv_line(b, "risk_score", json_object_get(json_object_get(rep, "period"), "to"), "end",
	         json_object_get(risk, "now"));
	csv_line(b, "risk_score", json_object_get(json_object_get(rep, "period"), "before_to"), "end",
	         json_object_get(risk, "before"));
	for (t = 0; t < sizeof(csv_tables) / sizeof(csv_tables[0]); t++) {
		const struct csv_table *ct = &csv_tables[t];
		list = json_object_get(ct->obj ? json_object_get(rep, ct->obj) : rep, ct->list);
		json_array_foreach(list, i, row)
		{
			for (f = 0; f < sizeof(ct->fields) / sizeof(ct->fields[0]) && ct->fields[f] != NULL; f++)
				csv_line(b, ct->name, json_object_get(row, ct->row), ct->fields[f],
				         json_object_get(row, ct->fields[f]));
		}
	}
	json_array_foreach(json_object_get(rep, "recommendations"), i, row)
	{
		json_t *n = json_integer((json_int_t)i + 1);
		csv_line(b, "recommendations", n, "text", row);
		json_decref(n);
	}
}

/* GET /t/{id}/reports/executive/export[?from=&to=]: every table of the
 * report as CSV, one figure a line (table, row, figure, value), named
 * after the brand. */
enum res page_report_export(struct req *req)
{
	json_t *rep;
	struct buf *b = &req->body;
	enum res r = load_report(req, &rep);
	char what[48];

	if (r != R_SUCCESS || rep == NULL) {
		req->template = "reports"; /* the period's form, with its errors */
		return r;
	}
	report_csv(rep, b);
	if (!buf_ok(b))
		return R_INTERNAL;
	req->body_type = "text/csv; charset=utf-8";
	snprintf(what, sizeof(what), "report-%s-%s",
	         json_string_value(json_object_get(json_object_get(rep, "period"), "from")),
	         json_string_value(json_object_get(json_object_get(rep, "period"), "to")));
	view_attachment(req, what, "csv");
	return R_SUCCESS;
}

/* The operator's report (ctl report): the tenant's whole subtree. */
DB_STMT(st_report_operator, 3, "SELECT report_document($1::bigint, $2::date, $3::date, ARRAY[$1::bigint], '{}')::text");

/* See pages.h. */
int report_kind(json_t *rep, const char *kind, char *err, size_t errlen)
{
	int company = json_is_true(json_object_get(json_object_get(rep, "tenant"), "is_company"));

	if (kind == NULL)
		return company ? REPORT_EXECUTIVE : REPORT_CONSOLIDATED;
	if (strcmp(kind, "billing") == 0) {
		if (!json_is_object(json_object_get(rep, "billing"))) {
			snprintf(err, errlen, "a billing statement is made from its Billing page (Make a PDF), not from a "
			                      "report's figures");
			return -1;
		}
		return REPORT_BILLING;
	}
	if (json_object_get(rep, "billing") != NULL) {
		snprintf(err, errlen, "a billing statement is not a %.40s report", kind);
		return -1;
	}
	if (strcmp(kind, "consolidated") == 0 && company) {
		snprintf(err, errlen, "a consolidated report covers the customers of an MSP or MSSP: %s is a company",
		         json_string_value(json_object_get(json_object_get(rep, "tenant"), "name")));
		return -1;
	}
	if (strcmp(kind, "consolidated") == 0)
		return REPORT_CONSOLIDATED;
	if (strcmp(kind, "executive") != 0) {
		snprintf(err, errlen, "the kind is executive or consolidated, not %.40s", kind);
		return -1;
	}
	json_object_del(rep, "customers");
	json_object_del(rep, "distribution");
	json_object_del(rep, "attention");
	json_object_del(rep, "attention_more");
	return REPORT_EXECUTIVE;
}

/* See pages.h. */
const char *report_kind_title(const char *kind)
{
	return strcmp(kind, "consolidated") == 0 ? "Consolidated report"
	       : strcmp(kind, "billing") == 0    ? "Billing statement"
	                                         : "Executive report";
}

/* Write len bytes of data to path; 0 or -1. */
static int save(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "w");
	int ok = f != NULL && fwrite(data, 1, len, f) == len;

	if (f != NULL && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* The report as a PDF into path: a browser of its own, files in a private
 * directory under TMPDIR. */
static int save_pdf(json_t *rep, int kind, const char *paper, const char *path, char *err, size_t errlen)
{
	char dir[256];
	struct cdp c;
	unsigned char *pdf = NULL;
	size_t len = 0;
	int ret = -1;

	if (tmpdir_make(dir, sizeof(dir), "portal-report") != 0) {
		snprintf(err, errlen, "%s: could not be made", dir);
		return -1;
	}
	if (cdp_start(&c, NULL) != 0)
		snprintf(err, errlen, "the browser: %s", c.error);
	else {
		if (report_pdf(&c, rep, kind, paper, dir, &pdf, &len, err, errlen) == 0) {
			if ((ret = save(path, pdf, len)) != 0)
				snprintf(err, errlen, "%s: could not be written", path);
		}
		cdp_stop(&c);
	}
	free(pdf);
	rmdir(dir);
	return ret;
}

/* See pages.h. */
int report_file(const struct report_request *q, char *err, size_t errlen)
{
	const char *in[2] = {q->from, q->to}, *params[3] = {q->tenant, q->from, q->to}, *dot = strrchr(q->path, '.');
	json_t *values = json_object(), *errors = json_object(), *rep, *v;
	struct buf b = BUF_INIT;
	const char *k;
	int consolidated, ok;
	enum res r;

	report_period_check(in, values, errors);
	json_decref(values);
	if (json_object_size(errors) > 0) {
		size_t n = 0;
		err[0] = '\0';
		json_object_foreach(errors, k, v)
		{
			snprintf(err + n, errlen - n, "%s%s", n ? " " : "", json_string_value(v));
			n = strlen(err);
		}
		json_decref(errors);
		return -1;
	}
	json_decref(errors);
	if (dot == NULL || (strcmp(dot, ".json") != 0 && strcmp(dot, ".csv") != 0 && strcmp(dot, ".pdf") != 0)) {
		snprintf(err, errlen, "%s: the file's name must end in .pdf, .json or .csv", q->path);
		return -1;
	}
	if (q->paper != NULL && strcmp(q->paper, "a4") != 0 && strcmp(q->paper, "letter") != 0) {
		snprintf(err, errlen, "the paper is a4 or letter, not %.40s", q->paper);
		return -1;
	}
	if (!http_is_id(q->tenant)) {
		snprintf(err, errlen, "no such tenant: %s", q->tenant);
		return -1;
	}
	/* Its figures in a transaction of their own, as long as the reporter's
	 * may take (REPORTER_STATEMENT_TIMEOUT). */
	rep = NULL;
	if ((r = db_begin()) == R_SUCCESS && (r = report_wait(config_get()->report_timeout)) == R_SUCCESS)
		rep = list_read_json(&st_report_operator, params, &r);
	db_rollback(); /* it only read; db_timed_out() still says why a statement failed */
	if (r != R_SUCCESS || rep == NULL) {
		if (r == R_NOT_FOUND)
			snprintf(err, errlen, "no such tenant: %s", q->tenant);
		else if (db_timed_out())
			snprintf(err, errlen, "the report's figures took longer than %d s (REPORTER_STATEMENT_TIMEOUT)",
			         config_get()->report_timeout);
		else
			snprintf(err, errlen, "the database is unavailable");
		json_decref(rep);
		return -1;
	}
	report_decorate(rep);
	if ((consolidated = report_kind(rep, q->kind, err, errlen)) < 0) {
		json_decref(rep);
		return -1;
	}
	if (strcmp(dot, ".pdf") == 0) {
		ok = save_pdf(rep, consolidated, q->paper ? q->paper : "a4", q->path, err, errlen) == 0;
		json_decref(rep);
		return ok ? 0 : -1;
	}
	if (strcmp(dot, ".csv") == 0)
		report_csv(rep, &b);
	else {
		char *text = json_text(rep, JSON_INDENT(1) | JSON_SORT_KEYS);
		if (text != NULL)
			buf_puts(&b, text);
		free(text);
	}
	json_decref(rep);
	ok = buf_ok(&b) && save(q->path, b.data, b.len) == 0;
	if (!ok)
		snprintf(err, errlen, "%s: could not be written", q->path);
	buf_free(&b);
	return ok ? 0 : -1;
}
