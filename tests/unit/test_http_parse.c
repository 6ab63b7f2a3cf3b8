/* test_http_parse.c - cgi/http_parse.c: one behaviour per check, limits
 * tested exactly at and one past each bound. */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "http_parse.h"
#include "tap.h"

#define B "XyZ123boundary"

/* tap.h's TAP_STR declares tap_c_ and then expands TAP_OK, which declares
 * it again, so it trips -Wshadow under -Werror; this is the same check with
 * names that do not collide. */
#define IS_STR(got, want, ...)                                                  \
	do {                                                                        \
		const char *is_g_ = (got), *is_w_ = (want);                             \
		int is_same_ = is_g_ && is_w_ && strcmp(is_g_, is_w_) == 0;             \
		TAP_OK(is_same_, __VA_ARGS__);                                          \
		if (!is_same_)                                                          \
			printf("#   got  [%s]\n#   want [%s]\n", is_g_ ? is_g_ : "(null)",   \
			       is_w_ ? is_w_ : "(null)");                                   \
	} while (0)

static struct arena A = ARENA_INIT;
static struct http_params P;

/* A string of n copies of c, from the arena. */
static char *rep(char c, size_t n)
{
	char *s = arena_alloc(&A, n + 1);
	memset(s, c, n);
	return s;
}

static enum res url(const char *s) { return http_parse_urlencoded(&A, s, strlen(s), NULL, &P); }
static enum res url_lim(const char *s, const struct http_limits *l)
{
	return http_parse_urlencoded(&A, s, strlen(s), l, &P);
}
static enum res ck(const char *s) { return http_parse_cookies(&A, s, strlen(s), NULL, &P); }
static enum res mp(const char *s) { return http_parse_multipart(&A, s, strlen(s), B, NULL, &P); }
static enum res mpn(const char *s, size_t n, const struct http_limits *l)
{
	return http_parse_multipart(&A, s, n, B, l, &P);
}
static enum res js(const char *s, json_t **j, char *err, size_t errlen)
{
	return http_parse_json(s, strlen(s), NULL, j, err, errlen);
}

/* "--B\r\nContent-Disposition: form-data; name="<name>"\r\n\r\n<value>\r\n" */
static char *field(const char *name, const char *value)
{
	size_t n = strlen(name) + strlen(value) + 128;
	char *s = arena_alloc(&A, n);
	snprintf(s, n, "--" B "\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", name,
	         value);
	return s;
}

static char *cat3(const char *x, const char *y, const char *z)
{
	size_t n = strlen(x) + strlen(y) + strlen(z);
	char *s = arena_alloc(&A, n + 1);
	strcpy(s, x);
	strcat(s, y);
	strcat(s, z);
	return s;
}

/* A multipart body with one file part of `n` bytes of `fill`; length in *len. */
static char *file_body(size_t n, char fill, size_t *len)
{
	const char *h = "--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.bin\"\r\n"
	                "Content-Type: application/octet-stream\r\n\r\n";
	const char *t = "\r\n--" B "--\r\n";
	size_t hl = strlen(h), tl = strlen(t);
	char *s = arena_alloc(&A, hl + n + tl + 1);
	memcpy(s, h, hl);
	memset(s + hl, fill, n);
	memcpy(s + hl + n, t, tl);
	*len = hl + n + tl;
	return s;
}

static char *nested(size_t depth)
{
	char *s = arena_alloc(&A, 2 * depth + 2);
	memset(s, '[', depth);
	memset(s + depth, ']', depth);
	return s;
}

static void test_pct_decode(void)
{
	char buf[32] = "a%20b+c%2B";
	long n = http_pct_decode(buf, buf, strlen(buf), 1);
	TAP_OK(n == 6 && memcmp(buf, "a b c+", 6) == 0,
	       "pct_decode: in place, %%20 and + become spaces, %%2B a plus");
	n = http_pct_decode(buf, "a+b", 3, 0);
	TAP_OK(n == 3 && memcmp(buf, "a+b", 3) == 0, "pct_decode: plus kept when plus=0");
	TAP_OK(http_pct_decode(buf, "%G1", 3, 1) == -1, "pct_decode: %%G1 is a bad escape");
	TAP_OK(http_pct_decode(buf, "ab%4", 4, 1) == -1, "pct_decode: truncated %%4 is a bad escape");
	TAP_OK(http_pct_decode(buf, "%", 1, 1) == -1, "pct_decode: lone %% is a bad escape");
	n = http_pct_decode(buf, "%00%fF", 6, 0);
	TAP_OK(n == 2 && buf[0] == 0 && (unsigned char)buf[1] == 0xff,
	       "pct_decode: NUL and mixed-case hex decode");
}

static void test_urlencoded(void)
{
	const struct http_param *x;

	TAP_OK(url("a=1&b=%20x+y") == R_SUCCESS && P.count == 2, "url: two pairs");
	IS_STR(http_param_str(&P, "a"), "1", "url: a=1");
	IS_STR(http_param_str(&P, "b"), " x y", "url: percent and plus decoded");
	TAP_OK(url("a") == R_SUCCESS && P.count == 1, "url: bare name accepted");
	IS_STR(http_param_str(&P, "a"), "", "url: bare name has empty value");
	TAP_OK(url("=1&&b=2&=&") == R_SUCCESS && P.count == 1, "url: empty names skipped");
	IS_STR(P.items[0].name, "b", "url: only the named pair kept");
	TAP_OK(url("") == R_SUCCESS && P.count == 0, "url: empty string is no pairs");
	TAP_OK(http_parse_urlencoded(&A, NULL, 0, NULL, &P) == R_SUCCESS && P.count == 0,
	       "url: NULL with length 0 is no pairs");
	TAP_OK(url("a=1&a=2") == R_SUCCESS && P.count == 2, "url: repeated names all kept");
	IS_STR(http_param_str(&P, "a"), "1", "url: param_get returns the first");
	TAP_OK(http_param_get(&P, "zz") == NULL, "url: missing name is NULL");
	TAP_OK(url("a%3Db=c%26d") == R_SUCCESS, "url: escaped = and & parse");
	IS_STR(http_param_str(&P, "a=b"), "c&d", "url: escaped = and & are data");
	TAP_OK(url("f=%00x") == R_SUCCESS && (x = http_param_get(&P, "f")) && x->value_len == 2 &&
	           x->value[0] == 0 && x->value[1] == 'x',
	       "url: NUL in a value kept with value_len");
	TAP_OK(url("a%00b=1") == R_BAD_INPUT, "url: NUL in a name refused");
	TAP_OK(url("a=%G1") == R_BAD_INPUT, "url: %%G1 is BAD_INPUT");
	TAP_OK(url("a=%4") == R_BAD_INPUT, "url: truncated %%4 is BAD_INPUT");
	TAP_OK(url("a%=1") == R_BAD_INPUT, "url: bad escape in a name is BAD_INPUT");
	TAP_OK(url("a=1&b=%zz") == R_BAD_INPUT && P.count == 0, "url: error leaves count 0");
}

static void test_urlencoded_limits(void)
{
	size_t i;
	char *s = arena_alloc(&A, 65 * 8 + 1), *p = s;

	for (i = 0; i < 64; i++)
		p += sprintf(p, "%sf%zu=1", i ? "&" : "", i);
	TAP_OK(url(s) == R_SUCCESS && P.count == 64, "url: 64 fields at the limit pass");
	sprintf(p, "&f64=1");
	TAP_OK(url(s) == R_TOO_LARGE, "url: 65 fields refused");

	TAP_OK(url(cat3(rep('n', 128), "=v", "")) == R_SUCCESS, "url: 128-byte name passes");
	TAP_OK(url(cat3(rep('n', 129), "=v", "")) == R_TOO_LARGE, "url: 129-byte name refused");
	TAP_OK(url(cat3("v=", rep('x', 65536), "")) == R_SUCCESS && P.items[0].value_len == 65536,
	       "url: 64 KiB value passes");
	TAP_OK(url(cat3("v=", rep('x', 65537), "")) == R_TOO_LARGE, "url: 64 KiB + 1 value refused");
	TAP_OK(url(cat3(rep('n', 126), "%41", "")) == R_SUCCESS,
	       "url: limit counts decoded bytes (126+1 = 127)");

	struct http_limits l = http_default_limits;
	l.max_body = 8;
	TAP_OK(url_lim("abc=1234", &l) == R_SUCCESS, "url: body at max_body passes");
	TAP_OK(url_lim("abc=12345", &l) == R_TOO_LARGE, "url: body over max_body refused");
}

static void test_cookies(void)
{
	TAP_OK(ck("a=1; b=2") == R_SUCCESS && P.count == 2, "cookie: two pairs");
	IS_STR(http_param_str(&P, "b"), "2", "cookie: b=2");
	TAP_OK(ck("s=\"quoted val\"") == R_SUCCESS, "cookie: quoted value parses");
	IS_STR(http_param_str(&P, "s"), "quoted val", "cookie: quotes removed");
	TAP_OK(ck("p=%20x") == R_SUCCESS, "cookie: percent sequence parses");
	IS_STR(http_param_str(&P, "p"), "%20x", "cookie: values not percent-decoded");
	TAP_OK(ck("  a = 1 ;b=2;") == R_SUCCESS && P.count == 2, "cookie: whitespace tolerated");
	IS_STR(http_param_str(&P, "a"), "1", "cookie: name and value trimmed");
	TAP_OK(ck("garbage; =x; a b=1; c=\"x; d=\x01; ok=yes; e=") == R_SUCCESS, "cookie: garbage tolerated");
	TAP_OK(P.count == 2, "cookie: malformed pairs skipped");
	IS_STR(http_param_str(&P, "ok"), "yes", "cookie: good pair among garbage kept");
	IS_STR(http_param_str(&P, "e"), "", "cookie: empty value kept");
	TAP_OK(ck("k=a=b") == R_SUCCESS, "cookie: '=' in a value parses");
	IS_STR(http_param_str(&P, "k"), "a=b", "cookie: value split at the first '='");
	TAP_OK(ck("") == R_SUCCESS && P.count == 0, "cookie: empty header is no pairs");
}

static void test_cookie_limits(void)
{
	size_t i;
	char *s = arena_alloc(&A, 65 * 9 + 1), *p = s;

	for (i = 0; i < 64; i++)
		p += sprintf(p, "%sc%zu=1", i ? "; " : "", i);
	TAP_OK(ck(s) == R_SUCCESS && P.count == 64, "cookie: 64 cookies at the limit pass");
	sprintf(p, "; c64=1");
	TAP_OK(ck(s) == R_TOO_LARGE, "cookie: 65 cookies refused");
	TAP_OK(ck(cat3(rep('n', 128), "=v", "")) == R_SUCCESS, "cookie: 128-byte name passes");
	TAP_OK(ck(cat3(rep('n', 129), "=v", "")) == R_TOO_LARGE, "cookie: 129-byte name refused");
	TAP_OK(ck(cat3("v=", rep('x', 65536), "")) == R_SUCCESS, "cookie: 64 KiB value passes");
	TAP_OK(ck(cat3("v=", rep('x', 65537), "")) == R_TOO_LARGE, "cookie: 64 KiB + 1 value refused");
}

static void test_boundary(void)
{
	IS_STR(http_multipart_boundary(&A, "multipart/form-data; boundary=abc"), "abc",
	        "boundary: plain token");
	IS_STR(http_multipart_boundary(&A, "multipart/form-data; boundary=\"a b:c\""), "a b:c",
	        "boundary: quoted with space and colon");
	IS_STR(http_multipart_boundary(&A, "Multipart/Form-Data; charset=utf-8; BOUNDARY=xyz; x=\"y;z\""),
	        "xyz", "boundary: case-insensitive, params before and after");
	IS_STR(http_multipart_boundary(&A, "multipart/form-data;boundary=----WebKitFormBoundaryAbC"),
	        "----WebKitFormBoundaryAbC", "boundary: browser style without space");
	IS_STR(http_multipart_boundary(&A, cat3("multipart/form-data; boundary=", rep('b', 70), "")),
	        rep('b', 70), "boundary: 70 chars pass");
	TAP_OK(http_multipart_boundary(&A, cat3("multipart/form-data; boundary=", rep('b', 71), "")) ==
	           NULL,
	       "boundary: 71 chars refused");
	TAP_OK(http_multipart_boundary(&A, "multipart/form-data; boundary=") == NULL,
	       "boundary: empty refused");
	TAP_OK(http_multipart_boundary(&A, "multipart/form-data; boundary=\"\"") == NULL,
	       "boundary: empty quoted refused");
	TAP_OK(http_multipart_boundary(&A, "multipart/form-data; charset=utf-8") == NULL,
	       "boundary: absent is NULL");
	TAP_OK(http_multipart_boundary(&A, "multipart/form-data; boundary=\"abc") == NULL,
	       "boundary: unterminated quote refused");
	TAP_OK(http_multipart_boundary(&A, "multipart/form-data; boundary=a<b") == NULL,
	       "boundary: char outside bchars refused");
	TAP_OK(http_multipart_boundary(&A, "multipart/form-data; boundary=\"ab \"") == NULL,
	       "boundary: trailing space refused");
	TAP_OK(http_multipart_boundary(&A, "multipart/form-data; boundary=a; boundary=b") == NULL,
	       "boundary: two boundaries refused");
	TAP_OK(http_multipart_boundary(&A, "text/plain; boundary=abc") == NULL,
	       "boundary: non-multipart type refused");
	TAP_OK(http_multipart_boundary(&A, NULL) == NULL, "boundary: NULL content type");
}

static void test_multipart(void)
{
	const struct http_param *x;
	const char *body =
	    "preamble to ignore\r\n"
	    "--" B "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHello world\r\n"
	    "--" B "\r\ncontent-disposition: form-data; name=\"doc\"; filename=\"report.pdf\"\r\n"
	    "Content-Type: application/pdf\r\n\r\n%PDF-1.4\r\n"
	    "--" B "--\r\nepilogue to ignore";

	TAP_OK(mp(body) == R_SUCCESS && P.count == 2, "multipart: two parts");
	IS_STR(http_param_str(&P, "title"), "Hello world", "multipart: text field value");
	TAP_OK((x = http_param_get(&P, "title")) && x->filename == NULL && x->content_type == NULL,
	       "multipart: text field has no filename or type");
	x = http_param_get(&P, "doc");
	IS_STR(x ? x->filename : NULL, "report.pdf", "multipart: filename");
	IS_STR(x ? x->content_type : NULL, "application/pdf", "multipart: part content type");
	IS_STR(x ? x->value : NULL, "%PDF-1.4", "multipart: file content");

	TAP_OK(mp("--" B "\nContent-Disposition: form-data; name=a\n\nv\n--" B "--") == R_SUCCESS,
	       "multipart: bare LF line endings accepted");
	IS_STR(http_param_str(&P, "a"), "v", "multipart: bare LF value");
	TAP_OK(mp("--" B "--\r\n") == R_SUCCESS && P.count == 0, "multipart: no parts is OK");
	TAP_OK(mp(cat3(field("e", ""), "--" B "--", "")) == R_SUCCESS &&
	           (x = http_param_get(&P, "e")) && x->value_len == 0,
	       "multipart: empty value");
	TAP_OK(mp(cat3(field("m", "line1\r\nline2\r\n"), "--" B "--", "")) == R_SUCCESS,
	       "multipart: multi-line value parses");
	IS_STR(http_param_str(&P, "m"), "line1\r\nline2\r\n", "multipart: CRLF inside value kept");
	TAP_OK(mp("--" B "  \r\nContent-Disposition: form-data; name=a\r\n\r\nv\r\n--" B "--") == R_SUCCESS,
	       "multipart: transport padding after boundary");
	TAP_OK(mp(cat3(field("a", "x"), "--" B "\r\nX-Other: 1\r\nContent-Disposition: form-data; "
	                                "name=\"b\"\r\n\r\ny\r\n--" B "--",
	               "")) == R_SUCCESS &&
	           P.count == 2,
	       "multipart: unknown part headers ignored");
	TAP_OK(mp(cat3(field("a", "x\r\n--" B "x"), "--" B "--", "")) == R_BAD_INPUT,
	       "multipart: boundary line with junk after it refused");
	TAP_OK(mp(cat3(field("a", "x--" B "--"), "--" B "--", "")) == R_SUCCESS,
	       "multipart: boundary text not at a line start is data");
	IS_STR(http_param_str(&P, "a"), "x--" B "--", "multipart: mid-line boundary text kept");
}

static const char *fn(const char *cd_filename)
{
	char *b = cat3("--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename=", cd_filename,
	               "\r\n\r\ndata\r\n--" B "--");
	const struct http_param *x;

	if (mp(b) != R_SUCCESS || (x = http_param_get(&P, "f")) == NULL)
		return NULL;
	return x->filename;
}

static void test_multipart_filename(void)
{
	const struct http_param *x;

	IS_STR(fn("\"../../etc/passwd\""), "passwd", "filename: unix path reduced to base name");
	IS_STR(fn("\"C:\\Users\\me\\cv.doc\""), "cv.doc", "filename: windows path reduced to base name");
	IS_STR(fn("\"say \\\"hi\\\".txt\""), "say \"hi\".txt", "filename: backslash-escaped quotes");
	IS_STR(fn("\"a\\\\b.txt\""), "b.txt", "filename: escaped backslash is a separator");
	IS_STR(fn("\"bad\x01\x1f\x7fname.txt\""), "badname.txt", "filename: control chars removed");
	IS_STR(fn("plain.txt"), "plain.txt", "filename: unquoted token");
	IS_STR(fn("\"..\""), "_", "filename: '..' replaced");
	IS_STR(fn("\"dir/\""), "_", "filename: empty base name replaced");
	IS_STR(fn("\"\""), "", "filename: empty means no file chosen");
	TAP_OK(mp("--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n"
	          "Content-Type: application/octet-stream\r\n\r\n\r\n--" B "--") == R_SUCCESS &&
	           (x = http_param_get(&P, "f")) && x->filename && x->value_len == 0,
	       "filename: empty file input kept as a part");
	IS_STR(http_param_str(&P, "f"), "", "filename: empty file input has empty value");
	TAP_OK(mp("--" B "\r\nContent-Disposition: form-data; name=\"n\\\"q\"\r\n\r\nv\r\n--" B "--") ==
	           R_SUCCESS,
	       "name: quoted name with escape parses");
	IS_STR(P.count ? P.items[0].name : NULL, "n\"q", "name: escape removed");
}

static void test_multipart_errors(void)
{
	TAP_OK(mp(field("a", "1")) == R_BAD_INPUT, "multipart: missing closing boundary");
	TAP_OK(mp("--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv") == R_BAD_INPUT,
	       "multipart: body ends inside a part");
	TAP_OK(mp("--" B "\r\nContent-Disposition: form-data\r\n\r\nv\r\n--" B "--") == R_BAD_INPUT,
	       "multipart: part without name");
	TAP_OK(mp("--" B "\r\nContent-Disposition: form-data; name=\"\"\r\n\r\nv\r\n--" B "--") ==
	           R_BAD_INPUT,
	       "multipart: part with empty name");
	TAP_OK(mp("--" B "\r\nContent-Type: text/plain\r\n\r\nv\r\n--" B "--") == R_BAD_INPUT,
	       "multipart: part without Content-Disposition");
	TAP_OK(mp("--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\nv\r\n--" B "--") ==
	           R_BAD_INPUT,
	       "multipart: headers without blank line");
	TAP_OK(mp("--" B "\r\nContent-Disposition: form-data; name=\"a\"") == R_BAD_INPUT,
	       "multipart: headers cut off");
	TAP_OK(mp("--" B "\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--" B "--") ==
	           R_BAD_INPUT,
	       "multipart: disposition other than form-data");
	TAP_OK(mp("--" B "\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--" B "--") ==
	           R_BAD_INPUT,
	       "multipart: unterminated quoted name");
	TAP_OK(mp("--" B "\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nv\r\n--" B "--") ==
	           R_BAD_INPUT,
	       "multipart: two names in one part");
	TAP_OK(mp("no boundary here") == R_BAD_INPUT, "multipart: no boundary at all");
	TAP_OK(mp("") == R_BAD_INPUT, "multipart: empty body");
	TAP_OK(mp("--" B "junk\r\n") == R_BAD_INPUT, "multipart: junk after boundary");
	TAP_OK(http_parse_multipart(&A, "--x--", 5, NULL, NULL, &P) == R_BAD_INPUT,
	       "multipart: NULL boundary");
	TAP_OK(http_parse_multipart(&A, "----", 4, "", NULL, &P) == R_BAD_INPUT,
	       "multipart: empty boundary");
}

static void test_multipart_limits(void)
{
	char *hdr, *s, *p;
	size_t len, i;
	struct http_limits l = http_default_limits;
	const struct http_param *x;

	/* part headers: the block (including the blank line) is bounded to 8 KiB */
	const char *cd = "Content-Disposition: form-data; name=\"a\"\r\n";
	size_t pad = 8192 - strlen(cd) - strlen("X: \r\n") - 2;
	hdr = cat3(cd, "X: ", rep('h', pad));
	s = cat3("--" B "\r\n", hdr, "\r\n\r\nv\r\n--" B "--");
	TAP_OK(mp(s) == R_SUCCESS, "multipart: 8 KiB part headers pass");
	hdr = cat3(cd, "X: ", rep('h', pad + 1));
	s = cat3("--" B "\r\n", hdr, "\r\n\r\nv\r\n--" B "--");
	TAP_OK(mp(s) == R_TOO_LARGE, "multipart: 8 KiB + 1 part headers refused");

	s = file_body(1024 * 1024, 'z', &len);
	TAP_OK(mpn(s, len, NULL) == R_SUCCESS && (x = http_param_get(&P, "f")) &&
	           x->value_len == 1024 * 1024,
	       "multipart: 1 MiB file passes");
	s = file_body(1024 * 1024 + 1, 'z', &len);
	TAP_OK(mpn(s, len, NULL) == R_TOO_LARGE, "multipart: 1 MiB + 1 file refused");

	TAP_OK(mp(cat3(field("v", rep('x', 65536)), "--" B "--", "")) == R_SUCCESS,
	       "multipart: 64 KiB value passes");
	TAP_OK(mp(cat3(field("v", rep('x', 65537)), "--" B "--", "")) == R_TOO_LARGE,
	       "multipart: 64 KiB + 1 value refused");
	TAP_OK(mp(cat3(field(rep('n', 128), "v"), "--" B "--", "")) == R_SUCCESS,
	       "multipart: 128-byte name passes");
	TAP_OK(mp(cat3(field(rep('n', 129), "v"), "--" B "--", "")) == R_TOO_LARGE,
	       "multipart: 129-byte name refused");

	/* fields */
	s = arena_alloc(&A, 65 * 128 + 64);
	p = s;
	for (i = 0; i < 64; i++)
		p += sprintf(p, "--" B "\r\nContent-Disposition: form-data; name=\"f%zu\"\r\n\r\n1\r\n", i);
	strcpy(p, "--" B "--");
	TAP_OK(mp(s) == R_SUCCESS && P.count == 64, "multipart: 64 fields pass");
	p += sprintf(p, "--" B "\r\nContent-Disposition: form-data; name=\"f64\"\r\n\r\n1\r\n");
	strcpy(p, "--" B "--");
	TAP_OK(mp(s) == R_TOO_LARGE, "multipart: 65 fields refused");

	/* files */
	s = arena_alloc(&A, 6 * 160 + 64);
	p = s;
	for (i = 0; i < 4; i++)
		p += sprintf(p, "--" B "\r\nContent-Disposition: form-data; name=\"f\"; "
		                "filename=\"%zu.txt\"\r\n\r\nx\r\n", i);
	p += sprintf(p, "--" B "\r\nContent-Disposition: form-data; name=\"g\"; filename=\"\"\r\n\r\n\r\n");
	strcpy(p, "--" B "--");
	TAP_OK(mp(s) == R_SUCCESS && P.count == 5, "multipart: 4 files (+1 empty file input) pass");
	p += sprintf(p, "--" B "\r\nContent-Disposition: form-data; name=\"f\"; "
	                "filename=\"5.txt\"\r\n\r\nx\r\n");
	strcpy(p, "--" B "--");
	TAP_OK(mp(s) == R_TOO_LARGE, "multipart: 5 files refused");

	l.max_body = 64;
	s = file_body(0, 'z', &len);
	TAP_OK(mpn(s, len, &l) == R_TOO_LARGE, "multipart: body over max_body refused");
	l.max_body = len;
	TAP_OK(mpn(s, len, &l) == R_SUCCESS, "multipart: body at max_body passes");
}

static void test_multipart_binary(void)
{
	unsigned char bin[4096];
	size_t len, i, hl;
	char *s;
	const struct http_param *x;

	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 7 + (i >> 8));
	bin[0] = 0;
	bin[100] = '\r';
	bin[101] = '\n';
	bin[102] = '-';
	bin[103] = '-';
	bin[sizeof(bin) - 1] = '\r';
	s = file_body(sizeof(bin), 0, &len);
	hl = len - sizeof(bin) - strlen("\r\n--" B "--\r\n");
	memcpy(s + hl, bin, sizeof(bin));
	TAP_OK(mpn(s, len, NULL) == R_SUCCESS && (x = http_param_get(&P, "f")) != NULL,
	       "binary: file with NUL, CR, LF and dashes parses");
	x = http_param_get(&P, "f");
	TAP_OK(x && x->value_len == sizeof(bin) && memcmp(x->value, bin, sizeof(bin)) == 0,
	       "binary: file bytes round-trip exactly");
	TAP_OK(x && x->value[x->value_len] == '\0', "binary: value NUL-terminated after value_len");
}

static void test_multipart_truncated(void)
{
	const char *body =
	    "--" B "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n"
	    "--" B "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"q.txt\"\r\n"
	    "Content-Type: text/plain\r\n\r\nhi\r\n--" B "--\r\n";
	size_t n = strlen(body), i, bad = 0, ok = 0;
	enum res r;

	for (i = 0; i <= n; i++) {
		/* exact-size heap copy so ASan catches any read past the end */
		char *c = malloc(i ? i : 1);
		memcpy(c, body, i);
		r = http_parse_multipart(&A, c, i, B, NULL, &P);
		free(c);
		if (r == R_SUCCESS)
			ok++;
		else if (r != R_BAD_INPUT) {
			printf("# prefix %zu gave %d\n", i, (int)r);
			bad++;
		}
	}
	TAP_OK(bad == 0, "truncated multipart: every prefix is OK or BAD_INPUT");
	TAP_OK(ok == 3, "truncated multipart: only prefixes with the closing boundary are OK (%zu)", ok);
}

static void test_json(void)
{
	json_t *j = NULL;
	char err[160];

	TAP_OK(js("{\"a\":1,\"b\":[true,null]}", &j, err, sizeof(err)) == R_SUCCESS && j != NULL,
	       "json: object parses");
	TAP_OK(json_integer_value(json_object_get(j, "a")) == 1, "json: value readable");
	json_decref(j);
	TAP_OK(js("{\"a\":1,\"a\":2}", &j, err, sizeof(err)) == R_BAD_INPUT && j == NULL,
	       "json: duplicate keys refused");
	TAP_OK(strstr(err, "line 1, column") == err, "json: error has line and column (%s)", err);
	TAP_OK(js("{\"a\":", &j, err, sizeof(err)) == R_BAD_INPUT && j == NULL,
	       "json: truncated refused");
	TAP_OK(js("{\n\"a\" 1}", &j, err, sizeof(err)) == R_BAD_INPUT &&
	           strncmp(err, "line 2, column", 14) == 0,
	       "json: error on line 2 reported (%s)", err);
	TAP_OK(js("[\"\xff\"]", &j, err, sizeof(err)) == R_BAD_INPUT, "json: invalid UTF-8 refused");
	TAP_OK(js("[\"\\u0000\"]", &j, err, sizeof(err)) == R_BAD_INPUT, "json: \\u0000 refused");
	TAP_OK(js("", &j, NULL, 0) == R_BAD_INPUT && j == NULL, "json: empty body, NULL err ok");
	TAP_OK(http_parse_json("{}", 2, NULL, &j, err, 0) == R_SUCCESS && j, "json: errlen 0 ok");
	json_decref(j);

	TAP_OK(js(nested(32), &j, err, sizeof(err)) == R_SUCCESS && j != NULL, "json: depth 32 passes");
	json_decref(j);
	TAP_OK(js(nested(33), &j, err, sizeof(err)) == R_BAD_INPUT && j == NULL,
	       "json: depth 33 refused");
	TAP_OK(js(nested(5000), &j, err, sizeof(err)) == R_BAD_INPUT && j == NULL,
	       "json: depth 5000 refused without a crash");
	char *o = arena_alloc(&A, 33 * 8 + 8), *q = o;
	int i;
	for (i = 0; i < 33; i++)
		q += sprintf(q, "{\"k\":");
	q += sprintf(q, "1");
	for (i = 0; i < 33; i++)
		*q++ = '}';
	TAP_OK(js(o, &j, err, sizeof(err)) == R_BAD_INPUT, "json: 33 nested objects refused");
	TAP_OK(js(o + 5, &j, err, sizeof(err)) == R_BAD_INPUT, "json: stray brace refused");
	o[strlen(o) - 1] = '\0';
	TAP_OK(js(o + 5, &j, err, sizeof(err)) == R_SUCCESS, "json: 32 nested objects pass");
	json_decref(j);

	struct http_limits l = http_default_limits;
	l.max_body = 7;
	TAP_OK(http_parse_json("{\"a\":1}", 7, &l, &j, err, sizeof(err)) == R_SUCCESS,
	       "json: body at max_body passes");
	json_decref(j);
	TAP_OK(http_parse_json("{\"a\":12}", 8, &l, &j, err, sizeof(err)) == R_TOO_LARGE && j == NULL,
	       "json: body over max_body refused");
	TAP_OK(http_parse_json("{\"a\":12", 9 * 1024 * 1024, NULL, &j, err, sizeof(err)) ==
	           R_TOO_LARGE,
	       "json: 9 MiB length refused before reading");
}

static void test_defaults(void)
{
	const struct http_limits *d = &http_default_limits;

	TAP_OK(d->max_fields == 64 && d->max_name == 128 && d->max_value == 65536 &&
	           d->max_file == 1048576 && d->max_files == 4 && d->max_body == 8388608 &&
	           d->max_json_depth == 32,
	       "defaults: match the header");
}

static void test_origin(void)
{
	static const struct {
		const char *s;
		int ok, https;
		const char *host;
		long port;
	} cases[] = {
	    {"http://127.0.0.1:8080", 1, 0, "127.0.0.1", 8080},
	    {"https://portal.example", 1, 1, "portal.example", 443},
	    {"http://portal.example", 1, 0, "portal.example", 80},
	    {"http://portal.example:8080/login?next=/", 1, 0, "portal.example", 8080},
	    {"https://portal.example/", 1, 1, "portal.example", 443},
	    {"http://127.0.0.1:8080@evil.example", 0, 0, NULL, 0},
	    {"http://:8080", 0, 0, NULL, 0},
	    {"http://host:0", 0, 0, NULL, 0},
	    {"http://host:65536", 0, 0, NULL, 0},
	    {"http://host:99999999999999999999", 0, 0, NULL, 0},
	    {"http://host:", 0, 0, NULL, 0},
	    {"HTTP://host", 0, 0, NULL, 0},
	    {"ftp://host", 0, 0, NULL, 0},
	    {"null", 0, 0, NULL, 0},
	    {"", 0, 0, NULL, 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct http_origin o;
		int ok = http_origin_parse(cases[i].s, strlen(cases[i].s), &o);
		if (!cases[i].ok) {
			TAP_OK(!ok, "origin: refuses %s", cases[i].s);
			continue;
		}
		TAP_OK(ok && o.https == cases[i].https && o.port == cases[i].port &&
		           o.host_len == strlen(cases[i].host) && strncmp(o.host, cases[i].host, o.host_len) == 0,
		       "origin: %s", cases[i].s);
	}
}

int main(void)
{
	test_defaults();
	test_origin();
	test_pct_decode();
	test_urlencoded();
	test_urlencoded_limits();
	test_cookies();
	test_cookie_limits();
	test_boundary();
	test_multipart();
	test_multipart_filename();
	test_multipart_errors();
	test_multipart_limits();
	test_multipart_binary();
	test_multipart_truncated();
	test_json();
	arena_free(&A);
	return tap_done();
}
