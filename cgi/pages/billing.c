/* billing.c - the Billing page (docs/billing.md): the statement of a month
 * for an MSSP's Admins (a standalone MSP's Owners), its tier arithmetic,
 * who drives the cost, the daily counts, and the CSV. The figures are
 * computed off the request path (billing_run(), in the reporter) and read
 * here as stored: the page's cost does not grow with the days or assets
 * counted. The rules are in sql/functions/billing. */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "db.h"
#include "pages.h"
#include "view.h"

DB_STMT(st_billing_page, 6,
        "SELECT billing_page($1::bigint, $2, $3, $4::boolean, $5::int, $6::bigint, 25)::text");
DB_STMT(st_billing_export, 2,
        "SELECT section, part_from, part_to, tenant_id, tenant, msp, metric, quantity, tier, unit_price, amount, note"
        " FROM billing_export($1::bigint, $2)");

/* See pages.h. */
int billing_viewer(const struct req *req)
{
	const struct tenant_ctx *t = req->tenant;

	return t != NULL && t->parent_id == 0 && authz_can(t->role, PERM_BILLING, t->kind);
}

/* The month asked for ("YYYY-MM") or NULL (the latest). */
static const char *month_arg(struct req *req)
{
	const char *m = http_query(req, "month");

	return m != NULL && strlen(m) == 7 && m[4] == '-' && strspn(m, "0123456789-") == 7 ? m : NULL;
}

/* GET /t/{id}/billing[?month=&sort=&dir=&page=&msp=] */
enum res page_billing(struct req *req)
{
	static const char *const sorts[] = {"amount", "name", "agents", "probes", "gateways", NULL};
	static const char *const dirs[] = {"desc", "asc", NULL};
	const char *sort = http_choice(http_query(req, "sort"), sorts, "amount");
	const char *dir = http_choice(http_query(req, "dir"), dirs,
	                              strcmp(sort, "name") == 0 ? "asc" : "desc");
	const char *msp = http_query(req, "msp");
	char id[24], pg[24];
	const char *params[6] = {id, month_arg(req), sort, strcmp(dir, "desc") == 0 ? "true" : "false", pg,
	                         http_is_id(msp) ? msp : "0"};
	const struct tenant_ctx *t = req->tenant;
	json_t *m = view_model(req), *v = NULL;
	struct page_cache_entry *c = NULL;
	struct buf key = BUF_INIT;
	enum res r = R_SUCCESS;

	snprintf(id, sizeof(id), "%lld", t->id);
	snprintf(pg, sizeof(pg), "%ld", http_page(req));
	/* The worker's page cache (page_cache.c): every change the page shows
	 * bumps the account's tenant_stats.version (billing_run(),
	 * billing_adjust(), billing_assign(), billing_book_save(), a tenant
	 * renamed or archived), and the key holds what the viewer may see. */
	if (t->version >= 0 && t->scope != NULL)
		buf_printf(&key, "billing\x1f%lld\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s", t->id, params[1] ? params[1] : "",
		           sort, dir, pg, params[5], t->scope);
	if (buf_ok(&key) && key.data && (c = page_cache_get(req, key.data, 0)) != NULL)
		v = json_incref(c->frag);
	if (v == NULL && (v = list_read_json(&st_billing_page, params, &r)) != NULL && buf_ok(&key) && key.data)
		page_cache_put(req, key.data, 0, v);
	buf_free(&key);
	if (v == NULL)
		return r; /* not the viewer's to see: 404, as for a tenant they cannot open */
	json_object_set_new(m, "billing", v);
	json_object_set_new(m, "page_title", json_string("Billing"));
	json_object_set_new(m, "dir_flip", json_string(strcmp(dir, "desc") == 0 ? "asc" : "desc"));
	req->template = "billing";
	return R_SUCCESS;
}

/* GET /t/{id}/billing/export[?month=YYYY-MM]: the statement's lines and
 * its breakdown as CSV (billing_export(); without a month, the latest),
 * named after the brand; 404 when there is no such statement. */
enum res page_billing_export(struct req *req)
{
	static const char *const head[] = {"section", "from",     "to",         "tenant_id", "tenant", "msp",
	                                   "metric",  "quantity", "tier",       "unit_price", "amount", "note"};
	const char *month = month_arg(req);
	char id[24], what[32];
	const char *params[2] = {id, month};
	struct buf *b = &req->body;
	PGresult *res;
	enum res r;
	int i, k;

	snprintf(id, sizeof(id), "%lld", req->tenant->id);
	res = db_exec(&st_billing_export, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return R_NOT_FOUND;
	}
	snprintf(what, sizeof(what), "billing-%.7s", PQgetvalue(res, 0, 1)); /* YYYY-MM of the month's lines */
	for (k = 0; k < 12; k++) {
		buf_csv(b, head[k]);
		buf_puts(b, k < 11 ? "," : "\r\n");
	}
	for (i = 0; i < PQntuples(res); i++)
		for (k = 0; k < 12; k++) {
			buf_csv(b, PQgetvalue(res, i, k));
			buf_puts(b, k < 11 ? "," : "\r\n");
		}
	PQclear(res);
	if (!buf_ok(b))
		return R_INTERNAL;
	req->body_type = "text/csv; charset=utf-8";
	view_attachment(req, what, "csv");
	return R_SUCCESS;
}
