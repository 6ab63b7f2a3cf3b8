/* analytics.c - cross-tenant analytics of the customers below a tenant
 * (docs/dashboards.md has the formulas):
 * - exposure: open vulnerabilities weighted by severity (rollups);
 * - risk posture: the dashboard's risk score, side by side with exposure;
 * - fastest-growing incident counts: opened this week vs the week before;
 * - remediation velocity: median days to fix, per severity, per customer,
 *   over the findings fixed in the last 90 days.
 * Every query runs under Row-Level Security: only visible customers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "db.h"
#include "pages.h"
#include "view.h"

DB_STMT(st_exposure, 1,
        "SELECT c.id, c.name, 10 * s.vuln_critical + 5 * s.vuln_high + 2 * s.vuln_medium + s.vuln_low AS exposure,"
        " 10 * s.incidents_open_critical + 3 * (s.incidents_open - s.incidents_open_critical) + s.vuln_critical AS risk,"
        " s.vuln_critical, s.vuln_high, s.vuln_medium, s.vuln_low, s.incidents_open"
        " FROM tenants c JOIN tenant_stats s ON s.tenant_id = c.id"
        " WHERE $1::bigint = ANY (c.ancestors) AND c.kind = 'company' AND c.status = 'active'"
        " ORDER BY exposure DESC, c.name LIMIT 15");
DB_STMT(st_growth, 1,
        "SELECT c.id, c.name,"
        " count(*) FILTER (WHERE i.opened_at > now() - interval '7 days') AS this_week,"
        " count(*) FILTER (WHERE i.opened_at <= now() - interval '7 days') AS last_week"
        " FROM incidents i JOIN tenants c ON c.id = i.tenant_id"
        " WHERE i.opened_at > now() - interval '14 days' AND $1::bigint = ANY (c.ancestors)"
        " GROUP BY c.id, c.name"
        " HAVING count(*) FILTER (WHERE i.opened_at > now() - interval '7 days') >"
        "        count(*) FILTER (WHERE i.opened_at <= now() - interval '7 days')"
        " ORDER BY count(*) FILTER (WHERE i.opened_at > now() - interval '7 days') -"
        "          count(*) FILTER (WHERE i.opened_at <= now() - interval '7 days') DESC, c.name LIMIT 15");
DB_STMT(st_velocity, 1,
        "SELECT c.id, c.name, v.severity,"
        " round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM v.fixed_at - v.first_seen) / 86400))"
        "   ::numeric, 1), count(*)"
        " FROM vulnerabilities v JOIN tenants c ON c.id = v.tenant_id"
        " WHERE v.fixed_at > now() - interval '90 days' AND v.fixed_at >= v.first_seen"
        "   AND $1::bigint = ANY (c.ancestors)"
        " GROUP BY c.id, c.name, v.severity ORDER BY c.name, array_position(ARRAY['critical','high','medium','low'], v.severity)");

enum res page_analytics(struct req *req)
{
	char id[24];
	const char *params[1] = {id};
	json_t *m = view_model(req), *list, *byco;
	PGresult *res;
	enum res r;
	int i;

	if (strcmp(req->tenant->kind, "company") == 0)
		return R_NOT_FOUND;
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	res = db_exec(&st_exposure, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_t *row = json_pack("{s:I, s:s, s:I, s:I}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)), "name",
		                        PQgetvalue(res, i, 1), "exposure", (json_int_t)atoll(PQgetvalue(res, i, 2)), "risk",
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

	res = db_exec(&st_growth, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		long now = atol(PQgetvalue(res, i, 2)), before = atol(PQgetvalue(res, i, 3));
		json_array_append_new(list, json_pack("{s:I, s:s, s:I, s:I, s:I}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)),
		                                      "name", PQgetvalue(res, i, 1), "this_week", (json_int_t)now,
		                                      "last_week", (json_int_t)before, "growth", (json_int_t)(now - before)));
	}
	PQclear(res);
	json_object_set_new(m, "growth", list);

	/* Velocity: one row per customer with a median per severity. */
	res = db_exec(&st_velocity, params, &r);
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
		json_object_set_new(byco, PQgetvalue(res, i, 2), json_string(PQgetvalue(res, i, 3)));
	}
	PQclear(res);
	json_object_set_new(m, "velocity", list);
	req->template = "analytics";
	json_object_set_new(m, "page_title", json_string("Analytics"));
	return R_SUCCESS;
}
