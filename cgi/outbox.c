/* outbox.c - render an email from templates and queue it in mail_outbox. */
#include "outbox.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "brand.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "form.h"
#include "log.h"
#include "token.h"
#include "view.h"

#define OUTBOX_MAX_ADDR 320
#define OUTBOX_MAX_SUBJECT 200

DB_STMT(st_outbox_brand_tenant, 1, "SELECT " BRAND_COLUMNS " FROM brand_for_tenant($1::bigint)");
DB_STMT(st_outbox_limit, 3, "SELECT mail_limit_take($1, $2::int, make_interval(secs => $3::int))");
DB_STMT(st_outbox_insert, 5,
        "INSERT INTO mail_outbox (tenant_id, root_id, to_addr, subject, body_text, body_html)"
        " SELECT $1::bigint, (SELECT root_id FROM tenants WHERE id = $1::bigint), $2, $3, $4, $5");
DB_STMT(st_outbox_link, 4, "SELECT auth_link_mail($1::bigint, $2, $3, $4)");
DB_STMT(st_outbox_report, 6, "SELECT report_mail_queue($1::bigint, $2, $3, $4, $5, $6::boolean)");

json_t *outbox_brand(long long tenant_id)
{
	char tid[24];
	const char *params[1];
	PGresult *res;
	json_t *b;
	enum res r;

	if (tenant_id <= 0)
		return brand_default();
	snprintf(tid, sizeof(tid), "%lld", tenant_id);
	params[0] = tid;
	res = db_exec(&st_outbox_brand_tenant, params, &r);
	if (res == NULL || PQntuples(res) != 1) {
		PQclear(res);
		return brand_default();
	}
	b = brand_from_row(res, 0, 0);
	PQclear(res);
	return b;
}

enum res outbox_limit(const char *key, int max, int window_seconds)
{
	char maxs[16], wins[16];
	const char *params[3] = {key, maxs, wins};
	PGresult *res;
	enum res r;

	snprintf(maxs, sizeof(maxs), "%d", max);
	snprintf(wins, sizeof(wins), "%d", window_seconds);
	res = db_exec(&st_outbox_limit, params, &r);
	if (res == NULL)
		return r;
	r = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0 ? R_SUCCESS : R_TOO_MANY;
	PQclear(res);
	return r;
}

enum res outbox_limit_address(const char *kind, const char *email, int max, int window_seconds)
{
	char low[OUTBOX_MAX_ADDR + 1], hash[65], key[128];
	size_t n = 0;

	while (*email == ' ' || *email == '\t')
		email++;
	for (; *email && n < OUTBOX_MAX_ADDR; email++)
		low[n++] = (char)tolower((unsigned char)*email);
	while (n > 0 && (low[n - 1] == ' ' || low[n - 1] == '\t'))
		n--;
	low[n] = '\0';
	tok_sha256_hex(low, n, hash);
	snprintf(key, sizeof(key), "%s:%s", kind, hash);
	return outbox_limit(key, max, window_seconds);
}

/* Text a user typed (a name, a tenant's name, a reason) made inert for a
 * mail reader that turns anything like an address into a link, as
 * security tools "defang" indicators: "://" becomes "[:]//" and a dot
 * between a letter or digit and two letters ("evil.example") "[.]". The
 * portal's own links are built separately and left alone. */
static char *defang(const char *s)
{
	struct buf b = BUF_INIT;

	for (const char *p = s; *p; p++) {
		if (p[0] == ':' && p[1] == '/' && p[2] == '/') {
			buf_puts(&b, "[:]");
			continue;
		}
		if (p[0] == '.' && p > s && isalnum((unsigned char)p[-1]) && isalpha((unsigned char)p[1]) &&
		    isalpha((unsigned char)p[2])) {
			buf_puts(&b, "[.]");
			continue;
		}
		buf_putc(&b, *p);
	}
	return buf_ok(&b) ? buf_take(&b) : NULL;
}

/* The keys of an email's model that hold text someone typed (a person's
 * or a tenant's name, a decision's reason): defanged. Links, addresses and
 * the portal's own words are left as they are. */
static const char *const typed_keys[] = {"name", "inviter", "tenant_name", "msp_name", "mssp_name", "reason",
                                         "requester", NULL};

static void defang_typed(json_t *obj, const char *const *keys)
{
	for (const char *const *k = keys; *k; k++) {
		const char *v = json_string_value(json_object_get(obj, *k));
		char *d = v != NULL ? defang(v) : NULL;
		if (d != NULL)
			json_object_set_new(obj, *k, json_string(d));
		free(d);
	}
}

/* A plausible single address: no controls, no spaces, one "@". */
static enum res render_part(const char *name, const char *part, json_t *model, struct buf *out)
{
	char tname[128];
	struct mus_error err;
	enum res r;

	if ((size_t)snprintf(tname, sizeof(tname), "email/%s_%s", name, part) >= sizeof(tname))
		return R_INTERNAL;
	r = view_render_named(tname, model, out, &err);
	if (r != R_SUCCESS) {
		log_err("render %s failed: %s:%d:%d: %s", tname, err.name, err.line, err.col, err.msg);
		return R_INTERNAL;
	}
	buf_putc(out, '\0');
	return buf_ok(out) ? R_SUCCESS : R_INTERNAL;
}

/* One header line: whitespace runs (newlines included) become one space,
 * trimmed, cut at a character boundary below OUTBOX_MAX_SUBJECT bytes. */
static void subject_line(char *s)
{
	char *w = s;
	int space = 1;

	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == ' ' || c == 0x7f) {
			if (!space)
				*w++ = ' ';
			space = 1;
		} else {
			*w++ = (char)c;
			space = 0;
		}
	}
	while (w > s && w[-1] == ' ')
		w--;
	*w = '\0';
	if (w - s > OUTBOX_MAX_SUBJECT) {
		w = s + OUTBOX_MAX_SUBJECT;
		while (w > s && ((unsigned char)*w & 0xc0) == 0x80)
			w--;
		*w = '\0';
	}
}

struct rendered {
	struct buf subject, text, html;
};

static void rendered_free(struct rendered *m)
{
	buf_free(&m->subject);
	buf_free(&m->text);
	buf_free(&m->html);
}

/* Render email NAME for tenant_id's brand (see outbox_queue) into m
 * (freed by the caller with rendered_free, whatever the outcome). */
static enum res render_mail(long long tenant_id, const char *name, json_t *model, struct rendered *m)
{
	enum res r;

	if (json_object_get(model, "brand") == NULL)
		json_object_set_new(model, "brand", outbox_brand(tenant_id));
	{
		/* Links go to PORTAL_BASE_URL: a tenant's host name is its claim,
		 * not yet verified to lead to this portal, so no link (a reset or
		 * invitation token above all) is built on it. */
		static const char *const brand_typed[] = {"page_title", NULL};
		json_t *brand = json_object_get(model, "brand");
		const char *base = config_get()->base_url;
		const char *logo = json_string_value(json_object_get(brand, "logo_light"));
		defang_typed(model, typed_keys);
		defang_typed(brand, brand_typed);
		if (json_object_get(model, "base_url") == NULL)
			json_object_set_new(model, "base_url", json_string(base));
		if (logo != NULL) {
			struct buf u = BUF_INIT;
			buf_printf(&u, "%s%s", base, logo);
			if (buf_ok(&u))
				json_object_set_new(brand, "logo_abs", json_string(u.data));
			buf_free(&u);
		}
	}

	if ((r = render_part(name, "subject", model, &m->subject)) != R_SUCCESS ||
	    (r = render_part(name, "text", model, &m->text)) != R_SUCCESS ||
	    (r = render_part(name, "html", model, &m->html)) != R_SUCCESS)
		return r;
	subject_line(m->subject.data);
	{
		/* Every subject starts with the sender's brand: "Title: ...". */
		const char *title = json_string_value(json_object_get(json_object_get(model, "brand"), "page_title"));
		if (title != NULL && m->subject.data[0] != '\0') {
			struct buf full = BUF_INIT;
			buf_printf(&full, "%s: %s", title, m->subject.data);
			subject_line(full.data ? full.data : m->subject.data);
			if (buf_ok(&full)) {
				buf_free(&m->subject);
				m->subject = full;
			} else {
				buf_free(&full);
			}
		}
	}
	if (m->subject.data[0] == '\0') {
		log_err("email %s renders an empty subject", name);
		return R_INTERNAL;
	}
	return R_SUCCESS;
}

enum res outbox_queue(long long tenant_id, const char *to, const char *name, json_t *model)
{
	struct rendered m = {BUF_INIT, BUF_INIT, BUF_INIT};
	char tid[24];
	const char *params[5];
	enum res r;

	if (to == NULL || !form_is_email(to) || name == NULL || model == NULL)
		return R_BAD_INPUT;
	if ((r = render_mail(tenant_id, name, model, &m)) == R_SUCCESS) {
		snprintf(tid, sizeof(tid), "%lld", tenant_id);
		params[0] = tenant_id > 0 ? tid : NULL;
		params[1] = to;
		params[2] = m.subject.data;
		params[3] = m.text.data;
		params[4] = m.html.data;
		r = db_run(&st_outbox_insert, params);
	}
	rendered_free(&m);
	return r;
}

enum res outbox_queue_link(long long link_id, long long tenant_id, const char *name, json_t *model)
{
	struct rendered m = {BUF_INIT, BUF_INIT, BUF_INIT};
	char lid[24];
	const char *params[4];
	PGresult *res;
	enum res r;

	if (name == NULL || model == NULL)
		return R_BAD_INPUT;
	if ((r = render_mail(tenant_id, name, model, &m)) == R_SUCCESS) {
		snprintf(lid, sizeof(lid), "%lld", link_id);
		params[0] = lid;
		params[1] = m.subject.data;
		params[2] = m.text.data;
		params[3] = m.html.data;
		res = db_exec(&st_outbox_link, params, &r);
		if (res != NULL && (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "t") != 0))
			r = R_CONFLICT; /* not pending: asked for in another transaction */
		PQclear(res);
	}
	rendered_free(&m);
	return r;
}

enum res outbox_queue_report(long long job_id, long long tenant_id, const char *to, const char *name, int attach,
                             json_t *model)
{
	struct rendered m = {BUF_INIT, BUF_INIT, BUF_INIT};
	char jid[24];
	const char *params[6];
	PGresult *res;
	enum res r;

	if (to == NULL || !form_is_email(to) || name == NULL || model == NULL)
		return R_BAD_INPUT;
	if ((r = render_mail(tenant_id, name, model, &m)) == R_SUCCESS) {
		snprintf(jid, sizeof(jid), "%lld", job_id);
		params[0] = jid;
		params[1] = to;
		params[2] = m.subject.data;
		params[3] = m.text.data;
		params[4] = m.html.data;
		params[5] = attach ? "true" : "false";
		res = db_exec(&st_outbox_report, params, &r);
		if (res != NULL && (PQntuples(res) != 1 || strcmp(PQgetvalue(res, 0, 0), "t") != 0))
			r = R_TOO_MANY; /* the tenant's report mail for the day is spent */
		PQclear(res);
	}
	rendered_free(&m);
	return r;
}
