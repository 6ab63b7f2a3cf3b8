/* account.c - forgot password (emailed single-use link), reset through the
 * link, and change password for the signed-in user. docs/accounts.md has
 * the rules; the SQL side is auth_password_change() and auth_link_*(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "config.h"
#include "db.h"
#include "form.h"
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

/* Links are made, mailed and checked in the database (auth_link_request(), auth_link_mail()): the worker
 * renders the email around OUTBOX_LINK_TOKEN and never holds the token. */
DB_STMT(st_link_request, 5,
        "SELECT link_id, email, name, coalesce(brand_tenant, 0), created"
        " FROM auth_link_request($1, $2, $3, $4::int, $5::int)");
DB_STMT(st_link_lookup, 2, "SELECT user_id, email FROM auth_link_lookup($1, $2)");
DB_STMT(st_reset_complete, 3, "SELECT auth_reset_complete($1, $2, $3)");
DB_STMT(st_my_password_setting, 0, "SELECT auth_my_password_setting()");
DB_STMT(st_password_check, 3, "SELECT outcome, retry_seconds, scope FROM auth_password_check($1, $2, $3)");
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

#define STR_(x) #x
#define STR(x) STR_(x)
/* A new password and its repetition, in this page's words. */
static const char *const new_password_msgs[FORM_E_COUNT] = {
    [FORM_E_REQUIRED] = "Enter a new password.",
    [FORM_E_SHORT] = "Use at least " STR(PW_MIN_LEN) " characters.",
    [FORM_E_LONG] = "Use at most " STR(PW_MAX_LEN) " characters.",
    [FORM_E_PAIR_MISSING] = "Repeat the new password.",
    [FORM_E_PAIR_DIFFERS] = "The two passwords do not match.",
};
static const struct form_field new_password_fields[] = {
    {.name = "password", .label = "New password", .kind = FORM_PASSWORD, .required = 1, .min = PW_MIN_LEN,
     .max = PW_MAX_LEN, .pair = "password2", .msgs = new_password_msgs},
};

/* Check the form's new password and its repetition; adds per-field
 * messages to errors. 1 when both are acceptable. */
static int new_password_ok(struct req *req, json_t *errors)
{
	json_t *values, *e;
	int bad = form_check(req, new_password_fields, 1, &values, &e);

	json_object_update(errors, e);
	json_decref(values);
	json_decref(e);
	return bad == 0;
}

const char *account_link_token(struct req *req)
{
	const char *tok = http_route_param(req, 0);

	return tok != NULL && tok_is_hex(tok, TOK_HEX) ? tok : NULL;
}

/* ------------------------------------------------------------ forgot */

static enum res forgot_page(struct req *req, const char *email, const char *error)
{
	json_t *m = view_model(req);

	req->template = "account_forgot";
	json_object_set_new(m, "email", json_string(email ? email : ""));
	json_object_set_new(m, "minutes", json_integer(RESET_LIFETIME / 60));
	if (error != NULL)
		json_object_set_new(m, "error", json_string(error));
	return R_SUCCESS;
}

/* "j***@example.com": enough for the person to know which of their
 * addresses an invitation is for, not enough to learn someone's. */
const char *account_mask_email(struct req *req, const char *email)
{
	const char *at = strchr(email, '@');
	struct buf b = BUF_INIT;
	const char *out;

	if (at == NULL || at == email)
		return "";
	/* The first character, whole (a UTF-8 sequence is 1 to 4 bytes). */
	do
		buf_putc(&b, *email++);
	while (email < at && ((unsigned char)*email & 0xC0) == 0x80);
	buf_puts(&b, "***");
	buf_puts(&b, at);
	out = buf_ok(&b) ? arena_strdup(&req->arena, b.data) : "";
	buf_free(&b);
	return out ? out : "";
}

enum res page_forgot_form(struct req *req) { return forgot_page(req, NULL, NULL); }

/* The address someone signs in with or asks a link for. It is only looked
 * up (the database compares lower(btrim(...)), the outbox addresses the
 * account's own stored address), so any text is taken: an account's
 * address may predate today's rule. */
static const char *const lookup_msgs[FORM_E_COUNT] = {
    [FORM_E_REQUIRED] = "Enter your email address.",
    [FORM_E_LONG] = "That email address is too long.",
};
const struct form_field account_email_field = {
    .name = "email", .label = "Email address", .kind = FORM_TEXT, .required = 1, .min = 1, .max = EMAIL_MAX,
    .msgs = lookup_msgs};

/* Queue the email of the pending link link_id ("reset" or "signin", the
 * page under which its token goes) in the brand of the recipient's own
 * tenant, whatever host the request came to; the database puts the token
 * in and addresses it (auth_link_mail). */
enum res account_link_mail(long long link_id, long long tenant, const char *purpose, const char *to,
                           const char *name)
{
	struct buf link = BUF_INIT;
	const char *path = strcmp(purpose, "reset") == 0 ? "reset" : "login/link";
	json_t *m;
	enum res r;

	buf_printf(&link, "%s/%s/" OUTBOX_LINK_TOKEN, config_get()->base_url, path); /* no trailing '/' (config_load) */
	buf_putc(&link, '\0');
	if (!buf_ok(&link)) {
		buf_free(&link);
		return R_INTERNAL;
	}
	m = json_pack("{s:s, s:s, s:s, s:i}", "name", name, "email", to, "link", link.data, "minutes",
	              RESET_LIFETIME / 60);
	buf_free(&link);
	if (m == NULL)
		return R_INTERNAL;
	r = outbox_queue_link(link_id, tenant, purpose, m);
	json_decref(m);
	return r;
}

enum res account_link_request(struct req *req, const char *purpose, const char *email)
{
	char life[16], maxn[16];
	const char *params[5];
	PGresult *res = NULL;
	int mine;
	enum res r;

	snprintf(life, sizeof(life), "%d", RESET_LIFETIME);
	snprintf(maxn, sizeof(maxn), "%d", RESET_MAX_PER_HOUR);
	params[0] = purpose;
	params[1] = email;
	params[2] = req->remote_addr;
	params[3] = life;
	params[4] = maxn;
	if ((r = tx_open(&mine)) != R_SUCCESS)
		return r;
	res = db_exec(&st_link_request, params, &r);
	if (res != NULL && PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 4), "t") == 0)
		r = account_link_mail(atoll(PQgetvalue(res, 0, 0)), atoll(PQgetvalue(res, 0, 3)), purpose,
		                      PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2));
	PQclear(res);
	return tx_close(mine, r);
}

enum res page_forgot(struct req *req)
{
	const char *email, *why;
	enum res r;

	if (!sess_same_origin(req))
		return R_FORBIDDEN;
	if ((why = form_get(req, &account_email_field, &email)) != NULL) {
		req->outcome = R_BAD_INPUT;
		return forgot_page(req, email, why);
	}
	r = outbox_limit_address("reset-address", email, RESET_REQUESTS_PER_HOUR, 3600);
	if (r == R_TOO_MANY) {
		req->outcome = R_TOO_MANY;
		return forgot_page(req, email,
		                   "Too many reset requests for this address. Wait an hour, then ask again (any email "
		                   "already sent still works).");
	}
	if (r != R_SUCCESS)
		return r;
	if ((r = account_link_request(req, "reset", email)) != R_SUCCESS)
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

	req->outcome = R_GONE;
	req->template = "account_reset";
	json_object_set_new(m, "expired", json_true());
	json_object_set_new(m, "minutes", json_integer(RESET_LIFETIME / 60));
	return R_SUCCESS;
}

/* The new-password form; with the errors a handler answered with (view_form). */
static enum res reset_form(struct req *req, const char *email)
{
	json_t *m = view_model(req);

	req->template = "account_reset";
	json_object_set_new(m, "email", json_string(email));
	json_object_set_new(m, "min_length", json_integer(PW_MIN_LEN));
	if (json_object_get(m, "form") != NULL)
		json_object_set_new(m, "error", json_string("Check the fields marked below."));
	/* The page's URL is a secret: keep it out of every cache. */
	if (req->outcome == R_SUCCESS && req->sess == NULL)
		http_header(req, "Cache-Control", "no-store");
	return R_SUCCESS;
}

/* The account of a usable link: *email (arena) and *uid; *email NULL when
 * the link is unknown, used or expired. */
static enum res reset_lookup(struct req *req, const char *tok, const char **email, long long *uid)
{
	const char *params[2] = {"reset", tok};
	PGresult *res;
	enum res r;

	*email = NULL;
	res = db_exec(&st_link_lookup, params, &r);
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
	const char *email, *tok = account_link_token(req);
	long long uid = 0;
	enum res r;

	if (tok == NULL)
		return reset_expired(req);
	if ((r = reset_lookup(req, tok, &email, &uid)) != R_SUCCESS)
		return r;
	if (email == NULL)
		return reset_expired(req);
	return reset_form(req, email);
}

enum res page_reset(struct req *req)
{
	const char *pw = http_form(req, "password");
	char pwh[PW_HASH_MAX];
	const char *params[3];
	const char *email, *tok = account_link_token(req);
	long long uid = 0;
	PGresult *res = NULL;
	json_t *errors;
	int mine = 0;
	enum res r;

	/* No session, so no CSRF token: the origin check is what stops
	 * another site from posting here. */
	if (!sess_same_origin(req))
		return R_FORBIDDEN;
	if (tok == NULL)
		return reset_expired(req);
	if ((r = reset_lookup(req, tok, &email, &uid)) != R_SUCCESS)
		return r;
	if (email == NULL)
		return reset_expired(req);
	errors = json_object();
	if (!new_password_ok(req, errors)) {
		view_form(req, R_BAD_INPUT, "form", NULL, errors); /* passwords are never sent back */
		return reset_form(req, email);
	}
	json_decref(errors);
	if (pw_hash(pw, pwh) != 0)
		return R_INTERNAL;
	params[0] = tok;
	params[1] = pwh;
	params[2] = req->remote_addr;
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
	uid = atoll(PQgetvalue(res, 0, 0)); /* auth_reset_complete wrote the audit row */
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

/* The change form; field errors come from view_form, error is the page's. */
static enum res password_page(struct req *req, const char *error)
{
	json_t *m = view_model(req);

	req->template = "account_password";
	json_object_set_new(m, "min_length", json_integer(PW_MIN_LEN));
	if (error != NULL)
		json_object_set_new(m, "error", json_string(error));
	return R_SUCCESS;
}

enum res page_password_form(struct req *req)
{
	const char *changed = http_query(req, "changed");

	if (changed != NULL && strcmp(changed, "1") == 0)
		json_object_set_new(view_model(req), "changed", json_true());
	return password_page(req, NULL);
}

/* Check password as the signed-in user's current one, in the database
 * (auth_password_check: it counts a wrong one like a failed sign-in, and
 * answers t locked when it must wait). *ok 1 when it is right. */
static enum res check_current(struct req *req, const char *password, int *ok, struct throttle *t)
{
	char key[PW_HASH_MAX];
	const char *params[3];
	PGresult *res;
	enum res r;

	*ok = 0;
	memset(t, 0, sizeof(*t));
	res = db_exec(&st_my_password_setting, NULL, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0) || pw_derive(password, PQgetvalue(res, 0, 0), key) != 0) {
		PQclear(res);
		return R_FORBIDDEN;
	}
	PQclear(res);
	params[0] = key;
	params[1] = req->remote_addr;
	params[2] = sess_device(req);
	res = db_exec(&st_password_check, params, &r);
	tok_wipe(key, sizeof(key));
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return R_FORBIDDEN;
	}
	*ok = strcmp(PQgetvalue(res, 0, 0), "ok") == 0;
	throttle_from_row(t, res, 0);
	PQclear(res);
	return R_SUCCESS;
}

/* The current password: any wrong one reads the same. */
static const char *const current_msgs[FORM_E_COUNT] = {
    [FORM_E_REQUIRED] = "Enter your current password.",
    [FORM_E_LONG] = "The current password is not correct.",
};
static const struct form_field current_field = {.name = "current", .label = "Current password",
                                                .kind = FORM_PASSWORD, .required = 1, .min = 1,
                                                .max = PW_MAX_LEN, .msgs = current_msgs};

enum res page_password(struct req *req)
{
	const char *cur = http_form(req, "current"); /* as typed, once current_field passes it */
	const char *pw = http_form(req, "password");
	const char *why, *typed;
	struct session *s = req->sess;
	char pwh[PW_HASH_MAX], keep[65], msg[128];
	const char *params[2];
	struct throttle t;
	PGresult *res;
	json_t *errors, *d;
	int ok = 1, cur_ok = 0;
	long ended;
	enum res r;

	/* A stolen session must not become a way to guess the password: a
	 * wrong current password counts as a failed sign-in of the account
	 * (in the database, which also writes its audit row). */
	errors = json_object();
	if ((why = form_get(req, &current_field, &typed)) != NULL) {
		json_object_set_new(errors, "current", json_string(why));
		ok = 0;
	} else {
		if ((r = check_current(req, cur, &cur_ok, &t)) != R_SUCCESS)
			goto out;
		if (t.refused) {
			throttle_message(&t, msg, sizeof(msg));
			throttle_retry_after(req, &t);
			req->outcome = R_TOO_MANY;
			r = password_page(req, msg);
			goto out;
		}
		if (!cur_ok) {
			json_object_set_new(errors, "current", json_string("The current password is not correct."));
			ok = 0;
		}
	}
	if (!new_password_ok(req, errors))
		ok = 0;
	else if (cur_ok && strcmp(cur, pw) == 0) {
		json_object_set_new(errors, "password", json_string("Choose a password different from the current one."));
		ok = 0;
	}
	if (!ok) {
		view_form(req, R_BAD_INPUT, "form", NULL, json_incref(errors)); /* passwords are never sent back */
		r = password_page(req, "Your password was not changed. Check the fields marked below.");
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
	r = http_redirect(req, "/account/password?changed=1");
out:
	json_decref(errors);
	return r;
}
