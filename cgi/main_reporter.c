/* main_reporter.c - makes the reports people ask for on the Reports page
 * (docs/reports.md, "Reports page and jobs"), off the request path.
 *
 * It connects as its own role (portal_reporter: no table of its own, no
 * grant on any) and loops: claim the next due job (report_job_claim(): FOR
 * UPDATE SKIP LOCKED and a lease, so two reporters never make one report
 * and a reporter that dies leaves its job to the next once the lease
 * ends); in one transaction act as the person who asked
 * (report_job_identify()) and read the report as they may see it
 * (report_executive(), the page's function); print the PDF with the
 * browser it keeps running (cdp.h, restarted after REPORTER_RESTART_AFTER
 * reports and after any failure); store it (report_job_finish()), or the
 * error, retried with a backoff until REPORTER_MAX_ATTEMPTS. Once a minute
 * it drops the files past their tenant's retention (report_jobs_expire()).
 *
 * SIGTERM: the report in progress is finished, then the reporter exits. */
#include <signal.h>
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
#include "pages/pages.h"
#include "view.h"

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

DB_STMT(st_claim, 2,
        "SELECT id, tenant_id, kind, paper, period_from::text, period_to::text, attempts"
        " FROM report_job_claim($1::int, $2::int)");
DB_STMT(st_identify, 1, "SELECT report_job_identify($1::bigint)");
DB_STMT(st_report, 3, "SELECT report_executive($1::bigint, $2::date, $3::date)::text");
DB_STMT(st_finish, 5, "SELECT report_job_finish($1::bigint, $2::bytea, $3, $4::int, $5::int)");
DB_STMT(st_expire, 1, "SELECT report_jobs_expire($1::int)");

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
	int attempt;
};

/* The decorated report of the job as its requester may see it now (a new
 * object), or NULL with err set. */
static json_t *job_report(const struct job *j, char *err, size_t errlen)
{
	const char *p1[1] = {j->id}, *p3[3] = {j->tenant, j->from, j->to};
	PGresult *res;
	json_t *rep = NULL;
	enum res r;

	if (db_begin() != R_SUCCESS) {
		snprintf(err, errlen, "the database is unavailable");
		return NULL;
	}
	if ((res = db_exec(&st_identify, p1, &r)) == NULL || PQgetisnull(res, 0, 0))
		snprintf(err, errlen, "%s", res == NULL ? "the database is unavailable"
		                                        : "the person who asked for it is no longer an active user");
	else {
		PQclear(res);
		if ((res = db_exec(&st_report, p3, &r)) == NULL || PQgetisnull(res, 0, 0))
			snprintf(err, errlen, "%s", res == NULL ? "the database is unavailable"
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
	if (rep != NULL)
		report_decorate(rep);
	return rep;
}

/* Record the job's outcome: pdf (len bytes) or err. The state after, as
 * a log word. */
static const char *job_finish(const struct job *j, const unsigned char *pdf, size_t len, const char *err,
                              int max_attempts, int backoff)
{
	static const char hex[] = "0123456789abcdef";
	static char state[16];
	char maxs[16], backs[16];
	const char *params[5] = {j->id, NULL, pdf ? NULL : err, maxs, backs};
	struct buf b = BUF_INIT;
	PGresult *res;
	enum res r;

	snprintf(maxs, sizeof(maxs), "%d", max_attempts);
	snprintf(backs, sizeof(backs), "%d", backoff);
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
			return job_finish(j, NULL, 0, "out of memory for the file", max_attempts, backoff);
		}
		params[1] = b.data;
	}
	res = db_exec(&st_finish, params, &r);
	snprintf(state, sizeof(state), "%s",
	         res == NULL ? "unrecorded" : PQgetisnull(res, 0, 0) ? "taken over" : PQgetvalue(res, 0, 0));
	PQclear(res);
	buf_free(&b);
	return state;
}

/* Make one due report. 1 if one was handled, 0 if none was due, -1 on a
 * database problem. */
static int run_one(struct cdp *c, int *printed, const char *dir, int restart_after, int max_attempts, int backoff)
{
	char leases[16], maxs[16], err[512] = "";
	const char *params[2] = {leases, maxs};
	unsigned char *pdf = NULL;
	size_t len = 0;
	long long t0 = now_ms();
	struct job j;
	PGresult *res;
	json_t *rep;
	const char *state;
	enum res r;
	int consolidated;

	snprintf(leases, sizeof(leases), "%d", LEASE_SECONDS);
	snprintf(maxs, sizeof(maxs), "%d", max_attempts);
	if ((res = db_exec(&st_claim, params, &r)) == NULL)
		return -1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return 0;
	}
	j = (struct job){PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), PQgetvalue(res, 0, 2), PQgetvalue(res, 0, 3),
	                 PQgetvalue(res, 0, 4), PQgetvalue(res, 0, 5), atoi(PQgetvalue(res, 0, 6))};
	if ((rep = job_report(&j, err, sizeof(err))) != NULL &&
	    (consolidated = report_kind(rep, j.kind, err, sizeof(err))) >= 0) {
		if (c->pid != 0 && *printed >= restart_after) {
			cdp_stop(c);
			*printed = 0;
		}
		if (c->pid == 0 && cdp_start(c, getenv("REPORTER_BROWSER")) != 0)
			snprintf(err, sizeof(err), "the browser did not start: %s", c->error);
		else if (report_pdf(c, rep, consolidated, j.paper, dir, &pdf, &len, err, sizeof(err)) == 0) {
			(*printed)++;
			if (len > PDF_MAX) {
				snprintf(err, sizeof(err), "the PDF is %zu bytes, over the %u the portal keeps", len, PDF_MAX);
				free(pdf);
				pdf = NULL;
			}
		} else if (c->pid != 0) { /* a failed print: the next report gets a new browser */
			cdp_stop(c);
			*printed = 0;
		}
	}
	json_decref(rep);
	state = job_finish(&j, pdf, len, err, max_attempts, backoff);
	if (pdf != NULL)
		log_info("report %s (tenant %s, %s, %s to %s): %zu bytes in %lld ms, %s", j.id, j.tenant, j.kind, j.from,
		         j.to, len, now_ms() - t0, state);
	else
		log_warn("report %s (tenant %s, attempt %d) failed in %lld ms: %s; %s", j.id, j.tenant, j.attempt,
		         now_ms() - t0, err, state);
	free(pdf);
	PQclear(res);
	return 1;
}

int main(void)
{
	const struct config *cfg;
	const char *tmp = getenv("TMPDIR");
	struct mus_error merr;
	struct sigaction sa;
	struct cdp c = {0};
	char dir[256], maxs[16];
	const char *params[1] = {maxs};
	int poll_ms, max_attempts, backoff, restart_after, printed = 0;
	long long last_expire = 0;

	log_set_name("reporter");
	cfg = config_load();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	poll_ms = env_int("REPORTER_POLL_MS", 1000);
	max_attempts = env_int("REPORTER_MAX_ATTEMPTS", 3);
	backoff = env_int("REPORTER_BACKOFF_SECONDS", 60);
	restart_after = env_int("REPORTER_RESTART_AFTER", 100);
	if (poll_ms < 10)
		poll_ms = 10;
	if (view_init(cfg->templates, &merr) != R_SUCCESS) {
		log_err("templates: %s:%d:%d: %s", merr.name, merr.line, merr.col, merr.msg);
		return 1;
	}
	/* A private directory for the HTML it prints, and the browser's home. */
	snprintf(dir, sizeof(dir), "%s/portal-reporter-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		log_err("%s: could not be made", dir);
		return 1;
	}
	setenv("HOME", dir, 1);
	snprintf(maxs, sizeof(maxs), "%d", max_attempts);
	db_init(cfg->db);
	log_info("reporter started: polling every %d ms, at most %d attempts, backoff %d s, a new browser every %d "
	         "reports",
	         poll_ms, max_attempts, backoff, restart_after);
	while (!stop) {
		int n;
		if (now_ms() - last_expire >= 60000) {
			PGresult *res = db_exec(&st_expire, params, &(enum res){R_SUCCESS});
			if (res != NULL)
				last_expire = now_ms();
			PQclear(res);
		}
		n = run_one(&c, &printed, dir, restart_after, max_attempts, backoff);
		if (n == 0)
			sleep_ms(poll_ms);
		else if (n < 0)
			sleep_ms(poll_ms * 2 > 5000 ? poll_ms * 2 : 5000);
	}
	if (c.pid != 0)
		cdp_stop(&c);
	rmdir(dir);
	db_close();
	view_free();
	log_info("reporter stopped");
	return 0;
}
