/* analytics.c - cross-tenant analytics of the customers below a tenant
 * (docs/dashboards.md has the formulas):
 * - exposure: open vulnerabilities weighted by severity (rollups);
 * - risk posture: the dashboard's risk score, side by side with exposure,
 *   and compared across customers (the highest ten as bars, the rest
 *   summed: risk_top());
 * - fastest-growing incident counts: opened this week vs the week before
 *   (whole UTC days, from the incident_recent rollup);
 * - remediation velocity: median days to fix, per severity, per customer,
 *   over the findings fixed in the last 90 days, for the customers of one
 *   page (remediation_velocity()).
 * The exposure, growth and velocity readers apply the visibility rule
 * themselves: only visible customers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "db.h"
#include "pages.h"
#include "view.h"

/* Highest exposure: exposure_top() walks tenant_stats' index. */
DB_STMT(st_exposure, 1,
        "SELECT id, name, exposure, risk, vuln_critical, vuln_high, vuln_medium, vuln_low, incidents_open"
        " FROM exposure_top($1::bigint)");
/* Incidents growing fastest: growth_top() over incident_recent
 * (incidents_recent()), weeks of whole UTC days. */
DB_STMT(st_growth, 1, "SELECT id, name, this_week, last_week FROM growth_top($1::bigint)");
/* Risk posture: the RISK_TOP visible customers of highest risk, and the
 * rest summed on every row (risk_top(), tenant_stats' risk index). */
#define RISK_TOP 10
DB_STMT(st_risk, 2,
        "SELECT id, name, risk, incidents_open, incidents_open_critical, vuln_critical, rest_count, rest_risk, rest_max"
        " FROM risk_top($1::bigint, $2::int)");
/* remediation_velocity(): the customers of one page (all up to
 * 200, else 50 a page by name), a row per severity with fixes. */
DB_STMT(st_velocity, 2,
        "SELECT tenant_id, name, severity, median_days::text, total, paged"
        " FROM remediation_velocity($1::bigint, $2::int)");

static const char *const sevs[4] = {"critical", "high", "medium", "low"};

/* The risk comparison from risk_top()'s rows: "risk_posture": {bars: [{id, name,
 * risk, pct (of the highest, for the bar), open_text, vuln_text}], rest:
 * {count, risk, max, text} or absent, summary}. */
static json_t *risk_model(PGresult *res)
{
	json_t *rk = json_object(), *bars = json_array();
	struct buf sum = BUF_INIT;
	long long max = 1;
	int i;

	if (PQntuples(res) > 0 && atoll(PQgetvalue(res, 0, 2)) > 0)
		max = atoll(PQgetvalue(res, 0, 2));
	buf_printf(&sum, "Risk score of the customers at highest risk:");
	for (i = 0; i < PQntuples(res); i++) {
		long long risk = atoll(PQgetvalue(res, i, 2));
		char o[96], v[96];
		json_t *row = json_pack("{s:I, s:s, s:I, s:I, s:s, s:s}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)),
		                        "name", PQgetvalue(res, i, 1), "risk", (json_int_t)risk, "pct",
		                        (json_int_t)(risk * 100 / max), "open_text",
		                        view_count(atoll(PQgetvalue(res, i, 3)), "open incident", "open incidents", o),
		                        "vuln_text",
		                        view_count(atoll(PQgetvalue(res, i, 5)), "critical vulnerability",
		                                   "critical vulnerabilities", v));
		json_object_set_new(row, "open_critical", json_integer(atoll(PQgetvalue(res, i, 4))));
		buf_printf(&sum, "%s %s %lld", i ? ";" : "", PQgetvalue(res, i, 1), risk);
		json_array_append_new(bars, row);
	}
	json_object_set_new(rk, "bars", bars);
	if (PQntuples(res) > 0 && atoll(PQgetvalue(res, 0, 6)) > 0) {
		long long n = atoll(PQgetvalue(res, 0, 6));
		char c[96], t[200], g[32], mx[32];
		snprintf(t, sizeof(t), "%s at risk: total risk %s, at most %s each",
		         view_count(n, "other customer", "other customers", c), view_grouped(atoll(PQgetvalue(res, 0, 7)), g),
		         view_grouped(atoll(PQgetvalue(res, 0, 8)), mx));
		json_object_set_new(rk, "rest", json_pack("{s:I, s:I, s:I, s:s}", "count", (json_int_t)n, "total",
		                                          (json_int_t)atoll(PQgetvalue(res, 0, 7)), "max",
		                                          (json_int_t)atoll(PQgetvalue(res, 0, 8)), "text", t));
		buf_printf(&sum, "; and %s", t);
	}
	json_object_set_new(rk, "summary", json_string(sum.data ? sum.data : ""));
	buf_free(&sum);
	return rk;
}

/* Each velocity row's cells, critical to low: {text ("< 1 day", "3.5
 * days"), none (no finding of it fixed: "–")}. */
static void velocity_cells(json_t *list)
{
	size_t i;
	int s;

	for (i = 0; i < json_array_size(list); i++) {
		json_t *row = json_array_get(list, i), *cells = json_array();
		for (s = 0; s < 4; s++) {
			const char *d = json_string_value(json_object_get(row, sevs[s]));
			char b[32];
			json_array_append_new(cells, json_pack("{s:s, s:s, s:b}", "severity", sevs[s], "text",
			                                       view_days(d, b), "none", d == NULL));
		}
		json_object_set_new(row, "cells", cells);
	}
}

enum res page_analytics(struct req *req)
{
	long page = http_page(req);
	char id[24], pg[24];
	char lim[16];
	const char *params[1] = {id}, *vparams[2] = {id, pg}, *rparams[2] = {id, lim};
	json_t *m = view_model(req), *list, *byco;
	PGresult *res;
	enum res r;
	int i;

	if (strcmp(req->tenant->kind, "company") == 0)
		return R_NOT_FOUND;
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	snprintf(pg, sizeof(pg), "%ld", page);
	res = db_exec(&st_exposure, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_t *row = json_pack("{s:I, s:s, s:I, s:I}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)), "name",
		                        PQgetvalue(res, i, 1), "score", (json_int_t)atoll(PQgetvalue(res, i, 2)), "risk",
		                        (json_int_t)atoll(PQgetvalue(res, i, 3)));
		json_object_set_new(row, "critical", json_integer(atoll(PQgetvalue(res, i, 4))));
		json_object_set_new(row, "high", json_integer(atoll(PQgetvalue(res, i, 5))));
		json_object_set_new(row, "medium", json_integer(atoll(PQgetvalue(res, i, 6))));
		json_object_set_new(row, "low", json_integer(atoll(PQgetvalue(res, i, 7))));
		json_object_set_new(row, "incidents_open", json_integer(atoll(PQgetvalue(res, i, 8))));
		json_array_append_new(list, row);
	}
	PQclear(res);
	json_object_set_new(m, "exposure", list);

	snprintf(lim, sizeof(lim), "%d", RISK_TOP);
	res = db_exec(&st_risk, rparams, &r);
	if (res == NULL)
		return r;
	json_object_set_new(m, "risk_posture", risk_model(res));
	PQclear(res);

	res = db_exec(&st_growth, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		long now = atol(PQgetvalue(res, i, 2)), before = atol(PQgetvalue(res, i, 3));
		json_array_append_new(list, json_pack("{s:I, s:s, s:I, s:I, s:I}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)),
		                                      "name", PQgetvalue(res, i, 1), "this_week", (json_int_t)now,
		                                      "last_week", (json_int_t)before, "change", (json_int_t)(now - before)));
	}
	PQclear(res);
	json_object_set_new(m, "growth", list);

	/* Velocity: one row per customer with a median per severity. */
	res = db_exec(&st_velocity, vparams, &r);
	if (res == NULL)
		return r;
	list = json_array();
	byco = NULL;
	for (i = 0; i < PQntuples(res); i++) {
		long long cid = atoll(PQgetvalue(res, i, 0));
		if (byco == NULL || json_integer_value(json_object_get(byco, "id")) != cid) {
			byco = json_pack("{s:I, s:s}", "id", (json_int_t)cid, "name", PQgetvalue(res, i, 1));
			json_array_append_new(list, byco);
		}
		if (!PQgetisnull(res, i, 2))
			json_object_set_new(byco, PQgetvalue(res, i, 2), json_string(PQgetvalue(res, i, 3)));
	}
	if (PQntuples(res) > 0 && strcmp(PQgetvalue(res, 0, 5), "t") == 0) {
		/* Over 200 customers: by name, 50 a page. */
		long total = atol(PQgetvalue(res, 0, 4));
		json_object_set_new(m, "velocity_total", json_integer(total));
		view_pages(m, page, (total + 49) / 50);
	}
	PQclear(res);
	velocity_cells(list);
	json_object_set_new(m, "velocity", list);
	req->template = "analytics";
	json_object_set_new(m, "page_title", json_string("Analytics"));
	return R_SUCCESS;
}
