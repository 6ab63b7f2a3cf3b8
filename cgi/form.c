/* form.c - table-driven form validation. */
#include "form.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int form_is_email(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);

	if (at == NULL || at == s || strchr(at + 1, '@') != NULL || n > 320 || at - s > 64)
		return 0;
	if (strchr(at + 1, '.') == NULL || at[1] == '.' || s[n - 1] == '.')
		return 0;
	for (; *s; s++)
		if (isspace((unsigned char)*s) || iscntrl((unsigned char)*s))
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

int form_check(struct req *req, const struct form_field *fields, size_t n, json_t **values, json_t **errors)
{
	size_t i;
	int bad = 0;
	char msg[160];

	*values = json_object();
	*errors = json_object();
	for (i = 0; i < n; i++) {
		const struct form_field *f = &fields[i];
		const char *raw = http_form(req, f->name);
		char *v = trimmed(req, raw ? raw : "");
		const char *err = NULL;

		if (v == NULL)
			v = "";
		/* Keep what was typed (capped so a huge value is not echoed whole). */
		json_object_set_new(*values, f->name, json_stringn(v, strlen(v) > 2048 ? 2048 : strlen(v)));
		if (*v == '\0') {
			if (f->required) {
				snprintf(msg, sizeof(msg), "%s is required.", f->label);
				err = msg;
			}
		} else if (f->kind == FORM_TEXT && (form_utf8_len(v) < f->min || form_utf8_len(v) > f->max)) {
			snprintf(msg, sizeof(msg), "%s must have %zu to %zu characters.", f->label, f->min, f->max);
			err = msg;
		} else if (f->kind == FORM_EMAIL && !form_is_email(v)) {
			snprintf(msg, sizeof(msg), "Enter a valid email address, like name@example.com.");
			err = msg;
		} else if (f->kind == FORM_ID && !form_is_id(v)) {
			err = "Choose a valid entry.";
		} else if (f->kind == FORM_CHOICE) {
			const char *const *c;
			for (c = f->choices; *c != NULL && strcmp(*c, v) != 0; c++)
				;
			if (*c == NULL) {
				snprintf(msg, sizeof(msg), "Choose one of the listed values for %s.", f->label);
				err = msg;
			}
		}
		if (err != NULL) {
			json_object_set_new(*errors, f->name, json_string(err));
			bad++;
		}
	}
	return bad;
}
