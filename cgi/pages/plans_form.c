/* plans_form.c - the form of a configuration section (plans_form.h): a
 * table of each section's fields, the document from a posted form and the
 * form's model from a document. */
#include "plans_form.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

enum cf_kind {
	CF_ENUM,    /* one of choices: a select */
	CF_BOOL,    /* a check box */
	CF_LINES,   /* a list of texts: a text area, one per line */
	CF_CHOICES, /* a set of choices: check boxes */
	CF_INT,     /* a whole number */
	CF_TEXT,    /* one line of text */
	CF_ROWS     /* a list of objects of cols: an editable table */
};

struct cf_col {
	const char *key, *label;
	enum cf_kind kind; /* CF_ENUM, CF_BOOL, CF_LINES (comma-separated in a cell) or CF_TEXT */
	const char *const *choices;
};

struct cf_field {
	const char *key, *label, *help;
	enum cf_kind kind;
	const char *const *choices;
	const struct cf_col *cols; /* CF_ROWS: NULL-key terminated */
};


static const char *const actions[] = {"accept", "drop", "reject", NULL};
static const char *const ips_modes[] = {"off", "detect", "prevent", NULL};
static const char *const profiles[] = {"basic", "optimized", "strict", NULL};
static const char *const categories[] = {"adult", "anonymizers", "crypto_mining", "finance", "gambling",
                                         "games", "government", "health", "malware", "p2p",
                                         "phishing", "social_media", "streaming", NULL};
static const char *const schedules[] = {"daily", "weekly", "monthly", NULL};
static const char *const intensities[] = {"light", "normal", "aggressive", NULL};
static const char *const rings[] = {"early", "broad", "pinned", NULL};
static const char *const days[] = {"any", "mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};
static const char *const severities[] = {"critical", "high", "medium", "low", NULL};

static const struct cf_col rule_cols[] = {
    {"name", "Name", CF_TEXT, NULL},      {"source", "Source", CF_TEXT, NULL},
    {"destination", "Destination", CF_TEXT, NULL}, {"service", "Service", CF_TEXT, NULL},
    {"action", "Action", CF_ENUM, actions}, {"log", "Log", CF_BOOL, NULL},
    {NULL, NULL, CF_TEXT, NULL}};
static const struct cf_col exception_cols[] = {{"name", "Name", CF_TEXT, NULL},
                                               {"target", "Target", CF_TEXT, NULL},
                                               {"protection", "Protection", CF_TEXT, NULL},
                                               {NULL, NULL, CF_TEXT, NULL}};
static const struct cf_col peer_cols[] = {{"name", "Name", CF_TEXT, NULL},
                                          {"address", "Address", CF_TEXT, NULL},
                                          {"networks", "Networks (comma-separated)", CF_LINES, NULL},
                                          {NULL, NULL, CF_TEXT, NULL}};

static const struct cf_field f_access[] = {
    {"rules", "Rules", "Evaluated top to bottom; the first that matches decides.", CF_ROWS, NULL, rule_cols},
    {NULL, NULL, NULL, CF_BOOL, NULL, NULL}};
static const struct cf_field f_threat[] = {
    {"ips", "Intrusion prevention (IPS)", NULL, CF_ENUM, ips_modes, NULL},
    {"profile", "Protection profile", NULL, CF_ENUM, profiles, NULL},
    {"antivirus", "Anti-virus", NULL, CF_BOOL, NULL, NULL},
    {"anti_bot", "Anti-bot", NULL, CF_BOOL, NULL, NULL},
    {"exceptions", "Exceptions", "Protections that do not apply to a target.", CF_ROWS, NULL, exception_cols},
    {NULL, NULL, NULL, CF_BOOL, NULL, NULL}};
static const struct cf_field f_url[] = {
    {"blocked_categories", "Blocked categories", NULL, CF_CHOICES, categories, NULL},
    {"custom_blocked", "Also blocked", "Host names, one per line (www.example.com, *.example.com).", CF_LINES,
     NULL, NULL},
    {"custom_allowed", "Always allowed", "Host names, one per line.", CF_LINES, NULL, NULL},
    {NULL, NULL, NULL, CF_BOOL, NULL, NULL}};
static const struct cf_field f_ssl[] = {
    {"enabled", "Inspect encrypted traffic", NULL, CF_BOOL, NULL, NULL},
    {"bypass_categories", "Never inspected", NULL, CF_CHOICES, categories, NULL},
    {NULL, NULL, NULL, CF_BOOL, NULL, NULL}};
static const struct cf_field f_scan[] = {
    {"schedule", "Schedule", NULL, CF_ENUM, schedules, NULL},
    {"intensity", "Intensity", NULL, CF_ENUM, intensities, NULL},
    {"excluded_ranges", "Excluded networks", "Addresses or CIDR blocks, one per line.", CF_LINES, NULL, NULL},
    {NULL, NULL, NULL, CF_BOOL, NULL, NULL}};
static const struct cf_field f_updates[] = {
    {"ring", "Update ring", "Early gets new agents first; pinned stays on its version.", CF_ENUM, rings, NULL},
    {"window_day", "Maintenance day", NULL, CF_ENUM, days, NULL},
    {"window_start", "Window starts (UTC, HH:MM)", NULL, CF_TEXT, NULL, NULL},
    {"window_hours", "Window length (hours, 1 to 12)", NULL, CF_INT, NULL, NULL},
    {NULL, NULL, NULL, CF_BOOL, NULL, NULL}};
static const struct cf_field f_vpn[] = {
    {"enabled", "VPN on", NULL, CF_BOOL, NULL, NULL},
    {"peers", "Peers", NULL, CF_ROWS, NULL, peer_cols},
    {NULL, NULL, NULL, CF_BOOL, NULL, NULL}};
static const struct cf_field f_lan[] = {
    {"lan_ranges", "Local networks", "Addresses or CIDR blocks, one per line.", CF_LINES, NULL, NULL},
    {"dns_servers", "DNS servers", "Addresses, one per line (at most 8).", CF_LINES, NULL, NULL},
    {NULL, NULL, NULL, CF_BOOL, NULL, NULL}};
static const struct cf_field f_notify[] = {
    {"emails", "Also notify", "Email addresses, one per line (at most 20).", CF_LINES, NULL, NULL},
    {"min_severity", "From severity", NULL, CF_ENUM, severities, NULL},
    {NULL, NULL, NULL, CF_BOOL, NULL, NULL}};

static const struct cf_section cf_sections[] = {
    {"access_policy", f_access},  {"threat_prevention", f_threat}, {"url_filtering", f_url},
    {"ssl_inspection", f_ssl},    {"vuln_scanning", f_scan},       {"agent_updates", f_updates},
    {"vpn", f_vpn},               {"local_network", f_lan},        {"notifications", f_notify}};

/* Blank rows a table form offers below its rows, to add some. */
#define CF_BLANK_ROWS 3
/* At most this many rows are read from a table form (the database's
 * limits are lower: 500 rules). */
#define CF_MAX_ROWS 600

const struct cf_section *cf_find(const char *key)
{
	size_t i;

	for (i = 0; key != NULL && i < sizeof(cf_sections) / sizeof(cf_sections[0]); i++)
		if (strcmp(cf_sections[i].key, key) == 0)
			return &cf_sections[i];
	return NULL;
}

/* The items of a list typed in a text area (one per line) or a cell
 * (comma-separated): trimmed, empty ones dropped. */
static json_t *cf_list(const char *s, const char *seps)
{
	json_t *a = json_array();

	while (s != NULL && *s) {
		size_t n = strcspn(s, seps), b = 0, e = n;
		while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r'))
			b++;
		while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
			e--;
		if (e > b)
			json_array_append_new(a, json_stringn_nocheck(s + b, e - b));
		s += n;
		if (*s)
			s++;
	}
	return a;
}

/* A number typed as a whole number, else the text as typed (so the
 * database says what is wrong with it). */
static json_t *cf_int(const char *s)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return json_string("");
	v = strtol(s, &end, 10);
	return *end == '\0' && end != s ? json_integer(v) : json_string(s);
}

/* The section's document from the posted form. */
json_t *cf_from_form(struct req *req, const struct cf_section *sec)
{
	json_t *doc = json_object();
	const struct cf_field *f;
	char name[96];

	for (f = sec->fields; f->key != NULL; f++) {
		const char *v = http_form(req, f->key);
		size_t i;
		switch (f->kind) {
		case CF_ENUM:
		case CF_TEXT:
			json_object_set_new(doc, f->key, json_string(v ? v : ""));
			break;
		case CF_BOOL:
			json_object_set_new(doc, f->key, json_boolean(v != NULL));
			break;
		case CF_INT:
			json_object_set_new(doc, f->key, cf_int(v));
			break;
		case CF_LINES:
			json_object_set_new(doc, f->key, cf_list(v, "\n"));
			break;
		case CF_CHOICES: {
			json_t *a = json_array();
			for (i = 0; f->choices[i] != NULL; i++) {
				snprintf(name, sizeof(name), "%s.%s", f->key, f->choices[i]);
				if (http_form(req, name) != NULL)
					json_array_append_new(a, json_string(f->choices[i]));
			}
			json_object_set_new(doc, f->key, a);
			break;
		}
		case CF_ROWS: {
			json_t *rows = json_array();
			long n;
			snprintf(name, sizeof(name), "%s.count", f->key);
			n = http_form(req, name) ? strtol(http_form(req, name), NULL, 10) : 0;
			for (i = 0; n > 0 && i < (size_t)n && i < CF_MAX_ROWS; i++) {
				json_t *row = json_object();
				const struct cf_col *c;
				int typed = 0;
				for (c = f->cols; c->key != NULL; c++) {
					const char *cv;
					snprintf(name, sizeof(name), "%s.%zu.%s", f->key, i, c->key);
					cv = http_form(req, name);
					if (c->kind == CF_BOOL) {
						json_object_set_new(row, c->key, json_boolean(cv != NULL));
					} else if (c->kind == CF_LINES) {
						json_object_set_new(row, c->key, cf_list(cv, ","));
						typed |= cv != NULL && cv[strspn(cv, " ,")] != '\0';
					} else {
						json_object_set_new(row, c->key, json_string(cv ? cv : ""));
						typed |= cv != NULL && cv[strspn(cv, " ")] != '\0' && c->kind != CF_ENUM;
					}
				}
				if (typed)
					json_array_append_new(rows, row);
				else
					json_decref(row); /* a blank row (its select and box left as they came) */
			}
			json_object_set_new(doc, f->key, rows);
			break;
		}
		}
	}
	return doc;
}

/* The options of a select or the boxes of a set: {value, selected}. */
static json_t *cf_options(const char *const *choices, const json_t *v)
{
	json_t *a = json_array();
	size_t i, k;

	for (i = 0; choices[i] != NULL; i++) {
		int on = json_is_string(v) && strcmp(json_string_value(v), choices[i]) == 0;
		for (k = 0; json_is_array(v) && k < json_array_size(v); k++)
			on |= json_is_string(json_array_get(v, k)) &&
			      strcmp(json_string_value(json_array_get(v, k)), choices[i]) == 0;
		json_array_append_new(a, json_pack("{s:s, s:b}", "value", choices[i], "on", on));
	}
	return a;
}

/* A list as the text of its text area or cell. */
static json_t *cf_text(const json_t *v, const char *sep)
{
	struct buf b = BUF_INIT;
	json_t *out;
	size_t i;

	if (json_is_string(v))
		return json_string(json_string_value(v));
	if (json_is_integer(v)) {
		buf_printf(&b, "%lld", (long long)json_integer_value(v));
	} else {
		for (i = 0; json_is_array(v) && i < json_array_size(v); i++)
			if (json_is_string(json_array_get(v, i)))
				buf_printf(&b, "%s%s", i ? sep : "", json_string_value(json_array_get(v, i)));
	}
	out = json_string(b.data ? b.data : "");
	buf_free(&b);
	return out;
}

/* The form's model of a document: its fields with their values, for
 * templates/partials/plans_form.mustache; errors: {field: message}. */
json_t *cf_form_model(const struct cf_section *sec, const json_t *doc, const json_t *errors)
{
	json_t *fields = json_array();
	const struct cf_field *f;

	for (f = sec->fields; f->key != NULL; f++) {
		const json_t *v = json_object_get(doc, f->key);
		json_t *m = json_pack("{s:s, s:s}", "key", f->key, "label", f->label);
		if (f->help)
			json_object_set_new(m, "help", json_string(f->help));
		if (json_object_get(errors, f->key))
			json_object_set(m, "error", json_object_get(errors, f->key));
		switch (f->kind) {
		case CF_ENUM:
			json_object_set_new(m, "is_enum", json_true());
			json_object_set_new(m, "options", cf_options(f->choices, v));
			break;
		case CF_BOOL:
			json_object_set_new(m, "is_bool", json_true());
			json_object_set_new(m, "on", json_boolean(json_is_true(v)));
			break;
		case CF_INT:
		case CF_TEXT:
			json_object_set_new(m, "is_text", json_true());
			json_object_set_new(m, "value", cf_text(v, ""));
			break;
		case CF_LINES:
			json_object_set_new(m, "is_lines", json_true());
			json_object_set_new(m, "value", cf_text(v, "\n"));
			break;
		case CF_CHOICES:
			json_object_set_new(m, "is_choices", json_true());
			json_object_set_new(m, "options", cf_options(f->choices, v));
			break;
		case CF_ROWS: {
			json_t *cols = json_array(), *rows = json_array();
			const struct cf_col *c;
			size_t n = json_is_array(v) ? json_array_size(v) : 0, i;
			for (c = f->cols; c->key != NULL; c++)
				json_array_append_new(cols, json_pack("{s:s}", "label", c->label));
			for (i = 0; i < n + CF_BLANK_ROWS; i++) {
				const json_t *row = i < n ? json_array_get(v, i) : NULL;
				json_t *cells = json_array();
				for (c = f->cols; c->key != NULL; c++) {
					const json_t *cv = json_object_get(row, c->key);
					json_t *cell = json_pack("{s:s, s:s, s:I, s:I}", "col", c->key, "label", c->label, "i", (json_int_t)i,
					                         "n", (json_int_t)(i + 1));
					if (c->kind == CF_ENUM) {
						json_object_set_new(cell, "is_enum", json_true());
						json_object_set_new(cell, "options", cf_options(c->choices, cv));
					} else if (c->kind == CF_BOOL) {
						json_object_set_new(cell, "is_bool", json_true());
						json_object_set_new(cell, "on", json_boolean(json_is_true(cv)));
					} else {
						json_object_set_new(cell, "is_text", json_true());
						json_object_set_new(cell, "value", cf_text(cv, ", "));
					}
					json_array_append_new(cells, cell);
				}
				json_array_append_new(rows, json_pack("{s:I, s:I, s:o}", "i", (json_int_t)i, "n", (json_int_t)(i + 1),
				                                      "cells", cells));
			}
			json_object_set_new(m, "is_rows", json_true());
			json_object_set_new(m, "cols", cols);
			json_object_set_new(m, "rows", rows);
			json_object_set_new(m, "count", json_integer((json_int_t)(n + CF_BLANK_ROWS)));
			break;
		}
		}
		json_array_append_new(fields, m);
	}
	return fields;
}

/* The field a database message names ("rules[3].action: ..." names
 * rules), as the key of the form's errors; "" for the whole section. */
json_t *cf_errors(const struct cf_section *sec, const char *message)
{
	const struct cf_field *f;
	size_t n = strcspn(message, "[.:");

	for (f = sec->fields; f->key != NULL; f++)
		if (strlen(f->key) == n && strncmp(message, f->key, n) == 0)
			return json_pack("{s:s}", f->key, message);
	return json_pack("{s:s}", "", message);
}
