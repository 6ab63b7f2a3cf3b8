/* dashboard.c - a tenant's overview: inventory, vulnerabilities and
 * incidents from the rollups (tenant_stats: one row per tenant, covering
 * everything below it), and the table of the tenants one level down (MSPs
 * of an MSSP, companies of an MSP) with their own totals: sortable by every
 * column, searchable, paginated, exportable as CSV. The cost is one row per
 * tenant on screen, whatever the number of assets or findings stored. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "authz.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "pages.h"
#include "view.h"

#define PAGE_ROWS 50
#define EXPORT_ROWS 50000

/* The whole overview and one page of the table in one statement
 * (dashboard_page(): the dashboard kept on write when it may, else
 * dashboard_board() and tenant_children_rows() computed now): $1
 * tenant, $2 hours of the incident period, $3 search, $4 sort key, $5
 * 'asc' or 'desc', $6 limit, $7 offset.
 * No row for a tenant the viewer may not see; else the dashboard (JSON:
 * "ancestors", "board" with the overview's keys, and "stale" and
 * "lag_until" when said) and the table's rows as lines of
 * dashboard_row_lines() (NULL or '': none; rows_model() reads them): 50
 * rows of 18 columns had been a third of the database's time on a Global
 * view, and parsing them as JSON cost more than reading columns. */
DB_STMT(st_page, 7, "SELECT ov, rows FROM dashboard_page($1::bigint, $2::int, $3, $4, $5, $6::int, $7::int)");
DB_STMT(st_rows, 6,
        "SELECT id, name, kind, region, companies, probes, agents, discovered, external, vulns, critical, high, medium,"
        " low, open_critical, request, total FROM tenant_children_rows($1::bigint, $2, $3, $4, $5::int, $6::int)");

/* What dashboard_docs_refresh() rebuilds once the request is answered:
 * the kept dashboards an ingest batch through a key of due_key's may have
 * made stale, and due_one's, which the page computed for being stale. */
static long long due_key, due_one;

DB_STMT(st_docs_stale, 1, "SELECT t FROM dashboard_docs_stale($1) t");
DB_STMT(st_doc_refresh, 1, "SELECT dashboard_doc_refresh($1)");

/* The table's columns: sort key, heading (the CSV's too), the short
 * heading the page shows (the heading in its title) so that the table fits
 * 1366 px without scrolling, and whether it shows for an MSSP (MSPs table)
 * or an MSP (companies table). */
static const struct column {
	const char *key, *label, *brief;
	int mssp, msp;
} columns[] = {
    {"name", "Name", "Name", 1, 1},
    {"companies", "Companies", "Companies", 1, 0},
    {"probes", "Probes", "Probes", 1, 1},
    {"agents", "Lightweight agents", "Agents", 1, 1},
    {"discovered", "Probe-discovered assets", "Discovered", 1, 1},
    {"external", "External assets", "External", 1, 1},
    {"vulns", "Vulnerabilities", "Vulns", 1, 1},
    {"critical", "Critical", "Crit.", 1, 1},
    {"high", "High", "High", 1, 1},
    {"medium", "Medium", "Med.", 1, 1},
    {"low", "Low", "Low", 1, 1},
    {"open_critical", "Open critical incidents", "Open crit. incidents", 1, 0},
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

struct table_query {
	const char *q, *sort, *dir;
	long page;
};

/* A column's own order: by name ascending, by a figure descending (the
 * most first), as a heading's first click asks for it. */
static const char *column_first_dir(const char *key) { return strcmp(key, "name") == 0 ? "asc" : "desc"; }

static void read_query(struct req *req, struct table_query *tq)
{
	const char *sort = http_query(req, "sort"), *dir = http_query(req, "dir");
	size_t i;

	tq->q = http_query(req, "q");
	if (tq->q == NULL || strlen(tq->q) > 120)
		tq->q = "";
	tq->sort = "name";
	for (i = 0; sort != NULL && i < NCOLUMNS; i++)
		if (strcmp(sort, columns[i].key) == 0)
			tq->sort = columns[i].key;
	tq->dir = http_choice(dir, (const char *const[]){"asc", "desc", NULL}, column_first_dir(tq->sort));
	tq->page = http_page(req);
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

/* The totals (dashboard_overview's "stats") plus the figures derived from
 * them: vulnerabilities, assets, the empty state, the bars and the donut. */
static void stats_model(json_t *stats)
{
	static const char *const sev_keys[4] = {"critical", "high", "medium", "low"};
	static const char *const inv_keys[INVENTORY_KINDS] = {"probes", "agents", "gateways", "discovered",
	                                                      "external"};
	long long sev[4], inv[INVENTORY_KINDS], assets = 0;
	int i;

	for (i = 0; i < 4; i++)
		sev[i] = json_integer_value(json_object_get(stats, sev_keys[i]));
	for (i = 0; i < INVENTORY_KINDS; i++)
		assets += inv[i] = json_integer_value(json_object_get(stats, inv_keys[i]));
	json_object_set_new(stats, "vulns", json_integer(sev[0] + sev[1] + sev[2] + sev[3]));
	json_object_set_new(stats, "assets", json_integer(assets));
	/* Mustache treats 0 as true: the empty state needs a real boolean. */
	json_object_set_new(stats, "empty", json_boolean(assets == 0 && sev[0] + sev[1] + sev[2] + sev[3] == 0));
	json_object_set_new(stats, "critical_open",
	                    json_boolean(json_integer_value(json_object_get(stats, "incidents_open_critical")) > 0));
	json_object_set_new(stats, "severity", severity_bars(sev));
	json_object_set_new(stats, "donut", inventory_donut(inv));
	json_object_set_new(stats, "text", view_numbers(stats));
}

/* Add "KEY_text" (view_count: "1 open incident") to each row of list for
 * the integer KEY. */
static void count_texts(json_t *list, const char *key, const char *one, const char *many)
{
	char b[96], name[48];
	size_t i;

	snprintf(name, sizeof(name), "%s_text", key);
	for (i = 0; i < json_array_size(list); i++) {
		json_t *row = json_array_get(list, i);
		json_object_set_new(row, name, json_string(view_count(json_integer_value(json_object_get(row, key)), one,
		                                                      many, b)));
	}
}

/* The incident overview for the period (24h, 7d, 30d) from the windows. */
static json_t *incidents_model(json_t *windows, json_t *at_risk, const char *period, const char *label)
{
	json_int_t opened = json_integer_value(json_object_get(windows, "opened")),
	           closed = json_integer_value(json_object_get(windows, "closed")),
	           opened_prev = json_integer_value(json_object_get(windows, "opened_prev")),
	           closed_prev = json_integer_value(json_object_get(windows, "closed_prev"));
	char vs[48];
	json_t *inc = json_pack("{s:I, s:s, s:s, s:I, s:I, s:b, s:b, s:b, s:o}", "new_24h",
	                        json_integer_value(json_object_get(windows, "new_24h")), "period", period, "period_label",
	                        label, "opened", opened, "closed", closed, "is_24h", strcmp(period, "24h") == 0, "is_7d",
	                        strcmp(period, "7d") == 0, "is_30d", strcmp(period, "30d") == 0, "at_risk",
	                        json_is_array(at_risk) ? json_incref(at_risk) : json_array());

	at_risk = json_object_get(inc, "at_risk");
	count_texts(at_risk, "open", "open incident", "open incidents");
	count_texts(at_risk, "vuln_critical", "critical vulnerability", "critical vulnerabilities");
	/* The tiles' change against the previous period of the same length;
	 * the resolution rate: closed vs opened in the period, in percent (may
	 * exceed 100 when older incidents are closed). */
	snprintf(vs, sizeof(vs), "vs the previous %s", label);
	json_object_set_new(inc, "new_delta", tile_delta(json_integer_value(json_object_get(windows, "new_24h")),
	                                                 json_integer_value(json_object_get(windows, "new_prev_24h")),
	                                                 "", "vs the previous 24 h", 1));
	if (opened > 0) {
		json_object_set_new(inc, "resolution_rate", json_integer(closed * 100 / opened));
		if (opened_prev > 0)
			json_object_set_new(inc, "rate_delta",
			                    tile_delta(closed * 100 / opened, closed_prev * 100 / opened_prev, " pts", vs, 0));
	}
	return inc;
}

/* The table's model: sort headings, paging, the search for links. */
static void table_model(json_t *m, const struct table_query *tq, long total, int is_mssp)
{
	long pages = total ? (total + PAGE_ROWS - 1) / PAGE_ROWS : 1;
	json_t *cols = json_array(), *table;
	struct buf qe = BUF_INIT;
	size_t c;

	for (c = 0; c < NCOLUMNS; c++)
		if (is_mssp ? columns[c].mssp : columns[c].msp)
			json_array_append_new(cols, view_sort_heading(columns[c].key, columns[c].label, columns[c].brief,
			                                              strcmp(columns[c].key, tq->sort) == 0, tq->dir,
			                                              column_first_dir(columns[c].key)));
	/* A pending request's row: its name, one cell across the figures,
	 * its status. */
	json_object_set_new(m, "pending_span", json_integer((json_int_t)json_array_size(cols) - 1));
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

/* The dashboard's entries live in the worker's page cache (page_cache.c):
 * keyed by tenant, query and the viewer's scope, stamped with the
 * tenant's data version and the UTC hour. tenant_stats.version changes
 * with everything the page shows (the rollups, the series, names and
 * moves below the tenant, requests to MSPs: stats_apply() and the rollup
 * triggers), the windows move with the hour, and an entry whose table
 * shows a pending request lapses when that request expires: so a hit is
 * exactly what the database would answer, without asking it. Once an HTML
 * view has rendered it, the entry keeps the dashboard's markup
 * (partials/dashboard_board: it depends only on what the key and stamps
 * cover, never on the session), so a hit renders only the page around it. */

/* Set board_html in m for an entry c: its markup kept, else rendered now
 * from m and kept in it. Without an entry, nothing: the page renders the
 * partial in its place (templates/dashboard.mustache), not into a string
 * of its own copied into the page. */
static enum res board_html(json_t *m, struct page_cache_entry *c)
{
	struct buf out = BUF_INIT;
	struct mus_error err;

	if (c == NULL)
		return R_SUCCESS;
	if (c->html == NULL) {
		if (view_render_named("partials/dashboard_board", m, &out, &err) != R_SUCCESS || !buf_ok(&out)) {
			log_err("render partials/dashboard_board failed: %s:%d:%d: %s", err.name, err.line, err.col, err.msg);
			buf_free(&out);
			return R_INTERNAL;
		}
		c->html = out.data ? out.data : strdup("");
		c->html_len = out.len;
		if (c->html == NULL)
			return R_INTERNAL;
	}
	json_object_set_new(m, "board_html", json_stringn_nocheck(c->html, c->html_len));
	return R_SUCCESS;
}

/* A line's field as a number, as atoll() reads it (an optional '-', the
 * digits up to the first that is not; at most 18 digits, which the
 * figures, ids and times never reach). Read here rather than by atoll(),
 * whose locale-aware strtoll() was a fifth of the table's model: 600
 * fields a page. */
static long long field_number(const char *p, size_t n)
{
	int negative = n > 0 && p[0] == '-';
	long long v = 0;

	for (size_t i = negative, end = i + 18; i < n && i < end && p[i] >= '0' && p[i] <= '9'; i++)
		v = v * 10 + (p[i] - '0');
	return negative ? -v : v;
}

/* The table's rows from dashboard_row_lines()'s lines (text: one line a
 * row, tab-separated: id, the eleven figures, request_expires, total,
 * request, kind, region, then the name as "<bytes>:<name>"), as the
 * model's "children": {id, name, kind, region, the figures, request},
 * each with its kind's flags. *valid_until: moved to a second before the
 * first pending request of the rows expires (the database rounds the
 * expiry to the nearest second, up to half a second late: the entry lapses
 * a second before it, never after); *total: the children in all. Returns
 * a new array, or NULL when a line is not as written there. */
static json_t *rows_model(const char *text, time_t *valid_until, long *total)
{
	/* set with their lengths, as VIEW_SET() does */
#define KEY(k) {k, sizeof(k) - 1}
	static const struct {
		const char *s;
		size_t n;
	} keys[] = {KEY("companies"), KEY("probes"), KEY("agents"), KEY("discovered"), KEY("external"), KEY("vulns"),
	            KEY("critical"), KEY("high"), KEY("medium"), KEY("low"), KEY("open_critical")};
#undef KEY
	json_t *rows = json_array();
	const char *p = text, *text_end = text + strlen(text);

	while (*p != '\0') {
		const char *f[17], *name;
		size_t len[17], k;
		unsigned long long name_len;
		char *end;
		json_t *row, *v;

		for (k = 0; k < 17; k++) { /* the fields before the name */
			const char *tab = strchr(p, '\t');
			if (tab == NULL || memchr(p, '\n', (size_t)(tab - p)) != NULL)
				goto bad;
			f[k] = p;
			len[k] = (size_t)(tab - p);
			p = tab + 1;
		}
		errno = 0;
		name_len = strtoull(p, &end, 10);
		if (*p < '0' || *p > '9' || *end != ':' || errno != 0 || name_len > (size_t)(text_end - end - 1))
			goto bad;
		name = end + 1;
		p = name + name_len;
		if (*p != '\0' && *p++ != '\n')
			goto bad;
		row = json_object();
		json_array_append_new(rows, row);
		VIEW_SET(row, "id", json_integer(field_number(f[0], len[0])));
		if ((v = json_stringn(name, (size_t)name_len)) == NULL)
			goto bad; /* not UTF-8 */
		VIEW_SET(row, "name", v);
		if ((v = json_stringn(f[15], len[15])) == NULL)
			goto bad;
		VIEW_SET(row, "kind", v);
		if ((v = json_stringn(f[16], len[16])) == NULL)
			goto bad;
		VIEW_SET(row, "region", v);
		tenant_kind_flags(row);
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			json_object_setn_new_nocheck(row, keys[k].s, keys[k].n, json_integer(field_number(f[1 + k], len[1 + k])));
		if (len[14] > 0) {
			if ((v = json_stringn(f[14], len[14])) == NULL)
				goto bad;
			VIEW_SET(row, "request", v);
		}
		if (len[12] > 0) {
			time_t lapse = (time_t)field_number(f[12], len[12]) - 1;
			if (*valid_until == 0 || lapse < *valid_until)
				*valid_until = lapse;
		}
		*total = (long)field_number(f[13], len[13]);
	}
	return rows;
bad:
	json_decref(rows);
	return NULL;
}

/* The page's model keys from the database: ancestors, stats, trend,
 * top_cves, incidents and, above a company, the table (children, columns,
 * children_count, table). *valid_until: when a pending request in the
 * table expires (0: none). Returns a new object, or NULL with *r set. */
static json_t *load_page(struct req *req, const struct table_query *tq, const char *period, const char *hours,
                         const char *label, time_t *valid_until, enum res *r)
{
	const struct tenant_ctx *t = req->tenant;
	int is_mssp = strcmp(t->kind, "mssp") == 0, is_company = strcmp(t->kind, "company") == 0;
	char id[24], lim[16], off[24];
	const char *params[7] = {id, hours, tq->q, tq->sort, tq->dir, lim, off};
	json_t *frag, *ov, *board, *rows, *list;
	PGresult *res;
	size_t i;

	snprintf(id, sizeof(id), "%lld", t->id);
	snprintf(lim, sizeof(lim), "%d", is_company ? 0 : PAGE_ROWS);
	snprintf(off, sizeof(off), "%ld", (tq->page - 1) * PAGE_ROWS);
	res = db_exec_last(&st_page, params, r); /* the page's one statement */
	if (res == NULL)
		return NULL;
	if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		*r = R_NOT_FOUND; /* archived or hidden since the tenant context was read */
		return NULL;
	}
	/* {"stale", "lag_until", "ancestors", "board": the board's keys} */
	ov = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	board = json_object_get(ov, "board");
	if (!json_is_object(ov) || !json_is_object(board)) {
		PQclear(res);
		json_decref(ov);
		*r = R_INTERNAL;
		return NULL;
	}
	if (json_is_true(json_object_get(ov, "stale")))
		due_one = t->id;
	frag = json_object();
	list = json_object_get(ov, "ancestors");
	for (i = 0; i < json_array_size(list); i++)
		tenant_kind_flags(json_array_get(list, i));
	json_object_set_new(frag, "ancestors", json_is_array(list) ? json_incref(list) : json_array());
	list = json_object_get(board, "stats");
	list = json_is_object(list) ? json_incref(list) : json_object();
	stats_model(list);
	json_object_set_new(frag, "stats", list);
	json_object_set_new(frag, "trend", trend_model(json_object_get(board, "trend")));
	list = json_object_get(board, "top_cves");
	list = json_is_array(list) ? json_incref(list) : json_array();
	count_texts(list, "open", "open finding", "open findings");
	json_object_set_new(frag, "top_cves", list);
	json_object_set_new(frag, "incidents", incidents_model(json_object_get(board, "windows"),
	                                                       json_object_get(board, "at_risk"), period, label));
	*valid_until = 0;
	/* The pending requests head the MSPs table's first page, unsearched;
	 * the entry lapses when the first of them expires. */
	list = json_object_get(board, "pending");
	list = json_is_array(list) && tq->page == 1 && tq->q[0] == '\0' ? json_incref(list) : json_array();
	for (i = 0; i < json_array_size(list); i++) {
		time_t lapse = (time_t)json_integer_value(json_object_get(json_array_get(list, i), "expires")) - 1;
		if (*valid_until == 0 || lapse < *valid_until)
			*valid_until = lapse;
	}
	json_object_set_new(frag, "pending", list);
	/* An entry that may show the ingest feed late (page_cache_get()'s lag)
	 * lapses when the dashboard says (dashboard_page(): the lag after the
	 * time of what it shows); one that does not say is not kept. */
	list = json_object_get(ov, "lag_until");
	if (json_is_integer(list) && (*valid_until == 0 || (time_t)json_integer_value(list) < *valid_until))
		*valid_until = (time_t)json_integer_value(list);
	else if (!json_is_integer(list) && req->page_lag)
		*valid_until = time(NULL);
	json_decref(ov);
	if (!is_company) {
		long total = 0;
		rows = rows_model(PQgetvalue(res, 0, 1), valid_until, &total); /* "" for NULL: no rows */
		if (rows == NULL) {
			log_err("dashboard_page(%lld): rows not as dashboard_row_lines() writes them", t->id);
			PQclear(res);
			json_decref(frag);
			*r = R_INTERNAL;
			return NULL;
		}
		json_object_set_new(frag, "show_table",
		                    json_boolean(json_array_size(rows) + json_array_size(json_object_get(frag, "pending")) > 0));
		json_object_set_new(frag, "children", rows);
		table_model(frag, tq, total, is_mssp);
	}
	PQclear(res);
	return frag;
}

void dashboard_docs_after_ingest(long long key_tenant) { due_key = key_tenant; }

void dashboard_docs_refresh(void)
{
	char id[24];
	const char *params[1] = {id};
	PGresult *res;
	enum res r;

	if (due_one == 0 && due_key == 0)
		return; /* most requests */
	if (due_one != 0) {
		snprintf(id, sizeof(id), "%lld", due_one);
		db_run(&st_doc_refresh, params); /* failed: logged, and computed again meanwhile */
	}
	if (due_key != 0) {
		snprintf(id, sizeof(id), "%lld", due_key);
		if ((res = db_exec(&st_docs_stale, params, &r)) != NULL) {
			for (int i = 0; i < PQntuples(res); i++) {
				params[0] = PQgetvalue(res, i, 0); /* one transaction each: a row held at a time */
				if (db_run(&st_doc_refresh, params) != R_SUCCESS)
					break;
			}
			PQclear(res);
		}
	}
	due_one = due_key = 0;
	db_rollback();
}

enum res page_tenant(struct req *req)
{
	static const char *const notices[][2] = {
	    {"created", "Tenant created."}, {"renamed", "Tenant renamed."}, {"archived", "Tenant archived."}};
	const struct tenant_ctx *t = req->tenant;
	json_t *m = view_model(req), *frag, *v;
	int is_mssp = strcmp(t->kind, "mssp") == 0;
	/* The incident period, from a fixed list like every other choice. */
	static const char *const periods[] = {"24h", "7d", "30d", NULL};
	static const char *const period_hours[] = {"24", "168", "720"}, *const period_labels[] = {"24 h", "7 days",
	                                                                                          "30 days"};
	const char *period = http_choice(http_query(req, "period"), periods, periods[0]);
	const char *done = http_query(req, "done"), *k;
	struct page_cache_entry *c;
	struct buf key = BUF_INIT;
	struct table_query tq;
	time_t valid_until = 0;
	enum res r = R_SUCCESS;
	size_t i, p = 0;

	while (periods[p] != period)
		p++;
	read_query(req, &tq);
	req->template = "dashboard";
	/* The key: fixed-format fields first, the free-text search last (so
	 * no search can make two keys collide). */
	if (t->version >= 0 && t->scope != NULL)
		buf_printf(&key, "%lld\x1f%s\x1f%s\x1f%s\x1f%ld\x1f%s\x1f%s", t->id, period, tq.sort, tq.dir, tq.page,
		           t->scope, tq.q);
	/* An MSSP's or MSP's dashboard may show the ingest feed late, by
	 * PORTAL_DASHBOARD_LAG (docs/dashboards.md): its entry outlives the
	 * feed's batches, not anything else. */
	c = buf_ok(&key) && key.data
	        ? page_cache_get(req, key.data, config_get()->dashboard_lag > 0 && strcmp(t->kind, "company") != 0)
	        : NULL;
	frag = c ? json_incref(c->frag) : NULL;
	if (frag == NULL) {
		frag = load_page(req, &tq, period, period_hours[p], period_labels[p], &valid_until, &r);
		if (frag != NULL && buf_ok(&key) && key.data)
			c = page_cache_put(req, key.data, valid_until, frag);
	}
	buf_free(&key);
	if (frag == NULL)
		return r;
	json_object_foreach(frag, k, v) json_object_set(m, k, v);
	json_decref(frag);
	json_object_set_new(m, "children_label", json_string(is_mssp ? "MSPs" : "Companies"));
	json_object_set_new(m, "page_title", json_string(t->name));
	json_object_set_new(m, "child_kind", json_string(is_mssp ? "MSP" : "company"));
	for (i = 0; done && i < sizeof(notices) / sizeof(notices[0]); i++)
		if (strcmp(done, notices[i][0]) == 0)
			json_object_set_new(m, "notice", json_string(notices[i][1]));
	return req->want_json ? R_SUCCESS : board_html(m, c);
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
