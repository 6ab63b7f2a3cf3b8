/* session.c - session cookies, CSRF and the RLS identity. */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "brand.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "router.h"
#include "view.h"

DB_STMT(st_session_lookup, 2,
        "SELECT s.session_id, s.user_id, s.email, s.name, s.unread,"
        " set_config('app.user_id', s.user_id::text, true)"
        " FROM auth_session_lookup($1, $2::int) s");
/* A GET's whole context in one statement (sql/021_fast_dashboards.sql):
 * brand (columns 0-5, as brand_from_row reads them), session (6-10), bell
 * (11), the tenant of a /t/{id} page and the role there (12-17), and what
 * the dashboard cache keys on (18-20). */
DB_STMT(st_session_ctx, 4,
        "SELECT brand_tenant_id, page_title, footer, logo_light, logo_dark, host, session_id, user_id, email, name,"
        " unread, bell, t_parent, t_root, t_name, t_kind, t_region, t_role, t_version, t_hour, t_scope"
        " FROM request_context($1, $2::int, $3::bigint, $4)");
DB_STMT(st_session_create, 5, "SELECT auth_session_create($1, $2::bigint, $3, $4, $5::int)");
DB_STMT(st_session_end, 1, "SELECT auth_session_end($1)");

static const char *cookie_name(struct req *req)
{
	return req->https ? SESSION_COOKIE_TLS : SESSION_COOKIE;
}

static void csrf_for(const char *token, char out[65])
{
	tok_hmac_hex(token, strlen(token), "csrf", 4, out);
}

/* The tenant of a /t/{id} page and the user's role there, from columns
 * 12-17 of st_session_ctx, stamped for the dashboard cache from 18-20 (an
 * arena copy), or NULL when not visible. */
static struct tenant_ctx *ctx_tenant(struct req *req, PGresult *res, const char *id)
{
	struct tenant_ctx *t = id != NULL ? authz_tenant_from_row(req, atoll(id), res, 12) : NULL;

	if (t == NULL)
		return NULL;
	t->version = PQgetisnull(res, 0, 18) ? -1 : atoll(PQgetvalue(res, 0, 18));
	t->hour = atoll(PQgetvalue(res, 0, 19));
	t->scope = arena_strdup(&req->arena, PQgetvalue(res, 0, 20));
	return t->scope ? t : NULL;
}

enum res sess_load(struct req *req)
{
	const char *tok = http_cookie(req, cookie_name(req));
	char hash[65], idle[16];
	const char *params[4], *tenant = NULL;
	/* A GET takes its tenant, brand and bell in the same statement; a
	 * write reads them after its handler (which may change them). */
	int whole = req->route != NULL && !route_is_write(req->method);
	struct session *s;
	PGresult *res;
	enum res r;

	if (tok == NULL)
		return R_SUCCESS;
	if (!tok_is_hex(tok, TOK_HEX)) {
		http_set_cookie(req, cookie_name(req), "", -1);
		return R_SUCCESS;
	}
	tok_sha256_hex(tok, TOK_HEX, hash);
	snprintf(idle, sizeof(idle), "%d", config_get()->session_idle);
	if (whole && req->route->access == ACCESS_TENANT && http_is_id(http_route_param(req, 0)))
		tenant = http_route_param(req, 0);
	params[0] = hash;
	params[1] = idle;
	params[2] = tenant;
	params[3] = req->host;
	/* A GET's lookup runs on its own: a page that needs no other statement
	 * (a cached dashboard) costs one round trip; the next statement, if
	 * any, begins the transaction with the identity (db_lazy_identity). A
	 * write keeps one transaction from the lookup on. */
	res = whole ? db_exec(&st_session_ctx, params, &r) : db_begin_exec(&st_session_lookup, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		/* Commit: the lookup deletes an expired session. */
		if ((r = db_commit()) != R_SUCCESS)
			return r;
		http_set_cookie(req, cookie_name(req), "", -1);
		return R_SUCCESS;
	}
	s = arena_alloc(&req->arena, sizeof(*s));
	if (s == NULL) {
		PQclear(res);
		db_rollback();
		return R_INTERNAL;
	}
	{
		int c = whole ? 6 : 0; /* where the session's columns start */
		s->id = atoll(PQgetvalue(res, 0, c));
		s->user_id = atoll(PQgetvalue(res, 0, c + 1));
		s->email = arena_strdup(&req->arena, PQgetvalue(res, 0, c + 2));
		s->name = arena_strdup(&req->arena, PQgetvalue(res, 0, c + 3));
		s->unread = atol(PQgetvalue(res, 0, c + 4));
	}
	memcpy(s->token, tok, TOK_HEX + 1);
	csrf_for(s->token, s->csrf);
	if (whole) {
		json_t *m = view_model(req);
		json_object_set_new(m, "brand", brand_from_row(res, 0, 0));
		if (!PQgetisnull(res, 0, 11))
			json_object_set_new(m, "bell", view_bell(s->unread, PQgetvalue(res, 0, 11)));
		req->tenant = ctx_tenant(req, res, tenant);
	}
	PQclear(res);
	req->sess = s;
	if (whole)
		db_lazy_identity(s->user_id);
	return R_SUCCESS; /* the transaction (a write's) stays open for the handler */
}

enum res sess_create(struct req *req, long long user_id)
{
	char token[TOK_HEX + 1], hash[65], uid[24], maxs[16];
	const char *params[5];
	enum res r;

	if (tok_random_hex(token, TOK_BYTES) != 0)
		return R_INTERNAL;
	tok_sha256_hex(token, TOK_HEX, hash);
	snprintf(uid, sizeof(uid), "%lld", user_id);
	snprintf(maxs, sizeof(maxs), "%d", config_get()->session_max);
	params[0] = hash;
	params[1] = uid;
	params[2] = req->remote_addr;
	params[3] = req->user_agent;
	params[4] = maxs;
	r = db_run(&st_session_create, params);
	if (r == R_SUCCESS)
		http_set_cookie(req, cookie_name(req), token, config_get()->session_max);
	tok_wipe(token, sizeof(token));
	return r;
}

enum res sess_end(struct req *req)
{
	char hash[65];
	const char *params[1];
	enum res r = R_SUCCESS;

	if (req->sess != NULL) {
		tok_sha256_hex(req->sess->token, TOK_HEX, hash);
		params[0] = hash;
		r = db_run(&st_session_end, params);
	}
	http_set_cookie(req, cookie_name(req), "", -1);
	return r;
}

int sess_same_origin(struct req *req)
{
	const char *o = *req->origin ? req->origin : req->referer;
	const char *host;
	size_t hl;

	if (*o == '\0')
		return 0;
	if (strncmp(o, "https://", 8) == 0)
		host = o + 8;
	else if (strncmp(o, "http://", 7) == 0)
		host = o + 7;
	else
		return 0;
	hl = strcspn(host, ":/");
	return hl == strlen(req->host) && strncasecmp(host, req->host, hl) == 0;
}

int sess_csrf_ok(struct req *req)
{
	const char *got;

	if (req->sess == NULL || !sess_same_origin(req))
		return 0;
	got = FCGX_GetParam("HTTP_X_CSRF_TOKEN", req->fcgi->envp);
	if (got == NULL)
		got = http_form(req, "csrf");
	return got != NULL && tok_equal(got, req->sess->csrf);
}
