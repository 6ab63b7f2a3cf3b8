/* reports_pdf.c - the executive report as a PDF (docs/reports.md, "The PDF
 * route"), and a month's billing statement (docs/billing.md, "The
 * statement as a PDF"): the report's body rendered into a whole document of its own
 * (templates/reports_pdf.mustache: a branded cover, the contents of a
 * consolidated report, running heads and page numbers), printed by a
 * headless Chromium (cdp.h).
 *
 * A company's report is one print. A consolidated report is printed once,
 * in parts, and put together with qpdf: the report itself (tagged, with an
 * outline, the contents' page numbers left blank), then its appendix, the
 * ranking of every customer, in parts of PART_ROWS rows (REPORT_PART_ROWS;
 * untagged: a long
 * table prints in less than half the time, and the browser's memory stays
 * that of one part), then a document of the page numbers alone: the
 * contents' numbers on page 2 and "n / N" in the corner of every page,
 * laid over the joined pages (qpdf --overlay). The outline of the first
 * print gives the sections' pages. */
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
#define PART_ROWS 400        /* customers per part of the appendix (about 11 pages); REPORT_PART_ROWS */
#define MAX_PAGES 5000       /* a consolidated report's pages, at most */
#define PRINT_TIMEOUT_MS 60000
#define QPDF_MAX (16u << 20) /* qpdf's JSON of a PDF, at most */
#define PDF_MAX (512u << 20) /* the joined PDF, at most */

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

/* The CSS strings of the running heads and the footer, and the content of
 * the corner that numbers the pages: "n / N" (a consolidated report's
 * parts: none, the numbers come laid over them). */
static json_t *running_heads(json_t *rep, json_t *brand, const char *kind_title, int numbered)
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
	json_object_set_new(css, "page_number", json_string(numbered ? "counter(page) \" / \" counter(pages)" : "none"));
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

/* Run qpdf with argv (argv[0] "qpdf"), its standard output into *out when
 * out (at most QPDF_MAX bytes). 0 when it exits 0, or 3 (warnings: the
 * output is still whole), or -1. */
static int qpdf(char *const argv[], struct buf *out)
{
	posix_spawn_file_actions_t fa;
	int fds[2], status = 0;
	char chunk[65536];
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	if (posix_spawnp(&pid, "qpdf", &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while ((n = read(fds[0], chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && out != NULL && out->len + (size_t)n <= QPDF_MAX)
			buf_append(out, chunk, (size_t)n);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 3) ? 0 : -1;
}

/* The PDF at path as qpdf reads it (qpdf --json=2 --json-key=pages
 * --json-key=outlines: {pages: [...], outlines: [{title,
 * destpageposfrom1, kids}]}), a new object, or NULL. */
static json_t *pdf_json(const char *path)
{
	char *argv[] = {"qpdf", "--json=2", "--json-key=pages", "--json-key=outlines", (char *)path, NULL};
	struct buf out = BUF_INIT;
	json_t *doc = NULL;

	if (qpdf(argv, &out) == 0 && buf_ok(&out))
		doc = json_loadb(out.data, out.len, 0, NULL);
	buf_free(&out);
	if (doc != NULL && (!json_is_array(json_object_get(doc, "pages")) ||
	                    !json_is_array(json_object_get(doc, "outlines")))) {
		json_decref(doc);
		doc = NULL;
	}
	return doc;
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

/* Render the model into dir/report.html and print it (tagged or not) into
 * dir/name. 0, or -1 with err set. */
static int print_to(struct cdp *c, json_t *model, const char *dir, const char *name, int tagged, char *err,
                    size_t errlen)
{
	struct buf html = BUF_INIT;
	struct mus_error merr;
	unsigned char *pdf = NULL;
	size_t len = 0;
	char path[512];
	int ret = -1;

	if (view_render_named("reports_pdf", model, &html, &merr) != R_SUCCESS || !buf_ok(&html))
		snprintf(err, errlen, "the report's template: %s", merr.msg);
	else if (write_file(dir, "report.html", html.data, html.len, path, sizeof(path)) != 0)
		snprintf(err, errlen, "%s: could not be written", path);
	else if (cdp_print(c, path, tagged, PRINT_TIMEOUT_MS, &pdf, &len) != 0)
		snprintf(err, errlen, "printing: %s", c->error);
	else if (write_file(dir, name, pdf, len, path, sizeof(path)) != 0)
		snprintf(err, errlen, "%s: could not be written", path);
	else
		ret = 0;
	snprintf(path, sizeof(path), "%s/report.html", dir);
	unlink(path);
	free(pdf);
	buf_free(&html);
	return ret;
}

/* The file at path: *data (malloc'd) and *len, at most PDF_MAX bytes. 0 or -1. */
static int read_whole(const char *path, unsigned char **data, size_t *len)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	ssize_t n;
	int fd;

	*data = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && b.len + (size_t)n <= PDF_MAX)
			buf_append(&b, chunk, (size_t)n);
		else if (n > 0)
			break;
	close(fd);
	if (n != 0 || !buf_ok(&b) || b.len == 0) {
		buf_free(&b);
		return -1;
	}
	*len = b.len;
	*data = (unsigned char *)buf_take(&b); /* the caller's */
	return 0;
}

/* dir/name, a new string, or NULL. */
static char *dir_file(const char *dir, const char *name)
{
	char *p;

	return asprintf(&p, "%s/%s", dir, name) < 0 ? NULL : p;
}

/* A consolidated report (see the top of this file): the report, the
 * appendix in parts, the page numbers; joined into dir/report.pdf. The
 * model has "toc" (each entry's page "") and the report; 0, or -1 with err
 * set. */
static int print_consolidated(struct cdp *c, json_t *model, const char *dir, char *err, size_t errlen)
{
	json_t *customers = json_object_get(json_object_get(model, "report"), "customers"),
	       *toc = json_object_get(model, "toc"), *doc, *e, *blank;
	const char *env = getenv("REPORT_PART_ROWS");
	size_t per = env != NULL && atoi(env) >= 1 && atoi(env) <= 100000 ? (size_t)atoi(env) : PART_ROWS,
	       n = json_array_size(customers), parts = (n + per - 1) / per, i, k, argc = 0;
	char path[512], page[64], **argv = NULL;
	long long pages, total = 0;
	int ret = -1;

	/* 1. The report, its contents' numbers blank; its outline gives them. */
	json_object_set_new(model, "part", json_pack("{s:b}", "main", 1));
	json_object_set_new(model, "ranking_appendix", json_integer((json_int_t)n));
	if (print_to(c, model, dir, "main.pdf", 1, err, errlen) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/main.pdf", dir);
	if ((doc = pdf_json(path)) == NULL) {
		snprintf(err, errlen, "the report's PDF could not be read (qpdf)");
		return -1;
	}
	total = (long long)json_array_size(json_object_get(doc, "pages"));
	json_array_foreach(toc, i, e)
	{
		const char *title = json_string_value(json_object_get(e, "title"));
		long long p = *json_string_value(json_object_get(e, "id")) == '\0'
		                  ? total + 1 /* the appendix: right after the report */
		                  : outline_page(json_object_get(doc, "outlines"), title);
		if (p <= 0) {
			snprintf(err, errlen, "the PDF's outline lacks the section %s (qpdf)", title);
			json_decref(doc);
			return -1;
		}
		snprintf(page, sizeof(page), "%lld", p);
		json_object_set_new(e, "page", json_string(page));
	}
	json_decref(doc);

	/* 2. The appendix: every customer, per at a time. */
	for (k = 0; k < parts; k++) {
		json_t *rows = json_array();
		for (i = k * per; i < n && i < (k + 1) * per; i++)
			json_array_append(rows, json_array_get(customers, i));
		json_object_set_new(model, "part",
		                    json_pack("{s:{s:b, s:o}}", "appendix", "first", k == 0, "customers", rows));
		snprintf(page, sizeof(page), "part-%zu.pdf", k);
		if (print_to(c, model, dir, page, 0, err, errlen) != 0)
			goto out;
		snprintf(path, sizeof(path), "%s/%s", dir, page);
		if ((doc = pdf_json(path)) == NULL) {
			snprintf(err, errlen, "the appendix's PDF could not be read (qpdf)");
			goto out;
		}
		total += (long long)json_array_size(json_object_get(doc, "pages"));
		json_decref(doc);
	}
	if (total < 2 || total > MAX_PAGES) {
		snprintf(err, errlen, "the report would have %lld pages (at most %d)", total, MAX_PAGES);
		goto out;
	}

	/* 3. The numbers: a page for each page, blank but for the contents'
	 * numbers (page 2) and the corner "n / N". */
	blank = json_array();
	for (pages = 2; pages < total; pages++)
		json_array_append_new(blank, json_true());
	json_object_set_new(model, "part", json_pack("{s:{s:o}}", "numbers", "blank", blank));
	snprintf(page, sizeof(page), "counter(page) \" / %lld\"", total);
	json_object_set_new(model, "css", json_pack("{s:s, s:s, s:s, s:s}", "head_left", "none", "head_right", "none",
	                                            "foot_left", "none", "page_number", page));
	if (print_to(c, model, dir, "numbers.pdf", 0, err, errlen) != 0)
		goto out;

	/* 4. qpdf main.pdf --pages main.pdf part-0.pdf ... -- --overlay numbers.pdf -- report.pdf */
	argv = calloc(parts + 10, sizeof(*argv));
	if (argv == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	argv[argc++] = strdup("qpdf");
	argv[argc++] = dir_file(dir, "main.pdf");
	argv[argc++] = strdup("--pages");
	argv[argc++] = dir_file(dir, "main.pdf");
	for (k = 0; k < parts; k++) {
		snprintf(page, sizeof(page), "part-%zu.pdf", k);
		argv[argc++] = dir_file(dir, page);
	}
	argv[argc++] = strdup("--");
	argv[argc++] = strdup("--overlay");
	argv[argc++] = dir_file(dir, "numbers.pdf");
	argv[argc++] = strdup("--");
	argv[argc++] = dir_file(dir, "report.pdf");
	for (i = 0; i < argc; i++)
		if (argv[i] == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	if (qpdf(argv, NULL) != 0) {
		snprintf(err, errlen, "the report's parts could not be joined (qpdf)");
		goto out;
	}
	ret = 0;
out:
	for (i = 0; argv != NULL && i < argc; i++)
		free(argv[i]);
	free(argv);
	snprintf(path, sizeof(path), "%s/main.pdf", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/numbers.pdf", dir);
	unlink(path);
	for (k = 0; k < parts; k++) {
		snprintf(path, sizeof(path), "%s/part-%zu.pdf", dir, k);
		unlink(path);
	}
	return ret;
}

/* See pages.h. */
int report_pdf(struct cdp *c, json_t *rep, int kind, const char *paper, const char *dir,
               unsigned char **pdf, size_t *len, char *err, size_t errlen)
{
	int consolidated = kind == REPORT_CONSOLIDATED;
	const char *kind_title = consolidated            ? "Consolidated executive report"
	                         : kind == REPORT_BILLING ? "Billing statement"
	                                                  : "Executive report";
	json_t *model, *brand, *toc = json_array(), *logo;
	long long tenant = json_integer_value(json_object_get(json_object_get(rep, "tenant"), "id"));
	char today[11], path[512];
	time_t now = time(NULL);
	struct tm tm;
	size_t i, n = 0;
	int ret;

	*pdf = NULL;
	*len = 0;
	brand = outbox_brand(tenant);
	gmtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	model = json_pack("{s:O, s:o, s:o, s:s, s:s, s:s, s:s, s:s}", "report", rep, "css",
	                  running_heads(rep, brand, kind_title, !consolidated), "brand", brand, "paper",
	                  strcmp(paper, "letter") == 0 ? "letter" : "a4", "paper_css",
	                  strcmp(paper, "letter") == 0 ? "letter" : "A4", "kind_title", kind_title, "generated", today,
	                  "base", config_get()->base_url ? config_get()->base_url : "");
	if ((logo = logo_data(brand)) != NULL)
		json_object_set_new(model, "logo_data", logo);
	for (i = 0; consolidated && i < NSECTIONS; i++)
		if (sections[i].needs == NULL || json_array_size(json_object_get(rep, sections[i].needs)) > 0)
			json_array_append_new(toc, json_pack("{s:s, s:I, s:s, s:s}", "id", sections[i].id, "n",
			                                     (json_int_t)++n, "title", sections[i].title, "page", ""));
	if (consolidated && json_array_size(json_object_get(rep, "customers")) > 0)
		json_array_append_new(toc, json_pack("{s:s, s:s, s:s, s:s}", "id", "", "n", "A", "title",
		                                     "Appendix: all customers, ranked", "page", ""));
	json_object_set_new(model, "toc", toc);
	if (consolidated)
		ret = print_consolidated(c, model, dir, err, errlen);
	else {
		/* A billing statement (billing_document()): the statement, its
		 * MSPs, the tenants with the largest share, the daily counts and
		 * the price book (partials/billing_pdf). Its "billing" sits at
		 * the model's root too, as on the Billing page, so that the
		 * partials both share find their lists' guards at the same path
		 * ({{#has.billing.companies}}, view.h). */
		json_object_set_new(model, "part", json_pack("{s:b}", kind == REPORT_BILLING ? "billing" : "main", 1));
		if (kind == REPORT_BILLING)
			json_object_set(model, "billing", json_object_get(rep, "billing"));
		ret = print_to(c, model, dir, "report.pdf", 1, err, errlen);
	}
	snprintf(path, sizeof(path), "%s/report.pdf", dir);
	if (ret == 0 && read_whole(path, pdf, len) != 0) {
		snprintf(err, errlen, "%s: could not be read", path);
		ret = -1;
	}
	unlink(path);
	json_decref(model);
	return ret;
}
