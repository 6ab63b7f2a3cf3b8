/* fuzz_form.c - libFuzzer target for cgi/form.c, the one validator table:
 * what every form field, query filter and ingest API item goes through.
 *
 * data[0] picks the kind (mod FORM_KINDS) and whether it is required,
 * data[1] the limits; the rest is the value, up to its first NUL. Besides
 * what ASan and UBSan see, it checks what form.h promises: every answer is
 * one of the errors and has a message; a value taken is taken again as it
 * was stored (the normalised spelling is a fixed point, with the same
 * time, day or number; an ENUM stores one of its stored words), within its
 * limits, and of its kind's shape (a
 * host form_host() takes, an upper-case CVE id, an address with nothing
 * that could split a mail header, a time or day in range); and the JSON
 * path (form_check_json(), the API's) takes or refuses the same value the
 * same way, storing the same spelling. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FORM_KINDS 12 /* FORM_TEXT .. FORM_DATE */

static const char *const choices[] = {"low", "medium", "high", "critical", NULL};
static const char *const pairs[] = {"open", "open", "ack", "acknowledged", "Resolved", "resolved", NULL};

static void check(int ok)
{
	if (!ok)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t limits[][2] = {{0, 0}, {1, 1}, {1, 120}, {3, 253}, {8, 72}, {0, 5000}, {2, 1023}, {1, 9}};
	struct form_field f = {.name = "v", .label = "Value", .col = "stored"};
	char buf[FORM_VALUE_MAX], again_buf[FORM_VALUE_MAX], msg[160], v[4096];
	const char *out = NULL, *again = NULL, *why;
	long long t = 0, t2 = 0;
	enum form_err e;
	size_t n;
	json_t *item, *stored;

	if (size < 3)
		return 0;
	f.kind = (enum form_kind)(data[0] % FORM_KINDS);
	f.required = (data[0] / FORM_KINDS) & 1;
	f.min = limits[data[1] % 8][0];
	f.max = limits[data[1] % 8][1];
	f.choices = f.kind == FORM_ENUM ? pairs : choices;
	n = strnlen((const char *)data + 2, size - 2);
	if (n == 0 || n >= sizeof(v))
		return 0;
	memcpy(v, data + 2, n);
	v[n] = '\0';

	e = form_value(&f, v, buf, &out, &t);
	check(e >= FORM_OK && e < FORM_E_COUNT);
	check(form_message(&f, e, msg) != NULL);
	if (e == FORM_OK) {
		check(out != NULL && strlen(out) < FORM_VALUE_MAX + (out == v ? sizeof(v) : 0));
		if (f.kind != FORM_ENUM) { /* (an ENUM stores another word than it takes) */
			check(form_value(&f, out, again_buf, &again, &t2) == FORM_OK && strcmp(again, out) == 0);
			if (f.kind == FORM_TIME || f.kind == FORM_INT || f.kind == FORM_DATE)
				check(t2 == t);
		}
		switch (f.kind) {
		case FORM_TEXT: check(form_utf8_len(out) >= f.min && form_utf8_len(out) <= f.max); break;
		case FORM_HOST: check(form_host(out) && form_utf8_len(v) <= f.max); break;
		case FORM_CVE: check(strncmp(out, "CVE-", 4) == 0 && strlen(out) <= FORM_CVE_MAX); break;
		case FORM_EMAIL: check(strpbrk(out, "\r\n<>,;") == NULL && strchr(out, '@') != NULL); break;
		case FORM_TIME: check(t >= FORM_TIME_MIN && t <= (long long)time(NULL) + FORM_TIME_AHEAD); break;
		case FORM_DATE: check(t >= FORM_DATE_MIN); break;
		case FORM_INT: check(t >= (long long)f.min && t <= (long long)f.max); break;
		case FORM_ENUM: check(out == pairs[1] || out == pairs[3] || out == pairs[5]); break;
		default: break;
		}
	}

	/* The API's path: the same value in an item, as a string. */
	item = json_object();
	stored = json_object();
	if (json_object_set_new(item, "v", json_stringn(v, n)) == 0 && json_object_get(item, "v") != NULL) {
		why = form_check_json(item, &f, 1, stored, NULL, NULL, msg, sizeof(msg));
		check((why == NULL) == (e == FORM_OK));
		if (why == NULL)
			check(json_is_string(json_object_get(stored, "stored")) &&
			      strcmp(json_string_value(json_object_get(stored, "stored")), out) == 0);
	}
	json_decref(item);
	json_decref(stored);
	return 0;
}
