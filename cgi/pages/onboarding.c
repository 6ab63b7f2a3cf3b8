/* onboarding.c - an MSSP adds an MSP; the MSP approves or rejects with a
 * reason. The state machine lives in msp_request_*(); the bell that tells
 * both sides is notifications.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "authz.h"
#include "config.h"
#include "db.h"
#include "form.h"
#include "outbox.h"
#include "pages.h"
#include "session.h"
#include "token.h"
#include "view.h"

#define REQUEST_DAYS 7
#define REASON_MAX 1000

DB_STMT(st_req_list, 1,
        "SELECT id, mssp_id, mssp_name, msp_id, msp_name, email, status,"
        " to_char(created_at, 'YYYY-MM-DD HH24:MI'), to_char(expires_at, 'YYYY-MM-DD HH24:MI'),"
        " to_char(decided_at, 'YYYY-MM-DD HH24:MI'), decided_by, reason, companies"
        " FROM msp_requests_list($1::bigint)");
DB_STMT(st_req_create, 5,
        "SELECT outcome, request_id, msp_id, msp_name FROM msp_request_create($1::bigint, $2, $3, $4, $5::int)");
DB_STMT(st_req_withdraw, 4, "SELECT msp_request_withdraw($1::bigint, $2::bigint, $3, $4::int)");
DB_STMT(st_req_by_token, 1, "SELECT q.id, q.msp_tenant_id FROM msp_requests q WHERE q.id = msp_request_by_token($1)");
DB_STMT(st_req_addressee, 1, "SELECT msp_request_addressee($1)");
DB_STMT(st_req_decide, 3,
        "SELECT outcome, mssp_id, msp_id, msp_name, mssp_name FROM msp_request_decide($1::bigint, $2::boolean, $3)");
DB_STMT(st_req_people, 2, "SELECT user_id, email, name FROM request_people($1::bigint, $2)");
DB_STMT(st_req_notify, 6, "SELECT notify_request($1::bigint, $2, $3, $4, $5, $6)");
DB_STMT(st_req_msp, 1, "SELECT msp_tenant_id FROM msp_requests WHERE id = $1::bigint");
/* The MSPs the MSSP manages, for its MSPs page: the dashboard's table of
 * the tenants one level down (tenant_children_rows()), by name. */
DB_STMT(st_managed, 1,
        "SELECT id, name, region, companies FROM tenant_children_rows($1::bigint, '', 'name', 'asc', 500, 0)");

static const char *status_label(const char *s)
{
	static const char *const map[][2] = {
	    {"pending", "PENDING APPROVAL"}, {"approved", "APPROVED"},     {"rejected", "REJECTED"},
	    {"cancelled", "CANCELLED"},      {"superseded", "SUPERSEDED"}, {"expired", "EXPIRED"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], s) == 0)
			return map[i][1];
	return s;
}

static json_t *request_row(PGresult *res, int i)
{
	const char *status = PQgetvalue(res, i, 6);
	json_t *row = json_pack("{s:I, s:I, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:I}", "id",
	                        (json_int_t)atoll(PQgetvalue(res, i, 0)), "mssp_id",
	                        (json_int_t)atoll(PQgetvalue(res, i, 1)), "mssp_name", PQgetvalue(res, i, 2), "msp_id",
	                        (json_int_t)atoll(PQgetvalue(res, i, 3)), "msp_name", PQgetvalue(res, i, 4), "email",
	                        PQgetvalue(res, i, 5), "status", status, "status_label", status_label(status),
	                        "created_at", PQgetvalue(res, i, 7), "expires_at", PQgetvalue(res, i, 8), "is_pending",
	                        strcmp(status, "pending") == 0, "companies", (json_int_t)atoll(PQgetvalue(res, i, 12)));
	if (!PQgetisnull(res, i, 9))
		json_object_set_new(row, "decided_at", json_string(PQgetvalue(res, i, 9)));
	if (!PQgetisnull(res, i, 10))
		json_object_set_new(row, "decided_by", json_string(PQgetvalue(res, i, 10)));
	if (!PQgetisnull(res, i, 11))
		json_object_set_new(row, "reason", json_string(PQgetvalue(res, i, 11)));
	return row;
}

/* Requests of this tenant (either side); a new array, or NULL on error. */
static json_t *requests(struct req *req, enum res *r)
{
	char tid[24];
	const char *params[1] = {tid};
	PGresult *res;
	json_t *a;
	int i;

	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	res = db_exec(&st_req_list, params, r);
	if (res == NULL)
		return NULL;
	a = json_array();
	for (i = 0; i < PQntuples(res); i++)
		json_array_append_new(a, request_row(res, i));
	PQclear(res);
	return a;
}

/* ------------------------------------------------------------ MSSP side */

static enum res msps_page(struct req *req)
{
	json_t *m = view_model(req), *list;
	enum res r;

	if (strcmp(req->tenant->kind, "mssp") != 0)
		return R_NOT_FOUND;
	list = requests(req, &r);
	if (list == NULL)
		return r;
	{
		char tid[24];
		const char *params[1] = {tid};
		PGresult *res;
		json_t *managed = json_array();
		snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
		if ((res = db_exec(&st_managed, params, &r)) == NULL) {
			json_decref(list);
			json_decref(managed);
			return r;
		}
		for (int i = 0; i < PQntuples(res); i++)
			json_array_append_new(managed, json_pack("{s:I, s:s, s:s, s:I}", "id",
			                                         (json_int_t)atoll(PQgetvalue(res, i, 0)), "name",
			                                         PQgetvalue(res, i, 1), "region", PQgetvalue(res, i, 2),
			                                         "companies", (json_int_t)atoll(PQgetvalue(res, i, 3))));
		PQclear(res);
		json_object_set_new(m, "managed_count", json_integer((json_int_t)json_array_size(managed)));
		json_object_set_new(m, "managed", managed);
	}
	req->template = "onboarding_msps";
	json_object_set_new(m, "requests", list);
	{
		const char *done = http_query(req, "done");
		if (done && strcmp(done, "added") == 0)
			json_object_set_new(m, "notice", json_string("Request sent. The MSP's owners and admins were notified."));
		else if (done && strcmp(done, "cancelled") == 0)
			json_object_set_new(m, "notice", json_string("Request cancelled."));
		else if (done && strcmp(done, "resent") == 0)
			json_object_set_new(m, "notice", json_string("Request sent again with a new link. The old link no longer works."));
	}
	json_object_set_new(m, "page_title", json_string("MSPs"));
	return R_SUCCESS;
}

enum res page_msps(struct req *req) { return msps_page(req); }

/* Email and bell for the MSP's Owners and Admins about request rid. */
static enum res announce_request(struct req *req, const char *rid, const char *token, const char *msp_name)
{
	char link[512], inside[96];
	const char *params[6];
	PGresult *res;
	json_t *mail;
	enum res r;
	int i;

	snprintf(link, sizeof(link), "%s/requests/%s", config_get()->base_url, token);
	params[0] = rid;
	params[1] = "msp";
	res = db_exec(&st_req_people, params, &r);
	if (res == NULL)
		return r;
	for (i = 0; i < PQntuples(res) && r == R_SUCCESS; i++) {
		mail = json_pack("{s:s, s:s, s:s, s:s, s:i}", "name", PQgetvalue(res, i, 2), "mssp_name", req->tenant->name,
		                 "msp_name", msp_name, "link", link, "days", REQUEST_DAYS);
		r = outbox_queue(req->tenant->id, PQgetvalue(res, i, 1), "msp_request", mail);
		json_decref(mail);
	}
	PQclear(res);
	tok_wipe(link, sizeof(link));
	if (r != R_SUCCESS)
		return r;
	{
		char title[300];
		snprintf(title, sizeof(title), "MSSP Approval Request from %s", req->tenant->name);
		snprintf(inside, sizeof(inside), "/requests/id/%s", rid);
		params[0] = rid;
		params[1] = "msp";
		params[2] = "msp_request";
		params[3] = title;
		params[4] = "Approve or reject, with a reason.";
		params[5] = inside;
		r = db_run(&st_req_notify, params);
	}
	return r;
}

enum res page_msps_add(struct req *req)
{
	static const struct form_field fields[] = {
	    {.name = "email", .label = "Owner's email address", .kind = FORM_EMAIL, .required = 1, .min = 3, .max = 320},
	    {.name = "name", .label = "Tenant name", .kind = FORM_TEXT, .required = 1, .min = 1, .max = 120},
	};
	json_t *values, *errors;
	char tid[24], token[TOK_HEX + 1], hash[65], days[8], rid[24];
	const char *params[5];
	char outcome[16];
	PGresult *res;
	enum res r;

	if (strcmp(req->tenant->kind, "mssp") != 0)
		return R_NOT_FOUND;
	if (form_check(req, fields, 2, &values, &errors) > 0) {
		view_form(req, R_BAD_INPUT, "add", values, errors);
		return msps_page(req);
	}
	if (tok_random_hex(token, TOK_BYTES) != 0) {
		json_decref(values);
		json_decref(errors);
		return R_INTERNAL;
	}
	tok_sha256_hex(token, TOK_HEX, hash);
	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	snprintf(days, sizeof(days), "%d", REQUEST_DAYS);
	params[0] = tid;
	params[1] = json_string_value(json_object_get(values, "email"));
	params[2] = json_string_value(json_object_get(values, "name"));
	params[3] = hash;
	params[4] = days;
	res = db_exec(&st_req_create, params, &r);
	if (res == NULL) {
		json_decref(values);
		json_decref(errors);
		return r;
	}
	snprintf(outcome, sizeof(outcome), "%s", PQgetvalue(res, 0, 0));
	if (strcmp(outcome, "created") != 0) {
		const char *field = "name", *msg;
		if (strcmp(outcome, "not_found") == 0) {
			field = "email";
			msg = "No MSP with that tenant name has an owner with that email address. Check both with the "
			      "MSP's owner: the name must match their tenant exactly and the address must be an Owner's.";
		} else if (strcmp(outcome, "associated") == 0) {
			msg = "Tenant already associated to mssp.";
		} else if (strcmp(outcome, "pending") == 0) {
			msg = "A request for this MSP is already pending approval. Resend or cancel it in the table below.";
		} else {
			msg = "This MSP is in another region than your MSSP; tenants can only be linked within a region.";
		}
		PQclear(res);
		json_object_set_new(errors, field, json_string(msg));
		view_form(req, strcmp(outcome, "not_found") == 0 ? R_NOT_FOUND : R_CONFLICT, "add", values, errors);
		return msps_page(req);
	}
	snprintf(rid, sizeof(rid), "%s", PQgetvalue(res, 0, 1));
	{
		char msp_name[256];
		snprintf(msp_name, sizeof(msp_name), "%s", PQgetvalue(res, 0, 3));
		PQclear(res);
		r = announce_request(req, rid, token, msp_name);
	}
	tok_wipe(token, sizeof(token));
	json_decref(values);
	json_decref(errors);
	if (r != R_SUCCESS)
		return r;
	{
		char loc[96];
		snprintf(loc, sizeof(loc), "/t/%lld/msps?done=added", req->tenant->id);
		return http_redirect(req, loc);
	}
}

static enum res withdraw(struct req *req, int resend)
{
	const char *rid = http_route_param(req, 1);
	char tid[24], token[TOK_HEX + 1], hash[65], days[8], newid[24], loc[96];
	const char *params[4];
	PGresult *res;
	enum res r;

	if (strcmp(req->tenant->kind, "mssp") != 0 || !http_is_id(rid))
		return R_NOT_FOUND;
	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	snprintf(days, sizeof(days), "%d", REQUEST_DAYS);
	if (resend) {
		if (tok_random_hex(token, TOK_BYTES) != 0)
			return R_INTERNAL;
		tok_sha256_hex(token, TOK_HEX, hash);
	}
	params[0] = tid;
	params[1] = rid;
	params[2] = resend ? hash : NULL;
	params[3] = days;
	res = db_exec(&st_req_withdraw, params, &r);
	if (res == NULL)
		return r;
	if (PQgetisnull(res, 0, 0)) {
		PQclear(res);
		json_object_set_new(view_model(req), "error",
		                    json_string("That request is no longer pending: it was decided, cancelled, resent or "
		                                "has expired. Its current state is shown below."));
		req->outcome = R_CONFLICT;
		return msps_page(req);
	}
	snprintf(newid, sizeof(newid), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	if (resend) {
		/* The MSP's name for the email, from the list the MSSP sees. */
		json_t *list = requests(req, &r), *row;
		size_t i;
		const char *msp = "the MSP";
		if (list == NULL)
			return r;
		json_array_foreach(list, i, row)
		    if (json_integer_value(json_object_get(row, "id")) == atoll(newid))
			msp = json_string_value(json_object_get(row, "msp_name"));
		r = announce_request(req, newid, token, msp);
		json_decref(list);
		tok_wipe(token, sizeof(token));
		if (r != R_SUCCESS)
			return r;
	}
	snprintf(loc, sizeof(loc), "/t/%lld/msps?done=%s", req->tenant->id, resend ? "resent" : "cancelled");
	return http_redirect(req, loc);
}

enum res page_msps_cancel(struct req *req) { return withdraw(req, 0); }
enum res page_msps_resend(struct req *req) { return withdraw(req, 1); }

/* ------------------------------------------------------------ MSP side */

/* The request {rid} of this MSP's list, as a new object; NULL if absent. */
static json_t *find_request(struct req *req, const char *rid, enum res *r)
{
	json_t *list = requests(req, r), *row, *found = NULL;
	size_t i;

	if (list == NULL)
		return NULL;
	json_array_foreach(list, i, row)
	    if (json_integer_value(json_object_get(row, "msp_id")) == req->tenant->id &&
	        rid != NULL && json_integer_value(json_object_get(row, "id")) == atoll(rid))
		found = json_incref(row);
	json_decref(list);
	if (found == NULL)
		*r = R_NOT_FOUND;
	return found;
}

enum res page_requests(struct req *req)
{
	json_t *m = view_model(req), *list, *mine = json_array(), *row;
	enum res r;
	size_t i;

	list = requests(req, &r);
	if (list == NULL) {
		json_decref(mine);
		return r;
	}
	json_array_foreach(list, i, row)
	    if (json_integer_value(json_object_get(row, "msp_id")) == req->tenant->id)
		json_array_append(mine, row);
	json_decref(list);
	req->template = "onboarding_requests";
	json_object_set_new(m, "requests", mine);
	json_object_set_new(m, "page_title", json_string("MSSP requests"));
	return R_SUCCESS;
}

/* One request, with the confirmation form for ?decision=approve|reject. */
static enum res request_page(struct req *req)
{
	const char *rid = http_route_param(req, 1);
	const char *decision = http_query(req, "decision");
	json_t *m = view_model(req), *q;
	enum res r;

	if (!http_is_id(rid))
		return R_NOT_FOUND;
	q = find_request(req, rid, &r);
	if (q == NULL)
		return r;
	if (decision == NULL)
		decision = http_form(req, "decision");
	req->template = "onboarding_request";
	if (decision != NULL && (strcmp(decision, "approve") == 0 || strcmp(decision, "reject") == 0) &&
	    json_is_true(json_object_get(q, "is_pending")) && authz_can(req->tenant->role, PERM_APPROVE, "msp")) {
		json_object_set_new(m, "confirm", json_pack("{s:s, s:b, s:i}", "decision", decision, "approve",
		                                            strcmp(decision, "approve") == 0, "max", REASON_MAX));
	}
	json_object_set_new(m, "request", q);
	json_object_set_new(m, "page_title", json_string("MSSP Approval Request"));
	return R_SUCCESS;
}

enum res page_request(struct req *req) { return request_page(req); }

/* Tell the MSSP's admins (bell + email) about the decision. */
static enum res announce_decision(struct req *req, const char *rid, int approve, const char *msp_name,
                                  const char *reason, long long mssp_id)
{
	const char *params[6];
	char title[300], link[64];
	PGresult *res;
	enum res r;
	int i;

	snprintf(title, sizeof(title), "%s %s your request", msp_name, approve ? "approved" : "rejected");
	snprintf(link, sizeof(link), "/t/%lld/msps", mssp_id);
	params[0] = rid;
	params[1] = "mssp";
	params[2] = approve ? "msp_approved" : "msp_rejected";
	params[3] = title;
	params[4] = reason;
	params[5] = link;
	if ((r = db_run(&st_req_notify, params)) != R_SUCCESS)
		return r;
	res = db_exec(&st_req_people, params, &r);
	if (res == NULL)
		return r;
	for (i = 0; i < PQntuples(res) && r == R_SUCCESS; i++) {
		char url[512];
		json_t *mail;
		snprintf(url, sizeof(url), "%s%s", config_get()->base_url, link);
		mail = json_pack("{s:s, s:s, s:b, s:s, s:s, s:s}", "name", PQgetvalue(res, i, 2), "msp_name", msp_name,
		                 "approved", approve, "decision", approve ? "approved" : "rejected", "reason", reason,
		                 "link", url);
		/* Queued under the MSP (visible to the one deciding); approved, it
		 * now sits under the MSSP and carries the MSSP's brand. */
		r = outbox_queue(req->tenant->id, PQgetvalue(res, i, 1), "msp_decision", mail);
		json_decref(mail);
	}
	PQclear(res);
	return r;
}

static const char *const decisions[] = {"approve", "reject", NULL};
static const char *const reason_msgs[FORM_E_COUNT] = {
    [FORM_E_REQUIRED] = "A reason is required: say why, in a sentence the MSSP will read.",
    [FORM_E_LONG] = "The reason may have at most 1000 characters.",
};
static const struct form_field decide_fields[] = {
    {.name = "decision", .label = "Decision", .kind = FORM_CHOICE, .required = 1, .choices = decisions},
    {.name = "reason", .label = "Reason", .kind = FORM_TEXT, .required = 1, .min = 1, .max = REASON_MAX,
     .msgs = reason_msgs},
};

enum res page_request_decide(struct req *req)
{
	const char *rid = http_route_param(req, 1);
	const char *params[3], *reason;
	char msp_name[256], mssp[24];
	json_t *values, *errors;
	PGresult *res;
	enum res r;
	int approve;

	if (form_check(req, decide_fields, 2, &values, &errors) > 0) {
		/* Without a decision (no button pressed) the page is shown
		 * again, the reason kept and no error said. */
		if (json_object_get(errors, "decision") != NULL)
			json_object_clear(errors);
		view_form(req, json_object_size(errors) > 0 ? R_BAD_INPUT : R_SUCCESS, "form", values, errors);
		return request_page(req);
	}
	approve = strcmp(json_string_value(json_object_get(values, "decision")), "approve") == 0;
	reason = json_string_value(json_object_get(values, "reason"));
	params[0] = rid;
	params[1] = approve ? "true" : "false";
	params[2] = reason;
	{
		/* The request must belong to this MSP (the tenant in the URL). */
		json_t *q = find_request(req, rid, &r);
		if (q == NULL)
			goto out;
		json_decref(q);
	}
	res = db_exec(&st_req_decide, params, &r);
	if (res == NULL)
		goto out;
	if (strcmp(PQgetvalue(res, 0, 0), "already") == 0) {
		PQclear(res);
		req->outcome = R_CONFLICT;
		json_object_set_new(view_model(req), "error",
		                    json_string("This request was already decided, cancelled or has expired; nothing was "
		                                "changed. Its current state is shown below."));
		r = request_page(req);
		goto out;
	}
	snprintf(msp_name, sizeof(msp_name), "%s", PQgetvalue(res, 0, 3));
	snprintf(mssp, sizeof(mssp), "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	r = announce_decision(req, rid, approve, msp_name, reason, atoll(mssp));
	if (r == R_SUCCESS) {
		char loc[96];
		snprintf(loc, sizeof(loc), "/t/%lld/requests/%s", req->tenant->id, rid);
		r = http_redirect(req, loc);
	}
out:
	json_decref(values); /* owns reason */
	json_decref(errors);
	return r;
}

/* A request link opened by an account it is not for: say which account it
 * is for (masked) and offer to sign in as it; an unknown link is a 404. */
static enum res wrong_account(struct req *req, const char *hash, const char *tok)
{
	const char *params[1] = {hash};
	json_t *m = view_model(req);
	char next[96];
	PGresult *res;
	enum res r;

	res = db_exec(&st_req_addressee, params, &r);
	if (res == NULL)
		return r;
	if (PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return R_NOT_FOUND;
	}
	json_object_set_new(m, "sign_in_as", json_string(account_mask_email(req, PQgetvalue(res, 0, 0))));
	PQclear(res);
	snprintf(next, sizeof(next), "/requests/%s", tok);
	json_object_set_new(m, "next", json_string(next));
	json_object_set_new(m, "page_title", json_string("Another account's request"));
	req->template = "onboarding_wrong_account";
	req->outcome = R_FORBIDDEN;
	return R_SUCCESS;
}

/* The emailed link: /requests/{token} -> the request page of the MSP. */
enum res page_request_link(struct req *req)
{
	const char *tok = http_route_param(req, 0);
	const char *params[1];
	char hash[65], loc[96];
	PGresult *res;
	enum res r;

	if (tok == NULL || !tok_is_hex(tok, TOK_HEX))
		return R_NOT_FOUND;
	tok_sha256_hex(tok, TOK_HEX, hash);
	params[0] = hash;
	res = db_exec(&st_req_by_token, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return wrong_account(req, hash, tok);
	}
	snprintf(loc, sizeof(loc), "/t/%s/requests/%s", PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 0));
	PQclear(res);
	return http_redirect(req, loc);
}

/* The bell's links: /requests/id/{rid} -> the request page of the MSP. */
enum res page_request_by_id(struct req *req)
{
	const char *rid = http_route_param(req, 0);
	PGresult *res;
	enum res r;
	char loc[96];
	const char *params[1] = {rid};

	if (!http_is_id(rid))
		return R_NOT_FOUND;
	res = db_exec(&st_req_msp, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return R_NOT_FOUND;
	}
	snprintf(loc, sizeof(loc), "/t/%s/requests/%s", PQgetvalue(res, 0, 0), rid);
	PQclear(res);
	return http_redirect(req, loc);
}
