/* view.c - common view model and rendering. */
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "session.h"

static struct mus_set *templates;

DB_STMT(st_bell, 0,
        "SELECT id, title, link, to_char(created_at, 'YYYY-MM-DD HH24:MI') FROM notifications"
        " WHERE read_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 5");
DB_STMT(st_brand_host, 1, "SELECT tenant_id, page_title, footer FROM brand_for_host($1)");

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
	return json_pack("{s:s, s:s, s:n}", "page_title", "MSSP Portal", "footer", "MSSP Portal", "tenant_id");
}

static json_t *load_brand(struct req *req)
{
	const char *params[1] = {req->host};
	PGresult *res;
	json_t *b;
	enum res r;

	res = db_exec(&st_brand_host, params, &r);
	if (res == NULL || PQntuples(res) != 1) {
		PQclear(res);
		return default_brand();
	}
	b = json_pack("{s:s, s:s}", "page_title", PQgetvalue(res, 0, 1), "footer", PQgetvalue(res, 0, 2));
	json_object_set_new(b, "tenant_id",
	                    PQgetisnull(res, 0, 0) ? json_null() : json_integer(atoll(PQgetvalue(res, 0, 0))));
	PQclear(res);
	return b;
}

/* The bell's dropdown: the newest unread notifications (RLS: your own). */
static json_t *bell(struct req *req)
{
	json_t *b = json_pack("{s:I, s:[]}", "unread", (json_int_t)req->sess->unread, "items");
	PGresult *res;
	enum res r;
	int i;

	res = db_exec(&st_bell, NULL, &r);
	for (i = 0; res != NULL && i < PQntuples(res); i++)
		json_array_append_new(json_object_get(b, "items"),
		                      json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)),
		                                "title", PQgetvalue(res, i, 1), "link", PQgetvalue(res, i, 2), "at",
		                                PQgetvalue(res, i, 3)));
	PQclear(res);
	return b;
}

void view_common(struct req *req)
{
	json_t *m = view_model(req);

	if (json_object_get(m, "brand") == NULL)
		json_object_set_new(m, "brand", req->status == 503 ? default_brand() : load_brand(req));
	if (req->sess != NULL) {
		json_object_set_new(m, "user", json_pack("{s:I, s:s, s:s}", "id", (json_int_t)req->sess->user_id,
		                                         "name", req->sess->name, "email", req->sess->email));
		json_object_set_new(m, "csrf", json_string(req->sess->csrf));
		if (req->sess->unread > 0 && json_object_get(m, "bell") == NULL)
			json_object_set_new(m, "bell", bell(req));
	}
}

enum res view_render_named(const char *name, json_t *model, struct buf *out, struct mus_error *err)
{
	memset(err, 0, sizeof(*err));
	if (templates == NULL)
		return R_INTERNAL;
	return mus_render(templates, name, model, out, err);
}

enum res view_render(struct req *req, struct buf *out, struct mus_error *err)
{
	memset(err, 0, sizeof(*err));
	if (templates == NULL) {
		snprintf(err->msg, sizeof(err->msg), "templates not loaded");
		return R_INTERNAL;
	}
	view_common(req);
	return mus_render(templates, req->template, req->model, out, err);
}
