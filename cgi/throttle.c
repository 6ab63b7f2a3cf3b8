/* throttle.c - the answer of a refused sign-in (the rules: login_gate(), login_failed()). */
#include "throttle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void throttle_from_row(struct throttle *t, const PGresult *res, int col)
{
	const char *v = PQgetvalue(res, 0, col);

	memset(t, 0, sizeof(*t));
	t->refused = strcmp(v, "t") == 0 || strcmp(v, "locked") == 0;
	t->locked = t->refused || strcmp(v, "wrong_locked") == 0;
	if (!t->locked)
		return;
	t->retry_seconds = atoi(PQgetvalue(res, 0, col + 1));
	if (t->retry_seconds < 1)
		t->retry_seconds = 1;
	t->attacked = strcmp(PQgetvalue(res, 0, col + 2), "account_attacked") == 0;
}

void throttle_message(const struct throttle *t, char *out, size_t n)
{
	int s = t->retry_seconds, m = (s + 59) / 60;

	if (s < 60)
		snprintf(out, n, "Too many failed sign-in attempts. Try again in %d second%s.", s, s == 1 ? "" : "s");
	else
		snprintf(out, n, "Too many failed sign-in attempts. Try again in %d minute%s.", m, m == 1 ? "" : "s");
}

void throttle_retry_after(struct req *req, const struct throttle *t)
{
	char s[16];

	snprintf(s, sizeof(s), "%d", t->retry_seconds);
	http_header(req, "Retry-After", s);
}
