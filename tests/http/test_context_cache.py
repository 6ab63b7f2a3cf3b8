"""The context cache (cgi/session.c, context_changed()): a worker
keeps a GET's context (session, user, tenant and role, brand, bell, the
dashboard cache's key) between requests, and lets it go as soon as anything
it was read from changes: through the portal in any worker, or from outside
it (psql here, ctl or a job in production).

Each test first repeats a page until the request log shows a worker
answering from the cache, so the change that follows has something cached
to undo. A change made through the portal must then show at once on every
worker (several requests, spread over the stack's workers). A change made
from psql reaches the workers when their database backends deliver its
notification (docs/architecture.md), a moment later: the requests are
repeated until all of them show it, for at most 10 s."""
import hashlib
import json
import re
import time

import portal

REPEAT = 9  # requests after a change: more than the stack's workers, several times over


def all_show(what, ask):
    """After a change from psql: wait until REPEAT requests in a row
    (ask() each) all return true."""
    portal.wait_for(what, lambda: all(ask() for _ in range(REPEAT)))


def cached_count(ctx, uid):
    return len(re.findall(r"^.* GET \S+ \d+ \S+ user=%d ctx=cached( page=(?:cached|shared))?$" % uid, ctx.stack.log(), re.M))


def warm(ctx, client, uid, path):
    """Repeat GET path until a worker answers it from the cache."""
    before = cached_count(ctx, uid)
    for _ in range(30):
        assert client.get(path).status == 200
        if cached_count(ctx, uid) > before:
            return
    raise AssertionError("no request for %s was answered from the context cache" % path)


def temp_member(ctx, email, tenant, role="viewer"):
    """A new user with role at tenant (the demo password); its id."""
    ctx.stack.psql("DELETE FROM users WHERE email = '%s'" % email)
    ctx.stack.psql("INSERT INTO users (email, name, password_hash, status) SELECT '%s', 'Cache Test',"
                   " password_hash, 'active' FROM users WHERE email = 'owner@msp1.example'" % email)
    uid = ctx.stack.user_id(email)
    ctx.stack.psql("INSERT INTO memberships (user_id, tenant_id, role) VALUES (%d, %d, '%s')" % (uid, tenant, role))
    return uid


def test_repeated_pages_are_answered_from_the_cache_with_the_same_context(ctx):
    uid = ctx.stack.user_id("owner@msp1.example")
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    owner = ctx.login("owner@msp1.example")
    first = owner.get_json("/t/%d" % bluefin).json()
    warm(ctx, owner, uid, "/t/%d" % bluefin)
    again = owner.get_json("/t/%d" % bluefin).json()
    for k in ("brand", "bell", "tenant", "user"):
        assert again.get(k) == first.get(k), k
    # The CSRF token is masked afresh in every response (BREACH), the token
    # behind it is the session's.
    assert again["csrf"] != first["csrf"] and portal.unmask_csrf(again["csrf"]) == portal.unmask_csrf(first["csrf"])


def test_a_membership_removed_through_the_portal_ends_access_in_every_worker(ctx):
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    uid = temp_member(ctx, "cache.member@example.com", bluefin)
    member = ctx.login("cache.member@example.com")
    warm(ctx, member, uid, "/t/%d" % bluefin)
    owner = ctx.login("owner@msp1.example")
    assert owner.post("/t/%d/team/%d/remove" % (bluefin, uid), {}).status == 303
    for _ in range(REPEAT):
        assert member.get("/t/%d" % bluefin).status == 404
    ctx.stack.psql("DELETE FROM users WHERE id = %d" % uid)


def test_a_membership_removed_outside_the_portal_ends_access(ctx):
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    uid = temp_member(ctx, "cache.outside@example.com", bluefin, "admin")
    member = ctx.login("cache.outside@example.com")
    warm(ctx, member, uid, "/t/%d" % bluefin)
    assert member.get_json("/t/%d" % bluefin).json()["tenant"]["role"] == "admin"
    try:
        ctx.stack.psql("UPDATE memberships SET role = 'viewer' WHERE user_id = %d" % uid)
        all_show("the role to be viewer", lambda: member.get_json("/t/%d" % bluefin).json()["tenant"]["role"] == "viewer")
        ctx.stack.psql("DELETE FROM memberships WHERE user_id = %d" % uid)
        all_show("the page to be refused", lambda: member.get("/t/%d" % bluefin).status == 404)
    finally:
        ctx.stack.psql("DELETE FROM users WHERE id = %d" % uid)


def test_the_bell_follows_notifications_from_both_sides(ctx):
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    uid = temp_member(ctx, "cache.bell@example.com", bluefin)
    c = ctx.login("cache.bell@example.com")
    page = "/t/%d" % bluefin
    assert c.get_json(page).json().get("bell", {}).get("unread", 0) == 0
    warm(ctx, c, uid, page)
    try:
        # From outside: a job or ctl writes a notification.
        ctx.stack.psql("INSERT INTO notifications (user_id, kind, title, link) VALUES (%d, 'test', 'Cache bell', '%s')"
                       % (uid, page))
        all_show("the bell to show the notification",
                 lambda: (lambda b: b.get("unread") == 1 and b["items"][0]["title"] == "Cache bell")(
                     c.get_json(page).json().get("bell", {})))
        warm(ctx, c, uid, page)
        # Through the portal: reading it.
        assert c.post("/notifications/read-all", {}).status == 303
        for _ in range(REPEAT):
            assert c.get_json(page).json().get("bell", {}).get("unread", 0) == 0
    finally:
        ctx.stack.psql("DELETE FROM users WHERE id = %d" % uid)


def test_a_signed_out_or_disabled_session_is_refused_at_once(ctx):
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    uid = temp_member(ctx, "cache.session@example.com", bluefin)
    page = "/t/%d" % bluefin
    # Sign-out in one client; the same cookie replayed by another.
    c = ctx.login("cache.session@example.com")
    warm(ctx, c, uid, page)
    thief = ctx.client()
    thief.cookies["portal_session"] = c.cookies["portal_session"]
    assert thief.get(page).status == 200
    assert c.post("/logout", {}).status == 303
    for _ in range(REPEAT):
        assert thief.get(page).status == 303
    # Disabled outside the portal.
    c = ctx.login("cache.session@example.com")
    warm(ctx, c, uid, page)
    try:
        ctx.stack.psql("UPDATE users SET status = 'disabled' WHERE id = %d" % uid)
        all_show("the disabled user's session to be refused", lambda: c.get(page).status == 303)
    finally:
        ctx.stack.psql("DELETE FROM users WHERE id = %d" % uid)


def test_a_brand_change_shows_at_once(ctx):
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    uid = ctx.stack.user_id("owner@msp1.example")
    owner = ctx.login("owner@msp1.example")
    page = "/t/%d" % bluefin
    old = owner.get_json(page).json()["brand"]["page_title"]
    warm(ctx, owner, uid, page)
    title = "Cached Brand %d" % (int(time.time()) % 100000)
    with ctx.stack.restoring("branding", "tenant_id = %d" % bluefin):
        ctx.stack.psql("INSERT INTO branding (tenant_id, root_id, page_title) SELECT id, root_id, '%s' FROM tenants"
                       " WHERE id = %d ON CONFLICT (tenant_id) DO UPDATE SET page_title = EXCLUDED.page_title"
                       % (title, bluefin))
        all_show("the new title", lambda: owner.get_json(page).json()["brand"]["page_title"] == title)
    all_show("the old title", lambda: owner.get_json(page).json()["brand"]["page_title"] == old)


def test_a_row_holds_until_the_sessions_next_touch_or_its_expiry(ctx):
    """t_until: the next touch (a minute after the last one) or the
    session's absolute expiry, whichever comes first."""
    c = ctx.login("viewer@msp1.example")
    tok = c.cookies["portal_session"]
    h = hashlib.sha256(tok.encode()).hexdigest()
    # Each change and the read in one statement list: one transaction, one
    # now(), so the bounds hold however slow the machine is (t_until is the
    # floor of an epoch, now() here rounded: one second apart at most). The
    # context is read by the token itself (app_user_id()), the row by its hash.
    q = ("; SELECT t_until - extract(epoch FROM now())::bigint FROM request_context('%s', 7200, NULL, '127.0.0.1')"
         % tok)
    assert 39 <= int(ctx.stack.psql("UPDATE sessions SET last_seen_at = now() - interval '20 seconds'"
                                    " WHERE token_hash = '%s'" % h + q)) <= 40
    assert 9 <= int(ctx.stack.psql("UPDATE sessions SET expires_at = now() + interval '10 seconds'"
                                   " WHERE token_hash = '%s'" % h + q)) <= 10
    # A touch due: request_context() touches and the row holds a minute.
    assert 59 <= int(ctx.stack.psql("UPDATE sessions SET last_seen_at = now() - interval '5 minutes', expires_at ="
                                    " now() + interval '1 hour' WHERE token_hash = '%s'" % h + q)) <= 60


def test_idle_workers_drain_their_notifications(ctx):
    """A worker waiting for requests still reads its connection's
    notifications as they come: otherwise its backend, once the socket is
    full, waits to write and holds back PostgreSQL's notification queue for
    every session."""
    ctx.login("viewer@msp1.example").get("/")  # every worker has a connection soon enough
    # About 1 MB to each worker: more than its socket holds.
    ctx.stack.psql("SELECT count(pg_notify('portal_context', repeat('x', 200) || g))"
                   " FROM generate_series(1, 5000) g")
    stuck = ("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mssp-portal'"
             " AND wait_event = 'ClientWrite'")
    portal.wait_for("no worker's backend to wait to write", lambda: ctx.stack.psql(stuck, user="postgres") == "0", 30)


def test_a_feed_batch_drops_only_the_pages_of_its_tenants(ctx):
    """The rollups' updates name their tenants (tenants_changed(),
    sess_data_epoch()): a batch ingested into a company of Bluefin IT moves
    the pages of that company, Bluefin IT and Northwind on every worker at
    once, and a company of another MSP keeps its cached page in every
    worker that held it. Before, every batch emptied every worker's caches,
    which is why the pages were slow under a live feed."""
    ctx.stack.steady_hour()
    uid = ctx.stack.user_id("admin@northwind.example")
    nw, bf = ctx.stack.tenant_id("Northwind Security"), ctx.stack.tenant_id("Bluefin IT")
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND status = 'active'" % bf))
    other = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE root_id = %d AND kind = 'company'"
                               " AND status = 'active' AND NOT %d = ANY (ancestors)" % (nw, bf)))
    key = portal.create_key(ctx, ctx.login("owner@msp1.example"), bf, "cache-feed")["key"]
    admin = ctx.login("admin@northwind.example")
    pages = {"global": "/t/%d" % nw, "other": "/t/%d" % other}
    line = re.compile(r"^.* portal\[(\d+)\] info: GET (\S+) 200 \S+ user=%d( ctx=cached)?( page=(?:cached|shared))?$" % uid, re.M)

    def answers(since):
        """(pid, path, page cached in the worker) of the admin's GETs
        logged after since (page=shared: computed after the batch by
        another worker)."""
        return [(m.group(1), m.group(2), m.group(4) == " page=cached") for m in line.finditer(ctx.stack.log()[since:])]

    mark = len(ctx.stack.log())
    for _ in range(REPEAT * 2):
        for p in pages.values():
            assert admin.get_json(p).status == 200
    before = admin.get_json(pages["global"]).json()["stats"]["critical"]
    held = {name: {pid for pid, path, _ in answers(mark) if path == p} for name, p in pages.items()}
    mark = len(ctx.stack.log())
    r = ctx.client().request("POST", "/api/v2/vulnerabilities", body=json.dumps({"items": [
        {"external_id": "feed-%d" % time.time_ns(), "cve": "CVE-2024-3400", "severity": "critical", "tenant_id": co}]}),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    assert r.status == 200 and r.json()["accepted"] == 1, r
    # Through the portal: published before its answer, so every view after
    # it shows the batch, and none of them is a page cached before it.
    for _ in range(REPEAT):
        for p in pages.values():
            v = admin.get_json(p)
            assert v.status == 200
            if p == pages["global"]:
                assert v.json()["stats"]["critical"] == before + 1
    # A worker that held the other company's page may have retired since
    # (PORTAL_MAX_REQUESTS): asked again until one that held it answers.
    portal.wait_for("a worker that held the other company's page to answer it again", lambda: (
        admin.get_json(pages["other"]).status == 200
        and any(path == pages["other"] and pid in held["other"] for pid, path, _ in answers(mark))))
    first = {}
    for pid, path, cached in answers(mark):
        first.setdefault((pid, path), cached)
    checked = 0
    for (pid, path), cached in first.items():
        if path == pages["global"] and pid in held["global"]:
            assert not cached, "worker %s answered the Global view from a page cached before the batch" % pid
        if path == pages["other"] and pid in held["other"]:
            assert cached, "worker %s let the page of a company outside the batch go" % pid
            checked += 1
    assert checked >= 1, "no worker that held the other company's page answered it again: %r" % first


def test_a_change_heard_by_every_worker_lets_each_page_go_once(ctx):
    """Every worker hears each change on its own database connection, a few
    ms apart. The notification names its transaction (tenants_changed()),
    and the first of the master's workers to hear it moves the tenants'
    epoch; the others leave it (epoch_set_move()). So a page a worker
    computed again after the first hearing is not let go at a second
    hearing of the same transaction, and a batch costs each worker one
    miss, not one per listening process. Another transaction still lets
    it go. The second hearing is a second notification of the same
    transaction from psql; the answer's wrote cookie (a position after it)
    has the worker drain it before it looks at its cache (db_catch_up()).

    A view is answered from the worker's own cache (page=cached), copied
    from the page another worker computed under the same epoch
    (page=shared: a worker that served no view since the change still
    holds the page from before it), or computed: only a moved epoch has a
    view computed, so that is what each step looks for."""
    ctx.stack.steady_hour()
    uid = ctx.stack.user_id("admin@northwind.example")
    nw = ctx.stack.tenant_id("Northwind Security")
    admin = ctx.login("admin@northwind.example")
    path = "/t/%d" % nw
    line = re.compile(r"^.* portal\[\d+\] info: GET %s 200 \S+ user=%d( ctx=cached)?( page=(cached|shared))?$" % (path, uid),
                      re.M)
    tx = (1 << 62) + time.time_ns() % 10**12  # above any real transaction's

    def views(n, wrote=False):
        """How each of n views was answered: cached, shared or computed;
        wrote: each after the primary's position now (drained first)."""
        mark = len(ctx.stack.log())
        for _ in range(n):
            if wrote:
                admin.cookies["portal_wrote"] = ctx.stack.psql("SELECT pg_current_wal_lsn()", user="postgres")
            assert admin.get_json(path).status == 200
        return [m.group(3) or "computed" for m in line.finditer(ctx.stack.log()[mark:])]

    def all_cached(wrote=False):
        return views(REPEAT, wrote) == ["cached"] * REPEAT

    def notify(t):
        ctx.stack.psql("SELECT pg_notify('portal_context', 'x:%d;t:%d')" % (t, nw))

    admin.cookies.pop("portal_wrote", None)
    portal.wait_for("every view of the Global page cached", all_cached)
    notify(tx)
    got = views(REPEAT, wrote=True)
    assert len(got) == REPEAT and got[0] == "computed", "the first view after the change was not computed: %r" % got
    portal.wait_for("every view cached again", lambda: all_cached(True))
    notify(tx)  # the same transaction, heard again
    got = views(REPEAT, wrote=True)
    assert len(got) == REPEAT and "computed" not in got, "a second hearing of one transaction let the page go: %r" % got
    notify(tx + 1)
    got = views(1, wrote=True)
    assert got == ["computed"], "the next transaction's change did not let the page go: %r" % got


def test_after_a_change_a_page_is_computed_once_for_all_the_workers(ctx):
    """After a change every worker misses the same page. The first to miss
    computes it and shares it through the master's memory
    (cgi/page_share.c); the others copy it (page=shared) instead of
    computing it too. What they answer is what the computing worker
    answered: the JSON twin's data, and the page's markup but for its CSRF
    token (masked afresh on every page)."""
    ctx.stack.steady_hour()
    uid = ctx.stack.user_id("admin@northwind.example")
    nw = ctx.stack.tenant_id("Northwind Security")
    admin = ctx.login("admin@northwind.example")
    path = "/t/%d" % nw
    line = re.compile(r"^.* portal\[(\d+)\] info: GET %s 200 \S+ user=%d( ctx=cached)?( page=(cached|shared))?$"
                      % (path, uid), re.M)
    csrf = re.compile(r'name="csrf" value="[0-9a-f]+"')
    tx = (1 << 62) + time.time_ns() % 10**12 + 10**13

    def view(as_json):
        """One view after the primary's position now (its notifications
        drained first): (pid, how it was answered, what it answered)."""
        mark = len(ctx.stack.log())
        admin.cookies["portal_wrote"] = ctx.stack.psql("SELECT pg_current_wal_lsn()", user="postgres")
        r = admin.get_json(path) if as_json else admin.get(path)
        assert r.status == 200
        got = [(m.group(1), m.group(4) or "computed") for m in line.finditer(ctx.stack.log()[mark:])]
        assert len(got) == 1, got
        if as_json:
            body = {k: r.json()[k] for k in ("stats", "trend", "top_cves", "incidents", "children", "table", "pending")}
        else:
            body = csrf.sub("", r.body.decode())
        return got[0] + (body,)

    for as_json in (True, False):
        admin.cookies.pop("portal_wrote", None)
        portal.wait_for("the page cached", lambda: view(as_json)[1] == "cached")
        tx += 1
        ctx.stack.psql("SELECT pg_notify('portal_context', 'x:%d;t:%d')" % (tx, nw))
        first = {}
        for _ in range(60):  # until two workers have answered since the change
            pid, how, body = view(as_json)
            first.setdefault(pid, (how, body))
            if len(first) >= 2 and len(first) * 6 > _:
                break
        assert len(first) >= 2, "one worker answered every view: %r" % list(first)
        hows = sorted(how for how, _ in first.values())
        assert hows == ["computed"] + ["shared"] * (len(first) - 1), \
            "each worker's first view after the change (%s): %r" % ("JSON" if as_json else "HTML", hows)
        bodies = [body for _, body in first.values()]
        assert all(b == bodies[0] for b in bodies), "a shared page differs from the one computed"


def test_the_incident_list_is_cached_and_every_change_to_an_incident_shows_at_once(ctx):
    """The incident list is kept in the workers' page cache (incidents.c):
    a repeated view is answered from it (page=cached); an incident that
    arrives through the API, and one acknowledged on the page, show on the
    very next view on every worker; the actions each viewer may take are
    their own, never the cached entry's (an entry is shared, so the page
    adds them to its copy)."""
    ctx.stack.steady_hour()
    uid = ctx.stack.user_id("owner@msp1.example")
    bf = ctx.stack.tenant_id("Bluefin IT")
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND status = 'active'" % bf))
    key = portal.create_key(ctx, ctx.login("owner@msp1.example"), bf, "cache-incidents")["key"]
    owner, viewer = ctx.login("owner@msp1.example"), ctx.login("viewer@msp1.example")
    path = "/t/%d/incidents?status=open&severity=critical" % bf
    line = re.compile(r"^.* portal\[\d+\] info: GET /t/%d/incidents 200 \S+ user=%d( ctx=cached)?( page=(?:cached|shared))?$"
                      % (bf, uid), re.M)
    ext = "cache-inc-%d" % time.time_ns()
    try:
        mark = len(ctx.stack.log())
        for _ in range(REPEAT * 2):
            assert owner.get_json(path).status == 200
        assert any(m.group(2) for m in line.finditer(ctx.stack.log()[mark:])), "never answered from the page cache"
        # The viewer shares the scope of what it may see (the same MSP), not
        # the owner's actions.
        for _ in range(REPEAT):
            rows = viewer.get_json(path).json()["incidents"]
            assert rows and not any(r["can_act"] for r in rows)
        assert all(r["can_act"] for r in owner.get_json(path).json()["incidents"] if r["open"])
        # A new critical incident through the API: on the next view, every time.
        r = ctx.client().request("POST", "/api/v2/incidents", body=json.dumps({"items": [
            {"external_id": ext, "severity": "critical", "title": "Cached list " + ext, "tenant_id": co,
             "indicator": "cache.example", "indicator_kind": "domain", "opened_at": "2026-12-01T00:00:00Z"}]}),
            headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
        assert r.status == 200 and r.json()["accepted"] == 1, r
        iid = int(ctx.stack.psql("SELECT id FROM incidents WHERE external_id = '%s'" % ext))
        for _ in range(REPEAT):
            row = [x for x in owner.get_json(path).json()["incidents"] if x["id"] == iid]
            assert row and row[0]["open"] and not row[0].get("acknowledged"), row
        # Acknowledged on the page: the next views say so.
        r = owner.post("/t/%d/incidents/%d/acknowledge?status=open&severity=critical" % (bf, iid), {})
        assert r.status == 303, r
        for _ in range(REPEAT):
            row = [x for x in owner.get_json(path).json()["incidents"] if x["id"] == iid]
            assert row and row[0].get("acknowledged"), row
    finally:
        ctx.stack.psql("DELETE FROM incidents WHERE external_id = '%s'; DELETE FROM api_keys WHERE name = "
                       "'cache-incidents'" % ext)
