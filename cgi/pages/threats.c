/* threats.c - threat correlation: indicators seen at two or more customers
 * within a window, sorted and paged on the server, each leading to the
 * latest incident that carried it. The counting rules are
 * threat_correlation()'s: customers the viewer may not see only as a
 * count, only when three or more, and never their times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "buf.h"
#include "db.h"
#include "pages.h"
#include "view.h"

#define THREAT_ROWS 50
#define INDICATOR_MAX_BYTES 1200 /* incidents.indicator's limit: 300 characters of up to 4 bytes */

DB_STMT(st_threats, 6,
        "SELECT indicator, coalesce(indicator_kind, ''), customers, incidents,"
        " to_char(first_seen, 'YYYY-MM-DD HH24:MI'), to_char(last_seen, 'YYYY-MM-DD HH24:MI'),"
        " array_to_json(names)::text, array_to_json(ids)::text, visible, hidden, total"
        " FROM threat_correlation($1::bigint, $2::int, $3, $4, $5::int, $6::int)");
DB_STMT(st_threat_latest, 2, "SELECT threat_latest_incident($1::bigint, $2)");

/* The table's columns, each sortable (threat_correlation()'s orders);
 * "Where" (the customers named) follows them. */
static const struct {
	const char *key, *label, *brief, *dir; /* dir: the order it starts in */
} columns[] = {
    {"indicator", "Indicator", "Indicator", "asc"},
    {"kind", "Kind", "Kind", "asc"},
    {"customers", "Customers", "Customers", "desc"},
    {"incidents", "Incidents", "Incidents", "desc"},
    {"first_seen", "First seen", "First seen", "desc"},
    {"last_seen", "Last seen", "Last seen", "desc"},
};
#define NCOLUMNS (sizeof(columns) / sizeof(columns[0]))

/* Where a customer's link leads: its latest incident with the indicator
 * (page_threat_latest()); indicator_url: the indicator URL-encoded. */
static json_t *latest_href(long long customer, const char *indicator_url)
{
	struct buf b = BUF_INIT;
	json_t *href;

	buf_printf(&b, "/t/%lld/threats/latest?indicator=%s", customer, indicator_url);
	href = buf_ok(&b) && b.data ? json_string(b.data) : NULL;
	buf_free(&b);
	return href;
}

/* One row of the table from threat_correlation()'s row i, or NULL. */
static json_t *row_model(PGresult *res, int i)
{
	long visible = atol(PQgetvalue(res, i, 8)), hidden = atol(PQgetvalue(res, i, 9));
	const char *indicator = PQgetvalue(res, i, 0);
	json_t *names = json_loads(PQgetvalue(res, i, 6), 0, NULL), *ids = json_loads(PQgetvalue(res, i, 7), 0, NULL);
	json_t *row = NULL, *named, *href, *first = NULL; /* first: borrowed from named */
	struct buf url = BUF_INIT; /* the indicator URL-encoded, once for its links */
	long n;
	char t[96];
	size_t k;

	http_url_encode(&url, indicator);
	if (!json_is_array(names) || !json_is_array(ids) || json_array_size(names) != json_array_size(ids) ||
	    !buf_ok(&url) || url.data == NULL)
		goto out;
	n = (long)json_array_size(names);
	named = json_array();
	for (k = 0; k < json_array_size(ids); k++) {
		/* (an archived customer has no id: named, not linked) */
		json_t *id = json_array_get(ids, k);
		href = json_is_integer(id) ? latest_href((long long)json_integer_value(id), url.data) : NULL;
		/* (href null, not absent: the chip must not take the row's) */
		json_t *item = json_pack("{s:O, s:o, s:b}", "name", json_array_get(names, k), "href",
		                         href != NULL ? href : json_null(), "archived", !json_is_integer(id));
		if (item != NULL && json_array_append_new(named, item) == 0 && href != NULL && first == NULL)
			first = href; /* (held by named from here on) */
	}
	row = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:O, s:o, s:I, s:I}", "indicator", indicator, "kind",
	                PQgetvalue(res, i, 1), "customers", (json_int_t)atoll(PQgetvalue(res, i, 2)), "incidents",
	                (json_int_t)atoll(PQgetvalue(res, i, 3)), "first_seen", PQgetvalue(res, i, 4), "last_seen",
	                PQgetvalue(res, i, 5), "visible", names, "named", named, "visible_total", (json_int_t)visible,
	                "hidden", (json_int_t)hidden);
	if (row == NULL)
		goto out;
	/* The indicator leads to the latest incident of the customer named
	 * first (the one that saw it last) of those linked. */
	json_object_set(row, "href", first != NULL ? first : json_null());
	if (visible > n) {
		/* Named: the ten most recent; the others the viewer may see are counted. */
		snprintf(t, sizeof(t), "and %ld more", visible - n);
		json_object_set_new(row, "more_text", json_string(t));
	}
	if (hidden > 0) {
		/* Counted, never named: customers the viewer may not see (three or more). */
		snprintf(t, sizeof(t), "%s %ld other customers you cannot see", visible > n ? "plus" : "and", hidden);
		json_object_set_new(row, "hidden_text", json_string(t));
	}
out:
	buf_free(&url);
	json_decref(names);
	json_decref(ids);
	return row;
}

/* GET /t/{id}/threats?days=&sort=&dir=&page= */
enum res page_threats(struct req *req)
{
	static const char *const windows[] = {"1", "7", "30", NULL};
	const char *ds = http_choice(http_query(req, "days"), windows, "7");
	const char *sort = http_query(req, "sort"), *dir = http_query(req, "dir");
	long page = http_page(req), total = 0, pages;
	char id[24], lim[16], off[24];
	const char *params[6] = {id, ds, NULL, NULL, lim, off};
	json_t *m = view_model(req), *list, *cols, *row;
	PGresult *res;
	enum res r;
	size_t c, on = 2; /* the column sorted by: customers unless asked */
	int i;

	/* The order: a column's key, in the direction asked, else the one the
	 * column starts in. */
	for (c = 0; sort != NULL && c < NCOLUMNS; c++)
		if (strcmp(sort, columns[c].key) == 0)
			on = c;
	params[2] = columns[on].key;
	params[3] = http_choice(dir, (const char *const[]){"asc", "desc", NULL}, columns[on].dir);
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	snprintf(lim, sizeof(lim), "%d", THREAT_ROWS);
	snprintf(off, sizeof(off), "%ld", (page - 1) * THREAT_ROWS);
	res = db_exec(&st_threats, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		if ((row = row_model(res, i)) == NULL) {
			PQclear(res);
			json_decref(list);
			return R_INTERNAL;
		}
		json_array_append_new(list, row);
		total = atol(PQgetvalue(res, i, 10));
	}
	PQclear(res);
	cols = json_array();
	for (c = 0; c < NCOLUMNS; c++)
		json_array_append_new(cols, view_sort_heading(columns[c].key, columns[c].label, columns[c].brief, c == on,
		                                              params[3], columns[c].dir));
	req->template = "threats";
	json_object_set_new(m, "indicators", list);
	json_object_set_new(m, "columns", cols);
	json_object_set_new(m, "sort", json_string(params[2]));
	json_object_set_new(m, "dir", json_string(params[3]));
	json_object_set_new(m, "total", json_integer(total));
	/* A page past the last (no rows, so no total): it says so, and links
	 * the first. */
	pages = total > 0 ? (total + THREAT_ROWS - 1) / THREAT_ROWS : 1;
	if (total == 0 && page > 1)
		json_object_set_new(m, "past_last", json_true());
	else
		view_pages(m, page, pages);
	json_object_set_new(m, "days", json_integer(atol(ds)));
	json_object_set_new(m, "window", view_flags(json_object(), ds, windows));
	json_object_set_new(m, "page_title", json_string("Threat correlation"));
	return R_SUCCESS;
}

/* GET /t/{id}/threats/latest?indicator=: the threats page's links. The
 * latest incident with the indicator at the customer {id}
 * (threat_latest_incident()), as a redirect to its page, where it shows
 * where else the indicator was seen; 404 when the viewer may see none.
 * Without an indicator, the threats page of {id}. */
enum res page_threat_latest(struct req *req)
{
	const char *indicator = http_query(req, "indicator");
	char id[24], loc[96];
	const char *params[2] = {id, indicator};
	PGresult *res;
	enum res r;

	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	if (indicator == NULL || indicator[0] == '\0') { /* a link cut short: the indicators there */
		snprintf(loc, sizeof(loc), "/t/%s/threats", id);
		return http_redirect(req, loc);
	}
	if (strlen(indicator) > INDICATOR_MAX_BYTES)
		return R_NOT_FOUND; /* no incident has it */
	res = db_exec(&st_threat_latest, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return R_NOT_FOUND;
	}
	snprintf(loc, sizeof(loc), "/t/%lld/incidents/%s", req->tenant->id, PQgetvalue(res, 0, 0));
	PQclear(res);
	return http_redirect(req, loc);
}
