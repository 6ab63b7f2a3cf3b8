"""Ingest API v2: API keys (pages), bearer authentication, the three batch
endpoints with per-item errors and idempotent upserts, the retired v1, and
the rollups (tenant_stats) agreeing with COUNT(*) over the raw rows."""
import hashlib
import os
import subprocess
import threading
import json
import time

import portal


def tid(ctx, name):
    return int(ctx.stack.psql("SELECT id FROM tenants WHERE name = '%s'" % name))


def first_child(ctx, parent):
    return int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND status = 'active'" % parent))


def uniq(prefix):
    return "%s-%d" % (prefix, int(time.time() * 1000000) % 10000000000)




_KEYS = {}


def bluefin_key(ctx):
    k = _KEYS.get(ctx.port)
    if k is None:
        owner = ctx.login("owner@msp1.example")
        k = _KEYS[ctx.port] = portal.create_key(ctx, owner, tid(ctx, "Bluefin IT"), "bluefin-probe")["key"]
    return k


def api(ctx, path, payload, key, raw=None, ctype="application/json"):
    body = raw if raw is not None else json.dumps(payload)
    h = {"Content-Type": ctype}
    if key is not None:
        h["Authorization"] = "Bearer " + key
    return ctx.client().request("POST", path, body=body, headers=h)


# ------------------------------------------------------------------ rollups
STATS_COLS = ["probes", "agents", "gateways", "discovered", "external", "vuln_critical", "vuln_high", "vuln_medium", "vuln_low",
              "incidents_open", "incidents_open_critical"]
RAW_SQL = """
SELECT a.id,
  (SELECT count(*) FROM assets x JOIN tenants t ON t.id = x.tenant_id WHERE a.id = ANY (t.ancestors) AND x.kind = 'probe'),
  (SELECT count(*) FROM assets x JOIN tenants t ON t.id = x.tenant_id WHERE a.id = ANY (t.ancestors) AND x.kind = 'agent'),
  (SELECT count(*) FROM assets x JOIN tenants t ON t.id = x.tenant_id WHERE a.id = ANY (t.ancestors) AND x.kind = 'gateway'),
  (SELECT count(*) FROM assets x JOIN tenants t ON t.id = x.tenant_id WHERE a.id = ANY (t.ancestors) AND x.kind = 'discovered'),
  (SELECT count(*) FROM assets x JOIN tenants t ON t.id = x.tenant_id WHERE a.id = ANY (t.ancestors) AND x.kind = 'external'),
  (SELECT count(*) FROM vulnerabilities x JOIN tenants t ON t.id = x.tenant_id WHERE a.id = ANY (t.ancestors) AND x.fixed_at IS NULL AND x.severity = 'critical'),
  (SELECT count(*) FROM vulnerabilities x JOIN tenants t ON t.id = x.tenant_id WHERE a.id = ANY (t.ancestors) AND x.fixed_at IS NULL AND x.severity = 'high'),
  (SELECT count(*) FROM vulnerabilities x JOIN tenants t ON t.id = x.tenant_id WHERE a.id = ANY (t.ancestors) AND x.fixed_at IS NULL AND x.severity = 'medium'),
  (SELECT count(*) FROM vulnerabilities x JOIN tenants t ON t.id = x.tenant_id WHERE a.id = ANY (t.ancestors) AND x.fixed_at IS NULL AND x.severity = 'low'),
  (SELECT count(*) FROM incidents x JOIN tenants t ON t.id = x.tenant_id WHERE a.id = ANY (t.ancestors) AND x.closed_at IS NULL),
  (SELECT count(*) FROM incidents x JOIN tenants t ON t.id = x.tenant_id WHERE a.id = ANY (t.ancestors) AND x.closed_at IS NULL AND x.severity = 'critical')
FROM tenants a WHERE a.id IN (%s) ORDER BY a.id
"""


def rollups(ctx, ids):
    """{tenant: (stats tuple, raw COUNT(*) tuple)}, both read as portal_owner."""
    ids_sql = ",".join(str(i) for i in ids)
    raw = {}
    for line in ctx.stack.psql(RAW_SQL % ids_sql).splitlines():
        parts = [int(x) for x in line.split("|")]
        raw[parts[0]] = tuple(parts[1:])
    stats = {i: (0,) * len(STATS_COLS) for i in ids}
    out = ctx.stack.psql("SELECT tenant_id, %s FROM tenant_stats WHERE tenant_id IN (%s)" % (", ".join(STATS_COLS), ids_sql))
    for line in out.splitlines():
        parts = [int(x) for x in line.split("|")]
        stats[parts[0]] = tuple(parts[1:])
    return {i: (stats[i], raw[i]) for i in ids}


def assert_rollups_agree(ctx, ids, label):
    bad = {i: dict(zip(STATS_COLS, zip(*v))) for i, v in rollups(ctx, ids).items() if v[0] != v[1]}
    assert not bad, "%s: tenant_stats differ from COUNT(*) (stats, raw): %r" % (label, bad)
    # And over every tenant at once.
    cols = ", ".join("c%d" % i for i in range(len(STATS_COLS)))
    n = ctx.stack.psql("SELECT count(*) FROM (%s) r (id, %s) LEFT JOIN tenant_stats s ON s.tenant_id = r.id"
                       " WHERE (%s) IS DISTINCT FROM (%s)"
                       % ((RAW_SQL % "SELECT id FROM tenants").replace("ORDER BY a.id", ""), cols,
                          ", ".join("coalesce(s.%s, 0)" % c for c in STATS_COLS), cols))
    assert n == "0", "%s: %s tenants whose stats differ from the raw rows" % (label, n)


# -------------------------------------------------------------------- keys
def test_api_key_lifecycle_through_the_pages(ctx):
    bluefin = tid(ctx, "Bluefin IT")
    owner = ctx.login("owner@msp1.example")
    page = owner.get("/t/%d/api-keys" % bluefin)
    assert page.status == 200 and 'href="/t/%d/api-keys"' % bluefin in page.text
    name = uniq("lifecycle")
    r = owner.post("/t/%d/api-keys" % bluefin, {"name": name})
    assert r.status == 200, r
    assert "shown only once" in r.text
    import re
    m = re.search(r'value="(mssp_[0-9a-f]{64})"', r.text)
    assert m, "the new key is not on the page"
    key = m.group(1)
    # Only the SHA-256 is stored, never the key.
    h = hashlib.sha256(key.encode()).hexdigest()
    row = ctx.stack.psql("SELECT key_hash, prefix, tenant_id FROM api_keys WHERE name = '%s'" % name)
    assert row == "%s|%s|%d" % (h, key[:13], bluefin)
    assert ctx.stack.psql("SELECT count(*) FROM api_keys WHERE key_hash LIKE '%%%s%%' OR prefix = '%s'"
                          % (key[5:], key)) == "0"
    # Shown once: the list has the prefix, not the key.
    listing = owner.get("/t/%d/api-keys" % bluefin)
    assert key[:13] in listing.text and key not in listing.text and name in listing.text
    # The key works...
    r = api(ctx, "/api/v2/assets", {"items": []}, key)
    assert r.status == 200 and r.json() == {"accepted": 0, "rejected": 0, "errors": []}, r
    assert ctx.stack.psql("SELECT last_used_at IS NOT NULL FROM api_keys WHERE name = '%s'" % name) == "t"
    # ...until it is revoked.
    kid = int(ctx.stack.psql("SELECT id FROM api_keys WHERE name = '%s'" % name))
    r = owner.post("/t/%d/api-keys/%d/revoke" % (bluefin, kid), {})
    assert r.status == 303, r
    r = api(ctx, "/api/v2/assets", {"items": []}, key)
    assert r.status == 401 and r.header("WWW-Authenticate").startswith("Bearer") and "error" in r.json()
    listing = owner.get_json("/t/%d/api-keys" % bluefin).json()
    mine = [k for k in listing["keys"] if k["name"] == name]
    assert mine and mine[0]["revoked"] and "key" not in mine[0]
    actions = [e["action"] for e in owner.get_json("/t/%d/audit?action=api_key." % bluefin).json()["entries"]]
    assert {"api_key.created", "api_key.revoked"} <= set(actions)
    # Revoking again (or a key of another tenant): 404.
    assert owner.post("/t/%d/api-keys/%d/revoke" % (bluefin, kid), {}).status == 404


def test_api_key_pages_permissions(ctx):
    bluefin = tid(ctx, "Bluefin IT")
    evergreen = tid(ctx, "Evergreen MSP")
    analyst = ctx.login("analyst@msp1.example")
    assert analyst.get("/t/%d/api-keys" % bluefin).status == 403
    assert analyst.post("/t/%d/api-keys" % bluefin, {"name": "nope"}).status == 403
    assert 'href="/t/%d/api-keys"' % bluefin not in analyst.get("/t/%d" % bluefin).text
    owner = ctx.login("owner@msp1.example")
    assert owner.get("/t/%d/api-keys" % evergreen).status == 404
    assert owner.post("/t/%d/api-keys" % evergreen, {"name": "nope"}).status == 404
    assert ctx.stack.psql("SELECT count(*) FROM api_keys WHERE name = 'nope'") == "0"
    # Validation and the empty state.
    r = owner.post("/t/%d/api-keys" % bluefin, {"name": "x" * 81})
    assert r.status == 400
    ev = ctx.login("owner@evergreen.example")
    page = ev.get("/t/%d/api-keys" % evergreen)
    if ctx.stack.psql("SELECT count(*) FROM api_keys WHERE tenant_id = %d" % evergreen) == "0":
        assert "No API keys yet — create one for your probes and agents." in page.text
    # An MSSP Admin manages the keys of the tenants below.
    admin = ctx.login("admin@northwind.example")
    assert admin.get("/t/%d/api-keys" % bluefin).status == 200


def test_missing_invalid_and_malformed_keys_answer_401(ctx):
    for key in (None, "", "mssp_" + "0" * 64, "nonsense", "mssp_" + "G" * 64):
        r = api(ctx, "/api/v2/vulnerabilities", {"items": []}, key)
        assert r.status == 401, (key, r)
        assert r.header("WWW-Authenticate").startswith("Bearer"), r.headers
        assert isinstance(r.json()["error"]["message"], str)
    r = ctx.client().request("POST", "/api/v2/incidents", body="{}", headers={
        "Content-Type": "application/json", "Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status == 401
    # A session cookie is no API key.
    owner = ctx.login("owner@msp1.example")
    r = owner.request("POST", "/api/v2/assets", body='{"items": []}', headers={"Content-Type": "application/json",
                                                                             "X-CSRF-Token": owner.csrf()})
    assert r.status == 401


def test_v1_answers_410(ctx):
    c = ctx.client()
    for method, path in (("GET", "/api/v1"), ("GET", "/api/v1/assets"), ("POST", "/api/v1/vulnerabilities"),
                         ("DELETE", "/api/v1/a/b/c"), ("PUT", "/api/v1/incidents/12")):
        r = c.request(method, path, body="{}" if method != "GET" else None,
                      headers={"Content-Type": "application/json"})
        assert r.status == 410, (method, path, r)
        err = r.json()["error"]
        assert err["status"] == 410 and "V1 API is not supported" in err["message"] and "/api/v2" in err["message"]
        assert "/docs/api" in err["message"]
    assert c.get("/api/v10").status == 404
    # Where it sends integrators is the reference itself.
    ref = c.get("/docs/api")
    assert ref.status == 200 and ref.header("Content-Type").startswith("text/markdown")
    assert "POST /api/v2/" in ref.text or "/api/v2/assets" in ref.text


# ---------------------------------------------------------------- batches
def test_assets_batch_with_per_item_errors_and_idempotent_resend(ctx):
    key = bluefin_key(ctx)
    company = first_child(ctx, tid(ctx, "Bluefin IT"))
    p = uniq("asset")
    items = [
        {"external_id": p + "-1", "kind": "probe", "name": "Probe 1", "address": "10.0.0.1", "tenant_id": company},
        {"external_id": p + "-2", "kind": "lightweight_agent", "name": "Laptop 7", "tenant_id": str(company)},
        {"external_id": p + "-3", "kind": "probe_discovered", "name": "Printer"},
        {"external_id": p + "-4", "kind": "external", "name": "www.example.com"},
        {"external_id": p + "-5", "kind": "satellite", "name": "bad kind"},
        {"kind": "probe", "name": "no id"},
        {"external_id": p + "-7", "kind": "probe"},
        "not an object",
        {"external_id": p + "-9", "kind": "probe", "name": "x" * 256},
    ]
    r = api(ctx, "/api/v2/assets", {"items": items}, key)
    assert r.status == 200, r
    j = r.json()
    assert (j["accepted"], j["rejected"]) == (4, 5), j
    errs = {e["index"]: e for e in j["errors"]}
    assert sorted(errs) == [4, 5, 6, 7, 8]
    assert errs[4]["external_id"] == p + "-5" and "kind" in errs[4]["error"]
    assert "external_id" in errs[5]["error"] and "external_id" not in errs[5]
    assert "name is required" in errs[6]["error"]
    assert "object" in errs[7]["error"]
    assert "name" in errs[8]["error"]
    rows = ctx.stack.psql("SELECT external_id, kind, tenant_id FROM assets WHERE external_id LIKE '%s-%%'"
                          " ORDER BY external_id" % p).splitlines()
    bluefin = tid(ctx, "Bluefin IT")
    assert rows == ["%s-1|probe|%d" % (p, company), "%s-2|agent|%d" % (p, company),
                    "%s-3|discovered|%d" % (p, bluefin), "%s-4|external|%d" % (p, bluefin)]
    # A bare array works too; the re-send updates, never duplicates.
    items[0]["name"] = "Probe 1 renamed"
    r = api(ctx, "/api/v2/assets", items[:4], key)
    assert r.json()["accepted"] == 4 and r.json()["rejected"] == 0
    assert ctx.stack.psql("SELECT count(*) FROM assets WHERE external_id LIKE '%s-%%'" % p) == "4"
    assert ctx.stack.psql("SELECT name FROM assets WHERE external_id = '%s-1'" % p) == "Probe 1 renamed"
    assert_rollups_agree(ctx, [company, bluefin, tid(ctx, "Northwind Security")], "after assets")


def test_vulnerabilities_batch_validation_and_updates(ctx):
    key = bluefin_key(ctx)
    bluefin = tid(ctx, "Bluefin IT")
    company = first_child(ctx, bluefin)
    mssp = tid(ctx, "Northwind Security")
    p = uniq("vuln")
    r = api(ctx, "/api/v2/assets", [{"external_id": p + "-host", "kind": "agent", "name": "host",
                                      "tenant_id": company}], key)
    assert r.json()["accepted"] == 1
    items = [
        {"external_id": p + "-1", "cve": "CVE-2024-3094", "severity": "critical", "tenant_id": company,
         "asset_external_id": p + "-host", "first_seen": "2026-11-01T10:00:00Z"},
        {"external_id": p + "-2", "cve": "CVE-2023-44487", "severity": "high", "tenant_id": company,
         "first_seen": "2026-11-02T10:00:00.123+02:00", "fixed_at": None},
        {"external_id": p + "-3", "cve": "CVE-2021-44228", "severity": "medium"},
        {"external_id": p + "-4", "cve": "CVE-2022-0001", "severity": "low", "fixed_at": "2026-11-03T00:00:00Z"},
        {"external_id": p + "-5", "cve": "cve-2024-1", "severity": "high"},
        {"external_id": p + "-6", "cve": "CVE-2024-3094", "severity": "urgent"},
        {"external_id": p + "-7", "cve": "CVE-2024-3094", "severity": "low", "first_seen": "2026-02-30T00:00:00Z"},
        {"external_id": p + "-8", "cve": "CVE-2024-3094", "severity": "low", "first_seen": "yesterday"},
        {"external_id": p + "-9", "cve": "CVE-2024-3094", "severity": "low", "asset_external_id": "no-such-asset"},
        {"external_id": p + "-1", "cve": "CVE-2024-3094", "severity": "low", "tenant_id": company},
        {"external_id": p + "-11", "cve": "CVE-2024-3094", "severity": "low", "tenant_id": -3},
    ]
    r = api(ctx, "/api/v2/vulnerabilities", {"items": items}, key)
    assert r.status == 200, r
    j = r.json()
    errs = {e["index"]: e["error"] for e in j["errors"]}
    assert (j["accepted"], j["rejected"]) == (4, 7), j
    assert "cve" in errs[4] and "severity" in errs[5] and "RFC 3339" in errs[6] and "RFC 3339" in errs[7]
    assert errs[8] == "asset not found" and "duplicate" in errs[9] and "tenant_id" in errs[10]
    assert [e["index"] for e in j["errors"]] == sorted(errs)
    assert ctx.stack.psql("SELECT a.external_id FROM vulnerabilities v JOIN assets a ON a.id = v.asset_id"
                          " WHERE v.external_id = '%s-1'" % p) == p + "-host"
    ids = [company, bluefin, mssp]
    assert_rollups_agree(ctx, ids, "after vulnerabilities")
    before = rollups(ctx, ids)
    # Re-send the same: nothing changes, no duplicates.
    good = [items[i] for i in range(4)]
    r = api(ctx, "/api/v2/vulnerabilities", {"items": good}, key)
    assert r.json()["accepted"] == 4
    assert ctx.stack.psql("SELECT count(*) FROM vulnerabilities WHERE external_id LIKE '%s-%%'" % p) == "4"
    assert rollups(ctx, ids) == before
    # Updates: fixed, severity changed, reopened.
    good[0] = dict(good[0], fixed_at="2026-11-20T08:00:00Z")
    good[1] = dict(good[1], severity="low")
    good[3] = dict(good[3], fixed_at=None)
    r = api(ctx, "/api/v2/vulnerabilities", {"items": good}, key)
    assert r.json() == {"accepted": 4, "rejected": 0, "errors": []}
    assert ctx.stack.psql("SELECT severity, fixed_at IS NULL FROM vulnerabilities WHERE external_id = '%s-2'" % p) \
        == "low|t"
    after = rollups(ctx, ids)
    assert after[company][0][STATS_COLS.index("vuln_critical")] == before[company][0][STATS_COLS.index("vuln_critical")] - 1
    assert_rollups_agree(ctx, ids, "after fixes and severity changes")
    # Deletes (the operator's cleanup) keep them in step too.
    ctx.stack.psql("DELETE FROM vulnerabilities WHERE external_id IN ('%s-2', '%s-3')" % (p, p))
    assert_rollups_agree(ctx, ids, "after deletes")


def test_incidents_batch_lifecycle_and_rollups(ctx):
    key = bluefin_key(ctx)
    bluefin = tid(ctx, "Bluefin IT")
    company = first_child(ctx, bluefin)
    ids = [company, bluefin, tid(ctx, "Northwind Security")]
    p = uniq("inc")
    items = [
        {"external_id": p + "-1", "severity": "critical", "title": "Ransomware beacon", "indicator": "evil.example",
         "indicator_kind": "domain", "opened_at": "2026-11-21T10:00:00Z", "tenant_id": company},
        {"external_id": p + "-2", "severity": "high", "title": "Brute force", "indicator": "203.0.113.9",
         "indicator_kind": "ip"},
        {"external_id": p + "-3", "severity": "low", "title": "Old", "closed_at": "2026-11-21T11:00:00Z"},
        {"external_id": p + "-4", "severity": "low", "title": "half", "indicator": "abc"},
        {"external_id": p + "-5", "severity": "low", "title": "bad kind", "indicator": "x", "indicator_kind": "url"},
        {"external_id": p + "-6", "severity": "low", "title": ""},
    ]
    r = api(ctx, "/api/v2/incidents", {"items": items}, key)
    j = r.json()
    assert (j["accepted"], j["rejected"]) == (3, 3), j
    assert [e["index"] for e in j["errors"]] == [3, 4, 5]
    assert "go together" in j["errors"][0]["error"]
    assert_rollups_agree(ctx, ids, "after incidents")
    # Acknowledge and close the critical one, raise the other.
    items[0] = dict(items[0], acknowledged_at="2026-11-21T10:05:00Z", closed_at="2026-11-21T12:00:00Z")
    items[1] = dict(items[1], severity="critical")
    r = api(ctx, "/api/v2/incidents", {"items": items[:3]}, key)
    assert r.json()["accepted"] == 3
    assert ctx.stack.psql("SELECT closed_at IS NOT NULL, acknowledged_at IS NOT NULL, opened_at = '2026-11-21T10:00:00Z'"
                          " FROM incidents WHERE external_id = '%s-1'" % p) == "t|t|t"
    assert ctx.stack.psql("SELECT count(*) FROM incidents WHERE external_id LIKE '%s-%%'" % p) == "3"
    assert_rollups_agree(ctx, ids, "after closing an incident")
    ctx.stack.psql("DELETE FROM incidents WHERE external_id = '%s-2'" % p)
    assert_rollups_agree(ctx, ids, "after deleting an incident")


def test_a_key_writes_only_into_its_subtree(ctx):
    key = bluefin_key(ctx)
    bluefin = tid(ctx, "Bluefin IT")
    own = first_child(ctx, bluefin)
    cobalt_co = first_child(ctx, tid(ctx, "Cobalt Managed Services"))
    evergreen = tid(ctx, "Evergreen MSP")
    ever_co = first_child(ctx, evergreen)
    mssp = tid(ctx, "Northwind Security")
    p = uniq("scope")
    items = [{"external_id": "%s-%d" % (p, i), "cve": "CVE-2024-0001", "severity": "high", "tenant_id": t}
             for i, t in enumerate([own, cobalt_co, evergreen, ever_co, mssp, 999999999, bluefin])]
    r = api(ctx, "/api/v2/vulnerabilities", {"items": items}, key)
    j = r.json()
    assert (j["accepted"], j["rejected"]) == (2, 5), j
    assert {e["index"]: e["error"] for e in j["errors"]} == {i: "tenant not found" for i in (1, 2, 3, 4, 5)}
    assert ctx.stack.psql("SELECT count(*) FROM vulnerabilities WHERE external_id LIKE '%s-%%'" % p) == "2"
    # An Evergreen key cannot write into Bluefin either.
    ev = ctx.login("owner@evergreen.example")
    ekey = portal.create_key(ctx, ev, evergreen, "evergreen-probe")["key"]
    r = api(ctx, "/api/v2/assets", [{"external_id": p, "kind": "probe", "name": "x", "tenant_id": own},
                                    {"external_id": p, "kind": "probe", "name": "x", "tenant_id": ever_co}], ekey)
    assert r.json()["accepted"] == 1 and r.json()["errors"][0]["error"] == "tenant not found"


def test_rls_blocks_writes_outside_the_key_subtree_even_without_the_c_check(ctx):
    bluefin = tid(ctx, "Bluefin IT")
    own = first_child(ctx, bluefin)
    evergreen = tid(ctx, "Evergreen MSP")
    ever_co = first_child(ctx, evergreen)
    cobalt_co = first_child(ctx, tid(ctx, "Cobalt Managed Services"))
    root = ctx.stack.psql("SELECT root_id FROM tenants WHERE id = %d" % ever_co)
    # The identity is the key itself (app_api_tenant()); a tenant id in a setting is
    # nobody, and so is the key's hash.
    key = bluefin_key(ctx)
    for forged in ("SELECT set_config('app.api_tenant', '%d', false);" % bluefin,
                   "SELECT set_config('app.api_key', '%s', false);" % hashlib.sha256(key.encode()).hexdigest(),
                   "SELECT set_config('app.api_key', 'mssp_%s', false);" % ("0" * 64)):
        n = ctx.stack.psql(forged + " SELECT count(*) FROM tenants", user="portal_app").splitlines()[-1]
        assert n == "0", (forged, n)
    setup = "SELECT key_id FROM api_key_auth('%s');" % key
    # The key's subtree is visible, nothing else.
    n = ctx.stack.psql(setup + " SELECT count(*) FROM tenants", user="portal_app").splitlines()[-1]
    assert n == ctx.stack.psql("SELECT count(*) FROM tenants WHERE %d = ANY (ancestors)" % bluefin)
    for target, root_of in ((ever_co, root), (cobalt_co, ctx.stack.psql("SELECT root_id FROM tenants WHERE id = %d"
                                                                         % cobalt_co))):
        try:
            ctx.stack.psql(setup + " INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
                           " VALUES (%d, %s, 'rls-probe', 'CVE-2024-0001', 'high')" % (target, root_of), user="portal_app")
            raise AssertionError("RLS let a Bluefin key write into tenant %d" % target)
        except RuntimeError as e:
            assert "row-level security" in str(e), e
    # The same insert into its own company passes RLS (then rolled back).
    out = ctx.stack.psql("BEGIN; " + setup + " INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve,"
                         " severity) SELECT id, root_id, 'rls-probe', 'CVE-2024-0001', 'high' FROM tenants WHERE id = %d;"
                         " ROLLBACK;" % own, user="portal_app")
    assert "ERROR" not in out
    # Without any identity, nothing is visible.
    assert ctx.stack.psql("SELECT count(*) FROM vulnerabilities", user="portal_app") == "0"


def test_batch_limits_and_bad_bodies(ctx):
    key = bluefin_key(ctx)
    items = [{"external_id": "too-many-%d" % i, "cve": "CVE-2024-0001", "severity": "low"} for i in range(5001)]
    r = api(ctx, "/api/v2/vulnerabilities", {"items": items}, key)
    assert r.status == 413 and "5000" in r.json()["error"]["message"], r
    assert ctx.stack.psql("SELECT count(*) FROM vulnerabilities WHERE external_id LIKE 'too-many-%'") == "0"
    r = api(ctx, "/api/v2/vulnerabilities", None, key, raw='{"items": [')
    assert r.status == 400 and "error" in r.json()
    r = api(ctx, "/api/v2/vulnerabilities", None, key, raw='{"nothing": 1}')
    assert r.status == 400 and "items" in r.json()["error"]["message"]
    r = api(ctx, "/api/v2/assets", None, key, raw="items=1", ctype="application/x-www-form-urlencoded")
    assert r.status == 400
    r = api(ctx, "/api/v2/assets", None, key, raw="")
    assert r.status == 400
    r = ctx.client().request("GET", "/api/v2/assets", headers={"Authorization": "Bearer " + key})
    assert r.status == 405 and r.json()["error"]["status"] == 405
    r = ctx.client().request("POST", "/api/v2/nothing", body="[]", headers={"Authorization": "Bearer " + key})
    assert r.status == 404 and r.json()["error"]["status"] == 404
    # Over the body limit (8 MiB): 413, from nginx or the worker.
    big = '{"items": [' + ",".join(['{"external_id": "%s"}' % ("x" * 200)] * 45000) + "]}"
    assert len(big) > 8 * 1024 * 1024
    r = api(ctx, "/api/v2/assets", None, key, raw=big)
    assert r.status == 413, r


def test_a_full_batch_of_5000_is_taken_in_one_go(ctx):
    key = bluefin_key(ctx)
    bluefin = tid(ctx, "Bluefin IT")
    company = first_child(ctx, bluefin)
    p = uniq("bulk")
    sev = ["critical", "high", "medium", "low"]
    items = [{"external_id": "%s-%d" % (p, i), "cve": "CVE-2024-%04d" % (1000 + i % 500), "severity": sev[i % 4],
              "tenant_id": company if i % 2 else bluefin} for i in range(5000)]
    t0 = time.time()
    r = api(ctx, "/api/v2/vulnerabilities", {"items": items}, key)
    took = time.time() - t0
    assert r.status == 200 and r.json()["accepted"] == 5000, r
    assert ctx.stack.psql("SELECT count(*) FROM vulnerabilities WHERE external_id LIKE '%s-%%'" % p) == "5000"
    assert_rollups_agree(ctx, [company, bluefin, tid(ctx, "Northwind Security")], "after 5000 (%.2fs)" % took)
    for it in items[::3]:
        it["fixed_at"] = "2026-11-22T00:00:00Z"
    r = api(ctx, "/api/v2/vulnerabilities", {"items": items}, key)
    assert r.json()["accepted"] == 5000
    assert_rollups_agree(ctx, [company, bluefin, tid(ctx, "Northwind Security")], "after fixing a third")


def test_concurrent_overlapping_batches_agree_with_the_raw_rows(ctx):
    import threading
    key = bluefin_key(ctx)
    bluefin = tid(ctx, "Bluefin IT")
    company = first_child(ctx, bluefin)
    p = uniq("race")
    sev = ["critical", "high", "medium", "low"]
    base = [{"external_id": "%s-%d" % (p, i), "cve": "CVE-2024-0%03d" % i, "severity": sev[i % 4],
             "tenant_id": company} for i in range(400)]
    bodies = [base, list(reversed([dict(x, severity="low") for x in base])), base[::2], base[1::2]]
    results = []

    def send(items):
        results.append(api(ctx, "/api/v2/vulnerabilities", {"items": items}, key))

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status for r in results] == [200] * 4, results
    assert ctx.stack.psql("SELECT count(*) FROM vulnerabilities WHERE external_id LIKE '%s-%%'" % p) == "400"
    assert_rollups_agree(ctx, [company, bluefin, tid(ctx, "Northwind Security")], "after concurrent batches")


def test_a_batch_that_deadlocks_with_another_transaction_runs_again(ctx):
    """Two batches into one tree lock rollup rows in two passes (the INSERT
    and the UPDATE triggers of one ON CONFLICT statement), so they can
    deadlock; PostgreSQL then cancels one. The portal runs that batch again
    inside its savepoint (db_exec_retrying()) instead of answering 409. Made
    here on purpose: a transaction holds the company's rollup row, the batch
    waits for it holding its ancestors' rows, and the transaction then asks
    for Northwind's: the batch, which waited first, is the one cancelled."""
    nw, bf = tid(ctx, "Northwind Security"), tid(ctx, "Bluefin IT")
    co = first_child(ctx, bf)
    key = bluefin_key(ctx)
    cmd = ["psql", "-X", "-q", "-h", os.path.join(ctx.stack.var, "run"), "-U", "portal_owner", "-d", "portal"]
    if os.getuid() == 0:
        cmd = ["setpriv", "--reuid=mssp-portal", "--regid=%s" % portal._gid("mssp-portal"), "--init-groups", "--"] + cmd
    holder = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=ctx.stack.env())
    answer = []
    ext = uniq("deadlock")
    mark = len(ctx.stack.log())
    try:
        holder.stdin.write("BEGIN; SELECT 1 FROM tenant_stats WHERE tenant_id = %d FOR UPDATE;\n" % co)
        holder.stdin.flush()
        portal.wait_for("the company's row held", lambda: ctx.stack.psql(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE c.relname = 'tenant_stats' AND l.mode = 'RowShareLock' AND l.granted") != "0")
        t = threading.Thread(target=lambda: answer.append(api(ctx, "/api/v2/vulnerabilities", {"items": [
            {"external_id": ext, "cve": "CVE-2024-3400", "severity": "high", "tenant_id": co}]}, key)))
        t.start()
        portal.wait_for("the batch waiting for the company's row",
                        lambda: ctx.stack.psql("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted") != "0")
        holder.stdin.write("SELECT pg_sleep(0.3); SELECT 1 FROM tenant_stats WHERE tenant_id = %d FOR UPDATE; COMMIT;\n"
                           % nw)
        holder.stdin.close()
        t.join(timeout=60)
    finally:
        if not holder.stdin.closed:
            holder.stdin.write("ROLLBACK;\n")
            holder.stdin.close()
        holder.wait(timeout=30)
    assert answer and answer[0].status == 200 and answer[0].json()["accepted"] == 1, answer and answer[0].text
    assert ctx.stack.psql("SELECT count(*) FROM vulnerabilities WHERE external_id = '%s'" % ext) == "1"
    assert "statement st_ingest_vulns: deadlock detected, run again (2 of 4)" in ctx.stack.log()[mark:]
    assert_rollups_agree(ctx, [co, bf, nw], "after the batch ran again")
