/* config.c - configuration from the environment. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"

static struct config cfg;
static int loaded;

static const char *env_str(const char *name, const char *def)
{
	const char *v = getenv(name);
	return (v != NULL && *v != '\0') ? v : def;
}

/* The setting name as a whole number from min to max (in base), or def
 * when it is unset; a value that is not one is logged, with the default
 * taken instead, so that a typo or an out-of-range number does not pass
 * unseen (PORTAL_MAX_REQUESTS=1000000000 silently ran with 10,000). */
static int env_int(const char *name, int def, int min, int max, int base)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtol(v, &end, base);
	if (*end != '\0' || end == v || errno != 0 || n < min || n > max) {
		log_warn(base == 8 ? "%s=%.40s is not an octal number from %o to %o: %o is used"
		                   : "%s=%.40s is not a whole number from %d to %d: %d is used",
		         name, v, min, max, def);
		return def;
	}
	return (int)n;
}

const struct config *config_load(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	if (cores < 1)
		cores = 1;
	cfg.db = env_str("PORTAL_DB", "dbname=portal user=portal_app");
	cfg.db_read = env_str("PORTAL_DB_READ", NULL);
	cfg.db_owner = env_str("PORTAL_DB_OWNER", "dbname=portal user=portal_owner");
	cfg.socket_path = env_str("PORTAL_SOCKET", "var/run/portal.sock");
	cfg.templates = env_str("PORTAL_TEMPLATES", "templates");
	cfg.www = env_str("PORTAL_WWW", "www");
	cfg.sql_dir = env_str("PORTAL_SQL", "sql");
	cfg.base_url = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8080");
	{
		/* No trailing '/': every link is base_url + "/path". */
		size_t n = strlen(cfg.base_url);
		while (n > 0 && cfg.base_url[n - 1] == '/')
			n--;
		if (cfg.base_url[n] != '\0') {
			char *b = strndup(cfg.base_url, n); /* kept for the process's life, like cfg */
			if (b != NULL)
				cfg.base_url = b;
		}
	}
	if (!http_origin_parse(cfg.base_url, strlen(cfg.base_url), &cfg.base))
		cfg.base.host_len = 0; /* no origin matches it, no host is it */
	cfg.portal_hosts = env_str("PORTAL_HOSTS", "");
	cfg.metrics_allow = env_str("PORTAL_METRICS_ALLOW", "");
	cfg.dns_resolver = env_str("PORTAL_DNS_RESOLVER", NULL);
	cfg.smtp_url = env_str("SMTP_URL", "smtp://127.0.0.1:2525");
	cfg.smtp_user = env_str("SMTP_USER", NULL);
	cfg.smtp_password = env_str("SMTP_PASSWORD", NULL);
	cfg.mail_from = env_str("MAIL_FROM", "portal@localhost");
	cfg.workers = env_int("PORTAL_WORKERS", (int)(2 * cores), 1, 256, 10);
	cfg.api_socket_path = env_str("PORTAL_API_SOCKET", NULL);
	cfg.api_workers = env_int("PORTAL_API_WORKERS", (int)cores, 1, 256, 10);
	cfg.max_requests = env_int("PORTAL_MAX_REQUESTS", 10000, 1, 100000000, 10);
	cfg.drain_seconds = env_int("PORTAL_DRAIN_SECONDS", 10, 1, 600, 10);
	cfg.request_timeout = env_int("PORTAL_REQUEST_TIMEOUT", 120, 1, 3600, 10);
	cfg.socket_mode = env_int("PORTAL_SOCKET_MODE", 0660, 0600, 0777, 8);
	cfg.session_idle = env_int("PORTAL_SESSION_IDLE", 7200, 60, 86400 * 30, 10);
	cfg.session_max = env_int("PORTAL_SESSION_MAX", 43200, 60, 86400 * 90, 10);
	cfg.request_log = env_int("PORTAL_REQUEST_LOG", 1, 0, 2, 10);
	cfg.trust_https = env_int("PORTAL_HTTPS", 0, 0, 1, 10);
	cfg.dashboard_cache = env_int("PORTAL_DASHBOARD_CACHE", 32, 0, 256, 10);
	cfg.page_share_wait = env_int("PORTAL_PAGE_SHARE_WAIT_MS", 20, 0, 1000, 10);
	cfg.dashboard_lag = env_int("PORTAL_DASHBOARD_LAG", 2, 0, 60, 10);
	cfg.context_cache = env_int("PORTAL_CONTEXT_CACHE", 64, 0, 1024, 10);
	cfg.etag_cache = env_int("PORTAL_ETAG_CACHE", 4096, 0, 65536, 10);
	cfg.report_wait = env_int("PORTAL_REPORT_WAIT", 30, 1, 3600, 10);
	cfg.report_timeout = env_int("REPORTER_STATEMENT_TIMEOUT", 300, 1, 3600, 10);
	loaded = 1;
	return &cfg;
}

const struct config *config_get(void)
{
	if (!loaded)
		config_load();
	return &cfg;
}

int config_list_next(const char **p, const char **item, size_t *n)
{
	*p += strspn(*p, ", \t");
	*item = *p;
	*n = strcspn(*p, ", \t");
	*p += *n;
	return *n > 0;
}

/* Does the list (names separated by commas and blanks) hold host? */
static int in_list(const char *list, const char *host, size_t hl)
{
	const char *item;
	size_t n;

	while (config_list_next(&list, &item, &n))
		if (n == hl && strncasecmp(item, host, n) == 0)
			return 1;
	return 0;
}

int config_is_portal_host(const char *host)
{
	const struct config *c = config_get();
	size_t hl = strlen(host);

	if (hl == 0)
		return 0;
	if (c->base.host_len == hl && strncasecmp(c->base.host, host, hl) == 0)
		return 1;
	return in_list(c->portal_hosts, host, hl);
}
