/* memberships.c - GET /account: the signed-in user's own memberships (the
 * tenant, the role, active or suspended, since when), each of which they
 * may leave, and the invitations addressed to them, which they may accept
 * or decline. Leaving is confirmed on the page first (?leave=TENANT). The
 * SQL side is account_memberships() and membership_leave(); the rules are in
 * docs/permissions.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "db.h"
#include "pages.h"
#include "view.h"

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD')"

DB_STMT(st_account_memberships, 0,
        "SELECT tenant_id, tenant_name, kind, tenant_active, role, status, " TS("since") ", last_owner"
                                                                                         " FROM account_memberships()");
DB_STMT(st_account_invitations, 0,
        "SELECT invitation_id, tenant_name, kind, role, invited_by, " TS("sent_at") ", " TS(
            "expires_at") " FROM account_invitations()");
DB_STMT(st_leave, 2, "SELECT membership_leave($1::bigint, $2)");
DB_STMT(st_answer, 3, "SELECT account_invitation_answer($1::bigint, $2::boolean, $3)");

/* The page; error (may be NULL) above the list with the status already set. */
static enum res account_page(struct req *req, const char *error)
{
	json_t *m = view_model(req), *list = json_array(), *invs = json_array(), *confirm = NULL;
	const char *leave = http_query(req, "leave"), *done = http_query(req, "done");
	PGresult *res;
	enum res r;
	int i;

	res = db_exec(&st_account_memberships, NULL, &r);
	if (res == NULL)
		goto fail;
	for (i = 0; i < PQntuples(res); i++) {
		enum role role = authz_role(PQgetvalue(res, i, 4));
		int active = strcmp(PQgetvalue(res, i, 5), "active") == 0;
		int open = active && strcmp(PQgetvalue(res, i, 3), "t") == 0;
		json_t *row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b}", "tenant_id",
		                        (json_int_t)atoll(PQgetvalue(res, i, 0)), "tenant_name", PQgetvalue(res, i, 1),
		                        "kind", PQgetvalue(res, i, 2), "kind_label", authz_kind_label(PQgetvalue(res, i, 2)),
		                        "role", authz_role_name(role), "role_label", authz_role_label(role), "since",
		                        PQgetvalue(res, i, 6), "is_suspended", !active, "can_open", open, "last_owner",
		                        strcmp(PQgetvalue(res, i, 7), "t") == 0);
		json_object_set_new(row, "status", json_string(PQgetvalue(res, i, 5)));
		json_object_set_new(row, "tenant_archived", json_boolean(strcmp(PQgetvalue(res, i, 3), "t") != 0));
		if (leave != NULL && strcmp(leave, PQgetvalue(res, i, 0)) == 0 && confirm == NULL)
			confirm = json_incref(row);
		json_array_append_new(list, row);
	}
	PQclear(res);
	res = db_exec(&st_account_invitations, NULL, &r);
	if (res == NULL)
		goto fail;
	for (i = 0; i < PQntuples(res); i++) {
		enum role role = authz_role(PQgetvalue(res, i, 3));
		json_array_append_new(
		    invs, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
		                    (json_int_t)atoll(PQgetvalue(res, i, 0)), "tenant_name", PQgetvalue(res, i, 1),
		                    "kind_label", authz_kind_label(PQgetvalue(res, i, 2)), "role", authz_role_name(role),
		                    "role_label", authz_role_label(role), "invited_by", PQgetvalue(res, i, 4), "sent",
		                    PQgetvalue(res, i, 5), "expires", PQgetvalue(res, i, 6)));
	}
	PQclear(res);
	req->template = "memberships";
	json_object_set_new(m, "memberships", list);
	json_object_set_new(m, "invitations", invs);
	if (confirm != NULL)
		json_object_set_new(m, "confirm_leave", confirm);
	if (error != NULL)
		json_object_set_new(m, "error", json_string(error));
	{
		static const char *const notices[][2] = {
		    {"left", "You left the tenant. Its administrators can invite you again."},
		    {"accepted", "Invitation accepted: the tenant is in your list."},
		    {"declined", "Invitation declined."},
		};
		for (size_t k = 0; done && k < sizeof(notices) / sizeof(notices[0]); k++)
			if (strcmp(done, notices[k][0]) == 0)
				json_object_set_new(m, "notice", json_string(notices[k][1]));
	}
	json_object_set_new(m, "page_title", json_string("Your memberships"));
	return R_SUCCESS;
fail:
	json_decref(confirm);
	json_decref(list);
	json_decref(invs);
	return r;
}

enum res page_account(struct req *req)
{
	return account_page(req, NULL);
}

enum res page_account_leave(struct req *req)
{
	const char *tid = http_route_param(req, 0);
	const char *params[2];
	PGresult *res;
	enum res r;
	int gone;

	if (!http_is_id(tid))
		return R_NOT_FOUND;
	params[0] = tid;
	params[1] = req->remote_addr;
	res = db_exec_guarded(&st_leave, params, &r);
	if (res == NULL && r == R_BAD_INPUT && strcmp(db_last_state(), "23514") == 0) {
		req->outcome = R_CONFLICT;
		return account_page(req, "You are the last active Owner (or MSSP Admin) of that tenant, so you cannot "
		                         "leave it: make someone else its Owner first, then leave.");
	}
	if (res == NULL)
		return r;
	gone = PQgetisnull(res, 0, 0);
	PQclear(res);
	if (gone)
		return R_NOT_FOUND;
	return http_redirect(req, "/account?done=left");
}

static enum res answer(struct req *req, int accept)
{
	const char *iid = http_route_param(req, 0);
	const char *params[3];
	PGresult *res;
	enum res r;
	int gone;

	if (!http_is_id(iid))
		return R_NOT_FOUND;
	params[0] = iid;
	params[1] = accept ? "true" : "false";
	params[2] = req->remote_addr;
	res = db_exec(&st_answer, params, &r);
	if (res == NULL)
		return r;
	gone = PQgetisnull(res, 0, 0);
	PQclear(res);
	if (gone)
		return R_NOT_FOUND;
	return http_redirect(req, accept ? "/account?done=accepted" : "/account?done=declined");
}

enum res page_account_invitation_accept(struct req *req)
{
	return answer(req, 1);
}
enum res page_account_invitation_decline(struct req *req)
{
	return answer(req, 0);
}
