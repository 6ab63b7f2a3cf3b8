/* fuzz_image.c - libFuzzer target for cgi/image.c: the bytes of any file an
 * administrator uploads as a logo. Besides what ASan and UBSan see (a read
 * past the file), it checks what image.h promises: every answer is one of
 * the checks; an image recognised has its type and a size of 1 to
 * IMAGE_MAX_SIDE pixels each way; anything else leaves no type behind. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_info info;
	enum image_check c = image_sniff(data, size, &info);

	switch (c) {
	case IMG_OK:
		if (info.content_type == NULL || info.ext == NULL || info.width < 1 || info.height < 1 ||
		    info.width > IMAGE_MAX_SIDE || info.height > IMAGE_MAX_SIDE)
			abort();
		break;
	case IMG_TOO_BIG:
		if (info.content_type == NULL || (info.width <= IMAGE_MAX_SIDE && info.height <= IMAGE_MAX_SIDE))
			abort();
		break;
	case IMG_EMPTY:
	case IMG_TOO_LARGE:
	case IMG_SVG:
	case IMG_TRUNCATED:
	case IMG_UNKNOWN:
		if (info.content_type != NULL || info.ext != NULL || info.width != 0 || info.height != 0)
			abort();
		break;
	default: abort();
	}
	if (image_message(c) == NULL)
		abort();
	return 0;
}
