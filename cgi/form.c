/* form.c - table-driven form validation. */
#include "form.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int form_is_email(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL || n > 320 || at - s > 64)
		return 0;
	if (strchr(at + 1, '.') == NULL || at[1] == '.' || s[n - 1] == '.' || strstr(at, "..") != NULL)
		return 0;
	/* Nothing that could end or split a mail header's address list. */
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || strchr("<>,;\"()[]\\", *s) != NULL)
			return 0;
	return 1;
}

size_t form_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int form_cve(const char *s, char out[FORM_CVE_MAX + 1])
{
	size_t n = strlen(s), i;

	if (n < 13 || n > FORM_CVE_MAX || strncasecmp(s, "CVE-", 4) != 0 || s[8] != '-')
		return 0;
	for (i = 4; i < n; i++)
		if (i != 8 && !isdigit((unsigned char)s[i]))
			return 0;
	memcpy(out, "CVE", 3);
	memcpy(out + 3, s + 3, n - 3 + 1);
	return 1;
}

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

int form_date(const char *s, long long *day)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d;

	if (strlen(s) != 10 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
		return 0;
	y = num(s, 4), mo = num(s + 5, 2), d = num(s + 8, 2);
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] ||
	    (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
		return 0;
	*day = days_from_civil(y, mo, d);
	return 1;
}

int form_time(const char *s, long long *epoch)
{
	char date[11];
	long long day;
	int off = 0;
	size_t len = strlen(s);

	if (len < 20 || len > 40 || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s + 11, 2) ||
	    s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
		return 0;
	memcpy(date, s, 10); /* the day: form_date()'s rule */
	date[10] = '\0';
	if (!form_date(date, &day))
		return 0;
	if (num(s + 11, 2) > 23 || num(s + 14, 2) > 59 || num(s + 17, 2) > 60)
		return 0;
	*epoch = day * 86400 + num(s + 11, 2) * 3600 + num(s + 14, 2) * 60 + num(s + 17, 2);
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

int form_host(const char *h)
{
	size_t n = strlen(h), label = 0;
	int dots = 0;

	if (n < 3 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = h[i];
		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
			dots++;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
		if (c == '-' && label == 0)
			return 0;
		if (++label > 63)
			return 0;
	}
	return dots > 0 && label > 0 && h[n - 1] != '-';
}

enum form_err form_value(const struct form_field *f, const char *v, char buf[FORM_VALUE_MAX], const char **out,
                         long long *t)
{
	size_t n;

	*out = v;
	switch (f->kind) {
	case FORM_TEXT:
		n = form_utf8_len(v);
		return n < f->min ? FORM_E_SHORT : n > f->max ? FORM_E_LONG : FORM_OK;
	case FORM_EMAIL:
		return form_is_email(v) ? FORM_OK : FORM_E_EMAIL;
	case FORM_ID:
		return form_is_id(v) ? FORM_OK : FORM_E_ID;
	case FORM_CHOICE:
		for (const char *const *c = f->choices; *c != NULL; c++)
			if (strcmp(*c, v) == 0)
				return FORM_OK;
		return FORM_E_CHOICE;
	case FORM_ENUM:
		for (const char *const *c = f->choices; *c != NULL; c += 2)
			if (strcmp(*c, v) == 0) {
				*out = c[1];
				return FORM_OK;
			}
		return FORM_E_CHOICE;
	case FORM_CVE:
		if (!form_cve(v, buf))
			return FORM_E_CVE;
		*out = buf;
		return FORM_OK;
	case FORM_TIME:
		if (!form_time(v, t))
			return FORM_E_TIME;
		return *t < FORM_TIME_MIN || *t > (long long)time(NULL) + FORM_TIME_AHEAD ? FORM_E_RANGE : FORM_OK;
	case FORM_HOST:
		if (strlen(v) < FORM_VALUE_MAX) {
			for (n = 0; v[n]; n++)
				buf[n] = (char)tolower((unsigned char)v[n]);
			buf[n] = '\0';
			*out = buf;
		}
		n = form_utf8_len(v);
		return n < f->min ? FORM_E_SHORT : n > f->max ? FORM_E_LONG : form_host(*out) ? FORM_OK : FORM_E_HOST;
	case FORM_PASSWORD:
		/* Characters at least, bytes at most: what sign-in takes. */
		return form_utf8_len(v) < f->min ? FORM_E_SHORT : strlen(v) > f->max ? FORM_E_LONG : FORM_OK;
	case FORM_OBJECT:
		return FORM_E_TYPE; /* a string is not an object */
	case FORM_INT:
		n = strlen(v);
		if (n > 18 || !digits(v, (int)n))
			return FORM_E_INT;
		*t = strtoll(v, NULL, 10);
		return *t < (long long)f->min || *t > (long long)f->max ? FORM_E_INT : FORM_OK;
	case FORM_DATE:
		if (!form_date(v, t))
			return FORM_E_DATE;
		return *t < FORM_DATE_MIN || *t > ((long long)time(NULL) + FORM_TIME_AHEAD) / 86400 ? FORM_E_DATE : FORM_OK;
	}
	return FORM_E_TYPE;
}

static char *trimmed(struct req *req, const char *v)
{
	size_t n;

	while (*v && isspace((unsigned char)*v))
		v++;
	n = strlen(v);
	while (n && isspace((unsigned char)v[n - 1]))
		n--;
	return arena_strndup(&req->arena, v, n);
}

/* See form.h. */
const char *form_message(const struct form_field *f, enum form_err e, char msg[160])
{
	if (f->msgs != NULL && f->msgs[e] != NULL)
		return f->msgs[e];
	switch (e) {
	case FORM_E_REQUIRED:
		snprintf(msg, 160, "%s is required.", f->label);
		return msg;
	case FORM_E_SHORT:
	case FORM_E_LONG:
		snprintf(msg, 160, "%s must have %zu to %zu characters.", f->label, f->min, f->max);
		return msg;
	case FORM_E_EMAIL:
		return "Enter a valid email address, like name@example.com.";
	case FORM_E_ID:
		return "Choose a valid entry.";
	case FORM_E_CHOICE:
		snprintf(msg, 160, "Choose one of the listed values for %s.", f->label);
		return msg;
	case FORM_E_CVE:
		return "Enter a CVE id like CVE-2024-12345.";
	case FORM_E_TIME:
		return "Enter a date and time like 2026-01-31T12:00:00Z.";
	case FORM_E_RANGE:
		snprintf(msg, 160, "%s must be between 1970 and a day from now.", f->label);
		return msg;
	case FORM_E_HOST:
		return "Enter a host name like portal.example.com (letters, digits, hyphens and dots).";
	case FORM_E_PAIR_MISSING:
		return "Repeat the password.";
	case FORM_E_PAIR_DIFFERS:
		return "The two passwords differ.";
	case FORM_E_INT:
		snprintf(msg, 160, "%s must be a whole number from %zu to %zu.", f->label, f->min, f->max);
		return msg;
	case FORM_E_DATE:
		snprintf(msg, 160, "%s must be a day like 2026-01-31, from 2000 to today.", f->label);
		return msg;
	case FORM_OK:
	case FORM_E_TYPE:
	case FORM_E_COUNT:
		break;
	}
	snprintf(msg, 160, "%s is not valid.", f->label);
	return msg;
}

int form_check(struct req *req, const struct form_field *fields, size_t n, json_t **values, json_t **errors)
{
	size_t i;
	int bad = 0;
	char msg[160], buf[FORM_VALUE_MAX];
	long long t;

	*values = json_object();
	*errors = json_object();
	for (i = 0; i < n; i++) {
		const struct form_field *f = &fields[i];
		const char *raw = http_form(req, f->name), *out = NULL, *v;
		enum form_err e = FORM_OK;

		if (f->kind == FORM_PASSWORD) {
			/* Taken as typed, and never sent back. */
			const char *p2 = f->pair != NULL ? http_form(req, f->pair) : NULL;
			raw = raw ? raw : "";
			p2 = p2 ? p2 : "";
			if (*raw == '\0')
				e = f->required ? FORM_E_REQUIRED : FORM_OK;
			else
				e = form_value(f, raw, buf, &out, &t);
			if (e != FORM_OK) {
				json_object_set_new(*errors, f->name, json_string(form_message(f, e, msg)));
				bad++;
			}
			e = FORM_OK;
			if (f->pair == NULL)
				continue;
			if (*p2 == '\0' && (f->required || *raw != '\0'))
				e = FORM_E_PAIR_MISSING;
			else if (*p2 != '\0' && strcmp(raw, p2) != 0)
				e = FORM_E_PAIR_DIFFERS;
			if (e != FORM_OK) {
				json_object_set_new(*errors, f->pair, json_string(form_message(f, e, msg)));
				bad++;
			}
			continue;
		}
		v = trimmed(req, raw ? raw : "");
		if (v == NULL)
			v = "";
		if (*v == '\0') {
			if (f->required)
				e = FORM_E_REQUIRED;
		} else {
			e = form_value(f, v, buf, &out, &t);
			if (e == FORM_OK || f->kind == FORM_HOST)
				v = out;
		}
		/* Keep what was typed, to correct: a value too long by a quarter
		 * comes back whole, a huge one only in part (cut between
		 * characters, so the page never sends half of one). */
		{
			size_t cap = f->max > 512 ? f->max * 4 + f->max : 2048, len = strlen(v);
			if (len > cap) {
				len = cap;
				while (len > 0 && ((unsigned char)v[len] & 0xC0) == 0x80)
					len--;
			}
			json_object_set_new(*values, f->name, json_stringn(v, len));
		}
		if (e != FORM_OK) {
			json_object_set_new(*errors, f->name, json_string(form_message(f, e, msg)));
			bad++;
		}
	}
	return bad;
}

const char *form_get(struct req *req, const struct form_field *f, const char **value)
{
	json_t *values, *errors;
	const char *why, *v;

	form_check(req, f, 1, &values, &errors);
	why = json_string_value(json_object_get(errors, f->name));
	v = json_string_value(json_object_get(values, f->name));
	*value = v != NULL ? arena_strdup(&req->arena, v) : NULL;
	if (why != NULL && (why = arena_strdup(&req->arena, why)) == NULL)
		why = "Check this field."; /* out of memory: still refused */
	json_decref(values);
	json_decref(errors);
	return why;
}

const char *form_check_json(json_t *item, const struct form_field *fields, size_t n, json_t *out, long long *t,
                            unsigned char *tset, char *msg, size_t msgsize)
{
	char buf[FORM_VALUE_MAX];

	for (size_t i = 0; i < n; i++) {
		const struct form_field *f = &fields[i];
		json_t *v = json_object_get(item, f->name);
		const char *s;
		long long tv = 0;

		if (v == NULL || json_is_null(v)) {
			if (f->required) {
				snprintf(msg, msgsize, "%s is required", f->name);
				return msg;
			}
			continue;
		}
		if (f->kind == FORM_OBJECT) {
			if (!json_is_object(v)) {
				snprintf(msg, msgsize, "%s must be a JSON object", f->name);
				return msg;
			}
			json_object_set(out, f->col ? f->col : f->name, v);
			continue;
		}
		if (!json_is_string(v)) {
			snprintf(msg, msgsize, "%s must be a string", f->name);
			return msg;
		}
		switch (form_value(f, json_string_value(v), buf, &s, &tv)) {
		case FORM_OK:
			break;
		case FORM_E_SHORT:
		case FORM_E_LONG:
			snprintf(msg, msgsize, "%s must be %zu to %zu characters", f->name, f->min, f->max);
			return msg;
		case FORM_E_CHOICE:
			snprintf(msg, msgsize, "%s: unknown value", f->name);
			return msg;
		case FORM_E_CVE:
			snprintf(msg, msgsize, "%s must look like CVE-2024-12345", f->name);
			return msg;
		case FORM_E_TIME:
			snprintf(msg, msgsize, "%s must be an RFC 3339 date-time (2026-01-31T12:00:00Z; offsets up to ±15:59)",
			         f->name);
			return msg;
		case FORM_E_RANGE:
			snprintf(msg, msgsize, "%s must be between 1970 and a day from now", f->name);
			return msg;
		default:
			snprintf(msg, msgsize, "%s is not valid", f->name);
			return msg;
		}
		if (f->kind == FORM_TIME && t != NULL && tset != NULL) {
			t[i] = tv;
			tset[i] = 1;
		}
		json_object_set_new(out, f->col ? f->col : f->name, json_string(s));
	}
	return NULL;
}
