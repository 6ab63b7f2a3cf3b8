"""Cross-tenant analytics: exposure and risk from the rollups, incidents
growing week over week, median days to fix per severity; only visible
customers."""
import re
import time

import portal


def setup(ctx):
    n = int(time.time() * 1000) % 1000000
    bluefin = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
    ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " VALUES ('company', 'Analytics Co %d', 'eu', %d, '{0}', 0)" % (n, bluefin))
    co = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Analytics Co %d'" % n))
    # 30 open critical findings: exposure 300, more than any demo customer.
    ctx.stack.psql("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
                   " SELECT id, root_id, 'o' || g, 'CVE-2024-3400', 'critical' FROM tenants, generate_series(1, 30) g"
                   " WHERE id = %d" % co)
    # Fixed highs after 2, 4 and 9 days (median 4); fixed criticals after 1 and 3 (median 2).
    for k, (sev, days) in enumerate((("high", 2), ("high", 4), ("high", 9), ("critical", 1), ("critical", 3))):
        ctx.stack.psql("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity, first_seen, fixed_at)"
                       " SELECT id, root_id, 'f%d', 'CVE-2023-4966', '%s', now() - interval '20 days',"
                       " now() - interval '20 days' + make_interval(days => %d) FROM tenants WHERE id = %d"
                       % (k, sev, days, co))
    # 5 incidents this week, 1 the week before: growth +4.
    ctx.stack.psql("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at)"
                   " SELECT id, root_id, 'g' || g, 'low', 'G', now() - make_interval(days => CASE WHEN g = 6 THEN 10 ELSE 1 END)"
                   " FROM tenants, generate_series(1, 6) g WHERE id = %d" % co)
    return bluefin, co, n


def test_exposure_growth_and_velocity(ctx):
    bluefin, co, n = setup(ctx)
    page = ctx.login("owner@msp1.example").get_json("/t/%d/analytics" % bluefin).json()
    # Listed (exposure 300: above every demo customer, though other tests
    # may add customers above it), with its own figures.
    top = next(r for r in page["exposure"] if r["id"] == co)
    assert top["score"] == 300 and top["critical"] == 30
    assert top["risk"] == 48  # 3 x 6 open (low) incidents + 30 open critical findings
    exposures = [r["score"] for r in page["exposure"]]
    assert exposures == sorted(exposures, reverse=True)
    growth = next(g for g in page["growth"] if g["id"] == co)
    assert (growth["this_week"], growth["last_week"], growth["change"]) == (5, 1, 4)
    velocity = next(v for v in page["velocity"] if v["id"] == co)
    assert velocity["high"] == "4.0" and velocity["critical"] == "2.0" and "low" not in velocity
    # As people read it: days with one decimal, a dash where none was fixed.
    assert [(c["severity"], c["text"], c["none"]) for c in velocity["cells"]] == \
        [("critical", "2.0 days", False), ("high", "4.0 days", False), ("medium", "–", True), ("low", "–", True)]
    # The page shows every row of each table (a row key named like its list
    # once made {{#exposure}} render only the first), and a dash where a
    # severity had no fix.
    html = ctx.login("owner@msp1.example").get("/t/%d/analytics" % bluefin).text
    tables = html.split("<tbody>")[1:]
    assert [t.split("</tbody>")[0].count("<tr>") for t in tables] == \
        [len(page["exposure"]), len(page["growth"]), len(page["velocity"])]
    assert len(page["exposure"]) > 1 and 'title="no finding fixed">–</span>' in tables[2]


def viewers(ctx):
    """(viewer, tenant name, tenant id, the companies they see as SQL over c)
    for the three ways the readers go: the MSSP Admin below the root and
    below an MSP, and an MSSP Analyst on the MSSP (their assigned subtrees)."""
    q = ctx.stack.psql
    uid = int(q("SELECT id FROM users WHERE email = 'analyst@northwind.example'"))
    assigned = "c.ancestors && ARRAY(SELECT tenant_id FROM analyst_assignments WHERE user_id = %d)" % uid
    return [(who, name, int(q("SELECT id FROM tenants WHERE name = '%s'" % name)), where)
            for who, name, where in (("admin", "Northwind Security", "true"), ("admin", "Bluefin IT", "true"),
                                     ("analyst", "Northwind Security", assigned))]


def test_highest_exposure_equals_a_count_of_the_raw_rows(ctx):
    # The list is read from tenant_stats' exposure indexes (exposure_top()): below
    # a root (the MSSP) and below a parent (an MSP) it must be the top 15 a
    # count of the open findings of every active company gives.
    # An MSSP Analyst on the MSSP: of their assigned subtrees only.
    setup(ctx)
    q = ctx.stack.psql
    for who, name, tid, where in viewers(ctx):
        raw = q("SELECT string_agg(id || ':' || e, ',' ORDER BY e DESC, name, id) FROM (SELECT c.id, c.name,"
                " sum(CASE v.severity WHEN 'critical' THEN 10 WHEN 'high' THEN 5 WHEN 'medium' THEN 2 ELSE 1 END) AS e"
                " FROM tenants c JOIN vulnerabilities v ON v.tenant_id = c.id AND v.fixed_at IS NULL"
                " WHERE %d = ANY (c.ancestors) AND c.kind = 'company' AND c.status = 'active' AND %s"
                " GROUP BY c.id, c.name ORDER BY 3 DESC, 2, 1 LIMIT 15) x" % (tid, where))
        page = ctx.login("%s@northwind.example" % who).get_json("/t/%d/analytics" % tid).json()
        assert ",".join("%d:%d" % (r["id"], r["score"]) for r in page["exposure"]) == raw, (who, name)
        assert raw, (who, name)  # (something to compare)


def test_growth_equals_a_count_of_the_raw_rows(ctx):
    # growth_top() reads a root's companies, an MSP's, or an MSSP
    # Analyst's visible ones: each must be what counting the incidents of
    # the two weeks (whole UTC days) gives.
    setup(ctx)
    q = ctx.stack.psql
    day = "(i.opened_at AT TIME ZONE 'UTC')::date"
    today = "(now() AT TIME ZONE 'UTC')::date"
    this = "count(*) FILTER (WHERE %s BETWEEN %s - 6 AND %s)" % (day, today, today)
    last = "count(*) FILTER (WHERE %s BETWEEN %s - 13 AND %s - 7)" % (day, today, today)
    for who, name, tid, where in viewers(ctx):
        raw = q("SELECT string_agg(id || ':' || tw || ':' || lw, ',' ORDER BY tw - lw DESC, name, id) FROM ("
                " SELECT * FROM (SELECT c.id, c.name, %s AS tw, %s AS lw FROM tenants c"
                "   JOIN incidents i ON i.tenant_id = c.id"
                "  WHERE %d = ANY (c.ancestors) AND c.kind = 'company' AND c.status = 'active' AND %s"
                "  GROUP BY c.id, c.name) y WHERE tw > lw ORDER BY tw - lw DESC, name, id LIMIT 15) x"
                % (this, last, tid, where))
        page = ctx.login("%s@northwind.example" % who).get_json("/t/%d/analytics" % tid).json()
        got = ",".join("%d:%d:%d" % (r["id"], r["this_week"], r["last_week"]) for r in page["growth"])
        assert got == raw and raw, (who, name, got, raw)


def test_analytics_show_only_visible_customers(ctx):
    bluefin, co, n = setup(ctx)
    evergreen = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Evergreen MSP'"))
    page = ctx.login("owner@evergreen.example").get_json("/t/%d/analytics" % evergreen).json()
    assert co not in [r["id"] for r in page["exposure"] + page["growth"] + page["velocity"]]
    assert ctx.login("owner@evergreen.example").get("/t/%d/analytics" % bluefin).status == 404
    assert ctx.login("owner@msp1.example").get("/t/%d/analytics" % co).status == 404  # a company: no comparison


RECENT_CHECK = """
WITH raw AS (
    SELECT i.tenant_id,
           count(*) FILTER (WHERE (i.opened_at AT TIME ZONE 'UTC')::date BETWEEN current_date - 6 AND current_date) AS a,
           count(*) FILTER (WHERE (i.opened_at AT TIME ZONE 'UTC')::date BETWEEN current_date - 13 AND current_date - 7) AS b
      FROM incidents i JOIN tenants c ON c.id = i.tenant_id AND c.kind = 'company' GROUP BY 1)
SELECT count(*) FROM tenants c
  LEFT JOIN incident_recent r ON r.tenant_id = c.id LEFT JOIN LATERAL incident_weeks(r) w ON true
  LEFT JOIN raw ON raw.tenant_id = c.id
 WHERE c.kind = 'company' AND (coalesce(raw.a, 0), coalesce(raw.b, 0)) <> (coalesce(w.this_week, 0), coalesce(w.last_week, 0))
"""


def test_the_weekly_counts_follow_every_change(ctx):
    bluefin, co, n = setup(ctx)
    q = ctx.stack.psql
    assert q(RECENT_CHECK) == "0"
    owner = ctx.login("owner@msp1.example")

    def growth():
        return next(((g["this_week"], g["last_week"]) for g in owner.get_json("/t/%d/analytics" % bluefin).json()["growth"]
                     if g["id"] == co), None)
    assert growth() == (5, 1)
    # Moved to last week, to another customer, deleted; closing changes nothing.
    q("UPDATE incidents SET opened_at = now() - interval '9 days' WHERE tenant_id = %d AND external_id = 'g1'" % co)
    q("UPDATE incidents SET closed_at = now() WHERE tenant_id = %d" % co)
    assert q(RECENT_CHECK) == "0" and growth() == (4, 2)
    other = int(q("SELECT min(id) FROM tenants WHERE parent_id = %d AND id <> %d" % (bluefin, co)))
    q("UPDATE incidents SET tenant_id = %d, external_id = 'moved-%d' WHERE tenant_id = %d AND external_id = 'g2'"
      % (other, n, co))
    q("DELETE FROM incidents WHERE tenant_id = %d AND external_id = 'g3'" % co)
    assert q(RECENT_CHECK) == "0"
    assert growth() is None   # 2 against 2: not growing
    # Three weeks without incidents at the customer: the old days drop out.
    q("UPDATE incidents SET opened_at = opened_at - interval '21 days' WHERE tenant_id = %d" % co)
    assert q(RECENT_CHECK) == "0"
    q("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at)"
      " SELECT id, root_id, 'late', 'low', 'L', now() FROM tenants WHERE id = %d" % co)
    assert q(RECENT_CHECK) == "0" and growth() == (1, 0)
    # A date two months ahead is not kept, and does not push today out.
    q("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at)"
      " SELECT id, root_id, 'ahead', 'low', 'A', now() + interval '60 days' FROM tenants WHERE id = %d;"
      "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at)"
      " SELECT id, root_id, 'today2', 'low', 'T', now() FROM tenants WHERE id = %d" % (co, co))
    assert q(RECENT_CHECK) == "0" and growth() == (2, 0)
    q("UPDATE incidents SET opened_at = now() WHERE tenant_id = %d AND external_id = 'ahead'" % co)
    assert q(RECENT_CHECK) == "0" and growth() == (3, 0)


def test_velocity_under_a_day_and_without_data(ctx):
    # A customer whose only fix took two hours, and one with no fix at all.
    n = int(time.time() * 1000) % 1000000
    q = ctx.stack.psql
    bluefin = int(q("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
    ids = {}
    for name in ("Quick", "Idle"):
        q("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
          " VALUES ('company', 'Velocity %s %d', 'eu', %d, '{0}', 0)" % (name, n, bluefin))
        ids[name] = int(q("SELECT id FROM tenants WHERE name = 'Velocity %s %d'" % (name, n)))
    q("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity, first_seen, fixed_at)"
      " SELECT id, root_id, 'q1', 'CVE-2023-4966', 'medium', now() - interval '3 days',"
      " now() - interval '3 days' + interval '2 hours' FROM tenants WHERE id = %d" % ids["Quick"])
    owner = ctx.login("owner@msp1.example")
    page = owner.get_json("/t/%d/analytics" % bluefin).json()
    quick = next(v for v in page["velocity"] if v["id"] == ids["Quick"])
    assert quick["medium"] == "0.1" and [c["text"] for c in quick["cells"]] == ["–", "–", "< 1 day", "–"]
    idle = next(v for v in page["velocity"] if v["id"] == ids["Idle"])
    assert [c["text"] for c in idle["cells"]] == ["–"] * 4
    html = owner.get("/t/%d/analytics" % bluefin).text
    row = html.split("Velocity Idle %d</a></td>" % n)[1].split("</tr>")[0]
    assert row == '<td><span class="muted" title="no finding fixed">–</span></td>' * 4, row
    row = html.split("Velocity Quick %d</a></td>" % n)[1].split("</tr>")[0]
    assert "<td>&lt; 1 day</td>" in row and "0.0" not in row and "0.1" not in row
    assert "no finding of that severity was fixed in the last 90 days" in html


def risk_top_and_reference(ctx, token, tenant, column, label):
    """risk_top(tenant, 3) as the session token's user sees it, and what
    it should be (every active company at risk whose tenant_stats column
    is tenant, read one by one, as RLS lets that user read them): each a
    list of "LABEL RISK REST_COUNT REST_RISK REST_MAX", LABEL the row's id
    or name."""
    key = {"id": ("id", "tenant_id"), "name": ("name", "name")}[label]
    out = ctx.stack.psql(
        "BEGIN; SET LOCAL ROLE portal_app; SELECT 'id:' || app_identify('%s');"
        " SELECT 'got:' || %s || ' ' || risk || ' ' || rest_count || ' ' || rest_risk || ' ' || rest_max"
        " FROM risk_top(%d, 3) ORDER BY risk DESC, name, id;"
        " WITH v AS (SELECT x.tenant_id, x.name, x.risk FROM tenant_stats x JOIN tenants c ON c.id = x.tenant_id"
        "             AND c.status = 'active' WHERE x.%s = %d AND x.risk > 0 AND x.is_company),"
        " top AS (SELECT * FROM v ORDER BY risk DESC, name, tenant_id LIMIT 3),"
        " rest AS (SELECT count(*) n, coalesce(sum(risk), 0) r, coalesce(max(risk), 0) m FROM v"
        "           WHERE tenant_id NOT IN (SELECT tenant_id FROM top))"
        " SELECT 'want:' || top.%s || ' ' || top.risk || ' ' || rest.n || ' ' || rest.r || ' ' || rest.m"
        " FROM top, rest ORDER BY top.risk DESC, top.name, top.tenant_id; ROLLBACK"
        % (token, key[0], tenant, column, tenant, key[1]), user="postgres")
    assert re.search(r"^id:[0-9]+$", out, re.M), out
    return ([line[4:] for line in out.splitlines() if line.startswith("got:")],
            [line[5:] for line in out.splitlines() if line.startswith("want:")])


def test_risk_posture_compares_the_customers_by_risk(ctx):
    # Under a new MSP: twelve customers with risk 12, 11 ... 1 (open critical
    # findings; one has open incidents too), one with none. The chart shows
    # the ten highest in order, each linking to its view, and sums the rest.
    n = int(time.time() * 1000) % 1000000
    q = ctx.stack.psql
    mssp = int(q("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    q("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
      " VALUES ('msp', 'Risk MSP %d', 'eu', %d, '{0}', 0)" % (n, mssp))
    msp = int(q("SELECT id FROM tenants WHERE name = 'Risk MSP %d'" % n))
    q("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
      " SELECT 'company', format('Risk Co %%s', lpad(g::text, 2, '0')), 'eu', %d, '{0}', 0"
      " FROM generate_series(0, 12) g" % msp)
    q("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
      " SELECT t.id, t.root_id, 'r' || k, 'CVE-2024-3400', 'critical' FROM tenants t, generate_series(1, 12) k"
      " WHERE t.parent_id = %d AND k <= substring(t.name from 9)::int AND t.name <> 'Risk Co 12'" % msp)
    # Risk Co 12: one open critical incident (10) and two critical findings (2).
    co12 = int(q("SELECT id FROM tenants WHERE parent_id = %d AND name = 'Risk Co 12'" % msp))
    q("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
      " SELECT id, root_id, 'r' || k, 'CVE-2024-3400', 'critical' FROM tenants, generate_series(1, 2) k WHERE id = %d;"
      "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title)"
      " SELECT id, root_id, 'i1', 'critical', 'Beacon' FROM tenants WHERE id = %d" % (co12, co12))
    admin = ctx.login("admin@northwind.example")
    page = admin.get_json("/t/%d/analytics" % msp).json()
    bars = page["risk_posture"]["bars"]
    assert [(b["name"], b["risk"]) for b in bars] == [("Risk Co %02d" % g, g) for g in range(12, 2, -1)], bars
    assert bars[0]["pct"] == 100 and bars[-1]["pct"] == 25
    assert (bars[0]["open_text"], bars[0]["vuln_text"], bars[1]["open_text"]) == \
        ("1 open incident", "2 critical vulnerabilities", "0 open incidents")
    rest = page["risk_posture"]["rest"]
    assert (rest["count"], rest["total"], rest["max"]) == (2, 3, 2), rest
    assert rest["text"] == "2 other customers at risk: total risk 3, at most 2 each"
    html = admin.get("/t/%d/analytics" % msp).text
    chart = html.split('<ol class="riskbars"')[1].split("</ol>")[0]
    assert chart.startswith(' aria-label="Risk score of the customers at highest risk: Risk Co 12 12; Risk Co 11 11;')
    links = re.findall(r'<li><a href="/t/(\d+)"[^>]*>([^<]+)</a><svg[^>]*><rect x="0" y="0" width="(\d+)"', chart)
    ids = dict((name, int(i)) for i, name in [tuple(x.split("|")) for x in q(
        "SELECT id || '|' || name FROM tenants WHERE parent_id = %d" % msp).splitlines()])
    assert [(int(i), name, int(w)) for i, name, w in links] == \
        [(ids["Risk Co %02d" % g], "Risk Co %02d" % g, g * 100 // 12) for g in range(12, 2, -1)], links
    assert "And 2 other customers at risk: total risk 3, at most 2 each." in html
    assert "Risk Co 00" not in chart  # risk 0: not at risk, not counted


def test_a_partial_viewers_risk_posture_counts_only_what_they_may_read(ctx):
    """The MSSP Analyst sees the MSSP but only the customers assigned to
    them: risk_top() on the MSSP (the chart and "N other customers at
    risk") must be what the row-level policy lets them read, not the tree's
    (risk_top() checks no company for a viewer of the whole subtree)."""
    q = ctx.stack.psql
    mssp = int(q("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    uid = int(q("SELECT id FROM users WHERE email = 'analyst@northwind.example'"))
    got, want = risk_top_and_reference(ctx, portal.session_token(ctx, uid), mssp, "root_id", "id")
    tree = int(q("SELECT count(*) FROM tenant_stats x JOIN tenants c ON c.id = x.tenant_id AND c.status = 'active'"
                 " WHERE x.root_id = %d AND x.risk > 0 AND x.is_company" % mssp))
    assert got == want and got, (got, want)
    # ... and the tree holds customers at risk the analyst may not see
    assert tree > int(got[0].split(" ")[2]) + len(got), (tree, got)


def test_a_whole_tree_viewers_rest_leaves_archived_customers_out(ctx):
    """A viewer of the whole subtree gets the rest ("N other customers at
    risk") from the risk index less the archived customers (risk_top()'s
    short way, sql/085): an archived customer is neither a bar nor counted,
    whether it would have been among the highest or in the rest, below an
    MSP and below the MSSP, as the reference (every active company at risk,
    read one by one) says."""
    n = int(time.time() * 1000) % 1000000
    q = ctx.stack.psql
    mssp = int(q("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    q("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
      " VALUES ('msp', 'Gone MSP %d', 'eu', %d, '{0}', 0)" % (n, mssp))
    msp = int(q("SELECT id FROM tenants WHERE name = 'Gone MSP %d'" % n))
    q("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
      " SELECT 'company', format('Gone Co %%s', lpad(g::text, 2, '0')), 'eu', %d, '{0}', 0"
      " FROM generate_series(1, 8) g" % msp)
    # Gone Co g has risk 100 + g (critical findings): the highest of the tree.
    q("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
      " SELECT t.id, t.root_id, 'g' || k, 'CVE-2024-3400', 'critical' FROM tenants t, generate_series(1, 120) k"
      " WHERE t.parent_id = %d AND k <= 100 + substring(t.name from 9)::int" % msp)
    # Archived: one that would be the highest (08) and one of the rest (02).
    q("UPDATE tenants SET status = 'archived' WHERE parent_id = %d AND name IN ('Gone Co 08', 'Gone Co 02')" % msp)
    token = portal.session_token(ctx, int(q("SELECT id FROM users WHERE email = 'admin@northwind.example'")))

    def compare(tenant, column):
        got, want = risk_top_and_reference(ctx, token, tenant, column, "name")
        assert got == want and got, (got, want)
        return got

    try:
        # Below the MSP: 07, 06, 05 listed; 04, 03 and 01 the rest.
        assert compare(msp, "parent_id") == ["Gone Co 07 107 3 308 104", "Gone Co 06 106 3 308 104",
                                             "Gone Co 05 105 3 308 104"]
        # Below the MSSP: the tree's active companies at risk, 08 and 02
        # not among them.
        top = compare(mssp, "root_id")
        assert not [x for x in top if x.startswith(("Gone Co 08 ", "Gone Co 02 "))], top
        admin = ctx.login("admin@northwind.example")
        page = admin.get_json("/t/%d/analytics" % msp).json()
        assert [b["name"] for b in page["risk_posture"]["bars"]] == ["Gone Co %02d" % g for g in (7, 6, 5, 4, 3, 1)]
        assert "rest" not in page["risk_posture"], page["risk_posture"]  # six at risk, ten shown
    finally:
        q("DELETE FROM vulnerabilities WHERE tenant_id IN (SELECT id FROM tenants WHERE parent_id = %d)" % msp)
        q("UPDATE tenants SET status = 'archived' WHERE id = %d OR parent_id = %d" % (msp, msp))
