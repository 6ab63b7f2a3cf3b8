/* main_reporter.c - makes the reports people ask for on the Reports page
 * (docs/reports.md, "Reports page and jobs"), off the request path.
 *
 * It connects as its own role (portal_reporter: no table of its own, no
 * grant on any) and loops: claim the next due job (report_job_claim(): FOR
 * UPDATE SKIP LOCKED and a lease, so two reporters never make one report
 * and a reporter that dies leaves its job to the next once the lease
 * ends); in one transaction act as the person who asked
 * (report_job_identify()) and read the report as they may see it
 * (report_executive(), the page's function; a billing statement:
 * billing_document(), which closes its month if it ended); print the PDF with the
 * browser it keeps running (cdp.h, restarted after REPORTER_RESTART_AFTER
 * reports and after any failure); store it (report_job_finish()), or the
 * error, retried with a backoff until REPORTER_MAX_ATTEMPTS; a scheduled
 * report's mails are queued in the transaction that stores it, so they
 * go out exactly when it is made. Every second it gives each schedule
 * that is due its job (report_schedules_fire()); once a minute it drops
 * the files past their tenant's retention (report_jobs_expire()); at its
 * start and every BILLING_RUN_SECONDS (3600) it takes billing's daily
 * snapshots and closes the months that ended (billing_run(),
 * docs/billing.md).
 *
 * SIGTERM: a report being printed is failed as an attempt ("the reporter
 * was stopped"), retried after its backoff; the browser is killed with its
 * process group, and the reporter exits. */
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cdp.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "sdnotify.h"
#include "tmpdir.h"
#include "outbox.h"
#include "pages/pages.h"
#include "view.h"

static volatile sig_atomic_t stop;
/* The browser's process group while one runs (0: none), for on_term(). */
static volatile sig_atomic_t browser_group;

/* SIGTERM: stop after this report; a browser printing one is killed (its
 * print fails at once), so the reporter stops in a moment and leaves no
 * browser behind. */
static void on_term(int sig)
{
	(void)sig;
	stop = 1;
	if (browser_group > 0)
		kill(-(pid_t)browser_group, SIGKILL);
}

DB_STMT(st_claim, 2,
        "SELECT id, tenant_id, kind, paper, period_from::text, period_to::text, attempts, coalesce(cadence, '')"
        " FROM report_job_claim($1::int, $2::int)");
DB_STMT(st_identify, 1, "SELECT report_job_identify($1::bigint)");
DB_STMT(st_report, 3, "SELECT report_executive($1::bigint, $2::date, $3::date)::text");
DB_STMT(st_billing_doc, 2, "SELECT billing_document($1::bigint, $2::date)::text");
DB_STMT(st_finish, 5, "SELECT report_job_finish($1::bigint, $2::bytea, $3, $4::int, $5::int)");
DB_STMT(st_expire, 1, "SELECT report_jobs_expire($1::int)");
DB_STMT(st_fire, 0, "SELECT report_schedules_fire()");
DB_STMT(st_billing, 0, "SELECT billing_run()");
DB_STMT(st_recipients, 1, "SELECT recipient, delivery, pdf_bytes, expires_at FROM report_job_recipients($1::bigint)");

/* A job's lease: longer than its longest run (three passes of 60 s and
 * the figures), renewed by nothing: a job still running after it is taken
 * to be orphaned. */
#define LEASE_SECONDS 600
#define PDF_MAX (50u << 20) /* what report_jobs.pdf takes */

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);
	return v && *v ? atoi(v) : def;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (!stop && nanosleep(&ts, &ts) != 0)
		;
}

/* A job as claimed (the strings live in the claim's result). */
struct job {
	const char *id, *tenant, *kind, *paper, *from, *to;
	const char *cadence; /* its schedule's ("weekly", "monthly"), or "" */
	int attempt;
};

/* The reporter's settings (environment, docs/operations.md). */
struct reporter_cfg {
	int poll_ms, max_attempts, backoff, restart_after;
	int niceness;         /* REPORTER_NICE: the reporter's, its browser's and its backend's */
	long long attach_max; /* a scheduled report larger than this goes as a link */
};

/* The decorated report of the job as its requester may see it now (a new
 * object), or NULL with err set. */
static json_t *job_report(const struct job *j, char *err, size_t errlen)
{
	const char *p1[1] = {j->id}, *p3[3] = {j->tenant, j->from, j->to};
	int billing = strcmp(j->kind, "billing") == 0; /* a month's statement (billing_document()) */
	PGresult *res;
	json_t *rep = NULL;
	enum res r;

	if (db_begin() != R_SUCCESS || report_wait(config_get()->report_timeout) != R_SUCCESS) {
		db_rollback();
		snprintf(err, errlen, "the database is unavailable");
		return NULL;
	}
	if ((res = db_exec(&st_identify, p1, &r)) == NULL || PQgetisnull(res, 0, 0))
		snprintf(err, errlen, "%s", res == NULL ? "the database is unavailable"
		                                        : "the person who asked for it is no longer an active user");
	else {
		PQclear(res);
		if ((res = db_exec(billing ? &st_billing_doc : &st_report, p3, &r)) == NULL && db_timed_out())
			snprintf(err, errlen, "its figures took longer than the reporter's limit of %d s to gather "
			         "(REPORTER_STATEMENT_TIMEOUT)", config_get()->report_timeout);
		else if (res == NULL || PQgetisnull(res, 0, 0))
			snprintf(err, errlen, "%s",
			         res == NULL ? "the database is unavailable"
			         : billing   ? "the person who asked for it may no longer see the account's billing"
			                     : "the person who asked for it may no longer see the tenant");
		else if ((rep = json_loads(PQgetvalue(res, 0, 0), 0, NULL)) == NULL)
			snprintf(err, errlen, "the report's figures could not be read");
	}
	PQclear(res);
	if (db_commit() != R_SUCCESS) {
		db_rollback();
		json_decref(rep);
		snprintf(err, errlen, "the database is unavailable");
		return NULL;
	}
	if (rep != NULL && !billing)
		report_decorate(rep);
	return rep;
}

/* The mails of a scheduled report just stored (in its transaction): one
 * per recipient, the PDF attached when the schedule says so and it is at
 * most attach_max bytes, else a signed link. R_SUCCESS, or the database's
 * failure (the caller rolls back); a recipient past the tenant's mail
 * limit is logged and left out. */
static enum res job_deliver(const struct job *j, json_t *rep, long long attach_max)
{
	const char *params[1] = {j->id}, *base = config_get()->base_url ? config_get()->base_url : "";
	const char *name = json_string_value(json_object_get(json_object_get(rep, "tenant"), "name"));
	char link[512], reports[256], b[32];
	PGresult *res;
	enum res r;

	if ((res = db_exec(&st_recipients, params, &r)) == NULL)
		return r;
	snprintf(link, sizeof(link), "%s/reports/link/@@link-token@@", base);
	snprintf(reports, sizeof(reports), "%s/t/%s/reports", base, j->tenant);
	for (int i = 0; i < PQntuples(res) && r == R_SUCCESS; i++) {
		long long bytes = atoll(PQgetvalue(res, i, 2));
		int attach = strcmp(PQgetvalue(res, i, 1), "attachment") == 0 && bytes <= attach_max;
		json_t *model;
		if (bytes >= 1024 * 1024)
			snprintf(b, sizeof(b), "%.1f MB", (double)bytes / (1024 * 1024));
		else
			snprintf(b, sizeof(b), "%lld kB", (bytes + 1023) / 1024);
		char lower[32];
		snprintf(lower, sizeof(lower), "%s", report_kind_title(j->kind));
		lower[0] = (char)(lower[0] - 'A' + 'a'); /* "Billing statement": "billing statement" */
		model = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s, s:s}", "kind_title",
		                  report_kind_title(j->kind), "kind_lower", lower, "tenant_name", name ? name : "", "from", j->from, "to", j->to, "cadence", j->cadence,
		                  "attach", attach, "size", b, "link", link, "expires", PQgetvalue(res, i, 3), "reports_url",
		                  reports);
		r = outbox_queue_report(atoll(j->id), atoll(j->tenant), PQgetvalue(res, i, 0), "report", attach, model);
		json_decref(model);
		if (r == R_TOO_MANY || r == R_BAD_INPUT) {
			log_warn("report %s: no mail to %s (%s)", j->id, PQgetvalue(res, i, 0),
			         r == R_TOO_MANY ? "the tenant's report mail for the day is spent" : "not an address");
			r = R_SUCCESS;
		}
	}
	PQclear(res);
	return r;
}

/* Record the job's outcome, pdf (len bytes) or err, and for a scheduled
 * report made, its mails, in one transaction. The state after, as a log
 * word. */
static const char *job_finish(const struct job *j, json_t *rep, const unsigned char *pdf, size_t len,
                              const char *err, const struct reporter_cfg *rc)
{
	static const char hex[] = "0123456789abcdef";
	static char state[16];
	char maxs[16], backs[16];
	const char *params[5] = {j->id, NULL, pdf ? NULL : err, maxs, backs};
	struct buf b = BUF_INIT;
	PGresult *res;
	enum res r;
	int ok;

	snprintf(maxs, sizeof(maxs), "%d", rc->max_attempts);
	snprintf(backs, sizeof(backs), "%d", rc->backoff);
	if (pdf != NULL) { /* bytea in the text format: \x and two hex digits a byte */
		if (buf_reserve(&b, 2 * len + 3) == 0) {
			buf_puts(&b, "\\x");
			for (size_t i = 0; i < len; i++) {
				b.data[b.len++] = hex[pdf[i] >> 4];
				b.data[b.len++] = hex[pdf[i] & 15];
			}
			b.data[b.len] = '\0';
		}
		if (!buf_ok(&b) || b.data == NULL) {
			buf_free(&b);
			return job_finish(j, rep, NULL, 0, "out of memory for the file", rc);
		}
		params[1] = b.data;
	}
	if (db_begin() != R_SUCCESS) {
		buf_free(&b);
		return "unrecorded";
	}
	res = db_exec(&st_finish, params, &r);
	snprintf(state, sizeof(state), "%s",
	         res == NULL ? "unrecorded" : PQgetisnull(res, 0, 0) ? "taken over" : PQgetvalue(res, 0, 0));
	ok = res != NULL;
	PQclear(res);
	buf_free(&b);
	if (ok && strcmp(state, "done") == 0 && j->cadence[0] != '\0' &&
	    job_deliver(j, rep, rc->attach_max) != R_SUCCESS) {
		db_rollback(); /* made again, as a failed attempt */
		return job_finish(j, rep, NULL, 0, "its mail could not be queued", rc);
	}
	if (!ok || db_commit() != R_SUCCESS) {
		db_rollback();
		return "unrecorded";
	}
	return state;
}

/* Print the job's report with the running browser c: *pdf, or err. A
 * failed print stops the browser (the next report gets a new one). */
static void print_job(struct cdp *c, const struct job *j, json_t *rep, int kind, const char *dir,
                      int *printed, unsigned char **pdf, size_t *len, char *err, size_t errlen)
{
	browser_group = c->pid; /* from now on SIGTERM kills it */
	if (stop) {
		snprintf(err, errlen, "the reporter was stopped before making it");
		return;
	}
	if (report_pdf(c, rep, kind, j->paper, dir, pdf, len, err, errlen) == 0) {
		(*printed)++;
		if (*len > PDF_MAX) {
			snprintf(err, errlen, "the PDF is %zu bytes, over the %u the portal keeps", *len, PDF_MAX);
			free(*pdf);
			*pdf = NULL;
		}
		return;
	}
	if (stop)
		snprintf(err, errlen, "the reporter was stopped while making it");
	browser_group = 0;
	cdp_stop(c);
	*printed = 0;
}

/* Make one due report. 1 if one was handled, 0 if none was due, -1 on a
 * database problem. */
/* Write niceness to the autogroup file at path (proc(5)). 0, or -1 with
 * errno set; a kernel without autogroups (no file) is not an error. */
static int autogroup_nice(const char *path, int niceness)
{
	FILE *f = fopen(path, "we");
	int ok;

	if (f == NULL)
		return errno == ENOENT ? 0 : -1;
	ok = fprintf(f, "%d", niceness) > 0;
	if (fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}

/* The figures of a report are the work of the reporter's PostgreSQL
 * backend: where that is a process of this machine (a Unix socket) and of
 * this user (make run's stack), it gets the reporter's niceness too, once
 * per connection; elsewhere (PostgreSQL as its own user) the log says once
 * that it cannot. */
static void nice_backend(int niceness)
{
	static int done_pid, said;
	PGconn *conn = db_conn();
	const char *host = conn != NULL ? PQhost(conn) : NULL;
	int pid = conn != NULL ? PQbackendPID(conn) : 0;
	char path[64], comm[32] = "";
	FILE *f;

	if (pid <= 0 || pid == done_pid || host == NULL || host[0] != '/')
		return;
	done_pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if ((f = fopen(path, "re")) != NULL) {
		if (fgets(comm, sizeof(comm), f) == NULL)
			comm[0] = '\0';
		fclose(f);
	}
	if (strncmp(comm, "postgres", 8) != 0) /* not the backend: another machine's pid space */
		return;
	/* A backend is a session of its own (setsid), so with the kernel's
	 * autogroups (sched_autogroup_enabled) its niceness counts only inside
	 * its group: the group's niceness is the one that yields to the pages. */
	snprintf(path, sizeof(path), "/proc/%d/autogroup", pid);
	if (setpriority(PRIO_PROCESS, (id_t)pid, niceness) != 0 || autogroup_nice(path, niceness) != 0) {
		if (!said++)
			log_info("the PostgreSQL backend computing the figures keeps its priority (%s): it runs as another "
			         "user",
			         strerror(errno));
	}
}

static int run_one(struct cdp *c, int *printed, const char *dir, const struct reporter_cfg *rc)
{
	char leases[16], maxs[16], err[512] = "";
	const char *params[2] = {leases, maxs};
	unsigned char *pdf = NULL;
	size_t len = 0;
	long long t0 = now_ms(), t_fig = 0, t_print = 0;
	struct job j;
	PGresult *res;
	json_t *rep;
	const char *state;
	enum res r;
	int kind;

	snprintf(leases, sizeof(leases), "%d", LEASE_SECONDS);
	snprintf(maxs, sizeof(maxs), "%d", rc->max_attempts);
	if ((res = db_exec(&st_claim, params, &r)) == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	j = (struct job){PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2),
	                 PQgetvalue(res, 0, 3), PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 5),
	                 PQgetvalue(res, 0, 7), atoi(PQgetvalue(res, 0, 6))};
	nice_backend(rc->niceness);
	rep = job_report(&j, err, sizeof(err));
	t_fig = now_ms();
	if (rep != NULL && (kind = report_kind(rep, j.kind, err, sizeof(err))) >= 0) {
		if (c->pid != 0 && *printed >= rc->restart_after) {
			browser_group = 0;
			cdp_stop(c);
			*printed = 0;
		}
		if (c->pid == 0 && cdp_start(c, getenv("REPORTER_BROWSER")) != 0)
			snprintf(err, sizeof(err), "the browser did not start: %s", c->error);
		else
			print_job(c, &j, rep, kind, dir, printed, &pdf, &len, err, sizeof(err));
	}
	t_print = now_ms();
	state = job_finish(&j, rep, pdf, len, err, rc);
	if (pdf != NULL) /* the time in the figures, the browser and the store */
		log_info("report %s (tenant %s, %s, %s to %s%s%s): %zu bytes in %lld ms (figures %lld, print %lld, "
		         "store %lld), %s",
		         j.id, j.tenant, j.kind, j.from, j.to, j.cadence[0] ? ", " : "", j.cadence, len, now_ms() - t0,
		         t_fig - t0, t_print - t_fig, now_ms() - t_print, state);
	else
		log_warn("report %s (tenant %s, attempt %d) failed in %lld ms: %s; %s", j.id, j.tenant, j.attempt,
		         now_ms() - t0, err, state);
	json_decref(rep);
	free(pdf);
	PQclear(res);
	return 1;
}

int main(void)
{
	const struct config *cfg;
	struct mus_error merr;
	struct sigaction sa;
	struct cdp c = {0};
	char dir[256], maxs[16];
	const char *params[1] = {maxs};
	struct reporter_cfg rc;
	int printed = 0;
	long long last_expire = 0, last_fire = 0, last_billing = 0, billing_ms;

	log_set_name("reporter");
	cfg = config_load();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc.poll_ms = env_int("REPORTER_POLL_MS", 1000);
	rc.max_attempts = env_int("REPORTER_MAX_ATTEMPTS", 3);
	rc.backoff = env_int("REPORTER_BACKOFF_SECONDS", 60);
	rc.restart_after = env_int("REPORTER_RESTART_AFTER", 100);
	rc.attach_max = env_int("REPORTER_ATTACH_MAX", 10 << 20);
	billing_ms = 1000LL * env_int("BILLING_RUN_SECONDS", 3600);
	if (billing_ms < 1000)
		billing_ms = 1000;
	if (rc.poll_ms < 10)
		rc.poll_ms = 10;
	/* Reports wait; pages do not: the reporter and its browser yield the
	 * CPUs to the workers (REPORTER_NICE, 0-19). */
	rc.niceness = env_int("REPORTER_NICE", 10);
	errno = 0; /* already so: the unit's Nice= (no call then) */
	if ((getpriority(PRIO_PROCESS, 0) != rc.niceness || errno != 0) && setpriority(PRIO_PROCESS, 0, rc.niceness) != 0)
		log_warn("REPORTER_NICE: %s", strerror(errno));
	if (view_init(cfg->templates, &merr) != R_SUCCESS) {
		log_err("templates: %s:%d:%d: %s", merr.name, merr.line, merr.col, merr.msg);
		return 1;
	}
	/* A private directory for the HTML it prints, and the browser's home. */
	if (tmpdir_make(dir, sizeof(dir), "portal-reporter") != 0) {
		log_err("%s: could not be made", dir);
		return 1;
	}
	setenv("HOME", dir, 1);
	snprintf(maxs, sizeof(maxs), "%d", rc.max_attempts);
	/* its own role (the settings file all units share names each) */
	db_init(getenv("PORTAL_REPORTER_DB") != NULL && *getenv("PORTAL_REPORTER_DB") ? getenv("PORTAL_REPORTER_DB") : cfg->db);
	log_info("reporter started: polling every %d ms, at most %d attempts, backoff %d s, a new browser every %d "
	         "reports, files up to %lld bytes attached",
	         rc.poll_ms, rc.max_attempts, rc.backoff, rc.restart_after, rc.attach_max);
	sd_notify_state("READY=1");
	while (!stop) {
		int n;
		enum res r;
		if (now_ms() - last_expire >= 60000) {
			PGresult *res = db_exec(&st_expire, params, &r);
			if (res != NULL)
				last_expire = now_ms();
			PQclear(res);
		}
		if (now_ms() - last_fire >= 1000) {
			PGresult *res = db_exec(&st_fire, NULL, &r);
			if (res != NULL) {
				last_fire = now_ms();
				if (atoi(PQgetvalue(res, 0, 0)) > 0)
					log_info("schedules: %s reports due", PQgetvalue(res, 0, 0));
			}
			PQclear(res);
		}
		if (last_billing == 0 || now_ms() - last_billing >= billing_ms) {
			PGresult *res = db_exec(&st_billing, NULL, &r);
			last_billing = now_ms(); /* a failure waits for the next turn too */
			if (res != NULL && atoi(PQgetvalue(res, 0, 0)) > 0)
				log_info("billing: %s days taken", PQgetvalue(res, 0, 0));
			PQclear(res);
		}
		n = run_one(&c, &printed, dir, &rc);
		if (n == 0)
			sleep_ms(rc.poll_ms);
		else if (n < 0)
			sleep_ms(rc.poll_ms * 2 > 5000 ? rc.poll_ms * 2 : 5000);
	}
	sd_notify_state("STOPPING=1");
	browser_group = 0;
	if (c.pid != 0)
		cdp_stop(&c);
	rmdir(dir);
	db_close();
	view_free();
	log_info("reporter stopped");
	return 0;
}
