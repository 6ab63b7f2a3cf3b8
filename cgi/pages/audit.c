/* audit.c - the audit log of a tenant: filters, pages, CSV export. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authz.h"
#include "db.h"
#include "pages.h"
#include "view.h"

#define AUDIT_PAGE 50
#define AUDIT_EXPORT_MAX 10000

DB_STMT(st_audit_entries, 8,
        "SELECT id, to_char(at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), tenant_id, tenant_name, user_email, action,"
        " target, ip, details, total"
        " FROM audit_entries($1::bigint, $2, $3, $4::date, $5::date + 1, $6::int, $7::int, $8)");

struct audit_filter {
	const char *user, *action, *from, *to, *tenant; /* NULL when not given */
	long page;
	json_t *errors;                        /* field -> message */
};

static int is_date(const char *s)
{
	int i;

	if (strlen(s) != 10)
		return 0;
	for (i = 0; i < 10; i++)
		if ((i == 4 || i == 7) ? s[i] != '-' : !isdigit((unsigned char)s[i]))
			return 0;
	return atoi(s + 5) >= 1 && atoi(s + 5) <= 12 && atoi(s + 8) >= 1 && atoi(s + 8) <= 31;
}

static const char *opt(struct req *req, const char *name)
{
	const char *v = http_query(req, name);
	return (v != NULL && *v != '\0') ? v : NULL;
}

/* Read and validate the filters; invalid ones are dropped with a message. */
static void read_filter(struct req *req, struct audit_filter *f)
{
	f->errors = json_object();
	f->user = opt(req, "user");
	f->action = opt(req, "action");
	f->from = opt(req, "from");
	f->to = opt(req, "to");
	f->tenant = opt(req, "tenant");
	f->page = http_page(req);
	if (f->user && strlen(f->user) > 320) {
		json_object_set_new(f->errors, "user", json_string("At most 320 characters."));
		f->user = NULL;
	}
	if (f->tenant && strlen(f->tenant) > 120) {
		json_object_set_new(f->errors, "tenant", json_string("At most 120 characters."));
		f->tenant = NULL;
	}
	if (f->action && strlen(f->action) > 64) {
		json_object_set_new(f->errors, "action", json_string("At most 64 characters."));
		f->action = NULL;
	}
	if (f->from && !is_date(f->from)) {
		json_object_set_new(f->errors, "from", json_string("Use a date like 2026-01-31."));
		f->from = NULL;
	}
	if (f->to && !is_date(f->to)) {
		json_object_set_new(f->errors, "to", json_string("Use a date like 2026-01-31."));
		f->to = NULL;
	}
}

static PGresult *query(struct req *req, const struct audit_filter *f, int limit, long offset, enum res *r)
{
	char tid[24], lim[16], off[24];
	const char *params[8];

	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	snprintf(lim, sizeof(lim), "%d", limit);
	snprintf(off, sizeof(off), "%ld", offset);
	params[0] = tid;
	params[1] = f->user;
	params[2] = f->action;
	params[3] = f->from;
	params[4] = f->to;
	params[5] = lim;
	params[6] = off;
	params[7] = f->tenant;
	return db_exec(&st_audit_entries, params, r);
}

enum res page_audit(struct req *req)
{
	json_t *m = view_model(req), *rows, *filter;
	struct audit_filter f;
	PGresult *res;
	enum res r;
	long total = 0, pages;
	int i;

	read_filter(req, &f);
	req->template = "audit";
	res = query(req, &f, AUDIT_PAGE, (f.page - 1) * AUDIT_PAGE, &r);
	if (res == NULL) {
		json_decref(f.errors);
		return r;
	}
	rows = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		json_t *row = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)atoll(PQgetvalue(res, i, 0)), "at",
		                        PQgetvalue(res, i, 1), "action", PQgetvalue(res, i, 5), "ip", PQgetvalue(res, i, 7));
		json_object_set_new(row, "tenant", json_string(PQgetvalue(res, i, 3)));
		json_object_set_new(row, "user", json_string(PQgetvalue(res, i, 4)));
		json_object_set_new(row, "target", json_string(PQgetvalue(res, i, 6)));
		json_object_set_new(row, "details", json_string(PQgetvalue(res, i, 8)));
		json_array_append_new(rows, row);
		total = atol(PQgetvalue(res, i, 9));
	}
	PQclear(res);
	pages = total ? (total + AUDIT_PAGE - 1) / AUDIT_PAGE : 1;
	filter = json_pack("{s:s, s:s, s:s, s:s, s:s}", "user", f.user ? f.user : "", "action",
	                   f.action ? f.action : "", "from", f.from ? f.from : "", "to", f.to ? f.to : "", "tenant",
	                   f.tenant ? f.tenant : "");
	json_object_set_new(m, "filter", filter);
	json_object_set_new(m, "errors", f.errors);
	json_object_set_new(m, "entries", rows);
	json_object_set_new(m, "total", json_integer(total));
	view_pages(m, f.page, pages);
	{
		/* The current filters as a query string for the page and export links. */
		struct buf qs = BUF_INIT;
		const char *names[5] = {"user", "action", "from", "to", "tenant"};
		const char *vals[5] = {f.user, f.action, f.from, f.to, f.tenant};
		for (int k = 0; k < 5; k++) {
			if (vals[k] == NULL)
				continue;
			buf_printf(&qs, "&%s=", names[k]);
			http_url_encode(&qs, vals[k]);
		}
		json_object_set_new(m, "filter_qs", json_string(qs.data ? qs.data : ""));
		buf_free(&qs);
	}
	json_object_set_new(m, "page_title", json_string("Audit log"));
	return R_SUCCESS;
}

enum res page_audit_export(struct req *req)
{
	struct audit_filter f;
	PGresult *res;
	enum res r;
	int i, c;

	read_filter(req, &f);
	json_decref(f.errors);
	res = query(req, &f, AUDIT_EXPORT_MAX, 0, &r);
	if (res == NULL)
		return r;
	buf_puts(&req->body, "time,tenant,user,action,target,ip,details\r\n");
	for (i = 0; i < PQntuples(res); i++) {
		static const int cols[] = {1, 3, 4, 5, 6, 7, 8};
		for (c = 0; c < 7; c++) {
			if (c)
				buf_putc(&req->body, ',');
			buf_csv(&req->body, PQgetvalue(res, i, cols[c]));
		}
		buf_puts(&req->body, "\r\n");
	}
	PQclear(res);
	if (!buf_ok(&req->body))
		return R_INTERNAL;
	req->body_type = "text/csv; charset=utf-8";
	view_attachment(req, "audit-log", "csv");
	return R_SUCCESS;
}
