#!/usr/bin/env bash
# live.sh - the pages while data never stops (issue #23, "Performance under
# a live feed"; docs/performance.md, "Under a live feed"). For each size in
# BENCH_SIZES ("S L") a private stack is seeded (fsync off for the seed),
# then restarted with fsync on, as in production, and the request log on
# (its default: the caches' hit rates are counted from it). Signed in as
# the MSSP Admin admin@northwind.example, wrk -t2 -c BENCH_CONNS (32) for
# BENCH_SECONDS (10) reads, one at a time:
#   global     the Global (MSSP) dashboard           /t/<Northwind Security>
#   msp        an MSP view                           /t/<Bluefin IT>
#   companies  its companies by critical findings    /t/<Bluefin IT>?sort=critical&dir=desc
#   incidents  a company's incident list             /t/<its first company>/incidents
#   minimal    the minimal libfcgi + libpq responder (tests/bench/minimal.c)
#              through the same nginx, measured under the same load
# in three phases:
#   quiet      no ingest (the reference)
#   live       tests/bench/live_feed.py sends BENCH_RATE (5000) items per
#              second from BENCH_SENDERS (4) senders, in batches of 1 to 500,
#              to every company of Northwind, all through the phase
#   live-nc    the same feed, the stack restarted with its page and context
#              caches off (PORTAL_DASHBOARD_CACHE=0 PORTAL_CONTEXT_CACHE=0):
#              every request is the first view after a change
#   live-np    (not run unless asked) the same feed with the page cache off
#              only (PORTAL_DASHBOARD_CACHE=0): every page computed, the
#              viewer's context row cached, as a feed leaves it (a batch
#              names its tenants: their pages' entries go, the contexts
#              stay; docs/architecture.md, "The context cache"): the first
#              view after a change as a user under a feed gets it
# Each row: req/s, p50, p99, non-2xx, the page's req/s over the minimal's in
# the same phase (the mean of its runs), the items/s the feed reached while
# it ran, and the share of its requests the context cache (ctx) and the
# page cache (page) answered. Pages run in the order minimal, pages,
# pages reversed, minimal (ABBA). After the live phases the dashboards'
# rollups are checked against COUNT(*) (they must still be exact).
# Before its runs, each page is read for a second, unmeasured (every
# worker warm). The portal runs with its defaults but the request log:
# PORTAL_DASHBOARD_LAG=2, the dashboards follow the feed up to 2 s late.
# Targets (issue #23): live pages >= 0.5x the minimal under the same feed,
# p99 < 50 ms at 32 connections; live-nc >= 0.3x.
# Settings: BENCH_SIZES ("S L"), BENCH_SECONDS (10), BENCH_CONNS (32),
# BENCH_WORKERS (4), BENCH_RATE (5000), BENCH_SENDERS (4), BENCH_PHASES
# ("quiet live live-nc"), BENCH_WARM (1: seconds each page and the minimal
# are read, unmeasured, before a phase's runs), BENCH_OUT
# (build/bench/live.txt), BENCH_KEEP (1: leave the last stack running).
# Run from the repository root after `make all build/bench/minimal` (`make
# bench-live` does both).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

SIZES=${BENCH_SIZES:-S L}
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-32}
WORKERS=${BENCH_WORKERS:-4}
RATE=${BENCH_RATE:-5000}
SENDERS=${BENCH_SENDERS:-4}
PHASES=${BENCH_PHASES:-quiet live live-nc}
WARM=${BENCH_WARM:-1}
OUT=${BENCH_OUT:-build/bench/live.txt}
MINIMAL_BIN=${MINIMAL_BIN:-build/bench/minimal}
BIN_DIR=${BIN_DIR:-build/bin}
EMAIL=admin@northwind.example

VAR_DIR=
die() { echo "live: FAIL: $*" >&2; [ -z "$VAR_DIR" ] || tail -n 5 "$VAR_DIR"/log/*.log >&2 2>/dev/null; exit 1; }
for b in "$MINIMAL_BIN" "$BIN_DIR/portal" "$BIN_DIR/ctl"; do
	[ -x "$b" ] || die "$b missing (run make all build/bench/minimal, or make bench-live)"
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

PORT=
RUN=
BASE=
MIN_PID=
FEED_PID=

# shellcheck source=tests/bench/minimal.sh
. "$ROOT/tests/bench/minimal.sh"
stack() { VAR_DIR=$VAR_DIR PORT=$PORT BIN_DIR=$BIN_DIR scripts/stack "$@"; }
nginx_ctl() { "${AS_USER[@]}" nginx -q -e "$VAR_DIR/log/nginx-error.log" -p "$VAR_DIR" -c "$VAR_DIR/nginx.conf" "$@"; }
psql_as() { local u=$1; shift; "${AS_USER[@]}" psql -X -q -At -h "$RUN" -U "$u" -d portal -v ON_ERROR_STOP=1 "$@"; }
psql_owner() { psql_as portal_owner "$@"; }
ctl() { "${AS_USER[@]}" env PORTAL_DB_OWNER="host=$RUN dbname=portal user=portal_owner" "$BIN_DIR/ctl" "$@"; }

stop_pid() {
	if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
		kill -TERM "$1" 2>/dev/null || true
		for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$1" 2>/dev/null || true
	fi
}
stop_stack() {
	stop_pid "$FEED_PID"
	FEED_PID=
	stop_pid "$MIN_PID"
	MIN_PID=
	[ -n "$VAR_DIR" ] || return 0
	stack stop >/dev/null 2>&1 || true
}
cleanup() {
	if [ "${BENCH_KEEP:-0}" = 1 ] && [ -n "$VAR_DIR" ]; then
		stop_pid "$FEED_PID"
		echo "live: stack left running: VAR_DIR=$VAR_DIR PORT=$PORT (stop: kill $MIN_PID; VAR_DIR=$VAR_DIR scripts/stack stop)"
		return
	fi
	stop_stack
	[ -z "$VAR_DIR" ] || rm -rf "$VAR_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# (Re)start the seeded stack with fsync on and the request log on, the
# minimal responder beside it; $1: extra environment (the caches off).
restart() {
	stop_stack
	rm -f "$VAR_DIR/nginx.d/bench.conf" # its upstream is added to the nginx.conf the start writes
	# shellcheck disable=SC2086
	env $1 SEED=0 KEEPCONN=off ACCESS_LOG=off PORTAL_REQUEST_LOG=1 PORTAL_WORKERS="$WORKERS" \
		PORTAL_MAX_REQUESTS=1000000 VAR_DIR="$VAR_DIR" PORT="$PORT" BIN_DIR="$BIN_DIR" scripts/stack start \
		>/dev/null 2>&1 || die "scripts/stack start failed"
	mkdir -p "$VAR_DIR/nginx.d" "$VAR_DIR/bench"
	cat >"$VAR_DIR/nginx.d/bench.conf" <<CONF
location = /bench/minimal {
    include /etc/nginx/fastcgi_params;
    fastcgi_param HTTPS \$https if_not_empty;
    fastcgi_keep_conn off;
    fastcgi_pass bench_minimal;
}
CONF
	if ! grep -q 'upstream bench_minimal' "$VAR_DIR/nginx.conf"; then # scripts/stack writes it at each start
		awk -v sock="$RUN/minimal.sock" '/upstream portal \{/ { print "    upstream bench_minimal {\n        server unix:" sock ";\n    }" } { print }' \
			"$VAR_DIR/nginx.conf" >"$VAR_DIR/nginx.conf.new"
		mv "$VAR_DIR/nginx.conf.new" "$VAR_DIR/nginx.conf"
	fi
	chown --reference="$VAR_DIR" "$VAR_DIR/nginx.conf" 2>/dev/null || true
	rm -f "$RUN/minimal.sock"
	minimal_start "$VAR_DIR/bench" "$WORKERS"
	nginx_ctl -s reload
	sleep 1
	curl -sf -o /dev/null "$BASE/bench/minimal" || die "GET /bench/minimal failed"
}

feed_start() {
	"${AS_USER[@]}" /usr/bin/python3 "$ROOT/tests/bench/live_feed.py" --url "$BASE" --key "$KEY" \
		--tenants "$VAR_DIR/bench/companies" --rate "$RATE" --senders "$SENDERS" --status "$VAR_DIR/bench/feed.status" \
		>>"$VAR_DIR/log/live_feed.log" 2>&1 &
	FEED_PID=$!
	sleep 5 # the feed at its rate, the caches as they are under it
	[ -s "$VAR_DIR/bench/feed.status" ] || die "the feed did not start (see $VAR_DIR/log/live_feed.log)"
}
feed_stop() {
	stop_pid "$FEED_PID"
	FEED_PID=
	tail -n 1 "$VAR_DIR/log/live_feed.log" | tee -a "$OUT"
	# what the failed batches got, most frequent first
	{ grep -v '^live_feed: [0-9]* items' "$VAR_DIR/log/live_feed.log" || true; } | cut -c1-160 | sort | uniq -c | sort -rn | head -n 3 |
		sed 's/^/    /' | tee -a "$OUT"
	: >"$VAR_DIR/log/live_feed.log"
}
feed_read() { if [ -n "$FEED_PID" ]; then cat "$VAR_DIR/bench/feed.status"; else echo "0 0 0 0"; fi; }

declare -A SUM N
# wrk_run phase label url path: one wrk run; its line in $OUT
wrk_run() {
	local phase=$1 label=$2 url=$3 path=$4 out rps f0 f1 l0 l1 ctx page rate non2xx
	f0=$(feed_read)
	l0=$(wc -l <"$VAR_DIR/log/portal.log")
	if [ "$label" = minimal ]; then
		out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 30s --latency "$url")
	else
		out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 30s --latency -H "Cookie: portal_session=$TOKEN" "$url")
	fi
	f1=$(feed_read)
	l1=$(wc -l <"$VAR_DIR/log/portal.log")
	printf '== %s %s %s\n%s\n' "$SIZE" "$phase" "$label" "$out" >>"$WRK_LOG"
	rps=$(awk '/^Requests\/sec:/ { printf "%.1f", $2 }' <<<"$out")
	non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
	SUM[$SIZE.$phase.$label]=$(echo "${SUM[$SIZE.$phase.$label]:-0} + $rps" | bc)
	N[$SIZE.$phase.$label]=$((${N[$SIZE.$phase.$label]:-0} + 1))
	rate=$(awk -v a="$f0" -v b="$f1" 'BEGIN { split(a, x, " "); split(b, y, " ");
		if (y[4] > x[4]) printf "%.0f", (y[1] - x[1]) / (y[4] - x[4]); else print 0 }')
	if [ "$label" = minimal ]; then
		ctx=- page=- shared=-
	else
		# the page's requests in the window, and those each cache answered
		# (shared: copied from another worker of the master, page_share.c)
		read -r _ ctx page shared <<<"$(sed -n "$((l0 + 1)),${l1}p" "$VAR_DIR/log/portal.log" | awk -v p="$path" '
			$4 == "GET" && $5 == p { n++; if (/ ctx=cached/) c++; if (/ page=cached/) g++; if (/ page=shared/) s++ }
			END { if (n) printf "%d %.0f%% %.0f%% %.1f%%", n, 100 * c / n, 100 * g / n, 100 * s / n; else print "0 - - -" }')"
	fi
	printf '  %-6s %-8s %-10s %9s req/s  p50 %8s  p99 %8s  non-2xx %-5s feed %6s items/s  ctx %4s  page %4s  shared %5s\n' \
		"$SIZE" "$phase" "$label" "$rps" "$(awk '$1 == "50%" { print $2 }' <<<"$out")" \
		"$(awk '$1 == "99%" { print $2 }' <<<"$out")" "${non2xx:-0}" "$rate" "$ctx" "$page" "$shared" | tee -a "$OUT"
}

mean() { echo "scale=1; ${SUM[$1]} / ${N[$1]}" | bc; }

# phase name: every page and the minimal, ABBA; then each page over the
# minimal of the phase. First each is read for BENCH_WARM seconds (1),
# unmeasured, so that every worker has planned its statements and filled
# its caches (a worker's first build of the Global view at L plans for
# 35-93 ms): the runs measure the phase's steady state, its first views
# after a change are what live-nc and live-np measure.
phase() {
	local p=$1 l
	for l in minimal global msp companies incidents; do
		if [ "$l" = minimal ]; then
			wrk -t2 -c"$CONNS" -d"${WARM}s" "${URL[$l]}" >/dev/null
		else
			wrk -t2 -c"$CONNS" -d"${WARM}s" -H "Cookie: portal_session=$TOKEN" "${URL[$l]}" >/dev/null
		fi
	done
	for l in minimal global msp companies incidents incidents companies msp global minimal; do
		wrk_run "$p" "$l" "${URL[$l]}" "${PATHS[$l]}"
	done
	for l in global msp companies incidents; do
		printf '  %-6s %-8s %-10s %9s req/s = %.2fx minimal (%s)\n' "$SIZE" "$p" "$l" "$(mean "$SIZE.$p.$l")" \
			"$(echo "$(mean "$SIZE.$p.$l") / $(mean "$SIZE.$p.minimal")" | bc -l)" "$(mean "$SIZE.$p.minimal")" | tee -a "$OUT"
	done
}

rollups_exact() {
	local bad
	bad=$(psql_owner -c "
		WITH open AS (SELECT a AS tenant_id, count(*) AS n
		                FROM vulnerabilities v JOIN tenants t ON t.id = v.tenant_id, unnest(t.ancestors) a
		               WHERE v.fixed_at IS NULL GROUP BY a)
		SELECT count(*) FROM tenants x LEFT JOIN tenant_stats s ON s.tenant_id = x.id
		  LEFT JOIN open o ON o.tenant_id = x.id
		 WHERE coalesce(s.vuln_critical + s.vuln_high + s.vuln_medium + s.vuln_low, 0) <> coalesce(o.n, 0)")
	echo "  $SIZE rollups agree with COUNT(*) for every tenant: $([ "$bad" = 0 ] && echo yes || echo "NO ($bad tenants)")" |
		tee -a "$OUT"
	[ "$bad" = 0 ] || die "the rollups drifted under the feed"
}

mkdir -p "$(dirname "$OUT")"
WRK_LOG=${OUT%.txt}-wrk.log
: >"$WRK_LOG"
echo "live: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), sizes $SIZES, $WORKERS workers, feed $RATE items/s" \
	"from $SENDERS senders, wrk -t2 -c$CONNS -d${SECS}s, warm-up ${WARM}s" | tee "$OUT"

for SIZE in $SIZES; do
	[ -z "$VAR_DIR" ] || { stop_stack; rm -rf "$VAR_DIR"; }
	VAR_DIR=$(mktemp -d /tmp/bench-live.XXXXXX)
	PORT=$("$ROOT/tests/lib/free_port")
	RUN=$VAR_DIR/run
	BASE=http://127.0.0.1:$PORT
	t0=$(date +%s)
	out=$(SEED=1 SEED_SIZE=$SIZE PG_FSYNC=off KEEPCONN=off ACCESS_LOG=off PORTAL_REQUEST_LOG=0 \
		PORTAL_WORKERS="$WORKERS" stack start 2>&1) || { echo "$out" >&2; die "scripts/stack start failed"; }
	# As a database that has run a while: vacuumed (hint bits and the
	# visibility map set, not by the first reads under the benchmark), its
	# statistics current, and the seed's writes on disk. At L the seed
	# leaves gigabytes for the kernel to write back, which otherwise ran
	# under the first phase's runs (their first pass up to a half slower
	# than the second, the minimal's too).
	psql_as postgres -c 'VACUUM ANALYZE'
	psql_as postgres -c 'CHECKPOINT'
	sync
	# durable commits from the next start on, as in production (the stack
	# writes fsync = off for the seed; synchronous_commit stays off)
	psql_as postgres -c 'ALTER SYSTEM SET fsync = on' >/dev/null
	echo "  $SIZE: seeded in $(($(date +%s) - t0)) s (with VACUUM ANALYZE, CHECKPOINT and sync)" | tee -a "$OUT"

	NW=$(psql_owner -c "SELECT id FROM tenants WHERE kind = 'mssp' AND name = 'Northwind Security'")
	BF=$(psql_owner -c "SELECT id FROM tenants WHERE name = 'Bluefin IT'")
	CO=$(psql_owner -c "SELECT min(id) FROM tenants WHERE parent_id = $BF AND kind = 'company'")
	[ -n "$NW" ] && [ -n "$BF" ] && [ -n "$CO" ] || die "no Northwind Security, Bluefin IT or company of it"
	mkdir -p "$VAR_DIR/bench"
	psql_owner -c "SELECT id FROM tenants WHERE root_id = $NW AND kind = 'company' AND status = 'active' ORDER BY id" \
		>"$VAR_DIR/bench/companies"
	read -r N_CO N_VULN N_INC <<<"$(psql_owner -F' ' -c "SELECT (SELECT count(*) FROM tenants WHERE root_id = $NW AND kind = 'company'),
		(SELECT count(*) FROM vulnerabilities), (SELECT count(*) FROM incidents)")"
	echo "  $SIZE: Northwind $N_CO companies; $N_VULN findings, $N_INC incidents stored" | tee -a "$OUT"
	KEY=$(ctl api-key --tenant "$NW" --name live-bench) || die "ctl api-key failed"
	TOKEN=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
	psql_owner -c "INSERT INTO sessions (token_hash, user_id, expires_at)
		SELECT encode(sha256('$TOKEN'::bytea), 'hex'), id, now() + interval '1 day' FROM users WHERE email = '$EMAIL'" >/dev/null
	declare -A URL PATHS
	PATHS=([global]="/t/$NW" [msp]="/t/$BF" [companies]="/t/$BF" [incidents]="/t/$CO/incidents" [minimal]=/bench/minimal)
	URL=([global]="$BASE/t/$NW" [msp]="$BASE/t/$BF" [companies]="$BASE/t/$BF?sort=critical&dir=desc"
		[incidents]="$BASE/t/$CO/incidents" [minimal]="$BASE/bench/minimal")

	for p in $PHASES; do
		case $p in
		quiet) restart "" ;;
		live) restart "" ;;
		live-nc) restart "PORTAL_DASHBOARD_CACHE=0 PORTAL_CONTEXT_CACHE=0" ;;
		live-np) restart "PORTAL_DASHBOARD_CACHE=0" ;;
		*) die "unknown phase $p (quiet, live, live-nc, live-np)" ;;
		esac
		for l in global msp companies incidents; do
			code=$(curl -s -o "$VAR_DIR/bench/page.html" -w '%{http_code}' -H "Cookie: portal_session=$TOKEN" "${URL[$l]}")
			[ "$code" = 200 ] || die "${URL[$l]}: HTTP $code"
		done
		[ "$p" = quiet ] || feed_start
		phase "$p"
		[ "$p" = quiet ] || feed_stop
	done
	rollups_exact
done
echo "live: done; results in $OUT, wrk output in $WRK_LOG"
