/* list.c - a keyset page of a list (list_page(): the
 * vulnerabilities, assets and incidents lists) moved into a page's model:
 * the reader's rows as columns, each a key of the row's object. */
#include <stdlib.h>
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

/* The column types a list's line may have (pg_type's OIDs): bigint and
 * integer go into the model as numbers, boolean as true / false, text as
 * strings. Any other type is refused (R_INTERNAL), not guessed at. */
#define BOOL_OID 16
#define INT8_OID 20
#define INT4_OID 23
#define TEXT_OID 25

/* Row n's column c as a new JSON value; NULL for a type not listed above. */
static json_t *list_value(const PGresult *res, int n, int c)
{
	const char *v = PQgetvalue(res, n, c);

	switch (PQftype(res, c)) {
	case INT8_OID:
	case INT4_OID:
		return json_integer(atoll(v));
	case BOOL_OID:
		return json_boolean(v[0] == 't');
	case TEXT_OID:
		return json_string(v);
	default:
		return NULL;
	}
}

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
	if (PQnfields(res) < 2 || strcmp(PQfname(res, 0), "meta") != 0) {
		PQclear(res);
		return R_INTERNAL; /* not a list reader's table (a schema older than the worker) */
	}
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
			if (json_object_set_new(row, PQfname(res, c), list_value(res, n, c)) != 0)
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
