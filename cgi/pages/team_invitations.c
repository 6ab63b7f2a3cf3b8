/* team_invitations.c - a tenant's invitations nobody has accepted yet, on
 * its team page: withdraw one (its link stops working at once) or send it
 * again with a new link (the old one dies), under the same mail limits as
 * a new invitation. Only the address the tenant typed shows: nothing of
 * the invited person's other memberships (team_invitations()). */
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

DB_STMT(st_invitation_of, 2, "SELECT role, email FROM team_invitations($1::bigint) WHERE invitation_id = $2::bigint");
DB_STMT(st_revoke, 2, "SELECT email, role FROM team_invitation_revoke($1::bigint, $2::bigint)");
DB_STMT(st_renew, 4, "SELECT email, name, role FROM team_invitation_renew($1::bigint, $2::bigint, $3, $4::int)");

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
		return team_error(req, R_FORBIDDEN, "You cannot manage a member with that role, nor their invitation.");
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
		return team_error(req, R_CONFLICT,
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
		return team_error(req, R_TOO_MANY, why);
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
