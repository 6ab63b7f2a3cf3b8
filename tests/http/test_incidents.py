"""Incident lifecycle: an analyst acknowledges and resolves (a note is
required); the dashboard's counters follow; viewers only look."""
import time


def company_with_incident(ctx):
    n = int(time.time() * 1000) % 1000000
    bluefin = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
    ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " VALUES ('company', 'Incident Co %d', 'eu', %d, '{0}', 0)" % (n, bluefin))
    co = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Incident Co %d'" % n))
    ctx.stack.psql("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, indicator, indicator_kind)"
                   " SELECT %d, root_id, 'x%d', 'critical', 'Beacon <script>x</script>', '203.0.113.9', 'ip'"
                   " FROM tenants WHERE id = %d" % (co, n, co))
    iid = int(ctx.stack.psql("SELECT id FROM incidents WHERE tenant_id = %d" % co))
    return bluefin, co, iid


def test_analyst_acknowledges_then_resolves_with_a_note(ctx):
    bluefin, co, iid = company_with_incident(ctx)
    analyst = ctx.login("analyst@msp1.example")
    before = analyst.get_json("/t/%d" % bluefin).json()["stats"]["incidents_open_critical"]
    page = analyst.get("/t/%d/incidents?severity=critical" % co)
    assert page.status == 200 and "Beacon &lt;script&gt;x&lt;/script&gt;" in page.text and "Acknowledge" in page.text
    # The action returns to the list as it was (filters and page), each
    # part checked: an unknown status or a malformed cursor is dropped.
    r = analyst.post("/t/%d/incidents/%d/acknowledge?status=all&severity=critical&after=987654321"
                     "&before=12x&x=%%0d%%0aSet-Cookie:a" % (co, iid), {})
    assert r.status == 303 and r.header("Location") == \
        "/t/%d/incidents?status=all&severity=critical&after=987654321&done=acknowledged" % co, r.header("Location")
    row = analyst.get_json("/t/%d/incidents" % co).json()["incidents"][0]
    assert row["acknowledged"] and row["open"] is True
    assert analyst.post("/t/%d/incidents/%d/acknowledge" % (co, iid), {}).status == 409
    r = analyst.post("/t/%d/incidents/%d/resolve" % (co, iid), {"note": "   "})
    assert r.status == 400 and "a note is required" in r.text
    # A refused note comes back as typed, in its open form, with the message next to it.
    long_note = "Reimaged <b>host</b>. " * 100
    r = analyst.post("/t/%d/incidents/%d/resolve?status=all&severity=critical" % (co, iid), {"note": long_note})
    assert r.status == 400 and "at most 2000 characters" in r.text
    assert ('<details class="resolve" open>' in r.text and "Reimaged &lt;b&gt;host&lt;/b&gt;. " * 100 in r.text
            and 'id="note-error-%d"' % iid in r.text)
    action = "/t/%d/incidents/%d/resolve?status&#61;all&amp;severity&#61;critical" % (co, iid)
    assert 'action="%s"' % action in r.text, [l for l in r.text.splitlines() if "resolve?" in l][:2]
    r = analyst.post("/t/%d/incidents/%d/resolve?status=bogus&severity=high" % (co, iid),
                     {"note": "Blocked the IP; host reimaged."})
    assert r.status == 303 and r.header("Location") == \
        "/t/%d/incidents?status=open&severity=high&done=resolved" % co, r.header("Location")
    assert analyst.get_json("/t/%d/incidents" % co).json()["incidents"] == []  # the open list is empty
    closed = analyst.get_json("/t/%d/incidents?status=closed" % co).json()["incidents"][0]
    assert closed["note"] == "Blocked the IP; host reimaged." and closed["closed"]
    after = analyst.get_json("/t/%d" % bluefin).json()["stats"]["incidents_open_critical"]
    assert after == before - 1
    assert analyst.post("/t/%d/incidents/%d/resolve" % (co, iid), {"note": "again"}).status == 409
    log = [e["action"] for e in ctx.login("owner@msp1.example").get_json("/t/%d/audit?action=incident." % bluefin).json()["entries"]]
    assert "incident.acknowledged" in log and "incident.resolved" in log


def test_viewers_see_incidents_but_cannot_act(ctx):
    bluefin, co, iid = company_with_incident(ctx)
    viewer = ctx.login("viewer@msp1.example")
    page = viewer.get("/t/%d/incidents" % co)
    assert page.status == 200 and "Beacon" in page.text and "Acknowledge" not in page.text
    assert viewer.post("/t/%d/incidents/%d/acknowledge" % (co, iid), {}).status == 403
    assert viewer.post("/t/%d/incidents/%d/resolve" % (co, iid), {"note": "x"}).status == 403
    assert ctx.stack.psql("SELECT acknowledged_at IS NULL AND closed_at IS NULL FROM incidents WHERE id = %d" % iid) == "t"


def test_an_incident_of_another_tenant_cannot_be_closed_through_this_one(ctx):
    bluefin, co, iid = company_with_incident(ctx)
    other = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND id <> %d" % (bluefin, co)))
    analyst = ctx.login("analyst@msp1.example")
    r = analyst.post("/t/%d/incidents/%d/resolve" % (other, iid), {"note": "wrong tenant"})
    assert r.status == 409
    assert ctx.stack.psql("SELECT closed_at IS NULL FROM incidents WHERE id = %d" % iid) == "t"
