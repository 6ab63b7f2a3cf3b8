/* fuzz_mustache.c - libFuzzer harness for the Mustache compiler and renderer.
 *
 * Input: TEMPLATE \0 PARTIAL \0 JSON. The template is compiled as "t", the
 * middle part as partial "p"; fixed partials "self" (recursive) and "layout"
 * (a parent with a block) are always there. Data that is not valid JSON is
 * replaced by a small fixed object. Renders "t" and "p" with small limits:
 * every outcome is fine except a crash, a leak, UB or a hang. */
#include <stdint.h>
#include <string.h>

#include "mustache.h"

static const char fallback[] =
	"{\"a\":[1,2,{\"b\":\"<x>\"}],\"b\":\"&'`=\",\"c\":{\"d\":1.5},\"t\":true,\"n\":null,"
	"\"name\":\"p\",\"e\":[]}";

static const char self_src[] = "{{>self}}";
static const char layout_src[] = "<{{$x}}\n  default\n{{/x}}>{{$y}}{{/y}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size;
	const char *p1 = memchr(s, '\0', size), *p2 = NULL;
	size_t tl = p1 ? (size_t)(p1 - s) : size;
	const char *part = p1 ? p1 + 1 : end;
	size_t pl, jl;
	const char *js;
	struct mus_limits lim = {16, 8, 64 * 1024};
	struct mus_set *set;
	struct mus_error err;
	struct buf out = BUF_INIT;
	json_t *ctx;

	p2 = part < end ? memchr(part, '\0', (size_t)(end - part)) : NULL;
	pl = p2 ? (size_t)(p2 - part) : (size_t)(end - part);
	js = p2 ? p2 + 1 : end;
	jl = (size_t)(end - js);
	ctx = json_loadb(js, jl, JSON_DECODE_ANY, NULL);
	if (ctx == NULL)
		ctx = json_loads(fallback, 0, NULL);
	set = mus_set_new();
	if (set == NULL)
		goto out;
	mus_set_limits(set, &lim);
	mus_set_add(set, "self", self_src, sizeof(self_src) - 1, &err);
	mus_set_add(set, "layout", layout_src, sizeof(layout_src) - 1, &err);
	mus_set_add(set, "p", part, pl, &err);
	if (mus_set_add(set, "t", s, tl, &err) == R_SUCCESS)
		mus_render(set, "t", ctx, &out, &err);
	buf_reset(&out);
	if (mus_has(set, "p"))
		mus_render(set, "p", ctx, &out, &err);
out:
	buf_free(&out);
	mus_set_free(set);
	json_decref(ctx);
	return 0;
}
