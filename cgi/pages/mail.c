/* mail.c - the outbox of a tenant's subtree: failed (or queued, or sent)
 * messages with their last error, and a Retry button. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "authz.h"
#include "db.h"
#include "pages.h"
#include "view.h"

#define MAIL_PAGE 50

DB_STMT(st_mail_messages, 4,
        "SELECT id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), tenant_name, to_addr,"
        " subject, status, attempts, coalesce(last_error, ''),"
        " to_char(next_attempt_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
        " coalesce(to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), ''), total"
        " FROM mail_messages($1::bigint, $2, $3::int, $4::int)");
DB_STMT(st_mail_retry, 2, "SELECT outcome, old_status, old_attempts, to_addr FROM mail_retry($1::bigint, $2::bigint)");

static const char *const statuses[] = {"failed", "queued", "sent"};

/* A valid status filter value, or NULL. */
static const char *known_status(const char *s)
{
	for (size_t i = 0; s != NULL && i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(s, statuses[i]) == 0)
			return statuses[i];
	return NULL;
}

/* The list, for status (valid) and page; notice/error may be NULL. */
static enum res mail_page(struct req *req, const char *status, long page, const char *notice, const char *error)
{
	json_t *m = view_model(req), *rows, *tabs;
	char tid[24], lim[16], off[24];
	const char *params[4];
	PGresult *res;
	enum res r;
	long total = 0, pages;
	int i;

	req->template = "mail";
	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	snprintf(lim, sizeof(lim), "%d", MAIL_PAGE);
	snprintf(off, sizeof(off), "%ld", (page - 1) * MAIL_PAGE);
	params[0] = tid;
	params[1] = status;
	params[2] = lim;
	params[3] = off;
	res = db_exec(&st_mail_messages, params, &r);
	if (res == NULL)
		return r;
	rows = json_array();
	for (i = 0; i < PQntuples(res); i++) {
		const char *st = PQgetvalue(res, i, 5);
		int sent = strcmp(st, "sent") == 0, failed = strcmp(st, "failed") == 0;
		json_t *row = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:b, s:b}", "id",
		                        (json_int_t)atoll(PQgetvalue(res, i, 0)), "created", PQgetvalue(res, i, 1),
		                        "tenant_name", PQgetvalue(res, i, 2), "to", PQgetvalue(res, i, 3), "subject",
		                        PQgetvalue(res, i, 4), "status", st, "attempts", atoi(PQgetvalue(res, i, 6)),
		                        "last_error", PQgetvalue(res, i, 7), "can_retry", !sent, "failed", failed);
		/* Next attempt for queued mail, the delivery time for sent mail,
		 * nothing for failed mail (no attempt is planned). */
		json_object_set_new(row, "next_attempt",
		                    json_string(strcmp(st, "queued") == 0 ? PQgetvalue(res, i, 8) : ""));
		json_object_set_new(row, "sent_at", json_string(PQgetvalue(res, i, 9)));
		json_array_append_new(rows, row);
		total = atol(PQgetvalue(res, i, 10));
	}
	PQclear(res);
	pages = total ? (total + MAIL_PAGE - 1) / MAIL_PAGE : 1;
	tabs = json_array();
	for (size_t k = 0; k < sizeof(statuses) / sizeof(statuses[0]); k++)
		json_array_append_new(
		    tabs, json_pack("{s:s, s:b}", "value", statuses[k], "selected", strcmp(statuses[k], status) == 0));
	json_object_set_new(m, "filter_status", json_string(status));
	json_object_set_new(m, "status_options", tabs);
	json_object_set_new(m, "has_messages", json_boolean(json_array_size(rows) > 0));
	json_object_set_new(m, "messages", rows);
	json_object_set_new(m, "total", json_integer(total));
	view_pages(m, page, pages);
	if (notice != NULL)
		json_object_set_new(m, "notice", json_string(notice));
	if (error != NULL)
		json_object_set_new(m, "error", json_string(error));
	json_object_set_new(m, "page_title", json_string("Email"));
	return R_SUCCESS;
}

enum res page_mail(struct req *req)
{
	const char *given = http_query(req, "status"), *done = http_query(req, "done");
	const char *status = known_status(given), *error = NULL;
	long page = http_page(req);

	if (status == NULL) {
		if (given != NULL && *given != '\0')
			error = "Choose failed, queued or sent.";
		status = "failed";
	}
	if (error != NULL)
		req->outcome = R_BAD_INPUT;
	return mail_page(
	    req, status, page,
	    done && strcmp(done, "retried") == 0 ? "The message is queued: the mailer sends it within moments." : NULL,
	    error);
}

enum res page_mail_retry(struct req *req)
{
	const char *mid = http_route_param(req, 1), *back_status = known_status(http_form(req, "status"));
	const char *params[2], *outcome;
	char tid[24], loc[96], target[40];
	PGresult *res;
	enum res r;
	json_t *d;

	if (!http_is_id(mid))
		return R_NOT_FOUND;
	if (back_status == NULL)
		back_status = "failed";
	snprintf(tid, sizeof(tid), "%lld", req->tenant->id);
	params[0] = tid;
	params[1] = mid;
	res = db_exec(&st_mail_retry, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return R_INTERNAL;
	}
	outcome = PQgetvalue(res, 0, 0);
	if (strcmp(outcome, "not_found") == 0) {
		PQclear(res);
		return R_NOT_FOUND;
	}
	if (strcmp(outcome, "sent") == 0 || strcmp(outcome, "busy") == 0) {
		int sent = outcome[0] == 's';
		PQclear(res);
		req->outcome = R_CONFLICT;
		return mail_page(req, back_status, 1, NULL,
		                 sent ? "That message has already been delivered; it is not sent again."
		                      : "A mailer is sending that message right now. Reload in a moment.");
	}
	d = json_pack("{s:s, s:i, s:s}", "previous_status", PQgetvalue(res, 0, 1), "previous_attempts",
	              atoi(PQgetvalue(res, 0, 2)), "to", PQgetvalue(res, 0, 3));
	PQclear(res);
	snprintf(target, sizeof(target), "mail:%s", mid);
	r = audit_log(req, req->tenant->id, "mail.retry", target, d);
	json_decref(d);
	if (r != R_SUCCESS)
		return r;
	snprintf(loc, sizeof(loc), "/t/%lld/mail?status=%s&done=retried", req->tenant->id, back_status);
	return http_redirect(req, loc);
}
