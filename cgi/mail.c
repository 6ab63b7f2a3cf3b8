/* mail.c - MIME building and SMTP delivery through libcurl. */
#include "mail.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "token.h"

static int has_crlf(const char *s) { return s != NULL && strpbrk(s, "\r\n") != NULL; }

#define SAFE_NAME "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

static void base64_lines(struct buf *out, const char *s, size_t n)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, col = 0;

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;
		char q[4];
		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		q[0] = tbl[(v >> 18) & 63];
		q[1] = tbl[(v >> 12) & 63];
		q[2] = i + 1 < n ? tbl[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? tbl[v & 63] : '=';
		buf_append(out, q, 4);
		col += 4;
		if (col >= 76) {
			buf_puts(out, "\r\n");
			col = 0;
		}
	}
	if (col)
		buf_puts(out, "\r\n");
}

/* RFC 2047 encoded-word when the value is not plain ASCII. */
static void header_text(struct buf *out, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80)
			break;
	if (*p == '\0') {
		buf_puts(out, s);
		return;
	}
	buf_puts(out, "=?UTF-8?B?");
	{
		struct buf tmp = BUF_INIT;
		base64_lines(&tmp, s, strlen(s));
		for (size_t i = 0; i < tmp.len; i++)
			if (tmp.data[i] != '\r' && tmp.data[i] != '\n')
				buf_putc(out, tmp.data[i]);
		buf_free(&tmp);
	}
	buf_puts(out, "?=");
}

int mail_build(const struct mail_msg *m, struct buf *out)
{
	char boundary[40], date[64];
	time_t now = time(NULL);
	struct tm tm;

	if (has_crlf(m->from) || has_crlf(m->to) || has_crlf(m->subject) || has_crlf(m->message_id))
		return -1;
	/* a file's name and type go in quoted header parameters: letters,
	 * digits, . _ - and / only */
	if (m->attachment != NULL &&
	    (m->attachment_name == NULL || m->attachment_type == NULL || *m->attachment_name == '\0' ||
	     strspn(m->attachment_name, SAFE_NAME) != strlen(m->attachment_name) ||
	     strspn(m->attachment_type, SAFE_NAME "/") != strlen(m->attachment_type)))
		return -1;
	if (tok_random_hex(boundary, 16) != 0)
		return -1;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	buf_printf(out, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: ", date, m->from, m->to);
	header_text(out, m->subject);
	buf_printf(out, "\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n", m->message_id);
	if (m->attachment != NULL) { /* mixed: the two alternatives, then the file */
		buf_printf(out, "Content-Type: multipart/mixed; boundary=\"=_%s_m\"\r\n\r\n", boundary);
		buf_printf(out, "--=_%s_m\r\n", boundary);
	}
	buf_printf(out, "Content-Type: multipart/alternative; boundary=\"=_%s\"\r\n\r\n", boundary);
	buf_printf(out, "--=_%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
	           boundary);
	base64_lines(out, m->text, strlen(m->text));
	buf_printf(out, "--=_%s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n",
	           boundary);
	base64_lines(out, m->html, strlen(m->html));
	buf_printf(out, "--=_%s--\r\n", boundary);
	if (m->attachment != NULL) {
		buf_printf(out,
		           "--=_%s_m\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; "
		           "filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
		           boundary, m->attachment_type, m->attachment_name, m->attachment_name);
		base64_lines(out, (const char *)m->attachment, m->attachment_len);
		buf_printf(out, "--=_%s_m--\r\n", boundary);
	}
	return buf_ok(out) ? 0 : -1;
}

struct upload {
	const char *data;
	size_t len, off;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *userp)
{
	struct upload *u = userp;
	size_t room = size * nmemb, n = u->len - u->off;

	if (n > room)
		n = room;
	memcpy(ptr, u->data + u->off, n);
	u->off += n;
	return n;
}

/* libcurl's progress callback: nonzero aborts the transfer. */
static int progress_cb(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	const struct mail_server *srv = userp;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return srv->cancel != NULL && srv->cancel() ? 1 : 0;
}

int mail_send(const struct mail_server *srv, const struct mail_msg *m, char *err, size_t errlen)
{
	struct buf msg = BUF_INIT;
	struct upload up;
	struct curl_slist *rcpt = NULL;
	char from[400], to[400], curlerr[CURL_ERROR_SIZE] = "";
	CURL *c = NULL;
	CURLcode rc;
	int ret = -1;

	if (mail_build(m, &msg) != 0) {
		snprintf(err, errlen, "message could not be built");
		goto out;
	}
	c = curl_easy_init();
	if (c == NULL) {
		snprintf(err, errlen, "curl init failed");
		goto out;
	}
	snprintf(from, sizeof(from), "<%s>", m->from);
	snprintf(to, sizeof(to), "<%s>", m->to);
	rcpt = curl_slist_append(NULL, to);
	up.data = msg.data;
	up.len = msg.len;
	up.off = 0;
	curl_easy_setopt(c, CURLOPT_URL, srv->url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, curlerr);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, srv->timeout_seconds > 0 ? srv->timeout_seconds : 60L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	if (srv->starttls)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	if (srv->cancel != NULL) {
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)srv);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	}
	if (srv->user != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, srv->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD, srv->password ? srv->password : "");
	}
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "%s", *curlerr ? curlerr : curl_easy_strerror(rc));
		if (rc == CURLE_ABORTED_BY_CALLBACK)
			ret = -2;
		goto out;
	}
	ret = 0;
out:
	curl_slist_free_all(rcpt);
	if (c != NULL)
		curl_easy_cleanup(c);
	buf_free(&msg);
	return ret;
}
