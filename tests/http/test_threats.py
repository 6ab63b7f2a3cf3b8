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


ROLLUP_CHECK = """
WITH hourly AS (
    SELECT i.root_id, i.indicator, date_trunc('hour', i.opened_at, 'UTC') AS hour, count(*) AS incidents,
           min(i.opened_at) AS first_at, max(i.opened_at) AS last_at, min(i.indicator_kind) AS kind
      FROM incidents i JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company'
     WHERE i.indicator IS NOT NULL GROUP BY 1, 2, 3),
customers AS (
    SELECT i.root_id, i.indicator, i.tenant_id, max(i.opened_at) AS last_at
      FROM incidents i JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company'
     WHERE i.indicator IS NOT NULL GROUP BY 1, 2, 3)
SELECT (SELECT count(*) FROM ((SELECT * FROM hourly EXCEPT SELECT root_id, indicator, hour, incidents, first_at, last_at,
                                kind FROM indicator_hourly)
                               UNION ALL (SELECT root_id, indicator, hour, incidents, first_at, last_at, kind
                                            FROM indicator_hourly EXCEPT SELECT * FROM hourly)) d)
     + (SELECT count(*) FROM ((SELECT * FROM customers EXCEPT SELECT root_id, indicator, tenant_id, last_at
                                 FROM indicator_customers)
                               UNION ALL (SELECT root_id, indicator, tenant_id, last_at FROM indicator_customers
                                            EXCEPT SELECT * FROM customers)) d)
"""


def test_the_rollups_follow_every_change_and_name_ten_customers(ctx):
    q = ctx.stack.psql
    n = int(time.time() * 1000) % 1000000
    ind = "rollup-%d.example" % n
    mssp = int(q("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    companies = [int(x) for x in q("SELECT c.id FROM tenants c WHERE c.root_id = %d AND c.kind = 'company'"
                                   " ORDER BY c.id LIMIT 12" % mssp).split()]
    assert len(companies) == 12
    for hours, co in enumerate(companies):
        incident(ctx, co, ind, hours_ago=hours + 2, kind="domain")
    incident(ctx, companies[0], ind, hours_ago=1, kind="domain")  # a later sighting at the same customer
    assert q(ROLLUP_CHECK) == "0"
    # Twelve customers the admin may see: ten named (most recent first), two counted.
    row = next(r for r in ctx.login("admin@northwind.example").get_json("/t/%d/threats" % mssp).json()["indicators"]
               if r["indicator"] == ind)
    names = q("SELECT string_agg(name, '|' ORDER BY array_position(ARRAY%r, id)) FROM tenants WHERE id = ANY (ARRAY%r)"
              % (companies, companies)).split("|")
    assert row["customers"] == 12 and row["incidents"] == 13 and row["visible"] == names[:10]
    assert row["visible_total"] == 12 and row["hidden"] == 0 and row["more_text"] == "and 2 more"
    mine = "tenant_id = ANY (ARRAY%r) AND indicator = '%s'" % (companies, ind)
    # Closing, acknowledging: nothing to recount. Another indicator, an
    # earlier opening, another kind: the old and new keys are recounted.
    q("UPDATE incidents SET closed_at = now(), acknowledged_at = now() WHERE %s" % mine)
    q("UPDATE incidents SET indicator = 'moved-%d.example' WHERE tenant_id = %d AND indicator = '%s'"
      % (n, companies[0], ind))
    q("UPDATE incidents SET opened_at = opened_at - interval '3 days' WHERE tenant_id = %d AND indicator = '%s'"
      % (companies[1], ind))
    q("UPDATE incidents SET indicator_kind = 'hash' WHERE tenant_id = %d AND indicator = '%s'" % (companies[2], ind))
    assert q(ROLLUP_CHECK) == "0"
    q("DELETE FROM incidents WHERE tenant_id = %d AND indicator = '%s'" % (companies[3], ind))
    assert q(ROLLUP_CHECK) == "0"
    # A standalone MSP joining the MSSP brings its customers' sightings into the tree.
    q("INSERT INTO tenants (kind, name, region, ancestors, root_id) VALUES ('msp', 'Threat MSP %d', 'eu', '{0}', 0)" % n)
    msp = int(q("SELECT id FROM tenants WHERE name = 'Threat MSP %d'" % n))
    q("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
      " VALUES ('company', 'Threat Co %d', 'eu', %d, '{0}', 0)" % (n, msp))
    co = int(q("SELECT id FROM tenants WHERE parent_id = %d" % msp))
    incident(ctx, co, ind, hours_ago=2, kind="domain")
    assert q("SELECT count(*) FROM indicator_customers WHERE root_id = %d" % msp) == "1"
    q("UPDATE tenants SET parent_id = %d WHERE id = %d" % (mssp, msp))
    assert q(ROLLUP_CHECK) == "0"
    assert q("SELECT count(*) FROM indicator_customers WHERE root_id = %d" % msp) == "0"
    q("DELETE FROM tenants WHERE id IN (%d, %d)" % (co, msp))
    assert q(ROLLUP_CHECK) == "0"


def test_concurrent_writers_of_one_indicator_hour_both_commit(ctx):
    # Two transactions each delete an incident of the same indicator and
    # hour in one tree; the second's recount must wait for the first's.
    import threading
    q = ctx.stack.psql
    ind = "race-%d.example" % (int(time.time() * 1000) % 1000000)
    mssp = int(q("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    a, b = [int(x) for x in q("SELECT id FROM tenants WHERE root_id = %d AND kind = 'company' ORDER BY id LIMIT 2"
                               % mssp).split()]
    for co in (a, b, a, b):
        incident(ctx, co, ind, hours_ago=0, kind="domain")
    ids = q("SELECT string_agg(id::text, ',' ORDER BY id) FROM incidents WHERE indicator = '%s'" % ind).split(",")
    errors = []

    def delete(iid, wait):
        try:
            q("BEGIN; DELETE FROM incidents WHERE id = %s; SELECT pg_sleep(%s); COMMIT" % (iid, wait))
        except RuntimeError as e:
            errors.append(str(e))
    t1 = threading.Thread(target=delete, args=(ids[0], 1.0))
    t2 = threading.Thread(target=delete, args=(ids[1], 0))
    t1.start()
    time.sleep(0.3)
    t2.start()
    t1.join()
    t2.join()
    assert errors == [] and q(ROLLUP_CHECK) == "0"
    assert q("SELECT incidents FROM indicator_hourly WHERE indicator = '%s'" % ind) == "2"
