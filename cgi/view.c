/* view.c - common view model and rendering. */
#include "view.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "assets.h"
#include "authz.h"
#include "brand.h"
#include "db.h"
#include "jalloc.h"
#include "log.h"
#include "nav.h"
#include "session.h"

static struct mus_set *templates;

/* The bell's items (bell_items()), as request_context() reads them. */
DB_STMT(st_bell, 0, "SELECT bell_items(app_user_id())");
/* The tenant in context, else the user's first membership, else the Host. */
DB_STMT(st_brand_request, 3, "SELECT " BRAND_COLUMNS " FROM brand_for_request($1::bigint, $2::bigint, $3)");

/* The Global view's Settings link: the user's first membership (the tenant
 * whose brand the page shows), if their role there may change settings. */
DB_STMT(st_settings_home, 2,
        "SELECT m.role, t.kind FROM memberships m JOIN tenants t ON t.id = m.tenant_id"
        " WHERE m.user_id = $1::bigint AND m.tenant_id = $2::bigint AND m.status = 'active'"
        " AND t.status = 'active'");

enum res view_init(const char *dir, struct mus_error *err)
{
	struct mus_set *set = mus_set_new();
	enum res r;

	if (set == NULL)
		return R_INTERNAL;
	r = mus_set_load_dir(set, dir, err);
	if (r != R_SUCCESS) {
		mus_set_free(set);
		return r;
	}
	view_free();
	templates = set;
	return R_SUCCESS;
}

void view_free(void)
{
	if (templates != NULL)
		mus_set_free(templates);
	templates = NULL;
}

json_t *view_model(struct req *req)
{
	if (req->model == NULL)
		req->model = json_object();
	return req->model;
}

static json_t *default_brand(void)
{
	return brand_default();
}

/* The effective brand of the request, in one query (see brand_for_request). */
static json_t *load_brand(struct req *req)
{
	char tid[24], uid[24];
	const char *params[3];
	PGresult *res;
	json_t *b;
	enum res r;

	snprintf(tid, sizeof(tid), "%lld", req->tenant ? req->tenant->id : 0);
	snprintf(uid, sizeof(uid), "%lld", req->sess ? req->sess->user_id : 0);
	params[0] = req->tenant ? tid : NULL;
	params[1] = req->sess ? uid : NULL;
	params[2] = req->brand_host;
	res = db_exec(&st_brand_request, params, &r);
	if (res == NULL || PQntuples(res) != 1) {
		PQclear(res);
		return default_brand();
	}
	b = brand_from_row(res, 0, 0);
	PQclear(res);
	return b;
}

json_t *view_bell(long long unread, const char *items)
{
	json_t *list = items != NULL ? json_loads(items, 0, NULL) : NULL;

	if (!json_is_array(list)) {
		json_decref(list);
		list = json_array();
	}
	return json_pack("{s:I, s:o}", "unread", (json_int_t)unread, "items", list);
}

/* The bell's dropdown when the request's first statement did not bring it
 * (after a write): the newest unread notifications (RLS: your own). */
static json_t *bell(struct req *req)
{
	PGresult *res;
	enum res r;
	json_t *b;

	res = db_exec(&st_bell, NULL, &r);
	b = view_bell(req->sess->unread, res != NULL && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)
	                                     ? PQgetvalue(res, 0, 0)
	                                     : NULL);
	PQclear(res);
	return b;
}

/* Does the answer render the model (a page or its JSON twin)? */
static int renders_model(const struct req *req)
{
	return req->template != NULL && req->body_type == NULL && (req->redirect == NULL || req->want_json);
}

/* A page rendered in answer to a form (a POST refused with its field
 * errors, say) is shown at the POST's address: page_url is the page the
 * form was on (the same-origin Referer's path and query), which
 * www/js/console.js puts in the address bar, so a reload or a bookmark
 * opens the page again instead of posting; without scripts the answer
 * still names it (Content-Location, RFC 9110 8.7: this body is that
 * page's representation). */
static void page_url(struct req *req, json_t *m)
{
	const char *p;

	if (strcmp(req->method, "POST") != 0 || !sess_own_origin(req, req->referer, strlen(req->referer)) ||
	    (p = strstr(req->referer, "://")) == NULL)
		return;
	p = strchr(p + 3, '/');
	if (p == NULL || p[1] == '/' || p[1] == '\\' || strlen(p) > 1024)
		return;
	for (const char *c = p; *c; c++)
		if ((unsigned char)*c < 0x21 || *c == 0x7f)
			return;
	json_object_set_new(m, "page_url", json_string(p));
	http_header(req, "Content-Location", p);
}

void view_common(struct req *req)
{
	json_t *m;

	if (!renders_model(req))
		return;
	m = view_model(req);
	page_url(req, m);
	if (json_object_get(m, "brand") == NULL) {
		json_t *b = req->ctx_brand != NULL ? req->ctx_brand
		            : req->outcome == R_UNAVAILABLE ? default_brand()
		                                    : load_brand(req);
		req->ctx_brand = NULL;
		json_object_set_new(m, "brand", b);
	}
	/* The remembered theme (www/js/theme.js sets the cookie), rendered as
	 * data-theme on <html> so the first paint has it. */
	if (json_object_get(m, "theme") == NULL) {
		const char *theme = http_cookie(req, "theme");
		if (theme != NULL && (strcmp(theme, "light") == 0 || strcmp(theme, "dark") == 0))
			json_object_set_new(m, "theme", json_string(theme));
		/* The no-script toggle posts the other theme and comes back here. */
		json_object_set_new(m, "theme_next",
		                    json_string(theme != NULL && strcmp(theme, "dark") == 0 ? "light" : "dark"));
		json_object_set_new(m, "request_path", json_string(req->raw_path));
	}
	if (req->sess != NULL && req->tenant == NULL && json_object_get(m, "settings_link") == NULL) {
		json_t *tid = json_object_get(json_object_get(m, "brand"), "tenant_id");
		if (json_is_integer(tid)) {
			char uid[24], id[24];
			const char *params[2] = {uid, id};
			PGresult *res;
			enum res r;
			snprintf(uid, sizeof(uid), "%lld", req->sess->user_id);
			snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(tid));
			res = db_exec(&st_settings_home, params, &r);
			if (res != NULL && PQntuples(res) == 1 &&
			    authz_can(authz_role(PQgetvalue(res, 0, 0)), PERM_SETTINGS, PQgetvalue(res, 0, 1))) {
				char link[64];
				snprintf(link, sizeof(link), "/t/%s/settings", id);
				json_object_set_new(m, "settings_link", json_string(link));
			}
			PQclear(res);
		}
	}
	if (req->sess != NULL) {
		char csrf[SESS_CSRF_MASKED + 1];

		json_object_set_new(m, "user", json_pack("{s:I, s:s, s:s}", "id", (json_int_t)req->sess->user_id,
		                                         "name", req->sess->name, "email", req->sess->email));
		/* Masked afresh for each response: with the page compressed, a
		 * secret that stayed the same across responses could be read from
		 * their sizes (BREACH; docs/architecture.md). */
		if (sess_csrf_masked(req, csrf) == 0)
			json_object_set_new(m, "csrf", json_string(csrf));
		else
			log_err("csrf: masking failed");
		if (req->ctx_bell != NULL && json_object_get(m, "bell") == NULL)
			json_object_set_new(m, "bell", view_bell(req->sess->unread, req->ctx_bell));
		if (req->sess->unread > 0 && json_object_get(m, "bell") == NULL)
			json_object_set_new(m, "bell", bell(req));
	}
}

void view_form(struct req *req, enum res r, const char *key, json_t *values, json_t *errors)
{
	req->outcome = r;
	json_object_set_new(view_model(req), key,
	                    json_pack("{s:o, s:o}", "values", values ? values : json_object(), "errors",
	                              errors ? errors : json_object()));
}

json_t *view_error_object(enum res r, const char *message)
{
	return json_pack("{s:i, s:s, s:s}", "status", res_status(r), "code", res_name(r), "message",
	                 message ? message : res_message(r));
}

void view_error(struct req *req, enum res r, const char *message)
{
	json_decref(req->model);
	json_decref(req->ctx_brand); /* the error page loads its own, as it may */
	req->ctx_brand = NULL;
	req->ctx_bell = NULL;
	req->model = json_object();
	req->outcome = r;
	req->redirect = NULL;
	req->body_type = NULL;
	buf_free(&req->body);
	req->template = "error";
	json_object_set_new(req->model, "error", view_error_object(r, message));
	json_object_set_new(req->model, "page_title", json_string(http_status_text(res_status(r))));
	if (r == R_METHOD)
		http_header(req, "Allow", "GET, HEAD, POST");
}

void view_tenant(struct req *req)
{
	const struct tenant_ctx *t = req->tenant;
	json_t *m = view_model(req), *tj, *can;
	int p;

	if (t == NULL)
		return;
	can = json_object();
	for (p = 0; p < PERM_COUNT; p++)
		json_object_set_new(can, authz_perm_name((enum perm)p),
		                    json_boolean(authz_can(t->role, (enum perm)p, t->kind)));
	tj = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b}", "id", (json_int_t)t->id, "name", t->name,
	               "kind", t->kind, "region", t->region, "role", authz_role_name(t->role), "role_label",
	               authz_role_label(t->role), "is_mssp", strcmp(t->kind, "mssp") == 0, "is_msp",
	               strcmp(t->kind, "msp") == 0, "is_company", strcmp(t->kind, "company") == 0);
	json_object_set_new(tj, "can", can);
	if (t->parent_id)
		json_object_set_new(tj, "parent_id", json_integer(t->parent_id));
	json_object_set_new(m, "tenant", tj);
	json_object_set_new(m, "nav", nav_model(req));
}

void view_attachment(struct req *req, const char *what, const char *ext)
{
	json_t *brand = load_brand(req);
	const char *title = json_string_value(json_object_get(brand, "page_title"));
	char slug[64], line[192], day[16];
	size_t n = 0;
	time_t now = time(NULL);
	struct tm tm;

	/* A filename slug: ASCII letters and digits, runs of anything else as
	 * one dash, so no quote or control character reaches the header. */
	for (const unsigned char *p = (const unsigned char *)(title ? title : "portal"); *p && n < sizeof(slug) - 1; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			slug[n++] = (char)*p;
		else if (*p >= 'A' && *p <= 'Z')
			slug[n++] = (char)(*p - 'A' + 'a');
		else if (n > 0 && slug[n - 1] != '-')
			slug[n++] = '-';
	}
	while (n > 0 && slug[n - 1] == '-')
		n--;
	slug[n] = '\0';
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	snprintf(line, sizeof(line), "attachment; filename=\"%s-%s-%s.%s\"", n ? slug : "portal", what, day, ext);
	http_header(req, "Content-Disposition", line);
	json_decref(brand);
}

/* The "has" tree of obj, a new object or NULL when empty: true for each
 * non-empty array member, a tree for each object member that has one
 * (arrays are not entered). */
static json_t *has_tree(json_t *obj)
{
	json_t *has = NULL, *v, *sub;
	const char *key;

	json_object_foreach(obj, key, v)
	{
		if (json_is_array(v) && json_array_size(v) > 0)
			sub = json_true();
		else if (json_is_object(v))
			sub = has_tree(v);
		else
			continue;
		if (sub == NULL)
			continue;
		if (has == NULL)
			has = json_object();
		json_object_set_new(has, key, sub);
	}
	return has;
}

/* Render name with model plus "has" (see view.h) and "static" (the static
 * files' hashed URLs, assets.h), which are gone again afterwards: the model
 * is left as it was given. */
static enum res render(const char *name, json_t *model, struct buf *out, struct mus_error *err)
{
	json_t *has = has_tree(model), *assets = assets_model();
	enum res r;

	if (has != NULL)
		json_object_set_new(model, "has", has);
	if (assets != NULL)
		json_object_set(model, "static", assets);
	r = mus_render(templates, name, model, out, err);
	if (has != NULL)
		json_object_del(model, "has");
	if (assets != NULL)
		json_object_del(model, "static");
	return r;
}

enum res view_render_named(const char *name, json_t *model, struct buf *out, struct mus_error *err)
{
	memset(err, 0, sizeof(*err));
	if (templates == NULL)
		return R_INTERNAL;
	return render(name, model, out, err);
}

/* The bytes a page's body is made with room for (view_respond()). */
#define VIEW_BODY_START ((size_t)64 << 10)

/* The raw body's type when the handler named none. */
#define TEXT_PLAIN "text/plain; charset=utf-8"

void view_respond(struct req *req)
{
	struct mus_error err;
	char *s;

	req->status = res_status(req->outcome);
	if (req->redirect != NULL && !req->want_json) {
		req->status = 303;
		http_header(req, "Location", req->redirect);
		req->body_type = NULL;
		buf_free(&req->body);
		return;
	}
	if (req->body_type != NULL || (req->template == NULL && req->model == NULL)) {
		if (req->body_type == NULL)
			req->body_type = TEXT_PLAIN;
		return;
	}
	view_model(req);
	buf_free(&req->body);
	if (req->want_json) {
		if (req->redirect != NULL)
			json_object_set_new(req->model, "redirect", json_string(req->redirect));
		s = json_text(req->model, JSON_COMPACT | JSON_ENSURE_ASCII);
		if (s == NULL) {
			req->status = res_status(R_INTERNAL);
			req->body_type = "application/json";
			buf_append(&req->body, "{}", 2);
			return;
		}
		req->body_type = "application/json; charset=utf-8";
		buf_append(&req->body, s, strlen(s));
		free(s);
		return;
	}
	memset(&err, 0, sizeof(err));
	/* Room for most pages at once: a dashboard's 45 kB grown from 256
	 * bytes took eight reallocations, each copying what was written. */
	buf_reserve(&req->body, VIEW_BODY_START);
	if (templates == NULL || render(req->template, req->model, &req->body, &err) != R_SUCCESS) {
		log_err("render %s failed: %s:%d:%d: %s", req->template, err.name, err.line, err.col,
		        templates == NULL ? "templates not loaded" : err.msg);
		buf_free(&req->body);
		req->status = res_status(R_INTERNAL);
		req->body_type = TEXT_PLAIN;
		buf_puts(&req->body, "Internal error\n");
		return;
	}
	req->body_type = "text/html; charset=utf-8";
}

json_t *view_sort_heading(const char *key, const char *label, const char *brief, int active, const char *dir,
                          const char *first)
{
	int asc = strcmp(dir, "asc") == 0;
	json_t *col = json_object();

	/* Set one by one: json_pack() reads its format again for each
	 * heading of every view. */
	VIEW_SET(col, "key", json_string_nocheck(key));
	VIEW_SET(col, "label", json_string_nocheck(label));
	VIEW_SET(col, "brief", json_string_nocheck(brief));
	VIEW_SET(col, "active", json_boolean(active));
	VIEW_SET(col, "next_dir", json_string_nocheck(!active ? first : asc ? "desc" : "asc"));
	VIEW_SET(col, "arrow", json_string_nocheck(active ? (asc ? "▲" : "▼") : ""));
	return col;
}

void view_pages(json_t *m, long page, long pages)
{
	json_object_set_new(m, "page", json_integer(page));
	json_object_set_new(m, "pages", json_integer(pages));
	if (page > 1)
		json_object_set_new(m, "prev_page", json_integer(page - 1));
	if (page < pages)
		json_object_set_new(m, "next_page", json_integer(page + 1));
}

const char *view_minutes(long long minutes, char *buf)
{
	long long d = minutes / 1440, h = minutes % 1440 / 60, m = minutes % 60;

	if (minutes <= 0)
		snprintf(buf, 32, "0 m");
	else if (d > 0)
		snprintf(buf, 32, h ? "%lld d %02lld h" : "%lld d", d, h);
	else if (h > 0)
		snprintf(buf, 32, m ? "%lld h %02lld m" : "%lld h", h, m);
	else
		snprintf(buf, 32, "%lld m", m);
	return buf;
}

const char *view_duration(double minutes, char *buf)
{
	if (!(minutes == minutes) || minutes < 0) /* NaN or negative */
		minutes = 0;
	if (minutes > 0 && minutes < 0.5) {
		snprintf(buf, 32, "< 1 m");
		return buf;
	}
	return view_minutes(minutes >= 9.2e18 ? INT64_MAX : (long long)(minutes + 0.5), buf);
}

const char *view_days(const char *days, char *buf)
{
	char *end;
	double d = days != NULL ? strtod(days, &end) : 0;

	if (days == NULL || *days == '\0' || *end != '\0' || !(d == d) || d < 0)
		snprintf(buf, 32, "–");
	else if (d < 1)
		snprintf(buf, 32, "< 1 day");
	else if (d < 1.05)
		snprintf(buf, 32, "1 day");
	else if (d < 100)
		snprintf(buf, 32, "%.1f days", d);
	else if (d < 1e15)
		snprintf(buf, 32, "%.0f days", d);
	else
		snprintf(buf, 32, "–");
	return buf;
}

const char *view_count(long long n, const char *one, const char *many, char *buf)
{
	char g[32];

	snprintf(buf, 96, "%s %s", view_grouped(n, g), n == 1 ? one : many);
	return buf;
}

const char *view_grouped(long long v, char *buf)
{
	char digits[24];
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	int n = snprintf(digits, sizeof(digits), "%llu", u), i, o = 0;

	if (v < 0)
		buf[o++] = '-';
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

void view_compliance(json_t *obj, const char *key, long long met, long long due)
{
	char k[48], text[96], a[32], b[32];

	snprintf(k, sizeof(k), "%s_text", key);
	if (due <= 0) {
		json_object_set_new(obj, k, json_string("\xe2\x80\x93"));
		return;
	}
	json_object_set_new(obj, key, json_integer(met * 100 / due));
	snprintf(text, sizeof(text), "%lld %%", met * 100 / due);
	json_object_set_new(obj, k, json_string(text));
	snprintf(k, sizeof(k), "%s_of", key);
	snprintf(text, sizeof(text), "%s of %s", view_grouped(met, a), view_grouped(due, b));
	json_object_set_new(obj, k, json_string(text));
}

json_t *view_numbers(const json_t *obj)
{
	json_t *out = json_object(), *v;
	const char *key;
	char b[32];

	json_object_foreach((json_t *)obj, key, v)
	    if (json_is_integer(v))
		json_object_set_new(out, key, json_string(view_grouped(json_integer_value(v), b)));
	return out;
}

json_t *view_flags(json_t *obj, const char *value, const char *const *choices)
{
	char key[48];

	for (; *choices != NULL; choices++) {
		snprintf(key, sizeof(key), "is_%s", *choices);
		json_object_set_new(obj, key, json_boolean(strcmp(value, *choices) == 0));
	}
	return obj;
}
