/* api.h - the bearer-token JSON API (/api/v2/...) and the retired v1.
 *
 * API routes (ACCESS_API in cgi/routes.c) are not cookie-authenticated:
 * api_dispatch() checks `Authorization: Bearer <key>` against the stored
 * SHA-256 (api_key_auth(), which also sets the transaction's
 * RLS identity to the key's tenant subtree), reads the JSON body, runs the
 * handler and commits; the answer is JSON, errors included, and the server
 * sends it like any other (view_respond, http_send). */
#ifndef API_H
#define API_H

#include "http.h"
#include "router.h"

#define API_KEY_PREFIX "mssp_"
#define API_KEY_PREFIX_LEN 5
#define API_KEY_LEN (API_KEY_PREFIX_LEN + 64) /* "mssp_" + 64 hex */
#define API_MAX_ITEMS 5000
#define API_KEY_SHOWN 13 /* "mssp_" + 8 hex: what lists show of a key */

/* A new key from RAND_bytes ("mssp_" + 64 hex, shown once), the SHA-256
 * (hex) the database keeps and the prefix lists show. 0, or -1 (no random
 * bytes) with key wiped. The caller wipes key when done. */
int api_key_new(char key[API_KEY_LEN + 1], char hash[65], char prefix[API_KEY_SHOWN + 1]);

/* The API key of the request (filled by api_dispatch before the handler). */
struct api_key {
	long long id;
	long long tenant_id;
	long long root_id;
};

/* Authenticate, read the body, run rt->fn and commit; the model (or an
 * error) is then the answer, as JSON. */
void api_dispatch(struct req *req, const struct route *rt);
/* Send etag (quoted) as the answer's ETag, and 1 when If-None-Match names
 * it (http_etag_matches): a route flagged ROUTE_ETAG_CACHE has it kept by
 * the worker once the answer commits, so the next poll with it is answered
 * 304 without a statement (cgi/etag_cache.h). */
int api_etag(struct req *req, const char *etag);
/* The key's text while the handler of a ROUTE_KEY_IN_STATEMENT route runs
 * (its one statement checks it: no transaction, no identity, and
 * api_current_key() is NULL), else NULL. */
const char *api_key_text(void);
/* The key of the request being handled (NULL outside API routes). */
const struct api_key *api_current_key(void);
/* 1 for "/api/v1" and every path below it. */
int api_is_v1(const char *path);
/* Answer 410 JSON for a /api/v1 path. */
void api_v1_gone(struct req *req);
/* Make the answer {"error": {status, code, message}} with r's status
 * (view_error_object; message NULL: r's own), JSON whatever Accept says. */
void api_error(struct req *req, enum res r, const char *message);

#endif
