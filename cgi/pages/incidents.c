/* incidents.c - the incidents of a tenant and everything below it, and
 * their lifecycle: acknowledge, resolve with a note (Analysts and above;
 * MSSP Analysts on their assigned tenants). Closing an incident updates the
 * rollups through the table's triggers, in the same transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "authz.h"
#include "buf.h"
#include "db.h"
#include "form.h"
#include "pages.h"
#include "view.h"

#define NOTE_MAX 2000

/* incident_page(): a keyset page, its columns the rows' keys, no row for
 * a tenant the viewer may not see (pages.h: list_into()). */
DB_STMT(st_incidents, 5, "SELECT * FROM incident_page($1::bigint, $2, $3, $4::bigint, $5::bigint)");
/* One incident's page (incident_detail()), NULL when not the viewer's. */
DB_STMT(st_incident, 2, "SELECT incident_detail($1::bigint, $2::bigint)::text");
/* The incident's own tenant, when it is the page's tenant or below it. */
DB_STMT(st_incident_tenant, 2,
        "SELECT i.tenant_id FROM incidents i JOIN tenants t ON t.id = i.tenant_id"
        " WHERE i.id = $2::bigint AND $1::bigint = ANY (t.ancestors)");
DB_STMT(st_ack, 2,
        "UPDATE incidents i SET acknowledged_at = now() FROM tenants t"
        " WHERE i.id = $2::bigint AND t.id = i.tenant_id AND $1::bigint = ANY (t.ancestors)"
        "   AND i.acknowledged_at IS NULL AND i.closed_at IS NULL");
DB_STMT(st_resolve, 3,
        "UPDATE incidents i SET closed_at = now(), resolution_note = $3,"
        " acknowledged_at = coalesce(i.acknowledged_at, now()) FROM tenants t"
        " WHERE i.id = $2::bigint AND t.id = i.tenant_id AND $1::bigint = ANY (t.ancestors) AND i.closed_at IS NULL");

static const char *const note_msgs[FORM_E_COUNT] = {
    [FORM_E_REQUIRED] = "Say how the incident was resolved: a note is required.",
    [FORM_E_LONG] = "The note may have at most 2000 characters.",
};
static const struct form_field note_fields[] = {
    {.name = "note", .label = "Note", .kind = FORM_TEXT, .required = 1, .min = 1, .max = NOTE_MAX, .msgs = note_msgs},
};

static const char *const statuses[] = {"open", "closed", "all", "new", NULL};
static const char *const sevs[] = {"critical", "high", "medium", "low", NULL};

/* The list's filters and page from the request's query (each checked), as
 * a query string in qs: the action forms post to it and the actions
 * return to it, so the user stays on the page they acted on. */
static void list_qs(struct req *req, char *qs, size_t size)
{
	const char *after = list_cursor(req, "after"), *before = list_cursor(req, "before");

	snprintf(qs, size, "status=%s&severity=%s%s%s%s%s", http_choice(http_query(req, "status"), statuses, "open"),
	         http_choice(http_query(req, "severity"), sevs, ""), after ? "&after=" : "", after ? after : "",
	         before ? "&before=" : "", before ? before : "");
}

enum res page_incidents(struct req *req)
{
	const char *status = http_choice(http_query(req, "status"), statuses, "open");
	const char *severity = http_choice(http_query(req, "severity"), sevs, "");
	const char *done = http_query(req, "done");
	json_t *resolve = json_object_get(view_model(req), "resolve"); /* a refused resolution (view_form) */
	const char *resolving = json_string_value(json_object_get(resolve, "id"));
	char id[24], qs[128];
	const char *params[5] = {id, status, severity, list_cursor(req, "after"), list_cursor(req, "before")};
	const struct tenant_ctx *t = req->tenant;
	json_t *m = view_model(req), *list, *row, *frag = NULL;
	struct page_cache_entry *c;
	struct buf key = BUF_INIT;
	enum res r = R_SUCCESS;
	size_t i;
	int can = authz_can(t->role, PERM_INCIDENTS, t->kind);

	snprintf(id, sizeof(id), "%lld", t->id);
	/* The worker's page cache (page_cache.c): every change to an incident
	 * touches its tenant and their ancestors (incidents_series() ->
	 * stats_touch()), a tenant renamed too; "new" counts from the hour. The
	 * key holds the filters, the page, what the viewer may see and whether
	 * they may act, so an entry's rows are this viewer's as they are: a hit
	 * shares them, read-only. */
	if (t->version >= 0 && t->scope != NULL)
		buf_printf(&key, "incidents\x1f%lld\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%d", t->id, status, severity,
		           params[3] ? params[3] : "", params[4] ? params[4] : "", t->scope, can);
	if (buf_ok(&key) && key.data && (c = page_cache_get(req, key.data, 0)) != NULL)
		frag = json_incref(c->frag);
	if (frag == NULL) {
		frag = json_object();
		if (frag == NULL || (r = list_into(&st_incidents, params, frag, "incidents")) != R_SUCCESS) {
			json_decref(frag);
			buf_free(&key);
			return frag == NULL ? R_INTERNAL : r;
		}
		json_array_foreach(json_object_get(frag, "incidents"), i, row)
		{
			int open = json_object_get(row, "closed") == NULL;
			json_object_set_new(row, "open", json_boolean(open));
			json_object_set_new(row, "can_act", json_boolean(can && open));
		}
		if (buf_ok(&key) && key.data)
			page_cache_put(req, key.data, 0, frag);
	}
	buf_free(&key);
	/* The rows are shared with the cache's entry, and so with every later
	 * viewer of the same key: nothing below, nor the view, may change them
	 * in place (page_cache.c); a change is made on a copy, as here. */
	json_object_update(m, frag);
	json_decref(frag);
	if (resolving != NULL) {
		/* A refused resolution: its form open again, with the note as
		 * typed, in the page's own copy of the rows. */
		list = json_deep_copy(json_object_get(m, "incidents"));
		if (list == NULL || json_object_set_new(m, "incidents", list) != 0)
			return R_INTERNAL;
		json_array_foreach(list, i, row)
		{
			if (json_integer_value(json_object_get(row, "id")) != atoll(resolving))
				continue;
			json_object_set_new(row, "resolve_open", json_true());
			json_object_set(row, "typed_note", json_object_get(resolve, "typed"));
			json_object_set(row, "note_error", json_object_get(json_object_get(resolve, "errors"), "note"));
		}
	}
	list_qs(req, qs, sizeof(qs));
	json_object_set_new(m, "page_qs", json_string(qs));
	req->template = "incidents";
	json_object_set_new(m, "filter",
	                    view_flags(view_flags(json_pack("{s:s, s:s}", "status", status, "severity", severity), status,
	                                          statuses),
	                               severity, sevs));
	json_object_set_new(m, "note_max", json_integer(NOTE_MAX));
	json_object_set_new(m, "page_title", json_string("Incidents"));
	if (done && strcmp(done, "acknowledged") == 0)
		json_object_set_new(m, "notice", json_string("Incident acknowledged."));
	else if (done && strcmp(done, "resolved") == 0)
		json_object_set_new(m, "notice", json_string("Incident resolved."));
	return R_SUCCESS;
}

/* GET /t/{id}/incidents/{iid}: one incident, its timeline, where else its
 * indicator was seen, and its actions (the list's forms, returning here). */
enum res page_incident(struct req *req)
{
	const char *iid = http_route_param(req, 1), *done = http_query(req, "done");
	char id[24];
	const char *params[2] = {id, iid};
	json_t *m = view_model(req), *inc, *resolve = json_object_get(m, "resolve");
	PGresult *res;
	enum res r;

	if (!http_is_id(iid))
		return R_NOT_FOUND;
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	res = db_exec(&st_incident, params, &r);
	if (res == NULL)
		return r;
	inc = PQgetisnull(res, 0, 0) ? NULL : json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	PQclear(res);
	if (inc == NULL)
		return R_NOT_FOUND;
	/* The buttons follow the page's role; the action checks the role on
	 * the incident's own tenant again (act()). */
	json_object_set_new(inc, "can_act", json_boolean(authz_can(req->tenant->role, PERM_INCIDENTS, req->tenant->kind) &&
	                                                 json_is_true(json_object_get(inc, "open"))));
	if (resolve != NULL) {
		json_object_set_new(inc, "resolve_open", json_true());
		json_object_set(inc, "typed_note", json_object_get(resolve, "typed"));
		json_object_set(inc, "note_error", json_object_get(json_object_get(resolve, "errors"), "note"));
	}
	json_object_set_new(m, "page_title", json_string(json_string_value(json_object_get(inc, "title"))));
	json_object_set_new(m, "incident", inc);
	json_object_set_new(m, "note_max", json_integer(NOTE_MAX));
	if (done && strcmp(done, "acknowledged") == 0)
		json_object_set_new(m, "notice", json_string("Incident acknowledged."));
	else if (done && strcmp(done, "resolved") == 0)
		json_object_set_new(m, "notice", json_string("Incident resolved."));
	req->template = "incidents_detail";
	return R_SUCCESS;
}

static enum res act(struct req *req, int resolve)
{
	const char *iid = http_route_param(req, 1);
	const char *note = http_form(req, "note");
	const char *back = http_form(req, "back");
	int detail = back != NULL && strcmp(back, "detail") == 0; /* acted from the incident's page */
	char id[24], qs[128], loc[192], target[40];
	const char *params[3] = {id, iid, note};
	PGresult *res;
	enum res r;
	int n;

	if (!http_is_id(iid))
		return R_NOT_FOUND;
	if (resolve) {
		json_t *values, *errors;
		const char *why;

		form_check(req, note_fields, 1, &values, &errors);
		why = json_string_value(json_object_get(errors, "note"));
		if (why != NULL) {
			view_form(req, R_BAD_INPUT, "resolve", values, errors);
			/* The note comes back exactly as typed (values holds it trimmed). */
			json_object_set_new(json_object_get(view_model(req), "resolve"), "id", json_string(iid));
			json_object_set_new(json_object_get(view_model(req), "resolve"), "typed", json_string(note ? note : ""));
			return detail ? page_incident(req) : page_incidents(req);
		}
		/* Stored trimmed: the length checked is the length stored. */
		params[2] = note = arena_strdup(&req->arena, json_string_value(json_object_get(values, "note")));
		json_decref(values);
		json_decref(errors);
		if (note == NULL)
			return R_INTERNAL;
	}
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	/* The role on the incident's own tenant decides, not the URL's
	 * (authz_object): an Analyst of an MSP who is a Viewer of the
	 * company may not act on the company's incident from either page. */
	res = db_exec(&st_incident_tenant, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) == 1)
		r = authz_object(atoll(PQgetvalue(res, 0, 0)), PERM_INCIDENTS);
	PQclear(res);
	if (r != R_SUCCESS)
		return r;
	res = db_exec(resolve ? &st_resolve : &st_ack, params, &r);
	if (res == NULL)
		return r;
	n = atoi(PQcmdTuples(res));
	PQclear(res);
	if (n != 1) {
		req->outcome = R_CONFLICT;
		json_object_set_new(view_model(req), "error",
		                    json_string("That incident is already closed (or acknowledged), or is not one of this "
		                                "tenant's. Nothing was changed."));
		return detail ? page_incident(req) : page_incidents(req);
	}
	snprintf(target, sizeof(target), "incident:%s", iid);
	{
		json_t *d = resolve ? json_pack("{s:s}", "note", note) : NULL;
		r = audit_log(req, req->tenant->id, resolve ? "incident.resolved" : "incident.acknowledged", target, d);
		json_decref(d);
	}
	if (r != R_SUCCESS)
		return r;
	list_qs(req, qs, sizeof(qs));
	if (detail)
		snprintf(loc, sizeof(loc), "/t/%lld/incidents/%s?done=%s", req->tenant->id, iid,
		         resolve ? "resolved" : "acknowledged");
	else
		snprintf(loc, sizeof(loc), "/t/%lld/incidents?%s&done=%s", req->tenant->id, qs,
		         resolve ? "resolved" : "acknowledged");
	return http_redirect(req, loc);
}

enum res page_incident_ack(struct req *req) { return act(req, 0); }
enum res page_incident_resolve(struct req *req) { return act(req, 1); }
