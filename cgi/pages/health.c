/* health.c - GET /healthz: is this worker able to serve? Its database,
 * and the read replica's state and lag when there is one. */
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
	{ /* the read replica, if any: down or behind, the primary serves */
		int up;
		long long lag_bytes;
		double lag_seconds;
		if (db_replica_status(&up, &lag_bytes, &lag_seconds))
			json_object_set_new(m, "replica",
			                    json_pack("{s:s, s:I, s:f}", "state", up ? "up" : "down", "lag_bytes",
			                              (json_int_t)lag_bytes, "lag_seconds", lag_seconds));
	}
	return R_SUCCESS;
}
