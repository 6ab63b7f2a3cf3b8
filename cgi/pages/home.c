/* home.c - GET /: the signed-in user's overview of the tenants they see. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pages.h"
#include "view.h"

/* RLS decides the rows: this query has no WHERE on purpose. */
DB_STMT(st_home_tenants, 0,
        "SELECT id, name, kind, region, parent_id FROM tenants WHERE status = 'active'"
        " ORDER BY array_position(ARRAY['mssp','msp','company'], kind), name LIMIT 200");
DB_STMT(st_home_memberships, 0, "SELECT tenant_id, tenant_name, kind, role FROM my_memberships()");

enum res page_home(struct req *req)
{
	json_t *m = view_model(req), *list, *counts;
	PGresult *res;
	enum res r;
	int i, n, nmssp = 0, nmsp = 0, ncompany = 0;

	req->template = "home";
	res = db_exec(&st_home_tenants, NULL, &r);
	if (res == NULL)
		return r;
	list = json_array();
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		const char *kind = PQgetvalue(res, i, 2);
		int is_mssp = strcmp(kind, "mssp") == 0, is_msp = strcmp(kind, "msp") == 0;
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:b, s:b, s:b}", "id",
		                                      (json_int_t)atoll(PQgetvalue(res, i, 0)), "name",
		                                      PQgetvalue(res, i, 1), "kind", kind, "region",
		                                      PQgetvalue(res, i, 3), "is_mssp", is_mssp, "is_msp", is_msp,
		                                      "is_company", !is_mssp && !is_msp));
		nmssp += is_mssp;
		nmsp += is_msp;
		ncompany += !is_mssp && !is_msp;
	}
	PQclear(res);
	json_object_set_new(m, "tenants", list);
	counts = json_pack("{s:i, s:i, s:i}", "mssps", nmssp, "msps", nmsp, "companies", ncompany);
	json_object_set_new(m, "counts", counts);

	res = db_exec(&st_home_memberships, NULL, &r);
	if (res == NULL)
		return r;
	list = json_array();
	n = PQntuples(res);
	for (i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s}", "tenant_id",
		                                      (json_int_t)atoll(PQgetvalue(res, i, 0)), "tenant_name",
		                                      PQgetvalue(res, i, 1), "kind", PQgetvalue(res, i, 2), "role",
		                                      PQgetvalue(res, i, 3)));
	PQclear(res);
	json_object_set_new(m, "memberships", list);
	json_object_set_new(m, "page_title", json_string("Overview"));
	return R_SUCCESS;
}
