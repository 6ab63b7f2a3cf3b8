/* notifications.c - the bell: the signed-in user's notifications, marked
 * read one by one or all at once. Rows are written by the database
 * (notify_request(), which onboarding.c calls). */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "pages.h"
#include "view.h"

DB_STMT(st_notes, 0,
        "SELECT id, title, body, link, to_char(created_at, 'YYYY-MM-DD HH24:MI'), read_at IS NULL"
        " FROM notifications ORDER BY created_at DESC, id DESC LIMIT 100");
DB_STMT(st_note_read, 1, "UPDATE notifications SET read_at = now() WHERE id = $1::bigint AND read_at IS NULL");
DB_STMT(st_notes_read_all, 0, "UPDATE notifications SET read_at = now() WHERE read_at IS NULL");
/* Opening one reads it; its link comes from the row, never from the form. */
DB_STMT(st_note_open, 1,
        "UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1::bigint RETURNING link");

enum res page_notifications(struct req *req)
{
	json_t *m = view_model(req), *list = json_array();
	PGresult *res;
	enum res r;
	int i;

	res = db_exec(&st_notes, NULL, &r);
	if (res == NULL) {
		json_decref(list);
		return r;
	}
	for (i = 0; i < PQntuples(res); i++)
		json_array_append_new(list, json_pack("{s:I, s:s, s:s, s:s, s:s, s:b}", "id",
		                                      (json_int_t)atoll(PQgetvalue(res, i, 0)), "title", PQgetvalue(res, i, 1),
		                                      "body", PQgetvalue(res, i, 2), "link", PQgetvalue(res, i, 3), "at",
		                                      PQgetvalue(res, i, 4), "unread", strcmp(PQgetvalue(res, i, 5), "t") == 0));
	PQclear(res);
	req->template = "notifications";
	json_object_set_new(m, "notifications", list);
	json_object_set_new(m, "page_title", json_string("Notifications"));
	return R_SUCCESS;
}

enum res page_notification_read(struct req *req)
{
	const char *nid = http_route_param(req, 0);
	const char *next = http_form(req, "next");
	const char *params[1] = {nid};
	enum res r;

	if (!http_is_id(nid))
		return R_NOT_FOUND;
	if ((r = db_run(&st_note_read, params)) != R_SUCCESS)
		return r;
	return http_redirect(req, next && next[0] == '/' ? next : "/notifications");
}

enum res page_notifications_read_all(struct req *req)
{
	enum res r = db_run(&st_notes_read_all, NULL);

	return r == R_SUCCESS ? http_redirect(req, "/notifications") : r;
}

/* POST /notifications/{nid}/open: what the bell and the list link to. The
 * notification is read once opened, and the answer goes where it points. */
enum res page_notification_open(struct req *req)
{
	const char *nid = http_route_param(req, 0);
	const char *params[1] = {nid};
	char link[512];
	PGresult *res;
	enum res r;

	if (!http_is_id(nid))
		return R_NOT_FOUND;
	res = db_exec(&st_note_open, params, &r);
	if (res == NULL)
		return r;
	if (PQntuples(res) != 1) { /* not the user's (RLS), or gone */
		PQclear(res);
		return R_NOT_FOUND;
	}
	snprintf(link, sizeof(link), "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return http_redirect(req, link);
}
