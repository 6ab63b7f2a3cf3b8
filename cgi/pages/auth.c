/* auth.c - sign-in (with throttling, see throttle.h) and sign-out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "log.h"
#include "pages.h"
#include "pwhash.h"
#include "session.h"
#include "throttle.h"
#include "view.h"

DB_STMT(st_login_lookup, 1, "SELECT user_id, password_hash, status FROM auth_login_lookup($1)");

/* A scrypt hash of a random password, verified against when the account
 * does not exist so both paths cost the same. */
static const char dummy_hash[] =
    "scrypt$32768$8$1$8d0d8f1f4a1b2c3d4e5f60718293a4b5$"
    "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592";

/* Only local paths are followed after sign-in. */
static const char *safe_next(const char *next)
{
	if (next == NULL || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strlen(next) > 512)
		return "/";
	return next;
}

static enum res login_page(struct req *req, const char *email, const char *error, const char *next)
{
	json_t *m = view_model(req);

	req->template = "login";
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

static void audit_login(struct req *req, const char *uid, const char *action, const char *email)
{
	json_t *d = json_pack("{s:s}", "email", email);

	audit_anon(req, uid && *uid ? atoll(uid) : 0, action, d);
	json_decref(d);
}

/* Audit a lock: when a failure starts it (refused 0) and for every attempt
 * it refuses (refused 1). */
static void audit_locked(struct req *req, const char *uid, const char *email, const struct throttle *t,
                         int refused)
{
	json_t *d = json_pack("{s:s, s:s, s:i, s:b}", "email", email, "scope", t->scope, "retry_after",
	                      t->retry_seconds, "refused", refused);

	audit_anon(req, uid && *uid ? atoll(uid) : 0, "auth.locked", d);
	json_decref(d);
}

static enum res locked_page(struct req *req, const char *email, const struct throttle *t, const char *next)
{
	char msg[128];

	throttle_message(t, msg, sizeof(msg));
	throttle_retry_after(req, t);
	req->status = 429;
	return login_page(req, email, msg, next);
}

enum res page_login(struct req *req)
{
	const char *email = http_form(req, "email");
	const char *password = http_form(req, "password");
	const char *next = http_form(req, "next");
	const char *params[1];
	struct throttle t;
	PGresult *res;
	enum res r;
	int ok;
	char uid[24] = "";

	if (!sess_same_origin(req))
		return R_FORBIDDEN;
	if (email == NULL || *email == '\0' || password == NULL || *password == '\0') {
		req->status = 400;
		return login_page(req, email, "Enter your email address and password.", next);
	}
	if (strlen(email) > 320 || strlen(password) > PW_MAX_LEN) {
		req->status = 400;
		return login_page(req, "", "That email address or password is too long.", next);
	}
	params[0] = email;
	res = db_exec(&st_login_lookup, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) == 1)
		snprintf(uid, sizeof(uid), "%s", PQgetvalue(res, 0, 0));
	/* A locked account or address is refused before the password is
	 * looked at, so a correct guess during the lock teaches nothing. */
	if ((r = throttle_check(req, email, &t)) != R_SUCCESS) {
		PQclear(res);
		return r;
	}
	if (t.locked) {
		PQclear(res);
		audit_locked(req, uid, email, &t, 1);
		return locked_page(req, email, &t, next);
	}
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 2), "active") == 0 && !PQgetisnull(res, 0, 1)) {
		ok = pw_verify(password, PQgetvalue(res, 0, 1));
	} else {
		pw_verify(password, dummy_hash);
		ok = 0;
	}
	PQclear(res);
	if (!ok) {
		if ((r = throttle_fail(req, email, &t)) != R_SUCCESS)
			return r;
		audit_login(req, uid, "auth.login_failed", email);
		if (t.locked)
			audit_locked(req, uid, email, &t, 0);
		req->status = 401;
		return login_page(req, email, "The email address or password is not correct.", next);
	}
	if ((r = throttle_clear(email)) != R_SUCCESS)
		return r;
	if ((r = sess_create(req, atoll(uid))) != R_SUCCESS)
		return r;
	audit_login(req, uid, "auth.login", email);
	return http_redirect(req, safe_next(next));
}

enum res page_logout(struct req *req)
{
	enum res r = sess_end(req);

	if (r != R_SUCCESS)
		return r;
	return http_redirect(req, "/login");
}
