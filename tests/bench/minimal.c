/* minimal.c - the floor of this architecture for the foundation benchmark:
 * a prefork libfcgi responder with no framework at all. Each request reads
 * the same row as the portal's signed-out GET /login (the same prepared
 * statement, as the same role over the same unix socket) and prints the
 * same bytes: the portal's page with the HTML-escaped values substituted
 * and the same response headers as cgi/http.c.
 *
 *   MINIMAL_PAGE    the page with {{title}} and {{footer}} (required)
 *   MINIMAL_SOCKET  unix socket path to listen on (required)
 *   PORTAL_DB       libpq conninfo (required)
 *   PORTAL_WORKERS  worker processes (default 2 x online CPUs)
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <libpq-fe.h>

#define MAX_WORKERS 256

static volatile sig_atomic_t got_term;

static void on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

/* The portal's HTML escaping (cgi/buf.c buf_html) into out; returns length. */
static size_t html_escape(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		const char *ent = NULL;
		char one[2] = {*s, 0};
		switch (*s) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		case '`': ent = "&#96;"; break;
		case '=': ent = "&#61;"; break;
		default: ent = one; break;
		}
		size_t l = strlen(ent);
		if (n + l >= cap)
			break;
		memcpy(out + n, ent, l);
		n += l;
	}
	out[n] = '\0';
	return n;
}

/* Host header without the port, lower-cased; "" when not a plain name
 * (as cgi/http.c lower_host). */
static void lower_host(char *out, size_t cap, const char *h)
{
	size_t n = strcspn(h ? h : "", ":"), i;

	out[0] = '\0';
	if (h == NULL || n > 253 || n >= cap)
		return;
	for (i = 0; i < n; i++) {
		char c = (char)tolower((unsigned char)h[i]);
		if (!(isalnum((unsigned char)c) || c == '-' || c == '.')) {
			out[0] = '\0';
			return;
		}
		out[i] = c;
	}
	out[n] = '\0';
}

/* The page: the portal's own signed-out /login as foundation.sh saved it
 * (MINIMAL_PAGE) with the brand's values replaced by {{title}} and
 * {{footer}}, so the bytes stay the portal's whatever its layout becomes;
 * split once at start into the fixed parts and the value between them. */
#define MAX_PARTS 16
static char *page;                 /* owned: the file, cut into parts */
static const char *part[MAX_PARTS]; /* the fixed text before value i */
static size_t part_len[MAX_PARTS];
static int part_value[MAX_PARTS];   /* 0: title, 1: footer, -1: none (the last) */
static int nparts;

static int load_page(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;
	char *p;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (page = malloc((size_t)n + 1)) == NULL || fread(page, 1, (size_t)n, f) != (size_t)n) {
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	page[n] = '\0';
	for (p = page; nparts < MAX_PARTS - 1;) {
		char *t = strstr(p, "{{title}}"), *ft = strstr(p, "{{footer}}"), *m;
		m = t && (!ft || t < ft) ? t : ft;
		if (m == NULL)
			break;
		part[nparts] = p;
		part_len[nparts] = (size_t)(m - p);
		part_value[nparts++] = m == t ? 0 : 1;
		p = m + (m == t ? 9 : 10);
	}
	part[nparts] = p;
	part_len[nparts] = strlen(p);
	part_value[nparts++] = -1;
	return 0;
}

static const char head_fmt[] =
    "Status: 200 OK\r\n"
    "Content-Type: text/html; charset=utf-8\r\n"
    "Content-Length: %lu\r\n"
    "Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'\r\n"
    "X-Content-Type-Options: nosniff\r\n"
    "X-Frame-Options: DENY\r\n"
    "Referrer-Policy: same-origin\r\n"
    "Cross-Origin-Opener-Policy: same-origin\r\n"
    "\r\n";

static PGconn *db_connect(const char *conninfo)
{
	PGconn *c = PQconnectdb(conninfo);
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "minimal: connect: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	r = PQprepare(c, "brand", "SELECT tenant_id, page_title, footer FROM brand_for_host($1)", 1, NULL);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "minimal: prepare: %s", PQresultErrorMessage(r));
		PQclear(r);
		PQfinish(c);
		return NULL;
	}
	PQclear(r);
	return c;
}

static void serve(FCGX_Request *rq, PGconn **conn, const char *conninfo)
{
	static char body[16384], title[1024], footer[1024];
	char host[256];
	const char *params[1] = {host};
	PGresult *res = NULL;
	int n, i;

	lower_host(host, sizeof(host), FCGX_GetParam("HTTP_HOST", rq->envp));
	if (*conn == NULL || PQstatus(*conn) != CONNECTION_OK) {
		if (*conn != NULL)
			PQfinish(*conn);
		*conn = db_connect(conninfo);
	}
	if (*conn != NULL)
		res = PQexecPrepared(*conn, "brand", 1, params, NULL, NULL, 0);
	if (res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		html_escape(title, sizeof(title), PQgetvalue(res, 0, 1));
		html_escape(footer, sizeof(footer), PQgetvalue(res, 0, 2));
	} else {
		strcpy(title, "MSSP Portal");
		strcpy(footer, "MSSP Portal");
	}
	PQclear(res);
	n = 0;
	for (i = 0; i < nparts; i++) {
		const char *v = part_value[i] == 0 ? title : part_value[i] == 1 ? footer : "";
		size_t vl = strlen(v);
		if ((size_t)n + part_len[i] + vl >= sizeof(body)) {
			n = 0;
			break;
		}
		memcpy(body + n, part[i], part_len[i]);
		memcpy(body + n + part_len[i], v, vl);
		n += (int)(part_len[i] + vl);
	}
	/* libfcgi's FCGX_FPrintF has no %zu: the length goes out as %lu. */
	FCGX_FPrintF(rq->out, head_fmt, (unsigned long)n);
	FCGX_PutStr(body, n, rq->out);
}

static void worker(int fd, const char *conninfo)
{
	FCGX_Request rq;
	PGconn *conn;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term; /* no SA_RESTART: accept returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	conn = db_connect(conninfo);
	if (FCGX_Init() != 0)
		_exit(1);
	FCGX_InitRequest(&rq, fd, FCGI_FAIL_ACCEPT_ON_INTR);
	while (!got_term) {
		if (FCGX_Accept_r(&rq) < 0)
			continue;
		serve(&rq, &conn, conninfo);
		FCGX_Finish_r(&rq);
	}
	if (conn != NULL)
		PQfinish(conn);
	_exit(0);
}

int main(void)
{
	const char *path = getenv("MINIMAL_SOCKET"), *conninfo = getenv("PORTAL_DB"), *page_path = getenv("MINIMAL_PAGE");
	const char *w = getenv("PORTAL_WORKERS");
	pid_t pids[MAX_WORKERS];
	struct sigaction sa;
	long nw;
	int fd, i;

	if (path == NULL || conninfo == NULL || page_path == NULL) {
		fprintf(stderr, "minimal: set MINIMAL_SOCKET, PORTAL_DB and MINIMAL_PAGE\n");
		return 2;
	}
	if (load_page(page_path) != 0) {
		fprintf(stderr, "minimal: cannot read %s\n", page_path);
		return 1;
	}
	nw = (w && *w) ? strtol(w, NULL, 10) : 2 * sysconf(_SC_NPROCESSORS_ONLN);
	if (nw < 1)
		nw = 1;
	if (nw > MAX_WORKERS)
		nw = MAX_WORKERS;
	unlink(path);
	fd = FCGX_OpenSocket(path, 1024);
	if (fd < 0) {
		fprintf(stderr, "minimal: cannot listen on %s\n", path);
		return 1;
	}
	chmod(path, 0660);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 0; i < nw; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			worker(fd, conninfo);
		if (pids[i] < 0) {
			fprintf(stderr, "minimal: fork: %s\n", strerror(errno));
			nw = i;
			got_term = 1;
			break;
		}
	}
	/* Wait for a stop signal (or a worker to die), then stop all. */
	while (!got_term) {
		pid_t p = wait(NULL);
		if (p > 0)
			break;
	}
	for (i = 0; i < nw; i++)
		kill(pids[i], SIGTERM);
	while (wait(NULL) > 0 || errno == EINTR)
		;
	unlink(path);
	return 0;
}
