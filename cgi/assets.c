/* assets.c - the content-hashed names of the static files (scripts/assets). */
#include "assets.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static json_t *model;

/* A relative path of plain characters, as scripts/assets allows. */
static int name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 200 || s[0] == '/' || s[0] == '.' || strstr(s, "..") != NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '.' || s[i] == '_' || s[i] == '-' || s[i] == '/'))
			return 0;
	return 1;
}

/* The model key of a path: letters and digits kept, the rest '_' (the
 * process never calls setlocale: isalnum is ASCII's). */
static void key_of(const char *path, char *out)
{
	for (; *path; path++, out++)
		*out = isalnum((unsigned char)*path) ? *path : '_';
	*out = '\0';
}

enum res assets_load(const char *www)
{
	char path[4096], key[256], url[256];
	json_error_t jerr;
	json_t *manifest = NULL, *out = NULL, *v;
	const char *name;
	FILE *f;
	enum res r = R_INTERNAL;

	if ((size_t)snprintf(path, sizeof(path), "%s/assets.json", www) >= sizeof(path)) {
		log_err("assets: PORTAL_WWW is too long");
		return R_INTERNAL;
	}
	f = fopen(path, "r");
	if (f == NULL && errno == ENOENT) {
		log_info("assets: no %s (scripts/assets): pages link static files by their plain names", path);
		assets_free();
		return R_SUCCESS;
	}
	if (f == NULL) {
		log_err("assets: %s: %s", path, strerror(errno));
		return R_INTERNAL;
	}
	manifest = json_loadf(f, 0, &jerr);
	fclose(f);
	if (!json_is_object(manifest)) {
		if (manifest == NULL)
			log_err("assets: %s:%d: %s", path, jerr.line, jerr.text);
		else
			log_err("assets: %s: not a JSON object", path);
		goto out;
	}
	out = json_object();
	json_object_foreach(manifest, name, v)
	{
		const char *hashed = json_string_value(v);
		if (hashed == NULL || !name_ok(name) || !name_ok(hashed)) {
			log_err("assets: %s: a bad entry \"%s\"", path, name);
			goto out;
		}
		key_of(name, key);
		snprintf(url, sizeof(url), "/static/%s", hashed);
		if (out == NULL || json_object_set_new(out, key, json_string(url)) != 0)
			goto out;
	}
	assets_free();
	model = out;
	out = NULL;
	log_info("assets: %lu hashed names from %s", (unsigned long)json_object_size(model), path);
	r = R_SUCCESS;
out:
	json_decref(manifest);
	json_decref(out);
	return r;
}

json_t *assets_model(void)
{
	return model;
}

void assets_free(void)
{
	json_decref(model);
	model = NULL;
}
