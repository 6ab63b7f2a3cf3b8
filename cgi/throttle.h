/* throttle.h - what a refused sign-in says. The rules live in the
 * database (login_gate() and login_failed()): a pair of
 * account and address (or known device) waits after five wrong passwords,
 * 30 s doubling to 15 minutes; an address with 20 failures waits 15
 * minutes except for known devices; an account with 50 failures from
 * anywhere refuses unknown devices and addresses only. auth_login_begin()
 * and auth_login() answer with the state, read here. */
#ifndef THROTTLE_H
#define THROTTLE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "http.h"

struct throttle {
	int locked;
	int retry_seconds; /* > 0 when locked */
	int refused;       /* refused before the password was looked at */
	int attacked;      /* the account is being guessed at from many places */
};

/* The state from columns col (locked or outcome), col + 1 (retry_seconds)
 * and col + 2 (scope) of row 0 of res: locked when the first is "t" or
 * "locked" (refused, the password not looked at) or "wrong_locked" (a
 * wrong password that starts a wait). */
void throttle_from_row(struct throttle *t, const PGresult *res, int col);
/* "Too many failed sign-in attempts. Try again in N minutes." into out. */
void throttle_message(const struct throttle *t, char *out, size_t n);
/* Set the Retry-After header for a locked answer. */
void throttle_retry_after(struct req *req, const struct throttle *t);

#endif
