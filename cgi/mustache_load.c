/* mustache_load.c - loading a directory of templates into a set: reads
 * each file and hands it to the compiler (mustache_compile.c), then checks
 * every static partial and parent exists. The top of the engine. */
#include "mustache_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- loading a directory ------------------------------------------------ */

static int read_file(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char tmp[8192];
	size_t n;

	if (f == NULL)
		return -1;
	while ((n = fread(tmp, 1, sizeof(tmp), f)) > 0)
		buf_append(&b, tmp, n);
	if (ferror(f) || !buf_ok(&b)) {
		fclose(f);
		buf_free(&b);
		return -1;
	}
	fclose(f);
	*len = b.len;
	*data = b.data ? buf_take(&b) : strdup("");
	return *data ? 0 : -1;
}

static enum res load_rec(struct mus_set *set, const char *root, const char *rel, int level,
                         struct mus_error *err)
{
	char path[4096], sub[4096];
	DIR *d;
	struct dirent *de;
	enum res rc = R_SUCCESS;
	static const char ext[] = ".mustache";

	if (level > 32) {
		mus_set_err(err, rel, 0, 0, "directories nested too deep");
		return R_TOO_LARGE;
	}
	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	d = opendir(path);
	if (d == NULL) {
		mus_set_err(err, path, 0, 0, "cannot open directory: %s", strerror(errno));
		return R_NOT_FOUND;
	}
	while (rc == R_SUCCESS && (de = readdir(d)) != NULL) {
		struct stat st;
		size_t nl = strlen(de->d_name);
		char full[8192];

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		snprintf(full, sizeof(full), "%s/%s", root, sub);
		if (stat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			rc = load_rec(set, root, sub, level + 1, err);
		} else if (S_ISREG(st.st_mode) && nl > sizeof(ext) - 1 &&
		           strcmp(de->d_name + nl - (sizeof(ext) - 1), ext) == 0) {
			char *data;
			size_t len;

			if (read_file(full, &data, &len) != 0) {
				mus_set_err(err, sub, 0, 0, "cannot read: %s", strerror(errno));
				rc = R_INTERNAL;
				break;
			}
			sub[strlen(sub) - (sizeof(ext) - 1)] = '\0';
			rc = mus_set_add(set, sub, data, len, err);
			free(data);
		}
	}
	closedir(d);
	return rc;
}

enum res mus_set_load_dir(struct mus_set *set, const char *dir, struct mus_error *err)
{
	enum res rc = load_rec(set, dir, "", 0, err);
	uint32_t i, j;

	if (rc != R_SUCCESS)
		return rc;
	for (i = 0; i < set->nslots; i++) {
		const struct mus_tmpl *t = set->slots[i].t;
		if (t == NULL)
			continue;
		for (j = 0; j < t->nops; j++) {
			const struct mus_op *op = &t->ops[j];
			if ((op->kind == MOP_PARTIAL || op->kind == MOP_PARENT) && !op->dynamic &&
			    set->slots[op->slot].t == NULL) {
				mus_set_err(err, t->name, op->line, op->col, "%s \"%s\" not found",
				            op->kind == MOP_PARTIAL ? "partial" : "parent", op->name);
				return R_BAD_INPUT;
			}
		}
	}
	return R_SUCCESS;
}
