/* plans_api.c - the devices' effective configuration over the API
 * (docs/plans.md, "Devices poll their configuration"). */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "buf.h"
#include "db.h"
#include "pages.h"
#include "token.h"

/* Through config_device(), not a read of assets as the app role: its
 * policy would list every tenant the key sees on every poll (about 50 ms
 * for an MSSP over 20,000 companies; docs/performance.md). */
DB_STMT(st_device_config, 2, "SELECT config_device($1::bigint, $2)::text");

/* GET /api/v2/devices/{external_id}/config[?tenant_id=N]: the device's
 * effective configuration (the key's tenant, or tenant_id below it), with
 * an ETag of its bytes; If-None-Match with it answers 304. What gateways,
 * probes and agents poll. */
enum res api_device_config(struct req *req)
{
	const char *ext = http_route_param(req, 0), *tid = http_query(req, "tenant_id"), *params[2];
	char tenant[24], sha[65], etag[40];
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
	snprintf(tenant, sizeof(tenant), "%s", tid ? tid : "");
	if (tid == NULL)
		snprintf(tenant, sizeof(tenant), "%lld", api_current_key()->tenant_id);
	params[0] = tenant;
	params[1] = ext;
	res = db_exec(&st_device_config, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		api_error(req, R_NOT_FOUND, "no such device: a probe, lightweight agent or gateway of the key's tenant (or tenant_id)");
		return R_NOT_FOUND;
	}
	n = (size_t)PQgetlength(res, 0, 0);
	tok_sha256_hex(PQgetvalue(res, 0, 0), n, sha);
	snprintf(etag, sizeof(etag), "\"%.32s\"", sha);
	http_header(req, "Cache-Control", "private, no-cache");
	req->body_type = "application/json";
	if (api_etag(req, etag)) {
		req->outcome = R_NOT_MODIFIED;
		PQclear(res);
		return R_SUCCESS;
	}
	buf_append(&req->body, PQgetvalue(res, 0, 0), n);
	PQclear(res);
	return buf_ok(&req->body) ? R_SUCCESS : R_INTERNAL;
}
