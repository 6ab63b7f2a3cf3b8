/* tenant.c - the tenant in context: its overview and the tenant selector. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "db.h"
#include "pages.h"
#include "view.h"

/* Children of the tenant with their own child counts. RLS filters rows. */
DB_STMT(st_children, 1,
        "SELECT c.id, c.name, c.kind, c.region,"
        " (SELECT count(*) FROM tenants g WHERE g.parent_id = c.id AND g.status = 'active')"
        " FROM tenants c WHERE c.parent_id = $1::bigint AND c.status = 'active' ORDER BY lower(c.name)");
DB_STMT(st_ancestors, 1,
        "SELECT a.id, a.name, a.kind FROM tenants t JOIN tenants a ON a.id = ANY (t.ancestors)"
        " WHERE t.id = $1::bigint AND a.id <> t.id ORDER BY array_position(t.ancestors, a.id)");
/* The selector: visible tenants whose name contains q (LIKE wildcards in
 * q are escaped by the caller), MSSPs first, then MSPs, then companies. */
DB_STMT(st_search, 2,
        "SELECT t.id, t.name, t.kind, p.name FROM tenants t LEFT JOIN tenants p ON p.id = t.parent_id"
        " WHERE t.status = 'active' AND t.name ILIKE '%' || $1 || '%' ESCAPE '\\'"
        " ORDER BY array_position(ARRAY['mssp','msp','company'], t.kind), lower(t.name) LIMIT $2::int");
DB_STMT(st_my_tenants, 0, "SELECT tenant_id, tenant_name, kind, role FROM my_memberships()");

static json_t *tenant_row(PGresult *res, int i)
{
	const char *kind = PQgetvalue(res, i, 2);

	return json_pack("{s:I, s:s, s:s, s:b, s:b, s:b}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)), "name",
	                 PQgetvalue(res, i, 1), "kind", kind, "is_mssp", strcmp(kind, "mssp") == 0, "is_msp",
	                 strcmp(kind, "msp") == 0, "is_company", strcmp(kind, "company") == 0);
}

enum res page_tenant(struct req *req)
{
	json_t *m = view_model(req), *list;
	const struct tenant_ctx *t = req->tenant;
	char id[24];
	const char *params[1] = {id};
	PGresult *res;
	enum res r;
	int i, n;

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

	res = db_exec(&st_children, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		json_t *row = tenant_row(res, i);
		json_object_set_new(row, "region", json_string(PQgetvalue(res, i, 3)));
		json_object_set_new(row, "children", json_integer(atoll(PQgetvalue(res, i, 4))));
		json_array_append_new(list, row);
	}
	PQclear(res);
	json_object_set_new(m, "children", list);
	json_object_set_new(m, "children_count", json_integer(n));
	json_object_set_new(m, "children_label",
	                    json_string(strcmp(t->kind, "mssp") == 0 ? "MSPs" : "Companies"));
	json_object_set_new(m, "page_title", json_string(t->name));
	json_object_set_new(m, "child_kind", json_string(strcmp(t->kind, "mssp") == 0 ? "MSP" : "company"));
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
		req->status = 400;
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
