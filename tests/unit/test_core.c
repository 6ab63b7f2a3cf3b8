/* test_core.c - the small pieces everything else stands on: buffers and
 * escaping, the arena, tokens, password hashes, input checks. */
#include <fcntl.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "arena.h"
#include "assets.h"
#include "buf.h"
#include "config.h"
#include "form.h"
#include "http.h"
#include "http_parse.h"
#include "metrics.h"
#include "pwhash.h"
#include "sdnotify.h"
#include "tap.h"
#include "token.h"
#include "view.h"

static void test_buf(void)
{
	struct buf b = BUF_INIT;
	int i;

	for (i = 0; i < 10000; i++)
		buf_putc(&b, 'x');
	TAP_OK(buf_ok(&b) && b.len == 10000 && b.data[10000] == '\0', "buf grows and stays NUL-terminated");
	buf_reset(&b);
	buf_printf(&b, "%d-%s-%lu", 42, "ab", (unsigned long)7);
	TAP_STR(b.data, "42-ab-7", "buf_printf formats");
	buf_reset(&b);
	buf_printf(&b, "%5000d|", 1);
	TAP_OK(b.len == 5001 && b.data[5000] == '|', "buf_printf longer than the first reservation");
	buf_reset(&b);
	buf_html(&b, "<a href=\"x\" title='y'>`=&</a>", 30);
	TAP_STR(b.data, "&lt;a href&#61;&quot;x&quot; title&#61;&#39;y&#39;&gt;&#96;&#61;&amp;&lt;/a&gt;",
	        "buf_html escapes & < > \" ' ` =");
	buf_reset(&b);
	buf_csv(&b, "plain");
	buf_putc(&b, '|');
	buf_csv(&b, "a,\"b\"\nc");
	buf_putc(&b, '|');
	buf_csv(&b, "=cmd()");
	buf_putc(&b, '|');
	buf_csv(&b, "-1");
	buf_putc(&b, '|');
	buf_csv(&b, "\t=1+2");
	buf_putc(&b, '|');
	buf_csv(&b, "\r@SUM(A1)");
	buf_putc(&b, '|');
	buf_csv(&b, "");
	TAP_STR(b.data, "plain|\"a,\"\"b\"\"\nc\"|\"'=cmd()\"|\"'-1\"|\"'\t=1+2\"|\"'\r@SUM(A1)\"|",
	        "buf_csv quotes and defuses formulas");
	{
		char *p = buf_take(&b);
		TAP_OK(p != NULL && b.data == NULL && b.len == 0, "buf_take hands the memory over");
		free(p);
	}
	buf_free(&b);
}

static void test_arena(void)
{
	struct arena a = ARENA_INIT;
	char *s, *big;
	int i, ok = 1;

	for (i = 0; i < 2000; i++) {
		s = arena_strdup(&a, "hello arena");
		if (s == NULL || strcmp(s, "hello arena") != 0 || ((uintptr_t)s & 15) != 0)
			ok = 0;
	}
	TAP_OK(ok, "arena strings are copied and 16-byte aligned across blocks");
	big = arena_alloc(&a, 100000);
	TAP_OK(big != NULL && big[0] == 0 && big[99999] == 0, "a large allocation is zeroed");
	TAP_OK(arena_calloc(&a, SIZE_MAX / 2, 4) == NULL, "arena_calloc refuses an overflowing size");
	arena_reset(&a);
	TAP_OK(a.used == 0 && arena_strndup(&a, "abc", 2) != NULL, "arena_reset keeps the arena usable");
	arena_free(&a);
}

static void test_tokens(void)
{
	char t1[TOK_HEX + 1], t2[TOK_HEX + 1], h[65];

	TAP_OK(tok_random_hex(t1, TOK_BYTES) == 0 && tok_random_hex(t2, TOK_BYTES) == 0, "random tokens");
	TAP_OK(tok_is_hex(t1, TOK_HEX) && strcmp(t1, t2) != 0, "tokens are 64 hex characters and differ");
	TAP_OK(!tok_is_hex("abc", TOK_HEX) && !tok_is_hex("ABCD", 4), "tok_is_hex wants lowercase hex of the length");
	tok_sha256_hex("abc", 3, h);
	TAP_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "SHA-256 test vector");
	/* RFC 4231 test case 2; twice, and again after tok_free (re-fetched). */
	tok_hmac_hex("Jefe", 4, "what do ya want for nothing?", 28, h);
	TAP_STR(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", "HMAC-SHA-256 test vector");
	tok_hmac_hex("Jefe", 4, "what do ya want for nothing?", 28, h);
	TAP_STR(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", "HMAC-SHA-256 again");
	tok_free();
	tok_hmac_hex("key", 3, "The quick brown fox jumps over the lazy dog", 43, h);
	TAP_STR(h, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", "HMAC-SHA-256 after tok_free");
	tok_sha256_hex("abc", 3, h);
	TAP_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "SHA-256 after tok_free");
	tok_free();
	TAP_OK(tok_equal("same", "same") && !tok_equal("same", "sane") && !tok_equal("same", "samey"),
	       "tok_equal compares whole strings");
}

/* The masks' pads come from a pool of RAND_bytes() (token.c): every pad
 * of a hundred masks is another, across the pool's refills; a forked child
 * does not hand out the pads its parent will (the pool is emptied in the
 * child), so the next mask of the same token differs between the two. */
static void test_mask_pads(void)
{
	static char masks[100][2 * TOK_HEX + 1];
	char tok[TOK_HEX + 1], mine[2 * TOK_HEX + 1], childs[2 * TOK_HEX + 1] = "";
	int distinct = 1, fds[2], status = 0;
	size_t i, j;
	pid_t pid = -1;

	TAP_OK(tok_random_hex(tok, TOK_BYTES) == 0, "a token to mask a hundred times");
	for (i = 0; i < 100; i++) {
		distinct &= tok_mask_hex(tok, masks[i], sizeof(masks[i])) == 0 && tok_masked_equal(masks[i], tok);
		for (j = 0; distinct && j < i; j++)
			distinct &= memcmp(masks[i], masks[j], 2 * TOK_HEX) != 0;
	}
	TAP_OK(distinct, "a hundred masks of one token (three refills of the pads' pool) all differ and unmask");
	TAP_OK(pipe(fds) == 0 && (pid = fork()) >= 0, "fork a child");
	if (pid < 0)
		return;
	if (pid == 0) {
		ssize_t w = -1;
		if (tok_mask_hex(tok, mine, sizeof(mine)) == 0)
			w = write(fds[1], mine, 2 * TOK_HEX);
		_exit(w == 2 * TOK_HEX ? 0 : 1);
	}
	close(fds[1]);
	TAP_OK(read(fds[0], childs, 2 * TOK_HEX) == 2 * TOK_HEX && waitpid(pid, &status, 0) == pid && status == 0,
	       "the child masks the token");
	close(fds[0]);
	TAP_OK(tok_mask_hex(tok, mine, sizeof(mine)) == 0 && memcmp(mine, childs, 2 * TOK_HEX) != 0 &&
	           tok_masked_equal(childs, tok),
	       "the child's mask is not the parent's next one: the child drew its own pads");
}

/* The CSRF token's masked form (BREACH): another string every time, each
 * unmasking to the token; anything else refused. */
static void test_masked_tokens(void)
{
	char tok[TOK_HEX + 1], other[TOK_HEX + 1], m1[2 * TOK_HEX + 1], m2[2 * TOK_HEX + 1], bad[2 * TOK_HEX + 1];
	char small[2 * TOK_HEX];
	size_t i;
	int flips = 1;

	TAP_OK(tok_random_hex(tok, TOK_BYTES) == 0 && tok_random_hex(other, TOK_BYTES) == 0, "tokens to mask");
	TAP_OK(tok_mask_hex(tok, m1, sizeof(m1)) == 0 && tok_mask_hex(tok, m2, sizeof(m2)) == 0,
	       "tok_mask_hex masks a 64-hex token");
	TAP_OK(tok_is_hex(m1, 2 * TOK_HEX) && strcmp(m1, m2) != 0 && strstr(m1, tok) == NULL,
	       "the masked forms are 128 hex characters, differ, and do not show the token");
	TAP_OK(tok_masked_equal(m1, tok) && tok_masked_equal(m2, tok), "both unmask to the token");
	TAP_OK(!tok_masked_equal(m1, other), "a masked form does not unmask to another token");
	TAP_OK(!tok_masked_equal(tok, tok) && !tok_masked_equal("", tok), "the bare token or nothing is not a masked form");
	/* Any one changed character, in the pad or in the masked token. */
	for (i = 0; i < 2 * TOK_HEX; i++) {
		memcpy(bad, m1, sizeof(bad));
		bad[i] = bad[i] == '0' ? '1' : '0';
		flips &= !tok_masked_equal(bad, tok);
	}
	TAP_OK(flips, "a masked form with any character changed is refused");
	memcpy(bad, m1, sizeof(bad));
	bad[2 * TOK_HEX - 1] = '\0';
	TAP_OK(!tok_masked_equal(bad, tok), "a shortened masked form is refused");
	memcpy(bad, m1, sizeof(bad));
	bad[0] = 'A';
	TAP_OK(!tok_masked_equal(bad, tok), "upper-case hex is refused");
	TAP_OK(tok_mask_hex(tok, small, sizeof(small)) == -1 && tok_mask_hex("xyz1", m1, sizeof(m1)) == -1 &&
	           tok_mask_hex("abc", m1, sizeof(m1)) == -1,
	       "tok_mask_hex refuses a short buffer and a token that is not hex");
	test_mask_pads();
}

static void test_passwords(void)
{
	char h[PW_HASH_MAX];

	TAP_OK(pw_hash("correct horse battery", h) == 0 && strncmp(h, "scrypt$32768$8$1$", 17) == 0,
	       "scrypt hash records N=2^15, r=8, p=1");
	{
		/* The setting the database answers: the hash without its key, and
		 * the key's length (login_setting()). */
		char setting[PW_HASH_MAX], d[PW_HASH_MAX];
		char *last = strrchr(h, '$');
		snprintf(setting, sizeof(setting), "%.*s$%zu", (int)(last - h), h, strlen(last + 1) / 2);
		TAP_OK(pw_derive("correct horse battery", setting, d) == 0 && strcmp(d, h) == 0,
		       "the right password derives the stored hash from its setting");
		TAP_OK(pw_derive("correct horse batterY", setting, d) == 0 && strcmp(d, h) != 0,
		       "a wrong password derives another");
	}
	{
		char d[PW_HASH_MAX];
		TAP_OK(pw_derive("x", "scrypt$1$8$1$0011223344556677$32", d) != 0 &&
		           pw_derive("x", "scrypt$32768$8$1$00$32", d) != 0 &&
		           pw_derive("x", "scrypt$32768$8$1$0011223344556677$8", d) != 0 &&
		           pw_derive("x", "scrypt$32768$8$1$0011223344556677$32x", d) != 0 &&
		           pw_derive("x", "scrypt$32768$8$1$0011223344556677$99", d) != 0 &&
		           pw_derive("x", "garbage", d) != 0 && pw_derive("x", NULL, d) != 0,
		       "malformed settings derive nothing");
	}
}

static void test_checks(void)
{
	static const char *const kinds[] = {"a", "b", NULL};
	struct buf b = BUF_INIT;

	TAP_OK(http_is_id("1") && http_is_id("999999999999999999"), "ids: 1 .. 18 digits");
	TAP_OK(!http_is_id("0") && !http_is_id("01") && !http_is_id("-1") && !http_is_id("1e3") &&
	           !http_is_id("1234567890123456789") && !http_is_id("") && !http_is_id(NULL),
	       "not ids: zero, leading zero, sign, exponent, 19 digits, empty");
	TAP_STR(http_choice("b", kinds, "a"), "b", "http_choice keeps an allowed value");
	TAP_STR(http_choice("c", kinds, "a"), "a", "http_choice falls back to the default");
	http_url_encode(&b, "a b&c=d/é@x.y");
	TAP_STR(b.data, "a%20b%26c%3Dd%2F%C3%A9@x.y", "http_url_encode");
	buf_free(&b);
	TAP_OK(form_is_email("a.b+c@example.co.uk"), "a plausible email address");
	TAP_OK(!form_is_email("a@b") && !form_is_email("a b@c.d") && !form_is_email("@c.d") && !form_is_email("a@@c.d") &&
	           !form_is_email("a@c.d."),
	       "implausible email addresses");
	/* One rule for forms and the outbox: nothing that ends or splits a
	 * mail header's address list, and no empty domain label. */
	TAP_OK(!form_is_email("a<b@c.d") && !form_is_email("a@c.d>") && !form_is_email("a,b@c.d") &&
	           !form_is_email("a;b@c.d") && !form_is_email("\"a\"@c.d") && !form_is_email("a(b)@c.d") &&
	           !form_is_email("a@[c.d]") && !form_is_email("a\\b@c.d") && !form_is_email("a@c..d") &&
	           !form_is_email("a@c.d\r\nBcc: x@y.z") && !form_is_email("a\x7f@c.d"),
	       "addresses that could split a mail header are refused");
}

/* One rule per kind, shared by forms, filters and the API (cgi/form.h). */
static void test_shared_checks(void)
{
	char cve[FORM_CVE_MAX + 1];

	TAP_OK(form_cve("CVE-2024-3400", cve) && strcmp(cve, "CVE-2024-3400") == 0, "cve: the shortest form");
	TAP_OK(form_cve("cve-2021-1234567", cve) && strcmp(cve, "CVE-2021-1234567") == 0,
	       "cve: any case, stored upper case, 7 digits after the year");
	TAP_OK(!form_cve("CVE-2021-12345678", cve) && !form_cve("CVE-2024-340", cve) && !form_cve("CVE-24-34000", cve) &&
	           !form_cve("CVE-2024_3400", cve) && !form_cve("XVE-2024-3400", cve) && !form_cve("CVE-2024-34a0", cve),
	       "cve: 8 digits, 3 digits, a short year, another separator or prefix, a letter");
	TAP_OK(form_utf8_len("") == 0 && form_utf8_len("abc") == 3 && form_utf8_len("\xc3\xa9t\xc3\xa9") == 3,
	       "utf8_len counts characters, not bytes");
	TAP_OK(form_is_id("42") && !form_is_id("042"), "form_is_id is http_is_id: no leading zero");
}

/* The one table (cgi/form.h): each kind's rule, then the table applied to
 * a form and to a JSON item. */
static enum form_err kind(enum form_kind k, const char *v, const char **out)
{
	static const char *const list[] = {"a", "b", NULL};
	static const char *const pairs[] = {"x", "stored-x", "y", "stored-y", NULL};
	static char buf[FORM_VALUE_MAX];
	struct form_field f = {.name = "f", .label = "F", .kind = k, .min = 2, .max = 4};
	const char *o;
	long long t;

	if (k == FORM_CHOICE || k == FORM_ENUM)
		f.choices = k == FORM_CHOICE ? list : pairs;
	if (k == FORM_HOST)
		f.min = 1, f.max = 253;
	return form_value(&f, v, buf, out != NULL ? out : &o, &t);
}

static void test_form_kinds(void)
{
	char now[32], ahead[32];
	const char *out;
	long long t;
	time_t n = time(NULL) + 3 * 86400;

	TAP_OK(kind(FORM_TEXT, "ab", NULL) == FORM_OK && kind(FORM_TEXT, "\xc3\xa9t\xc3\xa9!", NULL) == FORM_OK,
	       "text: min..max characters");
	TAP_OK(kind(FORM_TEXT, "a", NULL) == FORM_E_SHORT && kind(FORM_TEXT, "abcde", NULL) == FORM_E_LONG,
	       "text: too short, too long");
	TAP_OK(kind(FORM_EMAIL, "a@b.co", NULL) == FORM_OK && kind(FORM_EMAIL, "a@b", NULL) == FORM_E_EMAIL, "email");
	TAP_OK(kind(FORM_ID, "7", NULL) == FORM_OK && kind(FORM_ID, "07", NULL) == FORM_E_ID, "id");
	TAP_OK(kind(FORM_CHOICE, "b", NULL) == FORM_OK && kind(FORM_CHOICE, "c", NULL) == FORM_E_CHOICE,
	       "choice: one of the list");
	TAP_OK(kind(FORM_ENUM, "y", &out) == FORM_OK && strcmp(out, "stored-y") == 0 &&
	           kind(FORM_ENUM, "stored-y", NULL) == FORM_E_CHOICE,
	       "enum: an accepted value becomes its stored one");
	TAP_OK(kind(FORM_CVE, "cve-2024-3400", &out) == FORM_OK && strcmp(out, "CVE-2024-3400") == 0 &&
	           kind(FORM_CVE, "CVE-2024-340", NULL) == FORM_E_CVE,
	       "cve: stored upper case");
	TAP_OK(form_time("2026-01-31T12:00:00Z", &t) && t == 1769860800LL, "time: UTC");
	TAP_OK(form_time("2026-01-31T12:00:00.123+15:59", &t) && t == 1769860800LL - (15 * 60 + 59) * 60 &&
	           form_time("2026-01-31 12:00:00-01:30", &t) && t == 1769860800LL + 90 * 60,
	       "time: a fraction, offsets up to ±15:59");
	TAP_OK(!form_time("2026-01-31T12:00:00+16:00", &t) && !form_time("2026-01-31T12:00:00", &t) &&
	           !form_time("2025-02-29T00:00:00Z", &t) && !form_time("2026-01-31T24:00:00Z", &t) &&
	           !form_time("2026-01-31T12:00:00.Z", &t),
	       "time: no offset past 15:59, a zone is required, real dates and hours only");
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&(time_t){time(NULL)}));
	strftime(ahead, sizeof(ahead), "%Y-%m-%dT%H:%M:%SZ", gmtime(&n));
	TAP_OK(kind(FORM_TIME, now, NULL) == FORM_OK && kind(FORM_TIME, "1970-01-01T00:00:00Z", NULL) == FORM_OK,
	       "time: 1970 and now are in range");
	TAP_OK(kind(FORM_TIME, "1969-12-31T23:59:59Z", NULL) == FORM_E_RANGE &&
	           kind(FORM_TIME, ahead, NULL) == FORM_E_RANGE && kind(FORM_TIME, "yesterday", NULL) == FORM_E_TIME,
	       "time: before 1970 or days ahead is out of range; not a date-time");
	TAP_OK(form_date("2024-02-29", &t) && t == 19782 && form_date("1970-01-01", &t) && t == 0 &&
	           !form_date("2025-02-29", &t) && !form_date("2025-13-01", &t) && !form_date("2025-1-01", &t) &&
	           !form_date("2025-01-01T00:00:00Z", &t),
	       "date: real days only, YYYY-MM-DD");
	TAP_OK(kind(FORM_DATE, "2000-01-01", NULL) == FORM_OK && kind(FORM_DATE, "1999-12-31", NULL) == FORM_E_DATE &&
	           kind(FORM_DATE, "2999-01-01", NULL) == FORM_E_DATE && kind(FORM_DATE, "soon", NULL) == FORM_E_DATE,
	       "date: from 2000 to a day ahead");
	TAP_OK(form_host("portal.example.com") && form_host("a-1.b.co") && !form_host("localhost") &&
	           !form_host("-a.example.com") && !form_host("a-.example.com") && !form_host("a..b") &&
	           !form_host("Portal.example.com"),
	       "host: lower-case labels, at least two, no hyphen at a label's edge");
	TAP_OK(kind(FORM_HOST, "Portal.Example.COM", &out) == FORM_OK && strcmp(out, "portal.example.com") == 0 &&
	           kind(FORM_HOST, "a_b.com", &out) == FORM_E_HOST && strcmp(out, "a_b.com") == 0,
	       "host: lower-cased, also when refused");
	TAP_OK(kind(FORM_PASSWORD, "\xc3\xa9\xc3\xa9", NULL) == FORM_OK &&
	           kind(FORM_PASSWORD, "\xc3\xa9", NULL) == FORM_E_SHORT &&
	           kind(FORM_PASSWORD, "\xc3\xa9\xc3\xa9\xc3\xa9", NULL) == FORM_E_LONG,
	       "password: at least min characters, at most max bytes");
	TAP_OK(kind(FORM_OBJECT, "{}", NULL) == FORM_E_TYPE, "object: a string is not one");
	TAP_OK(kind(FORM_INT, "2", NULL) == FORM_OK && kind(FORM_INT, "04", NULL) == FORM_OK &&
	           kind(FORM_INT, "1", NULL) == FORM_E_INT && kind(FORM_INT, "5", NULL) == FORM_E_INT &&
	           kind(FORM_INT, "-3", NULL) == FORM_E_INT && kind(FORM_INT, "3.0", NULL) == FORM_E_INT &&
	           kind(FORM_INT, "1234567890123456789", NULL) == FORM_E_INT,
	       "int: whole numbers from min to max, digits only");
}

static void test_form_check(void)
{
	static const char *const roles[] = {"admin", "analyst", NULL};
	static const char *const msgs[FORM_E_COUNT] = {[FORM_E_PAIR_DIFFERS] = "They differ."};
	static const struct form_field fields[] = {
	    {.name = "name", .label = "Name", .kind = FORM_TEXT, .required = 1, .min = 1, .max = 5},
	    {.name = "email", .label = "Email", .kind = FORM_EMAIL, .required = 1},
	    {.name = "role", .label = "Role", .kind = FORM_CHOICE, .choices = roles},
	    {.name = "host", .label = "Host", .kind = FORM_HOST, .min = 1, .max = 253},
	    {.name = "pw", .label = "Password", .kind = FORM_PASSWORD, .required = 1, .min = PW_MIN_LEN,
	     .max = PW_MAX_LEN, .pair = "pw2", .msgs = msgs},
	};
	static const char body[] = "name=+toolong+&role=x&host=Portal.Example.com&pw=+0123456789&pw2=0123456789";
	static struct req req;
	json_t *values, *errors;
	int bad;

	req.body_read = 1;
	http_parse_urlencoded(&req.arena, body, strlen(body), NULL, &req.form);
	bad = form_check(&req, fields, 5, &values, &errors);
	TAP_OK(bad == 4 && json_object_size(errors) == 4, "form_check: four fields refused");
	TAP_STR(json_string_value(json_object_get(errors, "name")), "Name must have 1 to 5 characters.",
	        "form_check: the length message names the field");
	TAP_STR(json_string_value(json_object_get(errors, "email")), "Email is required.", "form_check: required");
	TAP_STR(json_string_value(json_object_get(errors, "role")), "Choose one of the listed values for Role.",
	        "form_check: choice");
	TAP_STR(json_string_value(json_object_get(errors, "pw2")), "They differ.",
	        "form_check: a password is taken as typed, and a field's own message replaces the default");
	TAP_STR(json_string_value(json_object_get(values, "name")), "toolong", "form_check: values come back trimmed");
	TAP_STR(json_string_value(json_object_get(values, "host")), "portal.example.com",
	        "form_check: a valid value comes back normalised");
	TAP_OK(json_object_get(values, "pw") == NULL && json_object_get(values, "pw2") == NULL,
	       "form_check: passwords never come back");
	json_decref(values);
	json_decref(errors);
	{
		static const struct form_field id = {.name = "role", .label = "Role", .kind = FORM_ID, .required = 1};
		static const struct form_field host = {.name = "host", .label = "Host", .kind = FORM_HOST, .min = 1, .max = 99};
		const char *v, *why = form_get(&req, &id, &v);

		TAP_OK(why != NULL && strcmp(why, "Choose a valid entry.") == 0 && strcmp(v, "x") == 0,
		       "form_get: one field refused, its value kept");
		TAP_OK(form_get(&req, &host, &v) == NULL && strcmp(v, "portal.example.com") == 0,
		       "form_get: one field valid, normalised");
	}
	arena_free(&req.arena);
}

static void test_form_check_json(void)
{
	static const char *const sev[] = {"high", "high", "Critical", "critical", NULL};
	static const struct form_field fields[] = {
	    {.name = "cve", .kind = FORM_CVE, .required = 1},
	    {.name = "severity", .kind = FORM_ENUM, .required = 1, .choices = sev},
	    {.name = "asset_external_id", .kind = FORM_TEXT, .min = 1, .max = 3, .col = "asset"},
	    {.name = "seen", .kind = FORM_TIME},
	    {.name = "extra", .kind = FORM_OBJECT},
	};
	char msg[160];
	long long t[5];
	unsigned char tset[5] = {0};
	json_t *o = json_object(), *item;
	const char *why;

	item = json_pack("{s:s, s:s, s:s, s:s, s:{}}", "cve", "cve-2024-3400", "severity", "Critical", "asset_external_id",
	                 "a1", "seen", "2026-01-31T12:00:00Z", "extra");
	why = form_check_json(item, fields, 5, o, t, tset, msg, sizeof(msg));
	TAP_OK(why == NULL && strcmp(json_string_value(json_object_get(o, "cve")), "CVE-2024-3400") == 0 &&
	           strcmp(json_string_value(json_object_get(o, "severity")), "critical") == 0 &&
	           strcmp(json_string_value(json_object_get(o, "asset")), "a1") == 0 &&
	           json_is_object(json_object_get(o, "extra")) && tset[3] && t[3] == 1769860800LL,
	       "json: normalised values under their columns, the time's seconds");
	json_decref(item);
#define JSON_ERR(js, want, what)                                                                                  \
	do {                                                                                                     \
		item = json_loads(js, 0, NULL);                                                                  \
		why = form_check_json(item, fields, 5, o, NULL, NULL, msg, sizeof(msg));                         \
		TAP_STR(why ? why : "(none)", want, what);                                                       \
		json_decref(item);                                                                               \
	} while (0)
	JSON_ERR("{\"severity\": \"high\"}", "cve is required", "json: required");
	JSON_ERR("{\"cve\": null, \"severity\": \"high\"}", "cve is required", "json: null is absent");
	JSON_ERR("{\"cve\": 1, \"severity\": \"high\"}", "cve must be a string", "json: not a string");
	JSON_ERR("{\"cve\": \"CVE-1\", \"severity\": \"high\"}", "cve must look like CVE-2024-12345", "json: cve");
	JSON_ERR("{\"cve\": \"CVE-2024-3400\", \"severity\": \"low\"}", "severity: unknown value", "json: enum");
	JSON_ERR("{\"cve\": \"CVE-2024-3400\", \"severity\": \"high\", \"asset_external_id\": \"abcd\"}",
	         "asset_external_id must be 1 to 3 characters", "json: length");
	JSON_ERR("{\"cve\": \"CVE-2024-3400\", \"severity\": \"high\", \"seen\": \"2026-01-31\"}",
	         "seen must be an RFC 3339 date-time (2026-01-31T12:00:00Z; offsets up to ±15:59)", "json: time");
	JSON_ERR("{\"cve\": \"CVE-2024-3400\", \"severity\": \"high\", \"seen\": \"1960-01-31T00:00:00Z\"}",
	         "seen must be between 1970 and a day from now", "json: time range");
	JSON_ERR("{\"cve\": \"CVE-2024-3400\", \"severity\": \"high\", \"extra\": []}", "extra must be a JSON object",
	         "json: object");
#undef JSON_ERR
	json_decref(o);
}

/* Every outcome has a status, a name and a sentence. */
static void test_results(void)
{
	static const struct {
		enum res r;
		int status;
		const char *name;
	} want[] = {{R_SUCCESS, 200, "ok"},           {R_NOT_MODIFIED, 304, "not_modified"},
	            {R_BAD_INPUT, 400, "bad_request"}, {R_TOO_MANY, 429, "too_many_requests"},
	            {R_UPSTREAM, 502, "bad_gateway"},  {R_UNAVAILABLE, 503, "unavailable"},
	            {R_INTERNAL, 500, "internal_error"}};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		TAP_OK(res_status(want[i].r) == want[i].status && strcmp(res_name(want[i].r), want[i].name) == 0 &&
		           *res_message(want[i].r) != '\0',
		       "result %s is %d", want[i].name, want[i].status);
}

static void test_grouped(void)
{
	char b[32];
	json_t *o = json_pack("{s:I, s:s, s:I}", "n", (json_int_t)1234567, "s", "x", "z", (json_int_t)0), *t;

	TAP_STR(view_grouped(0, b), "0", "grouped: 0");
	TAP_STR(view_grouped(999, b), "999", "grouped: 999");
	TAP_STR(view_grouped(1000, b), "1,000", "grouped: 1,000");
	TAP_STR(view_grouped(-1234567, b), "-1,234,567", "grouped: negative");
	TAP_STR(view_grouped(INT64_MIN, b), "-9,223,372,036,854,775,808", "grouped: the smallest 64-bit value");
	t = view_numbers(o);
	TAP_OK(json_object_size(t) == 2 && strcmp(json_string_value(json_object_get(t, "n")), "1,234,567") == 0 &&
	           strcmp(json_string_value(json_object_get(t, "z")), "0") == 0,
	       "view_numbers: the integers as text, nothing else");
	json_decref(t);
	json_decref(o);
	TAP_STR(view_minutes(0, b), "0 m", "minutes: 0");
	TAP_STR(view_minutes(45, b), "45 m", "minutes: under an hour");
	TAP_STR(view_minutes(60, b), "1 h", "minutes: a whole hour");
	TAP_STR(view_minutes(125, b), "2 h 05 m", "minutes: hours and two-digit minutes");
	TAP_STR(view_minutes(320, b), "5 h 20 m", "minutes: hours and minutes");
	TAP_STR(view_minutes(1440, b), "1 d", "minutes: a whole day");
	TAP_STR(view_minutes(33360, b), "23 d 04 h", "minutes: days and hours, minutes dropped");
	TAP_STR(view_minutes(-5, b), "0 m", "minutes: negative");
	TAP_STR(view_minutes(INT64_MAX, b), "6405119470038038 d 18 h", "minutes: the largest 64-bit value fits");
	TAP_STR(view_duration(1200.0, b), "20 h", "duration: 1200.0 minutes");
	TAP_STR(view_duration(124.6, b), "2 h 05 m", "duration: rounded to the minute");
	TAP_STR(view_duration(0.2, b), "< 1 m", "duration: under half a minute");
	TAP_STR(view_duration(0, b), "0 m", "duration: zero");
	TAP_STR(view_duration(-3, b), "0 m", "duration: negative");
	TAP_STR(view_duration(1e300, b), "6405119470038038 d 18 h", "duration: huge is capped");
	TAP_STR(view_days("0.0", b), "< 1 day", "days: 0.0");
	TAP_STR(view_days("0.4", b), "< 1 day", "days: under one");
	TAP_STR(view_days("1.0", b), "1 day", "days: one");
	TAP_STR(view_days("3.5", b), "3.5 days", "days: a fraction");
	TAP_STR(view_days("250.0", b), "250 days", "days: many, no fraction");
	TAP_STR(view_days("", b), "–", "days: no data");
	TAP_STR(view_days(NULL, b), "–", "days: NULL");
	TAP_STR(view_days("x", b), "–", "days: not a number");
	{
		char c[96];
		TAP_STR(view_count(1, "incident", "incidents", c), "1 incident", "count: one");
		TAP_STR(view_count(0, "incident", "incidents", c), "0 incidents", "count: zero is plural");
		TAP_STR(view_count(2, "incident", "incidents", c), "2 incidents", "count: two");
		TAP_STR(view_count(1234, "customer", "customers", c), "1,234 customers", "count: grouped");
	}
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* The layout rendered with an empty model (plus what render() adds). */
static int login_page(struct buf *out)
{
	struct mus_error err;
	json_t *m = json_object();
	int r = view_render_named("auth_login", m, out, &err) == R_SUCCESS && buf_ok(out) ? 0 : -1;

	json_decref(m);
	buf_puts(out, "");
	return r;
}

/* The static files' hashed names from scripts/assets' manifest, and the
 * layout's links with and without one. */
static void test_assets(void)
{
	char dir[] = "/tmp/portal-assets-XXXXXX", path[64];
	struct mus_error err;
	struct buf page = BUF_INIT;
	json_t *m;
	int saved_err = dup(2), devnull = open("/dev/null", O_WRONLY);

	/* assets_load() logs to stderr, which tests/run reads with the TAP
	 * lines (stdout is buffered: a record could land inside one). */
	fflush(stdout);
	dup2(devnull, 2);
	TAP_OK(mkdtemp(dir) != NULL, "a folder for the manifest");
	snprintf(path, sizeof(path), "%s/assets.json", dir);
	TAP_OK(view_init("templates", &err) == R_SUCCESS, "templates compile");
	TAP_OK(assets_load(dir) == R_SUCCESS && assets_model() == NULL, "no manifest: no \"static\"");
	TAP_OK(login_page(&page) == 0 && strstr(page.data, "href=\"/static/css/portal.css\"") != NULL &&
	           strstr(page.data, "src=\"/static/js/theme.js\"") != NULL,
	       "no manifest: the layout links the plain names");
	buf_free(&page);
	write_file(path, "{\"css/portal.css\": \"css/portal.0123456789ab.css\",\n"
	                 " \"js/theme.js\": \"js/theme.abcdefabcdef.js\"}\n");
	TAP_OK(assets_load(dir) == R_SUCCESS && (m = assets_model()) != NULL && json_object_size(m) == 2,
	       "the manifest's entries");
	TAP_STR(json_string_value(json_object_get(assets_model(), "css_portal_css")), "/static/css/portal.0123456789ab.css",
	        "a path's key: letters and digits, the rest '_'; its value the URL");
	TAP_OK(login_page(&page) == 0 && strstr(page.data, "href=\"/static/css/portal.0123456789ab.css\"") != NULL &&
	           strstr(page.data, "src=\"/static/js/theme.abcdefabcdef.js\"") != NULL &&
	           strstr(page.data, "portal.css\"") == NULL,
	       "the layout links the hashed names, and only those");
	buf_free(&page);
	write_file(path, "[\"css/portal.css\"]");
	TAP_OK(assets_load(dir) == R_INTERNAL && json_object_get(assets_model(), "css_portal_css") != NULL,
	       "a manifest that is not an object is refused; the names loaded before stay");
	write_file(path, "{\"css/portal.css\": \"../../etc/passwd\"}");
	TAP_OK(assets_load(dir) == R_INTERNAL, "a name outside the folder is refused");
	write_file(path, "{\"css/portal.css\": \"css/a\\\"b.css\"}");
	TAP_OK(assets_load(dir) == R_INTERNAL, "a name with a quote is refused");
	unlink(path);
	rmdir(dir);
	assets_free();
	view_free();
	fflush(stdout);
	dup2(saved_err, 2);
	close(saved_err);
	close(devnull);
}

/* A setting out of its range, or not a number, is said in the log and
 * the default is taken. */
static void test_config_numbers(void)
{
	char path[] = "/tmp/test_core_XXXXXX", got[1024] = "";
	int fd = mkstemp(path), saved = dup(2);
	const struct config *c;
	FILE *f;
	size_t n;

	setenv("PORTAL_MAX_REQUESTS", "1000000000", 1);
	setenv("PORTAL_DRAIN_SECONDS", "7s", 1);
	setenv("PORTAL_SOCKET_MODE", "0640", 1);
	fflush(stderr);
	dup2(fd, 2);
	c = config_load();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	TAP_OK(c->max_requests == 10000 && c->drain_seconds == 10 && c->socket_mode == 0640,
	       "config: an out-of-range or malformed number gives the default; a good one is taken");
	f = fdopen(fd, "r");
	rewind(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	fclose(f);
	unlink(path);
	TAP_OK(strstr(got, "PORTAL_MAX_REQUESTS=1000000000 is not a whole number from 1 to 100000000: 10000 is used") &&
	           strstr(got, "PORTAL_DRAIN_SECONDS=7s is not a whole number from 1 to 600: 10 is used") &&
	           !strstr(got, "PORTAL_SOCKET_MODE"),
	       "config: each refused number is said in the log, with the value used");
	unsetenv("PORTAL_MAX_REQUESTS");
	unsetenv("PORTAL_DRAIN_SECONDS");
	unsetenv("PORTAL_SOCKET_MODE");
}

/* Receive one datagram on fd (waiting at most a second) into got. */
static void recv_state(int fd, char *got, size_t size)
{
	struct timeval tv = {1, 0};
	ssize_t n;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	n = recv(fd, got, size - 1, 0);
	got[n > 0 ? n : 0] = '\0';
}

static void test_sd_notify(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char path[64], got[128];
	int fd;

	unsetenv("NOTIFY_SOCKET");
	TAP_OK(sd_notify_state("READY=1") == 1, "sd_notify: no NOTIFY_SOCKET, nothing sent");
	snprintf(path, sizeof(path), "/tmp/test-notify-%d.sock", (int)getpid());
	unlink(path);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	TAP_OK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "sd_notify: a socket to listen on");
	setenv("NOTIFY_SOCKET", path, 1);
	TAP_OK(sd_notify_state("READY=1\nSTATUS=serving") == 0, "sd_notify: sent to a path");
	recv_state(fd, got, sizeof(got));
	TAP_STR(got, "READY=1\nSTATUS=serving", "sd_notify: the state arrives whole");
	TAP_OK(sd_notify_reloading() == 0, "sd_notify: reloading sent");
	recv_state(fd, got, sizeof(got));
	TAP_OK(strncmp(got, "RELOADING=1\nMONOTONIC_USEC=", 27) == 0 && atoll(got + 27) > 0,
	       "sd_notify: RELOADING=1 with the monotonic clock in microseconds");
	close(fd);
	unlink(path);
	/* the abstract namespace: '@' stands for the leading NUL */
	snprintf(path, sizeof(path), "@test-notify-%d", (int)getpid());
	memset(sa.sun_path, 0, sizeof(sa.sun_path));
	memcpy(sa.sun_path + 1, path + 1, strlen(path) - 1);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	TAP_OK(fd >= 0 && bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	                                                                strlen(path))) == 0,
	       "sd_notify: an abstract socket to listen on");
	setenv("NOTIFY_SOCKET", path, 1);
	TAP_OK(sd_notify_state("STOPPING=1") == 0, "sd_notify: sent to an abstract socket");
	recv_state(fd, got, sizeof(got));
	TAP_STR(got, "STOPPING=1", "sd_notify: the abstract socket gets it");
	close(fd);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	TAP_OK(sd_notify_state("READY=1") == -1, "sd_notify: a NOTIFY_SOCKET that is no socket name is refused");
	unsetenv("NOTIFY_SOCKET");
}

static void test_metrics_allow(void)
{
	static const struct {
		const char *list, *addr;
		int want;
	} cases[] = {
	    {"127.0.0.1, ::1", "127.0.0.1", 1},
	    {"127.0.0.1, ::1", "::1", 1},
	    {"127.0.0.1, ::1", "127.0.0.2", 0},
	    {"127.0.0.1", "::ffff:127.0.0.1", 1}, /* the IPv4-mapped spelling */
	    {"::ffff:10.0.0.0/104", "10.9.9.9", 1},
	    {"10.0.0.0/8", "10.255.1.2", 1},
	    {"10.0.0.0/8", "11.0.0.1", 0},
	    {"192.168.4.0/22", "192.168.7.255", 1},
	    {"192.168.4.0/22", "192.168.8.0", 0},
	    {"192.168.4.0/22", "192.168.3.255", 0},
	    {"0.0.0.0/0", "203.0.113.9", 1},
	    {"0.0.0.0/0", "2001:db8::1", 0},
	    {"fd00::/8", "fd12:3456::1", 1},
	    {"fd00::/8", "fe80::1", 0},
	    {"2001:db8::/127", "2001:db8::1", 1},
	    {"2001:db8::/127", "2001:db8::2", 0},
	    {"10.0.0.0/33, 127.0.0.1", "10.0.0.1", 0}, /* a bad entry allows nobody */
	    {"10.0.0.0/", "10.0.0.1", 0},
	    {"10.0.0.0/x", "10.0.0.1", 0},
	    {"10.0.0.0/99999999999", "10.0.0.1", 0},
	    {"not-an-address", "10.0.0.1", 0},
	    {"", "127.0.0.1", 0},
	    {"127.0.0.1", "", 0},
	    {"127.0.0.1", "127.0.0.1/32", 0}, /* an address only, never a range */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		TAP_OK(metrics_addr_in(cases[i].list, cases[i].addr) == cases[i].want, "metrics allow: [%s] %s %s",
		       cases[i].list, cases[i].want ? "holds" : "lacks", cases[i].addr);
	TAP_OK(metrics_allow_check("127.0.0.1, ::1 10.0.0.0/8,fd00::/8") == NULL, "metrics allow: a good list passes");
	TAP_STR(metrics_allow_check("127.0.0.1, 10.0.0.0/40, ::1"), "10.0.0.0/40", "metrics allow: the bad entry named");
	TAP_OK(metrics_allow_check("") == NULL && metrics_allow_check(NULL) == NULL, "metrics allow: empty is fine");
}

int main(void)
{
	test_grouped();
	test_buf();
	test_arena();
	test_tokens();
	test_masked_tokens();
	test_passwords();
	test_checks();
	test_shared_checks();
	test_form_kinds();
	test_form_check();
	test_form_check_json();
	test_results();
	test_assets();
	test_config_numbers();
	test_sd_notify();
	test_metrics_allow();
	return tap_done();
}
