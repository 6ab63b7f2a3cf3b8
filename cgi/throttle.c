/* throttle.c - failed sign-in counting through auth_throttle_check() and
 * auth_login_failed() (sql/005_accounts.sql). */
#include "throttle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"

DB_STMT(st_throttle_check, 5,
        "SELECT locked, retry_seconds, scope FROM auth_throttle_check($1, $2, $3::int, $4::int, $5::int)");
DB_STMT(st_throttle_fail, 5,
        "SELECT locked, retry_seconds, scope FROM auth_login_failed($1, $2, $3::int, $4::int, $5::int)");
DB_STMT(st_throttle_clear, 1, "SELECT auth_login_succeeded($1)");

static enum res query(struct db_stmt *st, struct req *req, const char *email, struct throttle *t)
{
	char win[16], amax[16], imax[16];
	const char *params[5];
	PGresult *res;
	enum res r;

	memset(t, 0, sizeof(*t));
	snprintf(win, sizeof(win), "%d", THROTTLE_WINDOW);
	snprintf(amax, sizeof(amax), "%d", config_get()->throttle_account_max);
	snprintf(imax, sizeof(imax), "%d", config_get()->throttle_ip_max);
	params[0] = email;
	params[1] = req->remote_addr;
	params[2] = win;
	params[3] = amax;
	params[4] = imax;
	res = db_exec(st, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		t->locked = 1;
		t->retry_seconds = atoi(PQgetvalue(res, 0, 1));
		if (t->retry_seconds < 1)
			t->retry_seconds = 1;
		t->scope = strcmp(PQgetvalue(res, 0, 2), "address") == 0 ? "address" : "account";
	}
	PQclear(res);
	return R_SUCCESS;
}

enum res throttle_check(struct req *req, const char *email, struct throttle *t)
{
	return query(&st_throttle_check, req, email, t);
}

enum res throttle_fail(struct req *req, const char *email, struct throttle *t)
{
	return query(&st_throttle_fail, req, email, t);
}

enum res throttle_clear(const char *email)
{
	const char *params[1] = {email};

	return db_run(&st_throttle_clear, params);
}

int throttle_minutes(const struct throttle *t)
{
	int m = (t->retry_seconds + 59) / 60;

	return m < 1 ? 1 : m;
}

void throttle_message(const struct throttle *t, char *out, size_t n)
{
	int m = throttle_minutes(t);

	snprintf(out, n, "Too many failed sign-in attempts. Try again in %d minute%s.", m, m == 1 ? "" : "s");
}

void throttle_retry_after(struct req *req, const struct throttle *t)
{
	char s[16];

	snprintf(s, sizeof(s), "%d", t->retry_seconds);
	http_header(req, "Retry-After", s);
}
