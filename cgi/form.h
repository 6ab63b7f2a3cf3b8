/* form.h - validating a form against a table of fields.
 *
 * Each form declares its fields once (name, kind, required, limits); one
 * call checks the request's body against the table and yields the trimmed
 * values and, for each invalid field, the message to show next to it. The
 * values (valid or not) go back into the re-rendered form, so nothing the
 * user typed is lost. */
#ifndef FORM_H
#define FORM_H

#include <jansson.h>

#include "http.h"

enum form_kind { FORM_TEXT, FORM_EMAIL, FORM_ID, FORM_CHOICE };

struct form_field {
	const char *name;
	const char *label;
	enum form_kind kind;
	int required;
	size_t min, max;             /* characters (TEXT); ignored otherwise */
	const char *const *choices;  /* FORM_CHOICE: NULL-terminated list */
};

/* Check the body fields of req against fields[0..n). *values receives a new
 * object name -> submitted (trimmed) string; *errors a new object name ->
 * message, empty when everything is valid. Returns the number of invalid
 * fields. The caller owns both objects. */
int form_check(struct req *req, const struct form_field *fields, size_t n, json_t **values, json_t **errors);
/* 1 if s is a plausible email address (what the database also checks). */
int form_is_email(const char *s);

/* The checks every input path shares (forms, query filters, the JSON API):
 * one rule each, here and nowhere else. */
/* Characters (code points) of a UTF-8 string, for length limits. */
size_t form_utf8_len(const char *s);
/* A CVE id, CVE-YYYY-NNNN with 4 to 7 digits after the year (what the
 * database stores), in any case: 1 and its upper-case spelling in out
 * (FORM_CVE_MAX + 1 bytes), else 0. */
#define FORM_CVE_MAX 16
int form_cve(const char *s, char out[FORM_CVE_MAX + 1]);
/* A database id: http_is_id(). */
#define form_is_id(s) http_is_id(s)

#endif
