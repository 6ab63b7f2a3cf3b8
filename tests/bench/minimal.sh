# minimal.sh - sourced by the benchmarks that run the minimal responder
# (tests/bench/minimal.c) beside the portal: its page and its process.
# Uses BASE, RUN, VAR_DIR, MINIMAL_BIN, AS_USER and die() of the caller.

# minimal_page DIR: the portal's own /login saved as DIR/page.html with the
# brand's title and footer (as the page shows them, escaped) replaced by
# {{title}} and {{footer}}; the responder puts its query's values back, so
# its bytes are the portal's whatever the layout links.
minimal_page() {
	curl -sf "$BASE/login" | python3 -c '
import re, sys
page = sys.stdin.read()
title = re.search(r"<title>Sign in \u00b7 (.*?)</title>", page).group(1)
foot = re.search(r"<footer class=\"footer\">\s*<p>(.*?)</p>", page)
page = page[:foot.start(1)] + "{{footer}}" + page[foot.end(1):]
sys.stdout.write(page.replace(title, "{{title}}"))' >"$1/page.html" || die "cannot save the /login page for the minimal responder"
}

# minimal_start DIR WORKERS: the responder (a copy in DIR, its page from
# minimal_page) on $RUN/minimal.sock with WORKERS processes; MIN_PID.
minimal_start() {
	local d=$1
	minimal_page "$d"
	cp "$MINIMAL_BIN" "$d/minimal"
	chown -R --reference="$VAR_DIR" "$d" 2>/dev/null || true
	"${AS_USER[@]}" env MINIMAL_PAGE="$d/page.html" MINIMAL_SOCKET="$RUN/minimal.sock" \
		PORTAL_DB="host=$RUN dbname=portal user=portal_app" PORTAL_WORKERS="$2" \
		"$d/minimal" >>"$VAR_DIR/log/minimal.log" 2>&1 &
	MIN_PID=$!
	for _ in $(seq 1 100); do [ -S "$RUN/minimal.sock" ] && break; sleep 0.1; done
	[ -S "$RUN/minimal.sock" ] || { cat "$VAR_DIR/log/minimal.log"; die "minimal responder did not start"; }
}
