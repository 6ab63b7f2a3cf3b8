/* tenants.c - the tenant selector (GET /tenants, templates/tenants.mustache). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "db.h"
#include "pages.h"
#include "view.h"

/* The selector: visible tenants whose name contains q (LIKE wildcards in
 * q are escaped by the caller), MSSPs first, then MSPs, then companies. */
DB_STMT(st_search, 2,
        "SELECT t.id, t.name, t.kind, p.name FROM tenants t LEFT JOIN tenants p ON p.id = t.parent_id"
        " WHERE t.status = 'active' AND t.name ILIKE '%' || $1 || '%' ESCAPE '\\'"
        " ORDER BY array_position(ARRAY['mssp','msp','company'], t.kind), lower(t.name) LIMIT $2::int");
DB_STMT(st_my_tenants, 0, "SELECT tenant_id, tenant_name, kind, role FROM my_memberships()");

void tenant_kind_flags(json_t *row)
{
	const char *kind = json_string_value(json_object_get(row, "kind"));

	kind = kind ? kind : "";
	json_object_set_new(row, "is_mssp", json_boolean(strcmp(kind, "mssp") == 0));
	json_object_set_new(row, "is_msp", json_boolean(strcmp(kind, "msp") == 0));
	json_object_set_new(row, "is_company", json_boolean(strcmp(kind, "company") == 0));
}

json_t *tenant_row(PGresult *res, int i)
{
	json_t *row = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)), "name",
	                        PQgetvalue(res, i, 1), "kind", PQgetvalue(res, i, 2));

	tenant_kind_flags(row);
	return row;
}

/* Escape LIKE wildcards so a search for "50%" finds "50%". */
static char *like_escape(struct arena *a, const char *q)
{
	size_t n = strlen(q), i, o = 0;
	char *out = arena_alloc(a, 2 * n + 1);

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
			out[o++] = '\\';
		out[o++] = q[i];
	}
	out[o] = '\0';
	return out;
}

enum res page_tenants(struct req *req)
{
	json_t *m = view_model(req), *list;
	const char *q = http_query(req, "q");
	const char *params[2];
	PGresult *res;
	enum res r;
	int i;

	req->template = "tenants";
	if (q == NULL)
		q = "";
	if (strlen(q) > 120) {
		req->outcome = R_BAD_INPUT;
		json_object_set_new(m, "error", json_string("Search for at most 120 characters."));
		q = "";
	}
	json_object_set_new(m, "q", json_string(q));
	json_object_set_new(m, "page_title", json_string("Switch tenant"));

	res = db_exec(&st_my_tenants, NULL, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_t *row = tenant_row(res, i);
		json_object_set_new(row, "role_label", json_string(authz_role_label(authz_role(PQgetvalue(res, i, 3)))));
		json_object_set_new(row, "is_global", json_boolean(strcmp(PQgetvalue(res, i, 2), "mssp") == 0));
		json_array_append_new(list, row);
	}
	PQclear(res);
	json_object_set_new(m, "mine", list);

	params[0] = like_escape(&req->arena, q);
	params[1] = "51";
	if (params[0] == NULL)
		return R_INTERNAL;
	res = db_exec(&st_search, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res) && i < 50; i++) {
		json_t *row = tenant_row(res, i);
		if (!PQgetisnull(res, i, 3))
			json_object_set_new(row, "parent", json_string(PQgetvalue(res, i, 3)));
		json_array_append_new(list, row);
	}
	json_object_set_new(m, "more", json_boolean(PQntuples(res) > 50));
	PQclear(res);
	json_object_set_new(m, "results", list);
	return R_SUCCESS;
}
