/* mail.h - building and sending one email.
 *
 * Messages are multipart/alternative (text + HTML), UTF-8, base64 bodies,
 * RFC 2047 encoded subject; with a file, multipart/mixed: the two, then
 * the file (base64). mail_send() speaks SMTP through libcurl to
 * SMTP_URL (smtp:// with optional STARTTLS, or smtps://). */
#ifndef MAIL_H
#define MAIL_H

#include "buf.h"

struct mail_msg {
	const char *from;
	const char *to;
	const char *subject;
	const char *text;
	const char *html;
	const char *message_id; /* without angle brackets */
	/* An attached file, or NULL: its bytes (borrowed), its name (letters,
	 * digits, . _ -) and its type ("application/pdf"). */
	const unsigned char *attachment;
	size_t attachment_len;
	const char *attachment_name, *attachment_type;
};

/* Append the full RFC 5322 message to out. Header values containing CR or
 * LF are refused (-1); 0 on success. */
int mail_build(const struct mail_msg *m, struct buf *out);

struct mail_server {
	const char *url;      /* smtp://host:port or smtps://host:port */
	const char *user;     /* may be NULL */
	const char *password; /* may be NULL */
	int starttls;         /* 1: require STARTTLS on smtp:// */
	long timeout_seconds;
	int (*cancel)(void); /* may be NULL: polled (about once a second) during a send; nonzero aborts it */
};

/* Send one message. 0 on success; -2 when srv->cancel aborted it; otherwise
 * -1. err holds a short reason when it is not 0. */
int mail_send(const struct mail_server *srv, const struct mail_msg *m, char *err, size_t errlen);

#endif
