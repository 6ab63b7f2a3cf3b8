/* home.c - GET /start: where a person lands; GET /: the chooser of the
 * tenants they belong to and see. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pages.h"
#include "view.h"

/* One page of the tenants the viewer may open, MSSPs first, then MSPs,
 * then companies, by name, and how many MSPs and companies they are
 * (tenant_picks(), tenant_pick_counts(): read from the viewer's top tenant
 * down and from its rollup, so the cost is the page's, not the number of
 * tenants seen). */
#define HOME_ROWS 50
DB_STMT(st_home_tenants, 2,
        "SELECT id, name, kind, region FROM tenant_picks('', '', $1::int, $2::int) ORDER BY n");
DB_STMT(st_home_counts, 0, "SELECT mssps, msps, companies FROM tenant_pick_counts()");
/* The memberships that are not below another of the user's: where to land. */
DB_STMT(st_home_memberships, 0,
        "WITH m AS MATERIALIZED (SELECT * FROM my_memberships() WITH ORDINALITY)"
        " SELECT m.tenant_id, m.tenant_name, m.kind, m.role,"
        " NOT EXISTS (SELECT 1 FROM m o JOIN tenants t ON t.id = m.tenant_id"
        "             WHERE o.tenant_id <> m.tenant_id AND o.tenant_id = ANY (t.ancestors)) AS top"
        " FROM m ORDER BY m.ordinality");

static json_t *memberships(enum res *r, int *ntop, long long *top)
{
	PGresult *res = db_exec(&st_home_memberships, NULL, r);
	json_t *list;
	int i;

	*ntop = 0;
	*top = 0;
	if (res == NULL)
		return NULL;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		long long id = atoll(PQgetvalue(res, i, 0));
		int is_top = strcmp(PQgetvalue(res, i, 4), "t") == 0;
		char link[32];
		snprintf(link, sizeof(link), "/t/%lld", id);
		json_array_append_new(
		    list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "tenant_id", (json_int_t)id, "tenant_name",
		                    PQgetvalue(res, i, 1), "kind", PQgetvalue(res, i, 2), "kind_label",
		                    authz_kind_label(PQgetvalue(res, i, 2)), "role", PQgetvalue(res, i, 3), "role_label",
		                    authz_role_label(authz_role(PQgetvalue(res, i, 3))), "link", link, "top", is_top));
		if (is_top) {
			(*ntop)++;
			*top = id;
		}
	}
	PQclear(res);
	return list;
}

/* One organisation at the top of what the user belongs to: its dashboard
 * (an MSSP's Global view, an MSP's, a company's). Several, or none: the
 * chooser. */
enum res page_start(struct req *req)
{
	json_t *list;
	long long top;
	int ntop;
	enum res r;
	char loc[32];

	if ((list = memberships(&r, &ntop, &top)) == NULL)
		return r;
	json_decref(list);
	if (ntop != 1)
		return http_redirect(req, "/");
	snprintf(loc, sizeof(loc), "/t/%lld", top);
	return http_redirect(req, loc);
}

static json_t *count(long long n, const char *one, const char *many)
{
	char b[32];

	return json_pack("{s:s, s:s}", "n", view_grouped(n, b), "label", n == 1 ? one : many);
}

enum res page_home(struct req *req)
{
	json_t *m = view_model(req), *list;
	PGresult *res;
	enum res r;
	long long top, mssps, msps, companies;
	long page = http_page(req), pages;
	char lim[16], off[24];
	const char *params[2] = {lim, off};
	int i, ntop;

	req->template = "home";
	if ((res = db_exec(&st_home_counts, NULL, &r)) == NULL)
		return r;
	mssps = PQntuples(res) ? atoll(PQgetvalue(res, 0, 0)) : 0;
	msps = PQntuples(res) ? atoll(PQgetvalue(res, 0, 1)) : 0;
	companies = PQntuples(res) ? atoll(PQgetvalue(res, 0, 2)) : 0;
	PQclear(res);
	snprintf(lim, sizeof(lim), "%d", HOME_ROWS);
	snprintf(off, sizeof(off), "%ld", (page - 1) * HOME_ROWS);
	if ((res = db_exec(&st_home_tenants, params, &r)) == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		const char *kind = PQgetvalue(res, i, 2);
		int is_mssp = strcmp(kind, "mssp") == 0, is_msp = strcmp(kind, "msp") == 0;
		char link[32];
		snprintf(link, sizeof(link), "/t/%s", PQgetvalue(res, i, 0));
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b}", "id",
		                                      (json_int_t)atoll(PQgetvalue(res, i, 0)), "name",
		                                      PQgetvalue(res, i, 1), "kind", kind, "kind_label",
		                                      authz_kind_label(kind), "region", PQgetvalue(res, i, 3), "link",
		                                      link, "is_mssp", is_mssp, "is_msp", is_msp, "is_company",
		                                      !is_mssp && !is_msp));
	}
	PQclear(res);
	pages = mssps + msps + companies > 0 ? (mssps + msps + companies + HOME_ROWS - 1) / HOME_ROWS : 1;
	json_object_set_new(m, "tenants", list);
	json_object_set_new(m, "counts", json_pack("{s:I, s:I, s:o, s:o}", "msps", (json_int_t)msps, "companies",
	                                           (json_int_t)companies, "msp", count(msps, "MSP", "MSPs"),
	                                           "company", count(companies, "company", "companies")));
	view_pages(m, page, pages);
	if ((list = memberships(&r, &ntop, &top)) == NULL)
		return r;
	json_object_set_new(m, "memberships", list);
	json_object_set_new(m, "page_title", json_string("Your organisations"));
	return R_SUCCESS;
}
