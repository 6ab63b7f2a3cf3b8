/* router.c - matching paths against the route table. */
#include "router.h"

#include <string.h>

/* Match one pattern; on success store params (arena copies) in req. */
static int match(struct req *req, const char *pat, const char *path)
{
	const char *params[HTTP_MAX_ROUTE_PARAMS];
	size_t plen[HTTP_MAX_ROUTE_PARAMS];
	int n = 0, i;

	while (*pat && *path) {
		if (*pat == '{') {
			size_t seg = strcspn(path, "/");
			const char *close = strchr(pat, '}');
			if (close == NULL || seg == 0 || n == HTTP_MAX_ROUTE_PARAMS)
				return 0;
			params[n] = path;
			plen[n++] = seg;
			pat = close + 1;
			path += seg;
			continue;
		}
		if (*pat != *path)
			return 0;
		pat++;
		path++;
	}
	if (*pat != '\0' || *path != '\0')
		return 0;
	for (i = 0; i < n; i++)
		req->route_params[i] = arena_strndup(&req->arena, params[i], plen[i]);
	req->nroute_params = n;
	return 1;
}

int route_is_write(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
	       strcmp(method, "PATCH") == 0 || strcmp(method, "DELETE") == 0;
}

const struct route *route_match(struct req *req, const struct route *table, unsigned n, const char *method,
                                const char *path, int *allowed)
{
	unsigned i;
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;

	*allowed = 0;
	for (i = 0; i < n; i++) {
		if (!match(req, table[i].pattern, path))
			continue;
		if (strcmp(table[i].method, m) == 0)
			return &table[i];
		*allowed = 1;
	}
	req->nroute_params = 0;
	return NULL;
}
