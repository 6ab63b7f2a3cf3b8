/* settings_branding.c - the white-labelling form (/t/{id}/settings/branding):
 * title, footer, portal host, light and dark logos, with a preview; saving,
 * resetting a field so that it inherits again, and verifying the portal
 * host by its DNS TXT record (branding_host_verify()). The model it edits,
 * and the settings page that shows it, are settings.c's; the logo files
 * logo.c's. Values inherit field by field from the nearest ancestor
 * (brand_resolve(), brand_for_tenant()). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "authz.h"
#include "brand.h"
#include "config.h"
#include "db.h"
#include "dns.h"
#include "form.h"
#include "image.h"
#include "pages.h"
#include "token.h"
#include "view.h"

#define TS_UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* A new host name gets the new token $5 (and is pending: the trigger
 * branding_host_claim, which also refuses a name another tenant verified). */
DB_STMT(st_wl_upsert, 5,
        "INSERT INTO branding (tenant_id, root_id, page_title, footer, host, host_token)"
        " SELECT t.id, t.root_id, $2, $3, $4::text, CASE WHEN $4::text IS NOT NULL THEN $5::text END FROM tenants t"
        " WHERE t.id = $1::bigint"
        " ON CONFLICT (tenant_id) DO UPDATE SET page_title = EXCLUDED.page_title, footer = EXCLUDED.footer,"
        " host = EXCLUDED.host, host_token = CASE WHEN branding.host IS DISTINCT FROM EXCLUDED.host"
        " THEN EXCLUDED.host_token ELSE branding.host_token END, updated_at = now()");
DB_STMT(st_wl_host_verify, 3, "SELECT " TS_UTC("branding_host_verify($1::bigint, $2, $3)"));
DB_STMT(st_wl_logo_insert, 6,
        "WITH v AS (SELECT $4::bytea AS b)"
        " INSERT INTO branding_logos (tenant_id, root_id, variant, content_type, bytes, sha256, width, height)"
        " SELECT t.id, t.root_id, $2, $3, v.b, encode(sha256(v.b), 'hex'), $5::int, $6::int"
        " FROM tenants t, v WHERE t.id = $1::bigint RETURNING id");
DB_STMT(st_wl_set_light, 2, "UPDATE branding SET logo_light_id = $2::bigint, updated_at = now() WHERE tenant_id = $1::bigint");
DB_STMT(st_wl_set_dark, 2, "UPDATE branding SET logo_dark_id = $2::bigint, updated_at = now() WHERE tenant_id = $1::bigint");
DB_STMT(st_wl_reset, 2,
        "UPDATE branding SET"
        " page_title = CASE WHEN $2 = 'page_title' THEN NULL ELSE page_title END,"
        " footer = CASE WHEN $2 = 'footer' THEN NULL ELSE footer END,"
        " host = CASE WHEN $2 = 'host' THEN NULL ELSE host END,"
        " logo_light_id = CASE WHEN $2 = 'logo_light' THEN NULL ELSE logo_light_id END,"
        " logo_dark_id = CASE WHEN $2 = 'logo_dark' THEN NULL ELSE logo_dark_id END,"
        " updated_at = now() WHERE tenant_id = $1::bigint");

static enum res own_host(struct req *req, const char *id, const char **host);

/* The form page. A handler that answers with the form put it in the model
 * (view_form); each field shows what was sent, else what is stored. */
static enum res branding_form(struct req *req)
{
	json_t *wl, *m = view_model(req), *pv, *values, *errors, *stored;
	struct buf html = BUF_INIT;
	const char *title, *footer;
	enum res r;

	if ((r = settings_wl(req, &wl)) != R_SUCCESS)
		return r;
	stored = json_object();
	if (json_is_true(json_object_get(json_object_get(wl, "page_title"), "set_here")))
		json_object_set(stored, "page_title", json_object_get(json_object_get(wl, "page_title"), "value"));
	if (json_is_true(json_object_get(json_object_get(wl, "footer"), "set_here")))
		json_object_set(stored, "footer", json_object_get(json_object_get(wl, "footer"), "value"));
	json_object_set(stored, "host", json_object_get(json_object_get(wl, "host"), "value"));
	if (json_object_get(m, "form") == NULL)
		view_form(req, req->outcome, "form", NULL, NULL);
	values = json_object_get(json_object_get(m, "form"), "values"); /* borrowed */
	errors = json_object_get(json_object_get(m, "form"), "errors"); /* borrowed */
	json_object_update_missing(values, stored);
	json_decref(stored);
	/* The preview shows what is being edited, falling back to what would be
	 * inherited when a field is left empty. */
	title = json_string_value(json_object_get(values, "page_title"));
	if (title == NULL || *title == '\0' || json_object_get(errors, "page_title"))
		title = json_string_value(json_object_get(json_object_get(wl, "page_title"), "value"));
	footer = json_string_value(json_object_get(values, "footer"));
	if (footer == NULL || *footer == '\0' || json_object_get(errors, "footer"))
		footer = json_string_value(json_object_get(json_object_get(wl, "footer"), "value"));
	brand_footer_html(&html, footer ? footer : "");
	pv = json_pack("{s:s, s:s, s:O, s:O}", "page_title", title ? title : "", "footer_html",
	               buf_ok(&html) && html.data ? html.data : "", "logo_light",
	               json_object_get(json_object_get(wl, "logo_light"), "value"), "logo_dark",
	               json_object_get(json_object_get(wl, "logo_dark"), "value"));
	buf_free(&html);
	{
		/* Each theme shows its own logo, else the other one. */
		json_t *l = json_object_get(pv, "logo_light"), *d = json_object_get(pv, "logo_dark");
		if (json_is_null(l) && !json_is_null(d))
			json_object_set(pv, "logo_light", d);
		else if (json_is_null(d) && !json_is_null(l))
			json_object_set(pv, "logo_dark", l);
	}
	json_object_set_new(m, "wl", wl);
	json_object_set_new(m, "preview", pv);
	json_object_set_new(m, "page_title", json_string("White labelling"));
	req->template = "settings_branding";
	return R_SUCCESS;
}

enum res page_branding_form(struct req *req)
{
	return branding_form(req);
}

struct upload {
	const struct http_param *p;
	struct image_info info;
};

/* An uploaded logo: 1 when a file was sent and is acceptable, 0 when none
 * was sent, -1 with a message in errors otherwise. */
static int check_upload(struct req *req, const char *name, struct upload *u, json_t *errors)
{
	enum image_check c;

	u->p = http_param_get(&req->form, name);
	if (u->p == NULL || u->p->value_len == 0)
		return 0;
	c = image_sniff((const unsigned char *)u->p->value, u->p->value_len, &u->info);
	if (c != IMG_OK) {
		json_object_set_new(errors, name, json_string(image_message(c)));
		return -1;
	}
	return 1;
}

static enum res store_logo(const char *id, const char *variant, const struct upload *u)
{
	static const char hex[] = "0123456789abcdef";
	struct buf b = BUF_INIT;
	char w[16], h[16];
	const char *params[6];
	PGresult *res;
	enum res r;
	char lid[24];

	buf_puts(&b, "\\x");
	for (size_t i = 0; i < u->p->value_len; i++) {
		unsigned char c = (unsigned char)u->p->value[i];
		buf_putc(&b, hex[c >> 4]);
		buf_putc(&b, hex[c & 15]);
	}
	if (!buf_ok(&b)) {
		buf_free(&b);
		return R_INTERNAL;
	}
	snprintf(w, sizeof(w), "%u", u->info.width);
	snprintf(h, sizeof(h), "%u", u->info.height);
	params[0] = id;
	params[1] = variant;
	params[2] = u->info.content_type;
	params[3] = b.data;
	params[4] = w;
	params[5] = h;
	res = db_exec(&st_wl_logo_insert, params, &r);
	buf_free(&b);
	if (res == NULL)
		return r;
	snprintf(lid, sizeof(lid), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	params[1] = lid;
	return db_run(strcmp(variant, "light") == 0 ? &st_wl_set_light : &st_wl_set_dark, params);
}

enum res page_branding_save(struct req *req)
{
	static const struct form_field fields[] = {
	    {.name = "page_title", .label = "Page Title", .kind = FORM_TEXT, .min = 1, .max = 80},
	    {.name = "footer", .label = "Footer Content", .kind = FORM_TEXT, .min = 1, .max = 500},
	    {.name = "host", .label = "Portal host name", .kind = FORM_HOST, .min = 1, .max = 253},
	};
	const char *action = http_form(req, "action");
	json_t *values, *errors, *d;
	struct upload light, dark;
	int has_light, has_dark, claimed;
	const char *params[5], *old_host;
	char id[24], token[33];
	enum res r;

	form_check(req, fields, 3, &values, &errors);
	{
		const char *h = json_string_value(json_object_get(values, "host"));
		if (h != NULL && *h && json_object_get(errors, "host") == NULL && config_is_portal_host(h))
			json_object_set_new(errors, "host",
			                    json_string("That is the portal's own host name: a tenant can use only a host "
			                                "name of its own."));
	}
	has_light = check_upload(req, "logo_light", &light, errors);
	has_dark = check_upload(req, "logo_dark", &dark, errors);
	if (json_object_size(errors) > 0 || (action != NULL && strcmp(action, "preview") == 0)) {
		view_form(req, json_object_size(errors) > 0 ? R_BAD_INPUT : R_SUCCESS, "form", values, errors);
		return branding_form(req);
	}
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	params[0] = id;
	for (int i = 1; i <= 3; i++) {
		const char *v = json_string_value(json_object_get(values, fields[i - 1].name));
		params[i] = v != NULL && *v ? v : NULL;
	}
	/* A new host name is a new claim: pending, with a new token. */
	if ((r = own_host(req, id, &old_host)) != R_SUCCESS || tok_random_hex(token, 16) != 0) {
		json_decref(values);
		json_decref(errors);
		return r != R_SUCCESS ? r : R_INTERNAL;
	}
	params[4] = token;
	claimed = params[3] != NULL && (old_host == NULL || strcmp(old_host, params[3]) != 0);
	r = db_run_guarded(&st_wl_upsert, params);
	if (r == R_CONFLICT) {
		json_object_set_new(errors, "host",
		                    json_string("That host name is already verified for another tenant. Choose another one."));
		view_form(req, R_CONFLICT, "form", values, errors);
		return branding_form(req);
	}
	if (r != R_SUCCESS) {
		json_decref(values);
		json_decref(errors);
		return r;
	}
	if (claimed) {
		d = json_pack("{s:s, s:s}", "host", params[3], "state", "pending");
		r = audit_log(req, req->tenant->id, "branding.host_claimed", NULL, d);
		json_decref(d);
		if (r != R_SUCCESS)
			goto fail;
	}
	if (has_light == 1 && (r = store_logo(id, "light", &light)) != R_SUCCESS)
		goto fail;
	if (has_dark == 1 && (r = store_logo(id, "dark", &dark)) != R_SUCCESS)
		goto fail;
	d = json_pack("{s:O, s:O, s:O, s:b, s:b}", "page_title", json_object_get(values, "page_title"), "footer",
	              json_object_get(values, "footer"), "host", json_object_get(values, "host"), "logo_light",
	              has_light == 1, "logo_dark", has_dark == 1);
	r = audit_log(req, req->tenant->id, "branding.updated", NULL, d);
	json_decref(d);
	if (r != R_SUCCESS)
		goto fail;
	json_decref(values);
	json_decref(errors);
	{
		char loc[80];
		snprintf(loc, sizeof(loc), "/t/%lld/settings?done=branding", req->tenant->id);
		return http_redirect(req, loc);
	}
fail:
	json_decref(values);
	json_decref(errors);
	return r;
}

/* The tenant's own host name now (arena copy), NULL when it has none. */
static enum res own_host(struct req *req, const char *id, const char **host)
{
	PGresult *res;
	enum res r;

	*host = NULL;
	res = settings_host_claim(id, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		*host = arena_strdup(&req->arena, PQgetvalue(res, 0, 0));
	PQclear(res);
	return R_SUCCESS;
}

/* The form again with a message next to the host field. */
static enum res verify_failed(struct req *req, enum res outcome, const char *msg)
{
	view_form(req, outcome, "form", NULL, json_pack("{s:s}", "host", msg));
	return branding_form(req);
}

/* POST /t/{id}/settings/branding/verify: look up the TXT record the page
 * asks for; found, the host name is verified (branding_host_verify: only
 * for the name and token the row still has). */
enum res page_branding_verify(struct req *req)
{
	const char *params[3];
	char id[24], name[300], value[100], host[256], token[40], err[160], msg[700];
	PGresult *res;
	enum res r;
	enum dns_txt found;

	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	params[0] = id;
	res = settings_host_claim(id, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return verify_failed(req, R_BAD_INPUT, "Set a portal host name and save it first: then verify it.");
	}
	if (!PQgetisnull(res, 0, 2)) {
		PQclear(res);
		snprintf(msg, sizeof(msg), "/t/%lld/settings?done=host_verified", req->tenant->id);
		return http_redirect(req, msg);
	}
	snprintf(host, sizeof(host), "%s", PQgetvalue(res, 0, 0));
	snprintf(token, sizeof(token), "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	snprintf(name, sizeof(name), BRANDING_VERIFY_PREFIX "%s", host);
	snprintf(value, sizeof(value), BRANDING_VERIFY_VALUE "%s", token);
	found = dns_txt_has(config_get()->dns_resolver, name, value, err, sizeof(err));
	if (found == DNS_TXT_FAILED) {
		snprintf(msg, sizeof(msg),
		         "Could not check %s: %s. Nothing changed; try again in a few minutes, or ask the portal's "
		         "operator.",
		         name, err);
		return verify_failed(req, R_UPSTREAM, msg);
	}
	if (found == DNS_TXT_ABSENT) {
		snprintf(msg, sizeof(msg),
		         "No TXT record %s found at %s. Create it at your DNS provider, wait until it is published, then "
		         "verify again.",
		         value, name);
		return verify_failed(req, R_BAD_INPUT, msg);
	}
	params[1] = host;
	params[2] = token;
	res = db_exec_guarded(&st_wl_host_verify, params, &r);
	if (r == R_CONFLICT)
		return verify_failed(req, R_CONFLICT,
		                     "That host name is already verified for another tenant: it cannot be yours too.");
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return verify_failed(req, R_CONFLICT, "The host name changed while it was being checked: verify it again.");
	}
	PQclear(res);
	{
		json_t *d = json_pack("{s:s, s:s}", "host", host, "method", "dns");
		r = audit_log(req, req->tenant->id, "branding.host_verified", NULL, d);
		json_decref(d);
	}
	if (r != R_SUCCESS)
		return r;
	snprintf(msg, sizeof(msg), "/t/%lld/settings?done=host_verified", req->tenant->id);
	return http_redirect(req, msg);
}

enum res page_branding_reset(struct req *req)
{
	static const struct form_field field_field = {
	    .name = "field", .label = "Field", .kind = FORM_CHOICE, .required = 1, .choices = settings_wl_fields};
	const char *field;
	const char *params[2];
	char id[24], loc[80];
	enum res r;

	if (form_get(req, &field_field, &field) != NULL)
		return R_BAD_INPUT;
	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	params[0] = id;
	params[1] = field;
	if ((r = db_run(&st_wl_reset, params)) != R_SUCCESS)
		return r;
	{
		json_t *d = json_pack("{s:s}", "field", field);
		r = audit_log(req, req->tenant->id, "branding.reset", NULL, d);
		json_decref(d);
	}
	if (r != R_SUCCESS)
		return r;
	snprintf(loc, sizeof(loc), "/t/%lld/settings?done=reset", req->tenant->id);
	return http_redirect(req, loc);
}

