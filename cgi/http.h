/* http.h - one request and its response.
 *
 * A struct req lives for one FastCGI request. Everything it points to is
 * either owned by libfcgi (the params), allocated from req->arena (strings,
 * parsed fields) or owned by the req itself (model, body, headers), and is
 * released by http_req_end(). Handlers fill req->model and name a template;
 * view_respond() (cgi/view.c) turns it into the body, and http_send() only
 * writes status, headers and body. */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>

#include <fcgiapp.h>
#include <jansson.h>

#include "arena.h"
#include "buf.h"
#include "http_parse.h"
#include "result.h"

#define HTTP_MAX_PATH 2048
#define HTTP_MAX_QUERY 8192
#define HTTP_MAX_COOKIE 8192
#define HTTP_MAX_ROUTE_PARAMS 4

struct route;
struct session;
struct tenant_ctx;

struct req {
	FCGX_Request *fcgi;
	struct arena arena;
	double t_start;

	/* request line and headers (arena or libfcgi strings, never NULL) */
	const char *method;
	const char *path;   /* decoded path without the query and without ".json" */
	const char *raw_path;
	const char *query;
	const char *host;   /* lower-cased, port removed */
	const char *brand_host; /* host, or "" for the portal's own hosts: the host a brand is looked up by */
	const char *remote_addr;
	const char *content_type;
	const char *origin;
	const char *referer;
	const char *user_agent;
	size_t content_length;
	int https;
	int want_json;      /* Accept: application/json or a ".json" suffix */

	struct http_params query_params;
	struct http_params form;    /* urlencoded or multipart body */
	struct http_params cookies;
	json_t *json_body;          /* owned; JSON bodies only */
	int body_read;

	/* routing */
	const struct route *route;
	const char *route_params[HTTP_MAX_ROUTE_PARAMS];
	int nroute_params;

	/* identity, filled by the session layer (NULL/0 when signed out) */
	struct session *sess;
	struct tenant_ctx *tenant; /* /t/{id}/... routes, filled by authz_tenant() */
	int ctx_cached;            /* the session's context came from the context cache */
	int etag_cached;           /* answered 304 from the worker's ETag cache (cgi/etag_cache.h) */
	int page_cached;           /* the page's model came from the page cache (page_cache_get()) */
	int page_shared;           /* ... copied from another worker's (page_share.h) */
	/* for /metrics (cgi/metrics.h): which caches were asked, what an
	 * ingest took, whether the replica answered */
	int ctx_lookup, page_lookup, etag_lookup;
	int ingested;              /* items an ingest request accepted */
	int replica_read;          /* a statement was answered by the read replica */
	unsigned long long page_epoch; /* the tenant's data epoch page_cache_get() read (page_lag: its lag epoch) */
	int page_lag;                  /* page_cache_get()'s lag */
	/* What a GET's session lookup read besides the session (sess_load),
	 * for the page's common parts (view_common): the brand (owned) and the
	 * bell's items (an arena string; NULL: not read). */
	json_t *ctx_brand;
	const char *ctx_bell;

	/* response */
	enum res outcome;           /* a page of the handler's own (a form again): its outcome, the status */
	int status;                 /* the status written: res_status(outcome), 303, set by view_respond */
	const char *template;       /* template to render model with */
	const char *redirect;       /* set: answer 303 to this location */
	json_t *model;              /* owned view model */
	struct buf headers;         /* extra header lines, each ending "\r\n" */
	struct buf body;            /* raw body when template is NULL */
	const char *body_type;      /* Content-Type of a raw body */
	int sent;
};

/* Prepare req for the request libfcgi just accepted: read and validate the
 * request line, headers, query string and cookies (never the body).
 * R_BAD_INPUT / R_TOO_LARGE on violated limits. */
enum res http_req_begin(struct req *req, FCGX_Request *fcgi);
/* Read and parse the body according to Content-Type, once. */
enum res http_read_body(struct req *req);
/* Release everything the request owns; the arena keeps one block. */
void http_req_end(struct req *req);

/* A form field (body) or NULL; query: a query-string parameter or NULL. */
const char *http_form(struct req *req, const char *name);
const char *http_query(struct req *req, const char *name);
const char *http_cookie(struct req *req, const char *name);
/* v if it is one of the NULL-terminated allowed values, else def: query
 * parameters that pick from a fixed list (filters, sort keys). */
const char *http_choice(const char *v, const char *const *allowed, const char *def);
/* The "page" query parameter of a numbered list: 1 when absent or outside
 * 1 .. 100,000. */
long http_page(struct req *req);
/* Append s percent-encoded for a query string value (unreserved characters
 * and '@' kept). */
void http_url_encode(struct buf *b, const char *s);
/* 1 if s is a database id: a positive decimal of at most 18 digits with no
 * leading zero (so it fits a bigint and has one spelling). */
int http_is_id(const char *s);
/* Route parameter i (0-based) as matched by the router. */
const char *http_route_param(struct req *req, int i);

/* Send etag (a quoted entity tag) as the ETag header and return 1 when the
 * request's If-None-Match names it (or is "*"): the caller answers 304
 * (req->outcome = R_NOT_MODIFIED) without a body. */
int http_etag_matches(struct req *req, const char *etag);
/* The same without the header: 1 when If-None-Match names etag. */
int http_if_none_match(struct req *req, const char *etag);
/* Append a response header; name and value must not contain CR/LF
 * (enforced: such a header is dropped and logged). */
void http_header(struct req *req, const char *name, const char *value);
/* Set-Cookie with HttpOnly, SameSite=Lax, Path=/ and Secure on HTTPS.
 * max_age < 0 deletes the cookie. */
void http_set_cookie(struct req *req, const char *name, const char *value, long max_age);
/* Answer 303 See Other to a local path (must start with "/"). */
enum res http_redirect(struct req *req, const char *location);

/* Write req->status, the headers and req->body (typed req->body_type;
 * none when NULL) to nginx, once. Nothing is rendered here: view_respond()
 * made the body. */
void http_send(struct req *req);
/* The reason phrase of an HTTP status ("Not Found"). */
const char *http_status_text(int status);

/* Security headers every response carries. */
void http_security_headers(struct req *req);

/* Called before any byte of a response is written (NULL: nothing). The
 * server sets it to publish what the request changed before the client can
 * act on the answer (cgi/session.c, sess_cache_sync). */
extern void (*http_before_send)(void);

#endif
