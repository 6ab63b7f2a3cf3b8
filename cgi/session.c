/* session.c - session cookies, CSRF and the RLS identity. */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "authz.h"
#include "brand.h"
#include "config.h"
#include "db.h"
#include "epoch.h"
#include "etag_cache.h"
#include "log.h"
#include "router.h"

/* The columns read from the two session statements, by name (found when
 * each is prepared): the session's own first, then the rest of a GET's
 * context (request_context()): the brand as brand_from_cols reads
 * it, the bell, the tenant of a /t/{id} page and the role there as
 * authz_tenant_from_row reads it, what the dashboard cache keys on, and
 * until when the row holds. */
#define SESSION_COLUMNS(X) X(session_id) X(user_id) X(email) X(name) X(unread)
#define CONTEXT_COLUMNS(X)                                                                                  \
	SESSION_COLUMNS(X)                                                                                 \
	X(brand_tenant_id) X(page_title) X(footer) X(logo_light) X(logo_dark) X(host) X(bell) X(t_parent) \
	X(t_root) X(t_name) X(t_kind) X(t_region) X(t_role) X(t_version) X(t_hour) X(t_scope) X(t_until)  \
	X(t_path)
#define COLUMN_ENUM(n) C_##n,
#define COLUMN_NAME(n) #n,
enum ctx_column { CONTEXT_COLUMNS(COLUMN_ENUM) C_COUNT };
static const char *const session_columns[] = {SESSION_COLUMNS(COLUMN_NAME) NULL};
static const char *const context_columns[] = {CONTEXT_COLUMNS(COLUMN_NAME) NULL};

DB_STMT_COLS(st_session_lookup, 2,
             "SELECT s.session_id, s.user_id, s.email, s.name, s.unread,"
             " app_identify($1)"
             " FROM auth_session_lookup($1, $2::int) s",
             session_columns);
/* A GET's whole context in one statement. */
DB_STMT_COLS(st_session_ctx, 4,
             "SELECT brand_tenant_id, page_title, footer, logo_light, logo_dark, host, session_id, user_id, email,"
             " name, unread, bell, t_parent, t_root, t_name, t_kind, t_region, t_role, t_version, t_hour, t_scope,"
             " t_until, t_path FROM request_context($1, $2::int, $3::bigint, $4)",
             context_columns);
/* Column c of row 0 of a st_session_ctx result. */
#define CTX_VALUE(res, c) PQgetvalue(res, 0, st_session_ctx.col[c])
#define CTX_ISNULL(res, c) PQgetisnull(res, 0, st_session_ctx.col[c])
DB_STMT(st_session_end, 1, "SELECT auth_session_end($1)");

/* ------------------------------------------------------ the context cache
 *
 * A worker keeps the rows st_session_ctx returned, keyed by session token
 * hash, tenant and host (PORTAL_CONTEXT_CACHE of them, least recently used
 * out), so a GET that needs nothing else (a cached dashboard) costs no
 * database round trip. A row serves while all of these hold:
 *
 * - Nothing it was read from changed: the tables notify DB_CHANGES_CHANNEL
 *   (context_changed()), every worker drains its connection's notifications at the
 *   start of each request, before it answers one (sess_cache_sync) and
 *   while idle (sess_cache_idle), and any notification moves an epoch
 *   shared by all workers. A row is kept only if the epoch read before its
 *   statement ran is still the worker's, and all go when it moves. A
 *   change a request makes is published before its answer is written, so
 *   the next request, in any worker of this master, sees it; in another
 *   master's, the answer's wrote cookie has it catch up first
 *   (db_catch_up()). A change from elsewhere (ctl,
 *   psql) reaches a worker as soon as its database backend sends the
 *   notification, which it does at once when idle.
 * - The session needs nothing from the database: before t_until (its
 *   expiry, or its next touch).
 * - The UTC hour is the one it was read in (t_hour, the dashboards'
 *   windows, by the database's clock; a row read just before the hour
 *   turned, or with the clocks apart, is not used). */
struct ctx_entry {
	char key[64 + 1 + 20 + 1 + 255 + 1]; /* token hash|tenant|host */
	size_t key_len;
	long long until, hour;
	unsigned long used;
	PGresult *res; /* owned by the cache */
};

static struct ctx_entry *ctx_entries; /* config context_cache of them */
static unsigned long ctx_clock;
static struct epoch ctx_epoch;            /* shared after sess_cache_share() */
static unsigned long long ctx_held_epoch; /* the epoch every held row was read in */

/* Per tenant, what moves when its data changes (a notification naming it,
 * tenants_changed()), and all of them when anything else does: the page
 * cache's stamp (sess_data_epoch()). The live feed's rollup updates name
 * their tenants, so they leave the context rows and the other tenants'
 * pages cached. */
static struct epoch_set data_epochs; /* shared after sess_cache_share() */
/* The same but for the ingest feed's changes, which leave it: the stamp
 * of the pages that may show the feed late (sess_lag_epoch()). */
static struct epoch_set lag_epochs; /* shared after sess_cache_share() */

int sess_cache_share(void)
{
	return epoch_share(&ctx_epoch) == 0 && epoch_set_share(&data_epochs) == 0 && epoch_set_share(&lag_epochs) == 0
	           ? 0
	           : -1;
}

unsigned long long sess_data_epoch(long long tenant) { return epoch_set_read(&data_epochs, tenant); }

unsigned long long sess_lag_epoch(long long tenant) { return epoch_set_read(&lag_epochs, tenant); }

/* Every listening process of the master hears it: the first moves it
 * (epoch_set_move()). */
static void data_changed(long long tenant, unsigned long long tx, int feed)
{
	epoch_set_move(&data_epochs, tenant, tx);
	if (!feed)
		epoch_set_move(&lag_epochs, tenant, tx);
}

static void cache_sync(int wait_ms)
{
	int changed = db_changed(wait_ms, data_changed);

	if (changed & DB_CHANGED_CONTEXT) {
		epoch_move(&ctx_epoch);
		epoch_set_move_all(&data_epochs);
		epoch_set_move_all(&lag_epochs);
	}
	if (changed & DB_CHANGED_CONFIG)
		etag_cache_changed();
}

void sess_cache_sync(void) { cache_sync(0); }

void sess_cache_idle(void) { cache_sync(2); }

static void ctx_drop(struct ctx_entry *e)
{
	PQclear(e->res);
	memset(e, 0, sizeof(*e));
}

void sess_cache_free(void)
{
	int n = config_get()->context_cache;

	for (int i = 0; ctx_entries != NULL && i < n; i++)
		ctx_drop(&ctx_entries[i]);
	free(ctx_entries);
	ctx_entries = NULL;
}

static long long utc_hour(void) { return (long long)time(NULL) / 3600; }

/* The row cached for key in this epoch and hour, or NULL. */
static PGresult *ctx_find(const char *key, size_t key_len, unsigned long long epoch)
{
	int n = config_get()->context_cache;

	if (epoch != ctx_held_epoch) { /* something changed: let every row go */
		for (int i = 0; ctx_entries != NULL && i < n; i++)
			ctx_drop(&ctx_entries[i]);
		ctx_held_epoch = epoch;
		return NULL;
	}
	if (ctx_entries == NULL)
		return NULL;
	for (int i = 0; i < n; i++) {
		struct ctx_entry *e = &ctx_entries[i];
		if (e->res == NULL || e->key_len != key_len || CRYPTO_memcmp(e->key, key, key_len) != 0)
			continue;
		if ((long long)time(NULL) >= e->until || e->hour != utc_hour()) {
			ctx_drop(e);
			return NULL;
		}
		e->used = ++ctx_clock;
		return e->res;
	}
	return NULL;
}

/* Keep res (one row of st_session_ctx) for key: the cache owns it from
 * here. 0 when kept, -1 when the caller still owns it. The request's
 * ctx_find() ran first with the epoch read before the statement, so the held
 * rows are of that epoch; if it has moved since, the next ctx_find() drops
 * them all. */
static int ctx_put(const char *key, size_t key_len, PGresult *res)
{
	int n = config_get()->context_cache;
	struct ctx_entry *e = NULL;

	if (key_len >= sizeof(e->key) || CTX_ISNULL(res, C_t_until))
		return -1;
	if (ctx_entries == NULL && (ctx_entries = calloc((size_t)n, sizeof(*ctx_entries))) == NULL)
		return -1;
	for (int i = 0; i < n; i++)
		if (e == NULL || ctx_entries[i].res == NULL || ctx_entries[i].used < e->used) {
			e = &ctx_entries[i];
			if (e->res == NULL)
				break;
		}
	ctx_drop(e);
	memcpy(e->key, key, key_len);
	e->key_len = key_len;
	e->until = atoll(CTX_VALUE(res, C_t_until));
	e->hour = atoll(CTX_VALUE(res, C_t_hour)) / 3600; /* the database's clock read it */
	e->used = ++ctx_clock;
	e->res = res;
	return 0;
}

static const char *cookie_name(struct req *req)
{
	return req->https ? SESSION_COOKIE_TLS : SESSION_COOKIE;
}

static const char *wrote_cookie_name(struct req *req)
{
	return req->https ? WROTE_COOKIE_TLS : WROTE_COOKIE;
}

static void csrf_for(const char *token, char out[65])
{
	tok_hmac_hex(token, strlen(token), "csrf", 4, out);
}

/* The tenant of a /t/{id} page and the user's role there, from a
 * st_session_ctx row, stamped for the dashboard cache (an arena copy), or
 * NULL when not visible. */
static struct tenant_ctx *ctx_tenant(struct req *req, PGresult *res, const char *id)
{
	const int *c = st_session_ctx.col;
	const int col[AUTHZ_TENANT_NCOLS] = {c[C_t_parent], c[C_t_root], c[C_t_name], c[C_t_kind],
	                                     c[C_t_region], c[C_t_role], c[C_t_path]};
	struct tenant_ctx *t = id != NULL ? authz_tenant_from_row(req, atoll(id), res, col) : NULL;

	if (t == NULL)
		return NULL;
	t->version = CTX_ISNULL(res, C_t_version) ? -1 : atoll(CTX_VALUE(res, C_t_version));
	t->hour = atoll(CTX_VALUE(res, C_t_hour));
	t->scope = arena_strdup(&req->arena, CTX_VALUE(res, C_t_scope));
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
	PGresult *res = NULL;
	char key[sizeof(((struct ctx_entry *)0)->key)];
	size_t key_len = 0;
	unsigned long long epoch = 0;
	int cached = 0;
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
	params[0] = tok; /* the database hashes it (app_user_id()): a hash would identify no one */
	params[1] = idle;
	params[2] = tenant;
	params[3] = req->brand_host;
	/* The browser's own write, through another host, is on this page:
	 * its notifications are drained before any cache is looked at. */
	if (whole && db_catch_up(http_cookie(req, wrote_cookie_name(req))))
		sess_cache_sync();
	/* A GET's lookup runs on its own: a page that needs no other statement
	 * (a cached dashboard) costs one round trip; the next statement, if
	 * any, begins the transaction with the identity (db_lazy_identity). A
	 * write keeps one transaction from the lookup on. */
	if (whole && config_get()->context_cache > 0) {
		int n = snprintf(key, sizeof(key), "%s|%s|%s", hash, tenant ? tenant : "", req->host);
		if (n > 0 && (size_t)n < sizeof(key)) {
			key_len = (size_t)n;
			sess_cache_sync();
			epoch = epoch_read(&ctx_epoch);
			cached = (res = ctx_find(key, key_len, epoch)) != NULL;
			req->ctx_lookup = 1;
		}
	}
	if (!cached)
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
		if (!cached)
			PQclear(res);
		db_rollback();
		return R_INTERNAL;
	}
	{
		const int *c = whole ? st_session_ctx.col : st_session_lookup.col; /* the same names first */
		s->id = atoll(PQgetvalue(res, 0, c[C_session_id]));
		s->user_id = atoll(PQgetvalue(res, 0, c[C_user_id]));
		s->email = arena_strdup(&req->arena, PQgetvalue(res, 0, c[C_email]));
		s->name = arena_strdup(&req->arena, PQgetvalue(res, 0, c[C_name]));
		s->unread = atol(PQgetvalue(res, 0, c[C_unread]));
	}
	memcpy(s->token, tok, TOK_HEX + 1);
	csrf_for(s->token, s->csrf);
	if (whole) { /* for the page's common parts (view_common) */
		const int *c = st_session_ctx.col;
		const int brand[BRAND_NCOLS] = {c[C_brand_tenant_id], c[C_page_title], c[C_footer],
		                                c[C_logo_light],      c[C_logo_dark],  c[C_host]};
		json_decref(req->ctx_brand);
		req->ctx_brand = brand_from_cols(res, 0, brand);
		req->ctx_bell = CTX_ISNULL(res, C_bell) ? NULL : arena_strdup(&req->arena, CTX_VALUE(res, C_bell));
		req->tenant = ctx_tenant(req, res, tenant);
	}
	if (!cached && (key_len == 0 || ctx_put(key, key_len, res) != 0))
		PQclear(res);
	req->ctx_cached = cached;
	req->sess = s;
	if (whole)
		db_lazy_identity(s->token);
	return R_SUCCESS; /* the transaction (a write's) stays open for the handler */
}

void sess_read_replica(struct req *req)
{
	db_read_replica(http_cookie(req, wrote_cookie_name(req)),
	                req->route->access == ACCESS_TENANT && req->tenant != NULL ? req->tenant->id : 0);
}

void sess_wrote(struct req *req)
{
	char at[32];

	if (db_write_position(at) == 0)
		http_set_cookie(req, wrote_cookie_name(req), at, WROTE_COOKIE_SECONDS);
}

void sess_start(struct req *req, const char *token)
{
	http_set_cookie(req, cookie_name(req), token, config_get()->session_max);
}

void sess_device_cookie(struct req *req, const char *device)
{
	http_set_cookie(req, req->https ? DEVICE_COOKIE_TLS : DEVICE_COOKIE, device, DEVICE_COOKIE_DAYS * 86400);
}

const char *sess_device(struct req *req)
{
	const char *d = http_cookie(req, req->https ? DEVICE_COOKIE_TLS : DEVICE_COOKIE);

	return d != NULL && tok_is_hex(d, TOK_HEX) ? d : NULL;
}

enum res sess_end(struct req *req)
{
	const char *params[1];
	enum res r = R_SUCCESS;

	if (req->sess != NULL) {
		params[0] = req->sess->token;
		r = db_run(&st_session_end, params);
	}
	http_set_cookie(req, cookie_name(req), "", -1);
	return r;
}

/* The request's Origin (else its Referer) is this portal's own: the scheme
 * and port of PORTAL_BASE_URL (where users reach the portal, whatever port
 * nginx listens on behind it) and the host the request named (nginx passes
 * it without its port). */
int sess_own_origin(const struct req *req, const char *o, size_t len)
{
	const struct http_origin *base = &config_get()->base;
	struct http_origin got;

	if (len == 0 || *req->host == '\0' || base->host_len == 0 || !http_origin_parse(o, len, &got))
		return 0;
	return got.https == base->https && got.port == base->port && got.host_len == strlen(req->host) &&
	       strncasecmp(got.host, req->host, got.host_len) == 0;
}

int sess_same_origin(struct req *req)
{
	const char *o = *req->origin ? req->origin : req->referer;

	return sess_own_origin(req, o, strlen(o));
}

int sess_csrf_ok(struct req *req)
{
	const char *got;

	if (req->sess == NULL || !sess_same_origin(req))
		return 0;
	got = FCGX_GetParam("HTTP_X_CSRF_TOKEN", req->fcgi->envp);
	if (got == NULL)
		got = http_form(req, "csrf");
	/* Pages show the token masked afresh (sess_csrf_masked); the bare
	 * token, which pages showed before, is still taken: knowing it is
	 * knowing every masked form, so it opens nothing more. */
	return got != NULL && (tok_masked_equal(got, req->sess->csrf) || tok_equal(got, req->sess->csrf));
}

int sess_csrf_masked(const struct req *req, char out[SESS_CSRF_MASKED + 1])
{
	if (req->sess == NULL || tok_mask_hex(req->sess->csrf, out, SESS_CSRF_MASKED + 1) != 0) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}
