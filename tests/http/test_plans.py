"""Shared configuration plans (docs/plans.md): who follows which plan, how
overrides, never-shared sections, clones and shares combine into each
account's and device's effective configuration, versions and conflicts,
and the devices' configuration API with its ETag. The rules are the
database's (sql/functions/plans), called here as the app role with a
signed-in user's identity, as the pages do."""
import hashlib
import json
import time

import portal


def uniq(prefix):
    return "%s %d" % (prefix, int(time.time() * 1000000) % 10000000000)


def owner_sql(ctx, sql):
    return ctx.stack.psql(sql, user="portal_owner")


def uid(ctx, email):
    return int(owner_sql(ctx, "SELECT id FROM users WHERE email = '%s'" % email))


def as_user(ctx, email, sql):
    """sql as the app role, signed in as email (the last statement's answer)."""
    tok = portal.session_token(ctx, uid(ctx, email))
    out = ctx.stack.psql("BEGIN; SELECT app_identify('%s') IS NOT NULL; %s; COMMIT;" % (tok, sql), user="portal_app")
    return out.splitlines()[-1] if out else ""


def q(v):
    """A SQL literal of a Python value (text or JSON)."""
    if v is None:
        return "NULL"
    if not isinstance(v, str):
        v = json.dumps(v)
    return "'%s'" % v.replace("'", "''")


_tree = {}


def tree(ctx):
    """Under Northwind: an MSP with two companies; in the first, a probe
    and an agent; its owner's email."""
    if _tree.get("port") == ctx.port:
        return _tree
    n = uniq("Plan")
    nw = int(owner_sql(ctx, "SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    owner_sql(ctx, "INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " VALUES ('msp', '%s MSP', 'eu', %d, '{0}', 0)" % (n, nw))
    msp = int(owner_sql(ctx, "SELECT id FROM tenants WHERE name = '%s MSP'" % n))
    for c in ("One", "Two"):
        owner_sql(ctx, "INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                       " VALUES ('company', '%s Co %s', 'eu', %d, '{0}', 0)" % (n, c, msp))
    c1 = int(owner_sql(ctx, "SELECT id FROM tenants WHERE name = '%s Co One'" % n))
    c2 = int(owner_sql(ctx, "SELECT id FROM tenants WHERE name = '%s Co Two'" % n))
    owner_sql(ctx, "INSERT INTO assets (tenant_id, root_id, external_id, kind, name) SELECT id, root_id, 'gw-1',"
                   " 'probe', 'Gateway one' FROM tenants WHERE id = %d;"
                   "INSERT INTO assets (tenant_id, root_id, external_id, kind, name) SELECT id, root_id, 'ag-1',"
                   " 'agent', 'Laptop' FROM tenants WHERE id = %d;"
                   "INSERT INTO assets (tenant_id, root_id, external_id, kind, name) SELECT id, root_id, 'web-1',"
                   " 'external', 'Web site' FROM tenants WHERE id = %d" % (c1, c1, c1))
    gw = int(owner_sql(ctx, "SELECT id FROM assets WHERE tenant_id = %d AND external_id = 'gw-1'" % c1))
    ag = int(owner_sql(ctx, "SELECT id FROM assets WHERE tenant_id = %d AND external_id = 'ag-1'" % c1))
    # The MSP's admin: a user of its own.
    email = "plans%d@msp.example" % (int(time.time() * 1000) % 10000000)
    owner_sql(ctx, "WITH u AS (INSERT INTO users (email, name, password_hash) SELECT '%s', 'Pat Plans', password_hash"
                   " FROM users WHERE email = 'admin@northwind.example' RETURNING id)"
                   " INSERT INTO memberships (user_id, tenant_id, role) SELECT u.id, %d, 'admin' FROM u" % (email, msp))
    _tree.clear()
    _tree.update(port=ctx.port, nw=nw, msp=msp, c1=c1, c2=c2, gw=gw, ag=ag, msp_admin=email, n=n)
    return _tree


ADMIN = "admin@northwind.example"


def create(ctx, email, tenant, name):
    out = as_user(ctx, email, "SELECT outcome || ':' || coalesce(plan_id::text, message) FROM plan_create(%d, %s)"
                  % (tenant, q(name)))
    outcome, _, rest = out.partition(":")
    assert outcome == "ok", out
    return int(rest)


def save(ctx, email, tenant, plan, section, doc, base):
    out = as_user(ctx, email, "SELECT row_to_json(x) FROM plan_section_save(%d, %d, %s, %s, %s, 'edit') x"
                  % (tenant, plan, q(section), q(doc), "NULL" if base is None else base))
    return json.loads(out)


def share(ctx, email, tenant, plan, target, on=True):
    return as_user(ctx, email, "SELECT outcome FROM plan_share(%d, %d, %d, %s)" % (tenant, plan, target, on))


def override(ctx, email, tenant, device, section, doc, base=None):
    out = as_user(ctx, email, "SELECT row_to_json(x) FROM config_override_save(%d, %s, %s, %s, %s) x"
                  % (tenant, "NULL" if device is None else device, q(section), q(doc),
                     "NULL" if base is None else base))
    return json.loads(out)


def revert(ctx, email, tenant, device, section):
    return as_user(ctx, email, "SELECT outcome FROM config_override_revert(%d, %s, %s)"
                   % (tenant, "NULL" if device is None else device, q(section)))


def effective(ctx, email, tenant, device=None):
    return json.loads(as_user(ctx, email, "SELECT coalesce(config_effective(%d, %s)::text, 'null')"
                              % (tenant, "NULL" if device is None else device)))


def default(ctx, section):
    return json.loads(owner_sql(ctx, "SELECT default_doc FROM config_sections WHERE section = %s" % q(section)))


URL = {"blocked_categories": ["gambling", "malware"], "custom_blocked": ["bad.example.com"], "custom_allowed": []}


def test_a_plan_reaches_the_accounts_below_the_one_it_is_shared_with_and_only_its_sections(ctx):
    t = tree(ctx)
    before = effective(ctx, ADMIN, t["c1"], t["gw"])
    assert before["plan"] is None and all(s["from"] == "default" for s in before["sources"].values()), before
    plan = create(ctx, ADMIN, t["nw"], uniq("Baseline"))
    base = json.loads(owner_sql(ctx, "SELECT version FROM plan_sections WHERE plan_id = %d AND section = 'url_filtering'"
                                % plan))
    r = save(ctx, ADMIN, t["nw"], plan, "url_filtering", URL, base)
    assert r["outcome"] == "ok" and r["version"] == 2, r
    assert share(ctx, ADMIN, t["nw"], plan, t["msp"]) == "ok"
    for tenant, device in ((t["msp"], None), (t["c1"], None), (t["c1"], t["gw"]), (t["c2"], None)):
        e = effective(ctx, ADMIN, tenant, device)
        assert e["plan"]["id"] == plan and e["plan"]["shared_with"]["id"] == t["msp"], e["plan"]
        assert e["sections"]["url_filtering"] == URL
        assert e["sources"]["url_filtering"] == {"from": "plan", "plan_id": plan, "plan": e["plan"]["name"],
                                                 "version": 2, "at": e["sources"]["url_filtering"]["at"]}
        # Never-shared sections are never the plan's.
        assert e["sources"]["vpn"] == {"from": "default"} and e["sections"]["vpn"] == default(ctx, "vpn")
    # The plan never carries a never-shared section.
    r = save(ctx, ADMIN, t["nw"], plan, "vpn", {"enabled": True, "peers": []}, 1)
    assert r["outcome"] == "invalid" and "never shared" in r["message"], r
    # A change reaches them all at once; stopping the share takes it back.
    assert share(ctx, ADMIN, t["nw"], plan, t["msp"], False) == "ok"
    assert effective(ctx, ADMIN, t["c1"])["plan"] is None


def test_an_override_changes_one_section_and_revert_brings_the_plan_back(ctx):
    t = tree(ctx)
    plan = create(ctx, ADMIN, t["nw"], uniq("Override"))
    assert share(ctx, ADMIN, t["nw"], plan, t["msp"]) == "ok"
    mine = dict(URL, blocked_categories=["games"])
    r = override(ctx, t["msp_admin"], t["c1"], None, "url_filtering", mine)
    assert r["outcome"] == "ok" and r["version"] == 1, r
    e = effective(ctx, ADMIN, t["c1"])
    assert e["sections"]["url_filtering"] == mine and e["sources"]["url_filtering"]["from"] == "account"
    assert e["sources"]["url_filtering"]["by"] == "Pat Plans"
    assert e["sources"]["ssl_inspection"]["from"] == "plan"     # the others stay in step
    # The plan changes: the overridden section does not follow, the rest does.
    ssl = {"enabled": True, "bypass_categories": ["health"]}
    v = int(owner_sql(ctx, "SELECT version FROM plan_sections WHERE plan_id = %d AND section = 'ssl_inspection'" % plan))
    assert save(ctx, ADMIN, t["nw"], plan, "ssl_inspection", ssl, v)["outcome"] == "ok"
    e = effective(ctx, ADMIN, t["c1"])
    assert e["sections"]["ssl_inspection"] == ssl and e["sections"]["url_filtering"] == mine
    # Its sibling and the devices of the account: the account's override
    # reaches its own devices, not another account.
    assert effective(ctx, ADMIN, t["c2"])["sources"]["url_filtering"]["from"] == "plan"
    assert effective(ctx, ADMIN, t["c1"], t["ag"])["sections"]["url_filtering"] == mine
    # A device override under the account's.
    dev = dict(URL, custom_allowed=["intranet.example.com"])
    assert override(ctx, ADMIN, t["c1"], t["gw"], "url_filtering", dev)["outcome"] == "ok"
    assert effective(ctx, ADMIN, t["c1"], t["gw"])["sources"]["url_filtering"]["from"] == "device"
    assert effective(ctx, ADMIN, t["c1"], t["ag"])["sections"]["url_filtering"] == mine
    # Revert to Plan, from above (the MSSP Admin) or by the account itself.
    assert revert(ctx, ADMIN, t["c1"], None, "url_filtering") == "ok"
    assert revert(ctx, ADMIN, t["c1"], None, "url_filtering") == "unchanged"
    assert effective(ctx, ADMIN, t["c1"])["sources"]["url_filtering"]["from"] == "plan"
    assert effective(ctx, ADMIN, t["c1"], t["gw"])["sources"]["url_filtering"]["from"] == "device"
    assert revert(ctx, t["msp_admin"], t["c1"], t["gw"], "url_filtering") == "ok"
    assert effective(ctx, ADMIN, t["c1"], t["gw"])["sources"]["url_filtering"]["from"] == "plan"
    # Never-shared sections: per account and per device only.
    vpn = {"enabled": True, "peers": [{"name": "HQ", "address": "vpn.example.com", "networks": ["10.1.0.0/16"]}]}
    assert override(ctx, ADMIN, t["c1"], None, "vpn", vpn)["outcome"] == "ok"
    assert effective(ctx, ADMIN, t["c1"], t["gw"])["sections"]["vpn"] == vpn
    assert effective(ctx, ADMIN, t["c2"])["sections"]["vpn"] == default(ctx, "vpn")
    share(ctx, ADMIN, t["nw"], plan, t["msp"], False)


def test_an_intermediate_account_clones_to_customise_and_its_children_follow_the_clone(ctx):
    t = tree(ctx)
    plan = create(ctx, ADMIN, t["nw"], uniq("Parent"))
    assert share(ctx, ADMIN, t["nw"], plan, t["msp"]) == "ok"
    # The MSP may not change the plan shared from above, nor share it on.
    assert save(ctx, t["msp_admin"], t["msp"], plan, "url_filtering", URL, 1)["outcome"] == "not_found"
    assert share(ctx, t["msp_admin"], t["msp"], plan, t["c1"]) == "not_found"
    out = as_user(ctx, t["msp_admin"], "SELECT outcome || ':' || coalesce(plan_id::text, message) FROM plan_clone(%d, %d, %s)"
                  % (t["msp"], plan, q("Our copy")))
    assert out.startswith("ok:"), out
    clone = int(out.split(":")[1])
    assert save(ctx, t["msp_admin"], t["msp"], clone, "url_filtering", URL, 1)["outcome"] == "ok"
    assert share(ctx, t["msp_admin"], t["msp"], clone, t["c1"]) == "ok"
    e1, e2 = effective(ctx, ADMIN, t["c1"]), effective(ctx, ADMIN, t["c2"])
    assert e1["plan"]["id"] == clone and e1["plan"]["owner"]["id"] == t["msp"] and e1["sections"]["url_filtering"] == URL
    assert e2["plan"]["id"] == plan
    # The clone is independent: a change of the original does not reach it.
    v = int(owner_sql(ctx, "SELECT version FROM plan_sections WHERE plan_id = %d AND section = 'vuln_scanning'" % plan))
    scan = {"schedule": "daily", "intensity": "light", "excluded_ranges": ["10.9.0.0/16"]}
    assert save(ctx, ADMIN, t["nw"], plan, "vuln_scanning", scan, v)["outcome"] == "ok"
    assert effective(ctx, ADMIN, t["c2"])["sections"]["vuln_scanning"] == scan
    assert effective(ctx, ADMIN, t["c1"])["sections"]["vuln_scanning"] == default(ctx, "vuln_scanning")
    # A company's people see their own configuration; not another's.
    assert effective(ctx, "viewer@company.example", t["c1"]) is None
    share(ctx, t["msp_admin"], t["msp"], clone, t["c1"], False)
    share(ctx, ADMIN, t["nw"], plan, t["msp"], False)


def test_two_editors_of_one_section_the_second_gets_a_conflict_with_the_other_change(ctx):
    t = tree(ctx)
    plan = create(ctx, ADMIN, t["nw"], uniq("Race"))
    first = save(ctx, ADMIN, t["nw"], plan, "agent_updates",
                 {"ring": "early", "window_day": "sat", "window_start": "01:30", "window_hours": 2}, 1)
    assert first["outcome"] == "ok"
    second = save(ctx, ADMIN, t["nw"], plan, "agent_updates",
                  {"ring": "pinned", "window_day": "mon", "window_start": "03:00", "window_hours": 3}, 1)
    assert second["outcome"] == "conflict" and second["version"] == first["version"], second
    assert second["doc"]["ring"] == "early" and second["by"] == "Nora Admin", second
    # Unlocking a section twice: the second sees the first.
    assert override(ctx, ADMIN, t["c2"], None, "notifications", {"emails": [], "min_severity": "low"})["outcome"] == "ok"
    r = override(ctx, ADMIN, t["c2"], None, "notifications", {"emails": [], "min_severity": "critical"})
    assert r["outcome"] == "conflict" and r["doc"]["min_severity"] == "low", r
    assert override(ctx, ADMIN, t["c2"], None, "notifications", {"emails": [], "min_severity": "critical"},
                    r["version"])["outcome"] == "ok"
    # Restore an earlier version: a new version with the old document.
    hid = int(owner_sql(ctx, "SELECT min(id) FROM config_history WHERE plan_id = %d AND section = 'agent_updates'" % plan))
    v = int(owner_sql(ctx, "SELECT version FROM plan_sections WHERE plan_id = %d AND section = 'agent_updates'" % plan))
    out = json.loads(as_user(ctx, ADMIN, "SELECT row_to_json(x) FROM plan_restore(%d, %d, %d, %d) x"
                             % (t["nw"], plan, hid, v)))
    assert out["outcome"] == "ok" and out["version"] == v + 1 and out["doc"] == default(ctx, "agent_updates"), out
    actions = owner_sql(ctx, "SELECT string_agg(action, ',' ORDER BY id) FROM config_history WHERE plan_id = %d"
                             " AND section = 'agent_updates'" % plan)
    assert actions == "create,edit,restore", actions


def test_documents_are_checked_field_by_field(ctx):
    bad = [
        ("access_policy", {"rules": [{"name": "x", "source": "any", "destination": "any", "service": "any",
                                      "action": "allow", "log": True}]}, "rules[1].action"),
        ("access_policy", {"rules": [], "extra": 1}, "the section has the fields rules"),
        ("url_filtering", dict(URL, blocked_categories=["nope"]), "blocked_categories"),
        ("url_filtering", dict(URL, custom_blocked=["Not A Host"]), "custom_blocked"),
        ("vuln_scanning", {"schedule": "weekly", "intensity": "normal", "excluded_ranges": ["10.0.0.0/33"]},
         "excluded_ranges: entry 1"),
        ("agent_updates", {"ring": "broad", "window_day": "sun", "window_start": "25:00", "window_hours": 4},
         "window_start"),
        ("agent_updates", {"ring": "broad", "window_day": "sun", "window_start": "02:00", "window_hours": 4.5},
         "window_hours"),
        ("notifications", {"emails": ["a@b"], "min_severity": "high"}, "emails"),
        ("nope", {}, "unknown section"),
    ]
    for section, doc, want in bad:
        got = owner_sql(ctx, "SELECT config_doc_error(%s, %s)" % (q(section), q(doc)))
        assert want in got, (section, doc, got)
    for section in ("access_policy", "threat_prevention", "url_filtering", "ssl_inspection", "vuln_scanning",
                    "agent_updates", "vpn", "local_network", "notifications"):
        assert owner_sql(ctx, "SELECT config_doc_error(%s, default_doc) IS NULL FROM config_sections"
                              " WHERE section = %s" % (q(section), q(section))) == "t", section


def test_devices_poll_their_configuration_with_an_etag(ctx):
    t = tree(ctx)
    owner = ctx.login(ADMIN)
    key = portal.create_key(ctx, owner, t["c1"], "gateway")["key"]
    auth = {"Authorization": "Bearer " + key}
    c = portal.Client(ctx.port)
    r = c.get("/api/v2/devices/gw-1/config", headers=auth)
    assert r.status == 200 and r.header("Content-Type").startswith("application/json"), r.status
    body = r.json()
    assert body["device"]["external_id"] == "gw-1" and set(body["sections"]) == set(body["sources"])
    etag = r.header("ETag")
    assert etag and etag.startswith('"'), etag
    r = c.get("/api/v2/devices/gw-1/config", headers=dict(auth, **{"If-None-Match": etag}))
    assert r.status == 304 and r.body == b"", r.status
    assert c.get("/api/v2/devices/gw-1/config",
                 headers=dict(auth, **{"If-None-Match": 'W/"x", ' + etag})).status == 304
    # The tag changes exactly when the configuration does.
    assert override(ctx, ADMIN, t["c1"], t["gw"], "local_network",
                    {"lan_ranges": ["192.168.7.0/24"], "dns_servers": []})["outcome"] == "ok"
    # Changed from psql: the workers' kept tags go when its notification
    # reaches them (cgi/etag_cache.h), at once through the portal
    # (test_plan_pages.py).
    portal.wait_for("every worker to answer the new configuration",
                    lambda: all(c.get("/api/v2/devices/gw-1/config",
                                      headers=dict(auth, **{"If-None-Match": etag})).status == 200
                                for _ in range(9)))
    r = c.get("/api/v2/devices/gw-1/config", headers=dict(auth, **{"If-None-Match": etag}))
    assert r.status == 200 and r.header("ETag") != etag and r.json()["sources"]["local_network"]["from"] == "device"
    etag2 = r.header("ETag")
    assert override(ctx, ADMIN, t["c1"], t["gw"], "local_network",
                    {"lan_ranges": ["192.168.7.0/24"], "dns_servers": []}, 1)["outcome"] == "unchanged"
    assert c.get("/api/v2/devices/gw-1/config", headers=dict(auth, **{"If-None-Match": etag2})).status == 304
    # The other device's tag did not move; an asset that is not a device,
    # another tenant's device, or no key: refused.
    assert c.get("/api/v2/devices/ag-1/config", headers=auth).json()["sources"]["local_network"]["from"] == "default"
    assert c.get("/api/v2/devices/web-1/config", headers=auth).status == 404
    assert c.get("/api/v2/devices/gw-1/config?tenant_id=%d" % t["c2"], headers=auth).status == 404
    assert c.get("/api/v2/devices/gw-1/config").status == 401
    revert(ctx, ADMIN, t["c1"], t["gw"], "local_network")


def test_a_kept_document_is_the_one_built_and_every_change_it_reads_replaces_it(ctx):
    """config_poll() keeps an account's document (config_documents) while
    config_generation stays the same; every table the document is read
    from bumps it, once per transaction, so the next poll is the document
    config_document() builds now. A device's name is read anew each poll
    and bumps nothing; a device with a section of its own is built."""
    t = tree(ctx)
    n = uniq("Kept")
    owner_sql(ctx, "INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " VALUES ('company', '%s Co', 'eu', %d, '{0}', 0)" % (n, t["msp"]))
    co = int(owner_sql(ctx, "SELECT id FROM tenants WHERE name = '%s Co'" % n))
    owner_sql(ctx, "INSERT INTO assets (tenant_id, root_id, external_id, kind, name) SELECT id, root_id, 'kd-1',"
                   " 'probe', 'Kept probe' FROM tenants WHERE id = %d" % co)
    dev = int(owner_sql(ctx, "SELECT id FROM assets WHERE tenant_id = %d AND external_id = 'kd-1'" % co))
    admin = ctx.login(ADMIN)
    auth = {"Authorization": "Bearer " + portal.create_key(ctx, admin, co, "kept")["key"]}
    c = portal.Client(ctx.port)

    def poll():
        r = c.get("/api/v2/devices/kd-1/config", headers=auth)
        assert r.status == 200, r.status
        return r.json()

    def built():
        return json.loads(owner_sql(ctx, "SELECT config_document(%d, %d, ARRAY[%d::bigint], '{}')" % (co, dev, co)))

    def generation():
        return int(owner_sql(ctx, "SELECT generation FROM config_generation"))

    def kept():
        return owner_sql(ctx, "SELECT c.generation = g.generation FROM config_documents c, config_generation g"
                              " WHERE c.tenant_id = %d AND c.viewer_id = %d" % (co, co))

    first = poll()
    assert first == built() and kept() == "t"
    # The second poll reads the kept row (changed behind the poll's back
    # here, which no change through the tables does).
    owner_sql(ctx, "UPDATE config_documents SET doc = jsonb_set(doc, '{tenant,name}', '\"kept\"')"
                   " WHERE tenant_id = %d" % co)
    assert poll()["tenant"]["name"] == "kept"

    def changed(what, sql):
        g = generation()
        before = poll()
        owner_sql(ctx, sql)
        assert generation() == g + 1, "%s: the generation did not move" % what
        after = poll()
        assert after == built() and after != before, "%s: %r" % (what, after)
        assert kept() == "t", what
        return after

    doc = changed("tenants", "UPDATE tenants SET name = '%s Co renamed' WHERE id = %d" % (n, co))
    assert doc["tenant"]["name"] == "%s Co renamed" % n
    plan = create(ctx, ADMIN, t["nw"], uniq("Kept plan"))
    assert share(ctx, ADMIN, t["nw"], plan, t["msp"]) == "ok"
    assert poll()["plan"]["id"] == plan and poll() == built()
    doc = changed("plans", "UPDATE plans SET name = '%s plan renamed' WHERE id = %d" % (n, plan))
    assert doc["plan"]["name"] == "%s plan renamed" % n
    doc = changed("plan_sections", "UPDATE plan_sections SET doc = '{\"enabled\": true, \"bypass_categories\": []}'"
                                   " WHERE plan_id = %d AND section = 'ssl_inspection'" % plan)
    assert doc["sections"]["ssl_inspection"]["enabled"] is True
    assert override(ctx, t["msp_admin"], co, None, "url_filtering", URL)["outcome"] == "ok"
    assert poll() == built() and poll()["sources"]["url_filtering"]["by"] == "Pat Plans"
    pat = uid(ctx, t["msp_admin"])
    try:
        doc = changed("users", "UPDATE users SET name = 'Pat Renamed' WHERE id = %d" % pat)
        assert doc["sources"]["url_filtering"]["by"] == "Pat Renamed"
    finally:
        owner_sql(ctx, "UPDATE users SET name = 'Pat Plans' WHERE id = %d" % pat)
    doc = changed("config_overrides", "DELETE FROM config_overrides WHERE tenant_id = %d" % co)
    assert doc["sources"]["url_filtering"]["from"] == "plan"
    doc = changed("plan_shares", "DELETE FROM plan_shares WHERE plan_id = %d" % plan)
    assert doc["plan"] is None and doc["sources"]["ssl_inspection"]["from"] == "default"
    old = owner_sql(ctx, "SELECT default_doc FROM config_sections WHERE section = 'notifications'")
    try:
        doc = changed("config_sections", "UPDATE config_sections SET default_doc = '{\"emails\": [],"
                                         " \"min_severity\": \"critical\"}' WHERE section = 'notifications'")
        assert doc["sections"]["notifications"]["min_severity"] == "critical"
    finally:
        owner_sql(ctx, "UPDATE config_sections SET default_doc = %s WHERE section = 'notifications'" % q(old))
    # Two changes in one transaction: one bump.
    g = generation()
    owner_sql(ctx, "BEGIN; UPDATE tenants SET name = '%s Co' WHERE id = %d;"
                   " UPDATE plans SET name = '%s plan' WHERE id = %d; COMMIT" % (n, co, n, plan))
    assert generation() == g + 1 and poll() == built()
    # The device's name: read anew by every poll, no bump.
    g = generation()
    owner_sql(ctx, "UPDATE assets SET name = 'Kept probe renamed' WHERE id = %d" % dev)
    assert generation() == g and poll()["device"]["name"] == "Kept probe renamed" and poll() == built()
    # A device with a section of its own: its document is built per poll.
    assert override(ctx, ADMIN, co, dev, "vpn", {"enabled": True, "peers": []})["outcome"] == "ok"
    doc = poll()
    assert doc == built() and doc["sources"]["vpn"]["from"] == "device"


def test_a_gateway_reported_through_ingest_is_a_device_counted_in_the_inventory(ctx):
    t = tree(ctx)
    owner = ctx.login(ADMIN)
    key = portal.create_key(ctx, owner, t["c2"], "edge feed")["key"]
    auth = {"Authorization": "Bearer " + key}
    c = portal.Client(ctx.port)
    before = owner.get_json("/t/%d" % t["msp"]).json()["stats"]
    r = c.request("POST", "/api/v2/assets", headers=dict(auth, **{"Content-Type": "application/json"}),
                  body=json.dumps({"items": [{"external_id": "edge-1", "kind": "security gateway",
                                              "name": "Edge firewall", "address": "192.0.2.1"}]}))
    assert r.status == 200 and r.json()["accepted"] == 1, r.body
    gw = int(owner_sql(ctx, "SELECT id FROM assets WHERE tenant_id = %d AND external_id = 'edge-1'"
                            " AND kind = 'gateway'" % t["c2"]))
    # Counted in the inventory of every tenant above it, listed by kind.
    stats = owner.get_json("/t/%d" % t["msp"]).json()["stats"]
    assert stats["gateways"] == before["gateways"] + 1 and stats["assets"] == before["assets"] + 1
    assert stats["probes"] == before["probes"]
    assert any(d["kind"] == "gateway" for d in stats["donut"])
    page = owner.get("/t/%d" % t["c2"]).text
    assert 'href="/t/%d/assets?kind=gateway"' % t["c2"] in page
    listed = owner.get_json("/t/%d/assets?kind=gateway" % t["c2"]).json()
    assert [(a["name"], a["kind"]) for a in listed["assets"]] == [("Edge firewall", "gateway")]
    # A device: it polls its configuration, and has one of its own.
    r = c.get("/api/v2/devices/edge-1/config", headers=auth)
    assert r.status == 200 and r.json()["device"] == {"id": gw, "external_id": "edge-1", "name": "Edge firewall",
                                                      "kind": "gateway"}, r.body
    assert owner_sql(ctx, "SELECT last_used_at IS NOT NULL FROM api_keys WHERE key_hash = '%s'"
                     % hashlib.sha256(key.encode()).hexdigest()) == "t"
    # A key above polls it with tenant_id; a key beside it does not see it.
    msp_key = portal.create_key(ctx, owner, t["msp"], "msp poller")["key"]
    r = c.get("/api/v2/devices/edge-1/config?tenant_id=%d" % t["c2"], headers={"Authorization": "Bearer " + msp_key})
    assert r.status == 200 and r.json()["tenant"]["id"] == t["c2"], r.status
    assert c.get("/api/v2/devices/edge-1/config", headers={"Authorization": "Bearer " + msp_key}).status == 404
    c1_key = portal.create_key(ctx, owner, t["c1"], "neighbour")["key"]
    assert c.get("/api/v2/devices/edge-1/config?tenant_id=%d" % t["c2"],
                 headers={"Authorization": "Bearer " + c1_key}).status == 404
    assert c.get("/api/v2/devices/edge-1/config", headers={"Authorization": "Bearer mssp_" + "0" * 64}).status == 401
    assert override(ctx, ADMIN, t["c2"], gw, "local_network",
                    {"lan_ranges": ["192.168.9.0/24"], "dns_servers": []})["outcome"] == "ok"
    assert effective(ctx, ADMIN, t["c2"], gw)["sources"]["local_network"]["from"] == "device"
    assert "Edge firewall" in owner.get("/t/%d/config?device=%d" % (t["c2"], gw)).text


def test_plan_reach_is_every_account_that_follows_the_plan(ctx):
    """plan_reach() (a plan's page: who it reaches) is, for every plan, the
    active accounts whose plan_followed() is that plan: a share nearer to an
    account wins, at one account the nearest owner's, a share whose owner
    is not above its account (as after a move) counts for nothing, and an
    archived account is reached by none. A tree built for each case, and
    every plan of the stack compared."""
    n = int(time.time() * 1000) % 1000000
    m = ctx.stack.new_tenant("mssp", "Reach MSSP %d" % n)
    a = ctx.stack.new_tenant("msp", "Reach A %d" % n, m)
    b = ctx.stack.new_tenant("msp", "Reach B %d" % n, m)
    ctx.stack.new_companies(a, "Reach A %d-" % n, 3)
    ctx.stack.new_companies(b, "Reach B %d-" % n, 1)
    a1, a2, a4 = [int(x) for x in owner_sql(ctx, "SELECT id FROM tenants WHERE parent_id = %d ORDER BY name" % a).split()]
    b1 = int(owner_sql(ctx, "SELECT id FROM tenants WHERE parent_id = %d" % b))
    plans = {}
    for name, owner in (("top", m), ("mine", a), ("other", m)):
        plans[name] = int(owner_sql(ctx, "INSERT INTO plans (tenant_id, root_id, name) VALUES (%d, %d, 'Reach %s %d')"
                                         " RETURNING id" % (owner, m, name, n)).split()[0])
    shares = [(a, m, "top"), (b, m, "top"),   # the MSSP's plan for both MSPs
              (a1, a, "mine"),                # nearer: A's own plan for a1
              (a2, m, "other"), (a2, a, "mine"),  # one account, two owners: A (nearer) wins
              (b1, a, "mine")]                # A is not above b1: nothing
    for tenant, owner, plan in shares:
        owner_sql(ctx, "INSERT INTO plan_shares (tenant_id, owner_id, root_id, plan_id) VALUES (%d, %d, %d, %d)"
                       % (tenant, owner, m, plans[plan]))
    owner_sql(ctx, "UPDATE tenants SET status = 'archived' WHERE id = %d" % a4)

    def reach(p):
        return sorted(tuple(r.split("|")) for r in owner_sql(ctx, "SELECT tenant_id, is_company FROM plan_reach(%d)" % p).split())

    assert reach(plans["top"]) == sorted([(str(a), "f"), (str(b), "f"), (str(b1), "t")])
    assert reach(plans["mine"]) == sorted([(str(a1), "t"), (str(a2), "t")])
    assert reach(plans["other"]) == []
    # Every plan of the stack: the definition, account by account.
    differ = owner_sql(ctx, """
        SELECT p.id FROM plans p
         WHERE EXISTS ((SELECT tenant_id, is_company FROM plan_reach(p.id)
                        EXCEPT SELECT x.id, x.kind = 'company' FROM tenants x
                                WHERE x.status = 'active' AND (SELECT f.plan_id FROM plan_followed(x.ancestors) f) = p.id)
                       UNION ALL
                       (SELECT x.id, x.kind = 'company' FROM tenants x
                         WHERE x.status = 'active' AND (SELECT f.plan_id FROM plan_followed(x.ancestors) f) = p.id
                        EXCEPT SELECT tenant_id, is_company FROM plan_reach(p.id)))""")
    assert differ == "", differ
    assert int(owner_sql(ctx, "SELECT count(*) FROM plans")) > 3
