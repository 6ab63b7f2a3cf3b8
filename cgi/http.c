/* http.c - request parsing and response writing over libfcgi. */
#include "http.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "config.h"
#include "log.h"

static const char *param(struct req *req, const char *name)
{
	const char *v = FCGX_GetParam(name, req->fcgi->envp);
	return v ? v : "";
}

/* Reject control characters anywhere in a header-ish value we keep. */
static int has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static const char *lower_host(struct arena *a, const char *h)
{
	size_t n = strcspn(h, ":");
	char *out, *p;

	if (n > 253)
		return "";
	out = arena_strndup(a, h, n);
	if (out == NULL)
		return "";
	for (p = out; *p; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '.'))
			return "";
	}
	return out;
}

enum res http_req_begin(struct req *req, FCGX_Request *fcgi)
{
	const char *uri, *accept, *cl, *q, *cookie;
	size_t plen;
	long dlen;
	char *path;
	enum res r;

	req->fcgi = fcgi;
	req->t_start = log_now();
	req->status = 200;
	req->method = param(req, "REQUEST_METHOD");
	req->remote_addr = param(req, "REMOTE_ADDR");
	req->content_type = param(req, "CONTENT_TYPE");
	req->origin = param(req, "HTTP_ORIGIN");
	req->referer = param(req, "HTTP_REFERER");
	req->user_agent = param(req, "HTTP_USER_AGENT");
	req->host = lower_host(&req->arena, param(req, "HTTP_HOST"));
	req->brand_host = config_is_portal_host(req->host) ? "" : req->host;
	req->https = config_get()->trust_https || strcmp(param(req, "HTTPS"), "on") == 0;
	req->raw_path = "/";
	req->path = "/";
	req->query = "";

	uri = param(req, "REQUEST_URI");
	if (*uri == '\0')
		uri = param(req, "DOCUMENT_URI");
	plen = strcspn(uri, "?");
	if (plen > HTTP_MAX_PATH)
		return R_TOO_LARGE;
	if (plen == 0 || uri[0] != '/')
		return R_BAD_INPUT;
	req->raw_path = arena_strndup(&req->arena, uri, plen);
	path = arena_strndup(&req->arena, uri, plen);
	if (req->raw_path == NULL || path == NULL)
		return R_INTERNAL;
	dlen = http_pct_decode(path, path, plen, 0);
	if (dlen < 0 || memchr(path, '\0', (size_t)dlen) != NULL || has_ctl(path))
		return R_BAD_INPUT;
	path[dlen] = '\0';
	if (dlen > 5 && strcmp(path + dlen - 5, ".json") == 0) {
		path[dlen - 5] = '\0';
		req->want_json = 1;
	}
	req->path = path;

	accept = param(req, "HTTP_ACCEPT");
	if (strncmp(accept, "application/json", 16) == 0)
		req->want_json = 1;

	q = uri[plen] == '?' ? uri + plen + 1 : "";
	if (strlen(q) > HTTP_MAX_QUERY)
		return R_TOO_LARGE;
	req->query = q;
	r = http_parse_urlencoded(&req->arena, q, strlen(q), &http_default_limits, &req->query_params);
	if (r != R_SUCCESS)
		return r;

	cookie = param(req, "HTTP_COOKIE");
	if (strlen(cookie) > HTTP_MAX_COOKIE)
		return R_TOO_LARGE;
	r = http_parse_cookies(&req->arena, cookie, strlen(cookie), &http_default_limits, &req->cookies);
	if (r != R_SUCCESS)
		return r;

	cl = param(req, "CONTENT_LENGTH");
	if (*cl) {
		char *end;
		unsigned long long n = strtoull(cl, &end, 10);
		if (*end != '\0' || cl[0] == '-')
			return R_BAD_INPUT;
		if (n > http_default_limits.max_body)
			return R_TOO_LARGE;
		req->content_length = (size_t)n;
	}
	return R_SUCCESS;
}

static int ctype_is(const char *ct, const char *want)
{
	size_t n = strlen(want);
	return strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

enum res http_read_body(struct req *req)
{
	const struct http_limits *lim = &http_default_limits;
	char *body;
	size_t len = 0;
	int n;

	if (req->body_read)
		return R_SUCCESS;
	req->body_read = 1;
	if (req->content_length == 0)
		return R_SUCCESS;
	body = arena_alloc(&req->arena, req->content_length + 1);
	if (body == NULL)
		return R_INTERNAL;
	while (len < req->content_length) {
		n = FCGX_GetStr(body + len, (int)(req->content_length - len), req->fcgi->in);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (len != req->content_length)
		return R_BAD_INPUT;
	body[len] = '\0';

	if (ctype_is(req->content_type, "application/x-www-form-urlencoded"))
		return http_parse_urlencoded(&req->arena, body, len, lim, &req->form);
	if (ctype_is(req->content_type, "multipart/form-data")) {
		const char *b = http_multipart_boundary(&req->arena, req->content_type);
		if (b == NULL)
			return R_BAD_INPUT;
		return http_parse_multipart(&req->arena, body, len, b, lim, &req->form);
	}
	if (ctype_is(req->content_type, "application/json")) {
		char err[160];
		enum res r = http_parse_json(body, len, lim, &req->json_body, err, sizeof(err));
		if (r != R_SUCCESS)
			log_info("rejected JSON body: %s", err);
		return r;
	}
	return R_BAD_INPUT;
}

void http_req_end(struct req *req)
{
	json_decref(req->model);
	json_decref(req->ctx_brand);
	json_decref(req->json_body);
	buf_free(&req->headers);
	buf_free(&req->body);
	arena_reset(&req->arena);
	{
		struct arena keep = req->arena;
		memset(req, 0, sizeof(*req));
		req->arena = keep;
	}
}

const char *http_form(struct req *req, const char *name)
{
	if (http_read_body(req) != R_SUCCESS)
		return NULL;
	return http_param_str(&req->form, name);
}

const char *http_query(struct req *req, const char *name) { return http_param_str(&req->query_params, name); }
const char *http_cookie(struct req *req, const char *name) { return http_param_str(&req->cookies, name); }

const char *http_choice(const char *v, const char *const *allowed, const char *def)
{
	for (; v != NULL && *allowed != NULL; allowed++)
		if (strcmp(v, *allowed) == 0)
			return *allowed;
	return def;
}

long http_page(struct req *req)
{
	const char *p = http_query(req, "page");
	long page = p ? strtol(p, NULL, 10) : 1;

	return page < 1 || page > 100000 ? 1 : page;
}

void http_url_encode(struct buf *b, const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) || strchr("-_.~@", *p))
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

int http_is_id(const char *s)
{
	size_t n;

	if (s == NULL || *s < '1' || *s > '9')
		return 0;
	n = strspn(s, "0123456789");
	return n <= 18 && s[n] == '\0';
}

const char *http_route_param(struct req *req, int i)
{
	return (i >= 0 && i < req->nroute_params) ? req->route_params[i] : NULL;
}

int http_etag_matches(struct req *req, const char *etag)
{
	http_header(req, "ETag", etag);
	return http_if_none_match(req, etag);
}

int http_if_none_match(struct req *req, const char *etag)
{
	const char *inm = param(req, "HTTP_IF_NONE_MATCH"), *p;
	size_t n = strlen(etag);

	if (strcmp(inm, "*") == 0)
		return 1;
	/* A list of tags, each maybe weak (W/"..."): a whole one must match. */
	for (p = strstr(inm, etag); p != NULL; p = strstr(p + 1, etag))
		if ((p == inm || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/') &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return 1;
	return 0;
}

void http_header(struct req *req, const char *name, const char *value)
{
	if (has_ctl(name) || has_ctl(value) || strchr(name, ':') != NULL) {
		log_warn("dropped response header %s with control characters", name);
		return;
	}
	buf_printf(&req->headers, "%s: %s\r\n", name, value);
}

void http_set_cookie(struct req *req, const char *name, const char *value, long max_age)
{
	char line[512];
	int n;

	if (max_age < 0)
		n = snprintf(line, sizeof(line), "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s", name,
		             req->https ? "; Secure" : "");
	else
		n = snprintf(line, sizeof(line), "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s",
		             name, value, max_age, req->https ? "; Secure" : "");
	if (n > 0 && (size_t)n < sizeof(line))
		http_header(req, "Set-Cookie", line);
}

enum res http_redirect(struct req *req, const char *location)
{
	/* Local paths only: "//evil" and "/\evil" are protocol-relative. */
	if (location[0] != '/' || location[1] == '/' || location[1] == '\\')
		location = "/";
	req->redirect = arena_strdup(&req->arena, location);
	return R_SUCCESS;
}

void http_security_headers(struct req *req)
{
	http_header(req, "Content-Security-Policy",
	            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
	            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
	http_header(req, "X-Content-Type-Options", "nosniff");
	http_header(req, "X-Frame-Options", "DENY");
	http_header(req, "Referrer-Policy", "same-origin");
	http_header(req, "Cross-Origin-Opener-Policy", "same-origin");
	if (req->https)
		http_header(req, "Strict-Transport-Security", "max-age=31536000; includeSubDomains");
}

const char *http_status_text(int s)
{
	switch (s) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 429: return "Too Many Requests";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

void (*http_before_send)(void);

/* libfcgi's stream writes a FastCGI record per 8 KB of its buffer: a
 * system call, and a wakeup of nginx, each. An answer larger than that
 * (a dashboard, a list: 40-70 KB) goes out here in records of up to
 * 64 KB with one writev() (FastCGI 1.0, section 3.3: version 1,
 * FCGI_STDOUT, the request's ID, the content's length, no padding), on
 * the request's socket (FCGX_Request's ipcFd, which fcgiapp.h lists but
 * does not promise: libfcgi 2.4 is the one Debian ships). The stream is
 * empty then (write_out() is its only writer, once; it is flushed first
 * all the same), so the order holds; FCGX_Finish_r() ends the stream and
 * the request as before. -1: nothing written (an error: the caller writes
 * it the usual way, which meets the same error); 0: written, or cut after
 * a part (logged, and the stream's error set so that the connection is
 * closed, not ended with records after a cut one). */
#define FCGI_SMALL 8000
#define FCGI_RECORD_MAX 65528 /* a multiple of 8 below 65536 */
#define FCGI_STDOUT_TYPE 6
#define FCGI_BATCH 16 /* records per writev(): 3 iovecs each */
#define WRITE_WAIT_MS 30000 /* a socket that would block (never today: it is blocking) */
static int write_records(FCGX_Request *f, const char *head, size_t hlen, const char *body, size_t blen)
{
	size_t total = hlen + blen, done = 0;
	size_t sent = 0; /* bytes written, record headers included: once any is, no way back */

	/* The stream's own bytes first, if any ever were (none today). */
	if (f->ipcFd < 0 || f->out == NULL || f->out->isClosed || FCGX_FFlush(f->out) != 0 || f->out->FCGI_errno != 0)
		return -1;
	while (done < total) {
		unsigned char hdr[FCGI_BATCH][8];
		struct iovec iov[FCGI_BATCH * 3];
		int n = 0, k = 0;
		size_t at = done;

		for (; k < FCGI_BATCH && at < total; k++) {
			size_t len = total - at < FCGI_RECORD_MAX ? total - at : FCGI_RECORD_MAX;
			unsigned char *h = hdr[k];
			h[0] = 1;
			h[1] = FCGI_STDOUT_TYPE;
			h[2] = (unsigned char)(f->requestId >> 8);
			h[3] = (unsigned char)f->requestId;
			h[4] = (unsigned char)(len >> 8);
			h[5] = (unsigned char)len;
			h[6] = h[7] = 0;
			iov[n++] = (struct iovec){h, 8};
			if (at < hlen) { /* the head's part of this record */
				size_t part = hlen - at < len ? hlen - at : len;
				iov[n++] = (struct iovec){(char *)head + at, part};
				if (part < len)
					iov[n++] = (struct iovec){(char *)body, len - part};
			} else {
				iov[n++] = (struct iovec){(char *)body + (at - hlen), len};
			}
			at += len;
		}
		for (int i = 0; i < n;) { /* all of it: a blocking socket writes short only on a signal */
			ssize_t w = writev(f->ipcFd, iov + i, n - i);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
				struct pollfd p = {f->ipcFd, POLLOUT, 0};
				if (poll(&p, 1, WRITE_WAIT_MS) == 1)
					continue;
				errno = ETIMEDOUT;
			}
			if (w <= 0) {
				if (!sent)
					return -1;
				/* Part of the answer is out: the stream is broken. Its
				 * error makes FCGX_Finish_r() close the connection rather
				 * than end a cut record with its own. */
				f->out->FCGI_errno = w < 0 ? errno : EPIPE;
				log_warn("answer of %zu bytes cut after %zu bytes written: %s", total, sent,
				         strerror(f->out->FCGI_errno));
				return 0;
			}
			sent += (size_t)w;
			while (i < n && (size_t)w >= iov[i].iov_len)
				w -= (ssize_t)iov[i++].iov_len;
			if (i < n) {
				iov[i].iov_base = (char *)iov[i].iov_base + w;
				iov[i].iov_len -= (size_t)w;
			}
		}
		done = at;
	}
	return 0;
}

static void write_out(struct req *req, const char *type, const char *body, size_t len)
{
	struct buf head = BUF_INIT;

	if (http_before_send != NULL)
		http_before_send();

	buf_printf(&head, "Status: %d %s\r\n", req->status, http_status_text(req->status));
	if (type != NULL)
		buf_printf(&head, "Content-Type: %s\r\n", type);
	buf_printf(&head, "Content-Length: %lu\r\n", (unsigned long)len);
	/* A handler that chose its own caching (public logo files) keeps it. */
	if ((req->status != 200 || strcmp(req->method, "GET") != 0 || req->sess != NULL) &&
	    (req->headers.data == NULL || strstr(req->headers.data, "Cache-Control:") == NULL))
		buf_puts(&head, "Cache-Control: no-store\r\n");
	buf_append(&head, req->headers.data ? req->headers.data : "", req->headers.len);
	buf_puts(&head, "\r\n");
	if (buf_ok(&head)) {
		if (strcmp(req->method, "HEAD") == 0)
			len = 0;
		if (head.len + len <= FCGI_SMALL || write_records(req->fcgi, head.data, head.len, body, len) != 0) {
			FCGX_PutStr(head.data, (int)head.len, req->fcgi->out);
			if (len)
				FCGX_PutStr(body, (int)len, req->fcgi->out);
		}
	}
	buf_free(&head);
	req->sent = 1;
}

void http_send(struct req *req)
{
	if (req->sent)
		return;
	http_security_headers(req);
	write_out(req, req->body_type, req->body.data ? req->body.data : "", req->body.len);
}
