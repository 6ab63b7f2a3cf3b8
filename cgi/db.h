/* db.h - the worker's PostgreSQL connection.
 *
 * One connection per process, opened lazily and re-opened on the next call
 * after it breaks. Statements are declared once as `static struct db_stmt`
 * (name + SQL) next to the code that uses them and prepared on first use on
 * each connection. SQL text holds only `$n` parameters: never concatenate
 * input into it. Non-trivial queries live in sql/ as functions; C calls
 * them by name. */
#ifndef DB_H
#define DB_H

#include <libpq-fe.h>

#include "result.h"

struct db_stmt {
	const char *name;
	const char *sql;
	int nparams;
	unsigned prepared_gen[2]; /* the generation of the connection it was prepared on:
	                           * [0] the primary's, [1] the read replica's */
	const char *const *col_names; /* DB_STMT_COLS: result columns read by name, NULL-terminated */
	int *col;                     /* their numbers in the result, found when prepared */
};

#define DB_STMT(ident, nparams_, sql_) static struct db_stmt ident = {#ident, sql_, nparams_, {0, 0}, NULL, NULL}
/* A statement whose result is read by column name: names is a
 * NULL-terminated array of them; when the statement is prepared each is
 * looked up in the result's description (a name missing there fails the
 * statement, R_INTERNAL), and ident.col[i] is then the number of
 * names[i]. */
#define DB_STMT_COLS(ident, nparams_, sql_, names)                                                \
	static int ident##_col[sizeof(names) / sizeof(names[0])];                                     \
	static struct db_stmt ident = {#ident, sql_, nparams_, {0, 0}, names, ident##_col}

/* Set the conninfo used by db_conn(); does not connect. */
void db_init(const char *conninfo);
/* The live connection, connecting or reconnecting as needed; NULL when the
 * database cannot be reached (callers answer R_UNAVAILABLE). */
PGconn *db_conn(void);
/* Close the connection (worker exit), and the replica's. */
void db_close(void);

/* A read replica (PORTAL_DB_READ, docs/scaling.md): a hot standby that
 * pages which only read are served from. Set its conninfo (NULL or "":
 * none); does not connect. */
void db_init_replica(const char *conninfo);
/* How many seconds an MSSP's or MSP's dashboard may show the ingest feed
 * late: a kept row behind its tenant's version by ingest batches (which
 * the API worker rebuilds after answering) is still served, and the page
 * says until when it may be kept (PORTAL_DASHBOARD_LAG; dashboard_page(),
 * sql/070): set as
 * portal.dashboard_lag on every connection made after this. 0 (until it
 * is called: the mailer's, the reporter's, ctl's): never, every view is
 * exact. */
void db_dashboard_lag(int seconds);
/* From now until the request ends (db_rollback, db_commit), statements
 * that begin a transaction go to the replica when it has replayed at least
 * to position `need` (a write of the user's own, "X/Y" as PostgreSQL
 * prints an LSN: read-your-writes; NULL or malformed: none) and to the
 * primary's position after the last change this process heard of
 * (db_changed()) that may touch the page of `tenant` (0: a page of no one
 * tenant, any change): never older than what the caches were told. Otherwise,
 * and when the replica is down (then not tried again for 5 s), they go to
 * the primary. A statement the replica refuses (a write: read-only; a
 * conflict with recovery; a lost connection) is run again on the primary,
 * and the rest of the request stays there: everything after a write goes
 * to the primary. A write request never calls this. */
void db_read_replica(const char *need, long long tenant);
/* Whether a statement was answered by the replica since the last call
 * (the request log's db=replica). */
int db_replica_take(void);
/* The primary's WAL position now ("X/Y", into out[32]), for a response
 * to a write to hand back (the read-your-writes cookie): 0, or -1 with no
 * answer. */
int db_write_position(char out[32]);
/* Before a request whose browser wrote at `wrote` (the cookie's "X/Y";
 * NULL or malformed: none) uses a cache: 1 when this process may not yet
 * have heard of that write's change notifications and has now asked the
 * primary (then the caller drains them, db_changed()), 0 when it has
 * heard of them already. A write through another portal host (another
 * master) is thus on the browser's next page here, cached or not. */
int db_catch_up(const char *wrote);
/* For /healthz: whether a replica is configured (0: the other outputs are
 * unset), and if so whether it answers (*up), how many bytes of WAL it has
 * still to replay (*lag_bytes) and since when it is behind (*lag_seconds,
 * 0 when it is not). */
int db_replica_status(int *up, long long *lag_bytes, double *lag_seconds);

/* What context_changed() notifies when a table a request's context
 * is read from changes. */
#define DB_CHANGES_CHANNEL "portal_context"
/* What config_changed() notifies when a table a device's effective
 * configuration (or an API key's check) is read from changes. */
#define DB_CONFIG_CHANNEL "portal_config"
/* LISTEN on both channels on every connection from now on (the portal
 * workers; call before the first statement). */
void db_listen_changes(void);
/* What db_changed() reports, by channel. */
enum { DB_CHANGED_CONTEXT = 1, DB_CHANGED_CONFIG = 2, DB_CHANGED_ALL = 3 };
/* What may have changed since the last call, as DB_CHANGED_* bits: a
 * notification arrived on a channel (drained here; the socket counts as
 * empty when nothing more comes within wait_ms, 0: at once), or, for
 * every channel, the connection was replaced or lost since (notifications
 * sent while there was none are not known; the process's first connection
 * is not a change). 0: nothing. A notification on DB_CHANGES_CHANNEL that
 * names the tenants whose data changed (payload "x:XID;t:ID,ID,...",
 * tenants_changed()) calls tenant(ID, XID, FEED) for each instead, when
 * tenant is not NULL (XID: the transaction that changed them; 0 for a
 * payload "t:ID,..." that does not say; FEED: 1 when it was an ingest
 * batch, "x:XID;i;t:..."). */
int db_changed(int wait_ms, void (*tenant)(long long id, unsigned long long tx, int feed));
/* The connection's socket (to poll for notifications), or -1 when there is
 * none. */
int db_socket(void);

/* Execute a prepared statement with text parameters (NULL = SQL NULL).
 * Returns a result the caller PQclear()s, or NULL on failure, with *r set
 * to R_UNAVAILABLE (connection lost), R_CONFLICT (unique/serialization
 * violation), R_BAD_INPUT (check/constraint violation raised by SQL) or
 * R_INTERNAL. On success *r is R_SUCCESS. */
PGresult *db_exec(struct db_stmt *st, const char *const *params, enum res *r);
/* Same, for statements returning no rows: R_SUCCESS or the error class. */
enum res db_run(struct db_stmt *st, const char *const *params);
/* db_exec() for a GET's only statement: when it would begin the
 * transaction (db_lazy_identity), the identity and st are its whole
 * transaction, sent in one round trip with no BEGIN or COMMIT (the
 * pipeline's implicit transaction, committed at its Sync), and the
 * request's db_commit() then has nothing to send. A statement after it, if any, begins a transaction
 * of its own with the same identity. Otherwise (a transaction already
 * begun, the replica's reads) as db_exec(). */
PGresult *db_exec_last(struct db_stmt *st, const char *const *params, enum res *r);
/* Run a parameterless command outside the statement cache ("BEGIN"...).
 * COMMIT or ROLLBACK with no transaction open: R_SUCCESS, nothing sent. */
enum res db_simple(const char *sql);
enum res db_begin(void);
enum res db_commit(void);
/* BEGIN, then db_exec(st, params, r) in the new transaction, in one round
 * trip (libpq pipeline mode). On failure the transaction is rolled back. */
PGresult *db_begin_exec(struct db_stmt *st, const char *const *params, enum res *r);
/* A GET runs its first statement (the session lookup) on its own; with
 * db_lazy_identity(token) the next statement, if any, begins a transaction
 * with app.token = token, the session's own (BEGIN, set_config and the
 * statement in one round trip; the database derives the user from it at
 * each use, app_user_id()). A read served without a further statement costs one
 * round trip. Like a set_config(..., true) identity it ends with the
 * transaction: db_commit() and db_rollback() clear it, begun or not. token
 * is copied (at most 64 characters; a longer one sets none). */
void db_lazy_identity(const char *token);
/* Roll back if a transaction is open, and drop a lazy identity; safe to
 * call at any time. */
void db_rollback(void);
/* Run st inside a savepoint: when the database refuses it (a constraint,
 * a trigger), the request's transaction stays usable so the page can be
 * re-rendered with a message; db_last_state()/db_last_message() tell why. */
PGresult *db_exec_guarded(struct db_stmt *st, const char *const *params, enum res *r);
enum res db_run_guarded(struct db_stmt *st, const char *const *params);
/* db_exec_guarded(), run again (at most DB_RETRIES times in all) when the
 * database gave it up to break a deadlock or a serialization conflict
 * with another transaction (40P01, 40001): its work is undone to the
 * savepoint and it runs once more, the transaction's earlier work kept.
 * For a statement that may run twice: an ingest batch, an idempotent
 * upsert whose rollups lock rows in two passes (the INSERT and the UPDATE
 * triggers of one ON CONFLICT statement), so that two batches into one
 * tree can deadlock. */
#define DB_RETRIES 4
PGresult *db_exec_retrying(struct db_stmt *st, const char *const *params, enum res *r);
/* A debug trace (PORTAL_REQUEST_LOG=2): with on, remember the name of each
 * statement run; db_trace_take() returns them (" st_a st_b", "" for none;
 * a static buffer, valid until the next call) and starts afresh. */
void db_trace(int on);
const char *db_trace_take(void);
/* SQLSTATE and primary message of the last failed statement ("" if none). */
const char *db_last_state(void);
/* Whether the last statement that failed was cancelled by the statement
 * timeout (SQLSTATE 57014; classified R_UNAVAILABLE). */
int db_timed_out(void);
const char *db_last_message(void);

#endif
