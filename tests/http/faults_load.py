"""Faults under load, the short versions of `make soak`'s (tests/soak/soak.py,
docs/operations.md "Soak and faults"): PostgreSQL killed with SIGKILL while
a live feed ingests, and nginx reloaded while pages are read. The feed is
tests/bench/live_feed.py, sending a batch that failed again as an agent
would; what the API took must then be in the database once, and the
rollups must still count it."""
import os
import signal
import subprocess
import sys
import threading
import time

import portal

ROOT = portal.ROOT


def feed(ctx, prefix, rate=400):
    """Start live_feed.py on Northwind's companies; (process, summary path)."""
    nw = ctx.stack.tenant_id("Northwind Security")
    key = ctx.stack.ctl("api-key", "--tenant", str(nw), "--name", prefix).stdout.strip().splitlines()[-1]
    companies = os.path.join(ctx.stack.var, prefix + "-companies.txt")
    with open(companies, "w") as f:
        f.write(ctx.stack.psql("SELECT id FROM tenants WHERE kind = 'company' AND root_id = %d ORDER BY id LIMIT 8"
                               % nw))
    summary = os.path.join(ctx.stack.var, prefix + "-summary.json")
    status = os.path.join(ctx.stack.var, prefix + "-status")
    p = subprocess.Popen([sys.executable, os.path.join(ROOT, "tests", "bench", "live_feed.py"),
                          "--url", "http://127.0.0.1:%d" % ctx.port, "--key", key, "--tenants", companies,
                          "--rate", str(rate), "--senders", "2", "--prefix", prefix, "--retry",
                          "--summary", summary, "--status", status],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p, summary, status


def fed(status, field=1):
    """The feed's status file: batches taken (field 1) or failed (2)."""
    try:
        with open(status) as f:
            return int(f.read().split()[field])
    except (OSError, ValueError, IndexError):
        return 0


def test_postgres_killed_under_a_live_feed_loses_no_item_the_api_took(ctx):
    prefix = "faults%d" % int(time.time())
    p, summary, status = feed(ctx, prefix)
    try:
        portal.wait_for("batches taken before the kill", lambda: fed(status) >= 5, timeout=120)
        with open(os.path.join(ctx.stack.var, "pg", "postmaster.pid")) as f:
            postmaster = int(f.readline())
        os.kill(postmaster, signal.SIGKILL)
        portal.wait_for("the postmaster gone", lambda: not os.path.exists("/proc/%d" % postmaster) or open(
            "/proc/%d/stat" % postmaster).read().split()[2] == "Z", timeout=10)
        taken_at_kill = fed(status)
        # The outage is felt before it ends: a sender waits for its rate's
        # tokens between batches (up to 2.5 s for 500 items at 200 items/s),
        # longer than PostgreSQL takes to start again, so the restart waits
        # for a batch the API refused while it was down (sent again later).
        portal.wait_for("a batch refused while PostgreSQL is down", lambda: fed(status, 2) > 0, timeout=30)
        # Started again, as an init system would (its backends outlive a
        # SIGKILL'd postmaster for a moment: pg_ctl is tried until it starts).
        portal.wait_for("PostgreSQL started again", lambda: ctx.stack.script("pg-start", check=False).returncode == 0,
                        timeout=60)
        portal.wait_for("/healthz again", lambda: ctx.client().get("/healthz").status == 200, timeout=60)
        portal.wait_for("batches taken after the restart", lambda: fed(status) >= taken_at_kill + 5, timeout=120)
    finally:
        p.send_signal(signal.SIGTERM)
        out = p.communicate(timeout=120)[0]
    want, have = ctx.stack.feed_stored(prefix, summary)
    try:
        assert want, out
        missing = [w for w in want if w not in have]
        assert not missing, "items the API took are missing: %r" % missing[:10]
        assert all(n == 1 for n in have.values())
        # The rollups still agree with the rows, for every tenant.
        assert ctx.stack.rollups_differ() == 0
    finally:
        ctx.stack.psql("DELETE FROM vulnerabilities WHERE external_id LIKE '%s-v-%%';"
                       " DELETE FROM incidents WHERE external_id LIKE '%s-i-%%';"
                       " DELETE FROM api_keys WHERE name = '%s'" % (prefix, prefix, prefix))


def test_nginx_reloaded_under_load_loses_at_most_the_requests_in_flight(ctx):
    admin = ctx.login("admin@northwind.example")
    nw = ctx.stack.tenant_id("Northwind Security")
    stop = threading.Event()
    results = []

    def read(client, path):
        while not stop.is_set():
            try:
                results.append((time.time(), client.get(path).status))
            except Exception as e:
                results.append((time.time(), type(e).__name__))
    threads = [threading.Thread(target=read, args=(c, path)) for c, path in (
        (admin, "/t/%d" % nw), (ctx.login("admin@northwind.example"), "/t/%d/sla" % nw),
        (ctx.client(), "/healthz"), (ctx.client(), "/login"))]
    for t in threads:
        t.start()
    try:
        portal.wait_for("requests before the reload", lambda: len(results) > 40, timeout=60)
        pid = open(os.path.join(ctx.stack.var, "run", "nginx.pid")).read().strip()
        t_reload = time.time()
        r = ctx.stack.nginx("-s", "reload")
        assert r.returncode == 0, r.stdout
        # The old worker processes finish and leave; the new ones serve.
        portal.wait_for("requests after the reload", lambda: len([x for x in results if x[0] > t_reload + 1]) > 40,
                        timeout=120)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert open(os.path.join(ctx.stack.var, "run", "nginx.pid")).read().strip() == pid  # the same master
    # Every request sent once the new nginx workers had taken over is
    # answered; one in flight at the reload may be cut short: nginx 1.22's
    # old worker, after its last requests, sometimes exits with a
    # connection still open ("open socket left in connection ...;
    # aborting" in its error log; a client sees a truncated answer). At
    # most one per reader.
    bad = [x for x in results if x[1] != 200]
    assert not [x for x in bad if x[0] > t_reload + 1], bad[:10]
    assert len(bad) <= len(threads), bad[:10]
