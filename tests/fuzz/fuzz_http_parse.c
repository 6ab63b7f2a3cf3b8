/* fuzz_http_parse.c - libFuzzer entry for cgi/http_parse.c.
 *
 * data[0] picks the parser (low 3 bits mod 5) and the limits (bit 3: the
 * portal defaults, or tiny limits so every R_TOO_LARGE path is reachable
 * with short inputs); the rest of the input is fed to the parser. Every
 * returned pair is read back in full so ASan sees any bad length. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "http_parse.h"

#define FUZZ_BOUNDARY "fuzzB0undary"

static const struct http_limits tiny = {
	.max_fields = 4,
	.max_name = 8,
	.max_value = 16,
	.max_file = 32,
	.max_files = 2,
	.max_body = 4096,
	.max_json_depth = 4,
};

static volatile unsigned sink;

static void touch(const struct http_params *p)
{
	size_t i, j;

	for (i = 0; i < p->count; i++) {
		const struct http_param *x = &p->items[i];
		sink += (unsigned)strlen(x->name);
		for (j = 0; j <= x->value_len; j++)
			sink += (unsigned char)x->value[j];
		if (x->filename)
			sink += (unsigned)strlen(x->filename);
		if (x->content_type)
			sink += (unsigned)strlen(x->content_type);
		if (http_param_get(p, x->name) == NULL)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a = ARENA_INIT;
	struct http_params p;
	const struct http_limits *lim;
	const char *s;
	char *copy, err[128];
	size_t n;
	json_t *j = NULL;
	enum res r = R_SUCCESS;

	if (size < 1)
		return 0;
	lim = (data[0] & 8) ? &tiny : &http_default_limits;
	s = (const char *)data + 1;
	n = size - 1;
	switch ((data[0] & 7) % 5) {
	case 0:
		r = http_parse_urlencoded(&a, s, n, lim, &p);
		break;
	case 1:
		r = http_parse_cookies(&a, s, n, lim, &p);
		break;
	case 2:
		r = http_parse_multipart(&a, s, n, FUZZ_BOUNDARY, lim, &p);
		break;
	case 3:
		/* boundary extraction takes a C string */
		if ((copy = arena_strndup(&a, s, n)) != NULL) {
			const char *b = http_multipart_boundary(&a, copy);
			if (b != NULL && (strlen(b) < 1 || strlen(b) > 70))
				__builtin_trap();
		}
		arena_free(&a);
		return 0;
	default:
		r = http_parse_json(s, n, lim, &j, err, sizeof(err));
		if ((r == R_SUCCESS) != (j != NULL))
			__builtin_trap();
		json_decref(j);
		arena_free(&a);
		return 0;
	}
	if (r == R_SUCCESS)
		touch(&p);
	arena_free(&a);
	return 0;
}
