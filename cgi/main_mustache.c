/* main_mustache.c - render a Mustache template from the command line.
 *
 *   mustache [-p PARTIALS_DIR] TEMPLATE_FILE DATA.json
 *
 * Prints the rendered text and exits 0. On a template or data error prints
 * "file:line:col: message" to stderr and exits 1; usage errors exit 2. With
 * -p every *.mustache below PARTIALS_DIR is loaded (named by relative path
 * without the extension) and static partial/parent references are checked;
 * the main template is named after its file without directory or extension. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mustache.h"

static void usage(void)
{
	fprintf(stderr, "usage: mustache [-p PARTIALS_DIR] TEMPLATE_FILE DATA.json\n");
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char tmp[65536];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(&b, tmp, n);
	if (ferror(f) || !buf_ok(&b)) {
		fclose(f);
		buf_free(&b);
		return NULL;
	}
	fclose(f);
	*len = b.len;
	return b.data ? buf_take(&b) : strdup("");
}

/* Print err as file:line:col: message, mapping template names to files. */
static void report(const struct mus_error *err, const char *main_name, const char *main_path,
                   const char *dir)
{
	char file[4096];

	if (strcmp(err->name, main_name) == 0)
		snprintf(file, sizeof(file), "%s", main_path);
	else if (dir && err->line > 0)
		snprintf(file, sizeof(file), "%s/%s.mustache", dir, err->name);
	else
		snprintf(file, sizeof(file), "%s", err->name);
	if (err->line > 0)
		fprintf(stderr, "%s:%d:%d: %s\n", file, err->line, err->col, err->msg);
	else
		fprintf(stderr, "%s: %s\n", file, err->msg);
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *tpath, *dpath, *base;
	char name[128], *src = NULL, *dot;
	size_t len = 0;
	struct mus_set *set = NULL;
	struct mus_error err;
	struct buf out = BUF_INIT;
	json_t *data = NULL;
	json_error_t jerr;
	int c, code = 1;
	enum res rc;

	while ((c = getopt(argc, argv, "p:h")) != -1) {
		switch (c) {
		case 'p': dir = optarg; break;
		default: usage(); return 2;
		}
	}
	if (argc - optind != 2) {
		usage();
		return 2;
	}
	tpath = argv[optind];
	dpath = argv[optind + 1];
	base = strrchr(tpath, '/');
	base = base ? base + 1 : tpath;
	snprintf(name, sizeof(name), "%s", base);
	dot = strrchr(name, '.');
	if (dot && dot != name)
		*dot = '\0';
	memset(&err, 0, sizeof(err));

	src = slurp(tpath, &len);
	if (src == NULL) {
		fprintf(stderr, "%s: cannot read\n", tpath);
		goto out;
	}
	data = json_load_file(dpath, JSON_DECODE_ANY, &jerr);
	if (data == NULL) {
		fprintf(stderr, "%s:%d:%d: %s\n", dpath, jerr.line, jerr.column, jerr.text);
		goto out;
	}
	set = mus_set_new();
	if (set == NULL)
		goto out;
	/* Add the main template first so load_dir checks its partials too,
	 * and again afterwards so it wins over a same-named partial. */
	rc = mus_set_add(set, name, src, len, &err);
	if (rc == R_SUCCESS && dir)
		rc = mus_set_load_dir(set, dir, &err);
	if (rc == R_SUCCESS && dir)
		rc = mus_set_add(set, name, src, len, &err);
	if (rc == R_SUCCESS)
		rc = mus_render(set, name, data, &out, &err);
	if (rc != R_SUCCESS) {
		report(&err, name, tpath, dir);
		goto out;
	}
	if (out.len && fwrite(out.data, 1, out.len, stdout) != out.len) {
		perror("stdout");
		goto out;
	}
	code = fflush(stdout) == 0 ? 0 : 1;
out:
	buf_free(&out);
	mus_set_free(set);
	json_decref(data);
	free(src);
	return code;
}
