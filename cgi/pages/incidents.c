/* incidents.c - the incidents of a tenant and everything below it, and
 * their lifecycle: acknowledge, resolve with a note (Analysts and above;
 * MSSP Analysts on their assigned tenants). Closing an incident updates the
 * rollups through the table's triggers, in the same transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "authz.h"
#include "db.h"
#include "pages.h"
#include "view.h"

#define PAGE_ROWS 50
#define NOTE_MAX 2000

DB_STMT(st_incidents, 5,
        "SELECT i.id, t.name, i.severity, i.title, coalesce(i.indicator, ''),"
        " to_char(i.opened_at, 'YYYY-MM-DD HH24:MI'), to_char(i.acknowledged_at, 'YYYY-MM-DD HH24:MI'),"
        " to_char(i.closed_at, 'YYYY-MM-DD HH24:MI'), coalesce(i.resolution_note, ''), count(*) OVER ()"
        " FROM incidents i JOIN tenants t ON t.id = i.tenant_id"
        " WHERE $1::bigint = ANY (t.ancestors)"
        "   AND ($2 = 'all' OR ($2 = 'open') = (i.closed_at IS NULL))"
        "   AND ($3 = '' OR i.severity = $3)"
        " ORDER BY array_position(ARRAY['critical','high','medium','low'], i.severity), i.opened_at DESC, i.id DESC"
        " LIMIT 50 OFFSET $4::int * 50 + $5::int");
DB_STMT(st_ack, 2,
        "UPDATE incidents i SET acknowledged_at = now() FROM tenants t"
        " WHERE i.id = $2::bigint AND t.id = i.tenant_id AND $1::bigint = ANY (t.ancestors)"
        "   AND i.acknowledged_at IS NULL AND i.closed_at IS NULL");
DB_STMT(st_resolve, 3,
        "UPDATE incidents i SET closed_at = now(), resolution_note = $3,"
        " acknowledged_at = coalesce(i.acknowledged_at, now()) FROM tenants t"
        " WHERE i.id = $2::bigint AND t.id = i.tenant_id AND $1::bigint = ANY (t.ancestors) AND i.closed_at IS NULL");

enum res page_incidents(struct req *req)
{
	static const char *const statuses[] = {"open", "closed", "all", NULL};
	static const char *const sevs[] = {"critical", "high", "medium", "low", NULL};
	const char *status = http_choice(http_query(req, "status"), statuses, "open");
	const char *severity = http_choice(http_query(req, "severity"), sevs, "");
	const char *p = http_query(req, "page");
	long page = p ? strtol(p, NULL, 10) : 1;
	char id[24], pg[24];
	const char *params[5] = {id, status, severity, pg, "0"};
	json_t *m = view_model(req), *list;
	PGresult *res;
	enum res r;
	long total = 0;
	int i, can = authz_can(req->tenant->role, PERM_INCIDENTS, req->tenant->kind);

	if (page < 1 || page > 100000)
		page = 1;
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	snprintf(pg, sizeof(pg), "%ld", page - 1);
	res = db_exec(&st_incidents, params, &r);
	if (res == NULL)
		return r;
	list = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_t *row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "id",
		                        (json_int_t)atoll(PQgetvalue(res, i, 0)), "tenant", PQgetvalue(res, i, 1), "severity",
		                        PQgetvalue(res, i, 2), "title", PQgetvalue(res, i, 3), "indicator",
		                        PQgetvalue(res, i, 4), "opened", PQgetvalue(res, i, 5), "open",
		                        PQgetisnull(res, i, 7), "can_act", can && PQgetisnull(res, i, 7));
		if (!PQgetisnull(res, i, 6))
			json_object_set_new(row, "acknowledged", json_string(PQgetvalue(res, i, 6)));
		if (!PQgetisnull(res, i, 7)) {
			json_object_set_new(row, "closed", json_string(PQgetvalue(res, i, 7)));
			json_object_set_new(row, "note", json_string(PQgetvalue(res, i, 8)));
		}
		json_array_append_new(list, row);
		total = atol(PQgetvalue(res, i, 9));
	}
	PQclear(res);
	req->template = "incidents";
	json_object_set_new(m, "incidents", list);
	json_object_set_new(m, "filter", json_pack("{s:s, s:s, s:b, s:b, s:b}", "status", status, "severity", severity,
	                                           "is_open", strcmp(status, "open") == 0, "is_closed",
	                                           strcmp(status, "closed") == 0, "is_all", strcmp(status, "all") == 0));
	json_object_set_new(m, "total", json_integer(total));
	json_object_set_new(m, "page", json_integer(page));
	if (page > 1)
		json_object_set_new(m, "prev_page", json_integer(page - 1));
	if (page * PAGE_ROWS < total)
		json_object_set_new(m, "next_page", json_integer(page + 1));
	json_object_set_new(m, "note_max", json_integer(NOTE_MAX));
	json_object_set_new(m, "page_title", json_string("Incidents"));
	{
		const char *done = http_query(req, "done");
		if (done && strcmp(done, "acknowledged") == 0)
			json_object_set_new(m, "notice", json_string("Incident acknowledged."));
		else if (done && strcmp(done, "resolved") == 0)
			json_object_set_new(m, "notice", json_string("Incident resolved."));
	}
	return R_SUCCESS;
}

static enum res act(struct req *req, int resolve)
{
	const char *iid = http_route_param(req, 1);
	const char *note = http_form(req, "note");
	char id[24], loc[96], target[40];
	const char *params[3] = {id, iid, note};
	PGresult *res;
	enum res r;
	int n;

	if (!http_is_id(iid))
		return R_NOT_FOUND;
	if (resolve) {
		const char *s = note;
		while (s != NULL && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
			s++;
		if (s == NULL || *s == '\0' || strlen(note) > NOTE_MAX) {
			req->status = 400;
			json_object_set_new(view_model(req), "error",
			                    json_string(s == NULL || *s == '\0'
			                                    ? "Say how the incident was resolved: a note is required."
			                                    : "The note may have at most 2000 characters."));
			return page_incidents(req);
		}
	}
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	res = db_exec(resolve ? &st_resolve : &st_ack, params, &r);
	if (res == NULL)
		return r;
	n = atoi(PQcmdTuples(res));
	PQclear(res);
	if (n != 1) {
		req->status = 409;
		json_object_set_new(view_model(req), "error",
		                    json_string("That incident is already closed (or acknowledged), or is not one of this "
		                                "tenant's. Nothing was changed."));
		return page_incidents(req);
	}
	snprintf(target, sizeof(target), "incident:%s", iid);
	{
		json_t *d = resolve ? json_pack("{s:s}", "note", note) : NULL;
		r = audit_log(req, req->tenant->id, resolve ? "incident.resolved" : "incident.acknowledged", target, d);
		json_decref(d);
	}
	if (r != R_SUCCESS)
		return r;
	snprintf(loc, sizeof(loc), "/t/%lld/incidents?done=%s", req->tenant->id, resolve ? "resolved" : "acknowledged");
	return http_redirect(req, loc);
}

enum res page_incident_ack(struct req *req) { return act(req, 0); }
enum res page_incident_resolve(struct req *req) { return act(req, 1); }
