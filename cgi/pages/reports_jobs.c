/* reports_jobs.c - the Reports page of a tenant (docs/reports.md, "Reports
 * page and jobs"): ask for a report as PDF (kind, period, paper), which the
 * reporter process makes off the request path; the reports asked for, with
 * who asked, when, their progress and their file; how long the tenant
 * keeps them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "authz.h"
#include "db.h"
#include "form.h"
#include "pages.h"
#include "session.h"
#include "view.h"

#define TS(col) "coalesce(to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), '')"
/* The reports the page lists, newest first. */
#define JOBS_SHOWN 100

DB_STMT(st_jobs, 2,
        "SELECT id, kind, paper, period_from::text, period_to::text, state, attempts, requested_by, mine, "
        TS("created_at") ", " TS("started_at") ", " TS("finished_at") ", " TS("next_try_at") ", coalesce(error, ''),"
        " coalesce(pdf_bytes, 0), " TS("expires_at") ", extract(epoch FROM coalesce(finished_at, now()) - created_at)::int,"
        " coalesce(cadence, ''), mails_sent, mails_queued, mails_failed"
        " FROM report_jobs_of($1::bigint, $2::int)");
DB_STMT(st_schedules, 1,
        "SELECT id, kind, paper, cadence, delivery, array_to_json(recipients)::text, created_by, " TS("next_run_at") ","
        " coalesce(last_state, ''), coalesce(last_from::text, ''), coalesce(last_to::text, '')"
        " FROM report_schedules_of($1::bigint)");
DB_STMT(st_schedule_save, 6, "SELECT report_schedule_save($1::bigint, $2, $3, $4, $5, $6::text[])");
DB_STMT(st_schedule_delete, 2, "SELECT kind, cadence FROM report_schedule_delete($1::bigint, $2::bigint)");
DB_STMT(st_link_file, 1, "SELECT pdf, kind, period_from::text, period_to::text FROM report_link_file($1)");
DB_STMT(st_retention, 1, "SELECT report_retention_days($1::bigint)");
DB_STMT(st_request, 5, "SELECT report_request($1::bigint, $2, $3, $4::date, $5::date)");
DB_STMT(st_retention_set, 2, "SELECT report_retention_set($1::bigint, $2::int)");
DB_STMT(st_file, 2,
        "SELECT pdf, kind, period_from::text, period_to::text FROM report_jobs"
        " WHERE id = $2::bigint AND tenant_id = $1::bigint AND state = 'done'");

static const char *const kinds[] = {"executive", "consolidated", "billing", NULL};
static const char *const papers[] = {"a4", "letter", NULL};
static const struct form_field request_fields[] = {
    {.name = "kind", .label = "Kind", .kind = FORM_CHOICE, .required = 1, .choices = kinds},
    {.name = "paper", .label = "Paper", .kind = FORM_CHOICE, .required = 1, .choices = papers},
};
static const char *const cadences[] = {"weekly", "monthly", NULL};
static const char *const deliveries[] = {"attachment", "link", NULL};
static const struct form_field schedule_fields[] = {
    {.name = "kind", .label = "Kind", .kind = FORM_CHOICE, .required = 1, .choices = kinds},
    {.name = "paper", .label = "Paper", .kind = FORM_CHOICE, .required = 1, .choices = papers},
    {.name = "cadence", .label = "Every", .kind = FORM_CHOICE, .required = 1, .choices = cadences},
    {.name = "delivery", .label = "Send", .kind = FORM_CHOICE, .required = 1, .choices = deliveries},
    {.name = "recipients", .label = "Recipients", .kind = FORM_TEXT, .required = 1, .min = 3, .max = 4000},
};
/* At most this many addresses on a schedule (report_schedules' check). */
#define RECIPIENTS_MAX 20
static const struct form_field retention_field = {
    .name = "days", .label = "Keep reports for", .kind = FORM_INT, .required = 1, .min = 1, .max = 3650};

/* A size in bytes as people read it. */
static json_t *size_text(long long n)
{
	char b[32];

	if (n >= 1024 * 1024)
		snprintf(b, sizeof(b), "%.1f MB", (double)n / (1024 * 1024));
	else
		snprintf(b, sizeof(b), "%lld kB", (n + 1023) / 1024);
	return json_string(b);
}

/* Which choices a form shows selected: {value: true} for each choice
 * field's value in values. */
static json_t *choices(json_t *values)
{
	static const char *const *const lists[] = {kinds, papers, cadences, deliveries};
	json_t *c = json_object();

	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		for (int i = 0; lists[l][i] != NULL; i++) {
			const char *fields[] = {"kind", "paper", "cadence", "delivery"};
			const char *v = json_string_value(json_object_get(values, fields[l]));
			if (v != NULL && strcmp(v, lists[l][i]) == 0)
				json_object_set_new(c, lists[l][i], json_true());
		}
	return c;
}

/* The tenant's schedules into the model (its admins'). */
static enum res load_schedules(struct req *req, const char *tid)
{
	const char *params[1] = {tid};
	json_t *list = json_array();
	PGresult *res;
	enum res r;

	if ((res = db_exec(&st_schedules, params, &r)) == NULL) {
		json_decref(list);
		return r;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		const char *kind = PQgetvalue(res, i, 1);
		json_t *row = json_pack(
		    "{s:I, s:s, s:s, s:s, s:s, s:b, s:o, s:s, s:s, s:s, s:s, s:s}", "id",
		    (json_int_t)atoll(PQgetvalue(res, i, 0)), "kind", kind, "kind_title", report_kind_title(kind), "paper",
		    strcmp(PQgetvalue(res, i, 2), "letter") == 0 ? "Letter" : "A4", "cadence", PQgetvalue(res, i, 3),
		    "attach", strcmp(PQgetvalue(res, i, 4), "attachment") == 0, "recipients",
		    json_loads(PQgetvalue(res, i, 5), 0, NULL), "created_by", PQgetvalue(res, i, 6), "next_run_at",
		    PQgetvalue(res, i, 7), "last_state", PQgetvalue(res, i, 8), "last_from", PQgetvalue(res, i, 9),
		    "last_to", PQgetvalue(res, i, 10));
		if (row != NULL)
			json_array_append_new(list, row);
	}
	PQclear(res);
	json_object_set_new(view_model(req), "schedules", list);
	return R_SUCCESS;
}

/* The page: the form (request: its values and errors, or defaults), the
 * reports and the retention. */
static enum res jobs_page(struct req *req)
{
	static const char *const states[] = {"queued", "running", "done", "failed", "expired"};
	json_t *m = view_model(req), *jobs = json_array();
	char tid[24], lim[16], b[32];
	const char *params[2] = {tid, lim};
	PGresult *res;
	enum res r;
	int pending = 0;

	req->template = "reports_jobs";
	json_object_set_new(m, "page_title", json_string("Reports"));
	json_object_set_new(m, "may_bill", json_boolean(billing_viewer(req)));
	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	snprintf(lim, sizeof(lim), "%d", JOBS_SHOWN);
	if ((res = db_exec(&st_jobs, params, &r)) == NULL) {
		json_decref(jobs);
		return r;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		const char *state = PQgetvalue(res, i, 5), *kind = PQgetvalue(res, i, 1);
		json_t *row = json_pack(
		    "{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "id",
		    (json_int_t)atoll(PQgetvalue(res, i, 0)), "kind", kind, "kind_title", report_kind_title(kind), "paper",
		    strcmp(PQgetvalue(res, i, 2), "letter") == 0 ? "Letter" : "A4", "from", PQgetvalue(res, i, 3), "to",
		    PQgetvalue(res, i, 4), "attempts", atoi(PQgetvalue(res, i, 6)), "requested_by", PQgetvalue(res, i, 7),
		    "mine", strcmp(PQgetvalue(res, i, 8), "t") == 0, "created_at", PQgetvalue(res, i, 9), "started_at",
		    PQgetvalue(res, i, 10), "finished_at", PQgetvalue(res, i, 11), "next_try_at", PQgetvalue(res, i, 12),
		    "error", PQgetvalue(res, i, 13), "expires_at", PQgetvalue(res, i, 15), "state", state);
		for (size_t k = 0; k < sizeof(states) / sizeof(states[0]); k++) {
			snprintf(b, sizeof(b), "is_%s", states[k]);
			json_object_set_new(row, b, json_boolean(strcmp(state, states[k]) == 0));
		}
		json_object_set_new(row, "size", size_text(atoll(PQgetvalue(res, i, 14))));
		json_object_set_new(row, "retrying",
		                    json_boolean(strcmp(state, "queued") == 0 && atoi(PQgetvalue(res, i, 6)) > 0));
		/* always set: a missing key would fall through to the form's "schedule" */
		json_object_set_new(row, "scheduled",
		                    *PQgetvalue(res, i, 17) == '\0'
		                        ? json_false()
		                        : json_pack("{s:s, s:i, s:i, s:i, s:b, s:b}", "cadence", PQgetvalue(res, i, 17),
		                                    "sent", atoi(PQgetvalue(res, i, 18)), "queued",
		                                    atoi(PQgetvalue(res, i, 19)), "failed", atoi(PQgetvalue(res, i, 20)),
		                                    "any_queued", atoi(PQgetvalue(res, i, 19)) > 0, "any_failed",
		                                    atoi(PQgetvalue(res, i, 20)) > 0));
		{
			long long secs = atoll(PQgetvalue(res, i, 16));
			if (secs < 60)
				snprintf(b, sizeof(b), "%lld s", secs);
			json_object_set_new(row, "took", json_string(secs < 60 ? b : view_minutes(secs / 60, b)));
		}
		json_object_set_new(row, "seconds", json_integer(atoll(PQgetvalue(res, i, 16))));
		if (strcmp(state, "queued") == 0 || strcmp(state, "running") == 0)
			pending++;
		json_array_append_new(jobs, row);
	}
	PQclear(res);
	json_object_set_new(m, "jobs", jobs);
	json_object_set_new(m, "pending", json_integer(pending));
	json_object_set_new(m, "has_pending", json_boolean(pending > 0));
	if (authz_can(req->tenant->role, PERM_SETTINGS, req->tenant->kind) &&
	    (r = load_schedules(req, tid)) != R_SUCCESS)
		return r;
	params[0] = tid;
	if ((res = db_exec(&st_retention, params, &r)) == NULL)
		return r;
	json_object_set_new(m, "retention_days", json_integer(atoi(PQgetvalue(res, 0, 0))));
	PQclear(res);
	if (json_object_get(m, "request") == NULL) { /* the form's defaults: last month, A4 */
		json_t *rep = json_object(), *errors = json_object();
		char from[11], to[11];
		report_last_month(from, to);
		json_object_set_new(rep, "kind", json_string(req->tenant->kind && strcmp(req->tenant->kind, "company") == 0
		                                                 ? "executive"
		                                                 : "consolidated"));
		json_object_set_new(rep, "paper", json_string("a4"));
		json_object_set_new(rep, "from", json_string(from));
		json_object_set_new(rep, "to", json_string(to));
		json_object_set_new(m, "request", json_pack("{s:o, s:o}", "values", rep, "errors", errors));
	}
	if (json_object_get(m, "schedule") == NULL) { /* its defaults: monthly, attached, to the viewer */
		json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind",
		                      strcmp(req->tenant->kind, "company") == 0 ? "executive" : "consolidated", "paper",
		                      "a4", "cadence", "monthly", "delivery", "attachment", "recipients",
		                      req->sess && req->sess->email ? req->sess->email : "");
		json_object_set_new(m, "schedule", json_pack("{s:o, s:o}", "values", v, "errors", json_object()));
	}
	json_object_set_new(m, "choice", choices(json_object_get(json_object_get(m, "request"), "values")));
	json_object_set_new(m, "schedule_choice", choices(json_object_get(json_object_get(m, "schedule"), "values")));
	{
		const char *done = http_query(req, "done");
		if (done && strcmp(done, "requested") == 0)
			json_object_set_new(m, "notice",
			                    json_string("Your report is queued: it appears below when it is ready."));
		else if (done && strcmp(done, "scheduled") == 0)
			json_object_set_new(m, "notice", json_string("Scheduled: the first report goes out on the date shown."));
		else if (done && strcmp(done, "unscheduled") == 0)
			json_object_set_new(m, "notice", json_string("The schedule is deleted; the reports it made stay."));
		else if (done && strcmp(done, "retention") == 0)
			json_object_set_new(m, "notice", json_string("Reports are now kept that long."));
	}
	return R_SUCCESS;
}

/* GET /t/{id}/reports: the Reports page. */
enum res page_reports(struct req *req) { return jobs_page(req); }

/* A billing statement asked for (docs/billing.md, "The statement as a
 * PDF"): only by those who see the account's billing, and of one calendar
 * month (that it has a statement, report_request() says); what is refused
 * into errors, by field. */
static const char not_billing[] =
    "Billing statements are for the MSSP Admins of the account billed (the Owners of a standalone MSP).";

static void billing_request_check(struct req *req, json_t *values, json_t *errors)
{
	const char *from = json_string_value(json_object_get(values, "from")),
	           *to = json_string_value(json_object_get(values, "to"));
	char next[32]; /* the first day of the month after from's */
	long long f, t, n;
	int y, mo;

	if (!billing_viewer(req)) {
		json_object_set_new(errors, "kind",
		                    json_string(not_billing));
		return;
	}
	/* from: a first of the month; to: the day before the next month's first */
	if (sscanf(from, "%4d-%2d", &y, &mo) == 2)
		snprintf(next, sizeof(next), "%04d-%02d-01", mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1);
	else
		next[0] = '\0';
	if (!form_date(from, &f) || strcmp(from + 8, "01") != 0 || !form_date(to, &t) || !form_date(next, &n) ||
	    t != n - 1)
		json_object_set_new(errors, "from",
		                    json_string("A billing statement covers one calendar month: from its first day to its "
		                                "last (the Billing page's Make a PDF fills them in)."));
}

/* POST /t/{id}/reports (kind, from, to, paper): ask for a report; the
 * form again with a message next to what is refused. */
enum res page_report_request(struct req *req)
{
	const char *in[2] = {http_form(req, "from"), http_form(req, "to")}, *params[5];
	json_t *values, *errors, *d;
	char tid[24], target[40], loc[96];
	PGresult *res;
	enum res r;
	long long id;

	form_check(req, request_fields, 2, &values, &errors);
	report_period_check(in, values, errors);
	if (json_object_size(errors) == 0 && req->tenant->kind && strcmp(req->tenant->kind, "company") == 0 &&
	    strcmp(json_string_value(json_object_get(values, "kind")), "consolidated") == 0)
		json_object_set_new(errors, "kind",
		                    json_string("A consolidated report covers the customers of an MSP or MSSP: "
		                                "choose the executive report of this company."));
	if (json_object_size(errors) == 0 && strcmp(json_string_value(json_object_get(values, "kind")), "billing") == 0)
		billing_request_check(req, values, errors);
	if (json_object_size(errors) > 0) {
		view_form(req, R_BAD_INPUT, "request", values, errors);
		return jobs_page(req);
	}
	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	params[0] = tid;
	params[1] = json_string_value(json_object_get(values, "kind"));
	params[2] = json_string_value(json_object_get(values, "paper"));
	params[3] = json_string_value(json_object_get(values, "from"));
	params[4] = json_string_value(json_object_get(values, "to"));
	if ((res = db_exec_guarded(&st_request, params, &r)) == NULL) {
		if (r == R_BAD_INPUT) { /* report_request() says why: a month with no statement */
			json_object_set_new(errors, "from", json_string(db_last_message()));
			view_form(req, R_BAD_INPUT, "request", values, errors);
			return jobs_page(req);
		}
		json_decref(values);
		json_decref(errors);
		return r;
	}
	if (PQgetisnull(res, 0, 0)) {
		PQclear(res);
		json_object_set_new(errors, "kind",
		                    json_string("You have 5 reports queued or being made: ask again once one is ready."));
		view_form(req, R_TOO_MANY, "request", values, errors);
		return jobs_page(req);
	}
	id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (id < 0) {
		json_decref(values);
		json_decref(errors);
		return R_NOT_FOUND;
	}
	snprintf(target, sizeof(target), "report:%lld", id);
	d = json_pack("{s:s, s:s, s:s, s:s}", "kind", params[1], "paper", params[2], "from", params[3], "to", params[4]);
	r = audit_log(req, req->tenant->id, "report.requested", target, d);
	json_decref(d);
	json_decref(values);
	json_decref(errors);
	if (r != R_SUCCESS)
		return r;
	snprintf(loc, sizeof(loc), "/t/%lld/reports?done=requested", req->tenant->id);
	return http_redirect(req, loc);
}

/* POST /t/{id}/reports/retention (days): how long this tenant and those
 * below it without a setting of their own keep their reports' files. */
enum res page_report_retention(struct req *req)
{
	const char *days, *msg = form_get(req, &retention_field, &days), *params[2];
	char tid[24], loc[96];
	PGresult *res;
	json_t *d;
	enum res r;
	int ok;

	if (msg != NULL) {
		const char *typed = http_form(req, "days");
		view_form(req, R_BAD_INPUT, "retention", json_pack("{s:s}", "days", typed ? typed : ""),
		          json_pack("{s:s}", "days", msg));
		return jobs_page(req);
	}
	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	params[0] = tid;
	params[1] = days;
	if ((res = db_exec(&st_retention_set, params, &r)) == NULL)
		return r;
	ok = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (!ok)
		return R_FORBIDDEN;
	d = json_pack("{s:i}", "days", atoi(days));
	r = audit_log(req, req->tenant->id, "report.retention", NULL, d);
	json_decref(d);
	if (r != R_SUCCESS)
		return r;
	snprintf(loc, sizeof(loc), "/t/%lld/reports?done=retention", req->tenant->id);
	return http_redirect(req, loc);
}

/* The PDF of a report row (pdf, kind, from, to) as the answer. */
static enum res send_pdf(struct req *req, PGresult *res)
{
	unsigned char *pdf;
	char what[80];
	size_t n;

	if (PQntuples(res) != 1 || (pdf = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 0), &n)) == NULL)
		return R_NOT_FOUND;
	buf_append(&req->body, pdf, n);
	PQfreemem(pdf);
	/* "executive-report-...", "billing-statement-...": its title's words */
	snprintf(what, sizeof(what), "%s-%s-%s", report_kind_title(PQgetvalue(res, 0, 1)), PQgetvalue(res, 0, 2),
	         PQgetvalue(res, 0, 3));
	for (char *p = what; *p && p < what + 20; p++)
		*p = *p == ' ' ? '-' : (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	if (!buf_ok(&req->body))
		return R_INTERNAL;
	req->body_type = "application/pdf";
	http_header(req, "Cache-Control", "private, no-store");
	view_attachment(req, what, "pdf");
	return R_SUCCESS;
}

/* GET /t/{id}/reports/{rid}/pdf: a made report's file, for whoever may see
 * the report (the policy on report_jobs). */
enum res page_report_file(struct req *req)
{
	const char *rid = http_route_param(req, 1), *params[2];
	char tid[24];
	PGresult *res;
	enum res r;

	if (rid == NULL || !http_is_id(rid))
		return R_NOT_FOUND;
	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	params[0] = tid;
	params[1] = rid;
	if ((res = db_exec(&st_file, params, &r)) == NULL)
		return r;
	r = send_pdf(req, res);
	PQclear(res);
	return r;
}

/* The addresses of a schedule's recipients field (one a line, or
 * separated by commas, semicolons or spaces): a new array of them, each
 * once (lower-cased); NULL with msg set when one is not an address or
 * there are none or more than RECIPIENTS_MAX. */
static json_t *recipients_parse(const char *in, char msg[160])
{
	json_t *out = json_array();
	char addr[321];
	size_t n;

	while (in != NULL && *in) {
		in += strspn(in, " \t\r\n,;");
		n = strcspn(in, " \t\r\n,;");
		if (n == 0)
			break;
		if (n >= sizeof(addr)) {
			snprintf(msg, 160, "An address is at most 320 characters.");
			json_decref(out);
			return NULL;
		}
		for (size_t i = 0; i < n; i++)
			addr[i] = (char)((in[i] >= 'A' && in[i] <= 'Z') ? in[i] + 32 : in[i]);
		addr[n] = '\0';
		in += n;
		if (!form_is_email(addr)) {
			snprintf(msg, 160, "%.60s%s is not an email address.", addr, n > 60 ? "..." : "");
			json_decref(out);
			return NULL;
		}
		{
			size_t i;
			json_t *v;
			int seen = 0;
			json_array_foreach(out, i, v) seen |= strcmp(json_string_value(v), addr) == 0;
			if (!seen)
				json_array_append_new(out, json_string(addr));
		}
	}
	if (json_array_size(out) == 0 || json_array_size(out) > RECIPIENTS_MAX) {
		snprintf(msg, 160, json_array_size(out) == 0 ? "Enter at least one address."
		                                             : "A schedule has at most 20 recipients.");
		json_decref(out);
		return NULL;
	}
	return out;
}

/* POST /t/{id}/reports/schedules (kind, paper, cadence, delivery,
 * recipients): a report every week or month, mailed to the recipients;
 * the form again with a message next to what is refused. */
enum res page_report_schedule_create(struct req *req)
{
	const char *params[6];
	json_t *values, *errors, *list = NULL, *d;
	char tid[24], msg[160], target[40], loc[96];
	struct buf arr = BUF_INIT;
	PGresult *res;
	enum res r;
	long long id;

	form_check(req, schedule_fields, sizeof(schedule_fields) / sizeof(schedule_fields[0]), &values, &errors);
	if (json_object_get(errors, "recipients") == NULL &&
	    (list = recipients_parse(json_string_value(json_object_get(values, "recipients")), msg)) == NULL)
		json_object_set_new(errors, "recipients", json_string(msg));
	if (json_object_get(errors, "kind") == NULL && strcmp(req->tenant->kind, "company") == 0 &&
	    strcmp(json_string_value(json_object_get(values, "kind")), "consolidated") == 0)
		json_object_set_new(errors, "kind",
		                    json_string("A consolidated report covers the customers of an MSP or MSSP: "
		                                "choose the executive report of this company."));
	if (json_object_get(errors, "kind") == NULL &&
	    strcmp(json_string_value(json_object_get(values, "kind")), "billing") == 0) {
		if (!billing_viewer(req))
			json_object_set_new(errors, "kind",
			                    json_string(not_billing));
		else if (json_object_get(errors, "cadence") == NULL &&
		         strcmp(json_string_value(json_object_get(values, "cadence")), "monthly") != 0)
			json_object_set_new(errors, "cadence",
			                    json_string("A billing statement is made once a month, when the month closes."));
	}
	if (json_object_size(errors) > 0) {
		json_decref(list);
		view_form(req, R_BAD_INPUT, "schedule", values, errors);
		return jobs_page(req);
	}
	{ /* the addresses as a PostgreSQL array literal, each element quoted */
		size_t i;
		json_t *v;
		buf_putc(&arr, '{');
		json_array_foreach(list, i, v)
		{
			buf_printf(&arr, "%s\"%s\"", i ? "," : "", json_string_value(v)); /* form_is_email: no " or \ */
		}
		buf_putc(&arr, '}');
	}
	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	params[0] = tid;
	params[1] = json_string_value(json_object_get(values, "kind"));
	params[2] = json_string_value(json_object_get(values, "paper"));
	params[3] = json_string_value(json_object_get(values, "cadence"));
	params[4] = json_string_value(json_object_get(values, "delivery"));
	params[5] = arr.data;
	res = buf_ok(&arr) ? db_exec(&st_schedule_save, params, &r) : NULL;
	if (res == NULL) {
		buf_free(&arr);
		json_decref(list);
		json_decref(values);
		json_decref(errors);
		return buf_ok(&arr) ? r : R_INTERNAL;
	}
	buf_free(&arr);
	if (PQgetisnull(res, 0, 0)) {
		PQclear(res);
		json_decref(list);
		json_object_set_new(errors, "cadence", json_string("A tenant has at most 10 schedules: delete one first."));
		view_form(req, R_TOO_MANY, "schedule", values, errors);
		return jobs_page(req);
	}
	id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (id < 0) {
		json_decref(list);
		json_decref(values);
		json_decref(errors);
		return R_FORBIDDEN;
	}
	snprintf(target, sizeof(target), "report_schedule:%lld", id);
	d = json_pack("{s:s, s:s, s:s, s:O}", "kind", params[1], "cadence", params[3], "delivery", params[4],
	              "recipients", list);
	r = audit_log(req, req->tenant->id, "report.schedule_created", target, d);
	json_decref(d);
	json_decref(list);
	json_decref(values);
	json_decref(errors);
	if (r != R_SUCCESS)
		return r;
	snprintf(loc, sizeof(loc), "/t/%lld/reports?done=scheduled", req->tenant->id);
	return http_redirect(req, loc);
}

/* POST /t/{id}/reports/schedules/{sid}/delete: the reports it made stay. */
enum res page_report_schedule_delete(struct req *req)
{
	const char *sid = http_route_param(req, 1), *params[2];
	char tid[24], target[40], loc[96];
	PGresult *res;
	json_t *d;
	enum res r;

	if (sid == NULL || !http_is_id(sid))
		return R_NOT_FOUND;
	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	params[0] = tid;
	params[1] = sid;
	if ((res = db_exec(&st_schedule_delete, params, &r)) == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return R_NOT_FOUND;
	}
	d = json_pack("{s:s, s:s}", "kind", PQgetvalue(res, 0, 0), "cadence", PQgetvalue(res, 0, 1));
	PQclear(res);
	snprintf(target, sizeof(target), "report_schedule:%s", sid);
	r = audit_log(req, req->tenant->id, "report.schedule_deleted", target, d);
	json_decref(d);
	if (r != R_SUCCESS)
		return r;
	snprintf(loc, sizeof(loc), "/t/%lld/reports?done=unscheduled", req->tenant->id);
	return http_redirect(req, loc);
}

/* GET /reports/link/{token}: a scheduled report's file by the signed link
 * its mail carried (no session: the link is the key, until the report
 * expires). */
enum res page_report_link(struct req *req)
{
	const char *token = http_route_param(req, 0), *params[1] = {token};
	PGresult *res;
	enum res r;

	if (token == NULL || strlen(token) != 64 || strspn(token, "0123456789abcdef") != 64)
		return R_NOT_FOUND;
	if ((res = db_exec(&st_link_file, params, &r)) == NULL)
		return r;
	r = send_pdf(req, res);
	PQclear(res);
	if (r == R_NOT_FOUND) { /* the 404 page, saying why */
		view_error(req, R_NOT_FOUND, "This link has ended: the report it opened is no longer kept. Ask the "
		                             "sender for a new one.");
		return R_SUCCESS;
	}
	return r;
}
