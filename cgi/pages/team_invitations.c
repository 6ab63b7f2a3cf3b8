/* team_invitations.c - a tenant's invitations nobody has accepted yet, on
 * its team page: withdraw one (its link stops working at once) or send it
 * again with a new link (the old one dies), under the same mail limits as
 * a new invitation. Only the address the tenant typed shows: nothing of
 * the invited person's other memberships. sql/051_memberships.sql. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "config.h"
#include "db.h"
#include "outbox.h"
#include "pages.h"
#include "session.h"
#include "token.h"
#include "view.h"

#define INVITES_PER_TENANT_HOUR 20  /* invitations one tenant may send an hour */
#define INVITES_PER_ADDRESS_DAY 3   /* invitations to one address a day, from any tenant */
#define INVITATIONS_SHOWN       100 /* the newest ones; the page says how many more */

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"

DB_STMT(st_invitations, 2,
        "SELECT invitation_id, email, role, invited_by, " TS("sent_at") ", " TS(
            "expires_at") ", expired, total"
                          " FROM team_invitations($1::bigint) LIMIT $2::int");
DB_STMT(st_invitation_of, 2, "SELECT role, email FROM team_invitations($1::bigint) WHERE invitation_id = $2::bigint");
DB_STMT(st_revoke, 2, "SELECT email, role FROM team_invitation_revoke($1::bigint, $2::bigint)");
DB_STMT(st_renew, 4, "SELECT email, name, role FROM team_invitation_renew($1::bigint, $2::bigint, $3, $4::int)");

enum res team_invite_limits(struct req *req, const char *email, const char **why)
{
	char key[48];
	enum res r;

	snprintf(key, sizeof(key), "invite-tenant:%lld", req->tenant->id);
	r = outbox_limit(key, INVITES_PER_TENANT_HOUR, 3600);
	if (r == R_TOO_MANY) {
		*why = "This tenant has sent many invitations in the last hour. Wait a while, then invite again.";
		return r;
	}
	if (r != R_SUCCESS)
		return r;
	r = outbox_limit_address("invite-address", email, INVITES_PER_ADDRESS_DAY, 86400);
	if (r == R_TOO_MANY)
		*why = "This address has been invited several times today. Wait a day, or ask the person to check "
		       "their mail.";
	return r;
}

enum res team_invite_mail(struct req *req, const char *email, const char *name, const char *role, const char *token)
{
	char link[512];
	json_t *mail;
	enum res r;

	snprintf(link, sizeof(link), "%s/invite/%s", config_get()->base_url, token);
	mail = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i}", "name", name, "inviter", req->sess->name, "tenant_name",
	                 req->tenant->name, "role_label", authz_role_label(authz_role(role)), "link", link, "days",
	                 TEAM_INVITE_DAYS);
	tok_wipe(link, sizeof(link));
	if (mail == NULL)
		return R_INTERNAL;
	r = outbox_queue(req->tenant->id, email, "invite", mail);
	json_decref(mail);
	return r;
}

enum res team_invitations_into(struct req *req, json_t *m)
{
	char tid[24], lim[16];
	const char *params[2] = {tid, lim};
	json_t *list = json_array();
	long long total = 0;
	PGresult *res;
	enum res r;

	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	snprintf(lim, sizeof(lim), "%d", INVITATIONS_SHOWN);
	res = db_exec(&st_invitations, params, &r);
	if (res == NULL) {
		json_decref(list);
		return r;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		enum role role = authz_role(PQgetvalue(res, i, 2));
		json_array_append_new(
		    list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "id",
		                    (json_int_t)atoll(PQgetvalue(res, i, 0)), "email", PQgetvalue(res, i, 1), "role",
		                    authz_role_name(role), "role_label", authz_role_label(role), "invited_by",
		                    PQgetvalue(res, i, 3), "sent", PQgetvalue(res, i, 4), "expires",
		                    PQgetvalue(res, i, 5), "expired", strcmp(PQgetvalue(res, i, 6), "t") == 0,
		                    "can_manage", team_can_grant(req->tenant, role)));
		total = atoll(PQgetvalue(res, i, 7));
	}
	PQclear(res);
	json_object_set_new(m, "invitations", list);
	json_object_set_new(m, "invitations_total", json_integer(total));
	json_object_set_new(m, "invitations_more",
	                    json_integer(total > INVITATIONS_SHOWN ? total - INVITATIONS_SHOWN : 0));
	return R_SUCCESS;
}

/* The pending invitation {iid} of this tenant, if the user may manage its
 * role: its address into email (arena). R_NOT_FOUND, or a page with 403. */
static enum res managed_invitation(struct req *req, const char **iid, const char **email, int *refused)
{
	char tid[24];
	const char *params[2];
	PGresult *res;
	enum res r;

	*refused = 0;
	*iid = http_route_param(req, 1);
	if (!http_is_id(*iid))
		return R_NOT_FOUND;
	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	params[0] = tid;
	params[1] = *iid;
	res = db_exec(&st_invitation_of, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return R_NOT_FOUND;
	}
	if (!team_can_grant(req->tenant, authz_role(PQgetvalue(res, 0, 0)))) {
		PQclear(res);
		*refused = 1;
		return team_error(req, 403, "You cannot manage a member with that role, nor their invitation.");
	}
	*email = arena_strdup(&req->arena, PQgetvalue(res, 0, 1));
	PQclear(res);
	return *email ? R_SUCCESS : R_INTERNAL;
}

enum res page_team_invitation_revoke(struct req *req)
{
	const char *iid, *email;
	const char *params[2];
	char tid[24];
	PGresult *res;
	json_t *d;
	enum res r;
	int refused;

	if ((r = managed_invitation(req, &iid, &email, &refused)) != R_SUCCESS || refused)
		return r;
	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	params[0] = tid;
	params[1] = iid;
	res = db_exec_guarded(&st_revoke, params, &r);
	if (res == NULL && r == R_BAD_INPUT && strcmp(db_last_state(), "23514") == 0)
		return team_error(req, 409,
		                  "This invitation is for the tenant's only Owner (or MSSP Admin): invite "
		                  "someone else as Owner first, or send it again.");
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) { /* withdrawn or accepted a moment ago */
		PQclear(res);
		return R_NOT_FOUND;
	}
	d = json_pack("{s:s, s:s, s:s}", "email", PQgetvalue(res, 0, 0), "role", PQgetvalue(res, 0, 1), "invitation",
	              iid);
	PQclear(res);
	r = audit_log(req, req->tenant->id, "team.invite_revoked", email, d);
	json_decref(d);
	return r == R_SUCCESS ? team_back(req, "revoked") : r;
}

enum res page_team_invitation_resend(struct req *req)
{
	const char *iid, *email, *why = NULL;
	const char *params[4];
	char tid[24], token[TOK_HEX + 1], hash[65], days[8];
	PGresult *res;
	json_t *d;
	enum res r;
	int refused;

	if ((r = managed_invitation(req, &iid, &email, &refused)) != R_SUCCESS || refused)
		return r;
	r = team_invite_limits(req, email, &why);
	if (r == R_TOO_MANY)
		return team_error(req, 429, why);
	if (r != R_SUCCESS)
		return r;
	if (tok_random_hex(token, TOK_BYTES) != 0)
		return R_INTERNAL;
	tok_sha256_hex(token, TOK_HEX, hash);
	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	snprintf(days, sizeof(days), "%d", TEAM_INVITE_DAYS);
	params[0] = tid;
	params[1] = iid;
	params[2] = hash;
	params[3] = days;
	res = db_exec(&st_renew, params, &r);
	if (res == NULL || PQntuples(res) != 1) {
		tok_wipe(token, sizeof(token));
		PQclear(res);
		return res == NULL ? r : R_NOT_FOUND;
	}
	r = team_invite_mail(req, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), token);
	tok_wipe(token, sizeof(token));
	if (r == R_SUCCESS) {
		d = json_pack("{s:s, s:s, s:s}", "email", PQgetvalue(res, 0, 0), "role", PQgetvalue(res, 0, 2),
		              "invitation", iid);
		r = audit_log(req, req->tenant->id, "team.invite_resent", email, d);
		json_decref(d);
	}
	PQclear(res);
	return r == R_SUCCESS ? team_back(req, "resent") : r;
}
