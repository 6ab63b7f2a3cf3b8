#!/usr/bin/env bash
# foundation.sh - framework overhead of the portal, through the same nginx:
#   (a) static   the page's body saved as a file, served by nginx
#   (b) minimal  tests/bench/minimal.c: libfcgi + libpq, the same query and
#                the same bytes, no framework (the floor of this architecture)
#   (c) portal   the portal's signed-out GET /login (router, view model,
#                Mustache template, one prepared statement)
# Each is measured with wrk -t2 -c64 --latency for BENCH_SECONDS (10) for
# every KEEPCONN (fastcgi_keep_conn off/on) x PORTAL_WORKERS combination.
# Run from the repository root after `make all build/bench/minimal`
# (`make bench-foundation` does both).
#
# Settings: BENCH_SECONDS (10), BENCH_KEEPCONN ("off on"), BENCH_WORKERS
# ("4 2"), BENCH_KEEPALIVE (nginx upstream keepalive per nginx worker when
# keep_conn is on; default workers/2, so 2 nginx workers pool at most as
# many connections as there are FastCGI workers), BENCH_CONNS (64),
# BENCH_OUT (build/bench/foundation.txt).
#
# The machine is shared and small, so (b) and (c) are measured twice in
# ABBA order (minimal, portal, portal, minimal) and averaged: a slow patch
# of a few seconds then hits both alike. The table shows the means (p99:
# the mean of the two runs' p99).
#
# Notes on the set-up (see docs/performance.md):
# - nginx rate-limits /login (zone signin, 30 r/s + burst 200 per client
#   address), so wrk on /login mostly measures 429s. (c) goes through
#   "location = /bench/portal", which passes REQUEST_URI=/login (and the
#   other fastcgi_params unchanged) to the same upstream without limit_req.
# - The minimal responder gets its own upstream block with the same
#   keepalive as the portal's. nginx.d/ is included inside the server
#   block, where "upstream" is not allowed, so the driver adds that block
#   to the generated $VAR_DIR/nginx.conf and reloads nginx.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

SECS=${BENCH_SECONDS:-10}
KEEPCONNS=${BENCH_KEEPCONN:-off on}
WORKERS_LIST=${BENCH_WORKERS:-4 2}
CONNS=${BENCH_CONNS:-64}
OUT=${BENCH_OUT:-build/bench/foundation.txt}
MINIMAL_BIN=${MINIMAL_BIN:-build/bench/minimal}
BIN_DIR=${BIN_DIR:-build/bin}

# A failure shows the end of each log of the stack (kept nowhere else).
die() { echo "foundation: FAIL: $*" >&2; tail -n 5 "$VAR_DIR"/log/* >&2 2>/dev/null; exit 1; }
for b in "$MINIMAL_BIN" "$BIN_DIR/portal" "$BIN_DIR/ctl" "$BIN_DIR/mailer"; do
	[ -x "$b" ] || die "$b missing (run make all build/bench/minimal, or make bench-foundation)"
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

VAR_DIR=$(mktemp -d /tmp/bench-foundation.XXXXXX)
PORT=$("$ROOT/tests/lib/free_port")
RUN=$VAR_DIR/run
BASE=http://127.0.0.1:$PORT
MIN_PID=
export VAR_DIR PORT BIN_DIR

# shellcheck source=tests/bench/minimal.sh
. "$ROOT/tests/bench/minimal.sh"
stack() { VAR_DIR=$VAR_DIR PORT=$PORT BIN_DIR=$BIN_DIR scripts/stack "$@"; }
nginx_ctl() { "${AS_USER[@]}" nginx -q -e "$VAR_DIR/log/nginx-error.log" -p "$VAR_DIR" -c "$VAR_DIR/nginx.conf" "$@"; }

stop_minimal() {
	if [ -n "$MIN_PID" ] && kill -0 "$MIN_PID" 2>/dev/null; then
		kill -TERM "$MIN_PID" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$MIN_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$MIN_PID" 2>/dev/null || true
	fi
	MIN_PID=
}

cleanup() {
	stop_minimal
	stack stop >/dev/null 2>&1 || true
	rm -rf "$VAR_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The bench locations (server context), written once the stack runs (they
# name the bench_minimal upstream that add_upstream then defines).
write_locations() { # keepconn
	mkdir -p "$VAR_DIR/nginx.d" "$VAR_DIR/bench"
	sed -e 's#\$request_uri#/login#' -e 's#\$document_uri#/login#' -e 's#\$fastcgi_script_name#/login#' \
		/etc/nginx/fastcgi_params >"$VAR_DIR/bench/portal_params"
	cat >"$VAR_DIR/nginx.d/bench.conf" <<CONF
location = /bench/static.html {
    alias $VAR_DIR/bench/static.html;
    default_type "text/html; charset=utf-8";
}
location = /bench/minimal {
    include /etc/nginx/fastcgi_params;
    fastcgi_param HTTPS \$https if_not_empty;
    fastcgi_keep_conn $1;
    fastcgi_pass bench_minimal;
}
# GET /login without the sign-in rate limit: same upstream, same params
# except REQUEST_URI/DOCUMENT_URI/SCRIPT_NAME = /login.
location = /bench/portal {
    include $VAR_DIR/bench/portal_params;
    fastcgi_param HTTPS \$https if_not_empty;
    fastcgi_keep_conn $1;
    fastcgi_pass portal;
}
CONF
}

add_upstream() { # keepalive
	local f=$VAR_DIR/nginx.conf
	grep -q 'upstream portal {' "$f" || die "no 'upstream portal' in $f"
	awk -v sock="$RUN/minimal.sock" -v ka="$1" '
		/upstream portal \{/ { print "    upstream bench_minimal {\n        server unix:" sock ";\n        keepalive " ka ";\n    }" }
		{ print }' "$f" >"$f.new"
	mv "$f.new" "$f"
	chown --reference="$VAR_DIR" "$f" 2>/dev/null || true
	nginx_ctl -t 2>/dev/null || { nginx_ctl -t; die "nginx config test failed"; }
	nginx_ctl -s reload
	sleep 1
}

start_minimal() { # workers
	mkdir -p "$VAR_DIR/bench"
	minimal_start "$VAR_DIR/bench" "$1"
}

# Byte-identity of the three bodies, and the same response headers for b, c.
verify() {
	local d=$VAR_DIR/bench
	curl -sf -o "$d/c.body" -D "$d/c.head" "$BASE/bench/portal" || die "GET /bench/portal failed"
	cp "$d/c.body" "$d/static.html"
	chown --reference="$VAR_DIR" "$d/static.html" 2>/dev/null || true
	curl -sf -o "$d/a.body" "$BASE/bench/static.html" || die "GET /bench/static.html failed"
	curl -sf -o "$d/b.body" -D "$d/b.head" "$BASE/bench/minimal" || die "GET /bench/minimal failed"
	curl -sf -o "$d/login.body" "$BASE/login" || die "GET /login failed"
	cmp "$d/c.body" "$d/login.body" || die "/bench/portal and /login bodies differ"
	cmp "$d/a.body" "$d/c.body" || die "static (a) and portal (c) bodies differ"
	if ! cmp "$d/b.body" "$d/c.body"; then
		diff <(cat "$d/b.body") <(cat "$d/c.body") | head -20 >&2
		die "minimal (b) and portal (c) bodies differ: update the skeleton in tests/bench/minimal.c"
	fi
	if ! diff <(grep -vi '^date:' "$d/b.head") <(grep -vi '^date:' "$d/c.head") >&2; then
		die "minimal (b) and portal (c) response headers differ"
	fi
	BODY_BYTES=$(wc -c <"$d/c.body")
}

to_ms() { # "1.23ms" / "450.00us" / "1.20s" -> ms
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000
		printf "%.2f", n }'
}

# CPU time (clock ticks, user + system) of the FastCGI workers of master $1:
# the live children's own time plus the master's cutime + cstime (workers
# already replaced and reaped, e.g. after PORTAL_MAX_REQUESTS requests).
children_ticks() {
	{ cat /proc/[0-9]*/stat 2>/dev/null || true; } |
		awk -v pp="$1" '{ pid = $1; sub(/^.*\) /, "")
			if ($2 == pp) t += $12 + $13
			if (pid == pp) t += $14 + $15 } END { print t + 0 }'
}

# run_wrk label url [master-pid] -> appends "cfg label rps p50 p99 us/req
# non2xx" to RESULTS; us/req = the workers' CPU per request (0 for static).
run_wrk() {
	local label=$1 url=$2 master=${3:-} out rps p50 p99 non2xx sockerr t0=0 t1=0 reqs us=0
	[ -z "$master" ] || t0=$(children_ticks "$master")
	out=$(wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 30s --latency "$url")
	[ -z "$master" ] || t1=$(children_ticks "$master")
	rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
	reqs=$(awk '/requests in/ { print $1 }' <<<"$out")
	[ -z "$master" ] || us=$(awk -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v n="$reqs" \
		'BEGIN { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }')
	non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
	sockerr=$(awk '/Socket errors/ { sub(/.*Socket errors: /, ""); print }' <<<"$out")
	printf '== %s %s\n%s\n' "$CFG" "$label" "$out" >>"$WRK_LOG"
	[ -z "$non2xx" ] || echo "foundation: WARNING: $label: $non2xx non-2xx responses" >&2
	[ -z "$sockerr" ] || echo "foundation: WARNING: $label: socket errors: $sockerr" >&2
	RESULTS+=("$CFG $label $rps $p50 $p99 $us ${non2xx:-0}")
	if [ -n "$master" ]; then
		printf '  %-8s %9s req/s   p50 %8s ms   p99 %8s ms   workers %4s us CPU/req\n' "$label" "$rps" "$p50" "$p99" "$us"
	else
		printf '  %-8s %9s req/s   p50 %8s ms   p99 %8s ms\n' "$label" "$rps" "$p50" "$p99"
	fi
}

RESULTS=()
first=1
mkdir -p "$(dirname "$OUT")"
WRK_LOG=${OUT%.txt}-wrk.log
: >"$WRK_LOG"
echo "foundation: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), wrk -t2 -c$CONNS -d${SECS}s, nginx $(nginx -v 2>&1 | sed 's#.*/##')"
for kc in $KEEPCONNS; do
	for w in $WORKERS_LIST; do
		ka=${BENCH_KEEPALIVE:-$((w / 2 > 0 ? w / 2 : 1))}
		CFG="keepconn=$kc workers=$w"
		[ "$kc" = on ] && CFG="$CFG keepalive=$ka"
		echo "== $CFG"
		stop_minimal
		rm -f "$VAR_DIR/nginx.d/bench.conf"
		if ! stack_out=$(SEED=$first KEEPCONN=$kc KEEPALIVE=$ka ACCESS_LOG=off PORTAL_REQUEST_LOG=0 \
			PORTAL_WORKERS=$w stack start 2>&1); then
			echo "$stack_out" >&2
			die "scripts/stack start failed"
		fi
		first=0
		start_minimal "$w"
		write_locations "$kc"
		add_upstream "$ka"
		verify
		# Warm up (connections, prepared statements, caches).
		wrk -t2 -c"$CONNS" -d1s "$BASE/bench/minimal" >/dev/null
		wrk -t2 -c"$CONNS" -d1s "$BASE/bench/portal" >/dev/null
		ppid=$(cat "$RUN/portal.pid")
		run_wrk static "$BASE/bench/static.html"
		run_wrk minimal "$BASE/bench/minimal" "$MIN_PID"
		run_wrk portal "$BASE/bench/portal" "$ppid"
		run_wrk portal "$BASE/bench/portal" "$ppid"
		run_wrk minimal "$BASE/bench/minimal" "$MIN_PID"
	done
done

mkdir -p "$(dirname "$OUT")"
{
	echo
	echo "Foundation benchmark: $BODY_BYTES-byte page, bodies byte-identical (a = b = c), $(nproc) CPUs"
	printf '%-34s %10s %8s %8s %10s %8s %8s %10s %8s %8s %7s %7s %9s %6s %6s\n' config "a req/s" "a p50" "a p99" \
		"b req/s" "b p50" "b p99" "c req/s" "c p50" "c p99" "c/a" "c/b" "p99 c/b" "b us" "c us"
	for kc in $KEEPCONNS; do
		for w in $WORKERS_LIST; do
			ka=${BENCH_KEEPALIVE:-$((w / 2 > 0 ? w / 2 : 1))}
			cfg="keepconn=$kc workers=$w"
			[ "$kc" = on ] && cfg="$cfg keepalive=$ka"
			printf '%s\n' "${RESULTS[@]}" | awk -v cfg="$cfg" '
				{ label = $(NF - 5); key = substr($0, 1, length(cfg)) }
				key == cfg && substr($0, length(cfg) + 1, 1) == " " {
					n[label]++
					rps[label] += ($(NF - 4) - rps[label]) / n[label]
					p50[label] += ($(NF - 3) - p50[label]) / n[label]
					p99[label] += ($(NF - 2) - p99[label]) / n[label]
					us[label] += ($(NF - 1) - us[label]) / n[label] }
				END {
					printf "%-34s %10d %8.2f %8.2f %10d %8.2f %8.2f %10d %8.2f %8.2f %7.3f %7.3f %9.2f %6.0f %6.0f\n", cfg,
						rps["static"], p50["static"], p99["static"], rps["minimal"], p50["minimal"], p99["minimal"],
						rps["portal"], p50["portal"], p99["portal"],
						rps["portal"] / rps["static"], rps["portal"] / rps["minimal"],
						(p99["minimal"] > 0 ? p99["portal"] / p99["minimal"] : 0), us["minimal"], us["portal"] }'
		done
	done
	echo "targets: c/b >= 0.85 and c's p99 <= 1.5 x b's p99 (column p99 c/b)"
	echo "b us, c us: CPU (user + system) of the FastCGI workers per request, in microseconds"
	echo "raw wrk output: $WRK_LOG"
} | tee "$OUT"
