/* reports_pdf.c - the executive report as a PDF (docs/reports.md, "The PDF
 * route"): the report's body rendered into a whole document of its own
 * (templates/reports_pdf.mustache: a branded cover, the contents of a
 * consolidated report, running heads and page numbers), printed by a
 * headless Chromium (cdp.h). A consolidated report takes two passes: the
 * first prints its contents with "00" for every page, the outline of that
 * PDF (read with qpdf) gives the page of each section, the second prints
 * the real numbers; a third is made if those moved the sections. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "brand.h"
#include "buf.h"
#include "cdp.h"
#include "config.h"
#include "db.h"
#include "outbox.h"
#include "pages.h"
#include "view.h"

extern char **environ;

DB_STMT(st_pdf_logo, 2,
        "SELECT content_type || ';base64,' || translate(encode(bytes, 'base64'), E'\\n', '')"
        " FROM logo_get($1::bigint, $2)");

/* The numbered sections of a report, in the order the body shows them
 * (templates/partials/report_body.mustache): the element id, the h2's
 * text (its title in the PDF's outline), and the member that must be a
 * non-empty list for the section to be there (NULL: always). */
static const struct {
	const char *id, *title, *needs;
} sections[] = {
    {"r-risk", "Risk score", NULL},
    {"r-rec", "Recommendations", NULL},
    {"r-cov", "Coverage", NULL},
    {"r-vul", "Vulnerabilities", NULL},
    {"r-inc", "Incidents", NULL},
    {"r-thr", "Threats seen across customers", NULL},
    {"r-cus", "Customers by risk", "customers"},
    {"r-def", "Definitions", NULL},
};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))
#define PDF_PASSES 3
#define PRINT_TIMEOUT_MS 60000
#define QPDF_MAX (16u << 20) /* the outline's JSON, at most */

/* s as a CSS string ("..."), every character that could end it or the
 * style element escaped as \HH and a space: markup the server built, for {{{ }}}. */
static void css_string(struct buf *b, const char *s, size_t max)
{
	size_t n = 0;

	buf_putc(b, '"');
	for (; *s && (n < max || ((unsigned char)*s & 0xc0) == 0x80); s++, n++) {
		unsigned char ch = (unsigned char)*s;
		if (ch < 0x20 || ch == 0x7f || ch == '"' || ch == '\\' || ch == '<' || ch == '>' || ch == '&')
			buf_printf(b, "\\%x ", ch); /* the space ends the escape and is not shown */
		else
			buf_putc(b, (char)ch);
	}
	if (*s) /* cut after max bytes, never inside a UTF-8 sequence */
		buf_puts(b, "\xe2\x80\xa6");
	buf_putc(b, '"');
}

/* The brand's light logo (brand.logo.light, "/logo/{id}-{sha12}.{ext}") as
 * a data: URL, a new string, or NULL when there is none. */
static json_t *logo_data(json_t *brand)
{
	const char *url = json_string_value(json_object_get(json_object_get(brand, "logo"), "light")), *params[2];
	char id[24], sha[13];
	struct buf b = BUF_INIT;
	PGresult *res;
	json_t *out = NULL;
	enum res r;

	if (url == NULL || strncmp(url, "/logo/", 6) != 0 || logo_name_parse(url + 6, id, sha, NULL) != 0)
		return NULL;
	params[0] = id;
	params[1] = sha;
	if ((res = db_exec(&st_pdf_logo, params, &r)) == NULL)
		return NULL;
	if (PQntuples(res) == 1) {
		buf_puts(&b, "data:");
		buf_puts(&b, PQgetvalue(res, 0, 0));
		if (buf_ok(&b))
			out = json_stringn(b.data, b.len);
	}
	PQclear(res);
	buf_free(&b);
	return out;
}

/* The CSS strings of the running heads and the footer. */
static json_t *running_heads(json_t *rep, json_t *brand, const char *kind_title)
{
	const char *title = json_string_value(json_object_get(brand, "page_title")),
	           *name = json_string_value(json_object_get(json_object_get(rep, "tenant"), "name")),
	           *footer = json_string_value(json_object_get(brand, "footer"));
	json_t *period = json_object_get(rep, "period"), *css = json_object();
	struct buf b = BUF_INIT, t = BUF_INIT;

	buf_printf(&t, "%s \xc2\xb7 %s", title ? title : "", kind_title);
	css_string(&b, t.data ? t.data : "", 120);
	json_object_set_new(css, "head_left", json_stringn(b.data, b.len));
	buf_reset(&b);
	buf_reset(&t);
	buf_printf(&t, "%s \xc2\xb7 %s to %s", name ? name : "", json_string_value(json_object_get(period, "from")),
	           json_string_value(json_object_get(period, "to")));
	css_string(&b, t.data, 120);
	json_object_set_new(css, "head_right", json_stringn(b.data, b.len));
	buf_reset(&b);
	buf_reset(&t);
	brand_footer_text(&t, footer ? footer : "");
	css_string(&b, t.data ? t.data : "", 160);
	json_object_set_new(css, "foot_left", json_stringn(b.data, b.len));
	buf_free(&b);
	buf_free(&t);
	return css;
}

/* Write len bytes to dir/name (0600, replaced). 0 or -1. */
static int write_file(const char *dir, const char *name, const void *data, size_t len, char *path, size_t pathlen)
{
	int fd, ok;

	snprintf(path, pathlen, "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0)
		return -1;
	ok = write(fd, data, len) == (ssize_t)len;
	if (close(fd) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* The outline of the PDF at path, as qpdf reads it (qpdf --json=2
 * --json-key=outlines: [{title, destpageposfrom1, kids}]), a new array, or
 * NULL. */
static json_t *pdf_outline(const char *path)
{
	char *argv[] = {"qpdf", "--json=2", "--json-key=outlines", (char *)path, NULL};
	posix_spawn_file_actions_t fa;
	struct buf out = BUF_INIT;
	int fds[2], status = 0;
	json_t *doc, *outlines = NULL;
	char chunk[65536];
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "qpdf", &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while ((n = read(fds[0], chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && out.len + (size_t)n <= QPDF_MAX)
			buf_append(&out, chunk, (size_t)n);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* qpdf exits 3 for warnings, which still give the outline */
	if (WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3) && buf_ok(&out) &&
	    (doc = json_loadb(out.data, out.len, 0, NULL)) != NULL) {
		outlines = json_incref(json_object_get(doc, "outlines"));
		json_decref(doc);
	}
	buf_free(&out);
	return json_is_array(outlines) ? outlines : (json_decref(outlines), NULL);
}

/* Do a and b read the same once their white space is gone? (Chromium's
 * outline joins a heading's wrapped lines without a space.) */
static int same_words(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ' || *a == '\n' || *a == '\t')
			a++;
		while (*b == ' ' || *b == '\n' || *b == '\t')
			b++;
		if (*a != *b)
			return 0;
		if (*a == '\0')
			return 1;
		a++;
		b++;
	}
}

/* The page of the first outline entry titled title (depth first), or 0. */
static long long outline_page(json_t *items, const char *title)
{
	json_t *it;
	size_t i;

	json_array_foreach(items, i, it)
	{
		const char *t = json_string_value(json_object_get(it, "title"));
		long long p;
		if (t != NULL && same_words(t, title))
			return json_integer_value(json_object_get(it, "destpageposfrom1"));
		if ((p = outline_page(json_object_get(it, "kids"), title)) > 0)
			return p;
	}
	return 0;
}

/* Render the model into dir/report.html and print it: *pdf (malloc'd). */
static int print_pass(struct cdp *c, json_t *model, const char *dir, unsigned char **pdf, size_t *len, char *err,
                      size_t errlen)
{
	struct buf html = BUF_INIT;
	struct mus_error merr;
	char path[512];
	int ret = -1;

	if (view_render_named("reports_pdf", model, &html, &merr) != R_SUCCESS || !buf_ok(&html))
		snprintf(err, errlen, "the report's template: %s", merr.msg);
	else if (write_file(dir, "report.html", html.data, html.len, path, sizeof(path)) != 0)
		snprintf(err, errlen, "%s: could not be written", path);
	else if (cdp_print(c, path, PRINT_TIMEOUT_MS, pdf, len) != 0)
		snprintf(err, errlen, "printing: %s", c->error);
	else
		ret = 0;
	buf_free(&html);
	return ret;
}

/* Fill the contents' pages from the outline of pdf; how many changed, or
 * -1 when a section is missing from it. */
static int toc_pages(json_t *toc, const unsigned char *pdf, size_t len, const char *dir)
{
	char path[512], page[24];
	json_t *outline, *e;
	int changed = 0;
	size_t i;

	if (write_file(dir, "pass.pdf", pdf, len, path, sizeof(path)) != 0 || (outline = pdf_outline(path)) == NULL)
		return -1;
	json_array_foreach(toc, i, e)
	{
		long long p = outline_page(outline, json_string_value(json_object_get(e, "title")));
		if (p <= 0) {
			changed = -1;
			break;
		}
		snprintf(page, sizeof(page), "%lld", p);
		if (strcmp(page, json_string_value(json_object_get(e, "page"))) != 0) {
			json_object_set_new(e, "page", json_string(page));
			changed++;
		}
	}
	json_decref(outline);
	unlink(path);
	return changed;
}

/* See pages.h. */
int report_pdf(struct cdp *c, json_t *rep, int consolidated, const char *paper, const char *dir,
               unsigned char **pdf, size_t *len, char *err, size_t errlen)
{
	const char *kind_title = consolidated ? "Consolidated executive report" : "Executive report";
	json_t *model, *brand, *toc = json_array(), *logo;
	long long tenant = json_integer_value(json_object_get(json_object_get(rep, "tenant"), "id"));
	char today[11], path[512];
	time_t now = time(NULL);
	struct tm tm;
	size_t i, n = 0;
	int pass, changed = 0;

	*pdf = NULL;
	*len = 0;
	brand = outbox_brand(tenant);
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	model = json_pack("{s:O, s:o, s:o, s:s, s:s, s:s, s:s, s:s}", "report", rep, "css",
	                  running_heads(rep, brand, kind_title), "brand", brand, "paper",
	                  strcmp(paper, "letter") == 0 ? "letter" : "a4", "paper_css",
	                  strcmp(paper, "letter") == 0 ? "letter" : "A4", "kind_title", kind_title, "generated", today,
	                  "base", config_get()->base_url ? config_get()->base_url : "");
	if ((logo = logo_data(brand)) != NULL)
		json_object_set_new(model, "logo_data", logo);
	for (i = 0; consolidated && i < NSECTIONS; i++)
		if (sections[i].needs == NULL || json_array_size(json_object_get(rep, sections[i].needs)) > 0)
			json_array_append_new(toc, json_pack("{s:s, s:I, s:s, s:s}", "id", sections[i].id, "n",
			                                     (json_int_t)++n, "title", sections[i].title, "page", "00"));
	json_object_set_new(model, "toc", toc);
	for (pass = 1; pass <= PDF_PASSES; pass++) {
		if (print_pass(c, model, dir, pdf, len, err, errlen) != 0)
			break;
		if (!consolidated)
			goto done;
		if ((changed = toc_pages(toc, *pdf, *len, dir)) < 0) {
			snprintf(err, errlen, "the PDF's outline lacks a section (qpdf)");
			break;
		}
		if (changed == 0 && pass > 1)
			goto done;
		free(*pdf);
		*pdf = NULL;
	}
	if (pass > PDF_PASSES)
		snprintf(err, errlen, "the contents' pages did not settle in %d passes", PDF_PASSES);
	free(*pdf);
	*pdf = NULL;
	*len = 0;
done:
	snprintf(path, sizeof(path), "%s/report.html", dir);
	unlink(path);
	json_decref(model);
	return *pdf != NULL ? 0 : -1;
}
