/* cdp.c - printing HTML to PDF with a headless Chromium over the DevTools
 * pipe (cdp.h). */
#include "cdp.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "jalloc.h"
#include "log.h"
#include "tmpdir.h"

#define CDP_MAX_MESSAGE (256u << 20) /* a PDF's base64 of up to ~190 MB */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A copy of a JSON string member (malloc'd), "" when absent. */
static char *member(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return strdup(v != NULL ? v : "");
}

static int fail(struct cdp *c, const char *what)
{
	snprintf(c->error, sizeof(c->error), "%s", what);
	return -1;
}

/* Can this process make a user namespace, which Chromium's sandbox needs
 * when it does not run as root? Not in a chroot, nor where the kernel
 * forbids them to unprivileged users. Asked of a child, which exits. */
static int userns_ok(void)
{
	int status = 0;
	pid_t p = fork();

	if (p == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
	if (p < 0 || waitpid(p, &status, 0) != p)
		return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int cdp_start(struct cdp *c, const char *path)
{
	int to[2], from[2];

	memset(c, 0, sizeof(*c));
	c->to = c->from = -1;
	c->next_id = 1;
	if (path == NULL) /* the browser itself, not /usr/bin's shell launcher */
		path = "/usr/lib/chromium/chromium-headless-shell";
	/* Chromium refuses its sandbox to root; as its own user it keeps it,
	 * unless the system refuses the user namespaces it is made of: then
	 * without it, said in the log, or not at all with
	 * PORTAL_BROWSER_SANDBOX=require. */
	c->no_sandbox = geteuid() == 0;
	if (!c->no_sandbox && !userns_ok()) {
		const char *policy = getenv("PORTAL_BROWSER_SANDBOX");
		if (policy != NULL && strcmp(policy, "require") == 0)
			return fail(c, "the browser's sandbox needs user namespaces, which this system refuses "
			               "(a chroot, or kernel.unprivileged_userns_clone=0)");
		log_warn("this system refuses user namespaces (a chroot, or kernel.unprivileged_userns_clone=0): "
		         "the browser runs without its sandbox (PORTAL_BROWSER_SANDBOX=require refuses that)");
		c->no_sandbox = 1;
	}
	if (tmpdir_make(c->dir, sizeof(c->dir), "mssp-portal-cdp") != 0) {
		c->dir[0] = '\0';
		return fail(c, "no directory for the browser");
	}
	if (pipe(to) != 0)
		return fail(c, "no pipe");
	if (pipe(from) != 0) {
		close(to[0]);
		close(to[1]);
		return fail(c, "no pipe");
	}
	signal(SIGPIPE, SIG_IGN); /* a browser gone is an error, not the end of this process */
	c->pid = fork();
	if (c->pid < 0) {
		c->pid = 0;
		close(to[0]), close(to[1]), close(from[0]), close(from[1]);
		return fail(c, "no process for the browser");
	}
	if (c->pid == 0) {
		char udd[288];
		const char *argv[24];
		int n = 0, r = fcntl(to[0], F_DUPFD, 10), w = fcntl(from[1], F_DUPFD, 10),
		    null = open("/dev/null", O_RDWR);

		if (r < 0 || w < 0 || null < 0 || dup2(r, 3) != 3 || dup2(w, 4) != 4)
			_exit(127);
		setpgid(0, 0); /* its renderers and helpers are killed with it: kill(-pid) */
		dup2(null, 0), dup2(null, 1), dup2(null, 2);
		for (int fd = 5; fd < 1024; fd++)
			close(fd);
		snprintf(udd, sizeof(udd), "--user-data-dir=%s", c->dir);
		argv[n++] = path;
		argv[n++] = "--headless";
		argv[n++] = "--disable-gpu";
		argv[n++] = "--disable-background-networking";
		argv[n++] = "--disable-component-update";
		argv[n++] = "--disable-sync";
		argv[n++] = "--disable-extensions";
		argv[n++] = "--disable-default-apps";
		argv[n++] = "--no-first-run";
		argv[n++] = "--mute-audio";
		argv[n++] = "--host-resolver-rules=MAP * ~NOTFOUND";
		argv[n++] = "--proxy-server=socks5://127.0.0.1:9";
		argv[n++] = "--proxy-bypass-list=<-loopback>";
		if (c->no_sandbox)
			argv[n++] = "--no-sandbox";
		argv[n++] = udd;
		argv[n++] = "--remote-debugging-pipe";
		argv[n++] = "about:blank";
		argv[n] = NULL;
		execv(path, (char *const *)argv);
		_exit(127);
	}
	close(to[0]);
	close(from[1]);
	c->to = to[1];
	c->from = from[0];
	fcntl(c->to, F_SETFD, FD_CLOEXEC);
	fcntl(c->from, F_SETFD, FD_CLOEXEC);
	return 0;
}

/* Send one command; its id, or -1. session: NULL for the browser's. */
static long send_cmd(struct cdp *c, const char *method, json_t *params, const char *session)
{
	json_t *m = json_pack("{s:I, s:s, s:O}", "id", (json_int_t)c->next_id, "method", method, "params", params);
	char *text;
	size_t n, off = 0;

	if (m == NULL)
		return -1;
	if (session != NULL)
		json_object_set_new(m, "sessionId", json_string(session));
	text = json_text(m, JSON_COMPACT);
	json_decref(m);
	if (text == NULL)
		return -1;
	n = strlen(text) + 1; /* the NUL ends the message */
	while (off < n) {
		ssize_t w = write(c->to, text + off, n - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			free(text);
			return -1;
		}
		off += (size_t)w;
	}
	free(text);
	return c->next_id++;
}

/* The next whole message (new), or NULL at the deadline or on an error. */
static json_t *read_msg(struct cdp *c, long long deadline)
{
	for (;;) {
		char *z = c->len ? memchr(c->buf, '\0', c->len) : NULL;
		if (z != NULL) {
			size_t n = (size_t)(z - c->buf);
			json_t *m = json_loadb(c->buf, n, 0, NULL);
			memmove(c->buf, z + 1, c->len - n - 1);
			c->len -= n + 1;
			if (m != NULL)
				return m;
			continue;
		}
		long long left = deadline - now_ms();
		struct pollfd p = {c->from, POLLIN, 0};
		if (left <= 0 || poll(&p, 1, (int)(left > 1000 ? 1000 : left)) < 0) {
			if (left > 0 && errno == EINTR)
				continue;
			if (left <= 0)
				return NULL;
			continue;
		}
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (c->cap - c->len < 65536) {
			size_t cap = c->cap ? c->cap * 2 : 1 << 20;
			char *b;
			if (cap > CDP_MAX_MESSAGE || (b = realloc(c->buf, cap)) == NULL)
				return NULL;
			c->buf = b;
			c->cap = cap;
		}
		ssize_t r = read(c->from, c->buf + c->len, c->cap - c->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return NULL; /* the browser is gone */
		c->len += (size_t)r;
	}
}

/* An event: a paused request is let through when it is a file: or data:
 * URL and failed otherwise; the page's load is noted in *loaded. */
static void on_event(struct cdp *c, json_t *m, const char *session, int *loaded)
{
	const char *method = json_string_value(json_object_get(m, "method"));
	const char *sid = json_string_value(json_object_get(m, "sessionId"));
	json_t *params = json_object_get(m, "params");

	if (method == NULL || sid == NULL || session == NULL || strcmp(sid, session) != 0)
		return;
	if (strcmp(method, "Page.loadEventFired") == 0 && loaded != NULL)
		*loaded = 1;
	if (strcmp(method, "Fetch.requestPaused") == 0) {
		const char *url = json_string_value(json_object_get(json_object_get(params, "request"), "url"));
		json_t *req = json_pack("{s:O}", "requestId", json_object_get(params, "requestId"));
		if (url != NULL && (strncmp(url, "file://", 7) == 0 || strncmp(url, "data:", 5) == 0)) {
			send_cmd(c, "Fetch.continueRequest", req, session);
		} else {
			json_object_set_new(req, "errorReason", json_string("BlockedByClient"));
			send_cmd(c, "Fetch.failRequest", req, session);
		}
		json_decref(req);
	}
}

/* Call method and wait for its answer: the result (new), or NULL with
 * c->error set. Takes params. */
static json_t *call(struct cdp *c, const char *method, json_t *params, const char *session, long long deadline,
                    int *loaded)
{
	long id = send_cmd(c, method, params, session);
	json_t *m, *res;

	json_decref(params);
	if (id < 0) {
		snprintf(c->error, sizeof(c->error), "%s: the browser does not listen", method);
		return NULL;
	}
	while ((m = read_msg(c, deadline)) != NULL) {
		json_t *mid = json_object_get(m, "id");
		if (mid == NULL) {
			on_event(c, m, session, loaded);
			json_decref(m);
			continue;
		}
		if (json_integer_value(mid) != id) {
			json_decref(m);
			continue;
		}
		res = json_object_get(m, "result");
		if (res == NULL) {
			const char *e = json_string_value(json_object_get(json_object_get(m, "error"), "message"));
			snprintf(c->error, sizeof(c->error), "%s: %s", method, e ? e : "failed");
			json_decref(m);
			return NULL;
		}
		json_incref(res);
		json_decref(m);
		return res;
	}
	snprintf(c->error, sizeof(c->error), "%s: no answer in time", method);
	return NULL;
}

/* Wait for the page's load event (or the deadline): 0 or -1. */
static int wait_loaded(struct cdp *c, const char *session, long long deadline, int *loaded)
{
	json_t *m;

	while (!*loaded && (m = read_msg(c, deadline)) != NULL) {
		on_event(c, m, session, loaded);
		json_decref(m);
	}
	return *loaded ? 0 : fail(c, "the page did not load in time");
}

/* base64 text to bytes (malloc'd): 0, or -1. */
static int unbase64(const char *text, unsigned char **out, size_t *out_len)
{
	size_t n = strlen(text), pad = 0;
	int got;

	if (n == 0 || n % 4 != 0 || n > INT32_MAX)
		return -1;
	*out = malloc(n / 4 * 3 + 1);
	if (*out == NULL)
		return -1;
	got = EVP_DecodeBlock(*out, (const unsigned char *)text, (int)n);
	if (got < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	pad = (text[n - 1] == '=') + (text[n - 2] == '=');
	*out_len = (size_t)got - pad;
	return 0;
}

int cdp_print(struct cdp *c, const char *html_path, int tagged, int timeout_ms, unsigned char **pdf,
              size_t *pdf_len)
{
	long long deadline = now_ms() + timeout_ms;
	json_t *r;
	char url[4200], *context = NULL, *target = NULL, *session = NULL;
	int loaded = 0, ret = -1;

	*pdf = NULL;
	*pdf_len = 0;
	if (html_path[0] != '/' || strlen(html_path) > 4000 ||
	    strspn(html_path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/._-") !=
	        strlen(html_path))
		return fail(c, "the HTML's path must be absolute, of letters, digits and / . _ -");
	if (c->pid == 0)
		return fail(c, "no browser");
	snprintf(url, sizeof(url), "file://%s", html_path);
	if ((r = call(c, "Target.createBrowserContext", json_pack("{s:b}", "disposeOnDetach", 1), NULL, deadline,
	              NULL)) == NULL)
		goto out;
	context = member(r, "browserContextId");
	json_decref(r);
	if ((r = call(c, "Target.createTarget",
	              json_pack("{s:s, s:s}", "url", "about:blank", "browserContextId", context), NULL, deadline,
	              NULL)) == NULL)
		goto out;
	target = member(r, "targetId");
	json_decref(r);
	if ((r = call(c, "Target.attachToTarget", json_pack("{s:s, s:b}", "targetId", target, "flatten", 1), NULL,
	              deadline, NULL)) == NULL)
		goto out;
	session = member(r, "sessionId");
	json_decref(r);
	if ((r = call(c, "Page.enable", json_object(), session, deadline, &loaded)) == NULL)
		goto out;
	json_decref(r);
	if ((r = call(c, "Emulation.setScriptExecutionDisabled", json_pack("{s:b}", "value", 1), session, deadline,
	              &loaded)) == NULL)
		goto out;
	json_decref(r);
	if ((r = call(c, "Fetch.enable", json_pack("{s:[{s:s}]}", "patterns", "urlPattern", "*"), session, deadline,
	              &loaded)) == NULL)
		goto out;
	json_decref(r);
	loaded = 0;
	if ((r = call(c, "Page.navigate", json_pack("{s:s}", "url", url), session, deadline, &loaded)) == NULL)
		goto out;
	if (json_object_get(r, "errorText") != NULL) {
		char *e = member(r, "errorText");
		snprintf(c->error, sizeof(c->error), "the page did not open: %s", e);
		free(e);
		json_decref(r);
		goto out;
	}
	json_decref(r);
	if (wait_loaded(c, session, deadline, &loaded) != 0)
		goto out;
	if ((r = call(c, "Page.printToPDF",
	              json_pack("{s:b, s:b, s:b, s:b, s:b, s:s}", "printBackground", 1, "preferCSSPageSize", 1,
	                        "generateTaggedPDF", tagged != 0, "generateDocumentOutline", tagged != 0,
	                        "displayHeaderFooter", 0, "transferMode", "ReturnAsBase64"),
	              session, deadline, &loaded)) == NULL)
		goto out;
	if (!json_is_string(json_object_get(r, "data")) ||
	    unbase64(json_string_value(json_object_get(r, "data")), pdf, pdf_len) != 0) {
		json_decref(r);
		fail(c, "the PDF did not come back");
		goto out;
	}
	json_decref(r);
	if ((r = call(c, "Target.disposeBrowserContext", json_pack("{s:s}", "browserContextId", context), NULL,
	              deadline, NULL)) == NULL)
		goto out;
	json_decref(r);
	ret = 0;
out:
	free(context);
	free(target);
	free(session);
	if (ret != 0) {
		char why[sizeof(c->error)];
		free(*pdf);
		*pdf = NULL;
		*pdf_len = 0;
		memcpy(why, c->error, sizeof(why)); /* what failed, not the stop's own complaint */
		cdp_stop(c);
		memcpy(c->error, why, sizeof(why));
	}
	return ret;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

void cdp_stop(struct cdp *c)
{
	if (c->pid > 0) {
		json_t *r = call(c, "Browser.close", json_object(), NULL, now_ms() + 2000, NULL);
		long long until = now_ms() + 5000;
		int status;
		json_decref(r);
		if (c->to >= 0)
			close(c->to);
		while (waitpid(c->pid, &status, WNOHANG) == 0) {
			if (now_ms() > until) {
				kill(-c->pid, SIGKILL);
				waitpid(c->pid, &status, 0);
				break;
			}
			usleep(20000);
		}
		kill(-c->pid, SIGKILL); /* any helper left of its group */
		c->pid = 0;
	} else if (c->to >= 0) {
		close(c->to);
	}
	if (c->from >= 0)
		close(c->from);
	c->to = c->from = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
	if (c->dir[0] != '\0')
		nftw(c->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	c->dir[0] = '\0';
}
