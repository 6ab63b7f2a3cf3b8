/* logo.c - the logo files a tenant uploaded (settings_branding.c), served
 * publicly: the sign-in page shows them before anyone is signed in. */
#include <string.h>

#include "db.h"
#include "pages.h"

DB_STMT(st_logo_get, 2, "SELECT content_type, bytes, sha256 FROM logo_get($1::bigint, $2)");

/* See pages.h. */
int logo_name_parse(const char *name, char id[24], char sha[13], const char **ext)
{
	const char *p = name, *dash, *dot;

	while (*p >= '0' && *p <= '9')
		p++;
	dash = p;
	if (dash == name || dash - name > 18 || *dash != '-' || name[0] == '0')
		return -1;
	dot = strchr(dash, '.');
	if (dot == NULL || dot - dash - 1 != 12)
		return -1;
	for (p = dash + 1; p < dot; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return -1;
	if (strcmp(dot, ".png") != 0 && strcmp(dot, ".jpg") != 0 && strcmp(dot, ".webp") != 0)
		return -1;
	memcpy(id, name, (size_t)(dash - name));
	id[dash - name] = '\0';
	memcpy(sha, dash + 1, 12);
	sha[12] = '\0';
	if (ext != NULL)
		*ext = dot + 1;
	return 0;
}

/* GET /logo/{id}-{sha12}.{ext}: public (the sign-in page shows logos),
 * immutable (a new logo is a new URL). */
enum res page_logo(struct req *req)
{
	const char *name = http_route_param(req, 0), *ext, *params[2];
	char id[24], sha[13], etag[80];
	unsigned char *bytes;
	size_t n;
	PGresult *res;
	enum res r;

	if (name == NULL || logo_name_parse(name, id, sha, &ext) != 0)
		return R_NOT_FOUND;
	params[0] = id;
	params[1] = sha;
	res = db_exec(&st_logo_get, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1 ||
	    strcmp(ext, strcmp(PQgetvalue(res, 0, 0), "image/png") == 0    ? "png"
	                    : strcmp(PQgetvalue(res, 0, 0), "image/jpeg") == 0 ? "jpg"
	                                                                        : "webp") != 0) {
		PQclear(res);
		return R_NOT_FOUND;
	}
	snprintf(etag, sizeof(etag), "\"%s\"", PQgetvalue(res, 0, 2));
	http_header(req, "Cache-Control", "public, max-age=31536000, immutable");
	if (http_etag_matches(req, etag)) {
		req->outcome = R_NOT_MODIFIED;
		req->body_type = arena_strdup(&req->arena, PQgetvalue(res, 0, 0));
		PQclear(res);
		return R_SUCCESS;
	}
	bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 1), &n);
	if (bytes == NULL) {
		PQclear(res);
		return R_INTERNAL;
	}
	req->outcome = R_SUCCESS;
	req->body_type = arena_strdup(&req->arena, PQgetvalue(res, 0, 0));
	buf_append(&req->body, bytes, n);
	PQfreemem(bytes);
	PQclear(res);
	return buf_ok(&req->body) ? R_SUCCESS : R_INTERNAL;
}
