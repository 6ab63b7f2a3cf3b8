#!/usr/bin/env bash
# dashboard.sh - the dashboards at scale, through the same nginx, signed in
# as the MSSP Admin admin@northwind.example (issue 6, "Benchmark"):
#   global     the Global (MSSP) dashboard         /t/<Northwind Security>
#   msp        an MSP view (companies by name)     /t/<Bluefin IT>
#   companies  the companies table, page 1 sorted by critical vulnerabilities
#                                                  /t/<Bluefin IT>?sort=critical&dir=desc
#   minimal    tests/bench/minimal.c (libfcgi + libpq, one query, no
#              framework: the floor of this architecture), as in foundation.sh
#   static     a static file of the Global page's size, served by nginx
# For every demo size in BENCH_SIZES (default "S M L") a fresh private stack
# (scripts/stack: temp VAR_DIR, free port, ACCESS_LOG=off,
# PORTAL_REQUEST_LOG=0, keep_conn off) is seeded with `ctl seed-demo --size`
# and ANALYZEd, then every URL is measured with wrk -t2 --latency for
# BENCH_SECONDS (10) at each of BENCH_CONNS ("32 64") connections, after
# BENCH_SEQ (5) requests of each page one by one (c=1: the latency of a
# page on an idle stack). Before every run the driver waits until no query
# of portal_app is active (requests left over from the previous run).
# Run from the repository root after `make all build/bench/minimal`
# (`make bench-dashboard` does both).
#
# Each page is measured twice: as configured (the workers' dashboard and
# context caches on) and, after restarting the stack with
# PORTAL_DASHBOARD_CACHE=0 PORTAL_CONTEXT_CACHE=0, with every request
# reading its context and every view reading the database: the first view
# after a change (labels *-nc; BENCH_NOCACHE=0 skips it).
#
# Last, side by side: the last size's stack (caches on) and a new stack of
# the first size, both up, the same page measured on each in turn (first,
# last, first, last, first): the last size against the first as the
# machine was at that moment (BENCH_SIDE=0 skips it).
#
# Settings: BENCH_SIZES ("S M L"), BENCH_SECONDS (10), BENCH_CONNS ("32 64"),
# BENCH_WORKERS (portal and minimal workers; default: the portal's default,
# 4), BENCH_OUT (build/bench/dashboard.txt), BENCH_KEEP (1: leave the last
# stack running and print its VAR_DIR, for EXPLAIN ANALYZE).
#
# The stacks run PostgreSQL with fsync=off (PG_FSYNC=off): they are thrown
# away after the run and it only shortens the seeding. With BENCH_PGSS=1
# (the default) PostgreSQL is restarted with pg_stat_statements after the
# seed, and after each size's runs the driver prints the statements by
# total time (calls, mean ms) for the dashboard pages: where a page's time
# goes. BENCH_PGSS=0 leaves it out.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

SECS=${BENCH_SECONDS:-10}
SIZES=${BENCH_SIZES:-S M L}
CONNS_LIST=${BENCH_CONNS:-32 64}
WORKERS=${BENCH_WORKERS:-4}
OUT=${BENCH_OUT:-build/bench/dashboard.txt}
MINIMAL_BIN=${MINIMAL_BIN:-build/bench/minimal}
BIN_DIR=${BIN_DIR:-build/bin}
EMAIL=admin@northwind.example
PASSWORD=${PORTAL_DEMO_PASSWORD:-portal-demo-2026}

die() { echo "dashboard: FAIL: $*" >&2; exit 1; }
for b in "$MINIMAL_BIN" "$BIN_DIR/portal" "$BIN_DIR/ctl" "$BIN_DIR/mailer"; do
	[ -x "$b" ] || die "$b missing (run make all build/bench/minimal, or make bench-dashboard)"
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

VAR_DIR=
PORT=
RUN=
BASE=
MIN_PID=

# shellcheck source=tests/bench/minimal.sh
. "$ROOT/tests/bench/minimal.sh"
stack() { VAR_DIR=$VAR_DIR PORT=$PORT BIN_DIR=$BIN_DIR scripts/stack "$@"; }
nginx_ctl() { "${AS_USER[@]}" nginx -q -e "$VAR_DIR/log/nginx-error.log" -p "$VAR_DIR" -c "$VAR_DIR/nginx.conf" "$@"; }
psql_pg() { "${AS_USER[@]}" psql -X -q -At -h "$RUN" -U postgres -d portal -v ON_ERROR_STOP=1 "$@"; }

stop_minimal() {
	if [ -n "$MIN_PID" ] && kill -0 "$MIN_PID" 2>/dev/null; then
		kill -TERM "$MIN_PID" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$MIN_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$MIN_PID" 2>/dev/null || true
	fi
	MIN_PID=
}

stop_stack() {
	stop_minimal
	[ -n "$VAR_DIR" ] || return 0
	stack stop >/dev/null 2>&1 || true
	rm -rf "$VAR_DIR"
	VAR_DIR=
}

# The side-by-side phase keeps two stacks up: the one not in use is parked
# in the P_* variables (park/unpark swap them with the current ones).
STACK_VARS="VAR_DIR PORT RUN BASE MIN_PID COOKIE NW BF"
swap_stack() {
	local v t
	for v in $STACK_VARS; do
		t=${!v}
		eval "$v=\${P_$v:-}"
		eval "P_$v=\$t"
	done
}

cleanup() {
	if [ -n "${P_VAR_DIR:-}" ]; then
		swap_stack
		stop_stack
		swap_stack
	fi
	if [ "${BENCH_KEEP:-0}" = 1 ] && [ -n "$VAR_DIR" ]; then
		echo "dashboard: stack left running: VAR_DIR=$VAR_DIR PORT=$PORT (stop: kill $MIN_PID (the minimal responder); VAR_DIR=$VAR_DIR scripts/stack stop)"
		return
	fi
	stop_stack
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The bench locations, as in foundation.sh: the static file and the minimal
# responder (its own upstream, added to the generated nginx.conf, since
# nginx.d/ is included inside the server block).
setup_bench() {
	local f=$VAR_DIR/nginx.conf
	mkdir -p "$VAR_DIR/nginx.d" "$VAR_DIR/bench"
	cat >"$VAR_DIR/nginx.d/bench.conf" <<CONF
location = /bench/static.html {
    alias $VAR_DIR/bench/static.html;
    default_type "text/html; charset=utf-8";
}
location = /bench/minimal {
    include /etc/nginx/fastcgi_params;
    fastcgi_param HTTPS \$https if_not_empty;
    fastcgi_keep_conn off;
    fastcgi_pass bench_minimal;
}
CONF
	grep -q 'upstream portal {' "$f" || die "no 'upstream portal' in $f"
	awk -v sock="$RUN/minimal.sock" '
		/upstream portal \{/ { print "    upstream bench_minimal {\n        server unix:" sock ";\n    }" }
		{ print }' "$f" >"$f.new"
	mv "$f.new" "$f"
	chown --reference="$VAR_DIR" "$f" 2>/dev/null || true
	minimal_start "$VAR_DIR/bench" "$WORKERS"
	nginx_ctl -t 2>/dev/null || { nginx_ctl -t; die "nginx config test failed"; }
	nginx_ctl -s reload
	sleep 1
}

# POST /login (with Origin, as a browser sends it) -> $COOKIE
sign_in() {
	local h=$VAR_DIR/bench/login.head
	curl -s -o /dev/null -D "$h" -X POST -H "Origin: $BASE" --data-urlencode "email=$EMAIL" \
		--data-urlencode "password=$PASSWORD" "$BASE/login" || die "POST /login failed"
	COOKIE=$(sed -n 's/^[Ss]et-[Cc]ookie: portal_session=\([^;]*\).*/\1/p' "$h" | tr -d '\r')
	[ -n "$COOKIE" ] || { cat "$h" >&2; die "no portal_session cookie from POST /login"; }
}

fetch() { # url file -> checks 200
	local code
	code=$(curl -s -o "$2" -w '%{http_code}' -H "Cookie: portal_session=$COOKIE" "$1")
	[ "$code" = 200 ] || die "GET $1: HTTP $code"
}

to_ms() { # "1.23ms" / "450.00us" / "1.20s" -> ms
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000
		printf "%.2f", n }'
}

# Wait until the portal is idle: when a run ends with requests still queued
# (slow pages: wrk closes its connections, but the workers still serve
# what nginx has already passed on), the next run would pay for them.
drain() {
	local idle=0
	for _ in $(seq 1 240); do
		if [ "$(psql_pg -c "SELECT count(*) FROM pg_stat_activity WHERE usename = 'portal_app' AND state = 'active'")" = 0 ]; then
			idle=$((idle + 1))
			[ "$idle" -lt 3 ] || return 0
		else
			idle=0
		fi
		sleep 0.5
	done
	echo "dashboard: WARNING: the portal is still busy after 120 s" >&2
}

# run_seq size label url: BENCH_SEQ (5) requests one after the other on an
# idle stack -> RESULTS += "size 1 label rps median max 0" (req/s = 1 / mean)
run_seq() {
	local size=$1 label=$2 url=$3 times
	drain
	times=$(for _ in $(seq 1 "${BENCH_SEQ:-5}"); do
		curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Cookie: portal_session=$COOKIE" "$url"
	done)
	grep -qv '^200 ' <<<"$times" && echo "dashboard: WARNING: $size $label: non-200 answers" >&2
	read -r rps p50 max <<<"$(sort -n -k2 <<<"$times" | awk '{ t[NR] = $2 * 1000; s += $2 } END {
		n = NR; printf "%.1f %.2f %.2f", n / s, (n % 2 ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2), t[n] }')"
	printf '== size=%s c=1 %s %s (sequential)\n%s\n' "$size" "$label" "$url" "$times" >>"$WRK_LOG"
	RESULTS+=("$size 1 $label $rps $p50 $max 0")
	printf '  c=1   %-12s %9s req/s   p50 %9s ms   max %9s ms   (%s requests one by one)\n' "$label" "$rps" "$p50" "$max" "${BENCH_SEQ:-5}"
}

# run_wrk size conns label url -> RESULTS += "size conns label rps p50 p99 non2xx"
run_wrk() {
	local size=$1 conns=$2 label=$3 url=$4 out rps p50 p99 non2xx sockerr
	drain
	out=$(wrk -t2 -c"$conns" -d"${SECS}s" --timeout 30s --latency -H "Cookie: portal_session=$COOKIE" "$url")
	rps=$(awk '/^Requests\/sec:/ { printf "%.1f", $2 }' <<<"$out")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
	non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
	sockerr=$(awk '/Socket errors/ { sub(/.*Socket errors: /, ""); print }' <<<"$out")
	printf '== size=%s c=%s %s %s\n%s\n' "$size" "$conns" "$label" "$url" "$out" >>"$WRK_LOG"
	[ -z "$non2xx" ] || echo "dashboard: WARNING: $size $label: $non2xx non-2xx responses" >&2
	[ -z "$sockerr" ] || echo "dashboard: WARNING: $size $label: socket errors: $sockerr" >&2
	RESULTS+=("$size $conns $label $rps $p50 $p99 ${non2xx:-0}")
	LAST_RPS=$rps
	printf '  c=%-3s %-12s %9s req/s   p50 %9s ms   p99 %9s ms\n' "$conns" "$label" "$rps" "$p50" "$p99"
}

# run_paired size conns base label url...: the pages, each between two runs
# of the minimal responder at the same connections; PAIRED += "size conns
# label minimal-mean" (the mean of the runs just before and after it), so
# a page is compared with the floor as the machine was at that moment (on
# a shared VM the minimal's req/s drifts by 20-40 % within minutes).
run_paired() {
	local size=$1 conns=$2 base=$3 before label
	shift 3
	run_wrk "$size" "$conns" minimal "$base/bench/minimal"
	before=$LAST_RPS
	while [ $# -gt 1 ]; do
		label=$1
		run_wrk "$size" "$conns" "$label" "$2"
		shift 2
		run_wrk "$size" "$conns" minimal "$base/bench/minimal"
		PAIRED+=("$size $conns $label $(awk -v a="$before" -v b="$LAST_RPS" 'BEGIN { printf "%.1f", (a + b) / 2 }')")
		before=$LAST_RPS
	done
}

# new_stack size: a fresh private stack seeded at size, in VAR_DIR, PORT,
# RUN, BASE (its output in stack_out).
new_stack() {
	VAR_DIR=$(mktemp -d /tmp/bench-dashboard.XXXXXX)
	PORT=$("$ROOT/tests/lib/free_port")
	RUN=$VAR_DIR/run
	BASE=http://127.0.0.1:$PORT
	if ! stack_out=$(SEED=1 SEED_SIZE=$1 PG_FSYNC=off KEEPCONN=off ACCESS_LOG=off PORTAL_REQUEST_LOG=0 \
		PORTAL_WORKERS=$WORKERS stack start 2>&1); then
		echo "$stack_out" >&2
		die "scripts/stack start failed"
	fi
}

# restart_stack [VAR=value...]: the current stack's portal, nginx and
# minimal responder again, with the given settings (the data stays).
restart_stack() {
	stop_minimal
	stack stop >/dev/null 2>&1
	rm -f "$VAR_DIR/nginx.d/bench.conf" # names the upstream setup_bench adds again
	env "$@" SEED=0 PG_FSYNC=off KEEPCONN=off ACCESS_LOG=off PORTAL_REQUEST_LOG=0 \
		PORTAL_WORKERS=$WORKERS VAR_DIR=$VAR_DIR PORT=$PORT BIN_DIR=$BIN_DIR scripts/stack start \
		>"$VAR_DIR/log/restart.log" 2>&1 || { tail -20 "$VAR_DIR/log/restart.log" >&2; die "scripts/stack start ($*) failed"; }
	setup_bench
}

RESULTS=()
PAIRED=()
INFO=()
mkdir -p "$(dirname "$OUT")"
WRK_LOG=${OUT%.txt}-wrk.log
: >"$WRK_LOG"
echo "dashboard: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), wrk -t2 -d${SECS}s, sizes $SIZES, connections $CONNS_LIST, $WORKERS workers"
for size in $SIZES; do
	stop_stack
	echo "== size $size: starting a stack and seeding (ctl seed-demo --size $size)"
	t0=$(date +%s.%N)
	new_stack "$size"
	t1=$(date +%s.%N)
	grep -E '^(NOTICE|seed-demo)' <<<"$stack_out" | sed 's/^/  /' || true
	if [ "${BENCH_PGSS:-1}" = 1 ]; then
		printf "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = top\n" >>"$VAR_DIR/pg/postgresql.conf"
		stack pg-stop
		stack pg-start
		psql_pg -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
	fi
	psql_pg -c 'ANALYZE'
	t2=$(date +%s.%N)
	counts=$(psql_pg -F' ' -c "SELECT (SELECT count(*) FROM tenants WHERE kind = 'msp'), (SELECT count(*) FROM tenants WHERE kind = 'company'),
		(SELECT count(*) FROM assets), (SELECT count(*) FROM vulnerabilities), (SELECT count(*) FROM incidents)")
	read -r n_msp n_co n_assets n_vulns n_inc <<<"$counts"
	printf '  stack start + seed %.0f s, ANALYZE %.0f s: %s MSPs, %s companies, %s assets, %s vulnerabilities, %s incidents\n' \
		"$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$n_msp" "$n_co" "$n_assets" "$n_vulns" "$n_inc"
	INFO+=("$size $(printf '%.0f' "$(echo "$t1 - $t0" | bc)") $n_msp $n_co $n_assets $n_vulns $n_inc")
	NW=$(psql_pg -c "SELECT id FROM tenants WHERE kind = 'mssp' AND name = 'Northwind Security'")
	BF=$(psql_pg -c "SELECT id FROM tenants WHERE kind = 'msp' AND name = 'Bluefin IT'")
	setup_bench
	sign_in
	d=$VAR_DIR/bench
	fetch "$BASE/t/$NW" "$d/global.html"
	fetch "$BASE/t/$BF" "$d/msp.html"
	fetch "$BASE/t/$BF?sort=critical&dir=desc" "$d/companies.html"
	fetch "$BASE/bench/minimal" "$d/minimal.html"
	grep -q 'Bluefin IT' "$d/global.html" || die "the Global dashboard does not list Bluefin IT"
	# the static file: the Global page's bytes
	cp "$d/global.html" "$d/static.html"
	chown --reference="$VAR_DIR" "$d/static.html" 2>/dev/null || true
	fetch "$BASE/bench/static.html" "$d/static.out"
	cmp -s "$d/static.out" "$d/global.html" || die "static file differs from the Global page"
	printf '  bytes: global %s, msp %s, companies %s, minimal %s, static %s\n' "$(wc -c <"$d/global.html")" \
		"$(wc -c <"$d/msp.html")" "$(wc -c <"$d/companies.html")" "$(wc -c <"$d/minimal.html")" "$(wc -c <"$d/static.out")"
	# Warm up (connections, prepared statements, caches).
	wrk -t2 -c16 -d1s "$BASE/bench/minimal" >/dev/null
	wrk -t2 -c16 -d2s -H "Cookie: portal_session=$COOKIE" "$BASE/t/$NW" >/dev/null
	[ "${BENCH_PGSS:-1}" != 1 ] || psql_pg -c 'SELECT pg_stat_statements_reset()' >/dev/null
	run_seq "$size" global "$BASE/t/$NW"
	run_seq "$size" msp "$BASE/t/$BF"
	run_seq "$size" companies "$BASE/t/$BF?sort=critical&dir=desc"
	for c in $CONNS_LIST; do
		run_wrk "$size" "$c" static "$BASE/bench/static.html"
		run_paired "$size" "$c" "$BASE" global "$BASE/t/$NW" msp "$BASE/t/$BF" \
			companies "$BASE/t/$BF?sort=critical&dir=desc"
	done
	# The same pages with the workers' dashboard cache off: every view
	# reads the database (the cost of the first view after a change).
	if [ "${BENCH_NOCACHE:-1}" = 1 ]; then
		echo "  restarting the stack with PORTAL_DASHBOARD_CACHE=0 PORTAL_CONTEXT_CACHE=0 (every view reads the database)"
		restart_stack PORTAL_DASHBOARD_CACHE=0 PORTAL_CONTEXT_CACHE=0
		wrk -t2 -c16 -d2s -H "Cookie: portal_session=$COOKIE" "$BASE/t/$NW" >/dev/null
		run_seq "$size" global-nc "$BASE/t/$NW"
		run_seq "$size" msp-nc "$BASE/t/$BF"
		run_seq "$size" companies-nc "$BASE/t/$BF?sort=critical&dir=desc"
		for c in $CONNS_LIST; do
			run_paired "$size" "$c" "$BASE" global-nc "$BASE/t/$NW" msp-nc "$BASE/t/$BF" \
				companies-nc "$BASE/t/$BF?sort=critical&dir=desc"
		done
	fi
	if [ "${BENCH_PGSS:-1}" = 1 ]; then
		echo "  statements by total time (all runs of size $size; user portal_app):"
		psql_pg -F' | ' -c "SELECT lpad(calls::text, 7), lpad(round(mean_exec_time::numeric, 2)::text, 8) || ' ms',
			lpad(round(100 * total_exec_time / sum(total_exec_time) OVER ())::text, 3) || ' %',
			left(regexp_replace(query, '\s+', ' ', 'g'), 110)
			FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
			WHERE r.rolname = 'portal_app' ORDER BY total_exec_time DESC LIMIT 12" | sed 's/^/    /' | tee -a "$WRK_LOG"
	fi
done

first=${SIZES%% *}
last=${SIZES##* }

# Side by side: the last size's pages (caches on) against the first size's,
# on two stacks up at once, in turn: first, last, first, last, first. Each
# last-size run is compared with the mean of the first-size runs just
# before and after it. The "vs first" columns above compare runs some
# twenty minutes apart, and the minimal responder's drift (a database
# statement per request) no longer cancels the pages' (which a cache hit
# answers without one). BENCH_SIDE=0 skips it.
SIDE=()
if [ "${BENCH_SIDE:-1}" = 1 ] && [ "$last" != "$first" ]; then
	echo "== side by side: $last (caches on) and a new $first stack, in turn"
	[ "${BENCH_NOCACHE:-1}" != 1 ] || restart_stack
	wrk -t2 -c16 -d2s -H "Cookie: portal_session=$COOKIE" "$BASE/t/$NW" >/dev/null
	swap_stack
	new_stack "$first"
	mkdir -p "$VAR_DIR/bench"
	psql_pg -c 'ANALYZE'
	NW=$(psql_pg -c "SELECT id FROM tenants WHERE kind = 'mssp' AND name = 'Northwind Security'")
	BF=$(psql_pg -c "SELECT id FROM tenants WHERE kind = 'msp' AND name = 'Bluefin IT'")
	sign_in
	wrk -t2 -c16 -d2s -H "Cookie: portal_session=$COOKIE" "$BASE/t/$NW" >/dev/null
	kept=("${RESULTS[@]}")
	for c in $CONNS_LIST; do
		for page in global msp companies; do
			runs=()
			for i in 1 2 3 4 5; do # odd: the first size (current), even: the last
				case $page in
				global) path="/t/$NW" ;;
				msp) path="/t/$BF" ;;
				*) path="/t/$BF?sort=critical&dir=desc" ;;
				esac
				run_wrk "$([ $((i % 2)) = 1 ] && echo "$first" || echo "$last")" "$c" "$page" "$BASE$path" >/dev/null
				runs+=("$LAST_RPS")
				[ "$i" = 5 ] || swap_stack
			done
			SIDE+=("$c $page ${runs[*]}")
			printf '  c=%-3s %-10s %s: %s   %s: %s\n' "$c" "$page" "$first" "${runs[0]} ${runs[2]} ${runs[4]}" \
				"$last" "${runs[1]} ${runs[3]}"
		done
	done
	RESULTS=("${kept[@]}")
fi
{
	echo
	echo "Dashboard benchmark: $(nproc) CPUs, wrk -t2 -d${SECS}s, $WORKERS FastCGI workers, keep_conn off"
	echo "data (seed s = stack start + ctl seed-demo, seconds):"
	printf '%s\n' "${INFO[@]}" | awk '{ printf "  %-2s seed %5ss  %4s MSPs %6s companies %8s assets %9s vulns %8s incidents\n", $1, $2, $3, $4, $5, $6, $7 }'
	printf '%-4s %4s %-12s %10s %9s %9s %8s %10s %8s %8s\n' size conns page "req/s" "p50 ms" "p99 ms" "/minimal" "vs $first" "vs $first/m" non2xx
	{ printf '%s\n' "${PAIRED[@]}" | sed 's/^/P /'; printf '%s\n' "${RESULTS[@]}" | sed 's/^/R /'; } | awk -v first="$first" '
		$1 == "P" { pair[$2 " " $3 " " $4] = $5; next }
		{ key = $2 " " $3 " " $4; if (!(key in rps)) rps[key] = $5; n++; line[n] = $0 }
		END {
			for (i = 1; i <= n; i++) {
				split(line[i], f, " ")
				k = f[2] " " f[3] " " f[4]; kf = first " " f[3] " " f[4]
				if (f[4] == "minimal") { if (seen[k]++) continue; min = 0 } else min = pair[k]
				base = rps[kf]
				norm = (min > 0 && pair[kf] > 0 && base > 0) ? sprintf("%.3f", (f[5] / min) / (base / pair[kf])) : "-"
				printf "%-4s %4s %-12s %10.1f %9.2f %9.2f %8s %10.3f %8s %8s\n", f[2], f[3], f[4], f[5], f[6], f[7],
					(min > 0 ? sprintf("%.3f", f[5] / min) : "-"), (base > 0 ? f[5] / base : 0), norm, f[8]
			}
		}'
	echo "global, msp, companies: the default portal (dashboard and context caches on: after the first view, pages are served from the workers' caches until the data changes)"
	echo "*-nc: PORTAL_DASHBOARD_CACHE=0 PORTAL_CONTEXT_CACHE=0, every request reads its context and every view the database (the first view after a change)"
	echo "/minimal: the page's req/s over the mean of the minimal responder's runs just before and after it (same connections); the minimal row shows its first run"
	echo "vs $first/m: the page's /minimal over the same page's /minimal at $first, which cancels the machine's drift between the sizes' runs"
	echo "conns 1: BENCH_SEQ requests one by one on the idle stack (req/s = 1 / mean; p99 column = the slowest)"
	echo "wrk counts only the requests that complete within the run: with pages slower than ~1 s, p50/p99 are capped near BENCH_SECONDS"
	echo "targets: each page >= 0.5 x minimal req/s; p99 at 32 connections < 50 ms; req/s at the largest size within 20% of $first"
	if [ ${#SIDE[@]} -gt 0 ]; then
		echo
		echo "side by side ($last and $first stacks up at once, runs in turn $first $last $first $last $first; caches on):"
		printf '%5s %-10s %12s %12s %8s\n' conns page "$first req/s" "$last req/s" "$last/$first"
		printf '%s\n' "${SIDE[@]}" | awk '{
			f = ($3 + $5 + $7) / 3; l = ($4 + $6) / 2
			r = ($4 / (($3 + $5) / 2) + $6 / (($5 + $7) / 2)) / 2
			printf "%5s %-10s %12.1f %12.1f %8.3f\n", $1, $2, f, l, r }'
		echo "$last/$first: the mean of each $last run over the mean of the $first runs just before and after it"
	fi
	echo "raw wrk output: $WRK_LOG"
} | tee "$OUT"
