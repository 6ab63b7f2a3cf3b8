/* image.c - recognise PNG, JPEG and WebP by their bytes (see image.h). */
#include "image.h"

#include <string.h>

static unsigned be32(const unsigned char *p)
{
	return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}
static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned le32(const unsigned char *p)
{
	return (unsigned)p[3] << 24 | (unsigned)p[2] << 16 | (unsigned)p[1] << 8 | p[0];
}
static unsigned le24(const unsigned char *p) { return (unsigned)p[2] << 16 | (unsigned)p[1] << 8 | p[0]; }
static unsigned le16(const unsigned char *p) { return (unsigned)p[1] << 8 | p[0]; }

/* n < len(sig) and p is a prefix of sig: a truncated header. */
static int prefix_of(const unsigned char *p, size_t n, const char *sig, size_t len)
{
	return n < len && memcmp(p, sig, n) == 0;
}

static enum image_check png(const unsigned char *p, size_t n, struct image_info *out)
{
	size_t off = 8;
	int first = 1;

	for (;;) {
		unsigned len;
		if (n - off < 12)
			return IMG_TRUNCATED;
		len = be32(p + off);
		if (len > 0x7fffffffu)
			return IMG_UNKNOWN;
		if (n - off - 12 < len)
			return IMG_TRUNCATED;
		if (first) {
			if (memcmp(p + off + 4, "IHDR", 4) != 0 || len != 13)
				return IMG_UNKNOWN;
			out->width = be32(p + off + 8);
			out->height = be32(p + off + 12);
			first = 0;
		}
		if (memcmp(p + off + 4, "IEND", 4) == 0)
			break;
		off += 12 + (size_t)len;
	}
	if (out->width == 0 || out->height == 0)
		return IMG_UNKNOWN; /* no such PNG (its specification: 1 pixel or more each way) */
	out->content_type = "image/png";
	out->ext = "png";
	return IMG_OK;
}

static int jpeg_sof(unsigned m)
{
	return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

static enum image_check jpeg(const unsigned char *p, size_t n, struct image_info *out)
{
	size_t off = 2;
	int have_sof = 0;

	for (;;) {
		unsigned m, len;
		if (off >= n)
			return IMG_TRUNCATED;
		if (p[off] != 0xff)
			return IMG_UNKNOWN;
		while (off < n && p[off] == 0xff) /* fill bytes */
			off++;
		if (off >= n)
			return IMG_TRUNCATED;
		m = p[off++];
		if (m == 0xd9 || m == 0xd8 || m == 0x00)
			return IMG_UNKNOWN; /* EOI before a scan, or a second SOI */
		if ((m >= 0xd0 && m <= 0xd7) || m == 0x01)
			continue; /* no length */
		if (n - off < 2)
			return IMG_TRUNCATED;
		len = be16(p + off);
		if (len < 2)
			return IMG_UNKNOWN;
		if (n - off < len)
			return IMG_TRUNCATED;
		if (jpeg_sof(m)) {
			if (len < 8)
				return IMG_UNKNOWN;
			out->height = be16(p + off + 3);
			out->width = be16(p + off + 5);
			have_sof = 1;
		}
		off += len;
		if (m == 0xda) {
			if (!have_sof)
				return IMG_UNKNOWN;
			/* Entropy-coded data up to EOI; FF00 is a stuffed byte, FFD0-D7
			 * restart markers, and a new marker may follow (progressive). */
			for (;;) {
				if (off >= n)
					return IMG_TRUNCATED;
				if (p[off] != 0xff) {
					off++;
					continue;
				}
				if (off + 1 >= n)
					return IMG_TRUNCATED;
				if (p[off + 1] == 0x00 || (p[off + 1] >= 0xd0 && p[off + 1] <= 0xd7) || p[off + 1] == 0xff) {
					off += p[off + 1] == 0xff ? 1 : 2;
					continue;
				}
				break;
			}
			if (p[off + 1] == 0xd9)
				break;
		}
	}
	if (out->width == 0 || out->height == 0)
		return IMG_UNKNOWN;
	out->content_type = "image/jpeg";
	out->ext = "jpg";
	return IMG_OK;
}

static enum image_check webp(const unsigned char *p, size_t n, struct image_info *out)
{
	unsigned riff = le32(p + 4), len;
	const unsigned char *c;

	if ((size_t)riff + 8 > n)
		return IMG_TRUNCATED;
	if (riff < 4 + 8 || (riff & 1))
		return IMG_UNKNOWN;
	c = p + 12;
	len = le32(c + 4);
	if ((size_t)len + 20 > (size_t)riff + 8)
		return IMG_UNKNOWN;
	if (memcmp(c, "VP8 ", 4) == 0) {
		if (len < 10 || c[8 + 3] != 0x9d || c[8 + 4] != 0x01 || c[8 + 5] != 0x2a)
			return IMG_UNKNOWN;
		out->width = le16(c + 8 + 6) & 0x3fff;
		out->height = le16(c + 8 + 8) & 0x3fff;
	} else if (memcmp(c, "VP8L", 4) == 0) {
		unsigned bits;
		if (len < 5 || c[8] != 0x2f)
			return IMG_UNKNOWN;
		bits = le32(c + 9);
		out->width = (bits & 0x3fff) + 1;
		out->height = ((bits >> 14) & 0x3fff) + 1;
	} else if (memcmp(c, "VP8X", 4) == 0) {
		if (len < 10)
			return IMG_UNKNOWN;
		out->width = le24(c + 8 + 4) + 1;
		out->height = le24(c + 8 + 7) + 1;
	} else
		return IMG_UNKNOWN;
	if (out->width == 0 || out->height == 0)
		return IMG_UNKNOWN;
	out->content_type = "image/webp";
	out->ext = "webp";
	return IMG_OK;
}

/* SVG or other XML/HTML text: "<svg", "<?xml" or "<!doctype svg" near the
 * start, after an optional BOM and white space. */
static int looks_svg(const unsigned char *p, size_t n)
{
	size_t i = 0, lim = n < 4096 ? n : 4096;

	if (n >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf)
		i = 3;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	if (i >= n || p[i] != '<')
		return 0;
	for (; i + 4 <= lim; i++)
		if ((p[i] == '<') && (p[i + 1] | 0x20) == 's' && (p[i + 2] | 0x20) == 'v' && (p[i + 3] | 0x20) == 'g')
			return 1;
	return 0;
}

enum image_check image_sniff(const unsigned char *p, size_t n, struct image_info *out)
{
	static const char png_sig[] = "\x89PNG\r\n\x1a\n";
	enum image_check r;

	memset(out, 0, sizeof(*out));
	if (p == NULL || n == 0)
		return IMG_EMPTY;
	if (n > IMAGE_MAX_BYTES)
		return IMG_TOO_LARGE;
	if (n >= 8 && memcmp(p, png_sig, 8) == 0)
		r = png(p, n, out);
	else if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		r = jpeg(p, n, out);
	else if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		r = n < 30 ? IMG_TRUNCATED : webp(p, n, out);
	else if (prefix_of(p, n, png_sig, 8) || prefix_of(p, n, "\xff\xd8\xff", 3) ||
	         (n < 12 && memcmp(p, "RIFF", n < 4 ? n : 4) == 0 &&
	          (n <= 8 || memcmp(p + 8, "WEBP", n - 8) == 0)))
		r = IMG_TRUNCATED;
	else
		r = looks_svg(p, n) ? IMG_SVG : IMG_UNKNOWN;
	if (r == IMG_OK && (out->width > IMAGE_MAX_SIDE || out->height > IMAGE_MAX_SIDE))
		r = IMG_TOO_BIG;
	if (r != IMG_OK && r != IMG_TOO_BIG)
		memset(out, 0, sizeof(*out));
	return r;
}

const char *image_message(enum image_check c)
{
	switch (c) {
	case IMG_OK: return "";
	case IMG_EMPTY: return "The file is empty.";
	case IMG_TOO_LARGE: return "The file is larger than 512 KiB.";
	case IMG_TOO_BIG: return "The image is larger than 1024 × 1024 pixels.";
	case IMG_SVG:
		return "SVG images are not accepted: they can carry script. Upload a PNG, JPEG or WebP image.";
	case IMG_TRUNCATED: return "The image file is incomplete (truncated). Upload it again.";
	default: return "This file is not a PNG, JPEG or WebP image.";
	}
}
