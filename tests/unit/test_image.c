/* test_image.c - logo uploads recognised by their bytes (cgi/image.c). */
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "tap.h"

static size_t put32be(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16), p[2] = (unsigned char)(v >> 8),
	p[3] = (unsigned char)v;
	return 4;
}

/* A minimal PNG: signature, IHDR, a tiny IDAT, IEND (CRCs are not checked). */
static size_t make_png(unsigned char *b, unsigned w, unsigned h)
{
	size_t n = 0;
	memcpy(b, "\x89PNG\r\n\x1a\n", 8), n = 8;
	n += put32be(b + n, 13);
	memcpy(b + n, "IHDR", 4), n += 4;
	n += put32be(b + n, w);
	n += put32be(b + n, h);
	memcpy(b + n, "\x08\x06\x00\x00\x00", 5), n += 5;
	n += put32be(b + n, 0);
	n += put32be(b + n, 3);
	memcpy(b + n, "IDAT\x78\x9c\x03", 7), n += 7;
	n += put32be(b + n, 0);
	n += put32be(b + n, 0);
	memcpy(b + n, "IEND", 4), n += 4;
	n += put32be(b + n, 0xae426082u);
	return n;
}

/* A minimal baseline JPEG: SOI, APP0, SOF0 (h x w), SOS, scan bytes, EOI. */
static size_t make_jpeg(unsigned char *b, unsigned w, unsigned h)
{
	static const unsigned char app0[] = {0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
	size_t n = 0;
	b[n++] = 0xff, b[n++] = 0xd8;
	memcpy(b + n, app0, sizeof(app0)), n += sizeof(app0);
	b[n++] = 0xff, b[n++] = 0xc0, b[n++] = 0, b[n++] = 11, b[n++] = 8;
	b[n++] = (unsigned char)(h >> 8), b[n++] = (unsigned char)h, b[n++] = (unsigned char)(w >> 8),
	b[n++] = (unsigned char)w;
	b[n++] = 1, b[n++] = 1, b[n++] = 0x11, b[n++] = 0;
	b[n++] = 0xff, b[n++] = 0xda, b[n++] = 0, b[n++] = 8, b[n++] = 1, b[n++] = 1, b[n++] = 0, b[n++] = 0,
	b[n++] = 0x3f, b[n++] = 0;
	b[n++] = 0x12, b[n++] = 0xff, b[n++] = 0x00, b[n++] = 0x34, b[n++] = 0xff, b[n++] = 0xd0, b[n++] = 0x56;
	b[n++] = 0xff, b[n++] = 0xd9;
	return n;
}

static size_t riff(unsigned char *b, const char *chunk, const unsigned char *data, unsigned len)
{
	unsigned total = 4 + 8 + len + (len & 1);
	memcpy(b, "RIFF", 4);
	b[4] = (unsigned char)total, b[5] = (unsigned char)(total >> 8), b[6] = (unsigned char)(total >> 16), b[7] = 0;
	memcpy(b + 8, "WEBP", 4);
	memcpy(b + 12, chunk, 4);
	b[16] = (unsigned char)len, b[17] = (unsigned char)(len >> 8), b[18] = 0, b[19] = 0;
	memcpy(b + 20, data, len);
	if (len & 1)
		b[20 + len] = 0;
	return 8 + total;
}

static size_t make_webp_lossy(unsigned char *b, unsigned w, unsigned h)
{
	unsigned char d[18] = {0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a};
	d[6] = (unsigned char)w, d[7] = (unsigned char)(w >> 8), d[8] = (unsigned char)h, d[9] = (unsigned char)(h >> 8);
	return riff(b, "VP8 ", d, sizeof(d));
}

static size_t make_webp_lossless(unsigned char *b, unsigned w, unsigned h)
{
	unsigned char d[9] = {0x2f};
	unsigned bits = (w - 1) | (h - 1) << 14;
	d[1] = (unsigned char)bits, d[2] = (unsigned char)(bits >> 8), d[3] = (unsigned char)(bits >> 16),
	d[4] = (unsigned char)(bits >> 24);
	return riff(b, "VP8L", d, sizeof(d));
}

static size_t make_webp_ext(unsigned char *b, unsigned w, unsigned h)
{
	unsigned char d[10] = {0};
	d[4] = (unsigned char)(w - 1), d[5] = (unsigned char)((w - 1) >> 8), d[6] = (unsigned char)((w - 1) >> 16);
	d[7] = (unsigned char)(h - 1), d[8] = (unsigned char)((h - 1) >> 8), d[9] = (unsigned char)((h - 1) >> 16);
	return riff(b, "VP8X", d, sizeof(d));
}

/* Every proper prefix of a valid file is refused (never IMG_OK). */
static void every_prefix_refused(const char *name, const unsigned char *b, size_t n)
{
	struct image_info info;
	size_t bad = (size_t)-1, i;
	int all_truncated = 1;

	for (i = 1; i < n; i++) {
		enum image_check c = image_sniff(b, i, &info);
		if (c == IMG_OK && bad == (size_t)-1)
			bad = i;
		if (c != IMG_TRUNCATED)
			all_truncated = 0;
	}
	TAP_OK(bad == (size_t)-1, "%s: every one of its %lu proper prefixes is refused", name, (unsigned long)n - 1);
	TAP_OK(all_truncated, "%s: every proper prefix is reported as truncated", name);
}

static void valid(const char *name, const unsigned char *b, size_t n, const char *type, unsigned w, unsigned h)
{
	struct image_info info;
	enum image_check c = image_sniff(b, n, &info);
	TAP_OK(c == IMG_OK && info.width == w && info.height == h, "%s: recognised, %ux%u", name, w, h);
	TAP_STR(info.content_type, type, "%s: content type", name);
}

int main(void)
{
	unsigned char b[4096];
	struct image_info info;
	size_t n;

	n = make_png(b, 120, 40);
	valid("png", b, n, "image/png", 120, 40);
	every_prefix_refused("png", b, n);
	n = make_png(b, 1024, 1024);
	TAP_OK(image_sniff(b, n, &info) == IMG_OK, "png: 1024x1024 accepted");
	n = make_png(b, 1, 0);
	TAP_OK(image_sniff(b, n, &info) == IMG_UNKNOWN && info.content_type == NULL, "png: 0 high refused");
	n = make_png(b, 0, 1);
	TAP_OK(image_sniff(b, n, &info) == IMG_UNKNOWN, "png: 0 wide refused");
	n = make_png(b, 1025, 10);
	TAP_OK(image_sniff(b, n, &info) == IMG_TOO_BIG, "png: 1025 wide refused");
	n = make_png(b, 10, 5000);
	TAP_OK(image_sniff(b, n, &info) == IMG_TOO_BIG, "png: 5000 high refused");
	n = make_png(b, 10, 10);
	memcpy(b + 12, "IDAT", 4);
	TAP_OK(image_sniff(b, n, &info) == IMG_UNKNOWN, "png: first chunk not IHDR refused");

	n = make_jpeg(b, 300, 200);
	valid("jpeg", b, n, "image/jpeg", 300, 200);
	every_prefix_refused("jpeg", b, n);
	n = make_jpeg(b, 2000, 100);
	TAP_OK(image_sniff(b, n, &info) == IMG_TOO_BIG, "jpeg: 2000 wide refused");

	n = make_webp_lossy(b, 64, 32);
	valid("webp VP8", b, n, "image/webp", 64, 32);
	every_prefix_refused("webp VP8", b, n);
	n = make_webp_lossless(b, 100, 50);
	valid("webp VP8L", b, n, "image/webp", 100, 50);
	every_prefix_refused("webp VP8L", b, n);
	n = make_webp_ext(b, 1000, 900);
	valid("webp VP8X", b, n, "image/webp", 1000, 900);
	every_prefix_refused("webp VP8X", b, n);
	n = make_webp_ext(b, 4000, 10);
	TAP_OK(image_sniff(b, n, &info) == IMG_TOO_BIG, "webp: 4000 wide refused");

	{
		const char *svg = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>";
		const char *svg2 = "\xef\xbb\xbf  <SVG onload=\"alert(1)\"/>";
		TAP_OK(image_sniff((const unsigned char *)svg, strlen(svg), &info) == IMG_SVG, "svg refused as SVG");
		TAP_OK(image_sniff((const unsigned char *)svg2, strlen(svg2), &info) == IMG_SVG, "upper-case svg with BOM");
		TAP_OK(strstr(image_message(IMG_SVG), "script") != NULL, "the SVG message says why");
	}
	{
		const char *html = "<html><body>hi</body></html>";
		const char *gif = "GIF89a\x01\x00\x01\x00\x00\x00\x00;";
		TAP_OK(image_sniff((const unsigned char *)html, strlen(html), &info) == IMG_UNKNOWN, "html refused");
		TAP_OK(image_sniff((const unsigned char *)gif, strlen(gif), &info) == IMG_UNKNOWN, "gif refused");
		TAP_OK(image_sniff(NULL, 0, &info) == IMG_EMPTY, "empty refused");
	}
	{
		unsigned char *big = calloc(1, IMAGE_MAX_BYTES + 1);
		size_t m = make_png(big, 10, 10);
		TAP_OK(image_sniff(big, m, &info) == IMG_OK, "png in a big buffer, exact length: ok");
		TAP_OK(image_sniff(big, IMAGE_MAX_BYTES + 1, &info) == IMG_TOO_LARGE, "over 512 KiB refused");
		free(big);
	}
	{
		unsigned i, unknown = 0;
		unsigned seed = 12345;
		for (i = 0; i < 2000; i++) {
			unsigned char g[64];
			for (unsigned j = 0; j < sizeof(g); j++)
				g[j] = (unsigned char)((seed = seed * 1103515245u + 12345u) >> 16);
			if (image_sniff(g, 1 + i % sizeof(g), &info) != IMG_OK)
				unknown++;
		}
		TAP_OK(unknown == 2000, "2000 random garbage buffers refused");
	}
	return tap_done();
}
