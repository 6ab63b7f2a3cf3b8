/* outbox.c - render an email from templates and queue it in mail_outbox. */
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "view.h"

#define OUTBOX_MAX_ADDR 320
#define OUTBOX_MAX_SUBJECT 200

DB_STMT(st_outbox_brand_tenant, 1, "SELECT tenant_id, page_title, footer FROM brand_for_tenant($1::bigint)");
DB_STMT(st_outbox_brand_host, 1, "SELECT tenant_id, page_title, footer FROM brand_for_host($1)");
DB_STMT(st_outbox_insert, 5,
        "INSERT INTO mail_outbox (tenant_id, root_id, to_addr, subject, body_text, body_html)"
        " SELECT $1::bigint, (SELECT root_id FROM tenants WHERE id = $1::bigint), $2, $3, $4, $5");

/* The effective brand as a new object; the portal default when the
 * database has no answer. */
static json_t *brand_for(struct req *req, long long tenant_id)
{
	char tid[24];
	const char *params[1];
	PGresult *res;
	json_t *b;
	enum res r;

	snprintf(tid, sizeof(tid), "%lld", tenant_id);
	params[0] = tenant_id > 0 ? tid : req->host;
	res = db_exec(tenant_id > 0 ? &st_outbox_brand_tenant : &st_outbox_brand_host, params, &r);
	if (res == NULL || PQntuples(res) != 1) {
		PQclear(res);
		return json_pack("{s:s, s:s, s:n}", "page_title", "MSSP Portal", "footer", "MSSP Portal", "tenant_id");
	}
	b = json_pack("{s:s, s:s}", "page_title", PQgetvalue(res, 0, 1), "footer", PQgetvalue(res, 0, 2));
	json_object_set_new(b, "tenant_id",
	                    PQgetisnull(res, 0, 0) ? json_null() : json_integer(atoll(PQgetvalue(res, 0, 0))));
	PQclear(res);
	return b;
}

/* A plausible single address: no controls, no spaces, one "@". */
static int addr_ok(const char *to)
{
	const char *at;
	size_t n = strlen(to);

	if (n < 3 || n > OUTBOX_MAX_ADDR)
		return 0;
	for (const char *p = to; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == ',')
			return 0;
	at = strchr(to, '@');
	return at != NULL && at != to && at[1] != '\0' && strchr(at + 1, '@') == NULL;
}

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

enum res outbox_queue(struct req *req, long long tenant_id, const char *to, const char *name, json_t *model)
{
	struct buf subject = BUF_INIT, text = BUF_INIT, html = BUF_INIT;
	char tid[24];
	const char *params[5];
	enum res r;

	if (to == NULL || !addr_ok(to) || name == NULL || model == NULL)
		return R_BAD_INPUT;
	if (json_object_get(model, "brand") == NULL)
		json_object_set_new(model, "brand", brand_for(req, tenant_id));
	if (json_object_get(model, "base_url") == NULL)
		json_object_set_new(model, "base_url", json_string(config_get()->base_url));

	if ((r = render_part(name, "subject", model, &subject)) != R_SUCCESS ||
	    (r = render_part(name, "text", model, &text)) != R_SUCCESS ||
	    (r = render_part(name, "html", model, &html)) != R_SUCCESS)
		goto out;
	subject_line(subject.data);
	if (subject.data[0] == '\0') {
		log_err("email %s renders an empty subject", name);
		r = R_INTERNAL;
		goto out;
	}
	snprintf(tid, sizeof(tid), "%lld", tenant_id);
	params[0] = tenant_id > 0 ? tid : NULL;
	params[1] = to;
	params[2] = subject.data;
	params[3] = text.data;
	params[4] = html.data;
	r = db_run(&st_outbox_insert, params);
out:
	buf_free(&subject);
	buf_free(&text);
	buf_free(&html);
	return r;
}
