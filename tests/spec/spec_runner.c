/* spec_runner.c - run the official Mustache spec JSON files.
 *
 * usage: spec_runner SPEC_DIR
 * Renders every case of every *.json file in SPEC_DIR (partials from the
 * case's "partials" object) and prints one TAP line per case, a tally per
 * file and the tap_done() summary. Exit 0 when every case passes. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mustache.h"
#include "../unit/tap.h"

#define MAIN_NAME "(template)"

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void show(const char *label, const char *s)
{
	printf("#   %s [", label);
	for (; *s; s++) {
		if (*s == '\n')
			printf("\\n");
		else if (*s == '\r')
			printf("\\r");
		else if (*s == '\t')
			printf("\\t");
		else
			putchar(*s);
	}
	printf("]\n");
}

static int run_case(const char *file, json_t *tc)
{
	const char *name = json_string_value(json_object_get(tc, "name"));
	json_t *tmpl = json_object_get(tc, "template"), *exp = json_object_get(tc, "expected");
	json_t *partials = json_object_get(tc, "partials"), *data = json_object_get(tc, "data");
	struct mus_set *set = mus_set_new();
	struct mus_error err;
	struct buf out = BUF_INIT;
	const char *pname;
	json_t *pv;
	enum res rc = R_SUCCESS;
	int ok;

	memset(&err, 0, sizeof(err));
	json_object_foreach(partials, pname, pv) {
		if (rc == R_SUCCESS)
			rc = mus_set_add(set, pname, json_string_value(pv), json_string_length(pv), &err);
	}
	if (rc == R_SUCCESS)
		rc = mus_set_add(set, MAIN_NAME, json_string_value(tmpl), json_string_length(tmpl), &err);
	if (rc == R_SUCCESS)
		rc = mus_render(set, MAIN_NAME, data, &out, &err);
	ok = rc == R_SUCCESS && out.len == json_string_length(exp) &&
	     memcmp(out.data ? out.data : "", json_string_value(exp), out.len) == 0;
	TAP_OK(ok, "%s: %s", file, name ? name : "?");
	if (!ok) {
		if (rc != R_SUCCESS)
			printf("#   error %s:%d:%d: %s\n", err.name, err.line, err.col, err.msg);
		show("template", json_string_value(tmpl));
		show("expected", json_string_value(exp));
		show("got     ", out.data ? out.data : "");
	}
	buf_free(&out);
	mus_set_free(set);
	return ok;
}

int main(int argc, char **argv)
{
	DIR *d;
	struct dirent *de;
	char **files = NULL;
	size_t nfiles = 0, i, k;
	int total = 0, passed = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s SPEC_DIR\n", argv[0]);
		return 2;
	}
	d = opendir(argv[1]);
	if (d == NULL) {
		perror(argv[1]);
		return 2;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		char **p;
		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		p = realloc(files, (nfiles + 1) * sizeof(*files));
		if (p == NULL)
			return 2;
		files = p;
		files[nfiles++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(files, nfiles, sizeof(*files), cmp);
	for (i = 0; i < nfiles; i++) {
		char path[4096];
		json_error_t jerr;
		json_t *root, *tests;
		int fp = 0, ft = 0;

		snprintf(path, sizeof(path), "%s/%s", argv[1], files[i]);
		root = json_load_file(path, 0, &jerr);
		tests = json_object_get(root, "tests");
		if (!json_is_array(tests)) {
			TAP_OK(0, "%s: cannot load: %s", files[i], jerr.text);
			json_decref(root);
			free(files[i]);
			continue;
		}
		for (k = 0; k < json_array_size(tests); k++) {
			ft++;
			fp += run_case(files[i], json_array_get(tests, k));
		}
		printf("# %s: %d/%d\n", files[i], fp, ft);
		total += ft;
		passed += fp;
		json_decref(root);
		free(files[i]);
	}
	free(files);
	printf("# spec total: %d/%d\n", passed, total);
	return tap_done();
}
