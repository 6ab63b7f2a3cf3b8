/* account.c - forgot password (emailed single-use link), reset through the
 * link, and change password for the signed-in user. docs/accounts.md has
 * the rules; the SQL side is sql/005_accounts.sql. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "outbox.h"
#include "pages.h"
#include "pwhash.h"
#include "session.h"
#include "throttle.h"
#include "token.h"
#include "view.h"

#define RESET_LIFETIME 3600 /* a reset link works for one hour */
#define RESET_MAX_PER_HOUR 3
/* Requests for one address (with an account or not) an hour: past this a
 * 429, the same for every address, so it tells nobody which exist. */
#define RESET_REQUESTS_PER_HOUR 5
#define EMAIL_MAX 320

DB_STMT(st_account_mail_tenant, 1, "SELECT coalesce(account_mail_tenant($1::bigint), 0)");
DB_STMT(st_reset_request, 5,
        "SELECT user_id, email, name, created FROM auth_reset_request($1, $2, $3, $4::int, $5::int)");
DB_STMT(st_reset_lookup, 1, "SELECT user_id, email FROM auth_reset_lookup($1)");
DB_STMT(st_reset_complete, 2, "SELECT auth_reset_complete($1, $2)");
DB_STMT(st_my_password_hash, 0, "SELECT auth_my_password_hash()");
DB_STMT(st_password_change, 2, "SELECT auth_password_change($1, $2)");

/* ------------------------------------------------------------ helpers */

/* Public routes run without a transaction unless a session cookie opened
 * one; open our own when needed so related writes commit together. */
static enum res tx_open(int *mine)
{
	PGconn *c = db_conn();

	*mine = 0;
	if (c == NULL)
		return R_UNAVAILABLE;
	if (PQtransactionStatus(c) != PQTRANS_IDLE)
		return R_SUCCESS;
	*mine = 1;
	return db_begin();
}

static enum res tx_close(int mine, enum res r)
{
	if (!mine)
		return r;
	if (r == R_SUCCESS)
		return db_commit();
	db_rollback();
	return r;
}

/* Characters, not bytes, so a password of accented letters is not
 * mistaken for a long one. */
static size_t utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Check a new password and its repetition; adds per-field messages to
 * errors. 1 when both are acceptable. */
static int new_password_ok(json_t *errors, const char *pw, const char *pw2)
{
	char msg[96];
	int ok = 1;

	if (pw == NULL || *pw == '\0') {
		json_object_set_new(errors, "password", json_string("Enter a new password."));
		ok = 0;
	} else if (utf8_len(pw) < PW_MIN_LEN) {
		snprintf(msg, sizeof(msg), "Use at least %d characters.", PW_MIN_LEN);
		json_object_set_new(errors, "password", json_string(msg));
		ok = 0;
	} else if (strlen(pw) > PW_MAX_LEN) {
		snprintf(msg, sizeof(msg), "Use at most %d characters.", PW_MAX_LEN);
		json_object_set_new(errors, "password", json_string(msg));
		ok = 0;
	}
	if (pw2 == NULL || *pw2 == '\0') {
		json_object_set_new(errors, "password2", json_string("Repeat the new password."));
		ok = 0;
	} else if (pw != NULL && strcmp(pw, pw2) != 0) {
		json_object_set_new(errors, "password2", json_string("The two passwords do not match."));
		ok = 0;
	}
	return ok;
}

/* The link's token from the path as its SHA-256 hex; 0 if malformed. */
static int token_hash(struct req *req, char hash[65])
{
	const char *tok = http_route_param(req, 0);

	if (tok == NULL || !tok_is_hex(tok, TOK_HEX))
		return 0;
	tok_sha256_hex(tok, TOK_HEX, hash);
	return 1;
}

/* ------------------------------------------------------------ forgot */

static enum res forgot_page(struct req *req, const char *email, const char *error)
{
	json_t *m = view_model(req);

	req->template = "forgot";
	json_object_set_new(m, "email", json_string(email ? email : ""));
	json_object_set_new(m, "minutes", json_integer(RESET_LIFETIME / 60));
	if (error != NULL)
		json_object_set_new(m, "error", json_string(error));
	return R_SUCCESS;
}

enum res page_forgot_form(struct req *req) { return forgot_page(req, NULL, NULL); }

/* Queue the "Reset your password" email with the link for token (on
 * PORTAL_BASE_URL) in the brand of the recipient's own tenant (uid's),
 * whatever host the request came to. */
static enum res send_reset_mail(const char *uid, const char *to, const char *name, const char *token)
{
	struct buf link = BUF_INIT;
	const char *params[1] = {uid};
	long long tenant;
	PGresult *res;
	json_t *m;
	enum res r;

	res = db_exec(&st_account_mail_tenant, params, &r);
	if (res == NULL)
		return r;
	tenant = PQntuples(res) == 1 ? atoll(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);

	buf_printf(&link, "%s/reset/%s", config_get()->base_url, token); /* no trailing '/' (config_load) */
	buf_putc(&link, '\0');
	if (!buf_ok(&link)) {
		buf_free(&link);
		return R_INTERNAL;
	}
	m = json_pack("{s:s, s:s, s:s, s:i}", "name", name, "email", to, "link", link.data, "minutes",
	              RESET_LIFETIME / 60);
	tok_wipe(link.data, link.len);
	buf_free(&link);
	if (m == NULL)
		return R_INTERNAL;
	/* The row has no tenant (nobody is signed in to write one); the brand
	 * is the recipient's tenant's. */
	json_object_set_new(m, "brand", outbox_brand(tenant));
	r = outbox_queue(0, to, "reset", m);
	json_decref(m);
	return r;
}

enum res page_forgot(struct req *req)
{
	const char *email = http_form(req, "email");
	char token[TOK_HEX + 1], hash[65], life[16], maxn[16];
	const char *params[5];
	PGresult *res = NULL;
	json_t *d;
	long long uid = 0;
	int mine, sent = 0, limited = 0;
	enum res r;

	if (!sess_same_origin(req))
		return R_FORBIDDEN;
	if (email == NULL || *email == '\0') {
		req->status = 400;
		return forgot_page(req, email, "Enter your email address.");
	}
	if (strlen(email) > EMAIL_MAX) {
		req->status = 400;
		return forgot_page(req, "", "That email address is too long.");
	}
	r = outbox_limit_address("reset-address", email, RESET_REQUESTS_PER_HOUR, 3600);
	if (r == R_TOO_MANY) {
		req->status = 429;
		return forgot_page(req, email,
		                   "Too many reset requests for this address. Wait an hour, then ask again (any email "
		                   "already sent still works).");
	}
	if (r != R_SUCCESS)
		return r;
	if (tok_random_hex(token, TOK_BYTES) != 0)
		return R_INTERNAL;
	tok_sha256_hex(token, TOK_HEX, hash);
	snprintf(life, sizeof(life), "%d", RESET_LIFETIME);
	snprintf(maxn, sizeof(maxn), "%d", RESET_MAX_PER_HOUR);
	params[0] = email;
	params[1] = hash;
	params[2] = req->remote_addr;
	params[3] = life;
	params[4] = maxn;

	if ((r = tx_open(&mine)) != R_SUCCESS)
		goto out;
	res = db_exec(&st_reset_request, params, &r);
	if (res == NULL)
		goto close;
	if (PQntuples(res) == 1) {
		uid = atoll(PQgetvalue(res, 0, 0));
		if (strcmp(PQgetvalue(res, 0, 3), "t") == 0) {
			r = send_reset_mail(PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), token);
			if (r != R_SUCCESS)
				goto close;
			sent = 1;
		} else {
			limited = 1;
		}
	}
	d = json_pack("{s:s, s:b, s:b}", "email", email, "sent", sent, "rate_limited", limited);
	r = audit_anon(req, uid, "auth.reset_requested", d);
	json_decref(d);
close:
	r = tx_close(mine, r);
out:
	PQclear(res);
	tok_wipe(token, sizeof(token));
	if (r != R_SUCCESS)
		return r;
	/* The same answer whether or not the account exists or was limited. */
	forgot_page(req, email, NULL);
	json_object_set_new(view_model(req), "sent", json_true());
	return R_SUCCESS;
}

/* ------------------------------------------------------------ reset */

static enum res reset_expired(struct req *req)
{
	json_t *m = view_model(req);

	req->status = 410;
	req->template = "reset";
	json_object_set_new(m, "expired", json_true());
	json_object_set_new(m, "minutes", json_integer(RESET_LIFETIME / 60));
	return R_SUCCESS;
}

static enum res reset_form(struct req *req, const char *email, json_t *errors)
{
	json_t *m = view_model(req);

	req->template = "reset";
	json_object_set_new(m, "email", json_string(email));
	json_object_set_new(m, "min_length", json_integer(PW_MIN_LEN));
	if (errors != NULL) {
		json_object_set(m, "errors", errors);
		json_object_set_new(m, "error", json_string("Check the fields marked below."));
	}
	/* The page's URL is a secret: keep it out of every cache. */
	if (req->status == 200 && req->sess == NULL)
		http_header(req, "Cache-Control", "no-store");
	return R_SUCCESS;
}

/* The account of a usable link: *email (arena) and *uid; *email NULL when
 * the link is unknown, used or expired. */
static enum res reset_lookup(struct req *req, const char *hash, const char **email, long long *uid)
{
	const char *params[1] = {hash};
	PGresult *res;
	enum res r;

	*email = NULL;
	res = db_exec(&st_reset_lookup, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) == 1) {
		*uid = atoll(PQgetvalue(res, 0, 0));
		*email = arena_strdup(&req->arena, PQgetvalue(res, 0, 1));
	}
	PQclear(res);
	return R_SUCCESS;
}

enum res page_reset_form(struct req *req)
{
	const char *email;
	long long uid = 0;
	char hash[65];
	enum res r;

	if (!token_hash(req, hash))
		return reset_expired(req);
	if ((r = reset_lookup(req, hash, &email, &uid)) != R_SUCCESS)
		return r;
	if (email == NULL)
		return reset_expired(req);
	return reset_form(req, email, NULL);
}

enum res page_reset(struct req *req)
{
	const char *pw = http_form(req, "password");
	const char *pw2 = http_form(req, "password2");
	char hash[65], pwh[PW_HASH_MAX];
	const char *params[2];
	const char *email;
	long long uid = 0;
	PGresult *res = NULL;
	json_t *errors, *d;
	int mine = 0;
	enum res r;

	/* No session, so no CSRF token: the origin check is what stops
	 * another site from posting here. */
	if (!sess_same_origin(req))
		return R_FORBIDDEN;
	if (!token_hash(req, hash))
		return reset_expired(req);
	if ((r = reset_lookup(req, hash, &email, &uid)) != R_SUCCESS)
		return r;
	if (email == NULL)
		return reset_expired(req);
	errors = json_object();
	if (!new_password_ok(errors, pw, pw2)) {
		req->status = 400;
		r = reset_form(req, email, errors);
		json_decref(errors);
		return r;
	}
	json_decref(errors);
	if (pw_hash(pw, pwh) != 0)
		return R_INTERNAL;
	params[0] = hash;
	params[1] = pwh;
	if ((r = tx_open(&mine)) != R_SUCCESS)
		goto out;
	res = db_exec(&st_reset_complete, params, &r);
	if (res == NULL)
		goto close;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		/* Used or expired between the lookup and now. */
		r = tx_close(mine, R_SUCCESS);
		PQclear(res);
		tok_wipe(pwh, sizeof(pwh));
		return r != R_SUCCESS ? r : reset_expired(req);
	}
	uid = atoll(PQgetvalue(res, 0, 0));
	d = json_pack("{s:s}", "email", email);
	r = audit_anon(req, uid, "auth.reset_done", d);
	json_decref(d);
close:
	r = tx_close(mine, r);
out:
	PQclear(res);
	tok_wipe(pwh, sizeof(pwh));
	if (r != R_SUCCESS)
		return r;
	/* Every session of the account is gone; drop this browser's cookie
	 * too when it belonged to that account. */
	if (req->sess != NULL && req->sess->user_id == uid && (r = sess_end(req)) != R_SUCCESS)
		return r;
	return http_redirect(req, "/login?notice=password_reset");
}

/* ------------------------------------------------------------ change */

static enum res password_page(struct req *req, json_t *errors, const char *error)
{
	json_t *m = view_model(req);

	req->template = "account_password";
	json_object_set_new(m, "min_length", json_integer(PW_MIN_LEN));
	if (errors != NULL)
		json_object_set(m, "errors", errors);
	if (error != NULL)
		json_object_set_new(m, "error", json_string(error));
	return R_SUCCESS;
}

enum res page_password_form(struct req *req)
{
	const char *changed = http_query(req, "changed");

	if (changed != NULL && strcmp(changed, "1") == 0)
		json_object_set_new(view_model(req), "changed", json_true());
	return password_page(req, NULL, NULL);
}

/* 1 if password is the signed-in user's current one. */
static enum res verify_current(const char *password, int *ok)
{
	PGresult *res;
	enum res r;

	*ok = 0;
	res = db_exec(&st_my_password_hash, NULL, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		*ok = pw_verify(password, PQgetvalue(res, 0, 0));
	PQclear(res);
	return R_SUCCESS;
}

enum res page_password(struct req *req)
{
	const char *cur = http_form(req, "current");
	const char *pw = http_form(req, "password");
	const char *pw2 = http_form(req, "password2");
	struct session *s = req->sess;
	char pwh[PW_HASH_MAX], keep[65], msg[128];
	const char *params[2];
	struct throttle t;
	PGresult *res;
	json_t *errors, *d;
	int ok = 1, cur_ok = 0;
	long ended;
	enum res r;

	/* A stolen session must not become a way to guess the password: wrong
	 * current passwords count as failed sign-ins of the account. */
	if ((r = throttle_check(req, s->email, &t)) != R_SUCCESS)
		return r;
	if (t.locked) {
		throttle_message(&t, msg, sizeof(msg));
		throttle_retry_after(req, &t);
		req->status = 429;
		return password_page(req, NULL, msg);
	}
	errors = json_object();
	if (cur == NULL || *cur == '\0') {
		json_object_set_new(errors, "current", json_string("Enter your current password."));
		ok = 0;
	} else if (strlen(cur) > PW_MAX_LEN) {
		json_object_set_new(errors, "current", json_string("The current password is not correct."));
		ok = 0;
	} else {
		if ((r = verify_current(cur, &cur_ok)) != R_SUCCESS)
			goto out;
		if (!cur_ok) {
			if ((r = throttle_fail(req, s->email, &t)) != R_SUCCESS)
				goto out;
			d = json_pack("{s:s}", "email", s->email);
			r = audit_log(req, 0, "auth.password_change_failed", NULL, d);
			json_decref(d);
			if (r != R_SUCCESS)
				goto out;
			json_object_set_new(errors, "current", json_string("The current password is not correct."));
			ok = 0;
		}
	}
	if (!new_password_ok(errors, pw, pw2))
		ok = 0;
	else if (cur_ok && strcmp(cur, pw) == 0) {
		json_object_set_new(errors, "password", json_string("Choose a password different from the current one."));
		ok = 0;
	}
	if (!ok) {
		req->status = 400;
		r = password_page(req, errors, "Your password was not changed. Check the fields marked below.");
		goto out;
	}
	if (pw_hash(pw, pwh) != 0) {
		r = R_INTERNAL;
		goto out;
	}
	tok_sha256_hex(s->token, TOK_HEX, keep);
	params[0] = pwh;
	params[1] = keep;
	res = db_exec(&st_password_change, params, &r);
	tok_wipe(pwh, sizeof(pwh));
	if (res == NULL)
		goto out;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		r = R_FORBIDDEN;
		goto out;
	}
	ended = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	snprintf(msg, sizeof(msg), "user:%lld", s->user_id);
	d = json_pack("{s:s, s:I}", "email", s->email, "sessions_ended", (json_int_t)ended);
	r = audit_log(req, 0, "auth.password_changed", msg, d);
	json_decref(d);
	if (r != R_SUCCESS)
		goto out;
	if ((r = throttle_clear(s->email)) != R_SUCCESS)
		goto out;
	r = http_redirect(req, "/account/password?changed=1");
out:
	json_decref(errors);
	return r;
}
