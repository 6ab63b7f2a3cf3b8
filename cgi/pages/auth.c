/* auth.c - sign-in (with throttling, see throttle.h), sign-in links by
 * email, and sign-out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "outbox.h"
#include "pages.h"
#include "pwhash.h"
#include "session.h"
#include "throttle.h"
#include "view.h"

/* Sign-in is decided in the database (auth_login_begin(), auth_login()): it gives the scrypt
 * setting of the account's password (never its hash) and whether this
 * attempt must wait; the worker derives the key from the typed password;
 * auth_login compares, counts a failure or opens the session, and writes
 * the audit rows. */
DB_STMT(st_login_begin, 3, "SELECT setting, locked, retry_seconds, scope FROM auth_login_begin($1, $2, $3)");
DB_STMT(st_login, 6,
        "SELECT outcome, retry_seconds, scope, user_id, token, device FROM auth_login($1, $2, $3, $4, $5, $6::int)");
DB_STMT(st_link_signin, 5, "SELECT user_id, token, device FROM auth_link_signin($1, $2, $3, $4, $5::int)");
DB_STMT(st_link_check, 2, "SELECT user_id, email FROM auth_link_lookup($1, $2)");

#define SIGNIN_LINKS_PER_HOUR 3 /* sign-in link requests for one address an hour */

/* Only local paths are followed after sign-in. */
/* Where to go after signing in: a local path asked for, else where the
 * person lands (/start: their organisation's dashboard, or the chooser). */
static const char *safe_next(const char *next)
{
	if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 512)
		return "/start";
	return next;
}

static enum res login_page(struct req *req, const char *email, const char *error, const char *next)
{
	json_t *m = view_model(req);

	req->template = "auth_login";
	json_object_set_new(m, "email", json_string(email ? email : ""));
	json_object_set_new(m, "next", json_string(safe_next(next)));
	if (error != NULL)
		json_object_set_new(m, "error", json_string(error));
	return R_SUCCESS;
}

/* Notices other pages send the user here with (?notice=NAME); only these
 * fixed sentences are shown, never text from the query. */
static const char *login_notice(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "password_reset") == 0)
		return "Your password was changed and every session of your account was signed out. "
		       "Sign in with the new password.";
	return NULL;
}

enum res page_login_form(struct req *req)
{
	const char *notice = login_notice(http_query(req, "notice"));

	if (req->sess != NULL)
		return http_redirect(req, safe_next(http_query(req, "next")));
	if (notice != NULL)
		json_object_set_new(view_model(req), "notice", json_string(notice));
	return login_page(req, NULL, NULL, http_query(req, "next"));
}

/* A refused attempt: when to try again, and the way in that no guessing
 * blocks (a sign-in link by email). */
static enum res locked_page(struct req *req, const char *email, const struct throttle *t, const char *next)
{
	char msg[128];

	throttle_message(t, msg, sizeof(msg));
	throttle_retry_after(req, t);
	req->outcome = R_TOO_MANY;
	login_page(req, email, msg, next);
	json_object_set_new(view_model(req), "offer_link", json_true());
	return R_SUCCESS;
}

/* The session (and device) cookies of a sign-in the database accepted:
 * columns tok and tok + 1 of row 0 of res. */
static void signed_in(struct req *req, PGresult *res, int tok)
{
	sess_start(req, PQgetvalue(res, 0, tok));
	if (!PQgetisnull(res, 0, tok + 1))
		sess_device_cookie(req, PQgetvalue(res, 0, tok + 1));
}

/* Sign-in says one thing for both fields, so it tells nothing apart. */
static const char *const login_msgs[FORM_E_COUNT] = {
    [FORM_E_REQUIRED] = "Enter your email address and password.",
    [FORM_E_LONG] = "That email address or password is too long.",
};

enum res page_login(struct req *req)
{
	const struct form_field password_field = {.name = "password", .label = "Password", .kind = FORM_PASSWORD,
	                                          .required = 1, .min = 1, .max = PW_MAX_LEN, .msgs = login_msgs};
	struct form_field email_field = account_email_field;
	const char *email, *password = http_form(req, "password");
	const char *next = http_form(req, "next");
	const char *params[6], *why;
	char key[PW_HASH_MAX], maxs[16];
	struct throttle t;
	PGresult *res;
	enum res r;

	if (!sess_same_origin(req))
		return R_FORBIDDEN;
	email_field.msgs = login_msgs;
	why = form_get(req, &email_field, &email);
	if (why == NULL)
		why = form_get(req, &password_field, &password);
	if (why != NULL) {
		req->outcome = R_BAD_INPUT;
		return login_page(req, email, why, next);
	}
	password = http_form(req, "password"); /* as typed: form_get never hands a password back */
	params[0] = email;
	params[1] = req->remote_addr;
	params[2] = sess_device(req);
	res = db_exec(&st_login_begin, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return R_INTERNAL;
	}
	/* A refused attempt is refused before the password is looked at, so a
	 * correct guess during the wait teaches nothing (and costs no scrypt). */
	throttle_from_row(&t, res, 1);
	if (t.locked) {
		PQclear(res);
		return locked_page(req, email, &t, next);
	}
	if (pw_derive(password, PQgetvalue(res, 0, 0), key) != 0) {
		PQclear(res);
		return R_INTERNAL;
	}
	PQclear(res);
	snprintf(maxs, sizeof(maxs), "%d", config_get()->session_max);
	params[0] = email;
	params[1] = key;
	params[2] = req->remote_addr;
	params[3] = req->user_agent;
	params[4] = sess_device(req);
	params[5] = maxs;
	res = db_exec(&st_login, params, &r);
	tok_wipe(key, sizeof(key));
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return R_INTERNAL;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "ok") == 0) {
		signed_in(req, res, 4);
		PQclear(res);
		return http_redirect(req, safe_next(next));
	}
	throttle_from_row(&t, res, 0);
	PQclear(res);
	if (t.refused)
		return locked_page(req, email, &t, next);
	req->outcome = R_UNAUTH;
	return login_page(req, email, "The email address or password is not correct.", next);
}

/* ------------------------------------------------------------ sign-in links
 *
 * A way in that no guessing blocks: a one-time link by email (for an hour)
 * signs the browser in; the email proves the mailbox, so no wait applies. */

static enum res link_page(struct req *req, const char *email, const char *error)
{
	json_t *m = view_model(req);

	req->template = "auth_login_link";
	json_object_set_new(m, "email", json_string(email ? email : ""));
	if (error != NULL)
		json_object_set_new(m, "error", json_string(error));
	return R_SUCCESS;
}

enum res page_login_link_form(struct req *req)
{
	if (req->sess != NULL)
		return http_redirect(req, "/");
	return link_page(req, http_query(req, "email"), NULL);
}

enum res page_login_link(struct req *req)
{
	const char *email, *why;
	enum res r;

	if (!sess_same_origin(req))
		return R_FORBIDDEN;
	if ((why = form_get(req, &account_email_field, &email)) != NULL) {
		req->outcome = R_BAD_INPUT;
		return link_page(req, email, why);
	}
	r = outbox_limit_address("signin-address", email, SIGNIN_LINKS_PER_HOUR, 3600);
	if (r == R_TOO_MANY) {
		req->outcome = R_TOO_MANY;
		return link_page(req, email,
		                 "Too many sign-in links for this address. Wait an hour, then ask again (any link "
		                 "already sent still works).");
	}
	if (r != R_SUCCESS)
		return r;
	if ((r = account_link_request(req, "signin", email)) != R_SUCCESS)
		return r;
	/* The same answer whether or not the account exists. */
	link_page(req, email, NULL);
	json_object_set_new(view_model(req), "sent", json_true());
	return R_SUCCESS;
}

static enum res link_expired(struct req *req)
{
	req->outcome = R_GONE;
	link_page(req, NULL, NULL);
	json_object_set_new(view_model(req), "expired", json_true());
	return R_SUCCESS;
}

/* The link's page asks before it signs in: mail scanners open links. */
enum res page_login_link_open(struct req *req)
{
	const char *tok = account_link_token(req), *params[2] = {"signin", tok};
	PGresult *res;
	enum res r;

	if (tok == NULL)
		return link_expired(req);
	res = db_exec(&st_link_check, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return link_expired(req);
	}
	link_page(req, PQgetvalue(res, 0, 1), NULL);
	PQclear(res);
	json_object_set_new(view_model(req), "confirm", json_true());
	json_object_set_new(view_model(req), "token", json_string(tok));
	http_header(req, "Cache-Control", "no-store");
	return R_SUCCESS;
}

enum res page_login_link_use(struct req *req)
{
	const char *tok = account_link_token(req);
	const char *params[5];
	char maxs[16];
	PGresult *res;
	enum res r;

	if (!sess_same_origin(req))
		return R_FORBIDDEN;
	if (tok == NULL)
		return link_expired(req);
	snprintf(maxs, sizeof(maxs), "%d", config_get()->session_max);
	params[0] = tok;
	params[1] = req->remote_addr;
	params[2] = req->user_agent;
	params[3] = sess_device(req);
	params[4] = maxs;
	res = db_exec(&st_link_signin, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return link_expired(req);
	}
	if (req->sess != NULL)
		sess_end(req);
	signed_in(req, res, 1);
	PQclear(res);
	return http_redirect(req, "/");
}

/* Sign out; with a local next, to sign in again and land there (a link
 * for another account: "sign in as ..."). */
enum res page_logout(struct req *req)
{
	const char *next = http_form(req, "next");
	struct buf loc = BUF_INIT;
	enum res r = sess_end(req);

	if (r != R_SUCCESS)
		return r;
	if (next == NULL || strcmp(safe_next(next), next) != 0)
		return http_redirect(req, "/login");
	buf_puts(&loc, "/login?next=");
	http_url_encode(&loc, next);
	buf_putc(&loc, '\0');
	r = buf_ok(&loc) ? http_redirect(req, loc.data) : R_INTERNAL;
	buf_free(&loc);
	return r;
}
