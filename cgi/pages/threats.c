/* threats.c - threat correlation: indicators seen at two or more customers
 * within a window. The counting rules are threat_correlation()'s:
 * customers the viewer may not see only as a count, only when three or
 * more, and never their times. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "db.h"
#include "pages.h"
#include "view.h"

DB_STMT(st_threats, 2,
        "SELECT indicator, coalesce(indicator_kind, ''), customers, incidents,"
        " to_char(first_seen, 'YYYY-MM-DD HH24:MI'), to_char(last_seen, 'YYYY-MM-DD HH24:MI'),"
        " array_to_json(names)::text, visible, hidden"
        " FROM threat_correlation($1::bigint, $2::int)");

enum res page_threats(struct req *req)
{
	static const char *const windows[] = {"1", "7", "30", NULL};
	const char *ds = http_choice(http_query(req, "days"), windows, "7");
	long days = atol(ds);
	char id[24];
	const char *params[2] = {id, ds};
	json_t *m = view_model(req), *list;
	PGresult *res;
	enum res r;
	int i;

	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	res = db_exec(&st_threats, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		long total = atol(PQgetvalue(res, i, 2)), visible = atol(PQgetvalue(res, i, 7));
		long hidden = atol(PQgetvalue(res, i, 8));
		json_t *names = json_loads(PQgetvalue(res, i, 6), 0, NULL);
		long named = (long)json_array_size(names);
		json_t *row = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s, s:o, s:I, s:I}", "indicator", PQgetvalue(res, i, 0),
		                        "kind", PQgetvalue(res, i, 1), "customers", (json_int_t)total, "incidents",
		                        (json_int_t)atoll(PQgetvalue(res, i, 3)), "first_seen", PQgetvalue(res, i, 4),
		                        "last_seen", PQgetvalue(res, i, 5), "visible",
		                        json_is_array(names) ? names : json_array(), "visible_total", (json_int_t)visible,
		                        "hidden", (json_int_t)hidden);
		char t[96];

		if (!json_is_array(names))
			json_decref(names);
		if (visible > named) {
			/* Named: the ten most recent; the others the viewer may see are counted. */
			snprintf(t, sizeof(t), "and %ld more", visible - named);
			json_object_set_new(row, "more_text", json_string(t));
		}
		if (hidden > 0) {
			/* Counted, never named: customers the viewer may not see (three or more). */
			snprintf(t, sizeof(t), "%s %ld other customers you cannot see", visible > named ? "plus" : "and",
			         hidden);
			json_object_set_new(row, "hidden_text", json_string(t));
		}
		json_array_append_new(list, row);
	}
	PQclear(res);
	req->template = "threats";
	json_object_set_new(m, "indicators", list);
	json_object_set_new(m, "days", json_integer(days));
	json_object_set_new(m, "window", view_flags(json_object(), ds, windows));
	json_object_set_new(m, "page_title", json_string("Threat correlation"));
	return R_SUCCESS;
}
