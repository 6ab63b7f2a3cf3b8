/* router.h - a route: METHOD /path/{param} -> handler + access, and
 * matching a request against a table of them (the portal's is routes.h). */
#ifndef ROUTER_H
#define ROUTER_H

#include "authz.h"
#include "http.h"

typedef enum res (*route_fn)(struct req *req);

/* Who may call a route (checked before the handler runs). */
enum route_access {
	ACCESS_PUBLIC = 0, /* anyone, signed in or not */
	ACCESS_USER,       /* any signed-in user */
	ACCESS_TENANT,     /* /t/{id}/...: a user whose role on tenant {id} grants `perm` */
	ACCESS_API,        /* /api/v2/...: an ingest API key (Authorization: Bearer), JSON only (cgi/api.c) */
};

enum route_flags {
	ROUTE_SECRET = 1,  /* path carries a secret: log the pattern, not the path */
	ROUTE_NO_CSRF = 2, /* state-changing but not cookie-authenticated (bearer API, sign-in) */
	ROUTE_ETAG_CACHE = 4, /* an API GET whose ETag (api_etag()) the worker keeps per key (cgi/etag_cache.h) */
	ROUTE_KEY_IN_STATEMENT = 8, /* an API GET whose one statement checks the key (api_key_text()): no
	                             * transaction, no identity; R_UNAUTH answers 401 */
};

struct route {
	const char *method;
	const char *pattern; /* "/t/{id}/dashboard": {x} matches one non-empty segment */
	route_fn fn;
	enum route_access access;
	int flags;
	const char *name;    /* stable identifier used in docs and tests */
	enum perm perm;      /* ACCESS_TENANT: the permission required */
};

/* Find the route for method and path in table[0..n), filling
 * req->route_params. NULL with *allowed set when the path exists for
 * another method. */
const struct route *route_match(struct req *req, const struct route *table, unsigned n, const char *method,
                                const char *path, int *allowed);
/* 1 for methods that change state (POST, PUT, PATCH, DELETE). */
int route_is_write(const char *method);

#endif
