/* settings.c - a tenant's settings page (/t/{id}/settings): its white
 * labelling as it is in effect, where each value comes from (set here,
 * inherited, the portal's default) and the state of its portal host. The
 * white-labelling model is built here for the branding form too
 * (settings_branding.c). */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "brand.h"
#include "db.h"
#include "pages.h"
#include "view.h"

#define TS_UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

DB_STMT(st_wl_brand, 1, "SELECT " BRAND_COLUMNS " FROM brand_for_tenant($1::bigint)");
/* The tenant's own host claim: name, token, and when and how verified. */
DB_STMT(st_wl_own_host, 1,
        "SELECT host, host_token, " TS_UTC("host_verified_at") ", host_verified_by, " TS_UTC("host_claimed_at")
        " FROM branding WHERE tenant_id = $1::bigint");

const char *const settings_wl_fields[] = {"page_title", "footer", "host", "logo_light", "logo_dark", NULL};

/* "set here" / "inherited from X" / "portal default" for a source object. */
static json_t *source_label(const struct tenant_ctx *t, json_t *src)
{
	char msg[200];
	json_int_t id = json_integer_value(json_object_get(src, "tenant_id"));

	if (json_is_null(src) || src == NULL)
		return json_string("portal default");
	if (id == t->id)
		return json_string("set here");
	snprintf(msg, sizeof(msg), "inherited from %s", json_string_value(json_object_get(src, "name")));
	return json_string(msg);
}

/* The state of the tenant's own host claim (a row of st_wl_own_host) into
 * h: "verified" (verified_at, verified_by: dns or operator) or "pending"
 * (the TXT record to create: txt_name, txt_value). */
static void host_state(json_t *h, PGresult *res)
{
	const char *host = PQgetvalue(res, 0, 0);
	char name[300], value[100];

	json_object_set_new(h, "claimed_at", json_string(PQgetvalue(res, 0, 4)));
	if (!PQgetisnull(res, 0, 2)) {
		const char *by = PQgetvalue(res, 0, 3);
		json_object_set_new(h, "state", json_string("verified"));
		json_object_set_new(h, "verified", json_true());
		json_object_set_new(h, "verified_at", json_string(PQgetvalue(res, 0, 2)));
		json_object_set_new(h, "verified_by", json_string(by));
		json_object_set_new(h, "verified_how", json_string(strcmp(by, "dns") == 0 ? "by its DNS TXT record"
		                                                                          : "by the portal's operator"));
		return;
	}
	snprintf(name, sizeof(name), BRANDING_VERIFY_PREFIX "%s", host);
	snprintf(value, sizeof(value), BRANDING_VERIFY_VALUE "%s", PQgetvalue(res, 0, 1));
	json_object_set_new(h, "state", json_string("pending"));
	json_object_set_new(h, "pending", json_true());
	json_object_set_new(h, "txt_name", json_string(name));
	json_object_set_new(h, "txt_value", json_string(value));
}

PGresult *settings_host_claim(const char *id, enum res *r)
{
	const char *params[1] = {id};

	return db_exec(&st_wl_own_host, params, r);
}

enum res settings_wl(struct req *req, json_t **out)
{
	const struct tenant_ctx *t = req->tenant;
	char id[24];
	const char *params[1] = {id};
	PGresult *res;
	json_t *b, *src, *wl;
	enum res r;
	static const char *const f[] = {"page_title", "footer", "logo_light", "logo_dark"};

	snprintf(id, sizeof(id), "%lld", t->id);
	res = db_exec(&st_wl_brand, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return R_INTERNAL;
	}
	b = brand_from_row(res, 0, 1);
	PQclear(res);
	src = json_object_get(b, "sources");
	wl = json_object();
	for (int i = 0; i < 4; i++) {
		json_t *s = json_object_get(src, f[i]);
		int here = s != NULL && !json_is_null(s) && json_integer_value(json_object_get(s, "tenant_id")) == t->id;
		json_object_set_new(wl, f[i], json_pack("{s:O, s:o, s:b}", "value", json_object_get(b, f[i]), "source",
		                                        source_label(t, s), "set_here", here));
	}
	json_object_set(json_object_get(wl, "footer"), "html", json_object_get(b, "footer_html"));
	res = settings_host_claim(id, &r);
	if (res == NULL) {
		json_decref(b);
		json_decref(wl);
		return r;
	}
	{
		int own = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0);
		json_t *h = json_pack("{s:o, s:O, s:b, s:s}", "value", own ? json_string(PQgetvalue(res, 0, 0)) : json_null(),
		                      "effective", json_object_get(b, "host"), "set_here", own, "source",
		                      own ? "set here" : "not set");
		if (own)
			host_state(h, res);
		json_object_set_new(wl, "host", h);
	}
	PQclear(res);
	json_decref(b);
	{
		int any = 0;
		for (int i = 0; settings_wl_fields[i] != NULL; i++)
			any |= json_is_true(json_object_get(json_object_get(wl, settings_wl_fields[i]), "set_here"));
		json_object_set_new(wl, "any_set_here", json_boolean(any));
	}
	*out = wl;
	return R_SUCCESS;
}

static const char *notice_for(const char *done)
{
	if (done == NULL)
		return NULL;
	if (strcmp(done, "branding") == 0)
		return "White labelling saved.";
	if (strcmp(done, "reset") == 0)
		return "The field was reset: it inherits again.";
	if (strcmp(done, "host_verified") == 0)
		return "The portal host name is verified: it now shows your brand.";
	return NULL;
}

enum res page_settings(struct req *req)
{
	json_t *wl, *m = view_model(req);
	const char *notice = notice_for(http_query(req, "done"));
	enum res r;

	if ((r = settings_wl(req, &wl)) != R_SUCCESS)
		return r;
	json_object_set_new(m, "wl", wl);
	json_object_set_new(m, "page_title", json_string("Settings"));
	if (notice != NULL)
		json_object_set_new(m, "notice", json_string(notice));
	req->template = "settings";
	return R_SUCCESS;
}
