/* image.h - recognise an uploaded logo by its bytes.
 *
 * Never trusts a file name or a declared Content-Type: PNG (signature, IHDR
 * and the chunk chain up to IEND), JPEG (SOI, a SOFn frame header for the
 * size, a scan and EOI) and WebP (RIFF....WEBP with a VP8, VP8L or VP8X
 * chunk) are recognised; everything else, SVG included (it can carry
 * script), is refused with a reason. A file cut short anywhere is refused as
 * truncated. */
#ifndef IMAGE_H
#define IMAGE_H

#include <stddef.h>

#define IMAGE_MAX_BYTES (512u * 1024u)
#define IMAGE_MAX_SIDE 1024u

enum image_check {
	IMG_OK = 0,
	IMG_EMPTY,
	IMG_TOO_LARGE,  /* more than IMAGE_MAX_BYTES */
	IMG_TOO_BIG,    /* wider or taller than IMAGE_MAX_SIDE */
	IMG_SVG,
	IMG_TRUNCATED,
	IMG_UNKNOWN
};

struct image_info {
	const char *content_type; /* "image/png", "image/jpeg", "image/webp" */
	const char *ext;          /* "png", "jpg", "webp" */
	unsigned width, height;
};

enum image_check image_sniff(const unsigned char *p, size_t n, struct image_info *out);
/* A sentence for the form ("SVG is not accepted: ..."). */
const char *image_message(enum image_check c);

#endif
