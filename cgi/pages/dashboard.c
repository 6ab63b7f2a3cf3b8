/* dashboard.c - a tenant's overview: inventory, vulnerabilities and
 * incidents from the rollups (tenant_stats: one row per tenant, covering
 * everything below it), and the table of the tenants one level down (MSPs
 * of an MSSP, companies of an MSP) with their own totals: sortable by every
 * column, searchable, paginated, exportable as CSV. The cost is one row per
 * tenant on screen, whatever the number of assets or findings stored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "db.h"
#include "pages.h"
#include "view.h"

#define PAGE_ROWS 50
#define EXPORT_ROWS 50000

DB_STMT(st_ancestors, 1,
        "SELECT a.id, a.name, a.kind FROM tenants t JOIN tenants a ON a.id = ANY (t.ancestors)"
        " WHERE t.id = $1::bigint AND a.id <> t.id ORDER BY array_position(t.ancestors, a.id)");
DB_STMT(st_stats, 1,
        "SELECT coalesce(s.probes, 0), coalesce(s.agents, 0), coalesce(s.discovered, 0), coalesce(s.external, 0),"
        " coalesce(s.vuln_critical, 0), coalesce(s.vuln_high, 0), coalesce(s.vuln_medium, 0),"
        " coalesce(s.vuln_low, 0), coalesce(s.incidents_open, 0), coalesce(s.incidents_open_critical, 0),"
        " (SELECT count(*) FROM tenants c WHERE $1::bigint = ANY (c.ancestors) AND c.kind = 'msp'"
        "   AND c.id <> $1::bigint AND c.status = 'active'),"
        " (SELECT count(*) FROM tenants c WHERE $1::bigint = ANY (c.ancestors) AND c.kind = 'company'"
        "   AND c.id <> $1::bigint AND c.status = 'active')"
        " FROM (SELECT $1::bigint AS id) t LEFT JOIN tenant_stats s ON s.tenant_id = t.id");
/* Incidents opened in the last 24 h, and opened / closed within the
 * chosen period, below the tenant ($2: hours). Index range scans on
 * opened_at / closed_at: cost follows the window, not the history. */
DB_STMT(st_windows, 2,
        "SELECT (SELECT count(*) FROM incidents i JOIN tenants t ON t.id = i.tenant_id"
        "         WHERE i.opened_at > now() - interval '24 hours' AND $1::bigint = ANY (t.ancestors)),"
        "       (SELECT count(*) FROM incidents i JOIN tenants t ON t.id = i.tenant_id"
        "         WHERE i.opened_at > now() - make_interval(hours => $2::int) AND $1::bigint = ANY (t.ancestors)),"
        "       (SELECT count(*) FROM incidents i JOIN tenants t ON t.id = i.tenant_id"
        "         WHERE i.closed_at > now() - make_interval(hours => $2::int) AND $1::bigint = ANY (t.ancestors))");
/* Most at-risk customers (docs/dashboards.md): risk = 10 x open critical
 * incidents + 3 x other open incidents + open critical vulnerabilities;
 * read from the rollups of the companies below. */
DB_STMT(st_at_risk, 1,
        "SELECT c.id, c.name, 10 * s.incidents_open_critical + 3 * (s.incidents_open - s.incidents_open_critical)"
        "   + s.vuln_critical AS risk, s.incidents_open_critical, s.incidents_open, s.vuln_critical"
        " FROM tenants c JOIN tenant_stats s ON s.tenant_id = c.id"
        " WHERE $1::bigint = ANY (c.ancestors) AND c.kind = 'company' AND c.status = 'active'"
        "   AND s.incidents_open + s.vuln_critical > 0"
        " ORDER BY risk DESC, c.name LIMIT 5");

/* Open vulnerabilities (all, critical) at the end of each of the last 30
 * days: open now, minus what was found after that day, plus what was fixed
 * after it (vuln_daily, sql/019_trends.sql): at most 30 rows read. */
DB_STMT(st_trend, 1,
        "WITH now_open AS (SELECT coalesce((SELECT vuln_critical + vuln_high + vuln_medium + vuln_low"
        "   FROM tenant_stats WHERE tenant_id = $1::bigint), 0) AS o,"
        "   coalesce((SELECT vuln_critical FROM tenant_stats WHERE tenant_id = $1::bigint), 0) AS oc),"
        " later AS (SELECT day, found, fixed, found_critical, fixed_critical FROM vuln_daily"
        "   WHERE tenant_id = $1::bigint AND day > current_date - 30)"
        " SELECT to_char(d, 'MM-DD'),"
        "   o - coalesce((SELECT sum(found) - sum(fixed) FROM later WHERE day > d), 0),"
        "   oc - coalesce((SELECT sum(found_critical) - sum(fixed_critical) FROM later WHERE day > d), 0)"
        " FROM generate_series(current_date - 29, current_date, interval '1 day') AS g(d), now_open ORDER BY d");
DB_STMT(st_top_cves, 1,
        "SELECT cve, open FROM cve_open WHERE tenant_id = $1::bigint AND open > 0 ORDER BY open DESC, cve LIMIT 10");

/* An SVG polyline's points for values over a 600 x 200 box (y grows down). */
static void polyline(struct buf *b, const long long *v, int n, long long max)
{
	int i;

	for (i = 0; i < n; i++)
		buf_printf(b, "%s%d,%lld", i ? " " : "", n > 1 ? i * 600 / (n - 1) : 0, 200 - v[i] * 185 / (max ? max : 1));
}

/* The trend and the top CVEs into the model. */
static enum res trends(struct req *req, const char *const *params)
{
	json_t *m = view_model(req), *labels = json_array(), *list;
	long long all[30], crit[30], max = 0;
	struct buf pa = BUF_INIT, pc = BUF_INIT;
	PGresult *res;
	enum res r;
	int i, n;

	res = db_exec(&st_trend, params, &r);
	if (res == NULL) {
		json_decref(labels);
		return r;
	}
	n = PQntuples(res) < 30 ? PQntuples(res) : 30;
	for (i = 0; i < n; i++) {
		all[i] = atoll(PQgetvalue(res, i, 1));
		crit[i] = atoll(PQgetvalue(res, i, 2));
		if (all[i] > max)
			max = all[i];
		json_array_append_new(labels, json_pack("{s:s, s:I, s:I}", "day", PQgetvalue(res, i, 0), "open",
		                                        (json_int_t)all[i], "critical", (json_int_t)crit[i]));
	}
	PQclear(res);
	polyline(&pa, all, n, max);
	polyline(&pc, crit, n, max);
	json_object_set_new(m, "trend", json_pack("{s:o, s:s, s:s, s:I, s:s, s:s}", "days", labels, "points_all",
	                                          pa.data ? pa.data : "", "points_critical", pc.data ? pc.data : "",
	                                          "max", (json_int_t)max, "first", n ? json_string_value(json_object_get(
	                                                                                json_array_get(labels, 0), "day"))
	                                                                         : "",
	                                          "last", n ? json_string_value(json_object_get(
	                                                          json_array_get(labels, (size_t)n - 1), "day"))
	                                                    : ""));
	buf_free(&pa);
	buf_free(&pc);
	res = db_exec(&st_top_cves, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++)
		json_array_append_new(list, json_pack("{s:s, s:I}", "cve", PQgetvalue(res, i, 0), "open",
		                                      (json_int_t)atoll(PQgetvalue(res, i, 1))));
	PQclear(res);
	json_object_set_new(m, "top_cves", list);
	return R_SUCCESS;
}

/* The tenants one level down with their totals. $2 search, $3 sort key
 * (from a fixed list), $4 'asc' or 'desc', $5 limit, $6 offset. */
DB_STMT(st_rows, 6,
        "SELECT c.id, c.name, c.kind, c.region,"
        " (SELECT count(*) FROM tenants g WHERE g.parent_id = c.id AND g.status = 'active') AS companies,"
        " coalesce(s.probes, 0) AS probes, coalesce(s.agents, 0) AS agents,"
        " coalesce(s.discovered, 0) AS discovered, coalesce(s.external, 0) AS external,"
        " coalesce(s.vuln_critical + s.vuln_high + s.vuln_medium + s.vuln_low, 0) AS vulns,"
        " coalesce(s.vuln_critical, 0) AS critical, coalesce(s.vuln_high, 0) AS high,"
        " coalesce(s.vuln_medium, 0) AS medium, coalesce(s.vuln_low, 0) AS low,"
        " coalesce(s.incidents_open_critical, 0) AS open_critical,"
        " (SELECT msp_request_status(q) FROM msp_requests q WHERE q.msp_tenant_id = c.id"
        "   ORDER BY q.created_at DESC, q.id DESC LIMIT 1) AS request,"
        " count(*) OVER () AS total"
        " FROM tenants c LEFT JOIN tenant_stats s ON s.tenant_id = c.id"
        " WHERE c.parent_id = $1::bigint AND c.status = 'active'"
        "   AND ($2 = '' OR strpos(lower(c.name), lower($2)) > 0)"
        " ORDER BY CASE WHEN $3 = 'name' AND $4 = 'asc' THEN lower(c.name) END ASC,"
        "   CASE WHEN $3 = 'name' AND $4 = 'desc' THEN lower(c.name) END DESC,"
        "   CASE WHEN $4 = 'asc' THEN CASE $3 WHEN 'companies' THEN"
        "     (SELECT count(*) FROM tenants g WHERE g.parent_id = c.id AND g.status = 'active')"
        "     WHEN 'probes' THEN s.probes WHEN 'agents' THEN s.agents WHEN 'discovered' THEN s.discovered"
        "     WHEN 'external' THEN s.external WHEN 'vulns' THEN s.vuln_critical + s.vuln_high + s.vuln_medium + s.vuln_low"
        "     WHEN 'critical' THEN s.vuln_critical WHEN 'high' THEN s.vuln_high WHEN 'medium' THEN s.vuln_medium"
        "     WHEN 'low' THEN s.vuln_low WHEN 'open_critical' THEN s.incidents_open_critical END END ASC NULLS FIRST,"
        "   CASE WHEN $4 = 'desc' THEN CASE $3 WHEN 'companies' THEN"
        "     (SELECT count(*) FROM tenants g WHERE g.parent_id = c.id AND g.status = 'active')"
        "     WHEN 'probes' THEN s.probes WHEN 'agents' THEN s.agents WHEN 'discovered' THEN s.discovered"
        "     WHEN 'external' THEN s.external WHEN 'vulns' THEN s.vuln_critical + s.vuln_high + s.vuln_medium + s.vuln_low"
        "     WHEN 'critical' THEN s.vuln_critical WHEN 'high' THEN s.vuln_high WHEN 'medium' THEN s.vuln_medium"
        "     WHEN 'low' THEN s.vuln_low WHEN 'open_critical' THEN s.incidents_open_critical END END DESC NULLS LAST,"
        "   lower(c.name), c.id"
        " LIMIT $5::int OFFSET $6::int");

/* The table's columns: sort key, heading, and whether it shows for an
 * MSSP (MSPs table) or an MSP (companies table). */
static const struct column {
	const char *key, *label;
	int mssp, msp;
} columns[] = {
    {"name", "Name", 1, 1},         {"companies", "Companies", 1, 0},  {"probes", "Probes", 1, 1},
    {"agents", "Lightweight agents", 1, 1}, {"discovered", "Probe-discovered assets", 1, 1},
    {"external", "External assets", 1, 1}, {"vulns", "Vulnerabilities", 1, 1},
    {"critical", "Critical", 1, 1}, {"high", "High", 1, 1}, {"medium", "Medium", 1, 1}, {"low", "Low", 1, 1},
    {"open_critical", "Open critical incidents", 1, 0},
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

struct table_query {
	const char *q, *sort, *dir;
	long page;
};

static void read_query(struct req *req, struct table_query *tq)
{
	const char *sort = http_query(req, "sort"), *dir = http_query(req, "dir"), *page = http_query(req, "page");
	size_t i;

	tq->q = http_query(req, "q");
	if (tq->q == NULL || strlen(tq->q) > 120)
		tq->q = "";
	tq->sort = "name";
	for (i = 0; sort != NULL && i < NCOLUMNS; i++)
		if (strcmp(sort, columns[i].key) == 0)
			tq->sort = columns[i].key;
	tq->dir = dir != NULL && strcmp(dir, "desc") == 0 ? "desc" : dir != NULL && strcmp(dir, "asc") == 0
	                                                                      ? "asc"
	                                                                      : (strcmp(tq->sort, "name") == 0 ? "asc" : "desc");
	tq->page = page ? strtol(page, NULL, 10) : 1;
	if (tq->page < 1 || tq->page > 100000)
		tq->page = 1;
}

static PGresult *table_rows(struct req *req, const struct table_query *tq, int limit, long offset, enum res *r)
{
	char id[24], lim[16], off[24];
	const char *params[6] = {id, tq->q, tq->sort, tq->dir, lim, off};

	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(off, sizeof(off), "%ld", offset);
	return db_exec(&st_rows, params, r);
}

/* The inventory donut: one arc per asset kind on a circle of circumference
 * 100 (r = 15.9155), as stroke-dasharray lengths and offsets. */
static json_t *inventory_donut(const long long v[4])
{
	static const char *const kinds[4] = {"probe", "agent", "discovered", "external"};
	long long total = v[0] + v[1] + v[2] + v[3], pct[4], sum = 0, done = 0;
	json_t *a = json_array();
	int i, big = 0;

	if (total <= 0)
		return a;
	for (i = 0; i < 4; i++) {
		pct[i] = v[i] * 100 / total;
		sum += pct[i];
		if (v[i] > v[big])
			big = i;
	}
	pct[big] += 100 - sum; /* the rounding rest goes to the largest arc */
	for (i = 0; i < 4; i++) {
		if (pct[i] > 0)
			json_array_append_new(a, json_pack("{s:s, s:I, s:I, s:I}", "kind", kinds[i], "pct", (json_int_t)pct[i],
			                                   "rest", (json_int_t)(100 - pct[i]), "offset",
			                                   (json_int_t)(25 - done)));
		done += pct[i];
	}
	return a;
}

/* Severity bars as SVG geometry: widths are percentages of the largest. */
static json_t *severity_bars(const long long v[4])
{
	static const char *const names[4] = {"critical", "high", "medium", "low"};
	long long max = 1;
	json_t *a = json_array();
	int i;

	for (i = 0; i < 4; i++)
		if (v[i] > max)
			max = v[i];
	for (i = 0; i < 4; i++)
		json_array_append_new(a, json_pack("{s:s, s:I, s:i, s:i, s:i}", "severity", names[i], "count",
		                                   (json_int_t)v[i], "width", (int)(v[i] * 100 / max), "y", i * 28,
		                                   "ty", i * 28 + 15));
	return a;
}

enum res page_tenant(struct req *req)
{
	const struct tenant_ctx *t = req->tenant;
	json_t *m = view_model(req), *list, *cols, *stats;
	int is_mssp = strcmp(t->kind, "mssp") == 0, is_company = strcmp(t->kind, "company") == 0;
	struct table_query tq;
	char id[24];
	const char *params[1] = {id};
	long long sev[4];
	PGresult *res;
	enum res r;
	long total = 0, pages;
	int i;
	size_t c;

	snprintf(id, sizeof(id), "%lld", t->id);
	req->template = "tenant";
	res = db_exec(&st_ancestors, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++)
		json_array_append_new(list, tenant_row(res, i));
	PQclear(res);
	json_object_set_new(m, "ancestors", list);

	res = db_exec(&st_stats, params, &r);
	if (res == NULL)
		return r;
	for (i = 0; i < 4; i++)
		sev[i] = atoll(PQgetvalue(res, 0, 4 + i));
	stats = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "probes",
	                  (json_int_t)atoll(PQgetvalue(res, 0, 0)), "agents", (json_int_t)atoll(PQgetvalue(res, 0, 1)),
	                  "discovered", (json_int_t)atoll(PQgetvalue(res, 0, 2)), "external",
	                  (json_int_t)atoll(PQgetvalue(res, 0, 3)), "vulns",
	                  (json_int_t)(sev[0] + sev[1] + sev[2] + sev[3]), "incidents_open",
	                  (json_int_t)atoll(PQgetvalue(res, 0, 8)), "incidents_open_critical",
	                  (json_int_t)atoll(PQgetvalue(res, 0, 9)), "msps", (json_int_t)atoll(PQgetvalue(res, 0, 10)),
	                  "companies", (json_int_t)atoll(PQgetvalue(res, 0, 11)), "critical", (json_int_t)sev[0],
	                  "high", (json_int_t)sev[1]);
	json_object_set_new(stats, "medium", json_integer(sev[2]));
	json_object_set_new(stats, "low", json_integer(sev[3]));
	json_object_set_new(stats, "assets", json_integer(atoll(PQgetvalue(res, 0, 0)) + atoll(PQgetvalue(res, 0, 1)) +
	                                                  atoll(PQgetvalue(res, 0, 2)) + atoll(PQgetvalue(res, 0, 3))));
	PQclear(res);
	/* Mustache treats 0 as true: the empty state needs a real boolean. */
	json_object_set_new(stats, "empty", json_boolean(json_integer_value(json_object_get(stats, "assets")) == 0 &&
	                                                 sev[0] + sev[1] + sev[2] + sev[3] == 0));
	json_object_set_new(stats, "severity", severity_bars(sev));
	{
		static const char *const inv_keys[4] = {"probes", "agents", "discovered", "external"};
		long long inv[4];
		for (i = 0; i < 4; i++)
			inv[i] = json_integer_value(json_object_get(stats, inv_keys[i]));
		json_object_set_new(stats, "donut", inventory_donut(inv));
	}
	json_object_set_new(m, "stats", stats);
	if ((r = trends(req, params)) != R_SUCCESS)
		return r;

	{
		/* The incident overview: 24 h, 7 d or 30 d. */
		const char *period = http_query(req, "period");
		const char *hours = "24", *label = "24 h";
		const char *wparams[2] = {id, NULL};
		json_t *inc, *risky;
		long opened, closed;

		if (period != NULL && strcmp(period, "7d") == 0)
			hours = "168", label = "7 days";
		else if (period != NULL && strcmp(period, "30d") == 0)
			hours = "720", label = "30 days";
		else
			period = "24h";
		wparams[1] = hours;
		res = db_exec(&st_windows, wparams, &r);
		if (res == NULL)
			return r;
		opened = atol(PQgetvalue(res, 0, 1));
		closed = atol(PQgetvalue(res, 0, 2));
		inc = json_pack("{s:I, s:s, s:s, s:I, s:I, s:b, s:b, s:b}", "new_24h",
		                (json_int_t)atoll(PQgetvalue(res, 0, 0)), "period", period, "period_label", label, "opened",
		                (json_int_t)opened, "closed", (json_int_t)closed, "is_24h", strcmp(period, "24h") == 0,
		                "is_7d", strcmp(period, "7d") == 0, "is_30d", strcmp(period, "30d") == 0);
		/* Resolution rate: closed vs opened in the period, in percent
		 * (may exceed 100 when older incidents are closed). */
		if (opened > 0)
			json_object_set_new(inc, "resolution_rate", json_integer(closed * 100 / opened));
		PQclear(res);
		res = db_exec(&st_at_risk, params, &r);
		if (res == NULL) {
			json_decref(inc);
			return r;
		}
		risky = json_array();
		for (i = 0; i < PQntuples(res); i++)
			json_array_append_new(risky, json_pack("{s:I, s:s, s:I, s:I, s:I, s:I}", "id",
			                                       (json_int_t)atoll(PQgetvalue(res, i, 0)), "name",
			                                       PQgetvalue(res, i, 1), "risk", (json_int_t)atoll(PQgetvalue(res, i, 2)),
			                                       "open_critical", (json_int_t)atoll(PQgetvalue(res, i, 3)),
			                                       "open", (json_int_t)atoll(PQgetvalue(res, i, 4)), "vuln_critical",
			                                       (json_int_t)atoll(PQgetvalue(res, i, 5))));
		PQclear(res);
		json_object_set_new(inc, "at_risk", risky);
		json_object_set_new(m, "incidents", inc);
	}

	if (!is_company) {
		read_query(req, &tq);
		res = table_rows(req, &tq, PAGE_ROWS, (tq.page - 1) * PAGE_ROWS, &r);
		if (res == NULL)
			return r;
		list = json_array();
		for (i = 0; i < PQntuples(res); i++) {
			json_t *row = tenant_row(res, i);
			static const char *const keys[] = {"companies", "probes", "agents", "discovered", "external", "vulns",
			                                   "critical", "high", "medium", "low", "open_critical"};
			json_object_set_new(row, "region", json_string(PQgetvalue(res, i, 3)));
			for (c = 0; c < sizeof(keys) / sizeof(keys[0]); c++)
				json_object_set_new(row, keys[c], json_integer(atoll(PQgetvalue(res, i, 4 + (int)c))));
			if (!PQgetisnull(res, i, 15))
				json_object_set_new(row, "request", json_string(PQgetvalue(res, i, 15)));
			json_array_append_new(list, row);
			total = atol(PQgetvalue(res, i, 16));
		}
		PQclear(res);
		pages = total ? (total + PAGE_ROWS - 1) / PAGE_ROWS : 1;
		json_object_set_new(m, "children", list);
		json_object_set_new(m, "children_count", json_integer(total));
		cols = json_array();
		for (c = 0; c < NCOLUMNS; c++) {
			int active = strcmp(columns[c].key, tq.sort) == 0;
			if (!(is_mssp ? columns[c].mssp : columns[c].msp))
				continue;
			json_array_append_new(cols, json_pack("{s:s, s:s, s:b, s:s, s:s}", "key", columns[c].key, "label",
			                                      columns[c].label, "active", active, "next_dir",
			                                      active && strcmp(tq.dir, "asc") == 0 ? "desc" : "asc",
			                                      "arrow", active ? (strcmp(tq.dir, "asc") == 0 ? "▲" : "▼") : ""));
		}
		json_object_set_new(m, "columns", cols);
		json_object_set_new(m, "table", json_pack("{s:s, s:s, s:s, s:i, s:i, s:b, s:b}", "q", tq.q, "sort", tq.sort,
		                                          "dir", tq.dir, "page", (int)tq.page, "pages", (int)pages,
		                                          "has_prev", tq.page > 1, "has_next", tq.page < pages));
		json_object_set_new(json_object_get(m, "table"), "prev", json_integer(tq.page - 1));
		{
			struct buf qe = BUF_INIT;
			http_url_encode(&qe, tq.q);
			json_object_set_new(json_object_get(m, "table"), "q_url", json_string(qe.data ? qe.data : ""));
			buf_free(&qe);
		}
		json_object_set_new(json_object_get(m, "table"), "next", json_integer(tq.page + 1));
	}
	json_object_set_new(m, "children_label", json_string(is_mssp ? "MSPs" : "Companies"));
	json_object_set_new(m, "page_title", json_string(t->name));
	json_object_set_new(m, "child_kind", json_string(is_mssp ? "MSP" : "company"));
	{
		const char *done = http_query(req, "done");
		static const char *const notices[][2] = {
		    {"created", "Tenant created."}, {"renamed", "Tenant renamed."}, {"archived", "Tenant archived."}};
		for (size_t k = 0; done && k < sizeof(notices) / sizeof(notices[0]); k++)
			if (strcmp(done, notices[k][0]) == 0)
				json_object_set_new(m, "notice", json_string(notices[k][1]));
	}
	return R_SUCCESS;
}

enum res page_tenant_export(struct req *req)
{
	int is_mssp = strcmp(req->tenant->kind, "mssp") == 0;
	struct table_query tq;
	PGresult *res;
	enum res r;
	size_t c;
	int i;

	if (strcmp(req->tenant->kind, "company") == 0)
		return R_NOT_FOUND;
	read_query(req, &tq);
	res = table_rows(req, &tq, EXPORT_ROWS, 0, &r);
	if (res == NULL)
		return r;
	for (c = 0; c < NCOLUMNS; c++) {
		if (!(is_mssp ? columns[c].mssp : columns[c].msp))
			continue;
		if (c)
			buf_putc(&req->body, ',');
		buf_puts(&req->body, columns[c].label);
	}
	if (is_mssp)
		buf_puts(&req->body, ",Request status");
	buf_puts(&req->body, "\r\n");
	for (i = 0; i < PQntuples(res); i++) {
		/* Column c of the table is result column 1 (name) or 3 + c. */
		for (c = 0; c < NCOLUMNS; c++) {
			if (!(is_mssp ? columns[c].mssp : columns[c].msp))
				continue;
			if (c)
				buf_putc(&req->body, ',');
			buf_csv(&req->body, PQgetvalue(res, i, c == 0 ? 1 : 3 + (int)c));
		}
		if (is_mssp) {
			buf_putc(&req->body, ',');
			buf_csv(&req->body, PQgetisnull(res, i, 15) ? "" : PQgetvalue(res, i, 15));
		}
		buf_puts(&req->body, "\r\n");
	}
	PQclear(res);
	if (!buf_ok(&req->body))
		return R_INTERNAL;
	req->body_type = "text/csv; charset=utf-8";
	view_attachment(req, is_mssp ? "msps" : "companies", "csv");
	return R_SUCCESS;
}
