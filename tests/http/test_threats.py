"""Threat correlation: an indicator seen at two or more customers within
the window; viewers see the names they are entitled to and only a count of
the others; nothing crosses into another provider's tree. Every test
deletes the incidents it made (external ids "<tag>-..."), so the demo
companies' incidents are as they were."""
import threading
import uuid

import portal


def new_tag(prefix):
    """A per-run name for a test's incidents and indicators."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def incident(ctx, company, indicator, hours_ago=1, kind="ip", tag="tc"):
    ctx.stack.psql("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, indicator, indicator_kind,"
                   " opened_at) SELECT id, root_id, '%s-%s', 'high', 'Seen', '%s', '%s', now() - make_interval(hours => %d)"
                   " FROM tenants WHERE id = %d" % (tag, uuid.uuid4().hex[:12], indicator, kind, hours_ago, company))


def forget_incidents(ctx, tag):
    """Delete the incidents a test made (the rollups follow)."""
    ctx.stack.psql("DELETE FROM incidents WHERE external_id LIKE '%s-%%'" % tag)


def first_company(ctx, msp_name):
    return int(ctx.stack.psql("SELECT min(c.id) FROM tenants c JOIN tenants m ON m.id = c.parent_id"
                              " WHERE m.name = '%s'" % msp_name))


def test_an_indicator_at_two_msps_is_named_only_where_the_viewer_may_look(ctx):
    tag = new_tag("tc-two")
    # The test's own address, made from its tag. (A 198.51.100.x from the
    # tag was 198.51.100.77 one run in 254, which test_incident_page.py
    # leaves at two of Northwind's companies: three customers counted.)
    ind = "2001:db8:%s:%s::1" % (tag[-8:-4], tag[-4:])
    bluefin_co, cobalt_co = first_company(ctx, "Bluefin IT"), first_company(ctx, "Cobalt Managed Services")
    evergreen_co = first_company(ctx, "Evergreen MSP")
    try:
        incident(ctx, bluefin_co, ind, tag=tag)
        incident(ctx, cobalt_co, ind, hours_ago=30, tag=tag)
        incident(ctx, evergreen_co, ind, tag=tag)  # another provider's customer: never counted with Northwind's
        mssp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
        names = {r: ctx.stack.psql("SELECT name FROM tenants WHERE id = %d" % r) for r in (bluefin_co, cobalt_co)}

        row = portal.threat_row(ctx.login("admin@northwind.example"), mssp, ind)
        assert row["customers"] == 2 and row["hidden"] == 0
        assert sorted(row["visible"]) == sorted(names.values())

        # One customer Bluefin's owner may not see: not even a count (no
        # oracle, threat_correlation()).
        bluefin = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
        owner = ctx.login("owner@msp1.example")
        assert portal.threat_row(owner, bluefin, ind) is None
        # Three they may not see: counted, never named.
        cobalt2 = int(ctx.stack.psql("SELECT c.id FROM tenants c JOIN tenants m ON m.id = c.parent_id"
                                     " WHERE m.name = 'Cobalt Managed Services' ORDER BY c.id OFFSET 1 LIMIT 1"))
        drift_co = first_company(ctx, "Driftwood Networks")
        incident(ctx, cobalt2, ind, hours_ago=2, tag=tag)
        incident(ctx, drift_co, ind, hours_ago=2, tag=tag)
        row = portal.threat_row(owner, bluefin, ind)
        assert row["customers"] == 4 and row["visible"] == [names[bluefin_co]] and row["hidden"] == 3
        html = owner.get("/t/%d/threats?page=%d" % (bluefin, row["_page"])).text
        assert "and 3 other customers you cannot see" in html and names[cobalt_co] not in html

        # The 24 h window leaves out the Cobalt sighting (30 h ago): two
        # others are left, too few to count: not listed.
        assert portal.threat_row(owner, bluefin, ind, "days=1") is None

        evergreen = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Evergreen MSP'"))
        assert portal.threat_row(ctx.login("owner@evergreen.example"), evergreen, ind) is None
    finally:
        forget_incidents(ctx, tag)


def test_an_indicator_seen_only_where_the_viewer_cannot_look_is_not_listed(ctx):
    tag = new_tag("tc-hidden")
    ind = "hidden-%s.example" % tag
    cobalt_co, drift_co = first_company(ctx, "Cobalt Managed Services"), first_company(ctx, "Driftwood Networks")
    try:
        incident(ctx, cobalt_co, ind, kind="domain", tag=tag)
        incident(ctx, drift_co, ind, kind="domain", tag=tag)
        bluefin = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
        assert portal.threat_row(ctx.login("owner@msp1.example"), bluefin, ind) is None
        mssp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
        assert portal.threat_row(ctx.login("admin@northwind.example"), mssp, ind) is not None
    finally:
        forget_incidents(ctx, tag)


# Rows of the threat rollups that differ from a recount from the incidents:
# indicator_hourly (with each hour's count of the customers whose latest
# sighting it holds) and indicator_customers.
ROLLUP_CHECK = """
WITH hourly AS (
    SELECT i.root_id, i.indicator, date_trunc('hour', i.opened_at, 'UTC') AS hour, count(*) AS incidents,
           min(i.opened_at) AS first_at, max(i.opened_at) AS last_at, min(i.indicator_kind) AS kind
      FROM incidents i JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company'
     WHERE i.indicator IS NOT NULL GROUP BY 1, 2, 3),
customers AS (
    SELECT i.root_id, i.indicator, i.tenant_id, max(i.opened_at) AS last_at
      FROM incidents i JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company'
     WHERE i.indicator IS NOT NULL GROUP BY 1, 2, 3),
counted AS (
    SELECT h.*, (SELECT count(*) FROM customers x WHERE x.root_id = h.root_id AND x.indicator = h.indicator
                                                  AND date_trunc('hour', x.last_at, 'UTC') = h.hour) AS customers
      FROM hourly h)
SELECT (SELECT count(*) FROM ((SELECT * FROM counted EXCEPT SELECT root_id, indicator, hour, incidents, first_at,
                                last_at, kind, customers FROM indicator_hourly)
                               UNION ALL (SELECT root_id, indicator, hour, incidents, first_at, last_at, kind, customers
                                            FROM indicator_hourly EXCEPT SELECT * FROM counted)) d)
     + (SELECT count(*) FROM ((SELECT * FROM customers EXCEPT SELECT root_id, indicator, tenant_id, last_at
                                 FROM indicator_customers)
                               UNION ALL (SELECT root_id, indicator, tenant_id, last_at FROM indicator_customers
                                            EXCEPT SELECT * FROM customers)) d)
"""


def test_the_rollups_follow_every_change_and_name_ten_customers(ctx):
    q = ctx.stack.psql
    tag = new_tag("tc-rollup")
    ind = "rollup-%s.example" % tag
    mssp = int(q("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    companies = [int(x) for x in q("SELECT c.id FROM tenants c WHERE c.root_id = %d AND c.kind = 'company'"
                                   " ORDER BY c.id LIMIT 12" % mssp).split()]
    assert len(companies) == 12
    msp = co = None
    try:
        for hours, c in enumerate(companies):
            incident(ctx, c, ind, hours_ago=hours + 2, kind="domain", tag=tag)
        incident(ctx, companies[0], ind, hours_ago=1, kind="domain", tag=tag)  # a later sighting at the same customer
        assert q(ROLLUP_CHECK) == "0"
        # Twelve customers the admin may see: ten named (most recent first), two counted.
        row = portal.threat_row(ctx.login("admin@northwind.example"), mssp, ind)
        names = q("SELECT string_agg(name, '|' ORDER BY array_position(ARRAY%r, id)) FROM tenants WHERE id = ANY (ARRAY%r)"
                  % (companies, companies)).split("|")
        assert row["customers"] == 12 and row["incidents"] == 13 and row["visible"] == names[:10]
        assert row["visible_total"] == 12 and row["hidden"] == 0 and row["more_text"] == "and 2 more"
        mine = "tenant_id = ANY (ARRAY%r) AND indicator = '%s'" % (companies, ind)
        # Closing, acknowledging: nothing to recount. Another indicator, an
        # earlier opening, another kind: the old and new keys are recounted.
        q("UPDATE incidents SET closed_at = now(), acknowledged_at = now() WHERE %s" % mine)
        q("UPDATE incidents SET indicator = 'moved-%s.example' WHERE tenant_id = %d AND indicator = '%s'"
          % (tag, companies[0], ind))
        q("UPDATE incidents SET opened_at = opened_at - interval '3 days' WHERE tenant_id = %d AND indicator = '%s'"
          % (companies[1], ind))
        q("UPDATE incidents SET indicator_kind = 'hash' WHERE tenant_id = %d AND indicator = '%s'" % (companies[2], ind))
        assert q(ROLLUP_CHECK) == "0"
        q("DELETE FROM incidents WHERE tenant_id = %d AND indicator = '%s'" % (companies[3], ind))
        assert q(ROLLUP_CHECK) == "0"
        # A standalone MSP joining the MSSP brings its customers' sightings into the tree.
        msp = int(q("INSERT INTO tenants (kind, name, region, ancestors, root_id)"
                    " VALUES ('msp', 'Threat MSP %s', 'eu', '{0}', 0) RETURNING id" % tag))
        co = int(q("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " VALUES ('company', 'Threat Co %s', 'eu', %d, '{0}', 0) RETURNING id" % (tag, msp)))
        incident(ctx, co, ind, hours_ago=2, kind="domain", tag=tag)
        assert q("SELECT count(*) FROM indicator_customers WHERE root_id = %d" % msp) == "1"
        q("UPDATE tenants SET parent_id = %d WHERE id = %d" % (mssp, msp))
        assert q(ROLLUP_CHECK) == "0"
        assert q("SELECT count(*) FROM indicator_customers WHERE root_id = %d" % msp) == "0"
        q("DELETE FROM tenants WHERE id IN (%d, %d)" % (co, msp))
        msp = co = None
        assert q(ROLLUP_CHECK) == "0"
    finally:
        # Northwind's tree and companies as they were.
        if msp is not None:
            q("DELETE FROM tenants WHERE id IN (%s)" % ", ".join(str(i) for i in (co, msp) if i is not None))
        forget_incidents(ctx, tag)


def test_concurrent_writers_of_one_indicator_hour_both_commit(ctx):
    # Two transactions each delete an incident of the same indicator and
    # hour in one tree; the second's recount must wait for the first's.
    # The second starts only once the first holds the tree's lock, and the
    # first commits only once the second waits for it: the two overlap
    # however loaded the machine is.
    q = ctx.stack.psql
    tag = new_tag("tc-race")
    ind = "race-%s.example" % tag
    first, second = "%s-first" % tag, "%s-second" % tag
    mssp = int(q("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    a, b = [int(x) for x in q("SELECT id FROM tenants WHERE root_id = %d AND kind = 'company' ORDER BY id LIMIT 2"
                               % mssp).split()]
    try:
        # One statement, so one now(): the four are in one UTC hour whatever
        # the clock says (separate inserts could straddle the turn of an hour).
        q("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, indicator, indicator_kind, opened_at)"
          " SELECT t.id, t.root_id, '%s-' || u.k, 'high', 'Seen', '%s', 'domain', now()"
          " FROM unnest(ARRAY[%d, %d, %d, %d]) WITH ORDINALITY AS u(tid, k) JOIN tenants t ON t.id = u.tid"
          % (tag, ind, a, b, a, b))
        assert q("SELECT count(DISTINCT date_trunc('hour', opened_at, 'UTC')) || ' ' || count(*) FROM incidents"
                 " WHERE indicator = '%s'" % ind) == "1 4"
        ids = q("SELECT string_agg(id::text, ',' ORDER BY id) FROM incidents WHERE indicator = '%s'" % ind).split(",")
        errors = []

        def run(sql):
            try:
                q(sql)
            except RuntimeError as e:
                errors.append(str(e))

        # The first deletes (its trigger locks the tree), says so in its
        # application_name, and keeps its transaction open until the second
        # is seen waiting on a lock (at most 30 s, then it fails).
        t1 = threading.Thread(target=run, args=(
            "BEGIN; SET application_name = '%s'; DELETE FROM incidents WHERE id = %s;"
            " SET application_name = '%s-holds';"
            " DO $$ DECLARE deadline timestamptz := clock_timestamp() + interval '30 seconds'; BEGIN"
            "   LOOP"
            "     PERFORM pg_stat_clear_snapshot();"
            "     EXIT WHEN EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = '%s'"
            "                          AND wait_event_type = 'Lock');"
            "     IF clock_timestamp() > deadline THEN"
            "       RAISE EXCEPTION 'the second writer never waited for the first';"
            "     END IF;"
            "     PERFORM pg_sleep(0.02);"
            "   END LOOP;"
            " END $$; COMMIT" % (first, ids[0], first, second),))
        t2 = threading.Thread(target=run, args=(
            "BEGIN; SET application_name = '%s'; DELETE FROM incidents WHERE id = %s; COMMIT" % (second, ids[1]),))
        t1.start()
        try:
            portal.wait_for("the first writer to hold the tree's lock",
                            lambda: errors or q("SELECT count(*) FROM pg_stat_activity WHERE application_name = '%s-holds'"
                                                % first) == "1", 30)
            t2.start()
            t2.join(60)
        finally:
            t1.join(60)
        assert not t1.is_alive() and not t2.is_alive(), "a writer is still running"
        assert errors == [], errors
        assert q(ROLLUP_CHECK) == "0"
        assert q("SELECT incidents FROM indicator_hourly WHERE indicator = '%s'" % ind) == "2"
    finally:
        forget_incidents(ctx, tag)


def test_the_table_sorts_and_pages_on_the_server_in_every_order(ctx):
    # Enough indicators for several pages, with counts and times of their
    # own: every order, both ways, read page after page, is the whole
    # list, each row once, in that order; the default order and a wrong
    # one are most customers first, then the latest seen, then the name.
    tag = new_tag("tc-sort")
    mssp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    companies = [int(x) for x in ctx.stack.psql("SELECT id FROM tenants WHERE root_id = %d AND kind = 'company'"
                                                " ORDER BY id LIMIT 6" % mssp).split()]
    mine = ["sort-%02d-%s.example" % (k, tag) for k in range(60)]
    try:
        # Indicator k at 2 + k % 5 customers, k % 3 + 1 incidents at the
        # first, seen k % 40 + 1 hours ago: one statement.
        ctx.stack.psql(
            "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, indicator, indicator_kind,"
            " opened_at) SELECT t.id, t.root_id, '%s-' || k || '-' || c.n || '-' || r, 'high', 'Seen',"
            " 'sort-' || lpad(k::text, 2, '0') || '-%s.example', 'domain', now() - make_interval(hours => k %% 40 + 1 + r)"
            " FROM generate_series(0, 59) k CROSS JOIN LATERAL unnest(ARRAY%r) WITH ORDINALITY AS c(id, n)"
            " JOIN tenants t ON t.id = c.id CROSS JOIN LATERAL generate_series(0, CASE WHEN c.n = 1 THEN k %% 3 ELSE 0 END) r"
            " WHERE c.n <= 2 + k %% 5" % (tag, tag, companies))
        admin = ctx.login("admin@northwind.example")
        base = "/t/%d/threats?days=7" % mssp
        default = portal.threat_rows(admin, mssp, "days=7&sort=nonsense&dir=sideways")
        assert [r["indicator"] for r in default] == [r["indicator"] for r in portal.threat_rows(admin, mssp, "days=7")]
        got = {r["indicator"]: r for r in default}
        assert set(mine) <= set(got) and len(got) == len(default)
        for k, ind in enumerate(mine):
            assert got[ind]["customers"] == 2 + k % 5 and got[ind]["incidents"] == 2 + k % 5 + k % 3
        # (the times are shown to the minute: ties below it are not checked)
        keys = {"customers": lambda r: r["customers"], "incidents": lambda r: r["incidents"],
                "first_seen": lambda r: r["first_seen"], "last_seen": lambda r: r["last_seen"],
                "indicator": lambda r: r["indicator"], "kind": lambda r: r["kind"]}
        assert [(-r["customers"], "".join(chr(0x10FFFF - ord(ch)) for ch in r["last_seen"])) for r in default] == \
            sorted((-r["customers"], "".join(chr(0x10FFFF - ord(ch)) for ch in r["last_seen"])) for r in default)
        for key, value in keys.items():
            for d in ("asc", "desc"):
                rows = portal.threat_rows(admin, mssp, "days=7&sort=%s&dir=%s" % (key, d))
                assert len(rows) == len(default), (key, d)
                assert sorted(r["indicator"] for r in rows) == sorted(got), (key, d)
                values = [value(r) for r in rows]
                assert values == sorted(values, reverse=(d == "desc")), (key, d, values)
        # The headings: the column in force marked, its link the other way.
        html = admin.get(base + "&sort=incidents&dir=asc").text
        assert 'class="col-incidents" aria-sort="ascending"><a href="/t/%d/threats?days=7&amp;sort=incidents&amp;dir=desc"' \
            % mssp in html
        assert html.count("aria-sort=") == 1
        # The others ask for their own order first, as their URLs without a
        # dir= get it: counts and dates the most first, names from A.
        for key, first in (("customers", "desc"), ("last_seen", "desc"), ("indicator", "asc"), ("kind", "asc")):
            assert 'class="col-%s"><a href="/t/%d/threats?days=7&amp;sort=%s&amp;dir=%s"' % (key, mssp, key, first) \
                in html, key
            assert admin.get_json(base + "&sort=%s" % key).json()["dir"] == first, key
        assert 'rel="next"' in html and 'rel="prev"' not in html
        # Past the last page: said, with the way back; a page 0 is the first.
        past = admin.get(base + "&page=999")
        assert past.status == 200 and "This page is past the last one" in past.text
        assert admin.get_json(base + "&page=0").json()["page"] == 1
    finally:
        forget_incidents(ctx, tag)


def test_an_indicator_and_each_customer_named_lead_to_their_latest_incident(ctx):
    tag = new_tag("tc-drill")
    ind = "drill-%s.example" % tag
    bluefin_co, cobalt_co = first_company(ctx, "Bluefin IT"), first_company(ctx, "Cobalt Managed Services")
    cobalt2 = int(ctx.stack.psql("SELECT c.id FROM tenants c JOIN tenants m ON m.id = c.parent_id"
                                 " WHERE m.name = 'Cobalt Managed Services' ORDER BY c.id OFFSET 1 LIMIT 1"))
    drift_co = first_company(ctx, "Driftwood Networks")
    mssp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    bluefin = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
    q = ctx.stack.psql
    try:
        incident(ctx, bluefin_co, ind, hours_ago=5, tag=tag)
        incident(ctx, bluefin_co, ind, hours_ago=3, tag=tag)   # Bluefin's latest
        incident(ctx, cobalt_co, ind, hours_ago=2, tag=tag)    # the latest of all
        incident(ctx, cobalt2, ind, hours_ago=6, tag=tag)
        incident(ctx, drift_co, ind, hours_ago=7, tag=tag)

        def latest(company):
            return int(q("SELECT id FROM incidents WHERE tenant_id = %d AND indicator = '%s'"
                         " ORDER BY opened_at DESC LIMIT 1" % (company, ind)))

        admin = ctx.login("admin@northwind.example")
        row = portal.threat_row(admin, mssp, ind, "days=1&sort=indicator&dir=asc")
        # The indicator: the latest incident of the customer seen last.
        r = admin.get(row["href"])
        assert r.status == 303 and r.header("Location") == "/t/%d/incidents/%d" % (cobalt_co, latest(cobalt_co))
        page = admin.get(r.header("Location"))
        assert page.status == 200 and ind in page.text
        # Each customer named: its own latest.
        assert [n["name"] for n in row["named"]] == row["visible"] and len(row["named"]) == 4
        for n in row["named"]:
            company = int(q("SELECT id FROM tenants WHERE name = '%s'" % n["name"].replace("'", "''")))
            r = admin.get(n["href"])
            assert r.status == 303 and r.header("Location") == "/t/%d/incidents/%d" % (company, latest(company))
        html = admin.get("/t/%d/threats?days=1&sort=indicator&dir=asc&page=%d" % (mssp, row["_page"])).text
        # (the escape point writes "=" as "&#61;", which the browser reads back)
        assert 'href="/t/%d/threats/latest?indicator&#61;%s"' % (cobalt_co, ind) in html

        # Bluefin's owner sees one of them: named and linked; the others
        # counted, never linked; their links, made by hand, are not found.
        owner = ctx.login("owner@msp1.example")
        row = portal.threat_row(owner, bluefin, ind, "days=1")
        assert row["hidden"] == 3 and len(row["named"]) == 1
        r = owner.get(row["href"])
        assert r.status == 303 and r.header("Location") == "/t/%d/incidents/%d" % (bluefin_co, latest(bluefin_co))
        for company in (cobalt_co, drift_co):
            assert owner.get("/t/%d/threats/latest?indicator=%s" % (company, ind)).status == 404
        # The function refuses them itself, not only the route's check of
        # the tenant: as the app role, signed in as the owner.
        tok = portal.session_token(ctx, int(q("SELECT id FROM users WHERE email = 'owner@msp1.example'")))
        for company, want in ((bluefin_co, str(latest(bluefin_co))), (cobalt_co, "none"), (drift_co, "none")):
            out = q("BEGIN; SELECT app_identify('%s') IS NOT NULL;"
                    " SELECT coalesce(threat_latest_incident(%d, '%s')::text, 'none'); COMMIT;"
                    % (tok, company, ind), user="portal_app")
            assert out.splitlines() == ["t", want], (company, out)
        # No incident with it there, or one too long: not found; no
        # indicator (a link cut short): the customer's threats page.
        for path in ("/t/%d/threats/latest?indicator=%s" % (bluefin_co, "x" + ind),
                     "/t/%d/threats/latest?indicator=%s" % (bluefin_co, "a" * 1201)):
            assert owner.get(path).status == 404, path
        for path in ("/t/%d/threats/latest" % bluefin_co, "/t/%d/threats/latest?indicator=" % bluefin_co):
            r = owner.get(path)
            assert r.status == 303 and r.header("Location") == "/t/%d/threats" % bluefin_co, (path, r)
        # The MSP's own link for its customer works from the MSP's page too.
        assert admin.get("/t/%d/threats/latest?indicator=%s" % (bluefin_co, ind)).status == 303
    finally:
        forget_incidents(ctx, tag)


def test_an_archived_customer_is_named_without_a_link(ctx):
    """An archived customer's pages are not found (docs/dashboards.md,
    "Definitions"). Where it saw an indicator with an active customer, the
    threats page still counts and names it, says it is archived and does
    not link it; the indicator leads to the active customer's incident. An
    incident's page names an archived customer, its own or one elsewhere,
    the same way. For a viewer of the whole tree and one of an MSP (the
    two paths of threat_correlation()), HTML and JSON."""
    q = ctx.stack.psql
    tag = new_tag("tc-arch")
    ind = "2001:db8:%s:%s::2" % (tag[-8:-4], tag[-4:])
    mssp = ctx.stack.new_tenant("mssp", "Arch Threats MSSP %s" % tag)
    msp = ctx.stack.new_tenant("msp", "Arch Threats MSP %s" % tag, mssp)
    ctx.stack.new_companies(msp, "Arch Threats Co %s-" % tag, 2)
    gone, kept = [int(x) for x in q("SELECT id FROM tenants WHERE parent_id = %d ORDER BY name" % msp).split()]
    try:
        incident(ctx, gone, ind, hours_ago=1, tag=tag)   # the latest: named first
        incident(ctx, kept, ind, hours_ago=2, tag=tag)
        ctx.stack.new_user("archadmin-%s@threats.example" % tag, (mssp, "mssp_admin"), name="A")
        ctx.stack.new_user("archowner-%s@threats.example" % tag, (msp, "owner"), name="O")
        admin = ctx.login("archadmin-%s@threats.example" % tag)
        owner = ctx.login("archowner-%s@threats.example" % tag)
        assert admin.post("/t/%d/archive" % gone, {}).status == 303
        assert admin.get("/t/%d" % gone).status == 404
        gone_name, kept_name = "Arch Threats Co %s-1" % tag, "Arch Threats Co %s-2" % tag
        for viewer, tenant in ((admin, mssp), (owner, msp)):
            row = portal.threat_row(viewer, tenant, ind)
            assert row is not None and row["customers"] == 2, row
            assert [(c["name"], c["archived"], c["href"]) for c in row["named"]] == [
                (gone_name, True, None),
                (kept_name, False, "/t/%d/threats/latest?indicator=%s" % (kept, ind.replace(":", "%3A")))], row
            assert row["href"] == row["named"][1]["href"], row
            html = viewer.get("/t/%d/threats" % tenant).text
            assert "/t/%d/threats/latest" % gone not in html
            assert '<span class="chip">%s <span class="muted">(archived)</span></span>' % gone_name in html
            assert '<a class="chip" href="/t/%d/threats/latest?' % kept in html
        iids = dict((int(t), int(i)) for t, i in (x.split("|") for x in q(
            "SELECT tenant_id, id FROM incidents WHERE external_id LIKE '%s-%%'" % tag).split()))
        # The active customer's incident: the archived one elsewhere.
        page = admin.get_json("/t/%d/incidents/%d" % (msp, iids[kept])).json()["incident"]
        assert page["customer"]["archived"] is False
        assert [(o["id"], o["archived"]) for o in page["elsewhere"]] == [(gone, True)], page
        html = admin.get("/t/%d/incidents/%d" % (msp, iids[kept])).text
        assert 'href="/t/%d"' % gone not in html and 'href="/t/%d"' % kept in html
        assert "%s <span class=\"muted\">(archived)</span>" % gone_name in html
        # The archived customer's incident, seen from its MSP.
        page = admin.get_json("/t/%d/incidents/%d" % (msp, iids[gone])).json()["incident"]
        assert page["customer"]["archived"] is True and page["customer"]["name"] == gone_name
        assert [(o["id"], o["archived"]) for o in page["elsewhere"]] == [(kept, False)], page
        html = admin.get("/t/%d/incidents/%d" % (msp, iids[gone])).text
        assert 'href="/t/%d"' % gone not in html and 'href="/t/%d"' % kept in html
    finally:
        forget_incidents(ctx, tag)
