#!/usr/bin/env bash
# reports.sh - executive reports at scale (issue #20, "Performance";
# docs/reports.md, "Measured"), on a private stack seeded at BENCH_SIZE (M),
# with its own reporter (scripts/stack starts it):
#   company       a company's executive report (the company of Northwind
#                 with the most vulnerabilities), BENCH_RUNS (5) times
#   consolidated  Northwind's consolidated report over all its customers,
#                 BENCH_RUNS times
# Each is a job as the Reports page makes it (a report_jobs row asked by
# admin@northwind.example, the previous calendar month): its time is from
# the row's creation to the file stored (created_at to finished_at: the
# wait for the reporter's poll, the figures, both prints, the store). The
# first job of the run starts the reporter's browser and is reported on its
# own. While each job runs, the peak memory of the reporter's process tree
# (the reporter and its Chromium; PSS, which counts a shared page once,
# then the sum of RSS) and of the PostgreSQL backend serving it is sampled
# every 50 ms.
#   dashboards    the Global dashboard with wrk -t2 -c32 for BENCH_SECONDS
#                 (20), first with no report being made, then while
#                 consolidated reports are made one after the other, then
#                 with none again: the requests per second side by side.
# Settings: BENCH_SIZE (M), BENCH_RUNS (5), BENCH_SECONDS (20), BENCH_ONLY
# (company: the company's report alone, as at size L), BENCH_OUT
# (build/bench/reports.txt), BENCH_KEEP (1: leave the stack running),
# BENCH_REUSE (a VAR_DIR BENCH_KEEP=1 left: restarted, not seeded).
# Run from the repository root after `make all` (`make bench-reports`).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

SIZE=${BENCH_SIZE:-M}
RUNS=${BENCH_RUNS:-5}
SECS=${BENCH_SECONDS:-20}
OUT=${BENCH_OUT:-build/bench/reports.txt}
BIN_DIR=${BIN_DIR:-build/bin}
EMAIL=admin@northwind.example
PASSWORD=${PORTAL_DEMO_PASSWORD:-portal-demo-2026}

VAR_DIR=
die() { echo "reports: FAIL: $*" >&2; [ -z "$VAR_DIR" ] || tail -n 5 "$VAR_DIR"/log/reporter.log >&2 2>/dev/null; exit 1; }
for b in "$BIN_DIR/portal" "$BIN_DIR/ctl" "$BIN_DIR/reporter"; do
	[ -x "$b" ] || die "$b missing (run make all, or make bench-reports)"
done
command -v wrk >/dev/null || die "wrk not installed"
if [ "$(id -u)" -eq 0 ]; then
	RUN_USER=${RUN_USER:-mssp-portal}
	id "$RUN_USER" >/dev/null 2>&1 || useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin "$RUN_USER"
	AS_USER=(setpriv --reuid="$RUN_USER" --regid="$(id -g "$RUN_USER")" --init-groups --)
else
	AS_USER=()
fi

VAR_DIR=${BENCH_REUSE:-$(mktemp -d /tmp/bench-reports.XXXXXX)}
PORT=$("$ROOT/tests/lib/free_port")
RUN=$VAR_DIR/run
BASE=http://127.0.0.1:$PORT
stack() { VAR_DIR=$VAR_DIR PORT=$PORT BIN_DIR=$BIN_DIR scripts/stack "$@"; }
psql_as() { local u=$1; shift; "${AS_USER[@]}" psql -X -q -At -h "$RUN" -U "$u" -d portal -v ON_ERROR_STOP=1 "$@"; }
psql_owner() { psql_as portal_owner "$@"; }

cleanup() {
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "reports: stack left running: VAR_DIR=$VAR_DIR PORT=$PORT (stop: VAR_DIR=$VAR_DIR scripts/stack stop)"
		return
	fi
	stack stop >/dev/null 2>&1 || true
	rm -rf "$VAR_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$(dirname "$OUT")"
echo "reports: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), size $SIZE, $RUNS runs each" | tee "$OUT"
if [ -n "${BENCH_REUSE:-}" ]; then
	stack stop >/dev/null 2>&1 || true
	SEED=0 PG_FSYNC=off ACCESS_LOG=off PORTAL_REQUEST_LOG=0 REPORTER_POLL_MS=100 stack start >/dev/null 2>&1 ||
		die "scripts/stack start failed"
else
	t0=$(date +%s)
	SEED=1 SEED_SIZE=$SIZE PG_FSYNC=off ACCESS_LOG=off PORTAL_REQUEST_LOG=0 REPORTER_POLL_MS=100 \
		stack start >/dev/null 2>&1 || die "scripts/stack start failed"
	psql_as postgres -c 'ANALYZE'
	echo "  stack start + seed + ANALYZE: $(($(date +%s) - t0)) s" | tee -a "$OUT"
fi

NW=$(psql_owner -c "SELECT id FROM tenants WHERE kind = 'mssp' AND name = 'Northwind Security'")
UID_ADMIN=$(psql_owner -c "SELECT id FROM users WHERE email = '$EMAIL'")
CO=$(psql_owner -c "SELECT v.tenant_id FROM vulnerabilities v JOIN tenants t ON t.id = v.tenant_id
	WHERE t.root_id = $NW GROUP BY v.tenant_id ORDER BY count(*) DESC LIMIT 1")
read -r N_CO N_VULN N_INC <<<"$(psql_owner -F' ' -c "SELECT
	(SELECT count(*) FROM tenants WHERE root_id = $NW AND kind = 'company'),
	(SELECT count(*) FROM vulnerabilities WHERE root_id = $NW), (SELECT count(*) FROM incidents WHERE root_id = $NW)")"
echo "  Northwind: $N_CO companies, $N_VULN vulnerabilities, $N_INC incidents; the company: $CO" \
	"($(psql_owner -c "SELECT count(*) FROM vulnerabilities WHERE tenant_id = $CO") vulnerabilities)" | tee -a "$OUT"

REPORTER_PID=$(cat "$RUN/reporter.pid")
# job tenant kind -> "seconds peak_pss_mb peak_rss_mb pg_rss_mb bytes"
job() {
	local id state
	id=$(psql_owner -c "INSERT INTO report_jobs (tenant_id, root_id, requested_by, kind, period_from, period_to)
		SELECT id, root_id, $UID_ADMIN, '$2', date_trunc('month', now() - interval '1 month')::date,
		       date_trunc('month', now())::date - 1 FROM tenants WHERE id = $1 RETURNING id")
	/usr/bin/python3 - "$REPORTER_PID" "$id" "$RUN" "${AS_USER[@]}" <<'PY'
import os, subprocess, sys, time
root, job, run, as_user = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
def tree(r):
    kids = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                s = open(f"/proc/{p}/stat").read()
                kids.setdefault(int(s.rsplit(")", 1)[1].split()[1]), []).append(int(p))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [r]
    while todo:
        p = todo.pop(); out.append(p); todo.extend(kids.get(p, []))
    return out
def mem(pids):
    pss = rss = 0
    for p in pids:
        try:
            for line in open(f"/proc/{p}/smaps_rollup"):
                if line.startswith("Pss:"): pss += int(line.split()[1])
                elif line.startswith("Rss:"): rss += int(line.split()[1])
        except OSError:
            pass
    return pss, rss
def backends():
    # the PostgreSQL backends of portal_reporter: processes named "postgres: portal_reporter ..."
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if b"portal_reporter" in open(f"/proc/{p}/cmdline", "rb").read():
                    out.append(int(p))
            except OSError:
                pass
    return out
def q(sql):
    return subprocess.run(as_user + ["psql", "-X", "-q", "-At", "-h", run, "-U", "portal_owner", "-d", "portal",
                          "-c", sql], stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
peak, pg = (0, 0), 0
deadline = time.time() + 600
while time.time() < deadline:
    m = mem(tree(root))
    if m[0] > peak[0]: peak = m
    pg = max(pg, mem(backends())[1])
    if int(time.time() * 20) % 10 == 0 and q(f"SELECT state FROM report_jobs WHERE id = {job}") in ("done", "failed"):
        break
    time.sleep(0.05)
state, secs, size = q(f"SELECT state, extract(epoch FROM finished_at - created_at), coalesce(pdf_bytes, 0)"
                      f" FROM report_jobs WHERE id = {job}").split("|")
if state != "done":
    sys.exit("job %s: %s" % (job, q(f"SELECT error FROM report_jobs WHERE id = {job}")))
print("%.2f %.0f %.0f %.0f %s" % (float(secs), peak[0] / 1024, peak[1] / 1024, pg / 1024, size))
PY
}

# quiet_job tenant kind: ask for a report and wait for it, checking once a second.
quiet_job() {
	local id
	id=$(nice -n 19 "${AS_USER[@]}" psql -X -q -At -h "$RUN" -U portal_owner -d portal -c "INSERT INTO report_jobs
		(tenant_id, root_id, requested_by, kind, period_from, period_to)
		SELECT id, root_id, $UID_ADMIN, '$2', date_trunc('month', now() - interval '1 month')::date,
		       date_trunc('month', now())::date - 1 FROM tenants WHERE id = $1 RETURNING id")
	for _ in $(seq 1 600); do
		case $(nice -n 19 "${AS_USER[@]}" psql -X -q -At -h "$RUN" -U portal_owner -d portal \
			-c "SELECT state FROM report_jobs WHERE id = $id") in done | failed) return ;; esac
		sleep 1
	done
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

measure() { # label tenant kind
	local rows=() r
	for _ in $(seq 1 "$RUNS"); do
		r=$(job "$2" "$3") || die "$1: $r"
		rows+=("$r")
	done
	printf '%s\n' "${rows[@]}" >"$VAR_DIR/$1.runs"
	printf '  %-13s %s s median (%s-%s), peak PSS %s MB (RSS %s MB) reporter + browser, PostgreSQL backend %s MB, %s bytes\n' "$1" \
		"$(cut -d' ' -f1 "$VAR_DIR/$1.runs" | median)" "$(cut -d' ' -f1 "$VAR_DIR/$1.runs" | sort -n | head -1)" \
		"$(cut -d' ' -f1 "$VAR_DIR/$1.runs" | sort -n | tail -1)" "$(cut -d' ' -f2 "$VAR_DIR/$1.runs" | sort -n | tail -1)" \
		"$(cut -d' ' -f3 "$VAR_DIR/$1.runs" | sort -n | tail -1)" "$(cut -d' ' -f4 "$VAR_DIR/$1.runs" | sort -n | tail -1)" \
		"$(cut -d' ' -f5 "$VAR_DIR/$1.runs" | tail -1)" | tee -a "$OUT"
}

first=$(job "$CO" executive) || die "first job: $first"
echo "  first job (the browser starts): $(cut -d' ' -f1 <<<"$first") s" | tee -a "$OUT"
measure company "$CO" executive
if [ "${BENCH_ONLY:-}" = company ]; then
	exit 0
fi
measure consolidated "$NW" consolidated

# The dashboards side by side: idle, while reports are made, idle again.
h=$VAR_DIR/login.head
curl -s -o /dev/null -D "$h" -X POST -H "Origin: $BASE" --data-urlencode "email=$EMAIL" \
	--data-urlencode "password=$PASSWORD" "$BASE/login" || die "POST /login failed"
COOKIE=$(sed -n 's/^[Ss]et-[Cc]ookie: portal_session=\([^;]*\).*/\1/p' "$h" | tr -d '\r')
[ -n "$COOKIE" ] || die "no session"
rps() { wrk -t2 -c32 -d"${SECS}s" -H "Cookie: portal_session=$COOKIE" "$BASE/t/$NW" | awk '/Requests\/sec/ { print $2 }'; }
a=$(rps)
# (the jobs are asked and waited for at niceness 19 and without the memory
# sampling of job(), whose reading of /proc 20 times a second would be
# counted against the reports)
( while :; do quiet_job "$NW" consolidated >/dev/null 2>&1 || true; done ) &
LOOP=$!
sleep 2
b=$(rps)
kill "$LOOP" 2>/dev/null || true
wait "$LOOP" 2>/dev/null || true
for _ in $(seq 1 600); do # the report being made when the loop stopped
	[ "$(psql_owner -c "SELECT count(*) FROM report_jobs WHERE state IN ('queued', 'running')")" = 0 ] && break
	sleep 0.5
done
c=$(rps)
printf '  dashboards    Global dashboard req/s: %s idle, %s while reports are made (%.0f %% of the idle mean), %s idle again\n' \
	"$a" "$b" "$(echo "100 * $b / (($a + $c) / 2)" | bc -l)" "$c" | tee -a "$OUT"
