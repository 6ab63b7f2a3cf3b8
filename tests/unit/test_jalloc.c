/* test_jalloc.c - jansson's memory during a request (cgi/jalloc.c): a
 * request's values come from the worker's region and all go back at its
 * end; what is made with the region suspended, or outside a request,
 * outlives it; json_text() is text for free(); a request larger than the
 * region is served from malloc. Under AddressSanitizer (make asan, as
 * tests/run builds it) a value of an ended request is poisoned, and free()
 * of region memory would be reported: the checks below then hold for the
 * sanitizer too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jalloc.h"
#include "tap.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

int main(void)
{
	json_t *before, *a, *b, *kept, *big;
	const void *first;
	char *text, *huge;
	size_t n = (size_t)20 << 20; /* over the region's 16 MB */
	int saved;

	jalloc_init();
	before = json_pack("{s:s}", "made", "before any request");

	jalloc_request_begin();
	a = json_pack("{s:s, s:[i, i]}", "name", "first", "list", 1, 2);
	first = a;
	text = json_text(a, JSON_COMPACT | JSON_SORT_KEYS);
	TAP_STR(text, "{\"list\":[1,2],\"name\":\"first\"}", "json_text() writes the value");
	free(text); /* from malloc: AddressSanitizer would report free() of region memory */
	saved = jalloc_suspend();
	kept = json_deep_copy(a);
	jalloc_resume(saved);
	json_decref(a);
	jalloc_request_end();

#if defined(__SANITIZE_ADDRESS__)
	TAP_OK(__asan_address_is_poisoned(first), "a value of an ended request is poisoned (ASan reports its use)");
#endif
	jalloc_request_begin();
	b = json_object();
	TAP_OK((const void *)b == first, "the region is taken back whole: the next request starts where the last did");
	TAP_STR(json_string_value(json_object_get(kept, "name")), "first",
	        "a copy made with the region suspended outlives the request (the page cache's entries)");
	TAP_STR(json_string_value(json_object_get(before, "made")), "before any request",
	        "a value made outside a request outlives every request");
	json_decref(b);
	json_decref(kept); /* malloc'd, freed from within a request */
	jalloc_request_end();

	jalloc_request_begin();
	huge = malloc(n);
	TAP_OK(huge != NULL, "20 MB to copy");
	if (huge != NULL) {
		memset(huge, 'x', n);
		big = json_stringn(huge, n);
		TAP_OK(big != NULL && json_string_length(big) == n && json_string_value(big)[n - 1] == 'x',
		       "a request that needs more than the region gets it from malloc");
		a = json_pack("{s:s}", "after", "the large one");
		TAP_STR(json_string_value(json_object_get(a, "after")), "the large one",
		        "and the region still serves the request's small values");
		json_decref(big);
		json_decref(a);
		free(huge);
	}
	jalloc_request_end();

	json_decref(before);
	return tap_done();
}
