/* findings.c - the assets and vulnerabilities of a tenant and everything
 * below it, filtered and paginated (the company drill-down). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "db.h"
#include "pages.h"
#include "view.h"

#define PAGE_ROWS 50

DB_STMT(st_vulns, 5,
        "SELECT v.id, t.name, v.cve, v.severity, coalesce(a.name, ''), to_char(v.first_seen, 'YYYY-MM-DD'),"
        " to_char(v.fixed_at, 'YYYY-MM-DD'), count(*) OVER ()"
        " FROM vulnerabilities v JOIN tenants t ON t.id = v.tenant_id LEFT JOIN assets a ON a.id = v.asset_id"
        " WHERE $1::bigint = ANY (t.ancestors)"
        "   AND ($2 = '' OR v.severity = $2)"
        "   AND ($3 = '' OR v.cve = upper($3))"
        "   AND ($4 = 'all' OR ($4 = 'open') = (v.fixed_at IS NULL))"
        " ORDER BY array_position(ARRAY['critical','high','medium','low'], v.severity), v.first_seen DESC, v.id DESC"
        " LIMIT 50 OFFSET $5::int * 50");
DB_STMT(st_assets, 3,
        "SELECT a.id, t.name, a.kind, a.name, coalesce(a.address, ''), to_char(a.updated_at, 'YYYY-MM-DD HH24:MI'),"
        " count(*) OVER ()"
        " FROM assets a JOIN tenants t ON t.id = a.tenant_id"
        " WHERE $1::bigint = ANY (t.ancestors) AND ($2 = '' OR a.kind = $2)"
        " ORDER BY a.kind, lower(a.name), a.id LIMIT 50 OFFSET $3::int * 50");

static long page_of(struct req *req)
{
	const char *p = http_query(req, "page");
	long page = p ? strtol(p, NULL, 10) : 1;

	return page < 1 || page > 100000 ? 1 : page;
}

/* Set prev/next links and the total in the model. */
static void pager(json_t *m, long page, long total)
{
	json_object_set_new(m, "total", json_integer(total));
	json_object_set_new(m, "page", json_integer(page));
	if (page > 1)
		json_object_set_new(m, "prev_page", json_integer(page - 1));
	if (page * PAGE_ROWS < total)
		json_object_set_new(m, "next_page", json_integer(page + 1));
}

/* A CVE filter is an id like CVE-2024-3400 (any case) or nothing. */
static int is_cve(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 13 || n > 17 || strncasecmp(s, "CVE-", 4) != 0 || s[8] != '-')
		return 0;
	for (i = 4; i < n; i++)
		if (i != 8 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

enum res page_vulnerabilities(struct req *req)
{
	static const char *const sevs[] = {"critical", "high", "medium", "low", NULL};
	static const char *const statuses[] = {"open", "fixed", "all", NULL};
	const char *severity = http_choice(http_query(req, "severity"), sevs, "");
	const char *status = http_choice(http_query(req, "status"), statuses, "open");
	const char *cve = http_query(req, "cve");
	long page = page_of(req), total = 0;
	char id[24], pg[24];
	const char *params[5] = {id, severity, NULL, status, pg};
	json_t *m = view_model(req), *list;
	PGresult *res;
	enum res r;
	int i;

	if (cve == NULL)
		cve = "";
	if (*cve != '\0' && !is_cve(cve)) {
		req->status = 400;
		json_object_set_new(m, "cve_error", json_string("Use a CVE id like CVE-2024-3400."));
		cve = "";
	}
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	snprintf(pg, sizeof(pg), "%ld", page - 1);
	params[2] = cve;
	res = db_exec(&st_vulns, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_t *row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)),
		                        "tenant", PQgetvalue(res, i, 1), "cve", PQgetvalue(res, i, 2), "severity",
		                        PQgetvalue(res, i, 3), "asset", PQgetvalue(res, i, 4), "first_seen",
		                        PQgetvalue(res, i, 5));
		if (!PQgetisnull(res, i, 6))
			json_object_set_new(row, "fixed", json_string(PQgetvalue(res, i, 6)));
		json_array_append_new(list, row);
		total = atol(PQgetvalue(res, i, 7));
	}
	PQclear(res);
	req->template = "vulnerabilities";
	json_object_set_new(m, "vulnerabilities", list);
	json_object_set_new(m, "filter", json_pack("{s:s, s:s, s:s, s:b, s:b, s:b}", "severity", severity, "status",
	                                           status, "cve", http_query(req, "cve") ? http_query(req, "cve") : "",
	                                           "is_open", strcmp(status, "open") == 0, "is_fixed",
	                                           strcmp(status, "fixed") == 0, "is_all", strcmp(status, "all") == 0));
	pager(m, page, total);
	json_object_set_new(m, "page_title", json_string("Vulnerabilities"));
	return R_SUCCESS;
}

enum res page_assets(struct req *req)
{
	static const char *const kinds[] = {"probe", "agent", "discovered", "external", NULL};
	const char *kind = http_choice(http_query(req, "kind"), kinds, "");
	long page = page_of(req), total = 0;
	char id[24], pg[24];
	const char *params[3] = {id, kind, pg};
	json_t *m = view_model(req), *list;
	PGresult *res;
	enum res r;
	int i;

	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	snprintf(pg, sizeof(pg), "%ld", page - 1);
	res = db_exec(&st_assets, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s}", "id",
		                                      (json_int_t)atoll(PQgetvalue(res, i, 0)), "tenant", PQgetvalue(res, i, 1),
		                                      "kind", PQgetvalue(res, i, 2), "name", PQgetvalue(res, i, 3), "address",
		                                      PQgetvalue(res, i, 4), "updated", PQgetvalue(res, i, 5)));
		total = atol(PQgetvalue(res, i, 6));
	}
	PQclear(res);
	req->template = "assets";
	json_object_set_new(m, "assets", list);
	json_object_set_new(m, "filter", json_pack("{s:s}", "kind", kind));
	pager(m, page, total);
	json_object_set_new(m, "page_title", json_string("Assets"));
	return R_SUCCESS;
}
