/* db.c - one PostgreSQL connection per process, prepared statements. */
#include "db.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static const char *db_conninfo;
static PGconn *conn;
static unsigned conn_gen = 1;
static int listening;      /* db_listen_changes(): LISTEN on every connection */
static int connected_once; /* this process has had a connection */
/* db_changed() must report a change: a connection after the first (what
 * was sent while there was none is lost), or one whose LISTEN failed. */
static int listen_gap;
static int listen_failed; /* this connection's LISTEN failed: every call is a change */
static char last_state[6];
static char last_msg[256];
/* The identity for a transaction the next statement begins (a GET's): the
 * session's token, which the database looks up (app_identify())
 * and keeps for the transaction's app_user_id(); it ends with the
 * transaction (db_commit, db_rollback). */
static char lazy_token[65];
static const char set_identity[] = "SELECT app_identify($1)";
/* db_trace(): the names of the statements run since the last take. */
static int trace_on;
static char trace[1024];
static size_t trace_len;

static PGresult *begin_pipelined(PGconn *c, const char *uid, struct db_stmt *st, const char *const *params,
                                 enum res *r);

void db_init(const char *conninfo) { db_conninfo = conninfo; }

void db_close(void)
{
	if (conn != NULL)
		PQfinish(conn);
	conn = NULL;
}

PGconn *db_conn(void)
{
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK)
		return conn;
	db_close();
	{
		/* The conninfo string is expanded first; the timeout after it
		 * overrides, so a dead server never blocks a worker for long. */
		const char *const keys[] = {"dbname", "connect_timeout", "application_name", NULL};
		const char *const vals[] = {db_conninfo ? db_conninfo : "", "5", "mssp-portal", NULL};
		conn = PQconnectdbParams(keys, vals, 1);
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		log_warn("database connection failed: %s", PQerrorMessage(conn));
		db_close();
		return NULL;
	}
	conn_gen++;
	/* Statements see UTC; request identity is set per transaction. */
	PQclear(PQexec(conn, "SET TIME ZONE 'UTC'; SET statement_timeout = '30s';"
	                     " SET idle_in_transaction_session_timeout = '60s'"));
	if (listening) {
		PGresult *res = PQexec(conn, "LISTEN " DB_CHANGES_CHANNEL "; LISTEN " DB_CONFIG_CHANNEL);
		listen_failed = PQresultStatus(res) != PGRES_COMMAND_OK;
		if (listen_failed) /* nothing cached on this connection */
			log_warn("LISTEN %s, %s failed: %s", DB_CHANGES_CHANNEL, DB_CONFIG_CHANNEL,
			         PQresultErrorMessage(res));
		PQclear(res);
		if (connected_once)
			listen_gap = 1;
	}
	connected_once = 1;
	return conn;
}

void db_listen_changes(void) { listening = 1; }

int db_socket(void) { return conn != NULL && PQstatus(conn) == CONNECTION_OK ? PQsocket(conn) : -1; }

/* Call tenant() for each id of a "t:ID,ID,..." payload; 0, or -1 when it
 * is not one (the ids before the fault were called: the caller then takes
 * it as a change of everything, which covers them). */
static int tenants_named(const char *payload, void (*tenant)(long long id))
{
	const char *p = payload + 2;
	char *end;
	long long id;

	if (tenant == NULL || strncmp(payload, "t:", 2) != 0)
		return -1;
	for (;; p = end + 1) {
		if (*p < '0' || *p > '9' || (id = strtoll(p, &end, 10)) <= 0 || (*end != ',' && *end != '\0'))
			return -1;
		tenant(id);
		if (*end == '\0')
			return 0;
	}
}

int db_changed(int wait_ms, void (*tenant)(long long id))
{
	/* The process's first connection LISTENs before its first statement:
	 * nothing read before it to doubt. A later one is a change. */
	int changed = (listen_gap || listen_failed) ? DB_CHANGED_ALL : 0;
	PGnotify *n;

	listen_gap = 0;
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
		return changed;
	/* Read until the socket is empty (a burst can be larger than one
	 * read; after a read that brought notifications, waiting wait_ms for
	 * more lets a backend blocked on a full socket refill it), within a
	 * bound: a flood is drained over several calls (fewer while idle, so
	 * the worker looks at its listening socket in between). */
	for (int i = 0; i < (wait_ms > 0 ? 32 : 256); i++) {
		struct pollfd p = {PQsocket(conn), POLLIN, 0};
		int got = 0;
		if (PQconsumeInput(conn) != 1) { /* lost: the next statement reconnects */
			db_close();
			return DB_CHANGED_ALL;
		}
		while ((n = PQnotifies(conn)) != NULL) {
			if (strcmp(n->relname, DB_CONFIG_CHANNEL) == 0)
				changed |= DB_CHANGED_CONFIG;
			else if (tenants_named(n->extra, tenant) != 0)
				changed |= DB_CHANGED_CONTEXT;
			got = 1;
			PQfreemem(n);
		}
		if (poll(&p, 1, got ? wait_ms : 0) != 1)
			break;
	}
	return changed;
}

static enum res db_classify(const PGresult *res)
{
	const char *state;

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
		return R_UNAVAILABLE;
	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(last_state, sizeof(last_state), "%s", state ? state : "");
	snprintf(last_msg, sizeof(last_msg), "%s",
	         res && PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
	             ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
	             : PQerrorMessage(conn));
	if (state == NULL)
		return R_INTERNAL;
	if (strcmp(state, "23505") == 0 || strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return R_CONFLICT;
	/* Class 23 (integrity), 22 (data), P0001 (raise exception from our SQL). */
	if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0 || strcmp(state, "P0001") == 0)
		return R_BAD_INPUT;
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
		return R_UNAVAILABLE;
	return R_INTERNAL;
}

const char *db_last_state(void) { return last_state; }
const char *db_last_message(void) { return last_msg; }

static int db_prepare(PGconn *c, struct db_stmt *st, enum res *r)
{
	PGresult *res;

	if (st->prepared_gen == conn_gen)
		return 0;
	res = PQprepare(c, st->name, st->sql, st->nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		*r = db_classify(res);
		log_err("prepare %s failed: %s", st->name, PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	if (st->col_names != NULL) { /* the result's columns by name, once per connection */
		res = PQdescribePrepared(c, st->name);
		for (int i = 0; PQresultStatus(res) == PGRES_COMMAND_OK && st->col_names[i] != NULL; i++) {
			st->col[i] = PQfnumber(res, st->col_names[i]);
			if (st->col[i] < 0) {
				log_err("statement %s has no column %s", st->name, st->col_names[i]);
				PQclear(res);
				*r = R_INTERNAL;
				return -1;
			}
		}
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			*r = db_classify(res);
			log_err("describe %s failed: %s", st->name, PQresultErrorMessage(res));
			PQclear(res);
			return -1;
		}
		PQclear(res);
	}
	st->prepared_gen = conn_gen;
	return 0;
}

void db_trace(int on)
{
	trace_on = on;
	trace_len = 0;
	trace[0] = '\0';
}

const char *db_trace_take(void)
{
	static char out[sizeof(trace)];

	snprintf(out, sizeof(out), "%s", trace);
	trace_len = 0;
	trace[0] = '\0';
	return out;
}

static void traced(const struct db_stmt *st)
{
	size_t n = strlen(st->name);

	if (!trace_on)
		return;
	if (trace_len + 1 + n + sizeof(" ...") > sizeof(trace)) { /* full: say so once */
		if (trace_len + sizeof(" ...") <= sizeof(trace)) {
			memcpy(trace + trace_len, " ...", sizeof(" ..."));
			trace_len = sizeof(trace); /* nothing more fits */
		}
		return;
	}
	trace[trace_len++] = ' ';
	memcpy(trace + trace_len, st->name, n + 1);
	trace_len += n;
}

/* The connection with st prepared on it, or NULL with *r set. */
static PGconn *db_ready(struct db_stmt *st, enum res *r)
{
	PGconn *c = db_conn();

	traced(st);
	last_state[0] = '\0';
	last_msg[0] = '\0';
	if (c == NULL) {
		*r = R_UNAVAILABLE;
		return NULL;
	}
	return db_prepare(c, st, r) == 0 ? c : NULL;
}

PGresult *db_exec(struct db_stmt *st, const char *const *params, enum res *r)
{
	PGconn *c = db_ready(st, r);
	PGresult *res;
	ExecStatusType s;

	if (c == NULL)
		return NULL;
	if (lazy_token[0] && PQtransactionStatus(c) == PQTRANS_IDLE)
		return begin_pipelined(c, lazy_token, st, params, r);
	res = PQexecPrepared(c, st->name, st->nparams, params, NULL, NULL, 0);
	s = PQresultStatus(res);
	if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
		*r = R_SUCCESS;
		return res;
	}
	*r = db_classify(res);
	if (*r == R_INTERNAL || *r == R_UNAVAILABLE)
		log_err("statement %s failed: %s", st->name,
		        res ? PQresultErrorMessage(res) : PQerrorMessage(c));
	PQclear(res);
	return NULL;
}

enum res db_run(struct db_stmt *st, const char *const *params)
{
	enum res r;
	PGresult *res = db_exec(st, params, &r);

	PQclear(res);
	return r;
}

enum res db_simple(const char *sql)
{
	PGconn *c = db_conn();
	PGresult *res;
	enum res r = R_SUCCESS;

	if (c == NULL)
		return R_UNAVAILABLE;
	if (PQtransactionStatus(c) == PQTRANS_IDLE && (strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0))
		return R_SUCCESS; /* nothing begun: nothing to end */
	if (lazy_token[0] && PQtransactionStatus(c) == PQTRANS_IDLE) { /* begin it with the identity */
		const char *params[1] = {lazy_token};
		if (PQresultStatus(res = PQexec(c, "BEGIN")) != PGRES_COMMAND_OK) {
			r = db_classify(res);
			PQclear(res);
			return r;
		}
		PQclear(res);
		res = PQexecParams(c, set_identity, 1, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			r = db_classify(res);
			PQclear(res);
			return r;
		}
		PQclear(res);
		if (strcmp(sql, "BEGIN") == 0)
			return R_SUCCESS;
	}
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		r = db_classify(res);
	PQclear(res);
	return r;
}

PGresult *db_exec_guarded(struct db_stmt *st, const char *const *params, enum res *r)
{
	PGresult *res;
	char state[6], msg[256];

	if ((*r = db_simple("SAVEPOINT guarded")) != R_SUCCESS)
		return NULL;
	res = db_exec(st, params, r);
	/* Keep the refusal's reason across the savepoint commands. */
	memcpy(state, last_state, sizeof(state));
	memcpy(msg, last_msg, sizeof(msg));
	if (res == NULL && *r != R_UNAVAILABLE)
		db_simple("ROLLBACK TO SAVEPOINT guarded");
	else if (res != NULL)
		db_simple("RELEASE SAVEPOINT guarded");
	memcpy(last_state, state, sizeof(state));
	memcpy(last_msg, msg, sizeof(msg));
	return res;
}

PGresult *db_exec_retrying(struct db_stmt *st, const char *const *params, enum res *r)
{
	PGresult *res = NULL;

	for (int i = 0; i < DB_RETRIES; i++) {
		res = db_exec_guarded(st, params, r);
		if (res != NULL || *r == R_UNAVAILABLE ||
		    (strcmp(last_state, "40P01") != 0 && strcmp(last_state, "40001") != 0))
			break;
		log_info("statement %s: %s, run again (%d of %d)", st->name, last_msg, i + 2, DB_RETRIES);
	}
	return res;
}

enum res db_run_guarded(struct db_stmt *st, const char *const *params)
{
	enum res r;
	PGresult *res = db_exec_guarded(st, params, &r);

	PQclear(res);
	return r;
}

enum res db_begin(void) { return db_simple("BEGIN"); }

/* In pipeline mode: the next query's result, its terminating NULL read;
 * a PGRES_PIPELINE_SYNC result is returned as is. NULL: none left. */
static PGresult *pipe_result(PGconn *c)
{
	PGresult *res = PQgetResult(c), *extra;

	if (res == NULL || PQresultStatus(res) == PGRES_PIPELINE_SYNC)
		return res;
	while ((extra = PQgetResult(c)) != NULL)
		PQclear(extra);
	return res;
}

/* BEGIN, with uid: set the RLS identity for the transaction, then st: in
 * one round trip (libpq pipeline mode). */
static PGresult *begin_pipelined(PGconn *c, const char *uid, struct db_stmt *st, const char *const *params,
                                 enum res *r)
{
	PGresult *begin = NULL, *ident = NULL, *res = NULL, *sync = NULL;
	const char *ident_params[1] = {uid};
	int sent;

	if (PQenterPipelineMode(c) != 1) {
		*r = db_classify(NULL);
		return NULL;
	}
	sent = PQsendQueryParams(c, "BEGIN", 0, NULL, NULL, NULL, NULL, 0) == 1 &&
	       (uid == NULL || PQsendQueryParams(c, set_identity, 1, NULL, ident_params, NULL, NULL, 0) == 1) &&
	       PQsendQueryPrepared(c, st->name, st->nparams, params, NULL, NULL, 0) == 1 && PQpipelineSync(c) == 1;
	if (sent) {
		begin = pipe_result(c);
		ident = uid != NULL ? pipe_result(c) : NULL;
		res = pipe_result(c);
		sync = pipe_result(c);
	}
	if (!sent || PQresultStatus(sync) != PGRES_PIPELINE_SYNC || PQexitPipelineMode(c) != 1) {
		/* A broken connection: start afresh at the next request. */
		*r = db_classify(res);
		log_err("statement %s (pipelined) failed: %s", st->name, PQerrorMessage(c));
		PQclear(begin);
		PQclear(ident);
		PQclear(res);
		PQclear(sync);
		db_close();
		if (*r == R_INTERNAL)
			*r = R_UNAVAILABLE;
		return NULL;
	}
	PQclear(sync);
	if (PQresultStatus(begin) != PGRES_COMMAND_OK || (uid != NULL && PQresultStatus(ident) != PGRES_TUPLES_OK) ||
	    (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK)) {
		*r = db_classify(PQresultStatus(begin) != PGRES_COMMAND_OK                  ? begin
		                 : uid != NULL && PQresultStatus(ident) != PGRES_TUPLES_OK ? ident
		                                                                            : res);
		if (*r == R_INTERNAL || *r == R_UNAVAILABLE)
			log_err("statement %s failed: %s", st->name, PQresultErrorMessage(res));
		PQclear(begin);
		PQclear(ident);
		PQclear(res);
		db_rollback();
		return NULL;
	}
	PQclear(begin);
	PQclear(ident);
	*r = R_SUCCESS;
	return res;
}

PGresult *db_begin_exec(struct db_stmt *st, const char *const *params, enum res *r)
{
	PGconn *c = db_ready(st, r);

	return c != NULL ? begin_pipelined(c, NULL, st, params, r) : NULL;
}

void db_lazy_identity(const char *token)
{
	if (token != NULL && strlen(token) < sizeof(lazy_token))
		memcpy(lazy_token, token, strlen(token) + 1);
	else
		lazy_token[0] = '\0';
}
enum res db_commit(void)
{
	lazy_token[0] = '\0';
	return db_simple("COMMIT");
}

void db_rollback(void)
{
	lazy_token[0] = '\0';
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK &&
	    PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
}
