/* team.c - the people of a tenant: invite, change role, suspend or resume
 * a membership, disable an account (only one that is wholly the tenant's),
 * remove, assign MSSP analysts to tenants. The tenant's pending invitations
 * are in team_invitations.c; the invitation link's page in invite.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "authz.h"
#include "db.h"
#include "form.h"
#include "pages.h"
#include "session.h"
#include "token.h"
#include "view.h"


DB_STMT(st_members, 1,
        "SELECT user_id, email, name, status, role, membership_status, account_ours, operator_disabled,"
        " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') FROM team_members($1::bigint)");
DB_STMT(st_assignments, 1, "SELECT user_id, tenant_id, tenant_name FROM analyst_assignments_of($1::bigint)");
DB_STMT(st_assignable, 1,
        "SELECT id, name FROM tenants WHERE parent_id = $1::bigint AND status = 'active' ORDER BY lower(name)");
DB_STMT(st_member_role, 2, "SELECT role FROM memberships WHERE tenant_id = $1::bigint AND user_id = $2::bigint");
DB_STMT(st_set_role, 3, "UPDATE memberships SET role = $3 WHERE tenant_id = $1::bigint AND user_id = $2::bigint");
/* A membership's status; a row only when it changed. */
DB_STMT(st_set_membership, 3,
        "UPDATE memberships SET status = $3::text,"
        " suspended_at = CASE WHEN $3::text = 'suspended' THEN now() END"
        " WHERE tenant_id = $1::bigint AND user_id = $2::bigint AND status <> $3::text RETURNING 1");
DB_STMT(st_remove, 2, "DELETE FROM memberships WHERE tenant_id = $1::bigint AND user_id = $2::bigint");
DB_STMT(st_set_status, 3, "SELECT team_set_status($1::bigint, $2::bigint, $3)");
DB_STMT(st_invite, 6, "SELECT user_id, is_new FROM team_invite($1::bigint, $2, $3, $4, $5, $6::int)");
DB_STMT(st_assign, 2,
        "INSERT INTO analyst_assignments (user_id, tenant_id) SELECT $1::bigint, t.id FROM tenants t"
        " WHERE t.id = $2::bigint ON CONFLICT DO NOTHING");
DB_STMT(st_unassign, 2, "DELETE FROM analyst_assignments WHERE user_id = $1::bigint AND tenant_id = $2::bigint");
DB_STMT(st_in_tree, 2,
        "SELECT 1 FROM tenants WHERE id = $2::bigint AND root_id = $1::bigint AND id <> $1::bigint"
        " AND status = 'active'");

static const char *const grantable_names[] = {"owner", "admin", "analyst", "viewer", "mssp_admin", "mssp_analyst",
                                              NULL};

static json_t *role_options(const struct tenant_ctx *t, const char *selected)
{
	json_t *a = json_array();
	int r;

	for (r = ROLE_COUNT - 1; r > ROLE_NONE; r--) {
		if (!team_can_grant(t, (enum role)r))
			continue;
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", authz_role_name((enum role)r), "label",
		                                   authz_role_label((enum role)r), "selected",
		                                   selected && strcmp(selected, authz_role_name((enum role)r)) == 0));
	}
	return a;
}

static void tenant_id_str(const struct req *req, char out[24])
{
	snprintf(out, 24, "%lld", req->tenant->id);
}

/* The team page, with the invite form a handler answered with (view_form)
 * or a blank one. */
static enum res team_page(struct req *req)
{
	const struct tenant_ctx *t = req->tenant;
	json_t *m = view_model(req), *members = json_array(), *assign = json_object(), *opts;
	char tid[24];
	const char *params[1] = {tid};
	PGresult *res;
	enum res r;
	int i, is_mssp = strcmp(t->kind, "mssp") == 0;

	req->template = "team";
	tenant_id_str(req, tid);
	if (is_mssp) {
		res = db_exec(&st_assignments, params, &r);
		if (res == NULL)
			goto fail;
		for (i = 0; i < PQntuples(res); i++) {
			json_t *list = json_object_get(assign, PQgetvalue(res, i, 0));
			if (list == NULL) {
				list = json_array();
				json_object_set_new(assign, PQgetvalue(res, i, 0), list);
			}
			json_array_append_new(list, json_pack("{s:I, s:s}", "tenant_id",
			                                      (json_int_t)atoll(PQgetvalue(res, i, 1)), "tenant_name",
			                                      PQgetvalue(res, i, 2)));
		}
		PQclear(res);
		res = db_exec(&st_assignable, params, &r);
		if (res == NULL)
			goto fail;
		opts = json_array();
		for (i = 0; i < PQntuples(res); i++)
			json_array_append_new(opts, json_pack("{s:I, s:s}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)),
			                                      "name", PQgetvalue(res, i, 1)));
		PQclear(res);
		json_object_set_new(m, "assignable", opts);
	}
	res = db_exec(&st_members, params, &r);
	if (res == NULL)
		goto fail;
	for (i = 0; i < PQntuples(res); i++) {
		long long uid = atoll(PQgetvalue(res, i, 0));
		enum role role = authz_role(PQgetvalue(res, i, 4));
		int self = req->sess && uid == req->sess->user_id;
		int edit = !self && team_can_grant(t, role);
		const char *status = PQgetvalue(res, i, 3);
		/* The account as a whole is this tenant's to disable only when all
		 * of the person's memberships are on tenants it sees (team_set_status()),
		 * and never once the operator disabled it. */
		int whole = edit && strcmp(PQgetvalue(res, i, 6), "t") == 0 && strcmp(PQgetvalue(res, i, 7), "f") == 0 &&
		            strcmp(status, "invited") != 0;
		json_t *row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b}", "user_id", (json_int_t)uid,
		                        "email", PQgetvalue(res, i, 1), "name", PQgetvalue(res, i, 2), "status", status,
		                        "role", authz_role_name(role), "role_label", authz_role_label(role), "is_self",
		                        self, "can_edit", edit, "is_disabled", strcmp(status, "disabled") == 0,
		                        "is_analyst", role == ROLE_MSSP_ANALYST && is_mssp);
		json_object_set_new(row, "membership_status", json_string(PQgetvalue(res, i, 5)));
		json_object_set_new(row, "is_suspended", json_boolean(strcmp(PQgetvalue(res, i, 5), "suspended") == 0));
		json_object_set_new(row, "can_disable", json_boolean(whole));
		json_object_set_new(row, "is_active_account", json_boolean(strcmp(status, "active") == 0));
		json_object_set_new(row, "operator_disabled", json_boolean(strcmp(PQgetvalue(res, i, 7), "t") == 0));
		json_object_set_new(row, "since", json_string(PQgetvalue(res, i, 8)));
		json_object_set_new(row, "role_options", role_options(t, authz_role_name(role)));
		if (role == ROLE_MSSP_ANALYST) {
			json_t *a = json_object_get(assign, PQgetvalue(res, i, 0)), *choices = json_array(), *o;
			size_t k, j;

			/* Borrowed from assign when present, a new empty list otherwise. */
			if (a != NULL)
				json_object_set(row, "assignments", a);
			else
				json_object_set_new(row, "assignments", json_array());
			/* What may still be assigned to this analyst: the
			 * assignable tenants less their assignments. */
			json_array_foreach(json_object_get(m, "assignable"), k, o)
			{
				json_int_t id = json_integer_value(json_object_get(o, "id"));
				int taken = 0;
				for (j = 0; a != NULL && j < json_array_size(a) && !taken; j++)
					taken = json_integer_value(json_object_get(json_array_get(a, j), "tenant_id")) == id;
				if (!taken)
					json_array_append(choices, o);
			}
			json_object_set_new(row, "can_assign", json_boolean(json_array_size(choices) > 0));
			json_object_set_new(row, "assign_options", choices);
		}
		json_array_append_new(members, row);
	}
	PQclear(res);
	json_decref(assign);
	json_object_set_new(m, "members", members);
	if ((r = team_invitations_into(req, m)) != R_SUCCESS)
		return r;
	{
		/* A new invitation starts at the least privileged role on offer. */
		const char *def = NULL;
		json_t *form = json_object_get(m, "invite");
		for (int k = ROLE_VIEWER; k < ROLE_COUNT && def == NULL; k++)
			if (team_can_grant(t, (enum role)k))
				def = authz_role_name((enum role)k);
		if (form == NULL)
			view_form(req, req->outcome, "invite", NULL, NULL);
		else
			def = json_string_value(json_object_get(json_object_get(form, "values"), "role"));
		json_object_set_new(json_object_get(m, "invite"), "role_options", role_options(t, def));
	}
	{
		const char *done = http_query(req, "done");
		static const char *const notices[][2] = {
		    {"invited", "Invitation sent."},
		    {"role", "Role changed."},
		    {"suspended", "Membership suspended: no access to this tenant until it is resumed."},
		    {"resumed", "Membership resumed."},
		    {"disabled", "The account is disabled."},
		    {"active", "The account is enabled again."},
		    {"removed", "Removed from this tenant."},
		    {"assigned", "Tenant assigned."},
		    {"unassigned", "Assignment removed."},
		    {"revoked", "Invitation withdrawn: its link no longer works."},
		    {"resent", "Invitation sent again, with a new link; the old link no longer works."},
		};
		for (size_t k = 0; done && k < sizeof(notices) / sizeof(notices[0]); k++)
			if (strcmp(done, notices[k][0]) == 0)
				json_object_set_new(m, "notice", json_string(notices[k][1]));
	}
	json_object_set_new(m, "page_title", json_string("Team"));
	return R_SUCCESS;
fail:
	json_decref(assign);
	json_decref(members);
	return r;
}

enum res page_team(struct req *req) { return team_page(req); }

enum res team_back(struct req *req, const char *done)
{
	char loc[96];

	snprintf(loc, sizeof(loc), "/t/%lld/team?done=%s", req->tenant->id, done);
	return http_redirect(req, loc);
}

enum res team_error(struct req *req, enum res outcome, const char *msg)
{
	req->outcome = outcome;
	json_object_set_new(view_model(req), "error", json_string(msg));
	return team_page(req);
}

enum res page_team_invite(struct req *req)
{
	static const struct form_field fields[] = {
	    {.name = "email", .label = "Email address", .kind = FORM_EMAIL, .required = 1, .min = 3, .max = 320},
	    {.name = "name", .label = "Name", .kind = FORM_TEXT, .required = 1, .min = 1, .max = 120},
	    {.name = "role", .label = "Role", .kind = FORM_CHOICE, .required = 1, .choices = grantable_names},
	};
	const struct tenant_ctx *t = req->tenant;
	json_t *values, *errors;
	char tid[24], token[TOK_HEX + 1], hash[65], days[8];
	const char *params[6];
	const char *email, *name, *role;
	PGresult *res;
	enum res r;

	form_check(req, fields, 3, &values, &errors);
	role = json_string_value(json_object_get(values, "role"));
	if (json_object_get(errors, "role") == NULL && !team_can_grant(t, authz_role(role)))
		json_object_set_new(errors, "role", json_string("You cannot give that role here."));
	if (json_object_size(errors) > 0) {
		view_form(req, R_BAD_INPUT, "invite", values, errors);
		return team_page(req);
	}
	email = json_string_value(json_object_get(values, "email"));
	name = json_string_value(json_object_get(values, "name"));
	{
		const char *why = NULL;
		r = team_invite_limits(req, email, &why);
		if (r == R_TOO_MANY) {
			json_object_set_new(errors, "email", json_string(why));
			view_form(req, R_TOO_MANY, "invite", values, errors);
			return team_page(req);
		}
		if (r != R_SUCCESS) {
			json_decref(values);
			json_decref(errors);
			return r;
		}
	}
	if (tok_random_hex(token, TOK_BYTES) != 0) {
		json_decref(values);
		json_decref(errors);
		return R_INTERNAL;
	}
	tok_sha256_hex(token, TOK_HEX, hash);
	tenant_id_str(req, tid);
	snprintf(days, sizeof(days), "%d", TEAM_INVITE_DAYS);
	params[0] = tid;
	params[1] = email;
	params[2] = name;
	params[3] = role;
	params[4] = hash;
	params[5] = days;
	res = db_exec_guarded(&st_invite, params, &r);
	if (res == NULL && r == R_BAD_INPUT && strcmp(db_last_message(), "already_member") == 0) {
		json_object_set_new(errors, "email",
		                    json_string("This person already has access to this tenant, or a suspended "
		                                "membership here. Change their role, or resume them, in the table "
		                                "above, where you may."));
		view_form(req, R_CONFLICT, "invite", values, errors);
		return team_page(req);
	}
	if (res == NULL) {
		json_decref(values);
		json_decref(errors);
		return r;
	}
	PQclear(res);
	r = team_invite_mail(req, email, name, role, token);
	tok_wipe(token, sizeof(token));
	if (r == R_SUCCESS) {
		json_t *d = json_pack("{s:s, s:s}", "email", email, "role", role);
		r = audit_log(req, t->id, "team.invite", email, d);
		json_decref(d);
	}
	json_decref(values);
	json_decref(errors);
	return r == R_SUCCESS ? team_back(req, "invited") : r;
}

/* The member {uid} of this tenant and their role; R_NOT_FOUND if none. */
static enum res member(struct req *req, const char **uid, enum role *role)
{
	char tid[24];
	const char *params[2];
	PGresult *res;
	enum res r;
	const char *u = http_route_param(req, 1);

	if (!http_is_id(u))
		return R_NOT_FOUND;
	tenant_id_str(req, tid);
	params[0] = tid;
	params[1] = u;
	res = db_exec(&st_member_role, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return R_NOT_FOUND;
	}
	*role = authz_role(PQgetvalue(res, 0, 0));
	*uid = u;
	PQclear(res);
	return R_SUCCESS;
}

/* Common checks before acting on a member: exists, not oneself, and the
 * actor may manage someone with that role. */
static enum res editable_member(struct req *req, const char **uid, enum role *role)
{
	enum res r = member(req, uid, role);

	if (r != R_SUCCESS)
		return r;
	if (atoll(*uid) == req->sess->user_id)
		return R_CONFLICT;
	if (!team_can_grant(req->tenant, *role))
		return R_FORBIDDEN;
	return R_SUCCESS;
}

static enum res refused(struct req *req, enum res r)
{
	if (r == R_CONFLICT)
		return team_error(req, R_CONFLICT, "You cannot change your own role or account here. Ask another administrator.");
	if (r == R_FORBIDDEN)
		return team_error(req, R_FORBIDDEN, "You cannot manage a member with that role.");
	return r;
}

/* The database refused (last owner): show its message. */
static enum res db_refused(struct req *req, enum res r)
{
	if (r == R_BAD_INPUT && strcmp(db_last_state(), "23514") == 0)
		return team_error(req, R_CONFLICT, "A tenant must keep at least one active Owner (or MSSP Admin). "
		                            "Give someone else that role first.");
	return r;
}

enum res page_team_role(struct req *req)
{
	static const struct form_field role_field = {
	    .name = "role", .label = "Role", .kind = FORM_CHOICE, .required = 1, .choices = grantable_names};
	const char *uid, *newrole;
	const char *params[3];
	char tid[24];
	enum role role;
	enum res r = editable_member(req, &uid, &role);

	if (r != R_SUCCESS)
		return refused(req, r);
	/* A role on the table, then one this tenant may give (known at run time). */
	if (form_get(req, &role_field, &newrole) != NULL || !team_can_grant(req->tenant, authz_role(newrole)))
		return team_error(req, R_BAD_INPUT, "Choose one of the listed roles.");
	tenant_id_str(req, tid);
	params[0] = tid;
	params[1] = uid;
	params[2] = newrole;
	if ((r = db_run_guarded(&st_set_role, params)) != R_SUCCESS)
		return db_refused(req, r);
	{
		json_t *d = json_pack("{s:s, s:s}", "from", authz_role_name(role), "to", newrole);
		char target[40];
		snprintf(target, sizeof(target), "user:%s", uid);
		r = audit_log(req, req->tenant->id, "team.role_changed", target, d);
		json_decref(d);
	}
	return r == R_SUCCESS ? team_back(req, "role") : r;
}

enum res page_team_status(struct req *req)
{
	static const char *const statuses[] = {"disabled", "active", NULL};
	static const struct form_field status_field = {
	    .name = "status", .label = "Status", .kind = FORM_CHOICE, .required = 1, .choices = statuses};
	const char *uid, *status;
	const char *params[3];
	char tid[24], target[40];
	enum role role;
	PGresult *res;
	enum res r = editable_member(req, &uid, &role);
	int changed;

	if (r != R_SUCCESS)
		return refused(req, r);
	if (form_get(req, &status_field, &status) != NULL)
		return team_error(req, R_BAD_INPUT, "Choose to disable or enable the account.");
	tenant_id_str(req, tid);
	params[0] = tid;
	params[1] = uid;
	params[2] = status;
	res = db_exec_guarded(&st_set_status, params, &r);
	if (res == NULL && r == R_BAD_INPUT && strcmp(db_last_message(), "operator_disabled") == 0)
		return team_error(req, R_CONFLICT, "The portal's operator disabled this account; only the operator can enable "
		                            "it again.");
	if (res == NULL && r == R_BAD_INPUT && strcmp(db_last_message(), "other_tenants") == 0)
		return team_error(req, R_CONFLICT, "This person also belongs to other organisations, so their account is not "
		                            "this tenant's to disable. Suspend their membership in this tenant, or "
		                            "remove them from this team, instead; the portal's operator can disable "
		                            "the account.");
	if (res == NULL)
		return db_refused(req, r);
	changed = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!changed)
		return team_error(req, R_CONFLICT, "That account has not accepted its invitation yet, or is already in that state.");
	snprintf(target, sizeof(target), "user:%s", uid);
	r = audit_log(req, req->tenant->id, strcmp(status, "disabled") == 0 ? "team.disabled" : "team.enabled",
	              target, NULL);
	return r == R_SUCCESS ? team_back(req, status) : r;
}

/* Suspend (status=suspended) or resume (status=active) the membership of
 * {uid} in this tenant: the role it gives here and below goes or comes
 * back; the account, its sessions and its other memberships stay. */
enum res page_team_membership(struct req *req)
{
	static const char *const statuses[] = {"suspended", "active", NULL};
	static const struct form_field status_field = {
	    .name = "status", .label = "Status", .kind = FORM_CHOICE, .required = 1, .choices = statuses};
	const char *uid, *status;
	const char *params[3];
	char tid[24], target[40];
	enum role role;
	PGresult *res;
	enum res r = editable_member(req, &uid, &role);
	int suspend, changed;

	if (r != R_SUCCESS)
		return refused(req, r);
	if (form_get(req, &status_field, &status) != NULL)
		return team_error(req, R_BAD_INPUT, "Choose to suspend or resume the membership.");
	suspend = strcmp(status, "suspended") == 0;
	tenant_id_str(req, tid);
	params[0] = tid;
	params[1] = uid;
	params[2] = status;
	res = db_exec_guarded(&st_set_membership, params, &r);
	if (res == NULL)
		return db_refused(req, r);
	changed = PQntuples(res) == 1;
	PQclear(res);
	if (!changed)
		return team_error(req, R_CONFLICT, suspend ? "That membership is suspended already." : "That membership is active already.");
	snprintf(target, sizeof(target), "user:%s", uid);
	{
		json_t *d = json_pack("{s:s}", "role", authz_role_name(role));
		r = audit_log(req, req->tenant->id, suspend ? "team.suspended" : "team.resumed", target, d);
		json_decref(d);
	}
	return r == R_SUCCESS ? team_back(req, suspend ? "suspended" : "resumed") : r;
}

enum res page_team_remove(struct req *req)
{
	const char *uid;
	const char *params[2];
	char tid[24], target[40];
	enum role role;
	enum res r = editable_member(req, &uid, &role);

	if (r != R_SUCCESS)
		return refused(req, r);
	tenant_id_str(req, tid);
	params[0] = tid;
	params[1] = uid;
	if ((r = db_run_guarded(&st_remove, params)) != R_SUCCESS)
		return db_refused(req, r);
	snprintf(target, sizeof(target), "user:%s", uid);
	r = audit_log(req, req->tenant->id, "team.removed", target, NULL);
	return r == R_SUCCESS ? team_back(req, "removed") : r;
}

/* Assign (on) or unassign an MSSP analyst to a tenant of this MSSP. */
static enum res assignment(struct req *req, int on)
{
	static const struct form_field tenant_field = {.name = "tenant", .label = "Tenant", .kind = FORM_ID, .required = 1};
	const char *uid, *which;
	const char *params[2];
	char tid[24], target[40];
	enum role role;
	PGresult *res;
	enum res r = member(req, &uid, &role);

	if (r != R_SUCCESS)
		return r;
	if (strcmp(req->tenant->kind, "mssp") != 0 || role != ROLE_MSSP_ANALYST)
		return team_error(req, R_CONFLICT, "Only MSSP Analysts are assigned to tenants.");
	if (form_get(req, &tenant_field, &which) != NULL)
		return team_error(req, R_BAD_INPUT, "Choose a tenant to assign.");
	tenant_id_str(req, tid);
	params[0] = tid;
	params[1] = which;
	res = db_exec(&st_in_tree, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return team_error(req, R_BAD_INPUT, "Choose a tenant managed by this MSSP.");
	}
	PQclear(res);
	params[0] = uid;
	params[1] = which;
	if ((r = db_run(on ? &st_assign : &st_unassign, params)) != R_SUCCESS)
		return r;
	snprintf(target, sizeof(target), "user:%s", uid);
	{
		json_t *d = json_pack("{s:s}", "tenant", which);
		r = audit_log(req, req->tenant->id, on ? "team.assigned" : "team.unassigned", target, d);
		json_decref(d);
	}
	return r == R_SUCCESS ? team_back(req, on ? "assigned" : "unassigned") : r;
}

enum res page_team_assign(struct req *req) { return assignment(req, 1); }
enum res page_team_unassign(struct req *req) { return assignment(req, 0); }
