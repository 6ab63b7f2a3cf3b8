/* pages.h - handlers of every page, one file per feature area. */
#ifndef PAGES_H
#define PAGES_H

#include <libpq-fe.h>
#include <time.h>

#include "authz.h"
#include "form.h"
#include "http.h"

/* health.c */
enum res page_healthz(struct req *req);
enum res page_metrics(struct req *req);
/* auth.c */
enum res page_login_form(struct req *req);
enum res page_login(struct req *req);
enum res page_login_link_form(struct req *req);
enum res page_login_link(struct req *req);
enum res page_login_link_open(struct req *req);
enum res page_login_link_use(struct req *req);
enum res page_logout(struct req *req);
/* account.c */
enum res page_forgot_form(struct req *req);
enum res page_forgot(struct req *req);
/* Ask the database for a link ("reset" or "signin") for email's account and
 * queue its email (account.c); the same outcome whether or not the account
 * exists. */
enum res account_link_request(struct req *req, const char *purpose, const char *email);
/* The token of a reset or sign-in link from the path ({token}), or NULL
 * when it is not 64 hex characters (account.c). */
const char *account_link_token(struct req *req);
/* "j***@example.com" (an arena string): enough for a person to know which
 * of their addresses a link is for, not enough to learn someone's
 * (account.c). */
const char *account_mask_email(struct req *req, const char *email);
/* The email field of sign-in, a sign-in link and a reset (account.c). */
extern const struct form_field account_email_field;
enum res page_reset_form(struct req *req);
enum res page_reset(struct req *req);
enum res page_password_form(struct req *req);
enum res page_account_activity(struct req *req);
enum res page_password(struct req *req);
/* tenants.c */
enum res page_tenants(struct req *req);
/* A tenant row (id, name, kind in columns 0-2) as a new JSON object. */
json_t *tenant_row(PGresult *res, int i);
/* Add the is_mssp / is_msp / is_company flags the templates test to a
 * tenant object with a "kind". */
void tenant_kind_flags(json_t *row);
/* list.c */
struct db_stmt;
/* A list's cursor from the query parameter name: a row id, or NULL (the
 * first page). Points into the request. */
const char *list_cursor(struct req *req, const char *name);
/* Run a list reader st (no row for a tenant the viewer may not see; else
 * the page's total and cursors as JSON in the first row's first column,
 * and a row for each line, its columns named as the line's keys: one row
 * of NULLs for an empty page) and move its page into the model m: the
 * rows under key (bigint and integer columns numbers, boolean true or
 * false, text strings, a NULL one left out; any other type, or a first
 * column not named meta, is R_INTERNAL), "total", "total_more", "next",
 * "prev". */
enum res list_into(struct db_stmt *st, const char *const *params, json_t *m, const char *key);
/* The JSON of a one-value read (a statement answering one JSON text, NULL
 * for what the viewer may not see): a new value, or NULL with *r set
 * (R_NOT_FOUND for NULL). */
json_t *list_read_json(struct db_stmt *st, const char *const *params, enum res *r);
/* analytics.c */
enum res page_analytics(struct req *req);
/* sla.c */
enum res page_sla(struct req *req);
/* reports.c */
enum res page_report(struct req *req);
enum res page_report_export(struct req *req);
/* The previous calendar month (UTC), a report's default period. */
void report_last_month(char from[11], char to[11]);
/* Check a period (in: from, to, YYYY-MM-DD) against a report's limits (real
 * days from 2000 to tomorrow, to on or after from, at most 366 days):
 * values gets what was given, errors a message per refused field. */
void report_period_check(const char *const in[2], json_t *values, json_t *errors);
/* reports_jobs.c: the Reports page, asking for a report, the retention,
 * a report's file. */
enum res page_reports(struct req *req);
enum res page_report_request(struct req *req);
enum res page_report_retention(struct req *req);
enum res page_report_file(struct req *req);
enum res page_report_schedule_create(struct req *req);
enum res page_report_schedule_delete(struct req *req);
enum res page_report_link(struct req *req);
/* The texts people read beside a report_document()'s figures (durations,
 * compliance, changes, the coverage rows, the bars). */
void report_decorate(json_t *rep);
/* For the rest of the request's transaction, a statement may take up to
 * seconds (statement_timeout, SET LOCAL): a report's figures, which a
 * page waits PORTAL_REPORT_WAIT for and the reporter
 * REPORTER_STATEMENT_TIMEOUT. */
enum res report_wait(int seconds);
/* Every table of a decorated report as CSV, a figure a line (table, row,
 * figure, value), appended to b. */
struct buf;
void report_csv(json_t *rep, struct buf *b);
/* reports_pdf.c: a decorated report (borrowed) as a PDF printed by c, a
 * running browser: the consolidated kind (a contents page, two passes) or
 * not, on paper "a4" or "letter", its files made in dir (private to the
 * caller). 0 and *pdf (malloc'd, the caller frees it), or -1 with err. */
struct cdp;
int report_pdf(struct cdp *c, json_t *rep, int kind, const char *paper, const char *dir,
               unsigned char **pdf, size_t *len, char *err, size_t errlen);
/* The kind of a decorated report: NULL (a company's executive report,
 * else the consolidated one), "executive" (a tenant's own figures: the
 * customers' ranking is dropped), "consolidated" (an MSP or MSSP only) or
 * "billing" (a month's statement, billing_document()). REPORT_EXECUTIVE,
 * REPORT_CONSOLIDATED, REPORT_BILLING, or -1 with err set. */
enum { REPORT_EXECUTIVE, REPORT_CONSOLIDATED, REPORT_BILLING };
int report_kind(json_t *rep, const char *kind, char *err, size_t errlen);
/* What a report of kind ("executive", "consolidated", "billing") is
 * called: "Executive report", ... (static). */
const char *report_kind_title(const char *kind);
/* 1 if the request's viewer may see the tenant's billing statements (its
 * Billing page and billing reports: billing_may_see()'s first answer). */
int billing_viewer(const struct req *req);
/* ctl report: the report of tenant (an id) over from..to (YYYY-MM-DD) as
 * the operator sees it (the tenant's whole subtree), of kind (NULL: as
 * report_kind()) on paper (NULL: a4), written to path (.pdf: printed by a
 * browser of its own; .json: the decorated figures; .csv: report_csv()).
 * 0, or -1 with err set. Connects with db_init()'s connection. */
struct report_request {
	const char *tenant, *from, *to, *kind, *paper, *path;
};
int report_file(const struct report_request *q, char *err, size_t errlen);
enum res page_sla_targets(struct req *req);
enum res page_sla_reset(struct req *req);
/* theme.c */
enum res page_theme(struct req *req);
/* billing.c */
enum res page_billing(struct req *req);
enum res page_billing_export(struct req *req);

/* threats.c */
enum res page_threats(struct req *req);
enum res page_threat_latest(struct req *req);
/* findings.c */
enum res page_vulnerabilities(struct req *req);
enum res page_assets(struct req *req);
/* incidents.c */
enum res page_incidents(struct req *req);
enum res page_incident(struct req *req);
enum res page_incident_ack(struct req *req);
enum res page_incident_resolve(struct req *req);
/* dashboard.c */
enum res page_tenant(struct req *req);
/* The kept dashboards (docs/dashboards.md, "Kept on write") a request
 * left stale, rebuilt by dashboard_docs_refresh() once it has answered
 * (the worker's loop, after FCGX_Finish_r), each in a transaction of its
 * own: those an ingest batch through a key of key_tenant may have made
 * stale (dashboard_docs_stale()), which its transaction does not build so
 * as not to hold the tree's rollups while it does; and one the page
 * computed because it was stale (its dashboard said "stale"). Nothing
 * when the request left none. */
void dashboard_docs_after_ingest(long long key_tenant);
void dashboard_docs_refresh(void);
/* dashboard_charts.c: the charts' geometry as model parts (new objects).
 * The 30-day trend from dashboard_overview's "trend"; the inventory donut
 * of probes, agents, gateways, discovered, external; the severity bars of
 * critical, high, medium, low; a tile's change against the previous period. */
#define INVENTORY_KINDS 5
json_t *trend_model(const json_t *in);
json_t *inventory_donut(const long long v[INVENTORY_KINDS]);
json_t *tile_delta(long long now, long long before, const char *unit, const char *vs, int up_is_bad);
json_t *severity_bars(const long long v[4]);
enum res page_tenant_export(struct req *req);
/* page_cache.c: the worker's validated page cache (the dashboards, the incident list, the
 * Billing page). An entry: */
struct page_cache_entry {
	char *key;          /* malloc'd; NULL: a free slot */
	long long version;  /* tenant_stats.version when it was made */
	unsigned long long epoch; /* sess_data_epoch() of the tenant before it was read (lag: sess_lag_epoch()) */
	int lag;            /* it may show the ingest feed late: until valid_until, whatever its version */
	long long hour;     /* UTC hour (epoch) */
	time_t valid_until; /* 0, or when something it shows lapses */
	json_t *frag;       /* the page's model keys, from malloc (jalloc.h): one reference owned */
	char *html;         /* malloc'd: markup its page rendered from it, or NULL */
	size_t html_len;
	unsigned long used; /* LRU clock */
};
/* The fresh entry for key, whose stamps match the request's tenant's
 * (owned by the cache; valid until the next page_cache_put), or NULL. A
 * hit sets req->page_cached (the request log's "page=cached"). Call it
 * before reading the page: it notes the tenant's data epoch then
 * (req->page_epoch), which page_cache_put() stamps. With lag (a page that
 * may show the ingest feed late, PORTAL_DASHBOARD_LAG), the epoch is the
 * tenant's lag epoch (sess_lag_epoch()), which an ingest batch leaves,
 * and the version is not compared: the page must give page_cache_put() a
 * valid_until no later than the lag allows. A key is always asked with
 * the same lag. */
struct page_cache_entry *page_cache_get(struct req *req, const char *key, int lag);
/* Store a copy of frag (made from malloc: the entry outlives the
 * request's jansson values, jalloc.h) under key, stamped with the
 * request's tenant's version and hour and the epoch page_cache_get() noted
 * (and its lag),
 * in its slot or the least recently used one; the entry (owned by the
 * cache), or NULL when the cache is off or out of memory. */
struct page_cache_entry *page_cache_put(struct req *req, const char *key, time_t valid_until, json_t *frag);
/* After the page has answered: share the page this request computed
 * for a key it claimed in the master's store (page_share.h), with the
 * markup its entry kept by then, or give up the claim: always when req
 * read from the replica (a worker may read a page there from before a
 * change another worker has heard of; its own entry goes when it hears
 * of the change itself, db.c). */
void page_cache_publish(const struct req *req);
/* Drop the worker's page cache (worker exit). */
void page_cache_free(void);
/* team.c */
enum res page_team(struct req *req);
enum res page_team_invite(struct req *req);
enum res page_team_role(struct req *req);
enum res page_team_status(struct req *req);
enum res page_team_remove(struct req *req);
enum res page_team_assign(struct req *req);
enum res page_team_unassign(struct req *req);
enum res page_team_membership(struct req *req);
/* Redirect to the team page with its notice ?done=done. */
enum res team_back(struct req *req, const char *done);
/* The team page with an error message and status (a refused action). */
enum res team_error(struct req *req, enum res outcome, const char *msg);
/* invitations.c */
struct tenant_ctx;
/* 1 if the signed-in user may grant role r on tenant t (and so manage the
 * members and invitations with that role). */
int team_can_grant(const struct tenant_ctx *t, enum role r);
#define TEAM_INVITE_DAYS 7 /* an invitation's link works this long */
/* Add the tenant's pending invitations to the team page's model m. */
enum res team_invitations_into(struct req *req, json_t *m);
/* Take one invitation mail to email from the tenant's and the address's
 * limits: R_TOO_MANY with *why (static) saying which, else the outcome. */
enum res team_invite_limits(struct req *req, const char *email, const char **why);
/* Queue the invitation mail to email (invited as name, with role) with
 * the link for token, in the tenant's brand. */
enum res team_invite_mail(struct req *req, const char *email, const char *name, const char *role, const char *token);
/* invite.c */
enum res page_invite_form(struct req *req);
enum res page_invite_accept(struct req *req);
/* team_invitations.c */
enum res page_team_invitation_revoke(struct req *req);
enum res page_team_invitation_resend(struct req *req);
/* memberships.c */
enum res page_account(struct req *req);
enum res page_account_leave(struct req *req);
enum res page_account_invitation_accept(struct req *req);
enum res page_account_invitation_decline(struct req *req);
/* onboarding.c */
enum res page_msps(struct req *req);
enum res page_msps_add(struct req *req);
enum res page_msps_cancel(struct req *req);
enum res page_msps_resend(struct req *req);
enum res page_requests(struct req *req);
enum res page_request(struct req *req);
enum res page_request_decide(struct req *req);
enum res page_request_link(struct req *req);
enum res page_request_by_id(struct req *req);
/* notifications.c */
enum res page_notifications(struct req *req);
enum res page_notification_read(struct req *req);
enum res page_notification_open(struct req *req);
enum res page_notifications_read_all(struct req *req);
/* children.c */
enum res page_child_create(struct req *req);
enum res page_tenant_rename(struct req *req);
enum res page_tenant_archive(struct req *req);
/* audit.c */
enum res page_audit(struct req *req);
enum res page_audit_export(struct req *req);
/* mail.c */
enum res page_mail(struct req *req);
enum res page_mail_retry(struct req *req);
/* home.c */
enum res page_home(struct req *req);
enum res page_start(struct req *req);
/* settings.c */
enum res page_settings(struct req *req);
/* The TXT record that proves a tenant controls its host name: its name is
 * BRANDING_VERIFY_PREFIX + host, its value BRANDING_VERIFY_VALUE + token. */
#define BRANDING_VERIFY_PREFIX "_mssp-portal-verify."
#define BRANDING_VERIFY_VALUE "mssp-portal-verify="
/* The branding fields a tenant sets, and resets, one by one (NULL-ended). */
extern const char *const settings_wl_fields[];
/* The tenant's white labelling as a new object in *out: each field's
 * effective value, its source and whether it is set here; the host claim. */
enum res settings_wl(struct req *req, json_t **out);
/* The tenant (id)'s own host claim: no row, or host, host_token,
 * verified_at, verified_by, claimed_at (UTC text; verified_at NULL while
 * pending). NULL with *r on failure; the caller clears it. */
PGresult *settings_host_claim(const char *id, enum res *r);
/* settings_branding.c */
enum res page_branding_form(struct req *req);
enum res page_branding_save(struct req *req);
enum res page_branding_reset(struct req *req);
enum res page_branding_verify(struct req *req);
/* logo.c */
enum res page_logo(struct req *req);
/* A logo's file name, "{id}-{sha12}.{ext}" (ext png, jpg or webp): 0 and
 * its id, the start of its hash and (ext not NULL) its extension, or -1. */
int logo_name_parse(const char *name, char id[24], char sha[13], const char **ext);
/* api_keys.c */
enum res page_api_keys(struct req *req);
enum res page_api_key_create(struct req *req);
enum res page_api_key_revoke(struct req *req);
/* ingest.c (ACCESS_API) */
enum res api_ingest_assets(struct req *req);
/* plans.c */
enum res api_device_config(struct req *req);
enum res page_plans(struct req *req);
enum res page_plan_create(struct req *req);
enum res page_plan_clone(struct req *req);
enum res page_plan(struct req *req);
enum res page_plan_share(struct req *req);
enum res page_plan_restore(struct req *req);
enum res page_plan_section(struct req *req);
enum res page_plan_section_save(struct req *req);
enum res page_config(struct req *req);
enum res page_config_section(struct req *req);
enum res page_config_section_save(struct req *req);
enum res page_config_revert(struct req *req);
enum res page_config_restore(struct req *req);
enum res api_ingest_vulnerabilities(struct req *req);
enum res api_ingest_incidents(struct req *req);

#endif
