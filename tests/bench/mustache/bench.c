/* bench.c - the Mustache engine against a hand-written C renderer.
 *
 *   bench_mustache TEMPLATE_DIR OUT_DIR [SECONDS]
 *
 * Builds the two workloads' data (TechEmpower Fortunes; a 1,000 x 8
 * dashboard table rendered through a row partial inside a layout reached by
 * inheritance), writes it as JSON for the mustache.js side (bench.js),
 * renders each workload with the engine and with a hand-written function
 * over the same jansson data, checks the bytes are identical, writes the
 * outputs to OUT_DIR and prints "WORKLOAD RENDERER renders/s" lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mustache.h"

static const char *fortune_msgs[] = {
	"fortune: No such file or directory",
	"A computer scientist is someone who fixes things that aren't broken.",
	"After enough decimal places, nobody gives a damn.",
	"A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1",
	"A computer program does what you tell it to do, not what you want it to do.",
	"Emacs is a nice operating system, but I prefer UNIX. \xe2\x80\x94 Tom Christaensen",
	"Any program that runs right is obsolete.",
	"A list is only as strong as its weakest link. \xe2\x80\x94 Donald Knuth",
	"Feature: A bug with seniority.",
	"Computers make very fast, very accurate mistakes.",
	"<script>alert(\"This should not be displayed in a browser alert box.\");</script>",
	"\xe3\x83\x95\xe3\x83\xac\xe3\x83\xbc\xe3\x83\xa0\xe3\x83\xaf\xe3\x83\xbc\xe3\x82\xaf\xe3\x81\xae"
	"\xe3\x83\x99\xe3\x83\xb3\xe3\x83\x81\xe3\x83\x9e\xe3\x83\xbc\xe3\x82\xaf",
};

static int cmp_fortune(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	return strcmp(json_string_value(json_object_get(x, "message")),
	              json_string_value(json_object_get(y, "message")));
}

static json_t *fortunes_data(void)
{
	json_t *rows[13], *arr = json_array();
	size_t i;

	for (i = 0; i < 12; i++)
		rows[i] = json_pack("{s:i,s:s}", "id", (int)i + 1, "message", fortune_msgs[i]);
	rows[12] = json_pack("{s:i,s:s}", "id", 0, "message", "Additional fortune added at request time.");
	qsort(rows, 13, sizeof(rows[0]), cmp_fortune);
	for (i = 0; i < 13; i++)
		json_array_append_new(arr, rows[i]);
	return json_pack("{s:o}", "fortunes", arr);
}

static json_t *dashboard_data(void)
{
	static const char *sev[] = {"low", "medium", "high", "critical"};
	static const char *cols[] = {"ID", "Name", "Tenant", "IP", "OS", "Severity", "Status", "Note"};
	static const char *navl[] = {"Dashboard", "MSPs", "Approvals", "Plans", "Reports"};
	static const char *navh[] = {"/", "/msps", "/approvals", "/plans", "/reports"};
	json_t *rows = json_array(), *columns = json_array(), *nav = json_array();
	char name[64], tenant[64], ip[32], note[64];
	int i;

	for (i = 0; i < 8; i++)
		json_array_append_new(columns, json_string(cols[i]));
	for (i = 0; i < 5; i++)
		json_array_append_new(nav, json_pack("{s:s,s:s,s:b}", "href", navh[i], "label", navl[i],
		                                     "active", i == 0));
	for (i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "host-%04d <web> & db", i);
		snprintf(tenant, sizeof(tenant), "O'Brien & Sons MSP %d", i % 17);
		snprintf(ip, sizeof(ip), "10.%d.%d.%d", i / 256, i % 256, (i * 7) % 250 + 1);
		snprintf(note, sizeof(note), "risk=\"%d\" `cve-2024-%04d`", (i * 37) % 100, i);
		json_array_append_new(rows, json_pack("{s:i,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "id", i + 1,
		                                      "name", name, "tenant", tenant, "ip", ip, "os",
		                                      i % 3 ? "Debian 12" : "Windows Server 2022",
		                                      "severity", sev[i % 4], "status",
		                                      i % 5 ? "open" : "closed", "note", note));
	}
	return json_pack("{s:{s:s,s:s},s:{s:s,s:s},s:{s:s},s:o,s:o,s:o,s:s}", "brand", "name",
	                 "ACME & Sons", "footer", "\xc2\xa9 2026 ACME <security>", "user", "name",
	                 "Ann O'Neil", "email", "ann@acme.example", "tenant", "name",
	                 "Contoso \"EU\" MSSP", "nav", nav, "columns", columns, "rows", rows, "summary",
	                 "1000 assets, 250 critical = 25%");
}

/* ---- hand-written renderers (the ceiling) --------------------------------- */

/* buf_append() with the common case inlined, as the engine does. */
static inline void app(struct buf *b, const char *p, size_t n)
{
	if (n < b->cap - b->len && !b->oom) {
		memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
	} else {
		buf_append(b, p, n);
	}
}

/* The same fast paths the engine uses (copy a clean prefix in one go,
 * format integers without printf), so the ceiling is an honest one. */
#define ESC_CHARS "&<>\"'`="

static void put_html(struct buf *b, json_t *v)
{
	const char *s = json_string_value(v);
	size_t i, n = json_string_length(v);

	i = strcspn(s, ESC_CHARS);
	while (i < n && s[i] == '\0')
		i += 1 + strcspn(s + i + 1, ESC_CHARS);
	app(b, s, i);
	if (i < n)
		buf_html(b, s + i, n - i);
}

static void put_int(struct buf *b, json_t *v)
{
	char tmp[24], *p = tmp + sizeof(tmp);
	json_int_t x = json_integer_value(v);
	unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (x < 0)
		*--p = '-';
	app(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

#define LIT(b, s) app((b), (s), sizeof(s) - 1)

static void fortunes_hand(struct buf *b, json_t *ctx)
{
	json_t *arr = json_object_get(ctx, "fortunes"), *row;
	size_t i;

	LIT(b, "<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th>"
	       "<th>message</th></tr>");
	json_array_foreach(arr, i, row) {
		LIT(b, "<tr><td>");
		put_int(b, json_object_get(row, "id"));
		LIT(b, "</td><td>");
		put_html(b, json_object_get(row, "message"));
		LIT(b, "</td></tr>");
	}
	LIT(b, "</table></body></html>");
}

static void dashboard_hand(struct buf *b, json_t *ctx)
{
	json_t *brand = json_object_get(ctx, "brand"), *user = json_object_get(ctx, "user");
	json_t *v, *row;
	size_t i;

	LIT(b, "<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>Dashboard - ");
	put_html(b, json_object_get(brand, "name"));
	LIT(b, "</title>\n<link rel=\"stylesheet\" href=\"/css/app.css\">\n</head>\n<body>\n"
	       "<header><a href=\"/\">");
	put_html(b, json_object_get(brand, "name"));
	LIT(b, "</a> <span class=\"user\">");
	put_html(b, json_object_get(user, "name"));
	LIT(b, " &lt;");
	put_html(b, json_object_get(user, "email"));
	LIT(b, "&gt;</span></header>\n<nav>\n");
	json_array_foreach(json_object_get(ctx, "nav"), i, v) {
		LIT(b, "<a href=\"");
		put_html(b, json_object_get(v, "href"));
		LIT(b, "\"");
		if (json_is_true(json_object_get(v, "active")))
			LIT(b, " class=\"active\"");
		LIT(b, ">");
		put_html(b, json_object_get(v, "label"));
		LIT(b, "</a>\n");
	}
	LIT(b, "</nav>\n<main>\n<h1>");
	put_html(b, json_object_get(json_object_get(ctx, "tenant"), "name"));
	LIT(b, "</h1>\n<table>\n<thead><tr>");
	json_array_foreach(json_object_get(ctx, "columns"), i, v) {
		LIT(b, "<th>");
		put_html(b, v);
		LIT(b, "</th>");
	}
	LIT(b, "</tr></thead>\n<tbody>\n");
	json_array_foreach(json_object_get(ctx, "rows"), i, row) {
		LIT(b, "<tr class=\"sev-");
		put_html(b, json_object_get(row, "severity"));
		LIT(b, "\"><td>");
		put_int(b, json_object_get(row, "id"));
		LIT(b, "</td><td>");
		put_html(b, json_object_get(row, "name"));
		LIT(b, "</td><td>");
		put_html(b, json_object_get(row, "tenant"));
		LIT(b, "</td><td>");
		put_html(b, json_object_get(row, "ip"));
		LIT(b, "</td><td>");
		put_html(b, json_object_get(row, "os"));
		LIT(b, "</td><td>");
		put_html(b, json_object_get(row, "severity"));
		LIT(b, "</td><td>");
		put_html(b, json_object_get(row, "status"));
		LIT(b, "</td><td>");
		put_html(b, json_object_get(row, "note"));
		LIT(b, "</td></tr>\n");
	}
	LIT(b, "</tbody>\n</table>\n<p>");
	put_html(b, json_object_get(ctx, "summary"));
	LIT(b, "</p>\n</main>\n<footer>");
	put_html(b, json_object_get(brand, "footer"));
	LIT(b, "</footer>\n</body>\n</html>\n");
}

/* ---- driver --------------------------------------------------------------- */

/* CPU time of this process: the bench host is shared, and wall time would
 * measure the neighbours as much as the renderer. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_out(const char *dir, const char *file, const struct buf *b)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(b->data, 1, b->len, f) != b->len) {
		perror(path);
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

static double rate_engine(struct mus_set *set, const char *name, json_t *ctx, double secs)
{
	struct buf b = BUF_INIT;
	struct mus_error err;
	long n = 0;
	double t0 = now(), t;

	do {
		for (int k = 0; k < 16; k++) {
			buf_reset(&b);
			if (mus_render(set, name, ctx, &b, &err) != R_SUCCESS)
				abort();
		}
		n += 16;
	} while ((t = now() - t0) < secs);
	buf_free(&b);
	return (double)n / t;
}

static double rate_hand(void (*fn)(struct buf *, json_t *), json_t *ctx, double secs)
{
	struct buf b = BUF_INIT;
	long n = 0;
	double t0 = now(), t;

	do {
		for (int k = 0; k < 16; k++) {
			buf_reset(&b);
			fn(&b, ctx);
		}
		n += 16;
	} while ((t = now() - t0) < secs);
	buf_free(&b);
	return (double)n / t;
}

int main(int argc, char **argv)
{
	struct {
		const char *name;
		json_t *ctx;
		void (*hand)(struct buf *, json_t *);
	} w[2];
	struct mus_set *set;
	struct mus_error err;
	double secs = argc > 3 ? atof(argv[3]) : 2.0;
	char path[4096], file[256];
	int i, rc = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s TEMPLATE_DIR OUT_DIR [SECONDS]\n", argv[0]);
		return 2;
	}
	set = mus_set_new();
	if (mus_set_load_dir(set, argv[1], &err) != R_SUCCESS) {
		fprintf(stderr, "%s:%d:%d: %s\n", err.name, err.line, err.col, err.msg);
		return 1;
	}
	w[0].name = "fortunes";
	w[0].ctx = fortunes_data();
	w[0].hand = fortunes_hand;
	w[1].name = "dashboard";
	w[1].ctx = dashboard_data();
	w[1].hand = dashboard_hand;
	for (i = 0; i < 2; i++) {
		struct buf a = BUF_INIT, b = BUF_INIT;

		snprintf(path, sizeof(path), "%s/%s.json", argv[2], w[i].name);
		json_dump_file(w[i].ctx, path, JSON_COMPACT);
		if (mus_render(set, w[i].name, w[i].ctx, &a, &err) != R_SUCCESS) {
			fprintf(stderr, "%s:%d:%d: %s\n", err.name, err.line, err.col, err.msg);
			return 1;
		}
		w[i].hand(&b, w[i].ctx);
		snprintf(file, sizeof(file), "%s.c.html", w[i].name);
		write_out(argv[2], file, &a);
		snprintf(file, sizeof(file), "%s.hand.html", w[i].name);
		write_out(argv[2], file, &b);
		if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
			fprintf(stderr, "%s: engine and hand-written outputs differ\n", w[i].name);
			rc = 1;
		}
		printf("%s bytes %zu\n", w[i].name, a.len);
		buf_free(&a);
		buf_free(&b);
	}
	if (rc)
		return rc;
	for (i = 0; i < 2; i++) {
		printf("%s c %.1f\n", w[i].name, rate_engine(set, w[i].name, w[i].ctx, secs));
		printf("%s hand %.1f\n", w[i].name, rate_hand(w[i].hand, w[i].ctx, secs));
		fflush(stdout);
	}
	for (i = 0; i < 2; i++)
		json_decref(w[i].ctx);
	mus_set_free(set);
	return 0;
}
