/* form.h - validating input against a table of fields: the one table.
 *
 * Each form, and each kind of JSON item the API takes, declares its fields
 * once (name, kind, required, limits). form_value() is the one rule of each
 * kind; form_check() applies a table to an HTML form and yields the trimmed
 * values and, for each invalid field, the message to show next to it (the
 * values, valid or not, go back into the re-rendered form, so nothing the
 * user typed is lost); form_check_json() applies it to a JSON object and
 * yields the normalised item or the first error, in the API's wording. */
#ifndef FORM_H
#define FORM_H

#include <jansson.h>

#include "http.h"

enum form_kind {
	FORM_TEXT,     /* min..max characters */
	FORM_EMAIL,    /* form_is_email() */
	FORM_ID,       /* a database id, form_is_id() */
	FORM_CHOICE,   /* one of choices (NULL-terminated) */
	FORM_ENUM,     /* choices are pairs accepted -> stored, NULL-terminated */
	FORM_CVE,      /* form_cve(), stored upper case */
	FORM_TIME,     /* form_time(), between 1970 and a day from now */
	FORM_HOST,     /* min..max characters, then form_host() (lower-cased) */
	FORM_PASSWORD, /* min characters..max bytes, untrimmed, never echoed;
	                * repeated in the field named pair */
	FORM_OBJECT,   /* JSON only: a JSON object */
	FORM_INT,      /* a whole number (digits only) from min to max */
	FORM_DATE,     /* form_date(): YYYY-MM-DD, a day from 2000-01-01 to a day from now */
};

/* Why a value was refused; FORM_OK when it was not. */
enum form_err {
	FORM_OK,
	FORM_E_REQUIRED,
	FORM_E_TYPE, /* JSON: not a string (not an object for FORM_OBJECT) */
	FORM_E_SHORT,
	FORM_E_LONG,
	FORM_E_EMAIL,
	FORM_E_ID,
	FORM_E_CHOICE,
	FORM_E_CVE,
	FORM_E_TIME,
	FORM_E_RANGE, /* FORM_TIME: well formed, out of range */
	FORM_E_HOST,
	FORM_E_PAIR_MISSING, /* FORM_PASSWORD: the repetition is empty */
	FORM_E_PAIR_DIFFERS, /* FORM_PASSWORD: the two differ */
	FORM_E_INT,          /* FORM_INT: not a whole number in range */
	FORM_E_DATE,         /* FORM_DATE: not a day, or out of range */
	FORM_E_COUNT
};

struct form_field {
	const char *name;
	const char *label;
	enum form_kind kind;
	int required;
	size_t min, max;            /* characters (TEXT, HOST; PASSWORD: max in bytes);
	                             * INT: the value */
	const char *const *choices; /* CHOICE: a list; ENUM: pairs; NULL-terminated */
	const char *pair;           /* PASSWORD: the repetition's field */
	const char *col;            /* JSON: the key in the checked item (NULL: name) */
	const char *const *msgs;    /* optional: a message per enum form_err,
	                             * replacing the form's default (NULL: default) */
};

/* The largest normalised value form_value() writes (with its NUL). */
#define FORM_VALUE_MAX 1024

/* The one rule of f's kind for v, a non-empty string (PASSWORD: the pair's
 * value is not looked at here). *out is the value to store: v, or its
 * normalised spelling written to buf (CVE, ENUM, HOST; a HOST's also when it
 * is refused). *t receives a FORM_TIME's epoch seconds, a FORM_INT's value,
 * a FORM_DATE's day (days since 1970-01-01). */
enum form_err form_value(const struct form_field *f, const char *v, char buf[FORM_VALUE_MAX], const char **out,
                         long long *t);

/* The message to show next to field f refused with e: f's own (msgs) or
 * the form's default, in msg (160 bytes) or static. */
const char *form_message(const struct form_field *f, enum form_err e, char msg[160]);

/* Check the body fields of req against fields[0..n). *values receives a new
 * object name -> submitted (trimmed) string, normalised when valid
 * (passwords left out); *errors a new object name -> message, empty when
 * everything is valid. Returns the number of invalid fields. The caller
 * owns both objects. */
int form_check(struct req *req, const struct form_field *fields, size_t n, json_t **values, json_t **errors);

/* Check the one field f of req's body: NULL, or the message to show. *value
 * receives the trimmed (and, when valid, normalised) value, or NULL; both
 * live in the request's arena. For a single-field action. */
const char *form_get(struct req *req, const struct form_field *f, const char **value);

/* Check the JSON object item against fields[0..n) (absent and null are the
 * same); each present field is set, normalised, in out under its col. t[i]
 * and tset[i] (n each, or NULL) receive the FORM_TIME fields' epoch seconds.
 * Returns NULL, or the first error in the API's wording (in msg, which has
 * msgsize bytes, or static). */
const char *form_check_json(json_t *item, const struct form_field *fields, size_t n, json_t *out, long long *t,
                            unsigned char *tset, char *msg, size_t msgsize);

/* The checks every input path shares (forms, query filters, the JSON API):
 * one rule each, here and nowhere else. */
/* 1 if s is an email address the portal takes and mails: one @ with at
 * most 64 bytes before it, a dotted domain, at most 320 bytes, no space,
 * control or header-splitting character (< > , ; " ( ) [ ] and backslash).
 * Within what the database checks; the outbox refuses any other recipient. */
int form_is_email(const char *s);
/* Characters (code points) of a UTF-8 string, for length limits. */
size_t form_utf8_len(const char *s);
/* A CVE id, CVE-YYYY-NNNN with 4 to 7 digits after the year (what the
 * database stores), in any case: 1 and its upper-case spelling in out
 * (FORM_CVE_MAX + 1 bytes), else 0. */
#define FORM_CVE_MAX 16
int form_cve(const char *s, char out[FORM_CVE_MAX + 1]);
/* RFC 3339 date-time: 2026-11-22T05:40:00Z, optional fraction, Z or ±hh:mm
 * with an offset the database takes (at most ±15:59): 1 and the epoch
 * seconds (fraction dropped) in *epoch, else 0. No range check. */
int form_time(const char *s, long long *epoch);
/* A calendar day, YYYY-MM-DD: 1 and the days since 1970-01-01 in *day,
 * else 0. No range check. */
int form_date(const char *s, long long *day);
/* The range a FORM_DATE may take: from 2000-01-01 (10957) to a day ahead of
 * this worker's clock. */
#define FORM_DATE_MIN 10957LL
/* The range a FORM_TIME may take: from 1970 to a day ahead of this worker's
 * clock (a probe's clock may run a little fast; a date further ahead is a
 * mistake the dashboards would carry). */
#define FORM_TIME_MIN 0LL
#define FORM_TIME_AHEAD 86400LL
/* 1 if h is a lower-case DNS name with at least two labels (what the
 * database checks). */
int form_host(const char *h);
/* A database id: http_is_id(). */
#define form_is_id(s) http_is_id(s)

#endif
