/* test_mustache.c - the Mustache engine beyond the official spec: escaping,
 * errors with their exact place, limits, load_dir naming and checking, and a
 * golden layout-with-inheritance render. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mustache.h"
#include "tap.h"

/* tap.h's TAP_STR declares tap_c_ and passes it to TAP_OK, which declares
 * tap_c_ again from itself (uninitialised, and -Wshadow): use this instead. */
#define CHECK_STR(got, want, ...)                                                     \
	do {                                                                          \
		const char *got_ = (got), *want_ = (want);                            \
		int eq_ = got_ && want_ && strcmp(got_, want_) == 0;                  \
		TAP_OK(eq_, __VA_ARGS__);                                             \
		if (!eq_)                                                             \
			printf("#   got  [%s]\n#   want [%s]\n", got_ ? got_ : "(null)", \
			       want_ ? want_ : "(null)");                             \
	} while (0)

/* Render src (as template "t") against the JSON text data; returns the
 * output (static buffer) or NULL with *rc set. */
static char outbuf[1 << 16];

static const char *render_str(struct mus_set *set, const char *src, const char *data, enum res *rc,
                              struct mus_error *err)
{
	struct buf out = BUF_INIT;
	json_t *ctx = json_loads(data, JSON_DECODE_ANY, NULL);

	memset(err, 0, sizeof(*err));
	*rc = mus_set_add(set, "t", src, strlen(src), err);
	if (*rc == R_SUCCESS)
		*rc = mus_render(set, "t", ctx, &out, err);
	json_decref(ctx);
	snprintf(outbuf, sizeof(outbuf), "%s", out.data ? out.data : "");
	buf_free(&out);
	return *rc == R_SUCCESS ? outbuf : NULL;
}

static const char *render1(const char *src, const char *data)
{
	struct mus_set *set = mus_set_new();
	struct mus_error err;
	enum res rc;
	const char *s = render_str(set, src, data, &rc, &err);

	mus_set_free(set);
	return s;
}

/* Compile src as "t"; check the result code, line, column and message. */
static void compile_error(const char *what, const char *src, enum res want_rc, int line, int col,
                          const char *msg)
{
	struct mus_set *set = mus_set_new();
	struct mus_error err;
	enum res rc;

	memset(&err, 0, sizeof(err));
	rc = mus_set_add(set, "t", src, strlen(src), &err);
	TAP_OK(rc == want_rc, "%s: result %s", what, res_name(rc));
	TAP_OK(err.line == line && err.col == col, "%s: at %d:%d (got %d:%d)", what, line, col, err.line,
	       err.col);
	CHECK_STR(err.msg, msg, "%s: message", what);
	CHECK_STR(err.name, "t", "%s: template name", what);
	TAP_OK(!mus_has(set, "t"), "%s: failed template not added", what);
	mus_set_free(set);
}

static void test_escaping(void)
{
	const char *data = "{\"x\":\"& < > \\\" ' ` =\"}";

	CHECK_STR(render1("{{x}}", data), "&amp; &lt; &gt; &quot; &#39; &#96; &#61;",
	        "escaping: all 7 characters");
	CHECK_STR(render1("{{{x}}}", data), "& < > \" ' ` =", "escaping: triple mustache is raw");
	CHECK_STR(render1("{{&x}}", data), "& < > \" ' ` =", "escaping: {{&x}} is raw");
	CHECK_STR(render1("[{{x}}]", "{\"x\":\"plain text\"}"), "[plain text]", "escaping: plain text untouched");
	CHECK_STR(render1("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
	                "{\"a\":85,\"b\":1.5,\"c\":-3,\"d\":0.1,\"e\":true,\"f\":null}"),
	        "85 1.5 -3 0.1 true ", "numbers and literals");
	CHECK_STR(render1("{{#s}}yes{{/s}}{{^s}}no{{/s}}", "{\"s\":\"\"}"), "no",
	        "empty string is falsy");
	CHECK_STR(render1("{{#z}}yes{{/z}}", "{\"z\":0}"), "yes", "zero is truthy");
}

static void test_errors(void)
{
	compile_error("unclosed section", "<ul>\n  {{#items}}\n  <li>{{name}}</li>\n", R_BAD_INPUT, 2, 3,
	              "unclosed section \"items\" opened here");
	compile_error("unclosed inverted", "{{^none}}x", R_BAD_INPUT, 1, 1,
	              "unclosed inverted section \"none\" opened here");
	compile_error("mismatched close", "{{#a}}\n x {{/b}}", R_BAD_INPUT, 2, 4,
	              "close tag \"b\" does not match section \"a\" opened at 1:1");
	compile_error("close with no open", "ab\ncd {{/a}}", R_BAD_INPUT, 2, 4,
	              "close tag \"a\" with no open section");
	compile_error("bad delimiter: one delimiter", "x\n  {{=<% =}}", R_BAD_INPUT, 2, 3,
	              "bad delimiter change \"{{=<% =}}\": expected two delimiters without '=' or spaces");
	compile_error("bad delimiter: three", "{{=< % >=}}", R_BAD_INPUT, 1, 1,
	              "bad delimiter change \"{{=< % >=}}\": expected two delimiters without '=' or spaces");
	compile_error("bad delimiter: no closing =", "a {{=<% %>}}", R_BAD_INPUT, 1, 3,
	              "bad delimiter change: \"{{=\" has no closing \"=}}\"");
	compile_error("tag open at EOF", "hello\n{{name", R_BAD_INPUT, 2, 1,
	              "tag \"{{\" not closed by \"}}\"");
	compile_error("triple open at EOF", "{{{name}}", R_BAD_INPUT, 1, 1,
	              "tag \"{{\" not closed by \"}}}\"");
	compile_error("tag open at EOF, custom delimiters", "{{=<% %>=}}\n<%x", R_BAD_INPUT, 2, 1,
	              "tag \"<%\" not closed by \"%>\"");
	compile_error("empty name", "a{{ }}", R_BAD_INPUT, 1, 2, "empty tag name");
	compile_error("bad dotted name", "{{a..b}}", R_BAD_INPUT, 1, 1, "bad dotted name \"a..b\"");
	compile_error("unclosed block", "{{<p}}\n{{$b}}x{{/p}}", R_BAD_INPUT, 2, 8,
	              "close tag \"p\" does not match block \"b\" opened at 2:1");
}

static void test_limits(void)
{
	struct mus_set *set = mus_set_new();
	struct mus_limits lim = {3, 4, 100};
	struct mus_error err;
	enum res rc;
	char deep[64 * 12 + 64];
	int i;

	/* section nesting at compile time */
	mus_set_limits(set, &lim);
	memset(&err, 0, sizeof(err));
	rc = mus_set_add(set, "n", "{{#a}}{{#b}}{{#c}}{{#d}}{{/d}}{{/c}}{{/b}}{{/a}}", 48, &err);
	TAP_OK(rc == R_TOO_LARGE, "nesting: 4 levels over a limit of 3 is R_TOO_LARGE");
	TAP_OK(err.line == 1 && err.col == 19, "nesting: error at the 4th section (1:19, got %d:%d)",
	       err.line, err.col);
	CHECK_STR(err.msg, "sections nested deeper than 3", "nesting: message");
	rc = mus_set_add(set, "n", "{{#a}}{{#b}}{{#c}}{{/c}}{{/b}}{{/a}}", 36, &err);
	TAP_OK(rc == R_SUCCESS, "nesting: 3 levels fit");

	/* partial recursion that never ends */
	rc = mus_set_add(set, "self", "{{>self}}", 9, &err);
	TAP_OK(rc == R_SUCCESS, "recursion: self partial compiles");
	TAP_OK(render_str(set, "x{{>self}}", "{}", &rc, &err) == NULL && rc == R_TOO_LARGE,
	       "recursion: {{>self}} stops with R_TOO_LARGE");
	CHECK_STR(err.msg, "partials/parents nested deeper than 4 (recursion?)", "recursion: message");
	CHECK_STR(err.name, "self", "recursion: names the template where it stopped");
	/* data that does not end: a partial recursing through a section */
	mus_set_add(set, "loop", "{{#a}}<{{>loop}}>{{/a}}", 23, &err);
	TAP_OK(render_str(set, "{{>loop}}", "{\"a\":true}", &rc, &err) == NULL && rc == R_TOO_LARGE,
	       "recursion: section + partial on endless data stops");
	/* parent recursion */
	mus_set_add(set, "par", "{{<par}}{{/par}}", 16, &err);
	TAP_OK(render_str(set, "{{<par}}{{/par}}", "{}", &rc, &err) == NULL && rc == R_TOO_LARGE,
	       "recursion: parent including itself stops");

	/* output size */
	TAP_OK(render_str(set, "{{#a}}0123456789{{/a}}", "{\"a\":[1,2,3,4,5,6,7,8,9,10,11,12]}", &rc,
	                  &err) == NULL && rc == R_TOO_LARGE,
	       "output: 120 bytes over a limit of 100 is R_TOO_LARGE");
	TAP_OK(render_str(set, "{{#a}}0123456789{{/a}}", "{\"a\":[1,2,3,4,5,6,7,8,9]}", &rc, &err) != NULL,
	       "output: 90 bytes fit");
	/* work without output is bounded too */
	TAP_OK(render_str(set, "{{#a}}{{#a}}{{#a}}{{/a}}{{/a}}{{/a}}",
	                  "{\"a\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,"
	                  "26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,"
	                  "51,52,53,54,55,56,57,58,59,60,61,62,63,64,65,66,67,68,69,70,71,72,73,74,75,"
	                  "76,77,78,79,80,81,82,83,84,85,86,87,88,89,90,91,92,93,94,95,96,97,98,99,100,"
	                  "101,102,103,104,105,106,107,108,109,110,111,112,113,114,115,116,117,118,119]}",
	                  &rc, &err) == NULL && rc == R_TOO_LARGE,
	       "steps: silent nested loops hit the step budget");
	mus_set_free(set);

	/* default nesting limit is 64 */
	set = mus_set_new();
	deep[0] = '\0';
	for (i = 0; i < 65; i++)
		strcat(deep, "{{#a}}");
	for (i = 0; i < 65; i++)
		strcat(deep, "{{/a}}");
	rc = mus_set_add(set, "d", deep, strlen(deep), &err);
	TAP_OK(rc == R_TOO_LARGE, "nesting: 65 levels exceed the default 64");
	rc = mus_set_add(set, "d", deep + 6, strlen(deep) - 12, &err);
	TAP_OK(rc == R_SUCCESS, "nesting: 64 levels fit the default");
	mus_set_free(set);
}

static void write_file(const char *dir, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void test_load_dir(void)
{
	char dir[] = "/tmp/test_mustache_XXXXXX", sub[600];
	struct mus_set *set;
	struct mus_error err;
	struct buf out = BUF_INIT;
	json_t *ctx;
	enum res rc;
	const char *want =
		"<!doctype html>\n"
		"<title>Approvals = 2 | ACME &amp; Co</title>\n"
		"<body>\n"
		"  <nav>\n"
		"    <a href=\"/\">Home</a>\n"
		"    <a href=\"/msps\">MSPs</a>\n"
		"  </nav>\n"
		"  <main>\n"
		"    <h1>Approvals</h1>\n"
		"    <ul>\n"
		"      <li>Contoso &lt;MSP&gt;</li>\n"
		"      <li>Fabrikam</li>\n"
		"    </ul>\n"
		"  </main>\n"
		"  <footer>Portal</footer>\n"
		"</body>\n";

	if (mkdtemp(dir) == NULL) {
		TAP_OK(0, "load_dir: mkdtemp");
		return;
	}
	snprintf(sub, sizeof(sub), "%s/partials", dir);
	mkdir(sub, 0700);
	snprintf(sub, sizeof(sub), "%s/email", dir);
	mkdir(sub, 0700);
	write_file(dir, "layout.mustache",
	           "<!doctype html>\n"
	           "<title>{{$title}}Portal{{/title}} | {{brand}}</title>\n"
	           "<body>\n"
	           "  {{>partials/nav}}\n"
	           "  <main>\n"
	           "    {{$content}}\n"
	           "    nothing here\n"
	           "    {{/content}}\n"
	           "  </main>\n"
	           "  <footer>{{$footer}}Portal{{/footer}}</footer>\n"
	           "</body>\n");
	write_file(dir, "partials/nav.mustache",
	           "<nav>\n"
	           "{{#nav}}\n"
	           "  <a href=\"{{href}}\">{{label}}</a>\n"
	           "{{/nav}}\n"
	           "</nav>\n");
	write_file(dir, "page.mustache",
	           "{{<layout}}\n"
	           "{{$title}}Approvals = {{count}}{{/title}}\n"
	           "{{$content}}\n"
	           "<h1>Approvals</h1>\n"
	           "<ul>\n"
	           "  {{#items}}\n"
	           "  <li>{{name}}</li>\n"
	           "  {{/items}}\n"
	           "</ul>\n"
	           "{{/content}}\n"
	           "{{/layout}}\n");
	write_file(dir, "email/msp_request.mustache", "Hello {{name}}\n");
	write_file(dir, "notes.txt", "{{#broken");
	set = mus_set_new();
	memset(&err, 0, sizeof(err));
	rc = mus_set_load_dir(set, dir, &err);
	TAP_OK(rc == R_SUCCESS, "load_dir: loads (%s:%d:%d: %s)", err.name, err.line, err.col, err.msg);
	TAP_OK(mus_has(set, "layout") && mus_has(set, "page") && mus_has(set, "partials/nav") &&
	       mus_has(set, "email/msp_request"),
	       "load_dir: names are relative paths without .mustache");
	TAP_OK(!mus_has(set, "notes") && !mus_has(set, "notes.txt") && !mus_has(set, "page.mustache"),
	       "load_dir: other files ignored");
	ctx = json_loads("{\"brand\":\"ACME & Co\",\"count\":2,"
	                 "\"nav\":[{\"href\":\"/\",\"label\":\"Home\"},{\"href\":\"/msps\",\"label\":\"MSPs\"}],"
	                 "\"items\":[{\"name\":\"Contoso <MSP>\"},{\"name\":\"Fabrikam\"}]}",
	                 0, NULL);
	buf_puts(&out, "");
	rc = mus_render(set, "page", ctx, &out, &err);
	TAP_OK(rc == R_SUCCESS, "golden: renders");
	CHECK_STR(out.data, want, "golden: layout with inheritance, partial and reindented block");
	buf_reset(&out);
	buf_puts(&out, "X");
	rc = mus_render(set, "email/msp_request", ctx, &out, &err);
	CHECK_STR(out.data, "XHello \n", "render appends to the buffer");
	rc = mus_render(set, "nope", ctx, &out, &err);
	TAP_OK(rc == R_NOT_FOUND, "unknown template is R_NOT_FOUND");
	json_decref(ctx);
	buf_free(&out);
	mus_set_free(set);

	/* a missing static partial is an error naming the place */
	write_file(dir, "email/bad.mustache", "Hi\n\n   {{>partials/sig}}\n");
	set = mus_set_new();
	memset(&err, 0, sizeof(err));
	rc = mus_set_load_dir(set, dir, &err);
	TAP_OK(rc == R_BAD_INPUT, "load_dir: missing partial is R_BAD_INPUT");
	CHECK_STR(err.name, "email/bad", "load_dir: names the referencing template");
	TAP_OK(err.line == 3 && err.col == 4, "load_dir: at 3:4 (got %d:%d)", err.line, err.col);
	CHECK_STR(err.msg, "partial \"partials/sig\" not found", "load_dir: message");
	mus_set_free(set);
	snprintf(sub, sizeof(sub), "%s/email/bad.mustache", dir);
	unlink(sub);

	write_file(dir, "email/bad2.mustache", "{{<base}}{{/base}}");
	set = mus_set_new();
	rc = mus_set_load_dir(set, dir, &err);
	TAP_OK(rc == R_BAD_INPUT && err.line == 1 && err.col == 1, "load_dir: missing parent at 1:1");
	CHECK_STR(err.msg, "parent \"base\" not found", "load_dir: parent message");
	mus_set_free(set);

	/* a syntax error inside the directory names the file's template */
	write_file(dir, "email/bad2.mustache", "ok\n{{#x}}");
	set = mus_set_new();
	rc = mus_set_load_dir(set, dir, &err);
	TAP_OK(rc == R_BAD_INPUT && strcmp(err.name, "email/bad2") == 0 && err.line == 2 && err.col == 1,
	       "load_dir: compile error names template and place (%s:%d:%d)", err.name, err.line, err.col);
	mus_set_free(set);

	/* dynamic partials are not checked at load time and render empty */
	write_file(dir, "email/bad2.mustache", "[{{>*which}}]");
	set = mus_set_new();
	rc = mus_set_load_dir(set, dir, &err);
	TAP_OK(rc == R_SUCCESS, "load_dir: dynamic partial names are not checked");
	mus_set_free(set);

	snprintf(sub, sizeof(sub), "rm -rf '%s'", dir);
	TAP_OK(system(sub) == 0, "cleanup");
}

static void test_whitespace(void)
{
	struct mus_set *set = mus_set_new();
	struct mus_error err;
	enum res rc;

	CHECK_STR(render1("{{#a}}{{#b}}\nX\n{{/b}}{{/a}}\nY\n", "{\"a\":true,\"b\":true}"), "X\nY\n",
	          "a line of several section tags is standalone");
	CHECK_STR(render1("{{#a}}\n  X\n{{/a}}\n", "{\"a\":[1,2]}"), "  X\n  X\n",
	          "standalone section lines vanish, content keeps its indentation");
	mus_set_add(set, "inner", "a\nb\n", strlen("a\nb\n"), &err);
	mus_set_add(set, "outer", "<\n  {{>inner}}\n>\n", strlen("<\n  {{>inner}}\n>\n"), &err);
	CHECK_STR(render_str(set, "  {{>outer}}\n", "{}", &rc, &err), "  <\n    a\n    b\n  >\n",
	          "nested standalone partials add up their indentation");
	CHECK_STR(render_str(set, "x {{>inner}}|", "{}", &rc, &err), "x a\nb\n|",
	          "an inline partial is not indented");
	mus_set_free(set);
}

static void test_replace_and_missing(void)
{
	struct mus_set *set = mus_set_new();
	struct mus_error err;
	struct buf out = BUF_INIT;
	json_t *ctx = json_object();

	mus_set_add(set, "a", "one", 3, &err);
	mus_set_add(set, "a", "two", 3, &err);
	mus_set_add(set, "m", "[{{>missing}}]", 14, &err);
	mus_render(set, "a", ctx, &out, &err);
	mus_render(set, "m", ctx, &out, &err);
	CHECK_STR(out.data, "two[]", "add replaces; a missing partial renders empty at render time");
	TAP_OK(!mus_has(set, "missing"), "referenced-only names are not templates");
	mus_render(set, "a", NULL, &out, &err);
	CHECK_STR(out.data, "two[]two", "NULL context renders");
	buf_free(&out);
	json_decref(ctx);
	mus_set_free(set);
}

int main(void)
{
	test_escaping();
	test_errors();
	test_limits();
	test_load_dir();
	test_whitespace();
	test_replace_and_missing();
	return tap_done();
}
