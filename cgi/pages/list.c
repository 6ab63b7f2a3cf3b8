/* list.c - a keyset page of a list (list_page(): the
 * vulnerabilities, assets and incidents lists) moved into a page's model. */
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

/* See pages.h. */
enum res list_into(struct db_stmt *st, const char *const *params, json_t *m, const char *key)
{
	PGresult *res;
	json_t *page, *v;
	enum res r;
	char b[32];

	res = db_exec(st, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return R_NOT_FOUND; /* archived or hidden since the tenant context was read */
	}
	page = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	PQclear(res);
	if (!json_is_object(page) || !json_is_array(json_object_get(page, "rows"))) {
		json_decref(page);
		return R_INTERNAL;
	}
	json_object_set(m, key, json_object_get(page, "rows"));
	json_object_set(m, "total", json_object_get(page, "total"));
	json_object_set_new(m, "total_text", json_string(view_grouped(json_integer_value(json_object_get(page, "total")), b)));
	json_object_set_new(m, "total_more", json_boolean(json_is_true(json_object_get(page, "more"))));
	if ((v = json_object_get(page, "next")) != NULL)
		json_object_set(m, "next", v);
	if ((v = json_object_get(page, "prev")) != NULL)
		json_object_set(m, "prev", v);
	json_decref(page);
	return R_SUCCESS;
}
