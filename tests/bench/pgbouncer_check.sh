#!/usr/bin/env bash
# pgbouncer_check.sh - can the portal's workers reach PostgreSQL through
# PgBouncer (the distribution's package) in a given pool mode?
#
#   tests/bench/pgbouncer_check.sh transaction|session
#
# What it shows: the portal's database layer (cgi/db.c) assumes it owns its
# connection for the worker's life: statements prepared by name once per
# connection (PQprepare), LISTEN portal_context / portal_config on that
# connection (the context and ETag caches), session SETs made once at
# connect (TimeZone, statement_timeout, idle_in_transaction_session_timeout),
# and a per-transaction identity (app_identify() keeping the user in the
# session's temporary sequences, identity_keep()). The script starts a private stack
# (scripts/stack start, demo data), puts PgBouncer in front of its
# PostgreSQL in the given pool mode, restarts the portal master with
# PORTAL_DB pointing at PgBouncer (nginx, the mailer and the reporter are
# left as they are: they still go to PostgreSQL directly) and then checks,
# through nginx, as a browser would:
#
#   prepared statements  every page answers 200 (/t/1, /t/1/incidents,
#                        /t/1/sla, /t/3.json, /account; several rounds, so
#                        every worker serves some), and the portal log has
#                        no "prepared statement" errors
#   identity             two users signed in at once (an MSSP admin and a
#                        company viewer) each see their own memberships, the
#                        viewer is refused tenant 1, and a change (POST
#                        /t/1/sla/targets) is written, with its audit row in
#                        the admin's name (RLS checks app_user_id() there)
#   notifications        after a rename of tenant 3 from psql, 10 GETs of
#                        /t/3.json all show the new name (the workers' cached
#                        contexts are dropped on NOTIFY portal_context)
#
# and, with psql straight through PgBouncer (no portal involved), what the
# pool mode does to the connection state the portal relies on:
#
#   probe notification   LISTEN on a pooled connection, NOTIFY from another
#   probe set-leak       a session SET by one client, seen by the next one
#   probe set-kept       a client's SET still in force in its next transaction
#                        while another client holds a transaction open
#   probe identity       app_identify() in a transaction; app_user_id() in it,
#                        after it, and in another client
#
# Each prints PASS or FAIL with what was seen; the portal's and PgBouncer's
# error lines follow, then the server connections (pg_stat_activity) and
# PgBouncer's pools. Exit status: 0 when every property and probe passed,
# 1 otherwise, 2 when the set-up failed. Everything started is stopped at the
# end (PgBouncer, then `scripts/stack stop`), and VAR_DIR is removed unless
# it existed before or KEEP=1.
#
# Settings (environment): VAR_DIR (/tmp/pgb-check), PORT (8391, nginx),
# PGB_PORT (6439: PgBouncer on 127.0.0.1 and on a unix socket in
# $VAR_DIR/pgb), MAIL_CATCHER_PORT (2691), WORKERS (4, PORTAL_WORKERS),
# API_WORKERS (2, PORTAL_API_WORKERS), POOL_SIZE (20, PgBouncer's
# default_pool_size). Needs pgbouncer (apt-get install pgbouncer), psql,
# python3 and build/bin (make); run as root like scripts/stack (the servers
# then run as mssp-portal).
set -euo pipefail
MODE=${1:-}
case "$MODE" in transaction|session) ;; *) echo "usage: $0 transaction|session" >&2; exit 2 ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
VAR_DIR=${VAR_DIR:-/tmp/pgb-check}
PORT=${PORT:-8391}
PGB_PORT=${PGB_PORT:-6439}
MAIL_CATCHER_PORT=${MAIL_CATCHER_PORT:-2691}
WORKERS=${WORKERS:-4}
API_WORKERS=${API_WORKERS:-2}
POOL_SIZE=${POOL_SIZE:-20}
die() { echo "pgbouncer_check: $*" >&2; exit 2; }

command -v pgbouncer >/dev/null || die "no pgbouncer (apt-get install -y pgbouncer)"
command -v psql >/dev/null || die "no psql"
[ -x "$ROOT/build/bin/portal" ] || die "no build/bin/portal (make)"
if [ "$(id -u)" -eq 0 ]; then
	RUN_USER=${RUN_USER:-mssp-portal}
	AS_USER=(setpriv --reuid="$RUN_USER" --regid="$(id -g "$RUN_USER" 2>/dev/null || echo 0)" --init-groups --)
else
	RUN_USER=$(id -un)
	AS_USER=()
fi
for p in "$PORT" "$PGB_PORT" "$MAIL_CATCHER_PORT"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is in use (PORT, PGB_PORT, MAIL_CATCHER_PORT)"; fi
done

CREATED=0
[ -e "$VAR_DIR" ] || CREATED=1
RUN=$VAR_DIR/run
PGB=$VAR_DIR/pgbouncer     # its ini, userlist, log, pid
PGB_SOCK=$VAR_DIR/pgb      # its unix socket folder
PORTAL_LOG=$VAR_DIR/log/portal-pgbouncer.log
stack() { VAR_DIR="$VAR_DIR" PORT="$PORT" SEED=1 DEMO_FEED=0 MAIL_CATCHER_PORT="$MAIL_CATCHER_PORT" \
	PORTAL_WORKERS="$WORKERS" PORTAL_API_WORKERS="$API_WORKERS" "$ROOT/scripts/stack" "$@"; }

cleanup() {
	set +e
	if [ -f "$PGB/pgbouncer.pid" ]; then
		local pid
		pid=$(cat "$PGB/pgbouncer.pid")
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
		rm -f "$PGB/pgbouncer.pid"
	fi
	# run/portal.pid is the master started below: stop takes it down too.
	stack stop >/dev/null 2>&1
	if [ "$CREATED" = 1 ] && [ "${KEEP:-0}" != 1 ]; then rm -rf "$VAR_DIR"; fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM

# 1. The stack, as the tests start it.
out=$(stack start 2>&1) || { echo "$out" | tail -20 >&2; die "scripts/stack start failed"; }

# 2. PgBouncer in front of its PostgreSQL (unix socket, trust as the
# stack's own pg_hba), running as the stack's user.
mkdir -p "$PGB" "$PGB_SOCK"
cat >"$PGB/userlist.txt" <<'EOF'
"portal_app" ""
"portal_owner" ""
"postgres" ""
EOF
cat >"$PGB/pgbouncer.ini" <<EOF
[databases]
portal = host=$RUN port=5432 dbname=portal

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PGB_PORT
unix_socket_dir = $PGB_SOCK
auth_type = trust
auth_file = $PGB/userlist.txt
admin_users = postgres
pool_mode = $MODE
default_pool_size = $POOL_SIZE
max_client_conn = 200
logfile = $PGB/pgbouncer.log
pidfile = $PGB/pgbouncer.pid
EOF
chown -R "$RUN_USER" "$PGB" "$PGB_SOCK"
"${AS_USER[@]}" pgbouncer -d "$PGB/pgbouncer.ini" || die "pgbouncer did not start (see $PGB/pgbouncer.log)"
for _ in $(seq 1 50); do [ -S "$PGB_SOCK/.s.PGSQL.$PGB_PORT" ] && break; sleep 0.1; done
[ -S "$PGB_SOCK/.s.PGSQL.$PGB_PORT" ] || die "pgbouncer is not listening"

# 3. The portal master again, its database PgBouncer (the environment of
# scripts/stack start_master).
pid=$(cat "$RUN/portal.pid")
kill -TERM "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && die "the stack's portal master did not stop"
"${AS_USER[@]}" env PORTAL_DB="host=$PGB_SOCK port=$PGB_PORT dbname=portal user=portal_app" PORTAL_DB_READ= \
	PORTAL_SOCKET="$RUN/portal.sock" PORTAL_API_SOCKET="$RUN/portal-api.sock" \
	PORTAL_TEMPLATES="$VAR_DIR/app/templates" PORTAL_WWW="$VAR_DIR/app/www" \
	PORTAL_WORKERS="$WORKERS" PORTAL_API_WORKERS="$API_WORKERS" PORTAL_REQUEST_LOG=1 \
	PORTAL_BASE_URL="http://127.0.0.1:$PORT" PORTAL_HOSTS=localhost FCGI_WEB_SERVER_ADDRS=127.0.0.1 \
	"$VAR_DIR/app/bin/portal" >>"$PORTAL_LOG" 2>&1 &
echo $! >"$RUN/portal.pid"
sleep 0.3
for _ in $(seq 1 100); do [ -S "$RUN/portal.sock" ] && [ -S "$RUN/portal-api.sock" ] && break; sleep 0.1; done
grep -q "listening on $RUN/portal.sock" "$PORTAL_LOG" || { tail -5 "$PORTAL_LOG" >&2; die "portal did not start"; }

echo "pgbouncer_check: $(pgbouncer --version | head -1), pool_mode=$MODE, default_pool_size=$POOL_SIZE," \
	"PORTAL_WORKERS=$WORKERS, PORTAL_API_WORKERS=$API_WORKERS"
FAILED=0

# 4. Through nginx, as a browser.
PGB_TOKEN_FILE=$PGB/token
PSQL_OWNER="$(printf '%s\n' "${AS_USER[@]}" psql -X -q -At -h "$RUN" -U portal_owner -d portal)" \
ROOT="$ROOT" PORT="$PORT" PORTAL_LOG="$PORTAL_LOG" MODE="$MODE" TOKEN_FILE="$PGB_TOKEN_FILE" \
	python3 - <<'PY' || FAILED=1
import collections, os, re, subprocess, sys, time
sys.path.insert(0, os.path.join(os.environ["ROOT"], "tests", "lib"))
import portal

PORT = int(os.environ["PORT"])
LOG = os.environ["PORTAL_LOG"]
PSQL = os.environ["PSQL_OWNER"].split("\n")
failed = False


def sql(q):
    return subprocess.run(PSQL + ["-c", q], check=True, capture_output=True, text=True).stdout.strip()


def log_errors(since):
    """The portal log's error lines after byte offset since, by count."""
    with open(LOG, errors="replace") as f:
        f.seek(since)
        lines = [l.rstrip() for l in f if " error: " in l or " warning: " in l]
    c = collections.Counter(re.sub(r"^\S+ portal\[\d+\] ", "", l) for l in lines)
    return c


def report(name, ok, detail):
    global failed
    failed = failed or not ok
    print("%-20s %s  %s" % (name, "PASS" if ok else "FAIL", detail))


def safe(fn, *a, **k):
    try:
        return fn(*a, **k)
    except Exception as e:  # a failed sign-in (assert) or a broken answer
        return e


start = os.path.getsize(LOG)
A = portal.Client(PORT)
B = portal.Client(PORT)
la = safe(A.login, "admin@northwind.example")
lb = safe(B.login, "viewer@company.example")

# prepared statements: pages, several rounds (every worker serves some)
pages = ["/t/1", "/t/1/incidents", "/t/1/sla", "/t/3.json", "/account"]
st = collections.Counter()
for _ in range(4):
    for p in pages:
        st[A.get(p).status] += 1
n = sum(st.values())
errs = log_errors(start)
prep = {k: v for k, v in errs.items() if "prepared statement" in k}
report("prepared statements", st[200] == n and not prep and not isinstance(la, Exception),
       "sign-in %s; %d/%d page GETs answered 200 (statuses %s); %d portal log lines about prepared statements"
       % ("ok" if not isinstance(la, Exception) else "FAILED", st[200], n, dict(st), sum(prep.values())))

# identity: two users at once, each their own; a write in the admin's name
wrong, answered, asked = [], 0, 0
for i in range(10):
    ra, rb, rc = A.get_json("/account"), B.get_json("/account"), B.get_json("/t/1")
    asked += 3
    if ra.status == 200:
        answered += 1
        ids = [m["tenant_id"] for m in ra.json().get("memberships", [])]
        if 1 not in ids:
            wrong.append("admin's /account without tenant 1: %s" % ids)
    if rb.status == 200:
        answered += 1
        ids = [m["tenant_id"] for m in rb.json().get("memberships", [])]
        if 1 in ids or not ids:
            wrong.append("viewer's /account shows %s" % ids)
    if rc.status in (403, 404):
        answered += 1
    elif rc.status == 200:
        answered += 1
        wrong.append("viewer was let into /t/1")
t0 = sql("SELECT now()")
rp = safe(A.post, "/t/1/sla/targets", dict(ack_critical=30, resolve_critical=480, ack_high=120, resolve_high=2880,
                                             ack_medium=240, resolve_medium=4320, ack_low=1440, resolve_low=10080))
rows = int(sql("SELECT count(*) FROM sla_targets WHERE tenant_id = 1 AND updated_at >= '%s'" % t0))
audit = sql("SELECT coalesce(string_agg(DISTINCT user_id::text, ','), '') FROM audit_log"
            " WHERE action = 'sla.targets_set' AND at >= '%s'" % t0)
post = getattr(rp, "status", repr(rp))
write_ok = post == 303 and rows == 4 and audit == "1"
if audit not in ("", "1"):
    wrong.append("sla.targets_set audited as user %s" % audit)
report("identity", not wrong and answered == asked and write_ok,
       "%d/%d answers as expected (own memberships; viewer refused /t/1)%s; POST /t/1/sla/targets %s, "
       "%d/4 rows written, audit user_id %s%s"
       % (answered - len(wrong), asked, "" if answered == asked else ", the rest failed (5xx)", post, rows,
          audit or "none", "; WRONG: " + "; ".join(wrong) if wrong else ""))

# notifications: rename tenant 3 from psql; every cached context must go
old = sql("SELECT name FROM tenants WHERE id = 3")
new = old + " pgb-" + os.environ["MODE"]
warm = collections.Counter(A.get_json("/t/3.json").status for _ in range(12))
seen, got = [], collections.Counter()
try:
    sql("UPDATE tenants SET name = '%s' WHERE id = 3" % new.replace("'", "''"))
    time.sleep(0.3)
    for _ in range(10):
        r = A.get_json("/t/3.json")
        got[r.status] += 1
        if r.status == 200:
            seen.append(r.json()["tenant"]["name"] == new)
finally:
    sql("UPDATE tenants SET name = '%s' WHERE id = 3" % old.replace("'", "''"))
report("notifications", got[200] == 10 and all(seen),
       "before the rename %s; after it %d/10 GET /t/3.json answered 200, %d of them with the new name"
       " (%d with the old one)" % (dict(warm), got[200], sum(seen), len(seen) - sum(seen)))

with open(os.environ["TOKEN_FILE"], "w") as f:  # the admin's session, for the identity probe
    f.write(A.cookies.get("portal_session", ""))

errs = log_errors(start)
if errs:
    print("portal log (errors and warnings, by count):")
    for k, v in errs.most_common(12):
        print("  %4d x %s" % (v, k))
sys.exit(1 if failed else 0)
PY

# 5. Straight through PgBouncer with psql: the connection state itself.
pgb() { "${AS_USER[@]}" psql -X -h "$PGB_SOCK" -p "$PGB_PORT" -U "${PGB_USER:-portal_app}" -d "${PGB_DB:-portal}" "$@"; }
direct() { "${AS_USER[@]}" psql -X -q -At -h "$RUN" -U portal_owner -d portal "$@"; }
probe() { # name ok detail
	printf '%-20s %s  %s\n' "$1" "$([ "$2" = 1 ] && echo PASS || echo FAIL)" "${*:3}"
	[ "$2" = 1 ] || FAILED=1
}
T=$PGB/probe
# (wait for each by its pid: a bare wait would wait for the portal too)
( echo "LISTEN pgb_probe;"; sleep 1.5; echo "SELECT 'after';"; sleep 0.5 ) | pgb >"$T.notify" 2>&1 &
p1=$!
sleep 0.7; direct -c "NOTIFY pgb_probe, 'hello'"; wait "$p1" || true
if grep -q 'Asynchronous notification "pgb_probe"' "$T.notify"; then ok=1; else ok=0; fi
probe "probe notification" "$ok" "LISTEN pgb_probe via PgBouncer, NOTIFY from a direct connection, then a query:" \
	"$([ $ok = 1 ] && echo delivered || echo 'never delivered')"

pgb -q -c "SET statement_timeout = '42s'"
v=$(pgb -At -c "SHOW statement_timeout")
probe "probe set-leak" "$([ "$v" != 42s ] && echo 1 || echo 0)" \
	"client 1: SET statement_timeout = '42s', disconnects; client 2 (new) sees statement_timeout = $v"

( echo "SET statement_timeout = '43s';"; sleep 1; echo "SHOW statement_timeout;"; echo "SHOW idle_in_transaction_session_timeout;" ) |
	pgb -q -At >"$T.kept" 2>&1 &
p1=$!
sleep 0.4
( echo "BEGIN;"; echo "SELECT 1;"; sleep 1.4; echo "COMMIT;" ) | pgb -q >/dev/null 2>&1 &
p2=$!
wait "$p1" "$p2" || true
v=$(head -1 "$T.kept")
probe "probe set-kept" "$([ "$v" = 43s ] && echo 1 || echo 0)" \
	"client 1: SET statement_timeout = '43s'; client 2 holds a transaction; client 1's next statement sees $v" \
	"(idle_in_transaction_session_timeout there: $(sed -n 2p "$T.kept"))"

tok=$(cat "$PGB_TOKEN_FILE" 2>/dev/null || true)
if [ -n "$tok" ]; then
	# psql sends each statement of its input on its own
	r=$(printf '%s\n' "BEGIN;" "SELECT app_identify('$tok') IS NOT NULL;" \
		"SELECT 'in=' || coalesce(app_user_id()::text, 'none');" "COMMIT;" \
		"SELECT 'after=' || coalesce(app_user_id()::text, 'none');" | pgb -q -At 2>&1 | grep '=' | paste -sd' ')
	o=$(pgb -q -At -c "SELECT 'other=' || coalesce(app_user_id()::text, 'none')
		|| ' temp_sequence_of_another_client=' || (to_regclass('pg_temp.app_identity_stamp') IS NOT NULL)" 2>&1)
	case "$r $o" in "in=1 after=none other=none"*) ok=1 ;; *) ok=0 ;; esac
	probe "probe identity" "$ok" "app_identify() in a transaction: $r; a new client: $o"
else
	probe "probe identity" 0 "no session token (sign-in failed)"
fi

# 6. What it left in the logs, and what it holds open.
echo "pgbouncer log (errors, warnings, closes other than by the client):"
grep -E " (ERROR|WARNING) | closing because: " "$PGB/pgbouncer.log" | grep -v "client close request" |
	sed -E 's/^[0-9-]+ [0-9:.]+ UTC \[[0-9]+\] //; s/0x[0-9a-f]+/0x../; s/\(age=[0-9]+s\)//; s/@unix\([0-9]+\)/@unix/' |
	sort | uniq -c | sort -rn | head -12 || true
echo "server connections now (pg_stat_activity, client backends):"
"${AS_USER[@]}" psql -X -q -At -F ' ' -h "$RUN" -U postgres -d portal -c \
	"SELECT '  ' || count(*), usename, coalesce(nullif(application_name, ''), '-') FROM pg_stat_activity
	  WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() GROUP BY 2, 3 ORDER BY 2, 3"
echo "pgbouncer SHOW POOLS (database user cl_active cl_waiting sv_active sv_idle sv_used):"
PGB_USER=postgres PGB_DB=pgbouncer pgb -q -A -F ' ' -P footer=off -c "SHOW POOLS" 2>/dev/null | awk '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{ print "  " $col["database"], $col["user"], $col["cl_active"], $col["cl_waiting"], $col["sv_active"], $col["sv_idle"], $col["sv_used"] }' || true
exit "$FAILED"
