/* health.c - GET /healthz: is this worker able to serve? Its database,
 * and the read replica's state and lag when there is one. GET /metrics:
 * the Prometheus text format (cgi/metrics.h), for PORTAL_METRICS_ALLOW's
 * addresses only. */
#include <stdlib.h>

#include "config.h"
#include "db.h"
#include "metrics.h"
#include "pages.h"
#include "view.h"

DB_STMT(st_health, 0, "SELECT count(*) FROM schema_migrations");
DB_STMT(st_metrics_queues, 0, "SELECT name, help, type, labels, value FROM metrics_queues()");

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

enum res page_metrics(struct req *req)
{
	PGresult *res;
	enum res r;
	int up;
	long long lag_bytes;
	double lag_seconds;

	/* Anyone else: no such page (what is counted is nobody else's). */
	if (!metrics_allowed(req->remote_addr))
		return R_NOT_FOUND;
	res = db_exec(&st_metrics_queues, NULL, &r); /* NULL: said as portal_database_up 0 */
	metrics_text(&req->body, res);
	PQclear(res);
	if (db_replica_status(&up, &lag_bytes, &lag_seconds)) {
		buf_printf(&req->body,
		           "# HELP portal_replica_up 1 when the read replica (PORTAL_DB_READ) answers\n"
		           "# TYPE portal_replica_up gauge\nportal_replica_up %d\n"
		           "# HELP portal_replica_lag_bytes WAL the replica has yet to replay\n"
		           "# TYPE portal_replica_lag_bytes gauge\nportal_replica_lag_bytes %lld\n"
		           "# HELP portal_replica_lag_seconds Seconds since the last transaction it replayed\n"
		           "# TYPE portal_replica_lag_seconds gauge\nportal_replica_lag_seconds %.3f\n",
		           up, lag_bytes, lag_seconds);
	}
	if (!buf_ok(&req->body))
		return R_INTERNAL;
	req->body_type = "text/plain; version=0.0.4; charset=utf-8";
	http_header(req, "Cache-Control", "no-store");
	return R_SUCCESS;
}
