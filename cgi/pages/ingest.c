/* ingest.c - POST /api/v2/assets|vulnerabilities|incidents.
 *
 * A batch is {"items": [...]} or a bare array of at most API_MAX_ITEMS
 * items. Each item is checked against its kind's field table (the one
 * table of cgi/form.h, form_check_json()); the
 * good ones go to the database in ONE call (ingest_assets() and its siblings), which
 * rejects items whose tenant the key cannot write (RLS) and upserts the
 * rest by (tenant_id, external_id) in one statement, so the rollup
 * triggers run once per batch. The answer lists every rejected item with
 * its index and why; the good items are stored either way. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "db.h"
#include "form.h"
#include "jalloc.h"
#include "pages.h"

DB_STMT(st_ingest_assets, 1, "SELECT i, error FROM ingest_assets($1::jsonb)");
DB_STMT(st_ingest_vulns, 1, "SELECT i, error FROM ingest_vulnerabilities($1::jsonb)");
DB_STMT(st_ingest_incidents, 1, "SELECT i, error FROM ingest_incidents($1::jsonb)");

static const char *const severities[] = {"critical", "critical", "high", "high", "medium", "medium",
                                         "low", "low", NULL};
static const char *const asset_kinds[] = {
    "probe", "probe",
    "gateway", "gateway", "security_gateway", "gateway", "security-gateway", "gateway", "security gateway", "gateway",
    "agent", "agent", "lightweight_agent", "agent", "lightweight-agent", "agent", "lightweight agent", "agent",
    "discovered", "discovered", "probe_discovered", "discovered", "probe-discovered", "discovered",
    "probe-discovered asset", "discovered",
    "external", "external", "external_asset", "external", "external asset", "external",
    NULL};
static const char *const indicator_kinds[] = {"hash", "hash", "domain", "domain", "ip", "ip", "cve", "cve", NULL};

static const struct form_field asset_fields[] = {
    {.name = "kind", .kind = FORM_ENUM, .required = 1, .choices = asset_kinds},
    {.name = "name", .kind = FORM_TEXT, .required = 1, .min = 1, .max = 255},
    {.name = "address", .kind = FORM_TEXT, .max = 255},
};
static const struct form_field vuln_fields[] = {
    {.name = "cve", .kind = FORM_CVE, .required = 1},
    {.name = "severity", .kind = FORM_ENUM, .required = 1, .choices = severities},
    {.name = "asset_external_id", .kind = FORM_TEXT, .min = 1, .max = 200, .col = "asset"},
    {.name = "first_seen", .kind = FORM_TIME},
    {.name = "fixed_at", .kind = FORM_TIME},
};
static const struct form_field incident_fields[] = {
    {.name = "severity", .kind = FORM_ENUM, .required = 1, .choices = severities},
    {.name = "title", .kind = FORM_TEXT, .required = 1, .min = 1, .max = 300},
    {.name = "indicator", .kind = FORM_TEXT, .min = 1, .max = 300},
    {.name = "indicator_kind", .kind = FORM_ENUM, .choices = indicator_kinds},
    {.name = "opened_at", .kind = FORM_TIME},
    {.name = "acknowledged_at", .kind = FORM_TIME},
    {.name = "closed_at", .kind = FORM_TIME},
};

/* Pairs of date-times that must come in this order when an item has both.
 * fill: when the item leaves out the earlier one (not even null) and the
 * later one has passed, the earlier is taken as the later (a finding
 * reported already fixed was seen then, not now; an incident already
 * acknowledged or closed was opened then). Only first sightings are filled:
 * an acknowledgement is never made up. */
struct time_order {
	const char *before, *after;
	int fill;
};
static const struct time_order vuln_order[] = {{"first_seen", "fixed_at", 1}, {NULL, NULL, 0}};
static const struct time_order incident_order[] = {{"opened_at", "acknowledged_at", 1},
                                                   {"opened_at", "closed_at", 1},
                                                   {"acknowledged_at", "closed_at", 0},
                                                   {NULL, NULL, 0}};

/* The index of the field called name (one of the table's own names). */
static size_t field_index(const struct form_field *fields, size_t nfields, const char *name)
{
	size_t f;
	for (f = 0; f < nfields && strcmp(fields[f].name, name) != 0; f++)
		;
	return f;
}

/* The key of a field in the item passed to SQL. */
static const char *col_of(const struct form_field *f)
{
	return f->col != NULL ? f->col : f->name;
}

#define MAX_FIELDS 8
_Static_assert(sizeof(asset_fields) / sizeof(asset_fields[0]) <= MAX_FIELDS, "asset_fields: raise MAX_FIELDS");
_Static_assert(sizeof(vuln_fields) / sizeof(vuln_fields[0]) <= MAX_FIELDS, "vuln_fields: raise MAX_FIELDS");
_Static_assert(sizeof(incident_fields) / sizeof(incident_fields[0]) <= MAX_FIELDS, "incident_fields: raise MAX_FIELDS");

/* Check one item; on success *out is the item for SQL. order: pairs of its
 * date-times that must not go backwards (or NULL). Returns an error
 * message (static) or NULL. */
static const char *check_item(json_t *item, const struct form_field *fields, size_t nfields,
                              const struct time_order *order, long long key_tenant, int index, json_t **out)
{
	static char msg[160];
	json_t *o, *v;
	const char *s, *why;
	long long tenant = key_tenant;
	long long tval[MAX_FIELDS + 1];
	unsigned char tset[MAX_FIELDS + 1] = {0};

	*out = NULL;
	if (!json_is_object(item))
		return "item must be a JSON object";
	v = json_object_get(item, "external_id");
	if (!json_is_string(v))
		return "external_id is required (a string)";
	s = json_string_value(v);
	if (form_utf8_len(s) < 1 || form_utf8_len(s) > 200)
		return "external_id must be 1 to 200 characters";
	v = json_object_get(item, "tenant_id");
	if (v != NULL && !json_is_null(v)) {
		if (json_is_integer(v) && json_integer_value(v) > 0)
			tenant = (long long)json_integer_value(v);
		else if (json_is_string(v) && http_is_id(json_string_value(v)))
			tenant = atoll(json_string_value(v));
		else
			return "tenant_id must be a positive integer";
	}
	o = json_pack("{s:i, s:I, s:s}", "i", index, "tenant_id", (json_int_t)tenant, "external_id", s);
	if ((why = form_check_json(item, fields, nfields, o, tval, tset, msg, sizeof(msg))) != NULL) {
		json_decref(o);
		return why;
	}
	for (; order != NULL && order->before != NULL; order++) {
		size_t a = field_index(fields, nfields, order->before), b = field_index(fields, nfields, order->after);
		/* The earlier one would default to now, after the later one: it is
		 * taken as that time instead (an update keeps the earliest anyway). */
		if (order->fill && !tset[a] && tset[b] && a < nfields && json_object_get(item, fields[a].name) == NULL &&
		    tval[b] < (long long)time(NULL)) {
			json_object_set(o, col_of(&fields[a]), json_object_get(o, col_of(&fields[b])));
			tval[a] = tval[b];
			tset[a] = 1;
		}
		if (tset[a] && tset[b] && tval[b] < tval[a]) {
			snprintf(msg, sizeof(msg), "%s must not be before %s", order->after, order->before);
			json_decref(o);
			return msg;
		}
	}
	*out = o;
	return NULL;
}

/* Incidents: an indicator comes with its kind. */
static const char *check_incident(json_t *o)
{
	if ((json_object_get(o, "indicator") == NULL) != (json_object_get(o, "indicator_kind") == NULL))
		return "indicator and indicator_kind go together";
	return NULL;
}

static void add_error(json_t *errors, int index, json_t *item, const char *why)
{
	json_t *e = json_pack("{s:i}", "index", index);
	json_t *x = json_is_object(item) ? json_object_get(item, "external_id") : NULL;

	if (json_is_string(x))
		json_object_set(e, "external_id", x);
	json_object_set_new(e, "error", json_string(why));
	json_array_append_new(errors, e);
}

static enum res ingest(struct req *req, struct db_stmt *st, const struct form_field *fields, size_t nfields,
                       const struct time_order *order, int incidents)
{
	const struct api_key *key = api_current_key();
	json_t *body = req->json_body, *items, *good, *errors, *sqlerr, *merged;
	const char *params[1];
	char *dump;
	PGresult *res;
	enum res r;
	size_t i, n, a, b;
	int nbad;

	if (key == NULL)
		return R_UNAUTH;
	items = json_is_array(body) ? body : json_is_object(body) ? json_object_get(body, "items") : NULL;
	if (!json_is_array(items)) {
		api_error(req, R_BAD_INPUT, "send {\"items\": [...]} or a JSON array of items");
		return R_BAD_INPUT;
	}
	n = json_array_size(items);
	if (n > API_MAX_ITEMS) {
		api_error(req, R_TOO_LARGE, "too many items in one batch (at most 5000)");
		json_object_set_new(req->model, "max_items", json_integer(API_MAX_ITEMS));
		return R_TOO_LARGE;
	}
	good = json_array();
	errors = json_array();
	for (i = 0; i < n; i++) {
		json_t *item = json_array_get(items, i), *o;
		const char *why = check_item(item, fields, nfields, order, key->tenant_id, (int)i, &o);
		if (why == NULL && incidents && (why = check_incident(o)) != NULL)
			json_decref(o);
		if (why != NULL)
			add_error(errors, (int)i, item, why);
		else
			json_array_append_new(good, o);
	}
	sqlerr = json_array();
	if (json_array_size(good) > 0) {
		dump = json_text(good, JSON_COMPACT);
		if (dump == NULL) {
			json_decref(good);
			json_decref(errors);
			json_decref(sqlerr);
			return R_INTERNAL;
		}
		params[0] = dump;
		res = db_exec_retrying(st, params, &r); /* a deadlock with another batch: again */
		free(dump);
		if (res == NULL) {
			json_decref(good);
			json_decref(errors);
			json_decref(sqlerr);
			return r;
		}
		for (int k = 0; k < PQntuples(res); k++) {
			int idx = atoi(PQgetvalue(res, k, 0));
			add_error(sqlerr, idx, json_array_get(items, (size_t)idx), PQgetvalue(res, k, 1));
		}
		PQclear(res);
	}
	json_decref(good);
	/* Both lists are in index order: merge them. */
	merged = json_array();
	for (a = 0, b = 0; a < json_array_size(errors) || b < json_array_size(sqlerr);) {
		json_t *ea = json_array_get(errors, a), *eb = json_array_get(sqlerr, b);
		if (eb == NULL || (ea != NULL && json_integer_value(json_object_get(ea, "index")) <
		                                     json_integer_value(json_object_get(eb, "index")))) {
			json_array_append(merged, ea);
			a++;
		} else {
			json_array_append(merged, eb);
			b++;
		}
	}
	json_decref(errors);
	json_decref(sqlerr);
	nbad = (int)json_array_size(merged);
	json_decref(req->model);
	req->model = json_pack("{s:i, s:i, s:o}", "accepted", (int)n - nbad, "rejected", nbad, "errors", merged);
	req->ingested = (int)n - nbad;
	req->outcome = R_SUCCESS;
	if (req->ingested > 0) /* once answered (and committed: else none is stale) */
		dashboard_docs_after_ingest(key->tenant_id);
	return R_SUCCESS;
}

enum res api_ingest_assets(struct req *req)
{
	return ingest(req, &st_ingest_assets, asset_fields, sizeof(asset_fields) / sizeof(asset_fields[0]), NULL, 0);
}

enum res api_ingest_vulnerabilities(struct req *req)
{
	return ingest(req, &st_ingest_vulns, vuln_fields, sizeof(vuln_fields) / sizeof(vuln_fields[0]), vuln_order, 0);
}

enum res api_ingest_incidents(struct req *req)
{
	return ingest(req, &st_ingest_incidents, incident_fields, sizeof(incident_fields) / sizeof(incident_fields[0]),
	              incident_order, 1);
}
