/* server.c - prefork master, worker loop and request dispatch. */
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <fcgios.h>

#include "api.h"
#include "assets.h"
#include "authz.h"
#include "config.h"
#include "db.h"
#include "etag_cache.h"
#include "jalloc.h"
#include "log.h"
#include "metrics.h"
#include "page_share.h"
#include "pages/pages.h"
#include "router.h"
#include "routes.h"
#include "sdnotify.h"
#include "session.h"
#include "token.h"
#include "view.h"

#define MAX_WORKERS 256

static volatile sig_atomic_t got_term, got_hup, got_chld;

/* The workers' pools: the pages' (PORTAL_SOCKET, PORTAL_WORKERS) and,
 * with PORTAL_API_SOCKET, the API's (PORTAL_API_WORKERS), so that a
 * live ingest feed, whose batches hold a worker for tens of milliseconds
 * each, never leaves the pages waiting for a free one. Both run the same
 * worker on the same routes: nginx decides which socket a request goes
 * to (nginx/portal.conf.in, location /api/). */
enum { POOL_PAGES, POOL_API, NPOOLS };

struct worker_slot {
	pid_t pid;
	unsigned gen;
	int pool;
	double started;
	int stuck; /* killed by watch_requests */
};

#define NSLOTS (MAX_WORKERS * 2 * NPOOLS)
static struct worker_slot slots[NSLOTS];

/* When each slot's worker began the request it is on (0: none), in
 * memory the master shares with its workers: a worker stuck on one
 * request longer than PORTAL_REQUEST_TIMEOUT (blocked on a lock, a loop)
 * is killed by the master and replaced (watch_requests). NULL: not
 * shared (no watch). */
static volatile double *busy_since;
static int my_slot = -1; /* the worker's own slot */
static pid_t master_pid; /* set by the master before it forks */

static void request_begins(void)
{
	if (busy_since != NULL && my_slot >= 0)
		busy_since[my_slot] = log_now();
}

static void request_ends(void)
{
	if (busy_since != NULL && my_slot >= 0)
		busy_since[my_slot] = 0;
}

/* ------------------------------------------------------------------ worker */

static void worker_on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

/* Wait until a connection may be accepted, draining the database
 * connection's change notifications as they come (sess_cache_idle): a
 * backend whose client never reads them would hold back PostgreSQL's
 * notification queue. The listening socket is non-blocking, so a worker
 * that loses the race for a connection gets EAGAIN from accept() and comes
 * back here. 1: try to accept; 0: look again (a signal, notifications, the
 * timeout). */
#define IDLE_POLL_SECONDS 5
static int wait_for_request(int listen_fd, const sigset_t *waiting_mask)
{
	struct pollfd p[2] = {{listen_fd, POLLIN, 0}, {-1, POLLIN, 0}};
	struct timespec ts = {IDLE_POLL_SECONDS, 0};

	if (http_before_send != NULL) {
		sess_cache_idle();
		p[1].fd = db_socket();
	}
	/* SIGTERM and SIGINT are blocked but here: one that came during a
	 * request, or before this call, interrupts it at once. */
	return ppoll(p, p[1].fd >= 0 ? 2 : 1, &ts, waiting_mask) > 0 &&
	       (p[0].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
}

static void log_request(struct req *req)
{
	const char *path = req->route && (req->route->flags & ROUTE_SECRET) ? req->route->pattern : req->raw_path;
	double ms;
	json_t *fields = NULL;

	if (!config_get()->request_log)
		return;
	ms = (log_now() - req->t_start) * 1000.0;
	if (config_get()->request_log > 1) /* before the request's line: a test that saw it finds this one */
		log_info("statements %s %s:%s", req->method, path, db_trace_take());
	/* What a log shipper indexes, beside the line's message (JSON records only). */
	if (log_json() && (fields = json_pack("{s:s, s:i, s:f}", "method", req->method, "status", req->status, "ms",
	                                      (double)(long long)(ms * 10.0 + 0.5) / 10.0)) != NULL) {
		/* json_string(): NULL, so left out, for a path that is not UTF-8 (msg has it) */
		json_object_set_new(fields, "path", json_string(path));
		if (req->route != NULL)
			json_object_set_new(fields, "route", json_string(req->route->name));
		if (req->sess != NULL)
			json_object_set_new(fields, "user", json_integer(req->sess->user_id));
		if (req->ctx_cached || req->page_cached || req->etag_cached)
			json_object_set_new(fields, "cached",
			                    json_string(req->page_shared   ? "shared"
			                                : req->page_cached ? "page"
			                                : req->ctx_cached  ? "ctx"
			                                                   : "etag"));
		if (req->replica_read)
			json_object_set_new(fields, "db", json_string("replica"));
	}
	if (req->sess != NULL)
		log_info_fields(fields, "%s %s %d %.1fms user=%lld%s%s%s", req->method, path, req->status, ms,
		                req->sess->user_id, req->ctx_cached ? " ctx=cached" : "",
		                req->page_shared   ? " page=shared"
		                : req->page_cached ? " page=cached"
		                                   : "",
		                req->replica_read ? " db=replica" : "");
	else
		log_info_fields(fields, "%s %s %d %.1fms%s", req->method, path, req->status, ms,
		                req->etag_cached ? " etag=cached" : "");
	json_decref(fields);
}

/* Send a signed-out visitor of a signed-in page to the sign-in form, with
 * the page to come back to. */
static void to_login(struct req *req)
{
	struct buf loc = BUF_INIT;

	buf_puts(&loc, "/login?next=");
	for (const char *p = req->raw_path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("/-_.~", *p))
			buf_putc(&loc, *p);
		else
			buf_printf(&loc, "%%%02X", (unsigned char)*p);
	}
	http_redirect(req, buf_ok(&loc) ? loc.data : "/login");
	buf_free(&loc);
}

/* Parse, route, load the session, check access and run the handler: the
 * outcome, R_SUCCESS when the request holds its answer (a model, a
 * redirect, a raw body), with *msg the error page's message when not r's
 * own. The transaction a session opened is still open. */
static enum res serve(struct req *req, const char **msg)
{
	const struct route *rt;
	int allowed;
	enum res r;

	if ((r = http_req_begin(req, req->fcgi)) != R_SUCCESS)
		return r;
	if (api_is_v1(req->path)) { /* retired: 410 for any method and path below */
		api_v1_gone(req);
		return R_SUCCESS;
	}
	if (strncmp(req->path, "/api/", 5) == 0) /* the API answers JSON, 404 and 405 included */
		req->want_json = 1;
	rt = route_match(req, routes, nroutes, req->method, req->path, &allowed);
	if (rt == NULL)
		return allowed ? R_METHOD : R_NOT_FOUND;
	req->route = rt;
	if (rt->access == ACCESS_API) { /* bearer key, JSON in and out, its own transaction: cgi/api.c */
		api_dispatch(req, rt);
		return R_SUCCESS;
	}
	if (rt->access != ACCESS_PUBLIC || http_cookie(req, SESSION_COOKIE) || http_cookie(req, SESSION_COOKIE_TLS)) {
		if ((r = sess_load(req)) != R_SUCCESS)
			return r;
	}
	if (rt->access != ACCESS_PUBLIC && req->sess == NULL) {
		if (req->want_json || route_is_write(req->method))
			return R_UNAUTH;
		to_login(req);
		return R_SUCCESS;
	}
	if (rt->access == ACCESS_TENANT) {
		if ((r = authz_tenant(req, rt->perm)) != R_SUCCESS)
			return r;
		view_tenant(req);
	}
	if (route_is_write(req->method)) {
		if ((r = http_read_body(req)) != R_SUCCESS)
			return r;
		if (!(rt->flags & ROUTE_NO_CSRF) && !sess_csrf_ok(req)) {
			*msg = "The form has expired or did not come from this site. Reload the page and try again.";
			return R_FORBIDDEN;
		}
	} else if (req->sess != NULL && rt->access != ACCESS_PUBLIC) {
		sess_read_replica(req);
	}
	return rt->fn(req);
}

/* One request, one way down: serve it, add the page's common parts while
 * the request's identity holds (view_common, once), commit, make the body
 * (view_respond) and write it (http_send). */
static void dispatch(struct req *req)
{
	const char *msg = NULL;
	enum res r = serve(req, &msg);

	if (r != R_SUCCESS) {
		db_rollback(); /* the error page reads nothing under the identity */
		view_error(req, r, msg);
	}
	view_common(req);
	if (r == R_SUCCESS && req->sess != NULL && (r = db_commit()) != R_SUCCESS) {
		db_rollback();
		view_error(req, r, NULL);
		view_common(req);
	}
	/* A signed-in browser's write: its next pages must show it (a visitor
	 * who is not signed in, failing to, gets no cookie). */
	if (r == R_SUCCESS && req->sess != NULL && route_is_write(req->method) && req->route != NULL &&
	    req->route->access != ACCESS_API)
		sess_wrote(req);
	view_respond(req);
	http_send(req);
	db_rollback(); /* nothing stays open, no identity carries over */
	req->replica_read = db_replica_take();
	metrics_request(req, log_now() - req->t_start);
	log_request(req);
}

/* libfcgi ends a connection with a lingering close: shutdown(), then
 * read until nginx closes its end (or 2 s pass), so that input left unread
 * cannot make the kernel reset a TCP connection before the answer is read.
 * On a unix socket an answer written is never lost by closing: it stays
 * queued for nginx, which reads it and then the end of the stream. The
 * kernel reports a reset to nginx only when input was left in this end's
 * receive queue. So when the request's input is all read (its stdin at
 * its end, nothing queued), the worker closes at once: no wait for nginx,
 * no wake-up for it; 6 % of a worker's time on the Global view
 * (docs/performance.md, "Session 39"). Anything else lingers as before. */
static int close_at_once(FCGX_Request *f, int unix_socket)
{
	int queued = 0;

	if (!unix_socket || f->keepConnection || f->in == NULL || f->ipcFd < 0)
		return 0;
	/* A request's stdin ends with an empty record, which nginx sends with
	 * the request; reading it takes no wait. Input the page did not read
	 * (a body) is left to the lingering close. */
	if (!FCGX_HasSeenEOF(f->in) && FCGX_GetChar(f->in) != EOF)
		return 0;
	return ioctl(f->ipcFd, FIONREAD, &queued) == 0 && queued == 0;
}

#define WORKER_MMAP_OVER (4 << 20)
#define WORKER_HEAP_KEEP (32 << 20)
#define WORKER_HEAP_PAD (1 << 20) /* grown by at least this: fewer brk() */
static void worker_main(int listen_fd, unsigned long max_requests)
{
	FCGX_Request fcgi;
	struct req req;
	struct sigaction sa;
	sigset_t waiting_mask; /* while waiting for a request: nothing blocked */
	unsigned long served = 0;
	int unix_socket; /* the pool listens on a unix socket (close_at_once()) */

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_term; /* no SA_RESTART: ppoll() returns EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	{
		sigset_t stop;
		sigemptyset(&stop);
		sigaddset(&stop, SIGTERM);
		sigaddset(&stop, SIGINT);
		sigprocmask(SIG_SETMASK, &stop, NULL);
		sigemptyset(&waiting_mask);
	}
	/* No worker outlives its master: when the master dies (SIGKILL, the
	 * OOM killer), the kernel sends its workers SIGTERM, and each ends
	 * the request it holds and exits, as on a stop, instead of serving on
	 * with nobody to reload, replace or stop it. A master already gone
	 * before this line: the same, at once. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != master_pid)
		got_term = 1;

	/* A request's memory is all freed at its end. With glibc's defaults
	 * the heap's top went back to the kernel (brk) after every large
	 * answer and was faulted in again by the next: a TLB flush on every
	 * core and a page fault per 4 KB, a quarter of the worker's time on a
	 * 45 KB dashboard (docs/performance.md, session 25). The heap keeps
	 * up to WORKER_HEAP_KEEP free at its top; a block over
	 * WORKER_MMAP_OVER (a large export) is mapped and unmapped on its own
	 * as before. Fixed values: glibc's moving threshold stops moving. */
	mallopt(M_MMAP_THRESHOLD, WORKER_MMAP_OVER);
	mallopt(M_TRIM_THRESHOLD, WORKER_HEAP_KEEP);
	mallopt(M_TOP_PAD, WORKER_HEAP_PAD);
	jalloc_init();
	db_init(config_get()->db);
	db_init_replica(config_get()->db_read);
	db_dashboard_lag(config_get()->dashboard_lag);
	db_trace(config_get()->request_log > 1);
	if (config_get()->context_cache > 0 || config_get()->etag_cache > 0 || config_get()->dashboard_cache > 0) {
		db_listen_changes();
		http_before_send = sess_cache_sync;
	}
	if (FCGX_Init() != 0) {
		log_err("FCGX_Init failed");
		_exit(1);
	}
	FCGX_InitRequest(&fcgi, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR);
	{
		struct sockaddr_storage sa_local;
		socklen_t sa_len = sizeof(sa_local);
		unix_socket = getsockname(listen_fd, (struct sockaddr *)&sa_local, &sa_len) == 0 &&
		              sa_local.ss_family == AF_UNIX;
	}
	memset(&req, 0, sizeof(req));
	while (!got_term && served < max_requests) {
		if (!wait_for_request(listen_fd, &waiting_mask))
			continue;
		if (FCGX_Accept_r(&fcgi) < 0) { /* EAGAIN: another worker took it; EINTR: a signal */
			if (got_term)
				break;
			continue;
		}
		req.fcgi = &fcgi;
		request_begins();
		jalloc_request_begin();
		dispatch(&req);
		page_cache_publish(&req);
		http_req_end(&req);
		jalloc_request_end(); /* every jansson value of the request is gone */
		if (close_at_once(&fcgi, unix_socket))
			FCGX_Detach(&fcgi); /* FCGX_Finish_r() closes without lingering */
		FCGX_Finish_r(&fcgi);
		dashboard_docs_refresh();
		request_ends();
		served++;
	}
	FCGX_Free(&fcgi, 1);
	OS_LibShutdown(); /* libfcgi's I/O table from FCGX_Init */
	arena_free(&req.arena);
	db_close();
	view_free();
	assets_free();
	page_cache_free();
	sess_cache_free();
	etag_cache_free();
	tok_free();
	exit(0);
}

/* ------------------------------------------------------------------ master */

static void master_on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
}

/* The workers of generation gen (0: of every generation; they count from
 * 1), of pool (-1: of every pool). */
static int count_gen(unsigned gen, int pool)
{
	int n = 0;
	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		n += slots[i].pid != 0 && (gen == 0 || slots[i].gen == gen) && (pool < 0 || slots[i].pool == pool);
	return n;
}

static pid_t spawn(int fd, unsigned gen, int pool)
{
	int i = 0;
	pid_t pid;

	while (i < NSLOTS && slots[i].pid != 0)
		i++;
	if (i == NSLOTS) {
		log_err("no slot for another worker");
		return -1;
	}
	if (busy_since != NULL)
		busy_since[i] = 0;
	if ((pid = fork()) == 0) {
		my_slot = i;
		metrics_slot(i);
		worker_main(fd, (unsigned long)config_get()->max_requests);
		_exit(0);
	}
	if (pid < 0) {
		log_err("fork failed: %s", strerror(errno));
		return -1;
	}
	slots[i].pid = pid;
	slots[i].gen = gen;
	slots[i].pool = pool;
	slots[i].started = log_now();
	slots[i].stuck = 0;
	metrics_workers(pool, count_gen(0, pool));
	return pid;
}

/* Kill every worker on one request for longer than PORTAL_REQUEST_TIMEOUT
 * (reap() then logs its death and the loop replaces it). nginx answers
 * that request 502; the worker's database transaction ends with its
 * connection. */
static void watch_requests(void)
{
	double now = log_now(), since;

	if (busy_since == NULL)
		return;
	for (int i = 0; i < NSLOTS; i++) {
		if (slots[i].pid == 0 || (since = busy_since[i]) <= 0 || now - since <= config_get()->request_timeout)
			continue;
		log_warn("worker %ld on one request for %.0f s (PORTAL_REQUEST_TIMEOUT %d): killed", (long)slots[i].pid,
		         now - since, config_get()->request_timeout);
		kill(slots[i].pid, SIGKILL);
		busy_since[i] = 0; /* once */
		slots[i].stuck = 1;
	}
}

/* Fork generation gen: size[p] workers on fd[p] for each pool that has a
 * socket (fd[p] >= 0). */
static void spawn_generation(const int fd[NPOOLS], const int size[NPOOLS], unsigned gen)
{
	for (int p = 0; p < NPOOLS; p++)
		for (int i = 0; fd[p] >= 0 && i < size[p]; i++)
			spawn(fd[p], gen, p);
}


static void signal_gen_below(unsigned gen, int sig)
{
	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++)
		if (slots[i].pid != 0 && slots[i].gen < gen)
			kill(slots[i].pid, sig);
}

static int reap(void)
{
	int status, died_fast = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
			if (slots[i].pid != pid)
				continue;
			if (WIFSIGNALED(status))
				log_warn("worker %ld killed by signal %d (%s)", (long)pid, WTERMSIG(status),
				         strsignal(WTERMSIG(status)));
			else if (WEXITSTATUS(status) != 0)
				log_warn("worker %ld exited with status %d", (long)pid, WEXITSTATUS(status));
			if (log_now() - slots[i].started < 1.0 && (WIFSIGNALED(status) || WEXITSTATUS(status)))
				died_fast = 1;
			slots[i].pid = 0;
			metrics_worker_ended(slots[i].pool, slots[i].stuck ? METRICS_STUCK
			                                    : WIFSIGNALED(status) || WEXITSTATUS(status) != 0 ? METRICS_DIED
			                                                                                     : METRICS_RETIRED);
			metrics_workers(slots[i].pool, count_gen(0, slots[i].pool));
		}
	}
	return died_fast;
}

/* Compile the templates in the master so a broken one stops the start (or
 * a reload) with its place, before any worker depends on it; and, first,
 * read the static files' hashed names the templates link (a broken
 * manifest stops it too; new names with the old templates are still
 * files nginx has: they are installed before the reload). */
static int check_templates(void)
{
	struct mus_error err;

	if (assets_load(config_get()->www) != R_SUCCESS)
		return -1;
	if (view_init(config_get()->templates, &err) != R_SUCCESS) {
		log_err("template error: %s:%d:%d: %s", err.name, err.line, err.col, err.msg);
		return -1;
	}
	return 0;
}

/* The listening socket at path, non-blocking (the workers poll() before
 * they accept(), wait_for_request), or -1 (logged). A path is a unix
 * socket (made afresh, with the mode of PORTAL_SOCKET_MODE); "HOST:PORT"
 * or ":PORT", with no '/', is TCP (libfcgi's; a portal host reached by
 * nginx on another machine: FCGI_WEB_SERVER_ADDRS names the addresses it
 * takes connections from, docs/scaling.md). */
static int is_tcp(const char *path) { return strchr(path, '/') == NULL && strchr(path, ':') != NULL; }

/* Sockets passed by systemd (socket activation, sd_listen_fds(3)): fds 3,
 * 4, ... when LISTEN_PID is this process; the count, read once (the
 * variables are then unset, so the workers and what they start never see
 * them). The Debian package's mssp-portal-fcgi.socket holds the pages' socket
 * (3) and the API's (4) while the master restarts: connections wait in
 * their backlog instead of being refused. */
#define SD_LISTEN_FDS_START 3
static int listen_fds(void)
{
	static int n = -1;
	const char *pid, *fds;

	if (n >= 0)
		return n;
	n = 0;
	pid = getenv("LISTEN_PID");
	fds = getenv("LISTEN_FDS");
	if (pid != NULL && fds != NULL && atol(pid) == (long)getpid())
		n = atoi(fds) > 0 && atoi(fds) <= 16 ? atoi(fds) : 0;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return n;
}

/* The socket systemd passed for pool p, -1 when it passed none, -2 when
 * what it passed is no listening socket (logged: the start fails rather
 * than bind a socket of its own over systemd's). */
static int inherited_socket(int p, const char *path)
{
	int fd = SD_LISTEN_FDS_START + p, listening = 0;
	socklen_t len = sizeof(listening);

	if (p >= listen_fds())
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) {
		log_err("socket %d from systemd (for %s) is not a listening socket", fd, path);
		return -2;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
		log_err("socket %d from systemd: %s", fd, strerror(errno));
		return -2;
	}
	log_info("listening on the socket systemd holds for %s", path);
	return fd;
}

static int listen_on(const char *path, int mode)
{
	int fd, tcp = is_tcp(path);

	if (!tcp)
		unlink(path);
	fd = FCGX_OpenSocket(path, 1024);
	if (fd < 0) {
		log_err("cannot listen on %s: %s", path, strerror(errno));
		return -1;
	}
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		log_err("cannot make %s non-blocking: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!tcp && chmod(path, (mode_t)mode) != 0) {
		log_err("chmod %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int server_run(void)
{
	const struct config *cfg = config_get();
	struct sigaction sa;
	sigset_t block, old;
	unsigned gen = 1;
	int p;
	double drain_until = 0, hup_at = 0;
	/* each pool's socket, its listening fd (-1: no such pool) and size */
	const char *path[NPOOLS] = {cfg->socket_path, cfg->api_socket_path};
	int fd[NPOOLS] = {-1, -1}, size[NPOOLS] = {cfg->workers, cfg->api_workers};
	int inherited[NPOOLS] = {-1, -1}; /* >= 0: systemd's, left in place at exit */

	master_pid = getpid();
	if (check_templates() != 0)
		return 1;
	for (p = 0; p < NPOOLS; p++)
		if (path[p] != NULL && (inherited[p] = fd[p] = inherited_socket(p, path[p])) >= 0)
			continue;
		else if (path[p] != NULL && (inherited[p] == -2 || (fd[p] = listen_on(path[p], cfg->socket_mode)) < 0)) {
			if (p > 0)
				close(fd[0]);
			return 1;
		}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = master_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);

	if ((cfg->context_cache > 0 || cfg->dashboard_cache > 0) && sess_cache_share() != 0)
		log_warn("context and page caches: no shared memory (%s); each worker learns of changes on its own",
		         strerror(errno));
	if (cfg->dashboard_cache > 0 && page_share_init() != 0)
		log_warn("page cache: no shared memory (%s); each worker computes its own pages", strerror(errno));
	if (cfg->etag_cache > 0 && etag_cache_share() != 0)
		log_warn("ETag cache: no shared memory (%s); each worker learns of changes on its own", strerror(errno));
	log_info("listening on %s with %d workers (recycle after %d requests)", cfg->socket_path, cfg->workers,
	         cfg->max_requests);
	if (fd[POOL_API] >= 0)
		log_info("listening on %s with %d workers for the API", cfg->api_socket_path, cfg->api_workers);
	{
		void *m = mmap(NULL, sizeof(double) * NSLOTS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			log_warn("request timeout: no shared memory (%s); stuck workers are not killed", strerror(errno));
		else
			busy_since = m;
	}
	metrics_routes(routes, nroutes);
	{
		const char *bad = metrics_allow_check(config_get()->metrics_allow);
		if (bad != NULL)
			log_warn("PORTAL_METRICS_ALLOW: \"%s\" is neither an address nor a range (ADDR/BITS); it allows nobody",
			         bad);
	}
	if (metrics_share(NSLOTS) != 0)
		log_warn("/metrics: no shared memory (%s); each worker counts its own requests only", strerror(errno));
	spawn_generation(fd, size, gen);
	sd_notify_state("READY=1\nSTATUS=serving");

	for (;;) {
		struct timespec ts = {0, 200 * 1000 * 1000};
		int fast;

		/* Wait for a signal, waking now and then for drain deadlines. */
		sigprocmask(SIG_SETMASK, &old, NULL);
		nanosleep(&ts, NULL);
		sigprocmask(SIG_BLOCK, &block, NULL);

		watch_requests();
		fast = reap();
		got_chld = 0;
		if (got_term) {
			if (drain_until == 0) {
				log_info("draining: stopping workers");
				sd_notify_state("STOPPING=1");
				drain_until = log_now() + cfg->drain_seconds;
				signal_gen_below(gen + 1, SIGTERM);
			}
			if (count_gen(gen, -1) + count_gen(gen - 1, -1) == 0 || log_now() > drain_until) {
				signal_gen_below(gen + 1, SIGKILL);
				while (waitpid(-1, NULL, 0) > 0)
					;
				break;
			}
			continue;
		}
		if (got_hup) {
			got_hup = 0;
			sd_notify_reloading();
			if (check_templates() == 0) {
				log_info("reload: starting generation %u", gen + 1);
				gen++;
				spawn_generation(fd, size, gen);
				signal_gen_below(gen, SIGTERM);
				hup_at = log_now();
				sd_notify_state("READY=1\nSTATUS=serving");
			} else {
				log_err("reload refused: keeping the running workers");
				sd_notify_state("READY=1\nSTATUS=serving; the last reload was refused (see the log)");
			}
		}
		/* An old generation still busy after the grace period is killed. */
		if (hup_at > 0 && log_now() > hup_at + cfg->drain_seconds) {
			signal_gen_below(gen, SIGKILL);
			hup_at = 0;
		}
		if (fast) {
			/* Back off so a worker that cannot start does not spin. */
			struct timespec bo = {1, 0};
			nanosleep(&bo, NULL);
		}
		for (p = 0; p < NPOOLS; p++)
			while (fd[p] >= 0 && count_gen(gen, p) < size[p])
				if (spawn(fd[p], gen, p) < 0)
					break;
	}
	for (p = 0; p < NPOOLS; p++)
		if (fd[p] >= 0) {
			close(fd[p]);
			if (!is_tcp(path[p]) && inherited[p] < 0)
				unlink(path[p]);
		}
	if (busy_since != NULL)
		munmap((void *)busy_since, sizeof(double) * NSLOTS);
	metrics_unshare();
	view_free();
	assets_free();
	log_info("stopped");
	return 0;
}
