#!/usr/bin/env bash
# config.sh - devices polling their configuration (issue 19, "Performance";
# docs/plans.md, "Devices poll their configuration"), through the same nginx:
#   200      GET /api/v2/devices/{external_id}/config?tenant_id=<company>
#            with the MSSP's API key, no If-None-Match: the whole document
#            (every account's document kept by config_poll(): a fleet
#            between changes, a device restarting without its tag)
#   200cold  the same, one device of each company, after the documents'
#            generation is bumped (as any change does): each poll builds its
#            account's document, the first poll of each account after a
#            change; runs of half the length, so no account comes round again
#   304      the same with If-None-Match: the device's current ETag
#   minimal  tests/bench/minimal.c (libfcgi + libpq, one query, no
#            framework: the floor of this architecture), as in foundation.sh,
#            requested through the same wrk Lua script (the same client
#            cost per request: wrk shares the 2 CPUs with the servers)
# A fresh private stack (scripts/stack: temp VAR_DIR, free port,
# ACCESS_LOG=off, PORTAL_REQUEST_LOG=0, PG_FSYNC=off, keep_conn off) is
# seeded with `ctl seed-demo --size BENCH_SIZE` (L: 200 MSPs x 100
# companies under Northwind Security). Then, as the owner role, every
# company of Northwind gets at least 5 devices (probes and agents; the
# seed's L already has more), and, as the MSSP Admin admin@northwind.example
# (a session token, app_identify(), the SQL functions, as
# tests/http/test_plans.py does): a plan "Bench baseline" (access_policy
# with 20 rules, threat_prevention, url_filtering, agent_updates changed
# from the defaults), shared with every MSP of Northwind, and an override
# of url_filtering on every 10th company. One API key of Northwind
# (`ctl api-key`) polls every device with ?tenant_id=.
#
# The device list: 5 devices of each company (100,000 at L), in a file that
# tests/bench/config.lua walks round-robin (each wrk thread from its own
# offset; a 10 s run polls each device at most once). For the 304 path the
# ETags of the first BENCH_ETAGS devices (default 2,000: 2 devices of each
# of 1,000 companies spread over the MSPs) are computed in SQL (sha256 of
# config_effective()::text, as the handler hashes it) and checked against
# the API's on a sample of them.
#
# The workers keep the ETags they answered (cgi/etag_cache.c), so a poll
# with its tag is answered from there once a worker has answered that URI;
# two 304 rows:
#   304      the same 2,000 URIs polled again and again (after a 5 s
#            warm-up): what a fleet polling every minute gets between changes
#   304cold  each URI new to the workers (the same devices and ETags, the
#            URI made unique with &poll=RUN-N, which the API ignores): the
#            first poll of each device after a change, which reads the
#            database
# Order (ABBA, as foundation.sh): minimal, 200, 200cold, 304cold, 304, 304,
# 304cold, 200cold, 200, minimal, at BENCH_CONNS (32) connections, BENCH_SECONDS (10) each,
# wrk -t2 --latency; each variant's row is the mean of its two runs and the
# ratio is over the mean of the two minimal runs. Targets (issue 19): 304
# >= 0.8 x minimal, 200 >= 0.5 x minimal.
#
# Last, a plan change: one plan_section_save of agent_updates on the shared
# plan as the MSSP Admin (timed: psql start to commit), then the next poll
# of BENCH_CHECK (200) sampled devices with their old ETag must answer 200
# with a new ETag and the new document. Target: commits in under 2 s and
# visible to every device's next poll.
#
# Settings: BENCH_SIZE (L), BENCH_SECONDS (10), BENCH_CONNS (32),
# BENCH_WORKERS (portal and minimal workers; default 4, the portal's),
# BENCH_ETAGS (2000), BENCH_CHECK (200), BENCH_OUT (build/bench/config.txt),
# BENCH_PGSS (1: pg_stat_statements, top statements printed after the
# runs), BENCH_KEEP (1: leave the stack running, for EXPLAIN ANALYZE),
# BENCH_REUSE (a VAR_DIR that BENCH_KEEP=1 left: restart that stack with
# the current build and SQL functions instead of seeding one; a new plan).
# Run from the repository root after `make all build/bench/minimal`
# (`make bench-config` does both).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"

SECS=${BENCH_SECONDS:-10}
SIZE=${BENCH_SIZE:-L}
CONNS=${BENCH_CONNS:-32}
WORKERS=${BENCH_WORKERS:-4}
N_ETAGS=${BENCH_ETAGS:-2000}
N_CHECK=${BENCH_CHECK:-200}
OUT=${BENCH_OUT:-build/bench/config.txt}
MINIMAL_BIN=${MINIMAL_BIN:-build/bench/minimal}
BIN_DIR=${BIN_DIR:-build/bin}
LUA=$ROOT/tests/bench/config.lua
EMAIL=admin@northwind.example

VAR_DIR=
die() { echo "config: FAIL: $*" >&2; [ -z "$VAR_DIR" ] || tail -n 5 "$VAR_DIR"/log/* >&2 2>/dev/null; exit 1; }
for b in "$MINIMAL_BIN" "$BIN_DIR/portal" "$BIN_DIR/ctl" "$BIN_DIR/mailer"; do
	[ -x "$b" ] || die "$b missing (run make all build/bench/minimal, or make bench-config)"
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

VAR_DIR=${BENCH_REUSE:-$(mktemp -d /tmp/bench-config.XXXXXX)}
PORT=$("$ROOT/tests/lib/free_port")
RUN=$VAR_DIR/run
BASE=http://127.0.0.1:$PORT
MIN_PID=

# shellcheck source=tests/bench/minimal.sh
. "$ROOT/tests/bench/minimal.sh"
stack() { VAR_DIR=$VAR_DIR PORT=$PORT BIN_DIR=$BIN_DIR scripts/stack "$@"; }
nginx_ctl() { "${AS_USER[@]}" nginx -q -e "$VAR_DIR/log/nginx-error.log" -p "$VAR_DIR" -c "$VAR_DIR/nginx.conf" "$@"; }
psql_as() { # role args...
	local u=$1
	shift
	"${AS_USER[@]}" psql -X -q -At -h "$RUN" -U "$u" -d portal -v ON_ERROR_STOP=1 "$@"
}
psql_pg() { psql_as postgres "$@"; }
psql_owner() { psql_as portal_owner "$@"; }
# as_admin sql: sql as the app role signed in as the MSSP Admin (a session
# token, app_identify()), in one transaction; prints its rows.
as_admin() {
	printf "BEGIN;\nSELECT app_identify('%s') IS NOT NULL;\n%s;\nCOMMIT;\n" "$TOKEN" "$1" |
		psql_as portal_app -f - | tail -n +2
}

stop_minimal() {
	if [ -n "$MIN_PID" ] && kill -0 "$MIN_PID" 2>/dev/null; then
		kill -TERM "$MIN_PID" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$MIN_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$MIN_PID" 2>/dev/null || true
	fi
	MIN_PID=
}

cleanup() {
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		echo "config: stack left running: VAR_DIR=$VAR_DIR PORT=$PORT (stop: kill $MIN_PID (the minimal responder); VAR_DIR=$VAR_DIR scripts/stack stop)"
		return
	fi
	stop_minimal
	stack stop >/dev/null 2>&1 || true
	rm -rf "$VAR_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The minimal responder (as foundation.sh: the portal's /login page with
# the brand's title and footer as {{title}} and {{footer}}), its location
# and upstream (nginx.d/ is included inside the server block, so the
# upstream goes into the generated nginx.conf).
setup_minimal() {
	local f=$VAR_DIR/nginx.conf d=$VAR_DIR/bench
	mkdir -p "$VAR_DIR/nginx.d" "$d"
	cat >"$VAR_DIR/nginx.d/bench.conf" <<CONF
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
	minimal_start "$d" "$WORKERS"
	echo "$MIN_PID" >"$d/minimal.pid"
	nginx_ctl -t 2>/dev/null || { nginx_ctl -t; die "nginx config test failed"; }
	nginx_ctl -s reload
	sleep 1
	curl -sf -o /dev/null "$BASE/bench/minimal" || die "GET /bench/minimal failed"
}

to_ms() { # "1.23ms" / "450.00us" / "1.20s" -> ms
	awk -v v="$1" 'BEGIN {
		n = v + 0
		if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000
		printf "%.2f", n }'
}

# Wait until no query of portal_app is active (requests left over).
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
	echo "config: WARNING: the portal is still busy after 120 s" >&2
}

# run_wrk label (minimal | 200 | 304) -> RESULTS += "label rps p50 p99 statuses"
run_wrk() {
	local label=$1 out rps p50 p99 st sockerr
	drain
	case $label in
	minimal) out=$(BENCH_URLS=$MIN_URLS BENCH_AUTH="Bearer $KEY" BENCH_INM=0 wrk -t2 -c"$CONNS" -d"${SECS}s" \
		--timeout 30s --latency -s "$LUA" "$BASE") ;;
	200) keep_documents
		out=$(BENCH_URLS=$URLS BENCH_AUTH="Bearer $KEY" BENCH_INM=0 wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 30s \
		--latency -s "$LUA" "$BASE") ;;
	200cold) # every account's first poll after a change: its document built (config_poll()),
		# one device of each account, a run too short to come round again
		psql_owner -c 'UPDATE config_generation SET generation = generation + 1' >/dev/null
		out=$(BENCH_URLS=$COLD200_URLS BENCH_AUTH="Bearer $KEY" BENCH_INM=0 wrk -t2 -c"$CONNS" -d"${COLD_SECS}s" \
			--timeout 30s --latency -s "$LUA" "$BASE") ;;
	304) out=$(BENCH_URLS=$ETAG_URLS BENCH_AUTH="Bearer $KEY" BENCH_INM=1 wrk -t2 -c"$CONNS" -d"${SECS}s" \
		--timeout 30s --latency -s "$LUA" "$BASE") ;;
	304cold) # URIs no worker has seen: each run its own &poll= suffix, more URIs than a run polls
		COLD_RUN=$((COLD_RUN + 1))
		awk -v r="$COLD_RUN" '{ for (k = 1; k <= 10; k++) print $1 "&poll=" r "-" k " " $2 }' "$ETAG_URLS" >"$d/cold-urls.txt"
		out=$(BENCH_URLS=$d/cold-urls.txt BENCH_AUTH="Bearer $KEY" BENCH_INM=1 wrk -t2 -c"$CONNS" -d"${SECS}s" \
			--timeout 30s --latency -s "$LUA" "$BASE") ;;
	esac
	rps=$(awk '/^Requests\/sec:/ { printf "%.1f", $2 }' <<<"$out")
	p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
	p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
	st=$(sed -n 's/^status //p' <<<"$out")
	[ -n "$st" ] || st="non2xx=$(awk '/Non-2xx/ { print $NF }' <<<"$out")"
	sockerr=$(awk '/Socket errors/ { sub(/.*Socket errors: /, ""); print }' <<<"$out")
	printf '== c=%s %s\n%s\n' "$CONNS" "$label" "$out" >>"$WRK_LOG"
	[ -z "$sockerr" ] || echo "config: WARNING: $label: socket errors: $sockerr" >&2
	case "$label $st" in
	"200 "*"304=0 other=0" | "200cold "*"304=0 other=0" | "304 200=0 "*"other=0" | "304cold 200=0 "*"other=0" | "minimal "*"304=0 other=0") ;;
	*) echo "config: WARNING: $label: unexpected answers: $st" >&2 ;;
	esac
	if [ "$label" = 200cold ]; then
		local n200=${st#200=}
		n200=${n200%% *}
		[ "$n200" -le "$(wc -l <"$COLD200_URLS")" ] ||
			echo "config: WARNING: 200cold: $n200 polls of $(wc -l <"$COLD200_URLS") accounts: some read a kept document" >&2
	fi
	RESULTS+=("$label $rps $p50 $p99 ${st// /,}")
	printf '  c=%-3s %-8s %9s req/s   p50 %8s ms   p99 %8s ms   %s\n' "$CONNS" "$label" "$rps" "$p50" "$p99" "$st"
}

mkdir -p "$(dirname "$OUT")"
WRK_LOG=${OUT%.txt}-wrk.log
: >"$WRK_LOG"
RESULTS=()
echo "config: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), wrk -t2 -c$CONNS -d${SECS}s, size $SIZE, $WORKERS workers"
t0=$(date +%s.%N)
if [ -n "${BENCH_REUSE:-}" ]; then
	# A stack left by BENCH_KEEP=1: restarted (the current binaries and SQL
	# functions), its data kept; the plan is made again under a new name.
	echo "== restarting the stack in $VAR_DIR (BENCH_REUSE; no seed)"
	[ -f "$VAR_DIR/pg/PG_VERSION" ] || die "BENCH_REUSE=$VAR_DIR: no stack there"
	kill -TERM "$(cat "$VAR_DIR/bench/minimal.pid" 2>/dev/null || echo none)" 2>/dev/null || true
	stack stop >/dev/null 2>&1 || true
	rm -f "$VAR_DIR/nginx.d/bench.conf"
	stack_out=$(SEED=0 PG_FSYNC=off KEEPCONN=off ACCESS_LOG=off PORTAL_REQUEST_LOG=0 PORTAL_WORKERS=$WORKERS \
		stack start 2>&1) || { echo "$stack_out" >&2; die "scripts/stack start failed"; }
else
	echo "== starting a stack and seeding (ctl seed-demo --size $SIZE)"
	if ! stack_out=$(SEED=1 SEED_SIZE=$SIZE PG_FSYNC=off KEEPCONN=off ACCESS_LOG=off PORTAL_REQUEST_LOG=0 \
		PORTAL_WORKERS=$WORKERS stack start 2>&1); then
		echo "$stack_out" >&2
		die "scripts/stack start failed"
	fi
fi
t1=$(date +%s.%N)
grep -E '^(NOTICE|seed-demo)' <<<"$stack_out" | sed 's/^/  /' || true
SEED_S=$(printf '%.0f' "$(echo "$t1 - $t0" | bc)")
if [ "${BENCH_PGSS:-1}" = 1 ] && ! grep -q pg_stat_statements "$VAR_DIR/pg/postgresql.conf"; then
	printf "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = all\n" >>"$VAR_DIR/pg/postgresql.conf"
	stack pg-stop
	stack pg-start
	psql_pg -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements'
fi

NW=$(psql_owner -c "SELECT id FROM tenants WHERE kind = 'mssp' AND name = 'Northwind Security'")
[ -n "$NW" ] || die "no Northwind Security"
# Every company of Northwind: at least 5 devices (probes and agents).
added=$(psql_owner -c "WITH n AS (
	INSERT INTO assets (tenant_id, root_id, external_id, kind, name)
	SELECT t.id, t.root_id, format('cfg-agent-%s', g), 'agent', format('cfg-agent-%s-%s', t.id, g)
	  FROM tenants t CROSS JOIN generate_series(1, 5) g
	 WHERE t.root_id = $NW AND t.kind = 'company' AND t.status = 'active'
	   AND (SELECT count(*) FROM assets a WHERE a.tenant_id = t.id AND a.kind IN ('probe', 'agent')) < g
	RETURNING 1) SELECT count(*) FROM n")
psql_pg -c 'ANALYZE'
t2=$(date +%s.%N)
read -r N_MSP N_CO N_DEV <<<"$(psql_owner -F' ' -c "SELECT
	(SELECT count(*) FROM tenants WHERE root_id = $NW AND kind = 'msp' AND status = 'active'),
	(SELECT count(*) FROM tenants WHERE root_id = $NW AND kind = 'company' AND status = 'active'),
	(SELECT count(*) FROM assets a JOIN tenants t ON t.id = a.tenant_id
	  WHERE t.root_id = $NW AND t.kind = 'company' AND a.kind IN ('probe', 'agent'))")"
printf '  stack start + seed %s s, devices + ANALYZE %.0f s: Northwind: %s MSPs, %s companies, %s devices (%s added)\n' \
	"$SEED_S" "$(echo "$t2 - $t1" | bc)" "$N_MSP" "$N_CO" "$N_DEV" "$added"

# The MSSP Admin's session (as a sign-in would make it; tests/lib/portal.py
# session_token) and Northwind's API key.
TOKEN=$(head -c 32 /dev/urandom | sha256sum | cut -c1-64)
psql_owner -c "INSERT INTO sessions (token_hash, user_id, expires_at)
	SELECT encode(sha256('$TOKEN'::bytea), 'hex'), id, now() + interval '1 day' FROM users WHERE email = '$EMAIL'" >/dev/null
KEY=$("${AS_USER[@]}" env PORTAL_DB_OWNER="host=$RUN dbname=portal user=portal_owner" "$BIN_DIR/ctl" api-key \
	--tenant "$NW" --name "config bench") || die "ctl api-key failed"

# The plan, its sections, the shares and the overrides (as the MSSP Admin).
echo "== plan: create, 4 sections, share with every MSP, override url_filtering on every 10th company"
t3=$(date +%s.%N)
PLAN=$(as_admin "SELECT plan_id FROM plan_create($NW, 'Bench baseline $(date +%s)') WHERE outcome = 'ok'")
[ -n "$PLAN" ] || die "plan_create failed"
RULES=$(python3 -c 'import json; print(json.dumps({"rules": [{"name": "Rule %d" % i, "source": "10.%d.0.0/16" % i,
	"destination": "any", "service": ["https", "ssh", "dns", "any"][i % 4], "action": ["accept", "drop"][i % 2],
	"log": i % 3 == 0} for i in range(20)]}))')
URLF='{"blocked_categories": ["gambling", "malware", "phishing", "p2p"], "custom_blocked": ["bad.example.com", "*.tracker.example.net"], "custom_allowed": ["intranet.example.com"]}'
THREAT='{"ips": "prevent", "profile": "strict", "antivirus": true, "anti_bot": true, "exceptions": [{"name": "Legacy ERP", "target": "10.1.2.3", "protection": "SMB signing"}]}'
AGENT='{"ring": "early", "window_day": "sun", "window_start": "01:00", "window_hours": 3}'
saved=$(as_admin "SELECT string_agg(s.outcome, ',') FROM (VALUES ('access_policy', '$RULES'), ('url_filtering', '$URLF'),
	('threat_prevention', '$THREAT'), ('agent_updates', '$AGENT')) v(section, doc)
	CROSS JOIN LATERAL plan_section_save($NW, $PLAN, v.section, v.doc::jsonb, 1, 'edit') s")
[ "$saved" = "ok,ok,ok,ok" ] || die "plan_section_save: $saved"
shared=$(as_admin "SELECT count(*) FILTER (WHERE s.outcome = 'ok') || ' of ' || count(*) FROM tenants m
	CROSS JOIN LATERAL plan_share($NW, $PLAN, m.id, true) s
	WHERE m.parent_id = $NW AND m.kind = 'msp' AND m.status = 'active'")
OVR_URLF='{"blocked_categories": ["gambling", "malware", "social_media"], "custom_blocked": ["games.example.com"], "custom_allowed": []}'
overridden=$(as_admin "SELECT count(*) FILTER (WHERE o.outcome IN ('ok', 'conflict')) || ' of ' || count(*) FROM tenants c
	CROSS JOIN LATERAL config_override_save(c.id, NULL, 'url_filtering', '$OVR_URLF'::jsonb, NULL) o
	WHERE c.root_id = $NW AND c.kind = 'company' AND c.status = 'active' AND c.id % 10 = 0")
following=$(psql_owner -c "SELECT count(*) FROM tenants t CROSS JOIN LATERAL plan_followed(t.ancestors) f
	WHERE t.root_id = $NW AND t.kind = 'company' AND t.status = 'active' AND f.plan_id = $PLAN")
t4=$(date +%s.%N)
printf '  plan %s: shared with %s MSPs, url_filtering overridden on %s companies, %s companies follow it (%.0f s)\n' \
	"$PLAN" "$shared" "$overridden" "$following" "$(echo "$t4 - $t3" | bc)"
psql_pg -c 'ANALYZE' >/dev/null

# The device list (5 a company) and the ETags of a sample (2 devices of
# every k-th company, so the sample spreads over the MSPs).
d=$VAR_DIR/bench
mkdir -p "$d"
URLS=$d/urls.txt
ETAG_URLS=$d/etag-urls.txt
DEVICES="SELECT a.tenant_id, a.id, a.external_id, a.rn, dense_rank() OVER (ORDER BY a.tenant_id) AS co
	FROM (SELECT a.tenant_id, a.id, a.external_id, row_number() OVER (PARTITION BY a.tenant_id ORDER BY a.id) AS rn
	        FROM assets a JOIN tenants t ON t.id = a.tenant_id
	       WHERE t.root_id = $NW AND t.kind = 'company' AND t.status = 'active' AND a.kind IN ('probe', 'agent')) a
	WHERE a.rn <= 5"
psql_owner -c "SELECT format('/api/v2/devices/%s/config?tenant_id=%s', d.external_id, d.tenant_id) FROM ($DEVICES) d
	ORDER BY d.rn, d.tenant_id" >"$URLS"
N_URLS=$(wc -l <"$URLS")
# One device of each company (the list is by rn, then company): the 200cold runs.
COLD200_URLS=$d/cold200-urls.txt
head -n "$N_CO" "$URLS" >"$COLD200_URLS"
COLD_SECS=$(((SECS + 1) / 2))
# Every account's document built and kept (config_poll() of one device of
# each company, as the owner): the 200 row's state, a fleet between changes.
keep_documents() {
	local k0 k1 kept
	k0=$(date +%s.%N)
	kept=$(psql_owner -c "SELECT count(*) FILTER (WHERE p.doc IS NOT NULL) FROM ($DEVICES) d
		CROSS JOIN LATERAL config_poll('$KEY', d.tenant_id, d.external_id) p WHERE d.rn = 1")
	k1=$(date +%s.%N)
	[ "$kept" = "$N_CO" ] || die "keep_documents: $kept documents for $N_CO companies"
	KEEP_S=$(echo "$k1 - $k0" | bc | xargs printf '%.1f')
	echo "  every account's document built and kept: $kept in $KEEP_S s"
}
t5=$(date +%s.%N)
EVERY=$(((N_CO * 2 + N_ETAGS - 1) / N_ETAGS))
[ "$EVERY" -ge 1 ] || EVERY=1
as_admin "SELECT format('/api/v2/devices/%s/config?tenant_id=%s', d.external_id, d.tenant_id) || ' \"'
	|| left(encode(sha256(convert_to(config_effective(d.tenant_id, d.id)::text, 'UTF8')), 'hex'), 32) || '\"'
	FROM (SELECT * FROM ($DEVICES) d WHERE d.rn <= 2 AND d.co % $EVERY = 0 ORDER BY d.rn, d.tenant_id LIMIT $N_ETAGS) d
	ORDER BY d.rn, d.tenant_id" >"$ETAG_URLS"
N_ETAG_URLS=$(wc -l <"$ETAG_URLS")
t6=$(date +%s.%N)
printf '  %s device URLs; ETags of %s devices computed in SQL in %.1f s\n' "$N_URLS" "$N_ETAG_URLS" "$(echo "$t6 - $t5" | bc)"
[ "$N_URLS" -gt 0 ] && [ "$N_ETAG_URLS" -gt 0 ] || die "no devices"

# The API's ETag and body on a sample: the SQL's ETags are the API's.
poll() { # path [etag] -> "code etag" (body in $d/poll.body)
	local h=$d/poll.head inm=()
	[ -z "${2:-}" ] || inm=(-H "If-None-Match: $2")
	curl -s -o "$d/poll.body" -D "$h" -H "Authorization: Bearer $KEY" "${inm[@]}" "$BASE$1" >/dev/null
	printf '%s %s\n' "$(sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$h")" \
		"$(sed -n 's/^[Ee][Tt]ag: *\(.*\)/\1/p' "$h" | tr -d '\r')"
}
while read -r path etag; do
	read -r code tag <<<"$(poll "$path")"
	[ "$code" = 200 ] && [ "$tag" = "$etag" ] || die "GET $path: $code $tag, SQL's ETag $etag"
	read -r code tag <<<"$(poll "$path" "$etag")"
	[ "$code" = 304 ] || die "GET $path with If-None-Match $etag: $code"
done < <(awk -v n="$N_ETAG_URLS" 'NR % int(n / 20 > 1 ? n / 20 : 1) == 0' "$ETAG_URLS")
read -r code tag <<<"$(poll "$(head -1 "$URLS")")"
[ "$code" = 200 ] || die "GET $(head -1 "$URLS"): $code"
DOC_BYTES=$(wc -c <"$d/poll.body")
grep -q '"plan": {' "$d/poll.body" || grep -q '"plan":{' "$d/poll.body" || die "the device follows no plan: $(head -c 300 "$d/poll.body")"
echo "  a device's document: $DOC_BYTES bytes; the API's ETags match the SQL's (20 sampled, 304 with them)"

setup_minimal
MIN_URLS=$d/minimal-urls.txt
echo /bench/minimal >"$MIN_URLS"
# Warm up (connections, prepared statements).
wrk -t2 -c"$CONNS" -d1s "$BASE/bench/minimal" >/dev/null
BENCH_URLS=$URLS BENCH_AUTH="Bearer $KEY" BENCH_INM=0 wrk -t2 -c"$CONNS" -d2s -s "$LUA" "$BASE" >/dev/null
[ "${BENCH_PGSS:-1}" != 1 ] || psql_pg -c 'SELECT pg_stat_statements_reset()' >/dev/null
# The workers' ETags of the 304 URIs (the 304 row's steady state).
BENCH_URLS=$ETAG_URLS BENCH_AUTH="Bearer $KEY" BENCH_INM=1 wrk -t2 -c"$CONNS" -d5s -s "$LUA" "$BASE" >/dev/null
COLD_RUN=0
echo "== ABBA: minimal, 200, 200cold, 304cold, 304, 304, 304cold, 200cold, 200, minimal"
for label in minimal 200 200cold 304cold 304 304 304cold 200cold 200 minimal; do
	run_wrk "$label"
done
if [ "${BENCH_PGSS:-1}" = 1 ]; then
	echo "  statements by total time (the six runs; user portal_app):"
	psql_pg -F' | ' -c "SELECT lpad(calls::text, 7), lpad(round(mean_exec_time::numeric, 3)::text, 8) || ' ms',
		lpad(round(100 * total_exec_time / sum(total_exec_time) OVER ())::text, 3) || ' %',
		left(regexp_replace(query, '\s+', ' ', 'g'), 110)
		FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
		WHERE r.rolname = 'portal_app' ORDER BY total_exec_time DESC LIMIT 12" | sed 's/^/    /' | tee -a "$WRK_LOG"
fi

# A plan change reaching every company: one plan_section_save as the MSSP
# Admin, timed from psql's start to its commit; then the next poll of
# BENCH_CHECK sampled devices (with their ETag of before) answers 200 with
# a new ETag and the new window_start.
echo "== plan change: agent_updates on plan $PLAN (followed by $following companies)"
drain
NEW_AGENT='{"ring": "broad", "window_day": "sat", "window_start": "03:30", "window_hours": 4}'
base=$(psql_owner -c "SELECT version FROM plan_sections WHERE plan_id = $PLAN AND section = 'agent_updates'")
c0=$(date +%s.%N)
change_out=$(psql_as portal_app -f - <<SQL
BEGIN;
SELECT app_identify('$TOKEN') IS NOT NULL;
\\timing on
SELECT outcome || ' ' || version FROM plan_section_save($NW, $PLAN, 'agent_updates', '$NEW_AGENT'::jsonb, $base, 'edit');
COMMIT;
SQL
)
c1=$(date +%s.%N)
CHANGE_MS=$(echo "($c1 - $c0) * 1000" | bc | xargs printf '%.0f')
changed=$(sed -n '2p' <<<"$change_out")
# the statement's and the COMMIT's own times (psql's \timing)
STMT_MS=$(awk '/^Time:/ { s += $2 } END { printf "%.1f", s }' <<<"$change_out")
[ "${changed%% *}" = ok ] || die "plan_section_save: $change_out"
seen=0
checked=0
v0=$(date +%s.%N)
while read -r path etag; do
	read -r code tag <<<"$(poll "$path" "$etag")"
	checked=$((checked + 1))
	if [ "$code" = 200 ] && [ "$tag" != "$etag" ] && grep -q '"window_start": "03:30"' "$d/poll.body"; then
		seen=$((seen + 1))
	else
		echo "config: WARNING: $path after the change: $code $tag (before: $etag)" >&2
	fi
done < <(awk -v n="$N_ETAG_URLS" -v k="$N_CHECK" 'NR % int(n / k > 1 ? n / k : 1) == 0' "$ETAG_URLS" | head -n "$N_CHECK")
v1=$(date +%s.%N)
printf '  plan_section_save: statement + COMMIT %s ms, psql start to commit %s ms (plan version %s); next poll: %s of %s sampled devices got the new document and ETag (%.1f s for the polls)\n' \
	"$STMT_MS" "$CHANGE_MS" "${changed#* }" "$seen" "$checked" "$(echo "$v1 - $v0" | bc)"

{
	echo
	echo "Devices polling their configuration: $(nproc) CPUs, wrk -t2 -c$CONNS -d${SECS}s, $WORKERS FastCGI workers, keep_conn off"
	echo "data: size $SIZE (stack start + seed $SEED_S s): Northwind: $N_MSP MSPs, $N_CO companies, $N_DEV devices;"
	echo "  plan shared with $shared MSPs, followed by $following companies, url_filtering overridden on $overridden companies"
	echo "  200: $N_URLS devices (5 a company) round-robin; 304: $N_ETAG_URLS devices with their ETags (computed in SQL, 20 checked against the API), kept by the workers; 304cold: the same, each URI new to the workers; document $DOC_BYTES bytes"
	printf '%-8s %10s %9s %9s %9s   %s\n' path "req/s" "p50 ms" "p99 ms" "/minimal" "answers (each run)"
	printf '%s\n' "${RESULTS[@]}" | awk '
		{ n[$1]++; rps[$1] += $2; p50[$1] += $3; p99[$1] += $4; st[$1] = st[$1] (st[$1] == "" ? "" : " ") $5 }
		END {
			m = rps["minimal"] / n["minimal"]
			split("minimal 200 200cold 304 304cold", order, " ")
			for (i = 1; i <= 5; i++) {
				k = order[i]
				if (!(k in n)) continue
				r = rps[k] / n[k]
				printf "%-8s %10.1f %9.2f %9.2f %9.3f   %s\n", k, r, p50[k] / n[k], p99[k] / n[k], r / m, st[k]
			}
			t304 = rps["304"] / n["304"] / m; t200 = rps["200"] / n["200"] / m
			printf "target 304 >= 0.8 x minimal: %.3f %s (304cold, the first poll after a change: %.3f)\n", t304, (t304 >= 0.8 ? "met" : "MISSED"), rps["304cold"] / n["304cold"] / m
			printf "target 200 >= 0.5 x minimal: %.3f %s (200cold, the first poll of each account after a change: %.3f)\n", t200, (t200 >= 0.5 ? "met" : "MISSED"), rps["200cold"] / n["200cold"] / m
		}'
	printf 'plan change (plan_section_save of agent_updates, reaching %s companies): committed in %s ms from psql start (statement + COMMIT %s ms; target < 2000 ms: %s);\n' \
		"$following" "$CHANGE_MS" "$STMT_MS" "$([ "$CHANGE_MS" -lt 2000 ] && echo met || echo MISSED)"
	printf '  next poll of %s sampled devices with their old ETag: %s got 200, the new ETag and the new document (%s)\n' \
		"$checked" "$seen" "$([ "$seen" = "$checked" ] && [ "$checked" -gt 0 ] && echo met || echo MISSED)"
	echo "  200cold: one device of each of the $N_CO companies, ${COLD_SECS} s runs, the documents' generation bumped before each (no account polled twice); 200: every account's document kept (built in $KEEP_S s)"
	echo "each row: the mean of its two runs (ABBA: minimal, 200, 200cold, 304cold, 304, 304, 304cold, 200cold, 200, minimal); /minimal: over the mean of the minimal's two runs"
	echo "minimal: tests/bench/minimal.c serving the /login page (one query, as foundation.sh), through the same wrk Lua script"
	echo "raw wrk output: $WRK_LOG"
} | tee "$OUT"
