"""An incident's own page, reached from the list: what it is, its customer,
a timeline of who did what, where else its indicator was seen (only where
the viewer looks), and its actions, which return to it; and the drill-down
from the dashboard's counts to the lists they count."""
import re
import time


def make(ctx, indicator="198.51.100.77", companies=2):
    """Companies of Bluefin IT with one open critical incident each, sharing
    an indicator; their ids and the incidents' ids."""
    n = int(time.time() * 1000) % 1000000
    bf = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
    cos, iids = [], []
    for k in range(companies):
        ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                       " VALUES ('company', 'Detail Co %d-%d', 'eu', %d, '{0}', 0)" % (n, k, bf))
        co = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Detail Co %d-%d'" % (n, k)))
        ctx.stack.psql("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, indicator,"
                       " indicator_kind) SELECT %d, root_id, 'd%d-%d', 'critical', 'Beacon to <b>C2</b>', '%s', 'ip'"
                       " FROM tenants WHERE id = %d" % (co, n, k, indicator, co))
        cos.append(co)
        iids.append(int(ctx.stack.psql("SELECT id FROM incidents WHERE tenant_id = %d" % co)))
    return bf, cos, iids


def test_the_list_leads_to_the_incident_and_its_customer(ctx):
    bf, (co, other), (iid, _) = make(ctx)
    analyst = ctx.login("analyst@msp1.example")
    html = analyst.get("/t/%d/incidents?status=open&severity=critical" % co).text
    assert '<a href="/t/%d/incidents/%d">Beacon to &lt;b&gt;C2&lt;/b&gt;</a>' % (co, iid) in html
    assert re.search(r'<a href="/t/%d" class="name" title="Detail Co [0-9-]+">' % co, html)
    j = analyst.get_json("/t/%d/incidents/%d" % (bf, iid)).json()["incident"]
    assert j["customer"]["id"] == co and j["open"] and not j["acknowledged"] and j["severity"] == "critical"
    assert [e["what"] for e in j["timeline"]] == ["opened"]
    # The other company with the same indicator, which the analyst sees.
    assert [(e["id"], e["incidents"]) for e in j["elsewhere"]] == [(other, 1)], j["elsewhere"]
    # A viewer of one company sees no other customer there.
    viewer_co = int(ctx.stack.psql("SELECT m.tenant_id FROM memberships m JOIN users u ON u.id = m.user_id"
                                   " WHERE u.email = 'viewer@company.example'"))
    ctx.stack.psql("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, indicator, indicator_kind)"
                   " SELECT id, root_id, 'dv%d', 'low', 'Seen here too', '198.51.100.77', 'ip' FROM tenants"
                   " WHERE id = %d" % (iid, viewer_co))
    try:
        viewer = ctx.login("viewer@company.example")
        vid = int(ctx.stack.psql("SELECT id FROM incidents WHERE external_id = 'dv%d'" % iid))
        v = viewer.get_json("/t/%d/incidents/%d" % (viewer_co, vid)).json()["incident"]
        assert "elsewhere" not in v, v
        # The analyst, who sees both, is shown both.
        seen = analyst.get_json("/t/%d/incidents/%d" % (bf, iid)).json()["incident"]["elsewhere"]
        assert {e["id"] for e in seen} == {other, viewer_co}, seen
    finally:
        ctx.stack.psql("DELETE FROM incidents WHERE external_id = 'dv%d'" % iid)


def test_acting_from_the_incident_s_page_returns_to_it_with_who_did_it(ctx):
    bf, (co, _), (iid, _) = make(ctx)
    analyst = ctx.login("analyst@msp1.example")
    r = analyst.post("/t/%d/incidents/%d/acknowledge" % (co, iid), {"back": "detail"})
    assert r.status == 303 and r.header("Location") == "/t/%d/incidents/%d?done=acknowledged" % (co, iid)
    r = analyst.post("/t/%d/incidents/%d/resolve" % (co, iid), {"back": "detail", "note": "  "})
    assert r.status == 400 and 'id="note-error-%d"' % iid in r.text and "<details class=\"resolve\" open>" in r.text
    assert "Beacon to &lt;b&gt;C2&lt;/b&gt;" in r.text  # the incident's page again, not the list
    r = analyst.post("/t/%d/incidents/%d/resolve" % (co, iid), {"back": "detail", "note": "Blocked at the edge."})
    assert r.status == 303 and r.header("Location") == "/t/%d/incidents/%d?done=resolved" % (co, iid)
    j = analyst.get_json("/t/%d/incidents/%d?done=resolved" % (co, iid)).json()
    name = analyst.get_json("/").json()["user"]["name"]
    steps = {e["what"]: e for e in j["incident"]["timeline"]}
    assert list(steps) == ["opened", "acknowledged", "resolved"], steps
    assert steps["acknowledged"]["by"] == name and steps["resolved"]["by"] == name
    assert steps["resolved"]["note"] == "Blocked at the edge." and j["notice"] == "Incident resolved."
    assert j["incident"]["open"] is False and "can_act" in j["incident"] and not j["incident"]["can_act"]
    # Closed by its probe instead: the timeline says who.
    _, (co2,), (iid2,) = make(ctx, indicator="192.0.2.200", companies=1)
    ctx.stack.psql("UPDATE incidents SET acknowledged_at = now(), closed_at = now(), resolution_note = 'auto'"
                   " WHERE id = %d" % iid2)
    steps = analyst.get_json("/t/%d/incidents/%d" % (co2, iid2)).json()["incident"]["timeline"]
    assert [(e["what"], e["by"]) for e in steps] == [("opened", "reported by a probe or agent"),
                                                      ("acknowledged", "reported by a probe or agent"),
                                                      ("resolved", "reported by a probe or agent")], steps


def test_an_incident_is_seen_only_by_those_who_see_its_customer(ctx):
    bf, (co, other), (iid, _) = make(ctx)
    nw = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    viewer = ctx.login("viewer@company.example")
    mine = int(viewer.get_json("/tenants").json()["mine"][0]["id"])
    # Through a tenant the viewer sees, an incident of another company is not found.
    assert viewer.get("/t/%d/incidents/%d" % (mine, iid)).status == 404
    assert viewer.get("/t/%d/incidents/%d" % (co, iid)).status in (403, 404)
    # An incident must be below the tenant in the URL.
    ever = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Evergreen MSP'"))
    owner = ctx.login("owner@evergreen.example")
    assert owner.get("/t/%d/incidents/%d" % (ever, iid)).status == 404
    # The MSSP Admin sees it from every level above it.
    admin = ctx.login("admin@northwind.example")
    for t in (nw, bf, co):
        assert admin.get("/t/%d/incidents/%d" % (t, iid)).status == 200
    assert admin.get("/t/%d/incidents/999999999" % bf).status == 404


def test_the_dashboard_s_counts_lead_to_what_they_count(ctx):
    bf, cos, iids = make(ctx)
    owner = ctx.login("owner@msp1.example")
    html = owner.get("/t/%d" % bf).text
    for href in ("/t/%d/assets?kind=probe" % bf, "/t/%d/assets?kind=agent" % bf,
                 "/t/%d/assets?kind=discovered" % bf, "/t/%d/assets?kind=external" % bf,
                 "/t/%d/incidents?status=open&amp;severity=critical" % bf, "/t/%d/incidents?status=new" % bf,
                 "/t/%d/vulnerabilities?severity=critical" % bf, "/t/%d#children" % bf):
        assert 'href="%s"' % href in html, href
    board = owner.get_json("/t/%d" % bf).json()
    # "New in the last 24 h" lists exactly as many as the tile counts.
    listed = owner.get_json("/t/%d/incidents?status=new" % bf).json()
    assert listed["total"] == board["incidents"]["new_24h"], (listed["total"], board["incidents"])
    assert set(iids) <= {x["id"] for x in listed["incidents"]} or listed["total"] > 50
    crit = owner.get_json("/t/%d/incidents?status=open&severity=critical" % bf).json()
    assert crit["total"] == board["stats"]["incidents_open_critical"]


def test_elsewhere_counts_each_customer_s_incidents_of_30_days_in_the_tree(ctx):
    # From the threats rollup: the customers of the incident's tree the
    # viewer sees, the one that saw the indicator last first; each one's
    # incidents with it in the last 30 days counted, not older ones; a
    # customer of another provider's tree never listed.
    ind = "elsewhere-%d.example" % int(time.time() * 1000)
    bf, (co, a, b), (iid, _, _) = make(ctx, indicator=ind, companies=3)
    evergreen_co = int(ctx.stack.psql("SELECT min(c.id) FROM tenants c JOIN tenants m ON m.id = c.parent_id"
                                      " WHERE m.name = 'Evergreen MSP'"))
    try:
        for tenant, days in ((a, 2), (a, 40), (b, 1), (evergreen_co, 1)):
            ctx.stack.psql("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, indicator,"
                           " indicator_kind, opened_at) SELECT id, root_id, 'else-%d-%d', 'low', 'Again', '%s', 'ip',"
                           " now() - make_interval(days => %d) FROM tenants WHERE id = %d"
                           % (tenant, days, ind, days, tenant))
        seen = ctx.login("admin@northwind.example").get_json("/t/%d/incidents/%d" % (bf, iid)).json()
        # a: its first incident (now) and the one 2 days ago; b: its first
        # and the one a day ago. Both saw it last just now (made last).
        got = [(e["id"], e["incidents"]) for e in seen["incident"]["elsewhere"]]
        assert sorted(got) == sorted([(a, 2), (b, 2)]), got
        assert evergreen_co not in [e["id"] for e in seen["incident"]["elsewhere"]]
    finally:
        ctx.stack.psql("DELETE FROM incidents WHERE external_id LIKE 'else-%%' AND indicator = '%s'" % ind)
