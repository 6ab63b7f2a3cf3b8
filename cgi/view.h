/* view.h - the view model every page renders, and the compiled templates.
 *
 * Handlers put their page data in req->model. The server then calls, once
 * each: view_common() (what every page shows: brand, signed-in user, CSRF
 * token, the bell; read while the request's transaction is still open) and,
 * after the commit, view_respond(), which renders the route's template or
 * dumps the same model as JSON for `.json` requests into req->body. Nothing
 * here writes to the client (http_send does). */
#ifndef VIEW_H
#define VIEW_H

#include "buf.h"
#include "http.h"
#include "mustache.h"

/* Compile every template under dir once (worker start). Errors carry the
 * template name, line and column. */
enum res view_init(const char *dir, struct mus_error *err);
/* Release the compiled templates. */
void view_free(void);
/* Both renderers add "has" to the model while they render: for each
 * non-empty list in it, true at the list's path ({{#has.rows}},
 * {{#has.stats.donut}}). Templates guard a list's table with it, never
 * with {{#rows.0}}: that section makes the first row the context, so a key
 * a later row lacks would show the first row's value. They also add
 * "static", the static files' hashed URLs (assets.h), when there are. */
/* Turn the request's answer into req->status, req->body and
 * req->body_type: a 303 for req->redirect (a JSON request gets the model
 * with "redirect" instead), a raw req->body as the handler made it, else
 * req->model rendered with req->template, or as JSON when req->want_json.
 * Runs no statement. */
void view_respond(struct req *req);
/* Replace the model with the error page of outcome r (message: NULL for
 * res_message(r)), dropping what the session read for the page. */
void view_error(struct req *req, enum res r, const char *message);
/* Answer a form again with its field errors: the outcome r (its status:
 * R_BAD_INPUT, R_CONFLICT, R_TOO_MANY...) and, under key in the model,
 * {"values": values, "errors": errors} (both taken; NULL: empty). The
 * caller then builds its page around it and returns R_SUCCESS. */
void view_form(struct req *req, enum res r, const char *key, json_t *values, json_t *errors);
/* The one shape of a JSON error, a new object: {status, code, message}
 * (message NULL: res_message(r)). Pages' JSON twins and the API answer
 * {"error": this}. */
json_t *view_error_object(enum res r, const char *message);
/* Put the tenant in context (req->tenant), the role and what it may do
 * into the model (the header, the selector and what the page may show). */
void view_tenant(struct req *req);
/* Render any compiled template (an email part, say) with model, appending
 * to out. The model is used as given: no common parts are added. */
enum res view_render_named(const char *name, json_t *model, struct buf *out, struct mus_error *err);
/* The bell's model, a new object: {unread, items} from the JSON array
 * items (bell_items(); NULL or not an array: no items). */
json_t *view_bell(long long unread, const char *items);
/* Add brand, theme, user, csrf, the bell and the Settings link to the
 * model of an answer that renders one (a template, not a redirect unless
 * JSON). Call once per request, before the commit: the bell and the
 * Settings link are read under the request's identity. The brand is the
 * one the session read, else loaded here (the default at a 503). */
void view_common(struct req *req);
/* Set Content-Disposition for a download named after the effective brand,
 * e.g. "northwind-soc-msps-2026-11-22.csv" (what: "msps"; ext: "csv"):
 * exported reports carry the provider's name, not the portal's. */
void view_attachment(struct req *req, const char *what, const char *ext);
/* json_object_set_new() for a key written as a string literal, without
 * jansson's strlen() and UTF-8 check of the key: for models built row by
 * row (a dashboard's 50 rows of 18 keys: a quarter of their time). */
#define VIEW_SET(obj, key, value) json_object_setn_new_nocheck((obj), "" key "", sizeof(key) - 1, (value))
/* The model, created on first use (owned by req). */
json_t *view_model(struct req *req);
/* A new object with, for each integer member of obj, its value as text
 * with thousands grouped ("1,234,567"): what the page shows people. */
json_t *view_numbers(const json_t *obj);
/* A number of minutes as people read a delay, into buf (at least 32
 * bytes): "45 m", "2 h", "2 h 05 m", "1 d", "23 d 04 h" (days and hours
 * from a day on, minutes dropped); zero or negative is "0 m". */
const char *view_minutes(long long minutes, char *buf);
/* Fractional minutes (a percentile) the same way, rounded to the minute;
 * above zero but under half a minute "< 1 m". buf: at least 32 bytes. */
const char *view_duration(double minutes, char *buf);
/* A number of days as text ("3.5") as people read it, into buf (at least
 * 32 bytes): "< 1 day", "1 day", "3.5 days", "120 days"; empty, not a
 * number or negative: "–". */
const char *view_days(const char *days, char *buf);
/* "1 incident", "2 incidents", "1,234 incidents": n grouped and the
 * singular or plural noun, into buf (at least 96 bytes; nouns up to 60).
 * The one place a count meets its noun. */
const char *view_count(long long n, const char *one, const char *many, char *buf);
/* An integer as text with thousands grouped, into buf (at least 32 bytes). */
const char *view_grouped(long long v, char *buf);
/* Compliance of met out of due (docs/dashboards.md): a whole percent,
 * rounded down so that 100 means none missed; set under key in obj with
 * its text ("92 %", or "–" with nothing due) and "KEY_of" ("23 of 25"). */
void view_compliance(json_t *obj, const char *key, long long met, long long due);
/* Set "is_<choice>" in obj for each of the NULL-terminated choices: true
 * for the one equal to value (a select's selected option). Returns obj. */
json_t *view_flags(json_t *obj, const char *value, const char *const *choices);
/* One heading of a table sorted on the server, a new object: {key (the
 * sort= value), label (the full name, for the title), brief (the
 * heading's text), active (the table is sorted by it), next_dir (the
 * order a click asks for: the other one when active, else first), arrow
 * (▲ or ▼ when active, else "")}. The texts are the caller's constants
 * (UTF-8). dir: the table's order, asc or desc; first: the column's own
 * order, the one its URL without a dir= gets (names ascending, counts and
 * dates descending: the most first). */
json_t *view_sort_heading(const char *key, const char *label, const char *brief, int active, const char *dir,
                          const char *first);
/* A numbered pager in model m: "page", "pages" and, when there is one, the
 * "prev_page" and "next_page" numbers. */
void view_pages(json_t *m, long page, long pages);

#endif
