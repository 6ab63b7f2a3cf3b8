/* main_mailer.c - drains mail_outbox over SMTP.
 *
 * Each message is claimed inside a transaction with FOR UPDATE SKIP LOCKED,
 * so several mailers can run at once without sending a row twice; the row
 * is marked sent (or rescheduled with exponential backoff, or failed after
 * MAILER_MAX_ATTEMPTS) in that same transaction. A message is lost neither
 * when SMTP is down nor when the database is: it simply waits, and the
 * mailer reconnects (db.c) once the database is back.
 *
 * SIGTERM: the send in progress is finished and recorded, then the mailer
 * exits. A send still running MAILER_STOP_GRACE seconds (default 5) after
 * the signal (a hung SMTP server) is aborted and its transaction rolled
 * back, so the row stays queued with its attempts unchanged, well before
 * scripts/stack would SIGKILL the process. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "config.h"
#include "db.h"
#include "log.h"
#include "sdnotify.h"
#include "mail.h"

static volatile sig_atomic_t stop;
static int stop_grace = 5;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* Polled by libcurl during a send: abort once a stop request is older than
 * stop_grace seconds. */
static int cancel_send(void)
{
	static struct timespec seen;
	struct timespec now;

	if (!stop)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (seen.tv_sec == 0 && seen.tv_nsec == 0)
		seen = now;
	return now.tv_sec - seen.tv_sec >= stop_grace;
}

DB_STMT(st_claim, 0,
        "SELECT id, to_addr, subject, body_text, body_html, attempts, attachment_name, attachment FROM mail_outbox"
        " WHERE status = 'queued' AND next_attempt_at <= now()"
        " ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED");
DB_STMT(st_sent, 1,
        "UPDATE mail_outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1,"
        " last_error = NULL WHERE id = $1::bigint");
DB_STMT(st_retry, 4,
        "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2,"
        " status = CASE WHEN attempts + 1 >= $3::int THEN 'failed' ELSE 'queued' END,"
        " next_attempt_at = now() + make_interval(secs => least(3600, $4::int * power(2, attempts)))"
        " WHERE id = $1::bigint");

static int env_int(const char *name, int def)
{
	const char *v = getenv(name);
	return v && *v ? atoi(v) : def;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (!stop && nanosleep(&ts, &ts) != 0)
		;
}

/* Send at most one due message. 1 if one was handled, 0 if none was due,
 * -1 on a database problem. */
static int drain_one(const struct mail_server *srv, const char *from, int max_attempts, int backoff)
{
	PGresult *res;
	enum res r;
	struct mail_msg m = {0};
	unsigned char *file = NULL;
	char err[256], mid[96], hostpart[64];
	const char *params[4];
	char maxs[16], backs[16];
	int sent;

	if (db_begin() != R_SUCCESS)
		return -1;
	res = db_exec(&st_claim, NULL, &r);
	if (res == NULL) {
		db_rollback();
		return -1;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		db_commit();
		return 0;
	}
	snprintf(hostpart, sizeof(hostpart), "%s", strchr(from, '@') ? strchr(from, '@') + 1 : "localhost");
	snprintf(mid, sizeof(mid), "outbox-%s@%s", PQgetvalue(res, 0, 0), hostpart);
	m.from = from;
	m.to = PQgetvalue(res, 0, 1);
	m.subject = PQgetvalue(res, 0, 2);
	m.text = PQgetvalue(res, 0, 3);
	m.html = PQgetvalue(res, 0, 4);
	m.message_id = mid;
	if (!PQgetisnull(res, 0, 6)) { /* a report's PDF (report_mail_queue()) */
		size_t n = 0;
		if ((file = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 7), &n)) == NULL) {
			PQclear(res);
			db_rollback();
			return -1;
		}
		m.attachment = file;
		m.attachment_len = n;
		m.attachment_name = PQgetvalue(res, 0, 6);
		m.attachment_type = "application/pdf";
	}
	params[0] = PQgetvalue(res, 0, 0);
	sent = mail_send(srv, &m, err, sizeof(err));
	if (sent == -2) {
		/* Stopping: the row stays queued, its attempt not counted. */
		log_warn("message %s: send aborted on shutdown (%s); it stays queued", params[0], err);
		PQfreemem(file);
		PQclear(res);
		db_rollback();
		return 0;
	}
	if (sent == 0) {
		r = db_run(&st_sent, params);
		log_info("sent message %s", params[0]);
	} else {
		snprintf(maxs, sizeof(maxs), "%d", max_attempts);
		snprintf(backs, sizeof(backs), "%d", backoff);
		params[1] = err;
		params[2] = maxs;
		params[3] = backs;
		r = db_run(&st_retry, params);
		log_warn("message %s not sent (attempt %d): %s", params[0], atoi(PQgetvalue(res, 0, 5)) + 1, err);
	}
	PQfreemem(file);
	PQclear(res);
	if (r != R_SUCCESS || db_commit() != R_SUCCESS) {
		db_rollback();
		return -1;
	}
	return 1;
}

int main(void)
{
	const struct config *cfg;
	struct mail_server srv;
	struct sigaction sa;
	int poll_ms, max_attempts, backoff;

	memset(&srv, 0, sizeof(srv));

	log_set_name("mailer");
	cfg = config_load();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);

	srv.url = cfg->smtp_url;
	srv.user = cfg->smtp_user;
	srv.password = cfg->smtp_password;
	srv.starttls = env_int("SMTP_STARTTLS", 0);
	srv.timeout_seconds = env_int("SMTP_TIMEOUT", 30);
	poll_ms = env_int("MAILER_POLL_MS", 1000);
	max_attempts = env_int("MAILER_MAX_ATTEMPTS", 8);
	backoff = env_int("MAILER_BACKOFF_SECONDS", 30);
	stop_grace = env_int("MAILER_STOP_GRACE", 5);
	srv.cancel = cancel_send;
	if (poll_ms < 10)
		poll_ms = 10;
	/* its own role (the settings file all units share names each) */
	db_init(getenv("PORTAL_MAILER_DB") != NULL && *getenv("PORTAL_MAILER_DB") ? getenv("PORTAL_MAILER_DB") : cfg->db);
	log_info("mailer started: %s, polling every %d ms, at most %d attempts, backoff %d s", srv.url, poll_ms,
	         max_attempts, backoff);
	sd_notify_state("READY=1");
	while (!stop) {
		int n = drain_one(&srv, cfg->mail_from, max_attempts, backoff);
		if (n == 0)
			sleep_ms(poll_ms);
		else if (n < 0)
			sleep_ms(poll_ms * 2 > 5000 ? poll_ms * 2 : 5000);
	}
	sd_notify_state("STOPPING=1");
	db_close();
	curl_global_cleanup();
	log_info("mailer stopped");
	return 0;
}
