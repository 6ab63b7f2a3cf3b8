/* config.h - process configuration, read once from the environment.
 *
 * Every setting has a default suitable for `make run`; docs/operations.md
 * lists them. The struct is filled by config_load() and never freed (it
 * lives as long as the process). */
#ifndef CONFIG_H
#define CONFIG_H

#include <stddef.h>

#include "http_parse.h"

struct config {
	const char *db;             /* PORTAL_DB: libpq conninfo of the app role */
	const char *db_read;        /* PORTAL_DB_READ: conninfo of a read replica (the app role), NULL: none */
	const char *db_owner;       /* PORTAL_DB_OWNER: conninfo of the owner role (ctl migrate) */
	const char *socket_path;    /* PORTAL_SOCKET: FastCGI unix socket */
	const char *templates;      /* PORTAL_TEMPLATES: templates directory */
	const char *www;            /* PORTAL_WWW: the static folder nginx serves, for its assets.json */
	const char *sql_dir;        /* PORTAL_SQL: migrations directory */
	const char *base_url;       /* PORTAL_BASE_URL: default absolute URL for links in email */
	struct http_origin base;    /* base_url parsed once (host_len 0: not an http(s) URL) */
	const char *portal_hosts;   /* PORTAL_HOSTS: the portal's other own host names, comma-separated */
	const char *metrics_allow;  /* PORTAL_METRICS_ALLOW: the addresses GET /metrics answers */
	const char *dns_resolver;   /* PORTAL_DNS_RESOLVER: "IPv4[:port]" for host verification; NULL: the system's */
	const char *smtp_url;       /* SMTP_URL: smtp://host:port or smtps://... */
	const char *smtp_user;      /* SMTP_USER (optional) */
	const char *smtp_password;  /* SMTP_PASSWORD (optional) */
	const char *mail_from;      /* MAIL_FROM */
	int workers;                /* PORTAL_WORKERS: default 2 x cores */
	const char *api_socket_path; /* PORTAL_API_SOCKET: a second FastCGI socket with workers of its own,
	                              * where nginx sends /api/ (ingest, devices): NULL, none */
	int api_workers;            /* PORTAL_API_WORKERS: the workers on it, default cores */
	int max_requests;           /* PORTAL_MAX_REQUESTS: recycle a worker after this many */
	int drain_seconds;          /* PORTAL_DRAIN_SECONDS: grace period on SIGTERM/SIGHUP */
	int request_timeout;        /* PORTAL_REQUEST_TIMEOUT: seconds a worker may spend on one request
	                             * before the master kills it (and replaces it) */
	int socket_mode;            /* PORTAL_SOCKET_MODE: octal, default 0660 */
	int session_idle;           /* PORTAL_SESSION_IDLE: seconds, default 2 h */
	int session_max;            /* PORTAL_SESSION_MAX: seconds, default 12 h */
	int request_log;            /* PORTAL_REQUEST_LOG: 1 to log one line per request; 2 also
	                             * a line naming the statements it ran (db_trace) */
	int trust_https;            /* PORTAL_HTTPS: 1 when nginx terminates TLS */
	int dashboard_cache;        /* PORTAL_DASHBOARD_CACHE: dashboard pages cached per worker, 0 = off */
	int page_share_wait;        /* PORTAL_PAGE_SHARE_WAIT_MS: the longest a worker waits for a page another computes */
	int dashboard_lag;          /* PORTAL_DASHBOARD_LAG: seconds an MSSP or MSP dashboard may show the ingest feed late, 0 = never */
	int context_cache;          /* PORTAL_CONTEXT_CACHE: request contexts cached per worker, 0 = off */
	int etag_cache;             /* PORTAL_ETAG_CACHE: API ETags kept per worker, 0 = off (cgi/etag_cache.h) */
	int report_wait;            /* PORTAL_REPORT_WAIT: seconds a report shown on a page may take to gather
	                             * (default 30, the statement timeout); past it the page offers the PDF */
	int report_timeout;         /* REPORTER_STATEMENT_TIMEOUT: seconds the reporter and ctl report may take
	                             * to gather a report's figures (default 300; a job's lease is 10 minutes) */
};

/* Fill the process-wide configuration from the environment; returns it. */
const struct config *config_load(void);
/* The configuration loaded by config_load() (loads it on first use). */
const struct config *config_get(void);
/* Is host (lower-case, no port) one of the portal's own: PORTAL_BASE_URL's
 * host or one of PORTAL_HOSTS? No tenant may claim those, and they always
 * show the portal's own brand. */
int config_is_portal_host(const char *host);
/* The next entry of a setting that lists values separated by commas and
 * blanks (PORTAL_HOSTS, PORTAL_METRICS_ALLOW): its start in *item and its
 * length in *n, with *p moved past it. 0 when the list has no more. */
int config_list_next(const char **p, const char **item, size_t *n);

#endif
