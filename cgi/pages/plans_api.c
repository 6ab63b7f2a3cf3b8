/* plans_api.c - the devices' effective configuration over the API
 * (docs/plans.md, "Devices poll their configuration"). */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "buf.h"
#include "db.h"
#include "pages.h"
#include "token.h"

/* One statement, no transaction (ROUTE_KEY_IN_STATEMENT): config_poll()
 * checks the key and reads the document as the key may see it, so a poll
 * costs one round trip and writes nothing (docs/performance.md, "Devices
 * polling their configuration"). $2 NULL: the key's own tenant. */
DB_STMT(st_device_config, 3, "SELECT key_ok, doc::text FROM config_poll($1, $2::bigint, $3)");

/* GET /api/v2/devices/{external_id}/config[?tenant_id=N]: the device's
 * effective configuration (the key's tenant, or tenant_id below it), with
 * an ETag of its bytes; If-None-Match with it answers 304 (and the worker
 * keeps the tag: ROUTE_ETAG_CACHE). What gateways, probes and agents
 * poll. */
enum res api_device_config(struct req *req)
{
	const char *ext = http_route_param(req, 0), *tid = http_query(req, "tenant_id"), *params[3];
	char sha[65], etag[40];
	PGresult *res;
	enum res r;
	size_t n;

	if (tid != NULL && !http_is_id(tid)) {
		api_error(req, R_BAD_INPUT, "tenant_id: a tenant id");
		return R_BAD_INPUT;
	}
	if (ext == NULL || strlen(ext) > 200) {
		api_error(req, R_NOT_FOUND, "no such device");
		return R_NOT_FOUND;
	}
	params[0] = api_key_text();
	params[1] = tid;
	params[2] = ext;
	res = db_exec(&st_device_config, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		PQclear(res);
		return R_UNAUTH;
	}
	if (PQgetisnull(res, 0, 1)) {
		PQclear(res);
		api_error(req, R_NOT_FOUND,
		          "no such device: a probe, lightweight agent or gateway of the key's tenant (or tenant_id)");
		return R_NOT_FOUND;
	}
	n = (size_t)PQgetlength(res, 0, 1);
	tok_sha256_hex(PQgetvalue(res, 0, 1), n, sha);
	snprintf(etag, sizeof(etag), "\"%.32s\"", sha);
	http_header(req, "Cache-Control", "private, no-cache");
	req->body_type = "application/json";
	if (api_etag(req, etag)) {
		req->outcome = R_NOT_MODIFIED;
		PQclear(res);
		return R_SUCCESS;
	}
	buf_append(&req->body, PQgetvalue(res, 0, 1), n);
	PQclear(res);
	return buf_ok(&req->body) ? R_SUCCESS : R_INTERNAL;
}
