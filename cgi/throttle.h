/* throttle.h - refuse password guessing: failed sign-ins per account
 * (email, case-insensitive) and per client address.
 *
 * An account with PORTAL_THROTTLE_ACCOUNT_MAX failures (default 5), or an
 * address with PORTAL_THROTTLE_IP_MAX (default 20), within THROTTLE_WINDOW
 * seconds is locked until THROTTLE_WINDOW seconds after its latest failure.
 * The counting lives in sql/005_accounts.sql. */
#ifndef THROTTLE_H
#define THROTTLE_H

#include <stddef.h>

#include "http.h"

#define THROTTLE_WINDOW 900 /* 15 minutes */

struct throttle {
	int locked;
	int retry_seconds; /* > 0 when locked */
	const char *scope; /* "account" or "address" when locked (static string) */
};

/* Is sign-in as email from this request's address locked? */
enum res throttle_check(struct req *req, const char *email, struct throttle *t);
/* Record a failed attempt for email from this address; t receives the lock
 * state the failure leads to. */
enum res throttle_fail(struct req *req, const char *email, struct throttle *t);
/* Forget the failures of email's account (after a successful sign-in). */
enum res throttle_clear(const char *email);
/* Whole minutes until the lock ends, at least 1. */
int throttle_minutes(const struct throttle *t);
/* "Too many failed sign-in attempts. Try again in N minutes." into out. */
void throttle_message(const struct throttle *t, char *out, size_t n);
/* Set the Retry-After header for a locked answer. */
void throttle_retry_after(struct req *req, const struct throttle *t);

#endif
