/* test_mail.c - the MIME a message is sent as (cgi/mail.c): text and HTML
 * alternatives, and with a file, multipart/mixed carrying it in base64
 * that decodes back to the same bytes; a file's name that could break its
 * header is refused. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "buf.h"
#include "mail.h"
#include "tap.h"

/* The base64 body of the part after marker, decoded into out (its length,
 * or -1). */
static int part_bytes(const char *msg, const char *marker, unsigned char *out, size_t cap)
{
	const char *p = strstr(msg, marker), *end;
	unsigned char line[128];
	size_t n = 0;

	if (p == NULL || (p = strstr(p, "\r\n\r\n")) == NULL)
		return -1;
	p += 4;
	while ((end = strstr(p, "\r\n")) != NULL && *p != '-' && end > p) {
		int k = EVP_DecodeBlock(line, (const unsigned char *)p, (int)(end - p));
		if (k < 0 || n + (size_t)k > cap)
			return -1;
		k -= (end[-1] == '=') + (end[-2] == '=');
		memcpy(out + n, line, (size_t)k);
		n += (size_t)k;
		p = end + 2;
	}
	return (int)n;
}

int main(void)
{
	unsigned char pdf[300], back[400];
	struct mail_msg m = {.from = "portal@localhost",
	                     .to = "a@example.com",
	                     .subject = "Northwind: your report",
	                     .text = "Hello",
	                     .html = "<p>Hello</p>",
	                     .message_id = "outbox-1@localhost"};
	struct buf b = BUF_INIT;
	int n;

	for (size_t i = 0; i < sizeof(pdf); i++)
		pdf[i] = (unsigned char)(i * 7 + 3);
	TAP_OK(mail_build(&m, &b) == 0 && strstr(b.data, "multipart/alternative") != NULL &&
	           strstr(b.data, "multipart/mixed") == NULL,
	       "without a file: text and HTML alternatives only");
	buf_free(&b);

	m.attachment = pdf;
	m.attachment_len = sizeof(pdf);
	m.attachment_name = "consolidated-report-2026-11-01-2026-11-30.pdf";
	m.attachment_type = "application/pdf";
	TAP_OK(mail_build(&m, &b) == 0, "with a file: built");
	TAP_OK(strstr(b.data, "Content-Type: multipart/mixed;") != NULL &&
	           strstr(b.data, "Content-Type: multipart/alternative;") > strstr(b.data, "multipart/mixed"),
	       "the alternatives inside a mixed message");
	TAP_OK(strstr(b.data, "Content-Disposition: attachment; filename=\"consolidated-report-2026-11-01-2026-11-30.pdf\"") !=
	           NULL,
	       "the file is an attachment with its name");
	n = part_bytes(b.data, "Content-Type: application/pdf", back, sizeof(back));
	TAP_OK(n == (int)sizeof(pdf) && memcmp(back, pdf, sizeof(pdf)) == 0, "its base64 decodes to the same %d bytes", n);
	{
		const char *last = strstr(b.data, "application/pdf");
		TAP_OK(last != NULL && strstr(last, "_m--\r\n") != NULL, "the mixed part is closed after the file");
	}
	buf_free(&b);

	m.attachment_name = "report\".pdf";
	TAP_OK(mail_build(&m, &b) == -1, "a file name with a quote is refused");
	buf_free(&b);
	m.attachment_name = "report.pdf\r\nBcc: x@example.com";
	TAP_OK(mail_build(&m, &b) == -1, "a file name with a line break is refused");
	buf_free(&b);
	m.attachment_name = "";
	TAP_OK(mail_build(&m, &b) == -1, "an empty file name is refused");
	buf_free(&b);
	return tap_done();
}
