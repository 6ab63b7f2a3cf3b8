/* session.h - who is asking: the session cookie, the signed-in user, the
 * CSRF token, and the per-transaction identity for Row-Level Security. */
#ifndef SESSION_H
#define SESSION_H

#include "http.h"
#include "token.h"

#define SESSION_COOKIE "portal_session"
#define SESSION_COOKIE_TLS "__Host-portal_session"
/* A browser that signed in to an account before is a known device of it
 * (login_gate(), login_remember()): guesses from elsewhere do not lock it out. */
#define DEVICE_COOKIE "portal_device"
#define DEVICE_COOKIE_TLS "__Host-portal_device"
#define DEVICE_COOKIE_DAYS 365
/* Read-your-writes (docs/scaling.md): the primary's WAL position after
 * this browser's last write, which the replica must have replayed and the
 * caches of every host must have heard of before they serve its pages.
 * Not a secret, nor a permission: a forged one only sends its own reads
 * to the primary and costs its own requests a round trip. */
#define WROTE_COOKIE "portal_wrote"
#define WROTE_COOKIE_TLS "__Host-portal_wrote"
#define WROTE_COOKIE_SECONDS 600

struct session {
	long long id;
	long long user_id;
	const char *email; /* arena strings */
	const char *name;
	long unread;             /* unread notifications (the bell) */
	char token[TOK_HEX + 1]; /* the raw cookie token (never logged) */
	char csrf[65];           /* HMAC(token, "csrf"), hex */
};

/* If the request carries a valid session cookie, open the request's
 * transaction, load the user and set the RLS identity in it; req->sess is
 * then set. No cookie or an unknown/expired one: R_SUCCESS with req->sess NULL
 * (and the stale cookie is cleared). R_UNAVAILABLE when the DB is down. */
enum res sess_load(struct req *req);
/* The context cache (session.c, "the context cache"): a worker keeps the
 * context rows of recent GETs until anything they were read from changes.
 * sess_cache_share() (the master, before it forks the workers) makes the
 * epoch that tells all workers of a change shared; -1 if it cannot (each
 * worker then learns of changes from its own connection only).
 * sess_cache_sync() drains the connection's change notifications and, if
 * there were any, moves the epoch: call it before answering a request
 * (http_before_send) and while idle (sess_cache_idle). sess_cache_free() at
 * worker exit. */
int sess_cache_share(void);
void sess_cache_sync(void);
/* What moves when the data of tenant (its tenant_stats row: its own
 * figures or a descendant's) may have changed, or anything else the
 * context is read from: read it before reading a page of the tenant, keep
 * the page while it stays (cgi/pages/page_cache.c). Notifications that
 * name their tenants move only theirs. */
unsigned long long sess_data_epoch(long long tenant);
/* The same but for the changes of an ingest batch, which leave it: the
 * stamp of a page that may show the ingest feed late, whose entry lapses
 * at its time instead (PORTAL_DASHBOARD_LAG, cgi/pages/dashboard.c). */
unsigned long long sess_lag_epoch(long long tenant);
/* The same while idle: a burst is read to its end (2 ms without more). */
void sess_cache_idle(void);
void sess_cache_free(void);
/* Set the cookie of a session the database opened (auth_login,
 * auth_link_signin, invitation_accept: it makes the token, session_open()). */
void sess_start(struct req *req, const char *token);
/* The request's device cookie (64 hex), or NULL; set one the database
 * gave after a sign-in. */
const char *sess_device(struct req *req);
void sess_device_cookie(struct req *req, const char *device);
/* A request that only reads (a signed-in page's GET): let its statements
 * go to the read replica, if there is one and it has replayed this
 * browser's last write (the WROTE_COOKIE) and every change the caches
 * were told of (db_read_replica). */
void sess_read_replica(struct req *req);
/* A write committed: with a read replica, hand the browser the position
 * its next reads must see (WROTE_COOKIE). */
void sess_wrote(struct req *req);
/* End the current session (sign-out) and clear the cookie. */
enum res sess_end(struct req *req);
/* 1 if the state-changing request carries this session's CSRF token (form
 * field "csrf" or header X-CSRF-Token), masked (sess_csrf_masked) or bare,
 * and a same-origin Origin/Referer. */
int sess_csrf_ok(struct req *req);
/* The session's CSRF token masked afresh (a new random pad XOR the token,
 * both hex: tok_mask_hex), for the page being answered: no two responses
 * show the same string (BREACH). 0, or -1 with out empty (no session, RNG
 * failure). */
#define SESS_CSRF_MASKED (2 * TOK_HEX)
int sess_csrf_masked(const struct req *req, char out[SESS_CSRF_MASKED + 1]);
/* 1 if Origin (or Referer) names this host; absent both: 0. */
int sess_same_origin(struct req *req);
/* 1 if the URL or origin o[0..len) is this portal's own (the scheme and
 * port of PORTAL_BASE_URL, the host the request named). */
int sess_own_origin(const struct req *req, const char *o, size_t len);

#endif
