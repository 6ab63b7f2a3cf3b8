/* test_mustache_index.c - the portal's one extension to Mustache: an
 * all-digit segment of a dotted name indexes an array. */
#include <string.h>

#include "mustache.h"
#include "tap.h"

static void check(const char *tmpl, const char *json, const char *want, const char *name)
{
	struct mus_set *set = mus_set_new();
	struct mus_error err;
	struct buf out = BUF_INIT;
	json_t *data = json_loads(json, 0, NULL);

	mus_set_add(set, "t", tmpl, strlen(tmpl), &err);
	mus_render(set, "t", data, &out, &err);
	TAP_STR(out.data ? out.data : "", want, "%s", name);
	buf_free(&out);
	json_decref(data);
	mus_set_free(set);
}

int main(void)
{
	check("{{#rows.0}}<table>{{#rows}}[{{x}}]{{/rows}}</table>{{/rows.0}}", "{\"rows\":[{\"x\":1},{\"x\":2}]}",
	      "<table>[1][2]</table>", "a list with rows renders the wrapper");
	check("{{#rows.0}}<table>{{/rows.0}}{{^rows}}empty{{/rows}}", "{\"rows\":[]}", "empty",
	      "an empty list renders neither wrapper nor rows");
	check("{{rows.1.x}}", "{\"rows\":[{\"x\":1},{\"x\":2}]}", "2", "an index then a member");
	check("{{rows.5.x}}|{{rows.x}}|{{rows.01}}", "{\"rows\":[{\"x\":1}]}", "||",
	      "out of range, names on arrays and leading zeros beyond the list give nothing");
	check("{{0}}", "{\"0\":\"zero\"}", "zero", "a first segment of digits is still a member name");
	check("{{a.0}}", "{\"a\":{\"0\":\"member\"}}", "member", "digits on an object are a member name");
	return tap_done();
}
