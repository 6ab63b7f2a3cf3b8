"""Threat correlation: an indicator seen at two or more customers within
the window; viewers see the names they are entitled to and only a count of
the others; nothing crosses into another provider's tree."""
import time


def incident(ctx, company, indicator, hours_ago=1, kind="ip"):
    n = int(time.time() * 1000000) % 100000000
    ctx.stack.psql("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, indicator, indicator_kind,"
                   " opened_at) SELECT id, root_id, 'tc%d', 'high', 'Seen', '%s', '%s', now() - make_interval(hours => %d)"
                   " FROM tenants WHERE id = %d" % (n, indicator, kind, hours_ago, company))


def first_company(ctx, msp_name):
    return int(ctx.stack.psql("SELECT min(c.id) FROM tenants c JOIN tenants m ON m.id = c.parent_id"
                              " WHERE m.name = '%s'" % msp_name))


def test_an_indicator_at_two_msps_is_named_only_where_the_viewer_may_look(ctx):
    ind = "198.51.100.%d" % (int(time.time()) % 250)
    bluefin_co, cobalt_co = first_company(ctx, "Bluefin IT"), first_company(ctx, "Cobalt Managed Services")
    evergreen_co = first_company(ctx, "Evergreen MSP")
    incident(ctx, bluefin_co, ind)
    incident(ctx, cobalt_co, ind, hours_ago=30)
    incident(ctx, evergreen_co, ind)  # another provider's customer: never counted with Northwind's
    mssp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    names = {r: ctx.stack.psql("SELECT name FROM tenants WHERE id = %d" % r) for r in (bluefin_co, cobalt_co)}

    admin = ctx.login("admin@northwind.example").get_json("/t/%d/threats" % mssp).json()
    row = next(r for r in admin["indicators"] if r["indicator"] == ind)
    assert row["customers"] == 2 and row["hidden"] == 0
    assert sorted(row["visible"]) == sorted(names.values())

    bluefin = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
    owner = ctx.login("owner@msp1.example")
    row = next(r for r in owner.get_json("/t/%d/threats" % bluefin).json()["indicators"] if r["indicator"] == ind)
    assert row["customers"] == 2 and row["visible"] == [names[bluefin_co]] and row["hidden"] == 1
    html = owner.get("/t/%d/threats" % bluefin).text
    assert "and 1 other customer you cannot see" in html and names[cobalt_co] not in html

    # The 24 h window leaves out the Cobalt sighting (30 h ago): no correlation.
    day = owner.get_json("/t/%d/threats?days=1" % bluefin).json()["indicators"]
    assert ind not in [r["indicator"] for r in day]

    evergreen = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Evergreen MSP'"))
    other = ctx.login("owner@evergreen.example").get_json("/t/%d/threats" % evergreen).json()["indicators"]
    assert ind not in [r["indicator"] for r in other]


def test_an_indicator_seen_only_where_the_viewer_cannot_look_is_not_listed(ctx):
    ind = "hidden-%d.example" % (int(time.time()) % 100000)
    cobalt_co, drift_co = first_company(ctx, "Cobalt Managed Services"), first_company(ctx, "Driftwood Networks")
    incident(ctx, cobalt_co, ind, kind="domain")
    incident(ctx, drift_co, ind, kind="domain")
    bluefin = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
    rows = ctx.login("owner@msp1.example").get_json("/t/%d/threats" % bluefin).json()["indicators"]
    assert ind not in [r["indicator"] for r in rows]
    mssp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    rows = ctx.login("admin@northwind.example").get_json("/t/%d/threats" % mssp).json()["indicators"]
    assert ind in [r["indicator"] for r in rows]
