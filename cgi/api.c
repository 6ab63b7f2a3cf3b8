/* api.c - bearer-key authentication and dispatch of the JSON API. */
#include "api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "db.h"
#include "etag_cache.h"
#include "log.h"
#include "session.h"
#include "token.h"
#include "view.h"

DB_STMT(st_api_key_auth, 1, "SELECT key_id, tenant_id, root_id FROM api_key_auth($1)");

static struct api_key current;
static int have_current;
static char current_etag[48]; /* api_etag(): the answer's ETag, for the ETag cache */
static const char *key_text;  /* ROUTE_KEY_IN_STATEMENT: the request's key while its handler runs */

const struct api_key *api_current_key(void)
{
	return have_current ? &current : NULL;
}

int api_is_v1(const char *path)
{
	return strncmp(path, "/api/v1", 7) == 0 && (path[7] == '\0' || path[7] == '/');
}

void api_error(struct req *req, enum res r, const char *message)
{
	json_decref(req->model);
	req->model = json_pack("{s:o}", "error", view_error_object(r, message));
	req->template = NULL;
	req->redirect = NULL;
	req->want_json = 1;
	req->outcome = r;
}

void api_v1_gone(struct req *req)
{
	api_error(req, R_GONE, "The V1 API is not supported. Use /api/v2: its reference is at /docs/api.");
}

static void unauthorized(struct req *req, const char *message)
{
	http_header(req, "WWW-Authenticate", "Bearer realm=\"api\"");
	api_error(req, R_UNAUTH, message);
}

/* The key from "Authorization: Bearer <key>", or NULL. */
static const char *bearer(struct req *req)
{
	const char *h = FCGX_GetParam("HTTP_AUTHORIZATION", req->fcgi->envp);

	if (h == NULL)
		return NULL;
	if (strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return h;
}

const char *api_key_text(void) { return key_text; }

int api_etag(struct req *req, const char *etag)
{
	snprintf(current_etag, sizeof(current_etag), "%s", strlen(etag) < sizeof(current_etag) ? etag : "");
	return http_etag_matches(req, etag);
}

/* A route that keeps its ETags (ROUTE_ETAG_CACHE): 1 when the worker's
 * cache holds the tag If-None-Match names for this key and uri (the
 * request's path and query), answered 304 here without a statement. Else
 * *epoch is the ETag cache's epoch before any statement ran. */
static int etag_cached(struct req *req, const char *key_hash, const char *uri, unsigned long long *epoch)
{
	const char *etag;

	sess_cache_sync(); /* the changes notified so far move the epoch first */
	*epoch = etag_cache_epoch();
	req->etag_lookup = 1;
	if ((etag = etag_cache_find(key_hash, uri)) == NULL || !http_if_none_match(req, etag))
		return 0;
	http_header(req, "ETag", etag);
	http_header(req, "Cache-Control", "private, no-cache");
	req->body_type = "application/json";
	req->outcome = R_NOT_MODIFIED;
	req->template = NULL;
	req->etag_cached = 1;
	return 1;
}

/* BEGIN, the key's check (api_key_auth(): the transaction's API identity)
 * in one round trip, and a write's body read: 1, with the transaction
 * open and the key current, or 0 with the error answered. */
static int key_opened(struct req *req, const char *key)
{
	const char *params[1];
	PGresult *res;
	enum res r;

	params[0] = key; /* the database hashes it, and checks it again at each use (app_api_tenant()) */
	res = db_begin_exec(&st_api_key_auth, params, &r);
	if (res == NULL) {
		db_rollback();
		api_error(req, r == R_UNAVAILABLE ? r : R_INTERNAL, "the key could not be checked, retry later");
		return 0;
	}
	if (PQntuples(res) != 1) {
		PQclear(res);
		db_rollback();
		unauthorized(req, "invalid or revoked API key");
		return 0;
	}
	current.id = atoll(PQgetvalue(res, 0, 0));
	current.tenant_id = atoll(PQgetvalue(res, 0, 1));
	current.root_id = atoll(PQgetvalue(res, 0, 2));
	have_current = 1;
	PQclear(res);

	if (route_is_write(req->method)) {
		r = http_read_body(req);
		if (r != R_SUCCESS) {
			db_rollback();
			have_current = 0;
			if (r == R_TOO_LARGE)
				api_error(req, r, "the body is too large (at most 8 MiB)");
			else
				api_error(req, R_BAD_INPUT, "the body is not valid JSON (send Content-Type: application/json)");
			return 0;
		}
	}
	return 1;
}

void api_dispatch(struct req *req, const struct route *rt)
{
	const char *key = bearer(req);
	int keep = (rt->flags & ROUTE_ETAG_CACHE) && config_get()->etag_cache > 0, n;
	unsigned long long epoch = 0;
	char key_hash[65], uri[256]; /* etag_cache.c keeps no longer one */
	enum res r;

	have_current = 0;
	current_etag[0] = '\0';
	req->want_json = 1;
	if (key == NULL) {
		unauthorized(req, "missing API key: send Authorization: Bearer <key>");
		return;
	}
	if (strlen(key) != API_KEY_LEN || strncmp(key, API_KEY_PREFIX, API_KEY_PREFIX_LEN) != 0 ||
	    !tok_is_hex(key + API_KEY_PREFIX_LEN, 64)) {
		unauthorized(req, "invalid API key");
		return;
	}
	if (keep) {
		n = snprintf(uri, sizeof(uri), "%s%s%s", req->raw_path, *req->query ? "?" : "", req->query);
		keep = n > 0 && (size_t)n < sizeof(uri);
	}
	if (keep) {
		tok_sha256_hex(key, strlen(key), key_hash);
		if (etag_cached(req, key_hash, uri, &epoch))
			return;
	}
	if (rt->flags & ROUTE_KEY_IN_STATEMENT) { /* the handler's one statement checks the key */
		key_text = key;
		r = rt->fn(req);
		key_text = NULL;
	} else {
		if (!key_opened(req, key))
			return;
		r = rt->fn(req);
		if (r == R_SUCCESS)
			r = db_commit();
		else
			db_rollback();
	}
	if (r == R_SUCCESS && keep && current_etag[0] != '\0')
		etag_cache_put(key_hash, uri, current_etag, epoch);
	have_current = 0;
	if (r == R_UNAUTH) { /* ROUTE_KEY_IN_STATEMENT: the statement found no such active key */
		unauthorized(req, "invalid or revoked API key");
		return;
	}
	if (r != R_SUCCESS) {
		if (req->model != NULL && json_object_get(req->model, "error") != NULL && req->outcome != R_SUCCESS)
			return; /* the handler's own error */
		api_error(req, r, NULL);
		return;
	}
	req->template = NULL;
}

int api_key_new(char key[API_KEY_LEN + 1], char hash[65], char prefix[API_KEY_SHOWN + 1])
{
	char rnd[65];

	if (tok_random_hex(rnd, 32) != 0) {
		tok_wipe(key, API_KEY_LEN + 1);
		return -1;
	}
	snprintf(key, API_KEY_LEN + 1, "%s%s", API_KEY_PREFIX, rnd);
	tok_wipe(rnd, sizeof(rnd));
	tok_sha256_hex(key, strlen(key), hash);
	snprintf(prefix, API_KEY_SHOWN + 1, "%.*s", API_KEY_SHOWN, key);
	return 0;
}
