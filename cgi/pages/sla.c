/* sla.c - SLA monitoring: per customer, median and 90th percentile times to
 * acknowledge and to resolve, breaches, incidents breaching now; and the
 * targets (defaults on the MSSP, overrides per customer, inherited). The
 * rules live in sla_targets_for() and sla_report(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "authz.h"
#include "db.h"
#include "form.h"
#include "pages.h"
#include "view.h"

static const char *const sevs[4] = {"critical", "high", "medium", "low"};

DB_STMT(st_sla_effective, 1,
        "SELECT severity, ack_minutes, resolve_minutes, source_id, source_name FROM sla_effective($1::bigint)");
/* The customers' rows (severity NULL), then their compliance per severity
 * (sla_report(): the window's incidents read once for both). */
DB_STMT(st_sla_report, 3,
        "SELECT tenant_id, name, incidents, coalesce(ack_p50::text, ''), coalesce(ack_p90::text, ''),"
        " coalesce(resolve_p50::text, ''), coalesce(resolve_p90::text, ''), breaches, total, paged,"
        " severity, ack_met, ack_due, resolve_met, resolve_due"
        " FROM sla_report($1::bigint, $2::int, $3::int)");
DB_STMT(st_sla_breaching, 1,
        "SELECT incident_id, name, severity, title, to_char(opened_at, 'YYYY-MM-DD HH24:MI'), late_for, minutes_over"
        " FROM sla_breaching($1::bigint)");
DB_STMT(st_sla_upsert, 4,
        "INSERT INTO sla_targets (tenant_id, root_id, severity, ack_minutes, resolve_minutes)"
        " SELECT $1::bigint, root_id, $2, $3::int, $4::int FROM tenants WHERE id = $1::bigint"
        " ON CONFLICT (tenant_id, severity) DO UPDATE SET ack_minutes = excluded.ack_minutes,"
        " resolve_minutes = excluded.resolve_minutes, updated_at = now()");
DB_STMT(st_sla_reset, 1, "DELETE FROM sla_targets WHERE tenant_id = $1::bigint");

/* A percentile in minutes ("1200.0") as a duration ("20 h"), or "". */
static json_t *duration(const char *minutes)
{
	char b[32];

	return json_string(*minutes ? view_duration(atof(minutes), b) : "");
}

/* The compliance chart's geometry: a row of two bars (acknowledge,
 * resolve) per severity, 100 % = 140 units from x 84, values beside. */
#define BAR_X 84
#define BAR_W 140
#define ROW_H 44

/* The per-severity figures (compliance_read()'s sums), as
 * the model's "compliance": {severities: [...], summary, ...}. */
static json_t *compliance_model(long long sums[4][5], int paged)
{
	json_t *c = json_object(), *list = json_array(), *ticks = json_array();
	struct buf sum = BUF_INIT;
	int i, t;

	buf_printf(&sum, "Incidents within target, per severity:");
	for (i = 0; i < 4; i++) {
		char n[96];
		json_t *row = json_pack("{s:s, s:I, s:s, s:i, s:i, s:i, s:i, s:i}", "severity", sevs[i], "incidents",
		                        (json_int_t)sums[i][0], "incidents_text",
		                        view_count(sums[i][0], "incident", "incidents", n), "y", i * ROW_H + 4, "ty",
		                        i * ROW_H + 16, "y2", i * ROW_H + 22, "ty2", i * ROW_H + 34, "label_y", i * ROW_H + 26);
		view_compliance(row, "ack", sums[i][1], sums[i][2]);
		view_compliance(row, "resolve", sums[i][3], sums[i][4]);
		json_object_set_new(row, "ack_w", json_integer(sums[i][2] ? BAR_W * sums[i][1] / sums[i][2] : 0));
		json_object_set_new(row, "resolve_w", json_integer(sums[i][4] ? BAR_W * sums[i][3] / sums[i][4] : 0));
		json_object_set_new(row, "none", json_boolean(sums[i][2] == 0 && sums[i][4] == 0));
		buf_printf(&sum, " %s: acknowledged %s, resolved %s;", sevs[i],
		           json_string_value(json_object_get(row, "ack_text")),
		           json_string_value(json_object_get(row, "resolve_text")));
		json_array_append_new(list, row);
	}
	for (t = 0; t <= 100; t += 50)
		json_array_append_new(ticks, json_pack("{s:i, s:s}", "x", BAR_X + BAR_W * t / 100, "label",
		                                       t == 0 ? "0" : t == 50 ? "50 %" : "100 %"));
	json_object_set_new(c, "severities", list);
	json_object_set_new(c, "ticks", ticks);
	json_object_set_new(c, "summary", json_string(sum.data ? sum.data : ""));
	json_object_set_new(c, "page_only", json_boolean(paged));
	json_object_set_new(c, "h", json_integer(4 * ROW_H + 22));
	json_object_set_new(c, "axis_y", json_integer(4 * ROW_H));
	json_object_set_new(c, "tick_y", json_integer(4 * ROW_H + 18));
	json_object_set_new(c, "x0", json_integer(BAR_X));
	buf_free(&sum);
	return c;
}

/* Compliance of the customers of the table from sla_report()'s rows with
 * a severity (columns 10-14: severity, ack_met, ack_due, resolve_met,
 * resolve_due; column 2 their incidents): each row of list gets its
 * "ack_pct" and "resolve_pct" figures, and sums[severity] the totals
 * {incidents, ack_met, ack_due, resolve_met, resolve_due} of them all. */
static enum res compliance_read(const PGresult *res, json_t *list, long long sums[4][5])
{
	long long (*per)[4] = NULL; /* per customer of list: met and due */
	size_t c, n = json_array_size(list);
	int i, k, sv;

	if (n > 0 && (per = calloc(n, sizeof(*per))) == NULL)
		return R_INTERNAL;
	for (i = 0; i < PQntuples(res); i++) {
		long long v[5], cid = atoll(PQgetvalue(res, i, 0));
		if (PQgetisnull(res, i, 10))
			continue; /* a customer's row */
		v[0] = atoll(PQgetvalue(res, i, 2));
		for (k = 1; k < 5; k++)
			v[k] = atoll(PQgetvalue(res, i, 10 + k));
		for (sv = 0; sv < 4 && strcmp(sevs[sv], PQgetvalue(res, i, 10)) != 0; sv++)
			;
		for (k = 0; sv < 4 && k < 5; k++)
			sums[sv][k] += v[k];
		for (c = 0; c < n; c++)
			if (json_integer_value(json_object_get(json_array_get(list, c), "id")) == cid)
				break;
		for (k = 0; c < n && k < 4; k++)
			per[c][k] += v[k + 1];
	}
	for (c = 0; c < n; c++) {
		view_compliance(json_array_get(list, c), "ack_pct", per[c][0], per[c][1]);
		view_compliance(json_array_get(list, c), "resolve_pct", per[c][2], per[c][3]);
	}
	free(per);
	return R_SUCCESS;
}

/* The page, with the targets form a handler answered with (view_form). */
static enum res sla_page(struct req *req)
{
	static const char *const windows[] = {"7", "30", "90", NULL};
	const char *ds = http_choice(http_query(req, "days"), windows, "30");
	long days = atol(ds);
	long page = http_page(req), total = 0;
	char id[24], pg[24];
	const char *params[3] = {id, ds, pg};
	json_t *m = view_model(req), *list;
	json_t *values = json_object_get(json_object_get(m, "form"), "values"); /* borrowed, may be NULL */
	json_t *errors = json_object_get(json_object_get(m, "form"), "errors"); /* borrowed, may be NULL */
	PGresult *res;
	long long sums[4][5] = {{0}};
	enum res r;
	int i, paged = 0;

	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	snprintf(pg, sizeof(pg), "%ld", page);
	res = db_exec(&st_sla_effective, params, &r);
	if (res == NULL)
		goto fail;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		const char *sev = PQgetvalue(res, i, 0);
		json_t *v = values ? json_object_get(values, sev) : NULL;
		char at[32], rt[32];
		json_t *row = json_pack("{s:s, s:I, s:I, s:s, s:s}", "severity", sev, "ack",
		                        (json_int_t)atoll(PQgetvalue(res, i, 1)), "resolve",
		                        (json_int_t)atoll(PQgetvalue(res, i, 2)), "ack_text",
		                        view_minutes(atoll(PQgetvalue(res, i, 1)), at), "resolve_text",
		                        view_minutes(atoll(PQgetvalue(res, i, 2)), rt));
		if (PQgetisnull(res, i, 3))
			json_object_set_new(row, "source", json_string("portal default"));
		else if (atoll(PQgetvalue(res, i, 3)) == req->tenant->id)
			json_object_set_new(row, "source", json_string("set here"));
		else {
			char src[200];
			snprintf(src, sizeof(src), "inherited from %s", PQgetvalue(res, i, 4));
			json_object_set_new(row, "source", json_string(src));
		}
		if (v != NULL) /* what the user typed, to correct */
			json_object_set(row, "typed", v);
		if (errors != NULL && json_object_get(errors, sev) != NULL)
			json_object_set(row, "error", json_object_get(errors, sev));
		json_array_append_new(list, row);
	}
	PQclear(res);
	json_object_set_new(m, "targets", list);

	res = db_exec(&st_sla_report, params, &r);
	if (res == NULL)
		goto fail;
	list = json_array();
	for (i = 0; i < PQntuples(res) && PQgetisnull(res, i, 10); i++) { /* the customers' rows */
		char n[96];
		json_t *row = json_pack("{s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "id",
		                        (json_int_t)atoll(PQgetvalue(res, i, 0)), "name", PQgetvalue(res, i, 1), "incidents",
		                        (json_int_t)atoll(PQgetvalue(res, i, 2)), "incidents_text",
		                        view_count(atoll(PQgetvalue(res, i, 2)), "incident", "incidents", n), "ack_p50",
		                        PQgetvalue(res, i, 3), "ack_p90", PQgetvalue(res, i, 4), "resolve_p50",
		                        PQgetvalue(res, i, 5), "resolve_p90", PQgetvalue(res, i, 6), "breaches",
		                        (json_int_t)atoll(PQgetvalue(res, i, 7)));
		json_object_set_new(row, "ack_p50_text", duration(PQgetvalue(res, i, 3)));
		json_object_set_new(row, "ack_p90_text", duration(PQgetvalue(res, i, 4)));
		json_object_set_new(row, "resolve_p50_text", duration(PQgetvalue(res, i, 5)));
		json_object_set_new(row, "resolve_p90_text", duration(PQgetvalue(res, i, 6)));
		json_array_append_new(list, row);
	}
	if (PQntuples(res) > 0) {
		total = atol(PQgetvalue(res, 0, 8));
		paged = strcmp(PQgetvalue(res, 0, 9), "t") == 0;
	}
	r = compliance_read(res, list, sums);
	PQclear(res);
	json_object_set_new(m, "customers", list);
	if (r != R_SUCCESS)
		goto fail;
	json_object_set_new(m, "compliance", compliance_model(sums, paged));
	if (paged) {
		/* Over 200 customers: by name, 50 a page. */
		json_object_set_new(m, "customers_total", json_integer(total));
		view_pages(m, page, (total + 49) / 50);
	}

	res = db_exec(&st_sla_breaching, params, &r);
	if (res == NULL)
		goto fail;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		char over[32];
		long long minutes = atoll(PQgetvalue(res, i, 6));
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "id",
		                                      (json_int_t)atoll(PQgetvalue(res, i, 0)), "customer",
		                                      PQgetvalue(res, i, 1), "severity", PQgetvalue(res, i, 2), "title",
		                                      PQgetvalue(res, i, 3), "opened", PQgetvalue(res, i, 4), "late_for",
		                                      PQgetvalue(res, i, 5), "minutes_over", (json_int_t)minutes,
		                                      "over_text", view_minutes(minutes, over)));
	}
	PQclear(res);
	json_object_set_new(m, "breaching", list);
	json_object_set_new(m, "days", json_integer(days));
	json_object_set_new(m, "window", view_flags(json_object(), ds, windows));
	json_object_set_new(m, "page_title", json_string("SLA"));
	req->template = "sla";
	return R_SUCCESS;
fail:
	return r;
}

enum res page_sla(struct req *req) { return sla_page(req); }

/* Minutes from a form field: a whole number in [lo, hi], else -1. */
/* Whole minutes: to acknowledge (up to 30 days), to resolve (up to a year). */
static const struct form_field ack_field = {
    .name = "ack", .label = "Acknowledge", .kind = FORM_INT, .min = 1, .max = 43200};
static const struct form_field resolve_field = {
    .name = "resolve", .label = "Resolve", .kind = FORM_INT, .min = 1, .max = 525600};

/* The minutes in s under f's rule, or -1. */
static long minutes(const struct form_field *f, const char *s)
{
	char buf[FORM_VALUE_MAX];
	const char *out;
	long long v;

	if (s == NULL || *s == '\0' || form_value(f, s, buf, &out, &v) != FORM_OK)
		return -1;
	return (long)v;
}

enum res page_sla_targets(struct req *req)
{
	json_t *values = json_object(), *errors = json_object();
	long ack[4], res_[4];
	char id[24], a[16], rs[16], field[32];
	const char *params[4] = {id, NULL, a, rs};
	enum res r;
	int i;

	for (i = 0; i < 4; i++) {
		const char *fa, *fr;
		snprintf(field, sizeof(field), "ack_%s", sevs[i]);
		fa = http_form(req, field);
		snprintf(field, sizeof(field), "resolve_%s", sevs[i]);
		fr = http_form(req, field);
		json_object_set_new(values, sevs[i], json_pack("{s:s, s:s}", "ack", fa ? fa : "", "resolve", fr ? fr : ""));
		ack[i] = minutes(&ack_field, fa);
		res_[i] = minutes(&resolve_field, fr);
		if (ack[i] < 0 || res_[i] < 0)
			json_object_set_new(errors, sevs[i],
			                    json_string("Enter whole minutes: acknowledge within 1 to 43,200, resolve within 1 "
			                                "to 525,600."));
		else if (res_[i] < ack[i])
			json_object_set_new(errors, sevs[i], json_string("The time to resolve cannot be shorter than the time "
			                                                 "to acknowledge."));
	}
	if (json_object_size(errors) > 0) {
		view_form(req, R_BAD_INPUT, "form", values, errors);
		return sla_page(req);
	}
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	for (i = 0; i < 4; i++) {
		params[1] = sevs[i];
		snprintf(a, sizeof(a), "%ld", ack[i]);
		snprintf(rs, sizeof(rs), "%ld", res_[i]);
		if ((r = db_run(&st_sla_upsert, params)) != R_SUCCESS) {
			json_decref(values);
			json_decref(errors);
			return r;
		}
	}
	r = audit_log(req, req->tenant->id, "sla.targets_set", NULL, values);
	json_decref(values);
	json_decref(errors);
	if (r != R_SUCCESS)
		return r;
	snprintf(field, sizeof(field), "/t/%lld/sla", req->tenant->id);
	return http_redirect(req, field);
}

enum res page_sla_reset(struct req *req)
{
	char id[24], loc[48];
	const char *params[1] = {id};
	enum res r;

	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	if ((r = db_run(&st_sla_reset, params)) != R_SUCCESS)
		return r;
	if ((r = audit_log(req, req->tenant->id, "sla.targets_reset", NULL, NULL)) != R_SUCCESS)
		return r;
	snprintf(loc, sizeof(loc), "/t/%lld/sla", req->tenant->id);
	return http_redirect(req, loc);
}
