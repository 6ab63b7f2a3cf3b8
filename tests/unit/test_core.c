/* test_core.c - the small pieces everything else stands on: buffers and
 * escaping, the arena, tokens, password hashes, input checks. */
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "form.h"
#include "http.h"
#include "pwhash.h"
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
	TAP_STR(b.data, "plain|\"a,\"\"b\"\"\nc\"|\"'=cmd()\"|\"'-1\"", "buf_csv quotes and defuses formulas");
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
	TAP_STR(view_minutes(0, b), "0 min", "minutes: 0");
	TAP_STR(view_minutes(45, b), "45 min", "minutes: under an hour");
	TAP_STR(view_minutes(60, b), "1 h", "minutes: a whole hour");
	TAP_STR(view_minutes(320, b), "5 h 20 min", "minutes: hours and minutes");
	TAP_STR(view_minutes(1440, b), "1 d", "minutes: a whole day");
	TAP_STR(view_minutes(33360, b), "23 d 4 h", "minutes: days and hours, minutes dropped");
	TAP_STR(view_minutes(-5, b), "0 min", "minutes: negative");
	TAP_STR(view_minutes(INT64_MAX, b), "6405119470038038 d 18 h", "minutes: the largest 64-bit value fits");
}

int main(void)
{
	test_grouped();
	test_buf();
	test_arena();
	test_tokens();
	test_passwords();
	test_checks();
	test_shared_checks();
	test_results();
	return tap_done();
}
