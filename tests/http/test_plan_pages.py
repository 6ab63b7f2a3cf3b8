"""The plans story through the pages (docs/plans.md): an MSSP Admin makes a
plan, edits a section through its form (preview, conflicts, field errors),
shares it with an MSP; the MSP's Owner sees the plan it follows, may not
change it, clones it and shares the clone with a company; the company's
Owner unlocks one section and reverts it; everything is audited."""
import re
import time

import portal

NW_ADMIN, MSP_OWNER, CO_OWNER = "admin@northwind.example", "owner@msp1.example", "owner@company.example"


def tid(ctx, name):
    return int(ctx.stack.psql("SELECT id FROM tenants WHERE name = '%s'" % name))


def company(ctx):
    """The company of owner@company.example."""
    return int(ctx.stack.psql("SELECT m.tenant_id FROM memberships m JOIN users u ON u.id = m.user_id"
                              " WHERE u.email = '%s' LIMIT 1" % CO_OWNER))


def url_form(base, blocked=("malware",), extra_hosts=""):
    """The posted form of the URL filtering section."""
    f = {"base": str(base), "do": "save", "custom_blocked": extra_hosts, "custom_allowed": ""}
    for c in blocked:
        f["blocked_categories." + c] = "1"
    return f


def plan_id(location):
    return int(re.search(r"/plans/(\d+)", location).group(1))


def test_the_plan_story_through_the_pages(ctx):
    nw, bf, co = tid(ctx, "Northwind Security"), tid(ctx, "Bluefin IT"), company(ctx)
    baseline = int(ctx.stack.psql("SELECT id FROM plans WHERE name = 'Northwind baseline'"))
    strict = int(ctx.stack.psql("SELECT id FROM plans WHERE name = 'Bluefin strict'"))
    admin = ctx.login(NW_ADMIN)
    assert "Plans" in admin.get("/t/%d" % nw).text
    page = admin.get("/t/%d/plans" % nw)
    assert page.status == 200 and "New plan" in page.text
    name = "Story %d" % (int(time.time() * 1000) % 10000000)
    # A refused name comes back next to its field, the value kept.
    r = admin.post("/t/%d/plans" % nw, {"name": "  "})
    assert r.status == 400 and "1 to 120 characters" in r.text, r.status
    r = admin.post("/t/%d/plans" % nw, {"name": name})
    assert r.status == 303, r.status
    pid = plan_id(r.header("Location"))
    plan = admin.get("/t/%d/plans/%d" % (nw, pid))
    assert plan.status == 200 and name in plan.text and "Not shared yet" in plan.text
    form = admin.get("/t/%d/plans/%d/sections/url_filtering" % (nw, pid)).text
    assert 'name="blocked_categories.gambling"' in form and 'name="base" value="1"' in form

    # Preview: what it would do, nothing saved.
    r = admin.post("/t/%d/plans/%d/sections/url_filtering" % (nw, pid),
                   dict(url_form(1, ("gambling", "malware")), do="preview"))
    assert r.status == 200 and "What this change does" in r.text and "gambling" in r.text
    assert admin.get_json("/t/%d/plans/%d" % (nw, pid)).json()["plan_page"]["plan"]["version"] == 1
    # A field error: next to its field, what was typed kept.
    r = admin.post("/t/%d/plans/%d/sections/url_filtering" % (nw, pid), url_form(1, extra_hosts="Not A Host"))
    assert r.status == 400 and "custom_blocked: at most 1,000 host names" in r.text and "Not A Host" in r.text
    # Saved.
    r = admin.post("/t/%d/plans/%d/sections/url_filtering" % (nw, pid),
                   url_form(1, ("gambling", "malware"), "bad.example.com\n  worse.example.net  \n"))
    assert r.status == 303 and r.header("Location").endswith("done=saved"), r.status
    doc = next(s for s in admin.get_json("/t/%d/plans/%d" % (nw, pid)).json()["plan_page"]["sections"]
               if s["section"] == "url_filtering")
    assert doc["doc"] == {"blocked_categories": ["gambling", "malware"],
                          "custom_blocked": ["bad.example.com", "worse.example.net"], "custom_allowed": []}, doc
    # A second editor who started from version 1: 409, the other change shown.
    r = admin.post("/t/%d/plans/%d/sections/url_filtering" % (nw, pid), url_form(1, ("p2p",)))
    assert r.status == 409 and "Someone else saved this section" in r.text and "gambling" in r.text
    assert 'name="base" value="%d"' % doc["version"] in r.text   # saving again replaces it, knowingly
    # Rules as a table: a row added, blank rows dropped.
    rules = {"base": "1", "do": "save", "rules.count": "3"}
    for i, (n, a) in enumerate((("Block all", "drop"), ("Allow web", "accept"))):
        rules.update({"rules.%d.name" % i: n, "rules.%d.source" % i: "any", "rules.%d.destination" % i: "any",
                      "rules.%d.service" % i: "https", "rules.%d.action" % i: a})
    rules["rules.0.log"] = "1"
    rules["rules.2.action"] = "accept"
    assert admin.post("/t/%d/plans/%d/sections/access_policy" % (nw, pid), rules).status == 303
    # A never-shared section is not a plan's.
    assert admin.get("/t/%d/plans/%d/sections/vpn" % (nw, pid)).status == 404
    # A plan that is not there, or not one: not found, saved or shown
    # again with a bad field alike.
    for plan in ("999999999", "x1"):
        for hosts in ("ok.example.com", "Not A Host"):
            assert admin.post("/t/%d/plans/%s/sections/url_filtering" % (nw, plan),
                              url_form(1, extra_hosts=hosts)).status == 404

    # Shared with Bluefin IT: it reaches Bluefin and its companies, but for
    # those that follow a plan of Bluefin's own (the demo's Bluefin strict).
    r = admin.post("/t/%d/plans/%d/share" % (nw, pid), {"target": str(bf), "on": "1"})
    assert r.status == 303
    reach = admin.get_json("/t/%d/plans/%d" % (nw, pid)).json()["plan_page"]["reach"]
    below = int(ctx.stack.psql("SELECT count(*) FROM tenants x WHERE %d = ANY (x.ancestors) AND x.status = 'active'"
                               " AND NOT EXISTS (SELECT 1 FROM plan_shares s WHERE s.tenant_id = x.id"
                               " AND s.owner_id = %d)" % (bf, bf)))
    assert reach["accounts"] == below, (reach, below)
    # Its devices: each company's from the rollups, an MSP's own counted
    # (Bluefin gets a gateway of its own for the while), as every device
    # asset of those accounts would count.
    with ctx.stack.restoring("assets", "tenant_id = %d AND external_id = 'plan-reach-gw'" % bf):
        ctx.stack.psql("INSERT INTO assets (tenant_id, root_id, external_id, kind, name)"
                       " SELECT id, root_id, 'plan-reach-gw', 'gateway', 'Bluefin edge' FROM tenants WHERE id = %d" % bf)
        devices = int(ctx.stack.psql(
            "SELECT count(*) FROM assets a JOIN tenants x ON x.id = a.tenant_id"
            " WHERE %d = ANY (x.ancestors) AND x.status = 'active' AND a.kind IN ('probe', 'agent', 'gateway')"
            " AND NOT EXISTS (SELECT 1 FROM plan_shares s WHERE s.tenant_id = x.id AND s.owner_id = %d)" % (bf, bf)))
        reach = admin.get_json("/t/%d/plans/%d" % (nw, pid)).json()["plan_page"]["reach"]
        assert reach["devices"] == devices and devices > 1, (reach, devices)
        assert "It reaches <strong>%d</strong> accounts and <strong>%d</strong> devices" % (below, devices) \
            in admin.get("/t/%d/plans/%d" % (nw, pid)).text

    # The MSP's Owner: follows it, may not open or change it, clones it.
    owner = ctx.login(MSP_OWNER)
    plans = owner.get_json("/t/%d/plans" % bf).json()["plans"]
    assert plans["following"]["id"] == pid and plans["following"]["owner"]["name"] == "your provider"
    assert owner.get("/t/%d/plans/%d" % (nw, pid)).status in (403, 404)
    assert owner.get("/t/%d/plans/%d" % (bf, pid)).status == 404
    assert owner.post("/t/%d/plans/%d/sections/url_filtering" % (bf, pid), url_form(2)).status == 404
    r = owner.post("/t/%d/plans/%d/clone" % (bf, pid), {"name": "Bluefin strict"})
    if r.status == 400:   # a rerun on the same stack: the name is taken
        r = owner.post("/t/%d/plans/%d/clone" % (bf, pid), {"name": "Bluefin strict %s" % name})
    assert r.status == 303, r.status
    clone = plan_id(r.header("Location"))
    assert owner.post("/t/%d/plans/%d/share" % (bf, clone), {"target": str(co), "on": "1"}).status == 303

    # The company follows the clone; its Owner unlocks URL filtering.
    co_owner = ctx.login(CO_OWNER)
    conf = co_owner.get_json("/t/%d/config" % co).json()["config"]
    assert conf["plan"]["id"] == clone
    # Its people are not told the names of the tenants above it they cannot open.
    assert conf["plan"]["owner"] == {"id": None, "name": "your provider"}, conf["plan"]
    assert "Bluefin IT" not in co_owner.get("/t/%d/config" % co).text
    page = co_owner.get("/t/%d/config" % co).text
    assert "Unlock and edit" in page
    r = co_owner.post("/t/%d/config/url_filtering" % co, url_form("", ("games",)))
    assert r.status == 303, r.status
    conf = co_owner.get_json("/t/%d/config" % co).json()["config"]
    assert conf["sources"]["url_filtering"]["from"] == "account" and conf["sections"]["url_filtering"][
        "blocked_categories"] == ["games"]
    assert conf["sources"]["access_policy"]["from"] == "plan"
    # The plan's owner sees it among the overrides, and reverts it from there.
    overrides = owner.get_json("/t/%d/plans/%d" % (bf, clone)).json()["plan_page"]["overrides"]
    assert any(o["account_id"] == co and o["section"] == "url_filtering" for o in overrides), overrides
    plan_html = owner.get("/t/%d/plans/%d" % (bf, clone)).text
    assert 'action="/t/%d/config/url_filtering/revert"' % co in plan_html
    assert '<input type="hidden" name="back" value="/t/%d/plans/%d">' % (bf, clone) in plan_html
    r = owner.post("/t/%d/config/url_filtering/revert" % co, {"back": "/t/%d/plans/%d" % (bf, clone)})
    assert r.status == 303 and r.header("Location") == "/t/%d/plans/%d?done=reverted" % (bf, clone)
    assert co_owner.get_json("/t/%d/config" % co).json()["config"]["sources"]["url_filtering"]["from"] == "plan"
    # A viewer sees the configuration and changes nothing.
    viewer = ctx.login("viewer@company.example")
    assert viewer.get("/t/%d/config" % co).status == 200
    assert viewer.post("/t/%d/config/url_filtering" % co, url_form("", ("games",))).status == 403

    # Everything is in the audit log.
    actions = set(ctx.stack.psql("SELECT DISTINCT action FROM audit_log WHERE action LIKE 'plan.%%'"
                                 " OR action LIKE 'config.%%'").splitlines())
    assert {"plan.created", "plan.section_saved", "plan.shared", "plan.cloned", "config.override_saved",
            "config.reverted"} <= actions, actions
    # The demo as it was: Bluefin follows Northwind's baseline, the company
    # Bluefin strict.
    assert admin.post("/t/%d/plans/%d/share" % (nw, baseline), {"target": str(bf), "on": "1"}).status == 303
    assert owner.post("/t/%d/plans/%d/share" % (bf, strict), {"target": str(co), "on": "1"}).status == 303


def test_a_device_overrides_one_section_for_itself(ctx):
    co = company(ctx)
    dev = int(ctx.stack.psql("SELECT min(id) FROM assets WHERE tenant_id = %d AND kind IN ('probe', 'agent')" % co))
    owner = ctx.login(CO_OWNER)
    page = owner.get("/t/%d/config?device=%d" % (co, dev))
    assert page.status == 200 and "applies to it alone" in page.text
    form = owner.get("/t/%d/config/local_network?device=%d" % (co, dev)).text
    assert 'name="device" value="%d"' % dev in form
    r = owner.post("/t/%d/config/local_network" % co, {"device": str(dev), "base": "", "do": "save",
                                                       "lan_ranges": "10.20.0.0/16\n", "dns_servers": "10.20.0.53"})
    assert r.status == 303 and r.header("Location") == "/t/%d/config?device=%d&done=saved" % (co, dev), r.status
    conf = owner.get_json("/t/%d/config?device=%d" % (co, dev)).json()["config"]
    assert conf["sections"]["local_network"] == {"lan_ranges": ["10.20.0.0/16"], "dns_servers": ["10.20.0.53"]}
    assert conf["sources"]["local_network"]["from"] == "device"
    assert owner.get_json("/t/%d/config" % co).json()["config"]["sources"]["local_network"]["from"] == "default"
    # A bad address: refused next to its field.
    r = owner.post("/t/%d/config/local_network" % co, {"device": str(dev), "base": "1", "do": "save",
                                                       "lan_ranges": "10.20.0.0/99", "dns_servers": ""})
    assert r.status == 400 and "lan_ranges: entry 1" in r.text
    # A second version, then the first restored from the history, as a third.
    r = owner.post("/t/%d/config/local_network" % co, {"device": str(dev), "base": "1", "do": "save",
                                                       "lan_ranges": "10.30.0.0/16", "dns_servers": ""})
    assert r.status == 303, r.status
    hist = owner.get_json("/t/%d/config?device=%d" % (co, dev)).json()["config"]["history"]
    first = [h for h in hist if h["section"] == "local_network" and h["version"] == 1][0]
    assert first["restorable"] and first["base"] == 2, first
    assert 'action="/t/%d/config/history/%d/restore"' % (co, first["id"]) in \
        owner.get("/t/%d/config?device=%d" % (co, dev)).text
    r = owner.post("/t/%d/config/history/%d/restore" % (co, first["id"]), {"device": str(dev), "base": "1"})
    assert r.status == 303 and r.header("Location").endswith("done=conflict"), r.header("Location")
    r = owner.post("/t/%d/config/history/%d/restore" % (co, first["id"]), {"device": str(dev), "base": "2"})
    assert r.status == 303 and r.header("Location").endswith("done=restored"), r.header("Location")
    conf = owner.get_json("/t/%d/config?device=%d" % (co, dev)).json()["config"]
    assert conf["sections"]["local_network"]["lan_ranges"] == ["10.20.0.0/16"]
    assert conf["sources"]["local_network"]["version"] == 3
    r = owner.post("/t/%d/config/local_network/revert" % co, {"device": str(dev)})
    assert r.status == 303 and "done=reverted" in r.header("Location")
    # Another company's device is not found.
    other = int(ctx.stack.psql("SELECT min(id) FROM assets WHERE tenant_id <> %d AND kind = 'probe'" % co))
    assert owner.get("/t/%d/config?device=%d" % (co, other)).status == 404
    # Nor saved into, for itself or with a bad field (the writer checks the
    # device before the page is read for a form to show again).
    for lan in ("10.40.0.0/16", "10.40.0.0/99"):
        assert owner.post("/t/%d/config/local_network" % co, {"device": str(other), "base": "", "do": "save",
                                                              "lan_ranges": lan, "dns_servers": ""}).status == 404
    assert ctx.stack.psql("SELECT count(*) FROM config_overrides WHERE device_id = %d" % other) == "0"
    assert portal is not None


REPEAT = 9  # polls after a change: more than the stack's workers, several times over


def cached_polls(ctx, ext):
    return len(re.findall(r"^.* GET /api/v2/devices/%s/config 304 \S+ etag=cached$" % re.escape(ext),
                          ctx.stack.log(), re.M))


def test_a_poll_with_its_tag_is_answered_by_the_worker_until_the_configuration_changes(ctx):
    """The workers keep the ETags they answered (cgi/etag_cache.c): a poll
    with the tag is then answered 304 without a statement. A change
    through the portal shows on every worker's next poll; a revoked key is
    refused at once; a change from psql shows as soon as its notification
    reaches the workers."""
    co = company(ctx)
    ext, dev = ctx.stack.psql("SELECT external_id || '|' || id FROM assets WHERE tenant_id = %d"
                              " AND kind IN ('probe', 'agent') ORDER BY id LIMIT 1" % co).split("|")
    owner = ctx.login(CO_OWNER)
    key = portal.create_key(ctx, owner, co, "poller")
    auth = {"Authorization": "Bearer " + key["key"]}
    c = portal.Client(ctx.port)
    path = "/api/v2/devices/%s/config" % ext

    def poll(etag):
        return c.get(path, headers=dict(auth, **{"If-None-Match": etag}))

    def warm(etag):
        before = cached_polls(ctx, ext)
        for _ in range(30):
            assert poll(etag).status == 304
            if cached_polls(ctx, ext) > before:
                return
        raise AssertionError("no poll was answered from a worker's ETag cache")

    first = c.get(path, headers=auth)
    assert first.status == 200
    etag = first.header("ETag")
    warm(etag)
    # Through the portal: the device's own local network.
    r = owner.post("/t/%d/config/local_network" % co, {"device": dev, "base": "", "do": "save",
                                                       "lan_ranges": "10.40.0.0/16", "dns_servers": ""})
    assert r.status == 303, r.status
    try:
        answers = [poll(etag) for _ in range(REPEAT)]
        assert all(a.status == 200 for a in answers), [a.status for a in answers]
        etag2 = answers[0].header("ETag")
        assert etag2 != etag and {a.header("ETag") for a in answers} == {etag2}
        assert answers[0].json()["sections"]["local_network"]["lan_ranges"] == ["10.40.0.0/16"]
        # From outside (psql, ctl, a job): the device renamed.
        warm(etag2)
        name = ctx.stack.psql("SELECT name FROM assets WHERE id = %s" % dev)
        ctx.stack.psql("UPDATE assets SET name = name || ' (renamed)' WHERE id = %s" % dev)
        try:
            portal.wait_for("every worker to answer the renamed device",
                            lambda: all(poll(etag2).status == 200 for _ in range(REPEAT)))
            assert poll(etag2).json()["device"]["name"].endswith("(renamed)")
        finally:
            ctx.stack.psql("UPDATE assets SET name = '%s' WHERE id = %s" % (name.replace("'", "''"), dev))
        # A revoked key: refused at once, on every worker.
        etag3 = c.get(path, headers=auth).header("ETag")
        warm(etag3)
        r = owner.post("/t/%d/api-keys/%d/revoke" % (co, key["id"]), {})
        assert r.status == 303, r.status
        assert [poll(etag3).status for _ in range(REPEAT)] == [401] * REPEAT
    finally:
        r = owner.post("/t/%d/config/local_network/revert" % co, {"device": dev})
        assert r.status == 303, r.status


def test_share_with_finds_any_account_by_name(ctx):
    """"Share with" lists the first 500 accounts below the plan's owner (by
    their MSP's name and theirs) and says how many there are; "Find an
    account" finds any of them by its name or its MSP's, any case, so an
    account past the first 500 can be chosen. One too long is refused
    beside its field, its text kept, and all are listed."""
    n = int(time.time() * 1000) % 1000000
    mssp = ctx.stack.new_tenant("mssp", "Find MSSP %d" % n)
    msp = ctx.stack.new_tenant("msp", "Find MSP %d" % n, mssp)
    ctx.stack.new_companies(msp, "Find Co %d-" % n, 505)
    ctx.stack.new_user("findadmin%d@plans.example" % n, (mssp, "mssp_admin"), name="F")
    admin = ctx.login("findadmin%d@plans.example" % n)
    r = admin.post("/t/%d/plans" % mssp, {"name": "Find %d" % n})
    assert r.status == 303, r.status
    pid = plan_id(r.header("Location"))
    page = admin.get_json("/t/%d/plans/%d" % (mssp, pid)).json()["plan_page"]
    names = sorted(("Find Co %d-%d" % (n, g) for g in range(1, 506)), key=str.lower)
    assert [c["name"] for c in page["candidates"]] == ["Find MSP %d" % n] + names[:499]
    assert page["candidates_total"] == 506 and page["candidates_more"] is True
    html = admin.get("/t/%d/plans/%d" % (mssp, pid)).text
    assert "506 accounts it could be shared with, the first 500 listed" in html
    last = names[-1]  # past the first 500
    found = admin.get_json("/t/%d/plans/%d?find=%s" % (mssp, pid, last.upper().replace(" ", "+"))).json()
    assert [c["name"] for c in found["plan_page"]["candidates"]] == [last], found["plan_page"]["candidates"]
    assert found["find"] == last.upper() and found["plan_page"]["candidates_more"] is False
    target = found["plan_page"]["candidates"][0]["id"]
    assert admin.post("/t/%d/plans/%d/share" % (mssp, pid), {"target": target, "on": "1"}).status == 303
    assert [s["id"] for s in admin.get_json("/t/%d/plans/%d" % (mssp, pid)).json()["plan_page"]["shares"]] == [target]
    # Shared now: not a candidate any more; the empty state says so.
    html = admin.get("/t/%d/plans/%d?find=%s" % (mssp, pid, last.replace(" ", "+"))).text
    assert 'name="target"' not in html.split('id="share"')[1].split("</form>")[1]
    assert "No account below Find MSSP %d that this plan is not shared with has" % n in html
    assert 'value="%s"' % last in html  # the search kept in its field
    # The MSP's name finds the MSP and its companies (the one shared aside).
    by_msp = admin.get_json("/t/%d/plans/%d?find=find+msp+%d" % (mssp, pid, n)).json()["plan_page"]
    assert by_msp["candidates_total"] == 505 and len(by_msp["candidates"]) == 500
    # 120 characters of two bytes each: not too long (the field counts characters).
    r = admin.get("/t/%d/plans/%d?find=%s" % (mssp, pid, "%C3%A9" * 120))
    assert r.status == 200 and "share-find-error" not in r.text and "é" * 120 in r.text, r.status
    # Too long: refused beside its field, every account listed.
    r = admin.get("/t/%d/plans/%d?find=%s" % (mssp, pid, "x" * 121))
    assert r.status == 400 and "at most 120 characters of its name" in r.text and 'aria-invalid="true"' in r.text
    assert 'value="%s"' % ("x" * 121) in r.text, r.text[r.text.find("share-find"):][:600]
    assert "505 accounts it could be shared with" in r.text, r.text[r.text.find("share-find"):][:1200]
