/* invite.c - the page of an invitation's link (/invite/{token}): who is
 * invited to which tenant, and accepting it, as a new account (name and
 * password) or as the account's owner signed in. Inviting is team.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "config.h"
#include "db.h"
#include "form.h"
#include "pages.h"
#include "pwhash.h"
#include "session.h"
#include "token.h"
#include "view.h"

DB_STMT(st_invitation, 1,
        "SELECT invitation_id, user_id, email, name, user_status, tenant_id, tenant_name, role, expired, accepted"
        " FROM invitation_lookup($1)");
DB_STMT(st_accept, 6, "SELECT user_id, token FROM invitation_accept($1, $2, $3, $4, $5, $6::int)");

/* Look up the invitation of the token in the path; fills the model. */
static enum res invitation(struct req *req, char hash[65], int *usable, int *needs_password)
{
	const char *tok = http_route_param(req, 0);
	const char *params[1];
	json_t *m = view_model(req);
	PGresult *res;
	enum res r;

	*usable = 0;
	*needs_password = 0;
	req->template = "invite";
	json_object_set_new(m, "page_title", json_string("Invitation"));
	if (tok == NULL || !tok_is_hex(tok, TOK_HEX)) {
		req->outcome = R_NOT_FOUND;
		json_object_set_new(m, "invalid", json_true());
		return R_SUCCESS;
	}
	tok_sha256_hex(tok, TOK_HEX, hash);
	params[0] = hash;
	res = db_exec(&st_invitation, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		req->outcome = R_NOT_FOUND;
		json_object_set_new(m, "invalid", json_true());
		return R_SUCCESS;
	}
	json_object_set_new(m, "invitation",
	                    json_pack("{s:s, s:s, s:s, s:s}", "email", PQgetvalue(res, 0, 2), "name", PQgetvalue(res, 0, 3),
	                              "tenant_name", PQgetvalue(res, 0, 6), "role_label",
	                              authz_role_label(authz_role(PQgetvalue(res, 0, 7)))));
	if (strcmp(PQgetvalue(res, 0, 9), "t") == 0) {
		req->outcome = R_GONE;
		json_object_set_new(m, "used", json_true());
	} else if (strcmp(PQgetvalue(res, 0, 8), "t") == 0) {
		req->outcome = R_GONE;
		json_object_set_new(m, "expired", json_true());
	} else if (strcmp(PQgetvalue(res, 0, 4), "invited") != 0 &&
	           (req->sess == NULL || req->sess->user_id != atoll(PQgetvalue(res, 0, 1)))) {
		/* An account that exists: its owner accepts, signed in. */
		const char *masked = account_mask_email(req, PQgetvalue(res, 0, 2));
		char next[96];
		snprintf(next, sizeof(next), "/login?next=/invite/%s", tok);
		req->outcome = req->sess == NULL ? R_SUCCESS : R_FORBIDDEN;
		/* Whoever holds the link learns the account only masked (the page
		 * and its JSON twin alike). */
		json_object_set_new(json_object_get(m, "invitation"), "email", json_string(masked));
		json_object_del(json_object_get(m, "invitation"), "name");
		json_object_set_new(m, "sign_in_as", json_string(masked));
		json_object_set_new(m, "wrong_account", json_boolean(req->sess != NULL));
		json_object_set_new(m, "login_link", json_string(next));
	} else {
		*usable = 1;
		*needs_password = strcmp(PQgetvalue(res, 0, 4), "invited") == 0;
		json_object_set_new(m, "needs_password", json_boolean(*needs_password));
		json_object_set_new(m, "token", json_string(tok));
	}
	PQclear(res);
	return R_SUCCESS;
}

enum res page_invite_form(struct req *req)
{
	char hash[65];
	int usable, needs;

	return invitation(req, hash, &usable, &needs);
}

/* The invitation's password, in its page's words (the length: the default). */
static const char *const invite_pw_msgs[FORM_E_COUNT] = {
    [FORM_E_REQUIRED] = "Choose a password.",
    [FORM_E_PAIR_MISSING] = "The two passwords differ.",
    [FORM_E_PAIR_DIFFERS] = "The two passwords differ.",
};

enum res page_invite_accept(struct req *req)
{
	struct form_field fields[] = {
	    {.name = "name", .label = "Name", .kind = FORM_TEXT, .min = 1, .max = 120},
	    {.name = "password", .label = "Password", .kind = FORM_PASSWORD, .min = PW_MIN_LEN, .max = PW_MAX_LEN,
	     .pair = "password2", .msgs = invite_pw_msgs},
	};
	char hash[65], pwh[PW_HASH_MAX], maxs[16];
	const char *params[6];
	json_t *values, *errors, *m = view_model(req);
	PGresult *res;
	enum res r;
	int usable, needs;

	if (!sess_same_origin(req))
		return R_FORBIDDEN;
	if ((r = invitation(req, hash, &usable, &needs)) != R_SUCCESS)
		return r;
	if (!usable) {
		/* An account's invitation, and not its owner signed in: refused. */
		if (json_object_get(m, "sign_in_as") != NULL)
			req->outcome = R_FORBIDDEN;
		return R_SUCCESS;
	}
	/* A new account chooses its password; an existing one keeps its own. */
	fields[1].required = needs;
	form_check(req, fields, 2, &values, &errors);
	if (json_object_size(errors) > 0) {
		view_form(req, R_BAD_INPUT, "form", values, errors);
		return R_SUCCESS;
	}
	if (needs && pw_hash(http_form(req, "password"), pwh) != 0) {
		json_decref(values);
		json_decref(errors);
		return R_INTERNAL;
	}
	params[0] = hash;
	params[1] = json_string_value(json_object_get(values, "name"));
	params[2] = needs ? pwh : NULL;
	params[3] = req->remote_addr;
	params[4] = req->user_agent;
	snprintf(maxs, sizeof(maxs), "%d", config_get()->session_max);
	params[5] = maxs;
	res = db_exec(&st_accept, params, &r);
	tok_wipe(pwh, sizeof(pwh));
	json_decref(values);
	json_decref(errors);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		/* Someone used the link a moment ago. */
		PQclear(res);
		req->outcome = R_GONE;
		json_object_set_new(m, "used", json_true());
		json_object_del(m, "token");
		json_object_del(m, "needs_password");
		return R_SUCCESS;
	}
	{
		long long uid = atoll(PQgetvalue(res, 0, 0));
		if (req->sess != NULL && req->sess->user_id != uid)
			sess_end(req);
		/* A new account's first session, opened by the database. */
		if (!PQgetisnull(res, 0, 1))
			sess_start(req, PQgetvalue(res, 0, 1));
		PQclear(res);
	}
	return http_redirect(req, needs || req->sess ? "/" : "/login");
}
