/* activity.c - GET /account/activity: the signed-in user's own account
 * events (sign-ins and failures with their address, password resets and
 * changes), which belong to the person, not to any tenant's audit log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pages.h"
#include "view.h"

#define ACTIVITY_PAGE 50

DB_STMT(st_account_activity, 2,
        "SELECT id, to_char(at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), action, coalesce(ip, ''), total"
        " FROM account_activity($1::int, $2::int)");

/* What each account event says to its owner. */
static const char *activity_label(const char *action)
{
	static const struct {
		const char *action, *label;
	} labels[] = {
	    {"auth.login", "Signed in"},
	    {"auth.login_failed", "A sign-in with a wrong password"},
	    {"auth.locked", "A sign-in refused: too many wrong passwords"},
	    {"auth.logout", "Signed out"},
	    {"auth.reset_requested", "A password reset was asked for"},
	    {"auth.reset_done", "Password reset by email link"},
	    {"auth.password_changed", "Password changed"},
	    {"auth.password_change_failed", "A password change with a wrong current password"},
	    {"operator.account_disabled", "Account disabled by the portal's operator"},
	    {"operator.account_active", "Account enabled again by the portal's operator"},
	};
	for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
		if (strcmp(labels[i].action, action) == 0)
			return labels[i].label;
	return action;
}

enum res page_account_activity(struct req *req)
{
	json_t *m = view_model(req), *rows = json_array();
	long page = http_page(req), total = 0;
	char lim[16], off[24];
	const char *params[2] = {lim, off};
	PGresult *res;
	enum res r;

	snprintf(lim, sizeof(lim), "%d", ACTIVITY_PAGE);
	snprintf(off, sizeof(off), "%ld", (page - 1) * ACTIVITY_PAGE);
	res = db_exec(&st_account_activity, params, &r);
	if (res == NULL) {
		json_decref(rows);
		return r;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:s}", "at", PQgetvalue(res, i, 1), "action",
		                                      PQgetvalue(res, i, 2), "label", activity_label(PQgetvalue(res, i, 2)),
		                                      "ip", PQgetvalue(res, i, 3)));
		total = atol(PQgetvalue(res, i, 4));
	}
	PQclear(res);
	req->template = "activity";
	json_object_set_new(m, "events", rows);
	json_object_set_new(m, "total", json_integer(total));
	view_pages(m, page, total ? (total + ACTIVITY_PAGE - 1) / ACTIVITY_PAGE : 1);
	json_object_set_new(m, "page_title", json_string("Security activity"));
	return R_SUCCESS;
}
