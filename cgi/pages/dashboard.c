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

/* The whole overview and one page of the table in one statement
 * (sql/021_fast_dashboards.sql): $1 tenant, $2 hours of the incident
 * period, $3 search, $4 sort key, $5 'asc' or 'desc', $6 limit, $7 offset.
 * Both functions apply the visibility rule; the overview is NULL for a
 * tenant the viewer may not see. */
DB_STMT(st_page, 7,
        "SELECT dashboard_overview($1::bigint, $2::int),"
        " (SELECT coalesce(json_agg(r), '[]') FROM tenant_children_rows($1::bigint, $3, $4, $5, $6::int, $7::int) r)");
DB_STMT(st_rows, 6,
        "SELECT id, name, kind, region, companies, probes, agents, discovered, external, vulns, critical, high, medium,"
        " low, open_critical, request, total FROM tenant_children_rows($1::bigint, $2, $3, $4, $5::int, $6::int)");

/* An SVG polyline's points for values over a 600 x 200 box (y grows down). */
static void polyline(struct buf *b, const long long *v, int n, long long max)
{
	int i;

	for (i = 0; i < n; i++)
		buf_printf(b, "%s%d,%lld", i ? " " : "", n > 1 ? i * 600 / (n - 1) : 0, 200 - v[i] * 185 / (max ? max : 1));
}

/* The 30-day trend (an array of {day, open, critical}) as the model's
 * "trend": the days plus the SVG polylines. Takes ownership of days. */
static json_t *trend_model(json_t *days)
{
	long long all[30], crit[30], max = 0;
	struct buf pa = BUF_INIT, pc = BUF_INIT;
	json_t *t;
	int i, n;

	if (!json_is_array(days)) {
		json_decref(days);
		days = json_array();
	}
	n = json_array_size(days) < 30 ? (int)json_array_size(days) : 30;
	for (i = 0; i < n; i++) {
		all[i] = json_integer_value(json_object_get(json_array_get(days, (size_t)i), "open"));
		crit[i] = json_integer_value(json_object_get(json_array_get(days, (size_t)i), "critical"));
		if (all[i] > max)
			max = all[i];
	}
	polyline(&pa, all, n, max);
	polyline(&pc, crit, n, max);
	t = json_pack("{s:s, s:s, s:I, s:s, s:s}", "points_all", pa.data ? pa.data : "", "points_critical",
	              pc.data ? pc.data : "", "max", (json_int_t)max, "first",
	              n ? json_string_value(json_object_get(json_array_get(days, 0), "day")) : "", "last",
	              n ? json_string_value(json_object_get(json_array_get(days, (size_t)n - 1), "day")) : "");
	json_object_set_new(t, "days", days);
	buf_free(&pa);
	buf_free(&pc);
	return t;
}

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

/* A tenant row of the model ({id, name, kind} from the database) gains
 * the is_mssp / is_msp / is_company flags the templates test. */
static void kind_flags(json_t *row)
{
	const char *kind = json_string_value(json_object_get(row, "kind"));

	kind = kind ? kind : "";
	json_object_set_new(row, "is_mssp", json_boolean(strcmp(kind, "mssp") == 0));
	json_object_set_new(row, "is_msp", json_boolean(strcmp(kind, "msp") == 0));
	json_object_set_new(row, "is_company", json_boolean(strcmp(kind, "company") == 0));
}

/* The totals (dashboard_overview's "stats") plus the figures derived from
 * them: vulnerabilities, assets, the empty state, the bars and the donut. */
static void stats_model(json_t *stats)
{
	static const char *const sev_keys[4] = {"critical", "high", "medium", "low"};
	static const char *const inv_keys[4] = {"probes", "agents", "discovered", "external"};
	long long sev[4], inv[4];
	int i;

	for (i = 0; i < 4; i++) {
		sev[i] = json_integer_value(json_object_get(stats, sev_keys[i]));
		inv[i] = json_integer_value(json_object_get(stats, inv_keys[i]));
	}
	json_object_set_new(stats, "vulns", json_integer(sev[0] + sev[1] + sev[2] + sev[3]));
	json_object_set_new(stats, "assets", json_integer(inv[0] + inv[1] + inv[2] + inv[3]));
	/* Mustache treats 0 as true: the empty state needs a real boolean. */
	json_object_set_new(stats, "empty", json_boolean(inv[0] + inv[1] + inv[2] + inv[3] == 0 &&
	                                                 sev[0] + sev[1] + sev[2] + sev[3] == 0));
	json_object_set_new(stats, "severity", severity_bars(sev));
	json_object_set_new(stats, "donut", inventory_donut(inv));
}

/* The incident overview for the period (24h, 7d, 30d) from the windows. */
static json_t *incidents_model(json_t *windows, json_t *at_risk, const char *period, const char *label)
{
	json_int_t opened = json_integer_value(json_object_get(windows, "opened")),
	           closed = json_integer_value(json_object_get(windows, "closed"));
	json_t *inc = json_pack("{s:I, s:s, s:s, s:I, s:I, s:b, s:b, s:b, s:o}", "new_24h",
	                        json_integer_value(json_object_get(windows, "new_24h")), "period", period, "period_label",
	                        label, "opened", opened, "closed", closed, "is_24h", strcmp(period, "24h") == 0, "is_7d",
	                        strcmp(period, "7d") == 0, "is_30d", strcmp(period, "30d") == 0, "at_risk",
	                        json_is_array(at_risk) ? json_incref(at_risk) : json_array());

	/* Resolution rate: closed vs opened in the period, in percent (may
	 * exceed 100 when older incidents are closed). */
	if (opened > 0)
		json_object_set_new(inc, "resolution_rate", json_integer(closed * 100 / opened));
	return inc;
}

/* The table's model: sort headings, paging, the search for links. */
static void table_model(json_t *m, const struct table_query *tq, long total, int is_mssp)
{
	long pages = total ? (total + PAGE_ROWS - 1) / PAGE_ROWS : 1;
	json_t *cols = json_array(), *table;
	struct buf qe = BUF_INIT;
	size_t c;

	for (c = 0; c < NCOLUMNS; c++) {
		int active = strcmp(columns[c].key, tq->sort) == 0;
		if (!(is_mssp ? columns[c].mssp : columns[c].msp))
			continue;
		json_array_append_new(cols, json_pack("{s:s, s:s, s:b, s:s, s:s}", "key", columns[c].key, "label",
		                                      columns[c].label, "active", active, "next_dir",
		                                      active && strcmp(tq->dir, "asc") == 0 ? "desc" : "asc", "arrow",
		                                      active ? (strcmp(tq->dir, "asc") == 0 ? "▲" : "▼") : ""));
	}
	json_object_set_new(m, "columns", cols);
	json_object_set_new(m, "children_count", json_integer(total));
	http_url_encode(&qe, tq->q);
	table = json_pack("{s:s, s:s, s:s, s:i, s:i, s:b, s:b, s:I, s:I, s:s}", "q", tq->q, "sort", tq->sort, "dir",
	                  tq->dir, "page", (int)tq->page, "pages", (int)pages, "has_prev", tq->page > 1, "has_next",
	                  tq->page < pages, "prev", (json_int_t)(tq->page - 1), "next", (json_int_t)(tq->page + 1),
	                  "q_url", qe.data ? qe.data : "");
	buf_free(&qe);
	json_object_set_new(m, "table", table);
}

enum res page_tenant(struct req *req)
{
	static const char *const notices[][2] = {
	    {"created", "Tenant created."}, {"renamed", "Tenant renamed."}, {"archived", "Tenant archived."}};
	const struct tenant_ctx *t = req->tenant;
	json_t *m = view_model(req), *ov, *rows, *list;
	int is_mssp = strcmp(t->kind, "mssp") == 0, is_company = strcmp(t->kind, "company") == 0;
	const char *period = http_query(req, "period"), *done = http_query(req, "done");
	const char *hours = "24", *label = "24 h";
	char id[24], lim[16], off[24];
	const char *params[7] = {id, hours, "", "name", "asc", lim, off};
	struct table_query tq;
	json_error_t jerr;
	PGresult *res;
	enum res r;
	size_t i;
	long total = 0;

	if (period != NULL && strcmp(period, "7d") == 0)
		hours = "168", label = "7 days";
	else if (period != NULL && strcmp(period, "30d") == 0)
		hours = "720", label = "30 days";
	else
		period = "24h";
	read_query(req, &tq);
	snprintf(id, sizeof(id), "%lld", t->id);
	snprintf(lim, sizeof(lim), "%d", is_company ? 0 : PAGE_ROWS);
	snprintf(off, sizeof(off), "%ld", (tq.page - 1) * PAGE_ROWS);
	params[1] = hours;
	params[2] = tq.q;
	params[3] = tq.sort;
	params[4] = tq.dir;
	req->template = "tenant";
	res = db_exec(&st_page, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return R_NOT_FOUND; /* archived or hidden since the tenant context was read */
	}
	ov = json_loads(PQgetvalue(res, 0, 0), 0, &jerr);
	rows = json_loads(PQgetvalue(res, 0, 1), 0, &jerr);
	PQclear(res);
	if (!json_is_object(ov) || !json_is_array(rows)) {
		json_decref(ov);
		json_decref(rows);
		return R_INTERNAL;
	}
	list = json_object_get(ov, "ancestors");
	for (i = 0; i < json_array_size(list); i++)
		kind_flags(json_array_get(list, i));
	json_object_set_new(m, "ancestors", json_is_array(list) ? json_incref(list) : json_array());
	list = json_object_get(ov, "stats");
	list = json_is_object(list) ? json_incref(list) : json_object();
	stats_model(list);
	json_object_set_new(m, "stats", list);
	json_object_set_new(m, "trend", trend_model(json_incref(json_object_get(ov, "trend"))));
	list = json_object_get(ov, "top_cves");
	json_object_set_new(m, "top_cves", json_is_array(list) ? json_incref(list) : json_array());
	json_object_set_new(m, "incidents",
	                    incidents_model(json_object_get(ov, "windows"), json_object_get(ov, "at_risk"), period, label));
	json_decref(ov);
	if (!is_company) {
		for (i = 0; i < json_array_size(rows); i++) {
			json_t *row = json_array_get(rows, i);
			kind_flags(row);
			total = (long)json_integer_value(json_object_get(row, "total"));
			json_object_del(row, "total");
			if (json_is_null(json_object_get(row, "request")))
				json_object_del(row, "request");
		}
		json_object_set(m, "children", rows);
		table_model(m, &tq, total, is_mssp);
	}
	json_decref(rows);
	json_object_set_new(m, "children_label", json_string(is_mssp ? "MSPs" : "Companies"));
	json_object_set_new(m, "page_title", json_string(t->name));
	json_object_set_new(m, "child_kind", json_string(is_mssp ? "MSP" : "company"));
	for (i = 0; done && i < sizeof(notices) / sizeof(notices[0]); i++)
		if (strcmp(done, notices[i][0]) == 0)
			json_object_set_new(m, "notice", json_string(notices[i][1]));
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
