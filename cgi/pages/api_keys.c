/* api_keys.c - the ingest API keys of a tenant: list, create (the key is
 * shown once; only its SHA-256 is stored), revoke. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "audit.h"
#include "authz.h"
#include "db.h"
#include "form.h"
#include "pages.h"
#include "session.h"
#include "token.h"
#include "view.h"

#define TS(col) "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"

DB_STMT(st_keys, 1,
        "SELECT id, name, prefix, created_by, " TS("created_at") ", " TS("last_used_at") ", " TS("revoked_at")
        " FROM api_keys_of($1::bigint)");
DB_STMT(st_key_create, 6,
        "INSERT INTO api_keys (tenant_id, root_id, name, prefix, key_hash, created_by)"
        " VALUES ($1::bigint, $2::bigint, $3, $4, $5, $6::bigint) RETURNING id");
DB_STMT(st_key_revoke, 2,
        "UPDATE api_keys SET revoked_at = now() WHERE id = $2::bigint AND tenant_id = $1::bigint"
        " AND revoked_at IS NULL RETURNING name, prefix");

static enum res keys_page(struct req *req, json_t *new_key)
{
	json_t *m = view_model(req), *keys = json_array();
	char tid[24];
	const char *params[1] = {tid};
	PGresult *res;
	enum res r;

	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	req->template = "api_keys";
	res = db_exec(&st_keys, params, &r);
	if (res == NULL) {
		json_decref(keys);
		json_decref(new_key);
		return r;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		int revoked = *PQgetvalue(res, i, 6) != '\0';
		json_array_append_new(
		    keys, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)),
		                    "name", PQgetvalue(res, i, 1), "prefix", PQgetvalue(res, i, 2), "created_by",
		                    PQgetvalue(res, i, 3), "created_at", PQgetvalue(res, i, 4), "last_used_at",
		                    PQgetvalue(res, i, 5), "revoked_at", PQgetvalue(res, i, 6), "revoked", revoked));
	}
	PQclear(res);
	json_object_set_new(m, "keys", keys);
	if (new_key != NULL)
		json_object_set_new(m, "new_key", new_key);
	{
		const char *done = http_query(req, "done");
		if (done && strcmp(done, "revoked") == 0)
			json_object_set_new(m, "notice", json_string("The key is revoked: requests with it now answer 401."));
	}
	json_object_set_new(m, "page_title", json_string("API keys"));
	return R_SUCCESS;
}

enum res page_api_keys(struct req *req) { return keys_page(req, NULL); }

enum res page_api_key_create(struct req *req)
{
	static const struct form_field fields[] = {
	    {.name = "name", .label = "Name", .kind = FORM_TEXT, .required = 1, .min = 1, .max = 80},
	};
	const struct tenant_ctx *t = req->tenant;
	char key[API_KEY_LEN + 1], hash[65], prefix[API_KEY_SHOWN + 1], tid[24], rid[24], uid[24];
	const char *params[6];
	json_t *values, *errors, *nk, *d;
	PGresult *res;
	enum res r;
	long long id;

	if (form_check(req, fields, 1, &values, &errors) != 0) {
		view_form(req, R_BAD_INPUT, "create", values, errors);
		return keys_page(req, NULL);
	}
	if (api_key_new(key, hash, prefix) != 0) {
		json_decref(values);
		json_decref(errors);
		return R_INTERNAL;
	}
	snprintf(tid, sizeof(tid), "%lld", t->id);
	snprintf(rid, sizeof(rid), "%lld", t->root_id);
	snprintf(uid, sizeof(uid), "%lld", req->sess->user_id);
	params[0] = tid;
	params[1] = rid;
	params[2] = json_string_value(json_object_get(values, "name"));
	params[3] = prefix;
	params[4] = hash;
	params[5] = uid;
	res = db_exec(&st_key_create, params, &r);
	if (res == NULL) {
		tok_wipe(key, sizeof(key));
		json_decref(values);
		json_decref(errors);
		return r;
	}
	id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	{
		char target[40];
		snprintf(target, sizeof(target), "api_key:%lld", id);
		d = json_pack("{s:s, s:s}", "name", params[2], "prefix", prefix);
		r = audit_log(req, t->id, "api_key.created", target, d);
		json_decref(d);
	}
	if (r != R_SUCCESS) {
		tok_wipe(key, sizeof(key));
		json_decref(values);
		json_decref(errors);
		return r;
	}
	nk = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)id, "name", params[2], "prefix", prefix, "key", key);
	tok_wipe(key, sizeof(key));
	json_decref(values);
	json_decref(errors);
	/* Shown once: this answer must not be cached anywhere. */
	http_header(req, "Cache-Control", "no-store");
	return keys_page(req, nk);
}

enum res page_api_key_revoke(struct req *req)
{
	const char *kid = http_route_param(req, 1);
	char tid[24], loc[96], target[40];
	const char *params[2];
	PGresult *res;
	json_t *d;
	enum res r;

	if (kid == NULL || !http_is_id(kid))
		return R_NOT_FOUND;
	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	params[0] = tid;
	params[1] = kid;
	res = db_exec(&st_key_revoke, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return R_NOT_FOUND;
	}
	d = json_pack("{s:s, s:s}", "name", PQgetvalue(res, 0, 0), "prefix", PQgetvalue(res, 0, 1));
	PQclear(res);
	snprintf(target, sizeof(target), "api_key:%s", kid);
	r = audit_log(req, req->tenant->id, "api_key.revoked", target, d);
	json_decref(d);
	if (r != R_SUCCESS)
		return r;
	snprintf(loc, sizeof(loc), "/t/%lld/api-keys?done=revoked", req->tenant->id);
	return http_redirect(req, loc);
}
