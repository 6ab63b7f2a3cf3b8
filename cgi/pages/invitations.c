/* invitations.c - what the team page and its actions share about a
 * tenant's invitations nobody has accepted yet: the list on the page, the
 * mail limits and the mail itself (sql/051_memberships.sql). The page is
 * team.c, withdrawing and resending team_invitations.c: both use this
 * file, it uses neither. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "authz.h"
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

int team_can_grant(const struct tenant_ctx *t, enum role r)
{
	return r != ROLE_NONE && (authz_grantable(t->role, t->kind) & (1u << r)) != 0;
}

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
