"""Account trust (issue 17): each finding of the security review, as the
attacker tried it, refused. One test per finding that is fixed."""
import json
import time


def test_origin_is_scheme_host_and_port(ctx):
    # Finding 7: the same host on another port, or over another scheme, is
    # another origin (a second site on the same machine); so is a Referer
    # from one. Only the portal's own scheme, host and port may sign in.
    form = {"email": "viewer@company.example", "password": "portal-demo-2026", "next": "/"}
    here = "127.0.0.1:%d" % ctx.port
    for origin in ("http://127.0.0.1:6666", "https://%s" % here, "http://127.0.0.1", "http://%s.evil.example" % here,
                   "http://127.0.0.1:%d0" % ctx.port, "http://127.0.0.2:%d" % ctx.port, "null", "http://:%d" % ctx.port):
        c = ctx.client()
        r = c.post("/login", form, csrf=False, headers={"Origin": origin})
        assert r.status == 403 and not c.cookies, (origin, r)
    for referer in ("http://127.0.0.1:6666/login", "https://%s/login" % here):
        c = ctx.client()
        r = c.post("/login", form, csrf=False, headers={"Origin": None, "Referer": referer})
        assert r.status == 403 and not c.cookies, (referer, r)
    # The portal's own origin, and a Referer from it.
    for headers in ({"Origin": "http://%s" % here},
                    {"Origin": None, "Referer": "http://%s/login?next=/" % here}):
        c = ctx.client()
        r = c.post("/login", form, csrf=False, headers=headers)
        assert r.status == 303 and c.cookies, (headers, r)
    # A signed-in state change from another port is refused too.
    c = ctx.login("viewer@company.example")
    token = c.csrf()
    r = c.post("/theme", {"theme": "dark", "csrf": token}, csrf=False, headers={"Origin": "http://127.0.0.1:6666"})
    assert r.status == 403, r


def test_ingest_refuses_dates_the_database_would_item_by_item(ctx):
    # Finding 10: an offset beyond ±15:59 passed the API's check and made
    # the database refuse the whole batch (400); a close before its open and
    # dates far ahead were stored. Now each is that item's own error, and
    # the batch's good items are stored.
    owner = ctx.login("owner@msp1.example")
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    r = owner.request("POST", "/t/%d/api-keys.json" % bluefin, body="name=trust-probe&csrf=%s" % owner.csrf(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r
    key = r.json()["new_key"]["key"]
    n = int(time.time() * 1000)
    ahead = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3 * 86400))
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    items = [
        {"external_id": "t-%d-0" % n, "severity": "low", "title": "Offset", "opened_at": "2026-01-01T00:00:00+16:00"},
        {"external_id": "t-%d-1" % n, "severity": "low", "title": "Backwards", "opened_at": "2026-01-02T00:00:00Z",
         "closed_at": "2026-01-01T00:00:00Z"},
        {"external_id": "t-%d-2" % n, "severity": "low", "title": "Ahead", "opened_at": ahead},
        {"external_id": "t-%d-3" % n, "severity": "low", "title": "Acked after close", "opened_at": "2026-01-01T00:00:00Z",
         "acknowledged_at": "2026-01-03T00:00:00Z", "closed_at": "2026-01-02T00:00:00Z"},
        {"external_id": "t-%d-4" % n, "severity": "low", "title": "Before 1970", "opened_at": "1969-12-31T23:59:59Z"},
        # Good: the widest offset, an hour ahead (a fast clock), a close at its open.
        {"external_id": "t-%d-5" % n, "severity": "low", "title": "Good", "opened_at": "2026-01-01T00:00:00-15:59",
         "closed_at": "2026-01-01T15:59:00Z"},
        {"external_id": "t-%d-6" % n, "severity": "low", "title": "Good", "opened_at": soon},
    ]
    r = ctx.client().request("POST", "/api/v2/incidents", body=json.dumps({"items": items}),
                             headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    assert r.status == 200, r
    errs = {e["index"]: e["error"] for e in r.json()["errors"]}
    assert sorted(errs) == [0, 1, 2, 3, 4], errs
    assert "±15:59" in errs[0]
    assert errs[1] == "closed_at must not be before opened_at"
    assert errs[2] == "opened_at must be between 1970 and a day from now" == errs[4]
    assert errs[3] == "closed_at must not be before acknowledged_at"
    stored = ctx.stack.psql("SELECT string_agg(external_id, ',' ORDER BY external_id) FROM incidents"
                            " WHERE external_id LIKE 't-%d-%%'" % n)
    assert stored == "t-%d-5,t-%d-6" % (n, n), stored
    # Findings too: fixed before first seen.
    r = ctx.client().request("POST", "/api/v2/vulnerabilities", body=json.dumps({"items": [
        {"external_id": "tv-%d" % n, "cve": "CVE-2024-3400", "severity": "high",
         "first_seen": "2026-02-01T00:00:00Z", "fixed_at": "2026-01-01T00:00:00Z"}]}),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    assert r.status == 200 and r.json()["errors"][0]["error"] == "fixed_at must not be before first_seen", r
