"""The read replica (REPLICA=1, docs/scaling.md): signed-in pages that only
read are answered from a PostgreSQL hot standby; a user's own writes and
every change the workers' caches were told of are never read older from
it; a stopped replica leaves the primary serving. Run by tests/run against
the scale-out stack (REPLICA=1 PORTAL_MASTERS=2).

The replica is made to lag on purpose by pausing its replay
(pg_wal_replay_pause(), as a superuser on the standby): what the primary
has then and the replica has not is what a lagging replica would miss."""
import contextlib
import itertools
import json
import re
import time

import portal

REPLICA_PORT = 5433
SLA_FORM = {"ack_critical": "30", "resolve_critical": "480", "ack_high": "120", "resolve_high": "2880",
            "ack_medium": "240", "resolve_medium": "4320", "ack_low": "1440", "resolve_low": "10080"}


def on_replica(ctx, sql):
    return ctx.stack.psql(sql, user="postgres", port=REPLICA_PORT)


@contextlib.contextmanager
def replay_paused(ctx):
    """The replica stops applying the primary's changes for the block (it
    keeps receiving them); then it catches up, and the block's end waits
    until it has."""
    caught_up(ctx)
    on_replica(ctx, "SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        on_replica(ctx, "SELECT pg_wal_replay_resume()")
        caught_up(ctx)


def caught_up(ctx):
    # The primary's insert position as the end of a record (past a page's
    # header there is none: cgi/db.c, primary_position()).
    at = int(ctx.stack.psql("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn"))
    at -= 40 if at % (16 << 20) == 40 else 24 if at % 8192 == 24 else 0
    portal.wait_for("the replica to replay %d" % at, lambda: on_replica(
        ctx, "SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn >= %d" % at) == "t", timeout=60)


def served_by_replica(ctx, since):
    """The signed-in requests logged since offset `since` of the masters'
    logs, as (request line, answered by the replica?, the worker: its
    master's name and pid)."""
    out = []
    for name in ("portal", "portal-2"):
        for line in ctx.stack.log(name)[since.get(name, 0):].splitlines():
            m = re.search(r"\[(\d+)\] info: (GET \S+ \d+) .*user=\d+", line)
            if m:
                out.append((m.group(2), " db=replica" in line, (name, int(m.group(1)))))
    return out


def log_marks(ctx):
    return {name: len(ctx.stack.log(name)) for name in ("portal", "portal-2")}


def fetch(ctx, client, path, worker=False):
    """GET path as client (JSON): (the document, whether the replica
    answered it), from the request's own log line (written just after its
    answer, so awaited); with worker, and which worker answered it (its
    master's name and its pid)."""
    mark = log_marks(ctx)
    r = client.get_json(path)
    assert r.status == 200, r
    lines = portal.wait_for("the request's log line", lambda: served_by_replica(ctx, mark))
    assert len(lines) == 1, lines
    return (r.json(), lines[0][1]) + ((lines[0][2],) if worker else ())


def one_critical(ctx, key, co, ext):
    """Ingest one critical finding (external ID ext) into company co with
    API key `key`."""
    r = ctx.client().request("POST", "/api/v2/vulnerabilities", body=json.dumps({"items": [
        {"external_id": ext, "cve": "CVE-2024-3400", "severity": "critical", "tenant_id": co}]}),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    assert r.status == 200 and r.json()["accepted"] == 1, r


def bluefin_feed(ctx, which, name):
    """A company of Bluefin IT (its "min" or "max" id), an API key of
    Bluefin's named name, the MSSP Admin signed in with no wrote cookie
    (what they see, not what they wrote), and the workers a master has."""
    bf = ctx.stack.tenant_id("Bluefin IT")
    co = int(ctx.stack.psql("SELECT %s(id) FROM tenants WHERE parent_id = %d AND status = 'active'" % (which, bf)))
    key = portal.create_key(ctx, ctx.login("owner@msp1.example"), bf, name)["key"]
    viewer = ctx.login("admin@northwind.example")
    viewer.cookies.pop("portal_wrote", None)
    return co, key, viewer, int(ctx.stack.env()["PORTAL_WORKERS"])


def high_ack(doc):
    return next(t for t in doc["targets"] if t["severity"] == "high")["ack"]


def test_signed_in_pages_are_read_from_the_replica(ctx):
    admin = ctx.login("admin@northwind.example")
    caught_up(ctx)
    nw = ctx.stack.tenant_id("Northwind Security")
    before = int(on_replica(ctx, "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'portal'"))
    # Pages the caches do not keep (a query of their own each time), each
    # answered by the replica (a worker that has just heard of a change
    # elsewhere, a session's touch, the hourly billing job, reads from the
    # primary until the replica has it: each is asked until it is).
    for days in range(1, 9):
        portal.wait_for("the SLA page of %d days read from the replica" % days, lambda: (
            lambda doc_on: doc_on[0]["tenant"]["name"] == "Northwind Security" and doc_on[1])(
            fetch(ctx, admin, "/t/%d/sla?days=%d" % (nw, days))))
    # The standby's own statistics count the transactions it ran.
    portal.wait_for("the replica to count the pages' transactions", lambda: int(on_replica(
        ctx, "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'portal'")) >= before + 8)
    # The JSON twin from the replica is the document the primary gives
    # (but for the CSRF token, masked afresh in every answer).
    # (A worker that has just heard of a change, a session's touch, reads
    # from the primary until the replica has it: asked until one from the
    # replica.)
    got = {}

    def from_replica():
        got["doc"], on = fetch(ctx, admin, "/t/%d/sla?days=7" % nw)
        return on
    portal.wait_for("the page read from the replica", from_replica)
    twin = got["doc"]
    ctx.stack.script("replica-stop")
    try:
        again, on = fetch(ctx, admin, "/t/%d/sla?days=7" % nw)
        assert not on
    finally:
        ctx.stack.script("replica-start")
    twin.pop("csrf"), again.pop("csrf")
    assert json.dumps(twin, sort_keys=True) == json.dumps(again, sort_keys=True)


def test_a_user_reads_their_own_write_while_the_replica_lags(ctx):
    nw = ctx.stack.tenant_id("Northwind Security")
    page = "/t/%d/sla" % nw
    writer = ctx.login("admin@northwind.example")
    other = ctx.login("admin@northwind.example")  # another browser of the same user
    other.cookies.pop("portal_wrote", None)  # it wrote nothing (signing in did)
    try:
        was = high_ack(fetch(ctx, writer, page)[0])
        assert was != 77
        with replay_paused(ctx):
            r = writer.post("/t/%d/sla/targets" % nw, dict(SLA_FORM, ack_high="77"))
            assert r.status == 303, r
            assert re.fullmatch(r"[0-9A-F]+/[0-9A-F]+", writer.cookies.get("portal_wrote", "")), writer.cookies
            # The writer's next pages see the write: the replica has not
            # replayed it, so they are read from the primary ...
            for _ in range(4):
                doc, replica = fetch(ctx, writer, page)
                assert high_ack(doc) == 77 and not replica
            # ... while the other browser, which wrote nothing and whose
            # workers were told of no change (the targets notify nothing),
            # is served by the replica, which does not have it yet (a
            # worker that found the replica down a moment ago, in an
            # earlier test, reads from the primary for 5 s: it is asked
            # until one reads from the replica).
            seen = []

            def from_replica():
                doc, replica = fetch(ctx, other, page)
                seen.append((high_ack(doc), replica))
                return replica
            portal.wait_for("a page of the other browser read from the replica", from_replica, timeout=15)
            assert all(ack == (was if replica else 77) for ack, replica in seen), seen
        # Replayed: everyone sees it.
        assert high_ack(fetch(ctx, other, page)[0]) == 77
    finally:
        ctx.stack.psql("DELETE FROM sla_targets WHERE tenant_id = %d" % nw)


def test_a_change_the_caches_were_told_of_is_never_read_older_from_the_replica(ctx):
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE kind = 'company' AND parent_id = %d"
                            % ctx.stack.tenant_id("Bluefin IT")))
    name = ctx.stack.psql("SELECT name FROM tenants WHERE id = %d" % co)
    viewer = ctx.login("admin@northwind.example")
    viewer.cookies.pop("portal_wrote", None)
    assert viewer.get_json("/t/%d" % co).json()["tenant"]["name"] == name
    try:
        with replay_paused(ctx):
            # A rename from elsewhere (psql): it notifies the workers
            # (context_changed()), which drop what they cached and must not
            # read the old name back from the lagging replica.
            ctx.stack.psql("UPDATE tenants SET name = 'Renamed While Lagging' WHERE id = %d" % co)
            portal.wait_for("the page to show the new name", lambda: viewer.get_json("/t/%d" % co).json()
                            ["tenant"]["name"] == "Renamed While Lagging")
            for _ in range(6):  # every worker, whichever takes the request
                assert viewer.get_json("/t/%d" % co).json()["tenant"]["name"] == "Renamed While Lagging"
    finally:
        ctx.stack.psql("UPDATE tenants SET name = '%s' WHERE id = %d" % (name.replace("'", "''"), co))


def test_a_worker_started_after_a_change_does_not_read_it_older_from_the_replica(ctx):
    # A process hears only what commits after its connection's LISTEN: a
    # worker that starts (or reconnects) after a change takes the
    # primary's position as heard of everything, and reads from the
    # primary until the replica has it (before, its first page came from
    # the lagging replica, without the change, and was cached so).
    co, key, viewer, workers = bluefin_feed(ctx, "max", "replica-start")
    ext = "replica-start-%d" % time.time_ns()
    before = fetch(ctx, viewer, "/t/%d" % co)[0]["stats"]["critical"]
    try:
        with replay_paused(ctx):
            one_critical(ctx, key, co, ext)
            ctx.stack.script("master-stop", "2")
            ctx.stack.script("master-start", "2")  # its workers connect after the batch
            mark = log_marks(ctx)
            for _ in range(2 * workers):
                r = portal.on_master(ctx, 2, viewer).get_json("/t/%d" % co)
                assert r.status == 200 and r.json()["stats"]["critical"] == before + 1, \
                    (r.status, r.json()["stats"] if r.status == 200 else r.text)
            served = portal.wait_for("the requests' log lines", lambda: (
                lambda s: s if len(s) == 2 * workers else None)(served_by_replica(ctx, mark)))
            assert not any(on for _, on, _ in served), served
    finally:
        ctx.stack.psql("DELETE FROM vulnerabilities WHERE external_id = '%s'; DELETE FROM api_keys"
                       " WHERE name = 'replica-start'" % ext)


def test_a_stopped_replica_leaves_the_primary_serving(ctx):
    admin = ctx.login("admin@northwind.example")
    nw = ctx.stack.tenant_id("Northwind Security")
    portal.wait_for("the replica up", lambda: ctx.client().get("/healthz").json()["replica"]["state"] == "up")
    ctx.stack.script("replica-stop")
    try:
        health = ctx.client().get("/healthz")
        assert health.status == 200 and health.json()["status"] == "ok", health
        assert health.json()["replica"]["state"] == "down"
        mark = log_marks(ctx)
        for days in range(1, 13):
            r = admin.get("/t/%d/sla?days=%d" % (nw, days))
            assert r.status == 200 and "Northwind" in r.text, r
        lines = served_by_replica(ctx, mark)
        assert len(lines) == 12 and not any(on for _, on, _ in lines), lines
    finally:
        ctx.stack.script("replica-start")
    portal.wait_for("/healthz to see the replica again", lambda: ctx.client().get("/healthz").json()
                    ["replica"]["state"] == "up")
    # Each worker tries it again 5 s after it failed: the pages go back to it.
    portal.wait_for("a page read from the replica again",
                    lambda: fetch(ctx, admin, "/t/%d/sla?days=3" % nw)[1], timeout=20)


def test_healthz_reports_the_replicas_lag(ctx):
    caught_up(ctx)
    with replay_paused(ctx):
        ctx.stack.psql("CREATE TABLE lag_maker AS SELECT g FROM generate_series(1, 1000) g;"
                       " DROP TABLE lag_maker")  # WAL the replica has not replayed
        lag = portal.wait_for("a lag on /healthz", lambda: (lambda r: r if r["lag_bytes"] > 0 else None)(
            ctx.client().get("/healthz").json()["replica"]))
        assert lag["state"] == "up" and lag["lag_seconds"] > 0, lag
    assert ctx.client().get("/healthz").json()["replica"]["lag_bytes"] == 0


def test_a_change_to_one_tenant_leaves_the_other_tenants_pages_on_the_replica(ctx):
    # A batch into a company of Bluefin IT names that company, Bluefin IT
    # and Northwind (tenants_changed()): their pages are read from the
    # primary until the replica has the batch; a company of another MSP is
    # still read from the replica, which lags (replay paused) but has
    # everything that company's page shows.
    nw, bf = ctx.stack.tenant_id("Northwind Security"), ctx.stack.tenant_id("Bluefin IT")
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND status = 'active'" % bf))
    other = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE root_id = %d AND kind = 'company'"
                               " AND status = 'active' AND NOT %d = ANY (ancestors)" % (nw, bf)))
    key = portal.create_key(ctx, ctx.login("owner@msp1.example"), bf, "replica-feed")["key"]
    admin = ctx.login("admin@northwind.example")
    admin.cookies.pop("portal_wrote", None)  # what it sees, not what it wrote
    ext = "replica-%d" % time.time_ns()
    before = fetch(ctx, admin, "/t/%d" % co)[0]["stats"]["critical"]
    try:
        with replay_paused(ctx):
            one_critical(ctx, key, co, ext)
            # The company's page has it on every worker once that worker
            # heard of it (each hears when its own backend sends the
            # notification, a moment after the commit, which another
            # worker may answer first): a worker that showed it once
            # shows it from then on, from the primary, and asked until
            # each worker seen has shown it, all do.
            heard, seen = set(), []

            def every_worker_shows_it():
                doc, replica, worker = fetch(ctx, admin, "/t/%d" % co, worker=True)
                fresh = doc["stats"]["critical"] == before + 1
                assert fresh or worker not in heard, (worker, doc["stats"], replica)
                if fresh:
                    assert not replica, worker  # replay is paused: the replica cannot have it
                    heard.add(worker)
                seen.append(worker)
                return len(seen) >= 12 and heard >= set(seen)
            portal.wait_for("every worker to show the batch", every_worker_shows_it, timeout=30)
            # The other company's page: from the replica (asked until a
            # worker not in its 5 s pause after an earlier test's stop
            # answers). Each ask is a page of its own (an unused search):
            # a page computed from the primary during a pause would be
            # shared and cached by every worker, and not read again.
            asked = itertools.count()
            portal.wait_for("the other company's page read from the replica",
                            lambda: fetch(ctx, admin, "/t/%d?q=replica-%s-%d" % (other, ext, next(asked)))[1],
                            timeout=15)
    finally:
        ctx.stack.psql("DELETE FROM vulnerabilities WHERE external_id = '%s'; DELETE FROM api_keys"
                       " WHERE name = 'replica-feed'" % ext)


def test_a_page_read_from_the_replica_is_not_shared_with_the_other_workers(ctx):
    # A worker that has not heard of a change yet may read a page from the
    # replica, from before it, under the epoch another worker moved for it
    # already: such a page stays that worker's own (its hearing lets it
    # go), and the master's other workers compute theirs (cgi/db.c,
    # page_cache_publish()). Here the replica has the change, so every
    # page is right; what is checked is where each came from: a worker's
    # page=shared only ever follows a page its master computed from the
    # primary. The change is repeated until a master's first computed
    # view after it was read from the replica (a session's touch sends a
    # worker to the primary for a moment).
    co, key, viewer, workers = bluefin_feed(ctx, "min", "replica-share")
    runs = []
    try:
        for attempt in range(10):
            one_critical(ctx, key, co, "replica-share-%d" % attempt)  # every worker's entry goes
            caught_up(ctx)
            mark = log_marks(ctx)["portal-2"]
            for _ in range(6 * workers):
                r = portal.on_master(ctx, 2, viewer).get_json("/t/%d" % co)
                assert r.status == 200, r
            lines = portal.wait_for("the requests' log lines", lambda: (lambda s: s if len(s) == 6 * workers else None)(
                re.findall(r"\[(\d+)\] info: GET /t/%d \d+ .*?user=\d+(?: ctx=cached)?( page=\w+)?( db=replica)?\n" % co,
                           ctx.stack.log("portal-2")[mark:])))
            runs.append(lines)
            # Shared only once a page computed from the primary was there to share.
            from_primary = False
            for pid, page, replica in lines:
                assert page != " page=shared" or from_primary, lines
                from_primary = from_primary or (not page and not replica)
            first = next(line for line in lines if not line[1])
            if first[2] and len({pid for pid, _, _ in lines}) > 1:
                break  # the first computed page was the replica's, and another worker asked after it
        else:
            raise AssertionError("no run whose first computed page was read from the replica: %r" % runs)
        # ... and the workers after it computed theirs.
        assert any(pid != first[0] and not page for pid, page, _ in lines), lines
    finally:
        ctx.stack.psql("DELETE FROM vulnerabilities WHERE external_id LIKE 'replica-share-%'; DELETE FROM api_keys"
                       " WHERE name = 'replica-share'")


def test_with_a_replica_each_workers_hearing_of_a_change_lets_its_pages_go(ctx):
    # Without a replica, the first of a master's workers to hear a
    # transaction moves its tenants' epoch and the others leave it
    # (test_context_cache.py). With one, a worker that has not heard it
    # yet may have read a page from the replica, from before it, under
    # the epoch already moved: its own hearing must let that page go, so
    # every hearing moves the epoch. The second hearing is a second
    # notification of the same transaction from psql; the wrote cookie
    # has the worker drain it before it looks at its cache.
    nw = ctx.stack.tenant_id("Northwind Security")
    admin = ctx.login("admin@northwind.example")
    workers = int(ctx.stack.env()["PORTAL_WORKERS"])
    path = "/t/%d" % nw
    line = re.compile(r"\[\d+\] info: GET %s 200 \S+ user=\d+(?: ctx=cached)?( page=(?:cached|shared))?( db=replica)?\n"
                      % path)
    tx = (1 << 62) + time.time_ns() % 10**12  # above any real transaction's

    def views(n, wrote=False):
        mark = log_marks(ctx)["portal-2"]
        for _ in range(n):
            if wrote:
                admin.cookies["portal_wrote"] = ctx.stack.psql("SELECT pg_current_wal_lsn()", user="postgres")
            assert portal.on_master(ctx, 2, admin).get_json(path).status == 200
        return portal.wait_for("the views' log lines", lambda: (lambda got: got if len(got) == n else None)(
            [m.group(1) == " page=cached" for m in line.finditer(ctx.stack.log("portal-2")[mark:])]))

    def notify(t):
        ctx.stack.psql("SELECT pg_notify('portal_context', 'x:%d;t:%d')" % (t, nw))

    admin.cookies.pop("portal_wrote", None)
    portal.wait_for("every view of the Global page cached", lambda: all(views(2 * workers)))
    notify(tx)
    assert not views(1, wrote=True)[0]
    portal.wait_for("every view cached again", lambda: all(views(2 * workers, True)))
    notify(tx)  # the same transaction, heard again
    got = views(1, wrote=True)
    assert got == [False], "a second hearing of one transaction kept the page: %r" % got


def test_a_report_too_long_on_the_replica_is_not_made_again_on_the_primary(ctx):
    """A report page read from the replica whose figures pass
    PORTAL_REPORT_WAIT there (the replica waiting on the primary's lock of
    sla_targets, which it replays) answers its 503 at once: the statement
    is not run again on the primary, where it would take as long again."""
    nw = ctx.stack.tenant_id("Northwind Security")
    path = "/t/%d/reports/executive?from=2025-03-01&to=2025-03-31" % nw
    with ctx.stack.master_with(masters=(1, 2), PORTAL_REPORT_WAIT="2"):
        admin = ctx.login("admin@northwind.example")
        caught_up(ctx)
        # the report from the replica (asked until it is: a worker that has
        # just heard of a change reads from the primary until the replica
        # has it)
        portal.wait_for("the report read from the replica", lambda: fetch(ctx, admin, path)[1])
        with ctx.stack.table_locked("sla_targets"):
            caught_up(ctx)  # the lock replayed: the replica's readers of the table wait

            def on_the_replica():
                # (asked until a worker reads it there, as above; one that
                # reads it on the primary times out there after 2 s too)
                mark = log_marks(ctx)
                r = admin.get_json(path)
                logs = "".join(ctx.stack.log(name)[mark[name]:] for name in mark)
                return (r, logs) if "statement st_report failed on the read replica" in logs else None
            r, logs = portal.wait_for("a report page timed out on the replica", on_the_replica, timeout=60)
        assert r.status == 503 and r.json()["too_long"] == 2 and "report" not in r.json(), r.text[:300]
        assert "the request goes on on the primary at st_report" not in logs
