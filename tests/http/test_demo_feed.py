"""The live demo's feeder (build/bin/demofeed; docs/operations.md, "The
demo feed"). Started the way `make run` starts it (scripts/stack, here its
feed-start) for an MSSP tree of this file's own, it posts through nginx and
the ingest API until the Global dashboard's 24-hour figures move and the
incidents it opened are resolved, and resolves what is still open when it
is stopped. Without demo data (SEED=0) or with DEMO_FEED=0 the stack starts
none, and the test stack (scripts/stack start) runs none."""
import os
import subprocess
import time

import portal

_tree = {}
PASSWORD = "feed-admin-pw-2026"


def tree(ctx):
    """An MSSP (made with ctl create-admin) with two MSPs of two companies each."""
    if _tree:
        return _tree
    n = int(time.time() * 1000) % 1000000
    name, email = "Feed MSSP %d" % n, "feed-%d@feed.example" % n
    p = ctx.stack.ctl("create-admin", "--mssp", name, "--region", "eu", "--email", email, "--name", "Fay Feed",
                      env={"PORTAL_ADMIN_PASSWORD": PASSWORD})
    assert p.returncode == 0, p.stdout
    mssp = ctx.stack.tenant_id(name)
    ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " SELECT 'msp', format('Feed MSP %d-%%s', g), 'eu', %d, '{0}', 0 FROM generate_series(1, 2) g"
                   % (n, mssp))
    ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " SELECT 'company', format('Feed Co %d-%%s-%%s', m.id, g), 'eu', m.id, '{0}', 0"
                   " FROM tenants m, generate_series(1, 2) g WHERE m.parent_id = %d" % (n, mssp))
    companies = [int(x) for x in ctx.stack.psql(
        "SELECT id FROM tenants WHERE kind = 'company' AND %d = ANY (ancestors) ORDER BY id" % mssp).split()]
    _tree.update(name=name, email=email, mssp=mssp, companies=companies)
    return _tree


def stack(ctx, *args, **env):
    """scripts/stack with the test stack's settings and env added; its output."""
    e = ctx.stack.env()
    e.update(env)
    r = subprocess.run([os.path.join(portal.ROOT, "scripts", "stack")] + list(args), env=e,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert r.returncode == 0, r.stdout
    return r.stdout


def pid_file(ctx):
    return os.path.join(ctx.stack.var, "run", "demofeed.pid")


def open_rows(ctx, companies):
    """Incidents and findings of these companies still open."""
    ids = ",".join(str(c) for c in companies)
    return [int(x) for x in ctx.stack.psql(
        "SELECT (SELECT count(*) FROM incidents WHERE tenant_id IN (%s) AND closed_at IS NULL),"
        " (SELECT count(*) FROM vulnerabilities WHERE tenant_id IN (%s) AND fixed_at IS NULL)"
        % (ids, ids)).split("|")]


def test_the_feeder_moves_the_day_and_resolves_what_it_opens(ctx):
    t = tree(ctx)
    admin = ctx.client()
    admin.login(t["email"], PASSWORD)
    ctx.stack.steady_hour()
    before = admin.get_json("/t/%d" % t["mssp"]).json()
    assert before["incidents"]["new_24h"] == 0 and before["stats"]["incidents_open"] == 0
    assert before["stats"]["probes"] + before["stats"]["agents"] == 0
    out = stack(ctx, "feed-start", DEMO_FEED_ROOT=t["name"], DEMO_FEED_INTERVAL_MS="100", DEMO_FEED_SEED="5")
    try:
        assert "demo feed: probes and agents of companies %s of %s" % (
            ",".join(str(c) for c in t["companies"]), t["name"]) in out, out

        def moved():
            j = admin.get_json("/t/%d" % t["mssp"]).json()
            inc, s = j["incidents"], j["stats"]
            found = s["critical"] + s["high"] + s["medium"] + s["low"]
            return j if inc["new_24h"] >= 3 and inc["closed"] >= 1 and s["probes"] >= 1 and found >= 1 else None

        j = portal.wait_for("the feeder's incidents, findings and assets on the Global dashboard", moved, 60)
        assert j["incidents"]["resolution_rate"] > 0
        # Resolved incidents it opened, at its companies, acknowledged first.
        closed = admin.get_json("/t/%d/incidents?status=closed" % t["mssp"]).json()["incidents"]
        assert closed, "no resolved incident in the tree"
        names = set(ctx.stack.psql("SELECT string_agg(name, '|') FROM tenants WHERE id IN (%s)"
                                   % ",".join(str(c) for c in t["companies"])).split("|"))
        for row in closed:
            assert row["customer"] in names and row["acknowledged"] and row["closed"] >= row["opened"], row
        # Through the API with a key of its own, made for the MSSP.
        assert ctx.stack.psql("SELECT count(*) FROM api_keys WHERE tenant_id = %d AND name = 'demo feed'"
                              " AND revoked_at IS NULL AND last_used_at IS NOT NULL" % t["mssp"]) == "1"
        assert ctx.stack.psql("SELECT count(*) FROM incidents WHERE tenant_id IN (%s)"
                              " AND external_id NOT LIKE 'demo-feed/%%'"
                              % ",".join(str(c) for c in t["companies"])) == "0"
        assert ctx.stack.psql("SELECT count(*) FROM audit_log WHERE tenant_id = %d"
                              " AND action = 'operator.api_key_created'" % t["mssp"]) == "1"
    finally:
        stack(ctx, "feed-stop")
    # SIGTERM: it resolved what was still open, and is gone.
    assert not os.path.exists(pid_file(ctx))
    assert open_rows(ctx, t["companies"]) == [0, 0]
    log = ctx.stack.log("demofeed")
    assert "open item(s) resolved" in log and "demo feed stopped" in log, log[-2000:]


def test_no_feeder_without_demo_data_or_when_turned_off(ctx):
    # The test stack was started with `scripts/stack start`: no feeder.
    assert not os.path.exists(pid_file(ctx))
    assert "demofeed: stopped" in stack(ctx, "status")
    keys = ctx.stack.psql("SELECT count(*) FROM api_keys WHERE name = 'demo feed'")
    # A root no tenant has: were the switch ignored, no demo tree would get a feeder either.
    out = stack(ctx, "feed-start", SEED="0", DEMO_FEED_ROOT="No Such MSSP")
    assert "demo feed off (SEED=0: no demo data)" in out, out
    out = stack(ctx, "feed-start", DEMO_FEED="0", DEMO_FEED_ROOT="No Such MSSP")
    assert "demo feed off (DEMO_FEED=0)" in out, out
    assert not os.path.exists(pid_file(ctx))
    assert ctx.stack.psql("SELECT count(*) FROM api_keys WHERE name = 'demo feed'") == keys
    # The program itself needs the key and the tenants the stack gives it.
    r = subprocess.run([os.path.join(ctx.stack.var, "app", "bin", "demofeed")], env={"PATH": os.environ["PATH"]},
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=10)
    assert r.returncode == 2 and "DEMO_FEED_KEY" in r.stdout, r.stdout


def test_ctl_api_key_prints_a_working_key_and_replaces_the_one_of_that_name(ctx):
    t = tree(ctx)
    company = t["companies"][0]

    def post(key):
        return ctx.client().request("POST", "/api/v2/assets", body='{"items": []}', headers={
            "Authorization": "Bearer " + key, "Content-Type": "application/json"}).status

    first = ctx.stack.ctl("api-key", "--tenant", str(company), "--name", "probe rack")
    assert first.returncode == 0, first.stdout
    key1 = first.stdout.strip()
    assert len(key1) == 69 and key1.startswith("mssp_") and post(key1) == 200
    second = ctx.stack.ctl("api-key", "--tenant", str(company), "--name", "probe rack")
    key2 = second.stdout.strip()
    assert second.returncode == 0 and key2 != key1
    assert post(key2) == 200 and post(key1) == 401
    # Only the SHA-256 is stored; both makings are in the tenant's audit log.
    assert ctx.stack.psql("SELECT count(*) FROM api_keys WHERE key_hash = encode(sha256('%s'), 'hex')"
                          " AND revoked_at IS NULL" % key2) == "1"
    assert ctx.stack.psql("SELECT count(*) FROM api_keys WHERE prefix = '%s' AND key_hash = '%s'"
                          % (key2[:13], key2)) == "0"
    assert ctx.stack.psql("SELECT string_agg(details->>'replaced', ',' ORDER BY id) FROM audit_log"
                          " WHERE tenant_id = %d AND action = 'operator.api_key_created'" % company) == "0,1"
    # No such tenant: nothing is made.
    bad = ctx.stack.ctl("api-key", "--tenant", "987654321", "--name", "probe rack")
    assert bad.returncode == 1 and "no active tenant" in bad.stdout


def test_a_freshly_seeded_demo_has_a_last_24_hours(ctx):
    # Without the feeder: the seed itself puts incidents in the last 24
    # hours (sql/demo/seed_demo.sql), some of them resolved.
    ctx.stack.steady_hour()
    mssp = ctx.stack.tenant_id("Northwind Security")
    seeded = [int(x) for x in ctx.stack.psql(
        "SELECT count(*), count(closed_at) FROM incidents i JOIN tenants t ON t.id = i.tenant_id"
        " WHERE %d = ANY (t.ancestors) AND i.external_id ~ '^inc-[0-9]+$'"
        " AND i.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours'" % mssp).split("|")]
    assert seeded[0] >= 5 and seeded[1] >= 1, seeded
    inc = ctx.login("admin@northwind.example").get_json("/t/%d" % mssp).json()["incidents"]
    assert inc["new_24h"] >= seeded[0] and inc["resolution_rate"] > 0, inc
