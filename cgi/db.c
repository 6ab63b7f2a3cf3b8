/* db.c - one PostgreSQL connection per process, prepared statements. */
#include "db.h"

#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"

static const char *db_conninfo;
static PGconn *conn;     /* the primary */
static unsigned gens = 1; /* connections made so far; each gets the next as its generation */
static unsigned conn_gen; /* the primary connection's generation */

/* The read replica (db_init_replica). A request that only reads
 * (db_read_replica) begins its transaction there when the replica has
 * replayed at least to need_at; otherwise, or once it fails, the request
 * goes on on the primary (reads = 0). */
static const char *replica_conninfo; /* NULL: none */
static PGconn *rconn;
static unsigned rconn_gen;
static time_t replica_down_until; /* it failed: not tried before then */
#define REPLICA_RETRY_SECONDS 5
/* Where the primary was when this process heard of a change: of any
 * (heard_at); of one that named no tenants, which may touch anything
 * (heard_all); of one that named tenant ID (tenants_changed(): the
 * rollups' updates, every change to a tenant's findings and incidents),
 * in heard_slot[ID % HEARD_SLOTS] (two tenants in one slot: a page read
 * from the primary a little more often, never an older one). So a feed
 * into one company sends the reads of its pages, its MSP's and its
 * MSSP's to the primary until the replica has it, and leaves every
 * other tenant's pages on the replica. */
#define HEARD_SLOTS 4096
static uint64_t heard_at, heard_all, heard_slot[HEARD_SLOTS];
static long long named[64]; /* the tenants named since the last heard_now() */
static int named_n, named_over;
/* Asking it failed, or nothing was asked yet: the replica is not used
 * until it is known. A connection hears only what commits after its
 * LISTEN, so a process's first connection, and each new one
 * (heard_gen != conn_gen), starts by taking the primary's position as
 * heard of everything: a worker started after a change must not read
 * the replica from before it. */
static int heard_unknown = 1;
static unsigned heard_gen; /* the connection heard_at was asked on */
static uint64_t need_at;   /* this request's: what it must see (above) and its user's own last write */
static int reads;          /* this request may read from the replica */
static int replica_served; /* a statement was answered there since db_replica_take() */
static int listening;      /* db_listen_changes(): LISTEN on every connection */
static int connected_once; /* this process has had a connection */
/* db_changed() must report a change: a connection after the first (what
 * was sent while there was none is lost), or one whose LISTEN failed. */
static int listen_gap;
static int listen_failed; /* this connection's LISTEN failed: every call is a change */
/* The primary's position when this process last caught up (db_catch_up). */
static uint64_t caught_up_at;
static char last_state[6];
static char last_msg[256];
/* The identity for a transaction the next statement begins (a GET's): the
 * session's token, which the database looks up (app_identify())
 * and keeps for the transaction's app_user_id(); it ends with the
 * transaction (db_commit, db_rollback). */
static char lazy_token[65];
/* The transaction's start and its identity, prepared on each connection
 * as the pages' statements are (parsed once, not at every request). */
DB_STMT(st_begin, 0, "BEGIN");
DB_STMT(st_identify, 1, "SELECT app_identify($1)");
/* db_trace(): the names of the statements run since the last take. */
static int trace_on;
static char trace[1024];
static size_t trace_len;

void db_init(const char *conninfo) { db_conninfo = conninfo; }

static int dashboard_lag; /* db_dashboard_lag() */

void db_dashboard_lag(int seconds) { dashboard_lag = seconds; }

void db_init_replica(const char *conninfo) { replica_conninfo = conninfo != NULL && *conninfo ? conninfo : NULL; }

static void replica_close(void)
{
	if (rconn != NULL)
		PQfinish(rconn);
	rconn = NULL;
}

void db_close(void)
{
	if (conn != NULL)
		PQfinish(conn);
	conn = NULL;
	replica_close();
}

/* Open a connection to conninfo with the session settings every
 * statement assumes; NULL (logged) when it cannot be made. */
static PGconn *connect_to(const char *conninfo, const char *what)
{
	/* The conninfo string is expanded first; the timeout after it
	 * overrides, so a dead server never blocks a worker for long. */
	const char *const keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *const vals[] = {conninfo ? conninfo : "", "5", "mssp-portal", NULL};
	PGconn *c = PQconnectdbParams(keys, vals, 1);
	char set[256];

	if (PQstatus(c) != CONNECTION_OK) {
		log_warn("%s connection failed: %s", what, PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	/* Statements see UTC; request identity is set per transaction. A
	 * commit returns once it is on disk, whatever the server's default:
	 * an ingest batch the API acknowledged, a mail marked sent, a form
	 * saved survive PostgreSQL being killed (docs/operations.md, "Soak
	 * and faults": with synchronous_commit off, a batch acknowledged just
	 * before a SIGKILL was lost). A kept dashboard behind ingest batches
	 * is served for dashboard_lag seconds (db_dashboard_lag()). */
	snprintf(set, sizeof(set),
	         "SET TIME ZONE 'UTC'; SET statement_timeout = '30s'; SET idle_in_transaction_session_timeout = '60s';"
	         " SET synchronous_commit = on; SET portal.dashboard_lag = '%d'",
	         dashboard_lag);
	PQclear(PQexec(c, set));
	return c;
}

PGconn *db_conn(void)
{
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK)
		return conn;
	if (conn != NULL)
		PQfinish(conn);
	if ((conn = connect_to(db_conninfo, "database")) == NULL)
		return NULL;
	conn_gen = ++gens;
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

/* The replica's connection, made when missing unless it failed less than
 * REPLICA_RETRY_SECONDS ago; NULL: none now. */
static PGconn *replica_conn(void)
{
	time_t now;

	if (replica_conninfo == NULL)
		return NULL;
	if (rconn != NULL && PQstatus(rconn) == CONNECTION_OK)
		return rconn;
	replica_close();
	if ((now = time(NULL)) < replica_down_until)
		return NULL;
	if ((rconn = connect_to(replica_conninfo, "read replica")) == NULL) {
		replica_down_until = now + REPLICA_RETRY_SECONDS;
		return NULL;
	}
	rconn_gen = ++gens;
	return rconn;
}

/* "X/Y" (hex halves of a WAL position) into *out: 0, or -1. */
static int lsn_parse(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long hi, lo;

	if (s == NULL || *s < '0' || strlen(s) > 17)
		return -1;
	hi = strtoull(s, &end, 16);
	if (*end != '/' || end == s || hi > 0xffffffffULL || end[1] == '\0' || end[1] == '-' || end[1] == '+')
		return -1;
	s = end + 1;
	lo = strtoull(s, &end, 16);
	if (*end != '\0' || lo > 0xffffffffULL)
		return -1;
	*out = (uint64_t)hi << 32 | lo;
	return 0;
}

/* A one-row, one-column LSN query on c into *out: 0, or -1. */
static int lsn_query(PGconn *c, const char *sql, uint64_t *out)
{
	PGresult *res = PQexec(c, sql);
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) &&
	         lsn_parse(PQgetvalue(res, 0, 0), out) == 0;

	PQclear(res);
	return ok ? 0 : -1;
}

/* The primary's WAL insert position, as a replica's replay position
 * (the end of the last record it applied) will show it once it has
 * everything before: at a page's start the insert position points past
 * the page's header (24 bytes; 40 at a segment's start), where no record
 * ends, and a replica would never reach it while the primary stays idle.
 * (PostgreSQL's default 8 kB pages and 16 MB segments; with others a
 * replica is only taken for behind a little more often.) 0, or -1. */
static int primary_position(uint64_t *at)
{
	if (db_conn() == NULL || lsn_query(conn, "SELECT pg_current_wal_insert_lsn()", at) != 0)
		return -1;
	if (*at % (16u << 20) == 40)
		*at -= 40;
	else if (*at % 8192 == 24)
		*at -= 24;
	return 0;
}

/* Ask the primary where its WAL is now (a change just heard of committed
 * before it), for the tenants named since the last call, and for every
 * tenant with everything (a change that named none, or too many). */
static void heard_now(int everything)
{
	uint64_t at;

	heard_unknown = primary_position(&at) != 0;
	if (!heard_unknown) {
		if (heard_gen != conn_gen) {
			everything = 1;
			heard_gen = conn_gen;
		}
		heard_at = at;
		if (everything || named_over)
			heard_all = at;
		for (int i = 0; i < named_n; i++)
			heard_slot[(unsigned long long)named[i] % HEARD_SLOTS] = at;
	}
	named_n = named_over = 0; /* unknown: the next call is for everything */
}

void db_read_replica(const char *need, long long tenant)
{
	uint64_t own = 0, slot;

	if (replica_conninfo == NULL)
		return;
	if (heard_unknown || heard_gen != conn_gen)
		heard_now(1);
	reads = !heard_unknown;
	slot = tenant > 0 ? heard_slot[(unsigned long long)tenant % HEARD_SLOTS] : heard_at;
	need_at = slot > heard_all ? slot : heard_all;
	if (need != NULL && lsn_parse(need, &own) == 0 && own > need_at)
		need_at = own;
}

int db_replica_take(void)
{
	int served = replica_served;

	replica_served = 0;
	return served;
}

int db_write_position(char out[32])
{
	uint64_t at;

	if (primary_position(&at) != 0)
		return -1;
	snprintf(out, 32, "%" PRIX64 "/%" PRIX64, at >> 32, at & 0xffffffffu);
	return 0;
}

int db_replica_status(int *up, long long *lag_bytes, double *lag_seconds)
{
	PGconn *r;
	PGresult *res;
	uint64_t primary_at, replayed;

	if (replica_conninfo == NULL)
		return 0;
	replica_down_until = 0; /* asked: look now (a replica back up is used again from here) */
	r = replica_conn();
	*up = 0;
	*lag_bytes = 0;
	*lag_seconds = 0;
	if (r == NULL || PQtransactionStatus(r) != PQTRANS_IDLE || primary_position(&primary_at) != 0)
		return 1;
	res = PQexec(r, "SELECT pg_last_wal_replay_lsn(),"
	                " coalesce(extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)");
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) &&
	    lsn_parse(PQgetvalue(res, 0, 0), &replayed) == 0) {
		*up = 1;
		if (primary_at > replayed) {
			*lag_bytes = (long long)(primary_at - replayed);
			*lag_seconds = atof(PQgetvalue(res, 0, 1));
		}
	} else if (PQstatus(r) != CONNECTION_OK) {
		replica_close();
	}
	PQclear(res);
	return 1;
}

void db_listen_changes(void) { listening = 1; }

/* A write answered at W (its answer's position, read after its commit had
 * signalled the listeners) is known here once this process has asked the
 * primary for its position after that: a position S > W was read later
 * than W. The asking is a round trip on the listening connection, and a
 * backend sends its pending notifications before it says it is ready for
 * the next query, so the write's notification is then in libpq's queue
 * for db_changed(). S == W proves nothing (an idle primary stays at W), so
 * that asks again. */
int db_catch_up(const char *wrote)
{
	uint64_t w, at;

	if (!listening || wrote == NULL || lsn_parse(wrote, &w) != 0 || w < caught_up_at)
		return 0; /* no caches to doubt, no cookie, or caught up already */
	if (primary_position(&at) == 0)
		caught_up_at = at;
	return 1; /* asked, or lost (db_changed() then reports everything) */
}

int db_socket(void) { return conn != NULL && PQstatus(conn) == CONNECTION_OK ? PQsocket(conn) : -1; }

/* Call tenant() for each id of a "x:XID;t:ID,ID,..." payload (XID: the
 * transaction that made the change), of a "x:XID;i;t:ID,..." one (the
 * transaction was an ingest batch: feed 1), or of a "t:ID,ID,..." one
 * (sent before the transaction was named: XID 0); 0, or -1 when it is not
 * one (the ids before the fault were called: the caller then takes it as
 * a change of everything, which covers them). */
static int tenants_named(const char *payload, void (*tenant)(long long id, unsigned long long tx, int feed))
{
	const char *p = payload;
	char *end;
	unsigned long long tx = 0;
	long long id;
	int feed = 0;

	if (tenant == NULL)
		return -1;
	if (strncmp(p, "x:", 2) == 0) {
		if (p[2] < '0' || p[2] > '9' || (tx = strtoull(p + 2, &end, 10)) == 0 || *end != ';')
			return -1;
		p = end + 1;
		if (strncmp(p, "i;", 2) == 0) {
			feed = 1;
			p += 2;
		}
	}
	if (strncmp(p, "t:", 2) != 0)
		return -1;
	/* With a read replica, each process's own hearing must let its pages
	 * go: a worker that had not heard a change yet may have read a
	 * tenant's page from the replica, from before it, under the epoch
	 * another worker had already moved for it (docs/scaling.md). */
	if (replica_conninfo != NULL)
		tx = 0;
	for (p += 2;; p = end + 1) {
		if (*p < '0' || *p > '9' || (id = strtoll(p, &end, 10)) <= 0 || (*end != ',' && *end != '\0'))
			return -1;
		tenant(id, tx, feed);
		if (named_n < (int)(sizeof(named) / sizeof(named[0])))
			named[named_n++] = id;
		else
			named_over = 1;
		if (*end == '\0')
			return 0;
	}
}

int db_changed(int wait_ms, void (*tenant)(long long id, unsigned long long tx, int feed))
{
	/* The process's first connection LISTENs before its first statement:
	 * nothing read before it to doubt. A later one is a change. */
	int changed = (listen_gap || listen_failed) ? DB_CHANGED_ALL : 0;
	int heard = 0, readable;
	struct pollfd p = {-1, POLLIN, 0};
	PGnotify *n;

	listen_gap = 0;
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
		return changed;
	/* Read until the socket is empty (a burst can be larger than one
	 * read; after a read that brought notifications, waiting wait_ms for
	 * more lets a backend blocked on a full socket refill it), within a
	 * bound: a flood is drained over several calls (fewer while idle, so
	 * the worker looks at its listening socket in between). */
	p.fd = PQsocket(conn);
	/* An encrypted connection may hold decrypted bytes the socket no
	 * longer shows (libpq's own check looks at them): it is read. */
	readable = PQsslInUse(conn) || PQgetgssctx(conn) != NULL || poll(&p, 1, 0) == 1;
	for (int i = 0; i < (wait_ms > 0 ? 32 : 256); i++) {
		int got = 0;
		/* Read the socket when it has something; else PQnotifies() parses
		 * only what libpq holds (read with a statement's answer): a quiet
		 * connection costs one poll, not a read that finds nothing too. */
		if (readable && PQconsumeInput(conn) != 1) { /* lost: the next statement reconnects */
			PQfinish(conn);
			conn = NULL;
			heard_unknown = 1;
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
		heard = heard || got;
		if ((!readable && !got) || !(readable = poll(&p, 1, got ? wait_ms : 0) == 1))
			break;
	}
	if (replica_conninfo != NULL && (heard || changed))
		heard_now(changed != 0);
	else
		named_n = named_over = 0;
	return changed;
}

/* Why a statement on c failed, as a result class (last_state and
 * last_msg say it in full). */
static enum res db_classify(PGconn *c, const PGresult *res)
{
	const char *state;

	if (c == NULL || PQstatus(c) != CONNECTION_OK)
		return R_UNAVAILABLE;
	state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	snprintf(last_state, sizeof(last_state), "%s", state ? state : "");
	snprintf(last_msg, sizeof(last_msg), "%s",
	         res && PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
	             ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
	             : PQerrorMessage(c));
	if (state == NULL)
		return R_INTERNAL;
	if (strcmp(state, "23505") == 0 || strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return R_CONFLICT;
	/* Class 23 (integrity), 22 (data), P0001 (raise exception from our SQL). */
	if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0 || strcmp(state, "P0001") == 0)
		return R_BAD_INPUT;
	/* Class 08 (connection), 57P (shutdown), 57014: the statement timeout
	 * (statement_timeout) cancelled it: the service could not answer in
	 * time, nothing is wrong with the request. */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 || strcmp(state, "57014") == 0)
		return R_UNAVAILABLE;
	return R_INTERNAL;
}

const char *db_last_state(void) { return last_state; }
int db_timed_out(void) { return strcmp(last_state, "57014") == 0; }
const char *db_last_message(void) { return last_msg; }

/* st prepared on c, link 0 (the primary) or 1 (the replica): 0, or -1
 * with *r set. */
static int db_prepare(PGconn *c, int link, struct db_stmt *st, enum res *r)
{
	PGresult *res;
	unsigned gen = link ? rconn_gen : conn_gen;

	if (st->prepared_gen[link] == gen)
		return 0;
	res = PQprepare(c, st->name, st->sql, st->nparams, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		*r = db_classify(c, res);
		if (!link) /* the replica's: replica_leave() says it */
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
			*r = db_classify(c, res);
			log_err("describe %s failed: %s", st->name, PQresultErrorMessage(res));
			PQclear(res);
			return -1;
		}
		PQclear(res);
	}
	st->prepared_gen[link] = gen;
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

/* Add name to the trace: a statement's, or the transaction control a
 * request sends (st_begin, COMMIT, ROLLBACK, SAVEPOINT ...: db_simple). */
static void trace_word(const char *name)
{
	size_t n = strlen(name);

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
	memcpy(trace + trace_len, name, n + 1);
	trace_len += n;
}

static void traced(const struct db_stmt *st) { trace_word(st->name); }


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
	return db_prepare(c, 0, st, r) == 0 ? c : NULL;
}

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

static const char replay_position[] = "SELECT pg_last_wal_replay_lsn()";

/* On c, link 0 (the primary) or 1 (the replica): BEGIN, with token the
 * RLS identity for the transaction, with replayed (the replica) its
 * replay position into *replayed, then st: in one round trip (libpq
 * pipeline mode). With end, st is the transaction's last statement: no
 * BEGIN and no COMMIT are sent, since what a pipeline sends up to its Sync
 * is one transaction already (the protocol's implicit transaction, which
 * the Sync commits). On failure the transaction is rolled back (a broken
 * connection closed), *r says why. */
static PGresult *begin_pipelined(PGconn *c, int link, const char *token, uint64_t *replayed, struct db_stmt *st,
                                 const char *const *params, int end, enum res *r)
{
	PGresult *begin = NULL, *ident = NULL, *pos = NULL, *res = NULL, *sync = NULL, *failed;
	const char *ident_params[1] = {token};
	int sent;

	if ((!end && db_prepare(c, link, &st_begin, r) != 0) ||
	    (token != NULL && db_prepare(c, link, &st_identify, r) != 0))
		return NULL;
	if (PQenterPipelineMode(c) != 1) {
		*r = db_classify(c, NULL);
		return NULL;
	}
	if (!end)
		traced(&st_begin);
	sent = (end || PQsendQueryPrepared(c, st_begin.name, 0, NULL, NULL, NULL, 0) == 1) &&
	       (token == NULL || PQsendQueryPrepared(c, st_identify.name, 1, ident_params, NULL, NULL, 0) == 1) &&
	       (replayed == NULL || PQsendQueryParams(c, replay_position, 0, NULL, NULL, NULL, NULL, 0) == 1) &&
	       PQsendQueryPrepared(c, st->name, st->nparams, params, NULL, NULL, 0) == 1 && PQpipelineSync(c) == 1;
	if (sent) {
		begin = end ? NULL : pipe_result(c);
		ident = token != NULL ? pipe_result(c) : NULL;
		pos = replayed != NULL ? pipe_result(c) : NULL;
		res = pipe_result(c);
		sync = pipe_result(c);
	}
	if (!sent || PQresultStatus(sync) != PGRES_PIPELINE_SYNC || PQexitPipelineMode(c) != 1) {
		/* A broken connection: start afresh at the next request. (With
		 * end, an error in place of the Sync's result is the implicit
		 * transaction's commit refused: classified by it, and the
		 * connection, out of step, is made afresh as well.) */
		*r = db_classify(c, sent && PQresultStatus(sync) == PGRES_FATAL_ERROR ? sync : res);
		if (!link)
			log_err("statement %s (pipelined) failed: %s", st->name, PQerrorMessage(c));
		else
			snprintf(last_msg, sizeof(last_msg), "%s", PQerrorMessage(c));
		PQclear(begin);
		PQclear(ident);
		PQclear(pos);
		PQclear(res);
		PQclear(sync);
		if (link) {
			replica_close();
		} else {
			PQfinish(conn);
			conn = NULL;
		}
		if (*r == R_INTERNAL)
			*r = R_UNAVAILABLE;
		return NULL;
	}
	PQclear(sync);
	failed = !end && PQresultStatus(begin) != PGRES_COMMAND_OK                    ? begin
	         : token != NULL && PQresultStatus(ident) != PGRES_TUPLES_OK           ? ident
	         : replayed != NULL && (PQresultStatus(pos) != PGRES_TUPLES_OK || PQntuples(pos) != 1 ||
	                                lsn_parse(PQgetvalue(pos, 0, 0), replayed) != 0) ? pos
	         : PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK ? res
	                                                                                 : NULL;
	if (failed != NULL) {
		*r = db_classify(c, failed);
		if ((*r == R_INTERNAL || *r == R_UNAVAILABLE) && !link) /* the replica's: replica_leave() says it */
			log_err("statement %s failed: %s", st->name, PQresultErrorMessage(failed));
		PQclear(begin);
		PQclear(ident);
		PQclear(pos);
		PQclear(res);
		if (PQstatus(c) == CONNECTION_OK && PQtransactionStatus(c) != PQTRANS_IDLE)
			PQclear(PQexec(c, "ROLLBACK"));
		return NULL;
	}
	PQclear(begin);
	PQclear(ident);
	PQclear(pos);
	*r = R_SUCCESS;
	return res;
}

/* The request leaves the replica: its transaction there (if any) ends,
 * and the rest of the request reads from the primary. */
static void replica_leave(const char *why, const struct db_stmt *st)
{
	if (reads && why != NULL)
		log_info("read replica: %s%s%s; the request goes on on the primary", why, st ? " at " : "",
		         st ? st->name : "");
	reads = 0;
	if (rconn != NULL && PQstatus(rconn) == CONNECTION_OK && PQtransactionStatus(rconn) != PQTRANS_IDLE)
		PQclear(PQexec(rconn, "ROLLBACK"));
}

/* st on the replica, when this request may read there: its result, or NULL
 * with reads now 0 (the caller runs it on the primary), *timed_out set
 * when its statement timeout cancelled it there (the caller does not: it
 * would take as long again, db_timed_out() says so). A transaction is
 * begun there only if the primary has none (a request that wrote stays
 * where it wrote) and kept only if the replica has replayed need_at. A
 * connection that broke before the transaction began (the replica
 * restarted since) is made again at once, once; one that cannot be made
 * leaves the replica alone for REPLICA_RETRY_SECONDS. */
static PGresult *replica_exec(struct db_stmt *st, const char *const *params, int *timed_out)
{
	PGconn *c;
	PGresult *res = NULL;
	enum res r;
	uint64_t replayed = 0;
	int fresh = 0;
	char why[sizeof(last_msg)] = "";

	if (!reads)
		return NULL;
	last_state[0] = '\0'; /* this statement's, as db_ready() clears them */
	last_msg[0] = '\0';
	if (conn != NULL && PQtransactionStatus(conn) != PQTRANS_IDLE) {
		replica_leave(NULL, NULL);
		return NULL;
	}
	for (int attempt = 0; res == NULL; attempt++) {
		if ((c = replica_conn()) == NULL) { /* down: connect_to() said so when it tried */
			replica_leave(NULL, NULL);
			return NULL;
		}
		if (attempt == 0)
			traced(st);
		fresh = PQtransactionStatus(c) == PQTRANS_IDLE;
		if (db_prepare(c, 1, st, &r) == 0) {
			if (fresh) {
				res = begin_pipelined(c, 1, lazy_token[0] ? lazy_token : NULL, &replayed, st, params, 0, &r);
			} else {
				res = PQexecPrepared(c, st->name, st->nparams, params, NULL, NULL, 0);
				if (PQresultStatus(res) != PGRES_TUPLES_OK && PQresultStatus(res) != PGRES_COMMAND_OK) {
					db_classify(c, res);
					PQclear(res);
					res = NULL;
				}
			}
		}
		if (res != NULL)
			break;
		snprintf(why, sizeof(why), "%s", last_msg[0] ? last_msg : rconn ? PQerrorMessage(rconn) : "connection lost");
		if (rconn != NULL && PQstatus(rconn) == CONNECTION_OK)
			break; /* refused (a write, a conflict with recovery): not the connection's fault */
		replica_close(); /* begin_pipelined may have closed it already */
		if (!fresh || attempt > 0) {
			replica_down_until = time(NULL) + REPLICA_RETRY_SECONDS;
			break;
		}
	}
	if (res != NULL && fresh && replayed < need_at) { /* behind what this request must see */
		PQclear(res);
		replica_leave(NULL, NULL);
		return NULL;
	}
	replica_served |= res != NULL;
	if (res == NULL) {
		/* Cancelled by its statement timeout: the primary would take as
		 * long again (a report too large to wait for, twice the wait). */
		*timed_out = strcmp(last_state, "57014") == 0;
		why[strcspn(why, "\n")] = '\0';
		replica_leave(*timed_out ? NULL : why[0] ? why : "refused", st);
		if (!*timed_out) {
			last_state[0] = '\0';
			last_msg[0] = '\0';
		}
	}
	return res;
}

/* db_exec(), and with end the statement's transaction ended in the same
 * round trip when the statement begins it (db_exec_last()). */
static PGresult *exec_on(struct db_stmt *st, const char *const *params, int end, enum res *r)
{
	PGconn *c;
	PGresult *res;
	ExecStatusType s;
	int timed_out = 0;

	if (reads && (res = replica_exec(st, params, &timed_out)) != NULL) {
		*r = R_SUCCESS;
		return res;
	}
	if (timed_out) { /* not run again on the primary (replica_exec()) */
		log_err("statement %s failed on the read replica: %s", st->name, last_msg);
		*r = R_UNAVAILABLE;
		return NULL;
	}
	if ((c = db_ready(st, r)) == NULL)
		return NULL;
	if (lazy_token[0] && PQtransactionStatus(c) == PQTRANS_IDLE)
		return begin_pipelined(c, 0, lazy_token, NULL, st, params, end, r);
	res = PQexecPrepared(c, st->name, st->nparams, params, NULL, NULL, 0);
	s = PQresultStatus(res);
	if (s == PGRES_TUPLES_OK || s == PGRES_COMMAND_OK) {
		*r = R_SUCCESS;
		return res;
	}
	*r = db_classify(c, res);
	if (*r == R_INTERNAL || *r == R_UNAVAILABLE)
		log_err("statement %s failed: %s", st->name,
		        res ? PQresultErrorMessage(res) : PQerrorMessage(c));
	PQclear(res);
	return NULL;
}

PGresult *db_exec(struct db_stmt *st, const char *const *params, enum res *r) { return exec_on(st, params, 0, r); }

PGresult *db_exec_last(struct db_stmt *st, const char *const *params, enum res *r)
{
	return exec_on(st, params, 1, r);
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
	PGconn *c;
	PGresult *res;
	enum res r = R_SUCCESS;
	int end = strcmp(sql, "COMMIT") == 0 || strcmp(sql, "ROLLBACK") == 0;

	if (rconn != NULL && PQstatus(rconn) == CONNECTION_OK && PQtransactionStatus(rconn) != PQTRANS_IDLE) {
		if (!end) { /* anything else a request runs on its own (a savepoint) belongs on the primary */
			replica_leave(sql, NULL);
		} else { /* the request's transaction is the replica's: end it there */
			res = PQexec(rconn, sql);
			if (PQresultStatus(res) != PGRES_COMMAND_OK)
				r = db_classify(rconn, res);
			PQclear(res);
			return r;
		}
	}
	if ((c = db_conn()) == NULL)
		return R_UNAVAILABLE;
	if (PQtransactionStatus(c) == PQTRANS_IDLE && end)
		return R_SUCCESS; /* nothing begun: nothing to end */
	if (lazy_token[0] && PQtransactionStatus(c) == PQTRANS_IDLE) { /* begin it with the identity */
		const char *params[1] = {lazy_token};
		if (db_prepare(c, 0, &st_begin, &r) != 0)
			return r;
		traced(&st_begin);
		if (PQresultStatus(res = PQexecPrepared(c, st_begin.name, 0, NULL, NULL, NULL, 0)) != PGRES_COMMAND_OK) {
			r = db_classify(c, res);
			PQclear(res);
			return r;
		}
		PQclear(res);
		if (db_prepare(c, 0, &st_identify, &r) != 0)
			return r;
		res = PQexecPrepared(c, st_identify.name, 1, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_TUPLES_OK) {
			r = db_classify(c, res);
			PQclear(res);
			return r;
		}
		PQclear(res);
		if (strcmp(sql, "BEGIN") == 0)
			return R_SUCCESS;
	}
	trace_word(sql);
	res = PQexec(c, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		r = db_classify(c, res);
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

PGresult *db_begin_exec(struct db_stmt *st, const char *const *params, enum res *r)
{
	PGconn *c = db_ready(st, r);

	return c != NULL ? begin_pipelined(c, 0, NULL, NULL, st, params, 0, r) : NULL;
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
	reads = 0;
	return db_simple("COMMIT");
}

void db_rollback(void)
{
	lazy_token[0] = '\0';
	replica_leave(NULL, NULL);
	if (conn != NULL && PQstatus(conn) == CONNECTION_OK &&
	    PQtransactionStatus(conn) != PQTRANS_IDLE) {
		trace_word("ROLLBACK");
		PQclear(PQexec(conn, "ROLLBACK"));
	}
}
