/* result.h - the one outcome type every module and handler returns, and
 * the only source of the statuses the portal answers with: a handler that
 * answers with a page of its own (a form again) sets req->outcome, the
 * server maps it (res_status); nobody writes a status number. */
#ifndef RESULT_H
#define RESULT_H

/* Not R_OK: <unistd.h> and <fcntl.h> define R_OK for access(). */
enum res {
	R_SUCCESS = 0,
	R_NOT_MODIFIED, /* 304: the client's copy is current (If-None-Match) */
	R_BAD_INPUT,   /* 400: malformed or invalid input */
	R_UNAUTH,      /* 401: not signed in (pages redirect to /login) */
	R_FORBIDDEN,   /* 403 */
	R_NOT_FOUND,   /* 404 */
	R_METHOD,      /* 405 */
	R_CONFLICT,    /* 409 */
	R_GONE,        /* 410 */
	R_TOO_LARGE,   /* 413: a size or count limit was exceeded */
	R_TOO_MANY,    /* 429: a rate limit was reached */
	R_UPSTREAM,    /* 502: a service asked on the user's behalf failed (DNS) */
	R_UNAVAILABLE, /* 503: database or another dependency is down */
	R_INTERNAL     /* 500 */
};

/* HTTP status code for an outcome. */
int res_status(enum res r);
/* Short stable name ("bad_input", ...) used in JSON errors and logs. */
const char *res_name(enum res r);
/* Human sentence for error pages ("The page was not found."). */
const char *res_message(enum res r);

#endif
