/* tenants.c - the tenant selector (GET /tenants, templates/tenants.mustache;
 * the header's selector asks its JSON twin as you type). ?section=KEY keeps
 * the section of the page it was opened from: each link leads to the same
 * section of the other tenant when it has one (nav_section_path). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "db.h"
#include "nav.h"
#include "pages.h"
#include "view.h"

/* The selector: visible tenants whose name contains q (whatever its
 * case), MSSPs first, then MSPs, then companies (tenant_picks(): read from
 * the viewer's top tenant down, never every tenant they see). */
DB_STMT(st_search, 3,
        "SELECT id, name, kind, parent_name FROM tenant_picks($1, $3, $2::int, 0) ORDER BY n");
DB_STMT(st_my_tenants, 0, "SELECT tenant_id, tenant_name, kind, role FROM my_memberships()");
/* The tenants the selector remembers having opened (ids from the browser),
 * those still visible, in the order given. */
DB_STMT(st_recent, 1,
        "SELECT t.id, t.name, t.kind, p.name FROM unnest($1::bigint[]) WITH ORDINALITY r(id, n)"
        " JOIN tenants t ON t.id = r.id AND t.status = 'active' LEFT JOIN tenants p ON p.id = t.parent_id"
        " ORDER BY r.n");
#define RECENT_MAX 8

void tenant_kind_flags(json_t *row)
{
	const char *kind = json_string_value(json_object_get(row, "kind"));

	kind = kind ? kind : "";
	VIEW_SET(row, "is_mssp", json_boolean(strcmp(kind, "mssp") == 0));
	VIEW_SET(row, "is_msp", json_boolean(strcmp(kind, "msp") == 0));
	VIEW_SET(row, "is_company", json_boolean(strcmp(kind, "company") == 0));
}

json_t *tenant_row(PGresult *res, int i)
{
	json_t *row = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)), "name",
	                        PQgetvalue(res, i, 1), "kind", PQgetvalue(res, i, 2));

	tenant_kind_flags(row);
	return row;
}

/* The row's kind in words and its link, to section (a nav key or NULL). */
static void tenant_link(json_t *row, const char *section)
{
	const char *kind = json_string_value(json_object_get(row, "kind"));
	char link[64];

	snprintf(link, sizeof(link), "/t/%lld%s", (long long)json_integer_value(json_object_get(row, "id")),
	         nav_section_path(kind, section));
	json_object_set_new(row, "link", json_string(link));
	json_object_set_new(row, "kind_label", json_string(authz_kind_label(kind)));
}

/* ?recent=ID,ID,...: the rows of those ids the user still sees, in that
 * order, as "recent" (at most RECENT_MAX; anything else in the list is
 * ignored). */
static enum res recent_into(struct req *req, json_t *m, const char *section)
{
	const char *ids = http_query(req, "recent");
	char arr[RECENT_MAX * 21 + 3], *o = arr;
	const char *params[1] = {arr};
	PGresult *res;
	enum res r;
	int n = 0;
	json_t *list;

	if (ids == NULL || *ids == '\0')
		return R_SUCCESS;
	*o++ = '{';
	while (*ids && n < RECENT_MAX) {
		size_t len = strcspn(ids, ",");
		char one[24];
		if (len > 0 && len < sizeof(one)) {
			memcpy(one, ids, len);
			one[len] = '\0';
			if (http_is_id(one)) {
				o += sprintf(o, "%s%s", n ? "," : "", one);
				n++;
			}
		}
		ids += len + (ids[len] == ',');
	}
	*o++ = '}';
	*o = '\0';
	res = db_exec(&st_recent, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		json_t *row = tenant_row(res, i);
		if (!PQgetisnull(res, i, 3))
			json_object_set_new(row, "parent", json_string(PQgetvalue(res, i, 3)));
		tenant_link(row, section);
		json_array_append_new(list, row);
	}
	PQclear(res);
	json_object_set_new(m, "recent", list);
	return R_SUCCESS;
}

enum res page_tenants(struct req *req)
{
	json_t *m = view_model(req), *list;
	static const char *const kinds[] = {"mssp", "msp", "company", NULL};
	const char *q = http_query(req, "q"), *section = http_query(req, "section");
	const char *kind = http_choice(http_query(req, "kind"), kinds, "");
	const char *params[3];
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
	if (section != NULL && *nav_section_path("mssp", section) != '\0') /* a section a switch keeps */
		json_object_set_new(m, "section", json_string(section));
	json_object_set_new(m, "page_title", json_string("Switch tenant"));

	res = db_exec(&st_my_tenants, NULL, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_t *row = tenant_row(res, i);
		json_object_set_new(row, "role_label", json_string(authz_role_label(authz_role(PQgetvalue(res, i, 3)))));
		json_object_set_new(row, "is_global", json_boolean(strcmp(PQgetvalue(res, i, 2), "mssp") == 0));
		tenant_link(row, section);
		json_array_append_new(list, row);
	}
	PQclear(res);
	json_object_set_new(m, "mine", list);

	params[0] = q;
	params[1] = "51";
	params[2] = kind;
	json_object_set_new(m, "kind", json_string(kind));
	res = db_exec(&st_search, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res) && i < 50; i++) {
		json_t *row = tenant_row(res, i);
		if (!PQgetisnull(res, i, 3))
			json_object_set_new(row, "parent", json_string(PQgetvalue(res, i, 3)));
		tenant_link(row, section);
		json_array_append_new(list, row);
	}
	json_object_set_new(m, "more", json_boolean(PQntuples(res) > 50));
	PQclear(res);
	json_object_set_new(m, "results", list);
	return recent_into(req, m, section);
}
