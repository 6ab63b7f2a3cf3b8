/* health.c - GET /healthz: is this worker able to serve? */
#include <stdlib.h>

#include "db.h"
#include "pages.h"
#include "view.h"

DB_STMT(st_health, 0, "SELECT count(*) FROM schema_migrations");

enum res page_healthz(struct req *req)
{
	json_t *m = view_model(req);
	PGresult *res;
	enum res r;

	req->want_json = 1;
	res = db_exec(&st_health, NULL, &r);
	if (res == NULL) {
		req->outcome = R_UNAVAILABLE;
		json_object_set_new(m, "status", json_string("unavailable"));
		json_object_set_new(m, "database", json_string("down"));
		return R_SUCCESS;
	}
	json_object_set_new(m, "status", json_string("ok"));
	json_object_set_new(m, "database", json_string("up"));
	json_object_set_new(m, "migrations", json_integer(atoll(PQgetvalue(res, 0, 0))));
	PQclear(res);
	return R_SUCCESS;
}
