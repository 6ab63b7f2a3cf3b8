/* ingest.c - POST /api/v2/assets|vulnerabilities|incidents.
 *
 * A batch is {"items": [...]} or a bare array of at most API_MAX_ITEMS
 * items. Each item is checked here against its kind's field table; the
 * good ones go to the database in ONE call (ingest_assets() and its siblings), which
 * rejects items whose tenant the key cannot write (RLS) and upserts the
 * rest by (tenant_id, external_id) in one statement, so the rollup
 * triggers run once per batch. The answer lists every rejected item with
 * its index and why; the good items are stored either way. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "db.h"
#include "form.h"
#include "pages.h"

DB_STMT(st_ingest_assets, 1, "SELECT i, error FROM ingest_assets($1::jsonb)");
DB_STMT(st_ingest_vulns, 1, "SELECT i, error FROM ingest_vulnerabilities($1::jsonb)");
DB_STMT(st_ingest_incidents, 1, "SELECT i, error FROM ingest_incidents($1::jsonb)");

enum ftype { F_TEXT, F_CHOICE, F_CVE, F_TIME };

struct field {
	const char *name; /* in the request */
	const char *col;  /* in the item passed to SQL */
	enum ftype type;
	int required;
	size_t min, max;              /* characters (F_TEXT) */
	const char *const *choices;   /* F_CHOICE: pairs accepted -> stored, NULL-terminated */
};

static const char *const severities[] = {"critical", "critical", "high", "high", "medium", "medium",
                                         "low", "low", NULL};
static const char *const asset_kinds[] = {
    "probe", "probe",
    "agent", "agent", "lightweight_agent", "agent", "lightweight-agent", "agent", "lightweight agent", "agent",
    "discovered", "discovered", "probe_discovered", "discovered", "probe-discovered", "discovered",
    "probe-discovered asset", "discovered",
    "external", "external", "external_asset", "external", "external asset", "external",
    NULL};
static const char *const indicator_kinds[] = {"hash", "hash", "domain", "domain", "ip", "ip", "cve", "cve", NULL};

static const struct field asset_fields[] = {
    {"kind", "kind", F_CHOICE, 1, 0, 0, asset_kinds},
    {"name", "name", F_TEXT, 1, 1, 255, NULL},
    {"address", "address", F_TEXT, 0, 0, 255, NULL},
};
static const struct field vuln_fields[] = {
    {"cve", "cve", F_CVE, 1, 0, 0, NULL},
    {"severity", "severity", F_CHOICE, 1, 0, 0, severities},
    {"asset_external_id", "asset", F_TEXT, 0, 1, 200, NULL},
    {"first_seen", "first_seen", F_TIME, 0, 0, 0, NULL},
    {"fixed_at", "fixed_at", F_TIME, 0, 0, 0, NULL},
};
static const struct field incident_fields[] = {
    {"severity", "severity", F_CHOICE, 1, 0, 0, severities},
    {"title", "title", F_TEXT, 1, 1, 300, NULL},
    {"indicator", "indicator", F_TEXT, 0, 1, 300, NULL},
    {"indicator_kind", "indicator_kind", F_CHOICE, 0, 0, 0, indicator_kinds},
    {"opened_at", "opened_at", F_TIME, 0, 0, 0, NULL},
    {"acknowledged_at", "acknowledged_at", F_TIME, 0, 0, 0, NULL},
    {"closed_at", "closed_at", F_TIME, 0, 0, 0, NULL},
};

static int digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int num(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's
 * days_from_civil). */
static long long days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* RFC 3339 date-time: 2026-11-22T05:40:00Z, optional fraction, Z or
 * ±hh:mm with an offset the database takes (at most ±15:59). Sets *epoch
 * (seconds, the fraction dropped) and returns 1, or returns 0. */
static int parse_rfc3339(const char *s, long long *epoch)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, off = 0;
	size_t len = strlen(s);

	if (len < 20 || len > 40 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
	    !digits(s + 8, 2) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2) ||
	    s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
		return 0;
	y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2);
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
		return 0;
	if (num(s + 11, 2) > 23 || num(s + 14, 2) > 59 || num(s + 17, 2) > 60)
		return 0;
	*epoch = days_from_civil(y, mo, d) * 86400 + num(s + 11, 2) * 3600 + num(s + 14, 2) * 60 + num(s + 17, 2);
	s += 19;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if ((*s == 'Z' || *s == 'z') && s[1] == '\0')
		return 1;
	if ((*s == '+' || *s == '-') && digits(s + 1, 2) && s[3] == ':' && digits(s + 4, 2) && s[6] == '\0' &&
	    num(s + 1, 2) <= 15 && num(s + 4, 2) <= 59) {
		off = (num(s + 1, 2) * 60 + num(s + 4, 2)) * 60;
		*epoch -= *s == '+' ? off : -off;
		return 1;
	}
	return 0;
}

/* The range a date-time of a finding or an incident may take: from 1970 to
 * a day ahead of this worker's clock (a probe's clock may run a little
 * fast; a date further ahead is a mistake the dashboards would carry). */
#define TIME_MIN 0LL
#define TIME_AHEAD 86400LL

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
static size_t field_index(const struct field *fields, size_t nfields, const char *name)
{
	size_t f;
	for (f = 0; f < nfields && strcmp(fields[f].name, name) != 0; f++)
		;
	return f;
}

#define MAX_FIELDS 8
_Static_assert(sizeof(asset_fields) / sizeof(asset_fields[0]) <= MAX_FIELDS, "asset_fields: raise MAX_FIELDS");
_Static_assert(sizeof(vuln_fields) / sizeof(vuln_fields[0]) <= MAX_FIELDS, "vuln_fields: raise MAX_FIELDS");
_Static_assert(sizeof(incident_fields) / sizeof(incident_fields[0]) <= MAX_FIELDS, "incident_fields: raise MAX_FIELDS");

/* Check one item; on success *out is the item for SQL. order: pairs of its
 * date-times that must not go backwards (or NULL). Returns an error
 * message (static) or NULL. */
static const char *check_item(json_t *item, const struct field *fields, size_t nfields, const struct time_order *order,
                              long long key_tenant, int index, json_t **out)
{
	static char msg[160];
	char cve[FORM_CVE_MAX + 1];
	json_t *o, *v;
	const char *s;
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
	for (size_t f = 0; f < nfields; f++) {
		const struct field *fd = &fields[f];
		v = json_object_get(item, fd->name);
		if (v == NULL || json_is_null(v)) {
			if (fd->required) {
				snprintf(msg, sizeof(msg), "%s is required", fd->name);
				json_decref(o);
				return msg;
			}
			continue;
		}
		if (!json_is_string(v)) {
			snprintf(msg, sizeof(msg), "%s must be a string", fd->name);
			json_decref(o);
			return msg;
		}
		s = json_string_value(v);
		switch (fd->type) {
		case F_TEXT: {
			size_t n = form_utf8_len(s);
			if (n < fd->min || n > fd->max) {
				snprintf(msg, sizeof(msg), "%s must be %zu to %zu characters", fd->name, fd->min, fd->max);
				json_decref(o);
				return msg;
			}
			break;
		}
		case F_CHOICE: {
			const char *stored = NULL;
			for (const char *const *c = fd->choices; *c; c += 2)
				if (strcmp(*c, s) == 0) {
					stored = c[1];
					break;
				}
			if (stored == NULL) {
				snprintf(msg, sizeof(msg), "%s: unknown value", fd->name);
				json_decref(o);
				return msg;
			}
			s = stored;
			break;
		}
		case F_CVE:
			if (!form_cve(s, cve)) {
				json_decref(o);
				return "cve must look like CVE-2024-12345";
			}
			s = cve; /* stored upper case */
			break;
		case F_TIME: {
			long long t;
			if (!parse_rfc3339(s, &t)) {
				snprintf(msg, sizeof(msg),
				         "%s must be an RFC 3339 date-time (2026-01-31T12:00:00Z; offsets up to ±15:59)",
				         fd->name);
				json_decref(o);
				return msg;
			}
			if (t < TIME_MIN || t > (long long)time(NULL) + TIME_AHEAD) {
				snprintf(msg, sizeof(msg), "%s must be between 1970 and a day from now", fd->name);
				json_decref(o);
				return msg;
			}
			tval[f] = t;
			tset[f] = 1;
			break;
		}
		}
		json_object_set_new(o, fd->col, json_string(s));
	}
	for (; order != NULL && order->before != NULL; order++) {
		size_t a = field_index(fields, nfields, order->before), b = field_index(fields, nfields, order->after);
		/* The earlier one would default to now, after the later one: it is
		 * taken as that time instead (an update keeps the earliest anyway). */
		if (order->fill && !tset[a] && tset[b] && a < nfields && json_object_get(item, fields[a].name) == NULL &&
		    tval[b] < (long long)time(NULL)) {
			json_object_set(o, fields[a].col, json_object_get(o, fields[b].col));
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

static enum res ingest(struct req *req, struct db_stmt *st, const struct field *fields, size_t nfields,
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
		dump = json_dumps(good, JSON_COMPACT);
		if (dump == NULL) {
			json_decref(good);
			json_decref(errors);
			json_decref(sqlerr);
			return R_INTERNAL;
		}
		params[0] = dump;
		res = db_exec(st, params, &r);
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
	req->outcome = R_SUCCESS;
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
