/* list.c - a keyset page of a list (list_page(): the
 * vulnerabilities, assets and incidents lists) moved into a page's model:
 * the reader's rows as columns, each a key of the row's object. */
#include <string.h>

#include "db.h"
#include "pages.h"
#include "view.h"

/* See pages.h. */
const char *list_cursor(struct req *req, const char *name)
{
	const char *c = http_query(req, name);

	return http_is_id(c) ? c : NULL;
}

/* See pages.h. */
json_t *list_read_json(struct db_stmt *st, const char *const *params, enum res *r)
{
	PGresult *res = db_exec(st, params, r);
	json_t *v;

	if (res == NULL)
		return NULL;
	v = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) ? json_loads(PQgetvalue(res, 0, 0), 0, NULL) : NULL;
	PQclear(res);
	if (v == NULL)
		*r = R_NOT_FOUND;
	return v;
}

/* A bigint column's type (pg_type's int8): its values go into the model
 * as numbers, every other column's as strings. */
#define INT8_OID 20

/* See pages.h. */
enum res list_into(struct db_stmt *st, const char *const *params, json_t *m, const char *key)
{
	PGresult *res;
	json_t *meta, *rows, *row, *v;
	enum res r;
	char b[32];
	int n, c;

	res = db_exec_last(st, params, &r); /* a list is its page's one statement */
	if (res == NULL)
		return r;
	if (PQntuples(res) < 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return R_NOT_FOUND; /* archived or hidden since the tenant context was read */
	}
	meta = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	rows = json_array();
	for (n = 0; json_is_object(meta) && rows != NULL && n < PQntuples(res); n++) {
		if (PQgetisnull(res, n, 1))
			continue; /* an empty page's one row */
		if ((row = json_object()) == NULL || json_array_append_new(rows, row) != 0)
			break;
		for (c = 1; c < PQnfields(res); c++) {
			if (PQgetisnull(res, n, c))
				continue; /* left out, as jsonb_strip_nulls() did */
			v = PQftype(res, c) == INT8_OID ? json_integer(atoll(PQgetvalue(res, n, c)))
			                                : json_string(PQgetvalue(res, n, c));
			if (json_object_set_new(row, PQfname(res, c), v) != 0)
				break;
		}
		if (c < PQnfields(res))
			break;
	}
	r = n < PQntuples(res) || !json_is_object(meta) ? R_INTERNAL : R_SUCCESS;
	PQclear(res);
	if (r == R_SUCCESS) {
		json_object_set_new(m, key, rows);
		rows = NULL;
		json_object_set(m, "total", json_object_get(meta, "total"));
		json_object_set_new(m, "total_text",
		                    json_string(view_grouped(json_integer_value(json_object_get(meta, "total")), b)));
		json_object_set_new(m, "total_more", json_boolean(json_is_true(json_object_get(meta, "more"))));
		if ((v = json_object_get(meta, "next")) != NULL)
			json_object_set(m, "next", v);
		if ((v = json_object_get(meta, "prev")) != NULL)
			json_object_set(m, "prev", v);
	}
	json_decref(rows);
	json_decref(meta);
	return r;
}
