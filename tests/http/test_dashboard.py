"""The dashboard of a tenant: tiles from the rollups agree with the raw
rows; the table of the tenants below sorts by every column, searches,
pages and exports. Data is written as the owner role (the ingest API has
its own tests), into a tree made for this file."""
import csv
import io
import re
import time

import portal

_tree = {}


def tree(ctx):
    """An MSP (60 companies) under Northwind, with assets, vulnerabilities and incidents."""
    if _tree:
        return _tree
    n = int(time.time() * 1000) % 1000000
    mssp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " VALUES ('msp', 'Dash MSP %d', 'eu', %d, '{0}', 0)" % (n, mssp))
    msp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Dash MSP %d'" % n))
    ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " SELECT 'company', format('Dash Co %%s', lpad(g::text, 2, '0')), 'eu', %d, '{0}', 0"
                   " FROM generate_series(1, 60) g" % msp)
    # Company g gets g probes, g %% 3 agents, and g %% 5 critical + 1 high open findings.
    ctx.stack.psql(
        "INSERT INTO assets (tenant_id, root_id, external_id, kind, name)"
        " SELECT t.id, t.root_id, 'p' || k, 'probe', 'probe' FROM tenants t, generate_series(1, 60) k"
        " WHERE t.parent_id = %d AND k <= substring(t.name from 9)::int;"
        "INSERT INTO assets (tenant_id, root_id, external_id, kind, name)"
        " SELECT t.id, t.root_id, 'a' || k, 'agent', 'agent' FROM tenants t, generate_series(1, 2) k"
        " WHERE t.parent_id = %d AND k <= substring(t.name from 9)::int %% 3;"
        "INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
        " SELECT t.id, t.root_id, 'c' || k, 'CVE-2025-0' || (100 + k), 'critical' FROM tenants t, generate_series(1, 4) k"
        " WHERE t.parent_id = %d AND k <= substring(t.name from 9)::int %% 5;"
        "INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
        " SELECT t.id, t.root_id, 'h1', 'CVE-2025-0999', 'high' FROM tenants t WHERE t.parent_id = %d;"
        "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title)"
        " SELECT t.id, t.root_id, 'i1', 'critical', 'Beacon' FROM tenants t WHERE t.parent_id = %d"
        " AND substring(t.name from 9)::int %% 10 = 0;" % (msp, msp, msp, msp, msp))
    # Fix one finding and close one incident: they stop counting.
    ctx.stack.psql("UPDATE vulnerabilities SET fixed_at = now() WHERE external_id = 'h1' AND tenant_id ="
                   " (SELECT id FROM tenants WHERE name = 'Dash Co 01' AND parent_id = %d)" % msp)
    ctx.stack.psql("UPDATE incidents SET closed_at = now() WHERE tenant_id ="
                   " (SELECT id FROM tenants WHERE name = 'Dash Co 10' AND parent_id = %d)" % msp)
    _tree.update(mssp=mssp, msp=msp, n=n)
    return _tree


def raw(ctx, tid):
    """Probes, agents, open critical and high findings, open critical incidents of tid's subtree."""
    return raw_where(ctx, "%d = ANY (t.ancestors)" % tid)


def raw_where(ctx, under):
    """raw() over the tenants t matching the condition under."""
    q = ("SELECT (SELECT count(*) FROM assets a JOIN tenants t ON t.id = a.tenant_id WHERE {0} AND a.kind = 'probe'),"
         " (SELECT count(*) FROM assets a JOIN tenants t ON t.id = a.tenant_id WHERE {0} AND a.kind = 'agent'),"
         " (SELECT count(*) FROM vulnerabilities v JOIN tenants t ON t.id = v.tenant_id WHERE {0}"
         "   AND fixed_at IS NULL AND severity = 'critical'),"
         " (SELECT count(*) FROM vulnerabilities v JOIN tenants t ON t.id = v.tenant_id WHERE {0}"
         "   AND fixed_at IS NULL AND severity = 'high'),"
         " (SELECT count(*) FROM incidents i JOIN tenants t ON t.id = i.tenant_id WHERE {0}"
         "   AND closed_at IS NULL AND severity = 'critical')").format(under)
    return [int(x) for x in ctx.stack.psql(q).split("|")]


def test_tiles_agree_with_the_raw_rows_at_every_level(ctx):
    t = tree(ctx)
    admin = ctx.login("admin@northwind.example")
    company = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Dash Co 07' AND parent_id = %d" % t["msp"]))
    for tid in (t["mssp"], t["msp"], company):
        s = admin.get_json("/t/%d" % tid).json()["stats"]
        probes, agents, critical, high, open_critical = raw(ctx, tid)
        assert (s["probes"], s["agents"], s["critical"], s["high"], s["incidents_open_critical"]) == \
            (probes, agents, critical, high, open_critical), (tid, s)
    msp = admin.get_json("/t/%d" % t["msp"]).json()["stats"]
    assert msp["probes"] == sum(range(1, 61)) and msp["companies"] == 60
    assert msp["high"] == 59 and msp["incidents_open_critical"] == 5


def test_the_companies_table_sorts_by_every_column(ctx):
    t = tree(ctx)
    admin = ctx.login("admin@northwind.example")
    page = admin.get_json("/t/%d" % t["msp"]).json()
    keys = [c["key"] for c in page["columns"]]
    assert keys == ["name", "probes", "agents", "discovered", "external", "vulns", "critical", "high", "medium", "low"]
    for key in keys:
        for d in ("asc", "desc"):
            rows = admin.get_json("/t/%d?sort=%s&dir=%s" % (t["msp"], key, d)).json()["children"]
            vals = [r[key] if key != "name" else r["name"].lower() for r in rows]
            assert vals == sorted(vals, reverse=(d == "desc")), (key, d, vals[:10])
    top = admin.get_json("/t/%d?sort=probes&dir=desc" % t["msp"]).json()["children"][0]
    assert top["name"] == "Dash Co 60" and top["probes"] == 60
    # A heading asks for its column's own order first, the one its URL
    # without a dir= gets: a figure the most first, the name from A; the
    # column in force asks for the other way.
    cols = {c["key"]: c for c in page["columns"]}
    assert cols["name"]["active"] and cols["name"]["next_dir"] == "desc"
    for key in keys[1:]:
        assert cols[key]["next_dir"] == "desc", key
        assert admin.get_json("/t/%d?sort=%s" % (t["msp"], key)).json()["table"]["dir"] == "desc", key
    by = {c["key"]: c for c in admin.get_json("/t/%d?sort=critical" % t["msp"]).json()["columns"]}
    assert by["critical"]["next_dir"] == "asc" and by["name"]["next_dir"] == "asc"
    html = admin.get("/t/%d?sort=name&dir=desc" % t["msp"]).text
    assert 'sort=critical&amp;dir=desc" title="Sort by Critical' in html and 'sort=name&amp;dir=asc"' in html


def test_search_pagination_and_csv(ctx):
    t = tree(ctx)
    admin = ctx.login("admin@northwind.example")
    first = admin.get_json("/t/%d" % t["msp"]).json()
    assert first["children_count"] == 60 and len(first["children"]) == 50
    assert first["table"]["pages"] == 2 and first["table"]["has_next"] is True
    second = admin.get_json("/t/%d?page=2" % t["msp"]).json()
    assert len(second["children"]) == 10
    assert not {r["id"] for r in first["children"]} & {r["id"] for r in second["children"]}
    found = admin.get_json("/t/%d?q=co+0" % t["msp"]).json()["children"]
    assert sorted(r["name"] for r in found) == ["Dash Co %02d" % i for i in range(1, 10)]
    page = admin.get("/t/%d?q=%%3Cb%%3E" % t["msp"])
    assert page.status == 200 and "&lt;b&gt;" in page.text and "No Companies match" in page.text
    r = admin.get("/t/%d/export?sort=critical&dir=desc" % t["msp"])
    assert r.status == 200 and r.header("Content-Type").startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:3] == ["Name", "Probes", "Lightweight agents"] and len(rows) == 61
    crit = rows[0].index("Critical")
    assert [int(x[crit]) for x in rows[1:]] == sorted((int(x[crit]) for x in rows[1:]), reverse=True)


def test_the_mssp_table_shows_msps_with_their_status_and_totals(ctx):
    t = tree(ctx)
    admin = ctx.login("admin@northwind.example")
    rows = {r["name"]: r for r in admin.get_json("/t/%d?q=Dash+MSP+%d" % (t["mssp"], t["n"])).json()["children"]}
    row = rows["Dash MSP %d" % t["n"]]
    assert row["companies"] == 60 and row["probes"] == sum(range(1, 61)) and row["open_critical"] == 5
    html = admin.get("/t/%d" % t["mssp"]).text
    assert "<svg" in html and 'class="bar sev-critical"' in html and "Open critical" in html
    # People read 1,830 probes, not 1830.
    assert '<span class="tile-n">1,830</span><span class="tile-l">Probes</span>' in admin.get("/t/%d" % t["msp"]).text


def test_an_unassigned_analyst_sees_neither_the_tree_nor_its_totals(ctx):
    t = tree(ctx)
    analyst = ctx.login("analyst@northwind.example")
    assert analyst.get("/t/%d" % t["msp"]).status == 404
    names = [r["name"] for r in analyst.get_json("/t/%d" % t["mssp"]).json()["children"]]
    assert "Dash MSP %d" % t["n"] not in names


def test_an_analyst_with_no_assignment_sees_the_mssp_alone(ctx):
    # An MSSP Analyst sees their MSSP itself and the subtrees assigned to
    # them: with none assigned, no MSP in the table and no MSP's page
    # (app_scope() takes its short way only for viewers who are no analyst).
    t = tree(ctx)
    q = ctx.stack.psql
    uid = int(q("SELECT id FROM users WHERE email = 'analyst@northwind.example'"))
    kept = q("SELECT coalesce(string_agg(tenant_id::text, ','), '') FROM analyst_assignments WHERE user_id = %d" % uid)
    q("DELETE FROM analyst_assignments WHERE user_id = %d" % uid)
    try:
        analyst = ctx.login("analyst@northwind.example")
        j = analyst.get_json("/t/%d" % t["mssp"]).json()
        assert j["children"] == [] and j["stats"]["msps"] == 0 and j["stats"]["companies"] == 0, j["stats"]
        assert analyst.get("/t/%d" % t["msp"]).status == 404
    finally:
        if kept:
            q("INSERT INTO analyst_assignments (user_id, tenant_id) SELECT %d, unnest('{%s}'::bigint[])" % (uid, kept))


def test_an_analysts_global_view_counts_only_their_assignments(ctx):
    t = tree(ctx)
    q = ctx.stack.psql
    ctx.stack.steady_hour()
    analyst = ctx.login("analyst@northwind.example")
    uid = int(q("SELECT id FROM users WHERE email = 'analyst@northwind.example'"))
    # Besides the demo's first MSP: the test MSP, one of its companies
    # (inside an assigned subtree: counted once) and a company of an MSP
    # the analyst is not assigned.
    co = int(q("SELECT id FROM tenants WHERE name = 'Dash Co 07' AND parent_id = %d" % t["msp"]))
    other = int(q("SELECT c.id FROM tenants c JOIN tenants m ON m.id = c.parent_id WHERE m.parent_id = %d"
                  " AND m.id NOT IN (SELECT tenant_id FROM analyst_assignments WHERE user_id = %d)"
                  " AND m.id <> %d AND c.kind = 'company' ORDER BY c.id LIMIT 1" % (t["mssp"], uid, t["msp"])))
    extra = [t["msp"], co, other]
    q("INSERT INTO analyst_assignments (user_id, tenant_id) SELECT %d, unnest(ARRAY%r)" % (uid, extra))
    try:
        assigned = "t.ancestors && ARRAY(SELECT tenant_id FROM analyst_assignments WHERE user_id = %d)" % uid
        j = analyst.get_json("/t/%d" % t["mssp"]).json()
        s = j["stats"]
        assert [s["probes"], s["agents"], s["critical"], s["high"], s["incidents_open_critical"]] == \
            raw_where(ctx, assigned)
        msps, companies, new24 = (int(x) for x in q(
            "SELECT (SELECT count(*) FROM tenants t WHERE %s AND t.kind = 'msp' AND t.status = 'active'),"
            " (SELECT count(*) FROM tenants t WHERE %s AND t.kind = 'company' AND t.status = 'active'),"
            " (SELECT count(*) FROM incidents i JOIN tenants t ON t.id = i.tenant_id WHERE %s"
            "   AND i.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours')"
            % (assigned, assigned, assigned)).split("|"))
        assert (s["msps"], s["companies"], j["incidents"]["new_24h"]) == (msps, companies, new24)
        top = q("SELECT string_agg(cve || ':' || n, ',' ORDER BY n DESC, cve) FROM (SELECT v.cve, count(*) AS n"
                " FROM vulnerabilities v JOIN tenants t ON t.id = v.tenant_id WHERE %s AND v.fixed_at IS NULL"
                " GROUP BY v.cve ORDER BY 2 DESC, 1 LIMIT 10) x" % assigned)
        assert ",".join("%s:%d" % (c["cve"], c["open"]) for c in j["top_cves"]) == top
        # Not the MSSP's totals, which its admin sees.
        admin = ctx.login("admin@northwind.example").get_json("/t/%d" % t["mssp"]).json()["stats"]
        assert admin["companies"] > s["companies"] and admin["probes"] > s["probes"]
    finally:
        q("DELETE FROM analyst_assignments WHERE user_id = %d AND tenant_id = ANY (ARRAY%r)" % (uid, extra))


def test_a_company_page_has_tiles_and_no_table_and_an_empty_state(ctx):
    n = int(time.time() * 1000) % 1000000
    ctx.stack.psql(
        "WITH t AS (INSERT INTO tenants (kind, name, region, ancestors, root_id) VALUES ('msp', 'Empty MSP %d', 'eu',"
        " '{0}', 0) RETURNING id), u AS (INSERT INTO users (email, name, password_hash) SELECT 'empty%d@msp.example',"
        " 'E', password_hash FROM users WHERE email = 'owner@msp1.example' RETURNING id)"
        " INSERT INTO memberships (user_id, tenant_id, role) SELECT u.id, t.id, 'owner' FROM t, u" % (n, n))
    msp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Empty MSP %d'" % n))
    ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " VALUES ('company', 'Empty Co %d', 'eu', %d, '{0}', 0)" % (n, msp))
    owner = ctx.login("empty%d@msp.example" % n)
    page = owner.get("/t/%d" % msp)
    assert "No probes, agents or findings reported yet" in page.text and "create an API key" in page.text
    company = int(ctx.stack.psql("SELECT id FROM tenants WHERE parent_id = %d" % msp))
    j = owner.get_json("/t/%d" % company).json()
    assert "children" not in j and j["stats"]["probes"] == 0 and j["stats"]["empty"] is True
    assert owner.get("/t/%d/export" % company).status == 404
    # Demo companies have data: no empty state there.
    demo = owner.get_json("/t/%d" % msp).json()
    assert demo["stats"]["empty"] is True
    # The board's markup, kept in each worker's page cache, says what the
    # viewer's role may do: a viewer of the same scope, asking the same
    # workers after the owner, is not told to create an API key.
    ctx.stack.psql("WITH u AS (INSERT INTO users (email, name, password_hash) SELECT 'emptyv%d@msp.example', 'V',"
                   " password_hash FROM users WHERE email = 'owner@msp1.example' RETURNING id)"
                   " INSERT INTO memberships (user_id, tenant_id, role) SELECT u.id, %d, 'viewer' FROM u" % (n, msp))
    viewer = ctx.login("emptyv%d@msp.example" % n)
    for _ in range(12):
        assert "create an API key" in owner.get("/t/%d" % msp).text
    for _ in range(12):
        page = viewer.get("/t/%d" % msp)
        assert page.status == 200 and "No probes, agents or findings" in page.text
        assert "create an API key" not in page.text


def test_incident_overview_counts_windows_and_ranks_risk(ctx):
    t = tree(ctx)
    ctx.stack.steady_hour()
    admin = ctx.login("admin@northwind.example")
    msp = t["msp"]
    # One incident opened 2 hours ago and one 3 days ago, closed yesterday, in Dash Co 03.
    co3 = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Dash Co 03' AND parent_id = %d" % msp))
    ctx.stack.psql("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at, closed_at)"
                   " SELECT id, root_id, 'w1', 'high', 'Recent', now() - interval '2 hours', NULL FROM tenants WHERE id = %d;"
                   "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at, closed_at)"
                   " SELECT id, root_id, 'w2', 'low', 'Older', now() - interval '3 days', now() - interval '1 day'"
                   " FROM tenants WHERE id = %d" % (co3, co3))

    # Windows are whole UTC hours (docs/dashboards.md): "24 h" is the current
    # hour and the 24 before it. Two incidents just inside and just outside
    # that boundary.
    ctx.stack.psql("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at)"
                   " SELECT id, root_id, 'edge-in', 'low', 'Edge in',"
                   "   date_trunc('hour', now(), 'UTC') - interval '24 hours' FROM tenants WHERE id = %d;"
                   "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at)"
                   " SELECT id, root_id, 'edge-out', 'low', 'Edge out',"
                   "   date_trunc('hour', now(), 'UTC') - interval '24 hours 1 second' FROM tenants WHERE id = %d"
                   % (co3, co3))

    def raw(where, hours):
        return int(ctx.stack.psql("SELECT count(*) FROM incidents i JOIN tenants t ON t.id = i.tenant_id"
                                  " WHERE %d = ANY (t.ancestors) AND %s >= date_trunc('hour', now(), 'UTC')"
                                  " - interval '%d hours'" % (msp, where, hours)))
    day = admin.get_json("/t/%d" % msp).json()["incidents"]
    assert day["new_24h"] == raw("i.opened_at", 24)
    week = admin.get_json("/t/%d?period=7d" % msp).json()["incidents"]
    opened, closed = raw("i.opened_at", 168), raw("i.closed_at", 168)
    assert (week["opened"], week["closed"]) == (opened, closed) and week["is_7d"] is True
    assert week["resolution_rate"] == closed * 100 // opened
    # Risk: Dash Co 60, 50, 40... have an open critical incident (10 points) and
    # g %% 5 critical vulnerabilities; the ranking follows the documented formula.
    ranked = admin.get_json("/t/%d" % msp).json()["incidents"]["at_risk"]
    assert len(ranked) == 5
    risks = [r["risk"] for r in ranked]
    assert risks == sorted(risks, reverse=True)
    for r in ranked:
        assert r["risk"] == 10 * r["open_critical"] + 3 * (r["open"] - r["open_critical"]) + r["vuln_critical"]
    html = admin.get("/t/%d?period=30d" % msp).text
    assert "Most at-risk customers" in html and "30 days" in html


def test_trend_and_top_cves_agree_with_the_rows(ctx):
    t = tree(ctx)
    ctx.stack.steady_hour()
    admin = ctx.login("admin@northwind.example")
    # A finding first seen 10 days ago and fixed 5 days ago in Dash Co 02.
    co2 = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Dash Co 02' AND parent_id = %d" % t["msp"]))
    ctx.stack.psql("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity, first_seen, fixed_at)"
                   " SELECT id, root_id, 'trend1', 'CVE-2021-44228', 'critical', now() - interval '10 days',"
                   " now() - interval '5 days' FROM tenants WHERE id = %d" % co2)
    for tid in (t["msp"], t["mssp"]):
        page = admin.get_json("/t/%d" % tid).json()
        days = page["trend"]["days"]
        assert len(days) == 30, page["trend"]
        for back in (0, 7, 29):
            # Open at the end of that day, counted from the raw rows.
            raw = int(ctx.stack.psql(
                "SELECT count(*) FROM vulnerabilities v JOIN tenants x ON x.id = v.tenant_id"
                " WHERE %d = ANY (x.ancestors) AND v.first_seen::date <= current_date - %d"
                " AND (v.fixed_at IS NULL OR v.fixed_at::date > current_date - %d)" % (tid, back, back)))
            assert days[29 - back]["open"] == raw, (tid, back, days[29 - back], raw)
        assert days[29]["open"] == page["stats"]["vulns"]
        assert page["trend"]["points_all"].count(",") == 30
        top = page["top_cves"]
        raw_top = ctx.stack.psql(
            "SELECT v.cve || ':' || count(*) FROM vulnerabilities v JOIN tenants x ON x.id = v.tenant_id"
            " WHERE %d = ANY (x.ancestors) AND v.fixed_at IS NULL GROUP BY v.cve ORDER BY count(*) DESC, v.cve"
            " LIMIT 10" % tid).splitlines()
        assert ["%s:%d" % (c["cve"], c["open"]) for c in top] == raw_top
    html = admin.get("/t/%d" % t["msp"]).text
    assert 'class="line-all"' in html and "Top CVEs" in html


def test_the_trend_chart_has_axes_readable_labels_and_its_numbers(ctx):
    t = tree(ctx)
    admin = ctx.login("admin@northwind.example")
    page = admin.get_json("/t/%d" % t["msp"]).json()
    trend = page["trend"]
    top = max(max(d["open"], d["critical"]) for d in trend["days"])
    # Round y ticks from 0 (1, 2 or 5 times a power of ten apart, at most
    # five steps) reaching at least the highest value, each with a gridline.
    values = [int(y["label"].replace(",", "")) for y in trend["y_ticks"]]
    step = values[1] - values[0]
    assert values[0] == 0 and values == list(range(0, values[-1] + 1, step)), values
    assert values[-1] >= top and values[-1] - step < max(top, 1) and len(values) <= 6, (values, top)
    assert str(step).strip("0") in ("1", "2", "5"), step
    ys = [y["y"] for y in trend["y_ticks"]]
    assert ys == sorted(ys, reverse=True) and ys[0] == trend["y1"]
    # Dates a week apart ending today, left to right, far enough apart
    # for their labels (about 8 units a character at 14 units).
    xs = trend["x_ticks"]
    assert [x["label"] for x in xs] == [trend["days"][i]["date"] for i in (1, 8, 15, 22, 29)]
    assert all(b["x"] - a["x"] > 8 * (len(a["label"]) + len(b["label"])) / 2 for a, b in zip(xs, xs[1:])), xs
    assert re.fullmatch(r"[0-9]{1,2} [A-Z][a-z]{2}", xs[-1]["label"]), xs
    # The points of each line lie on the axis's scale.
    pts = [tuple(map(int, p.split(","))) for p in trend["points_all"].split()]
    span = trend["y1"] - ys[-1]
    for (x, y), d in zip(pts, trend["days"]):
        assert abs((trend["y1"] - y) - d["open"] * span / values[-1]) <= 1, (x, y, d)
    html = admin.get("/t/%d" % t["msp"]).text
    svg = html.split('<svg class="trend"')[1].split("</svg>")[0]
    assert 'role="img"' in svg and "<title>Open vulnerabilities per day, " in svg
    assert svg.count('class="grid"') == len(values) and svg.count('class="chart-label"') == len(values) + 5
    for y in trend["y_ticks"]:
        assert '<line x1="%d" y1="%d"' % (trend["x0"], y["y"]) in svg and ">%s</text>" % y["label"] in svg
    # Labels are 14 units in a box 340 wide, drawn 290 px or more: 12 px.
    assert 'viewBox="0 0 340 200"' in svg and "font-size" not in svg
    # The numbers themselves, in a table under the chart.
    table = html.split('<details class="chart-data">')[1].split("</details>")[0]
    d = trend["days"][29]
    assert table.count("<tr>") == 31 and "<td>%s</td><td>%d</td><td>%d</td>" % (d["date"], d["open"], d["critical"]) in table


def test_top_cves_and_at_risk_say_their_counts_in_words(ctx):
    t = tree(ctx)
    admin = ctx.login("admin@northwind.example")
    page = admin.get_json("/t/%d" % t["msp"]).json()
    for c in page["top_cves"]:
        assert c["open_text"] == ("1 open finding" if c["open"] == 1 else "%d open findings" % c["open"])
    html = admin.get("/t/%d" % t["msp"]).text
    cves = html.split('<ol class="cves">')[1].split("</ol>")[0]
    assert cves.count("<li>") == len(page["top_cves"]) and ("open finding</span>" in cves or "open findings</span>" in cves)
    for r in page["incidents"]["at_risk"]:
        words = "%d critical of %d open incident%s · %d critical vulnerabilit%s" % (
            r["open_critical"], r["open"], "" if r["open"] == 1 else "s", r["vuln_critical"],
            "y" if r["vuln_critical"] == 1 else "ies")
        assert words in html, words
    assert "1 open incidents" not in html and " 1 critical vulnerabilities" not in html


def test_top_cves_read_by_band_equal_a_sort_of_every_count(ctx):
    """cve_open's top index is on a band of the count, not the count
    (stats_apply(): so a count changes in place). cve_top() must still give, for
    every tenant, the ten a sort of all its counts gives, as counts rise,
    fall across bands, tie at the tenth place and vanish."""
    t = tree(ctx)
    q = ctx.stack.psql
    co = int(q("SELECT id FROM tenants WHERE name = 'Dash Co 03' AND parent_id = %d" % t["msp"]))
    # Bands (floor(4 log2 n)): 48 and 47 share one, 40/40/39 the next, ...;
    # the tenth row sorted by band falls among the three 27s.
    counts = [48, 47, 40, 40, 39, 34, 33, 33, 28, 27, 27, 27, 26, 20, 13, 8, 5, 3, 2, 1]
    values = ",".join("('CVE-2030-%04d', %d)" % (i, n) for i, n in enumerate(counts))
    differ = ("SELECT count(*) FROM tenants t WHERE"
              " (SELECT array_agg(x.cve || ':' || x.open ORDER BY x.open DESC, x.cve) FROM"
              "   (SELECT o.cve, o.open FROM cve_open o WHERE o.tenant_id = t.id AND o.open > 0"
              "     ORDER BY o.open DESC, o.cve LIMIT 10) x)"
              " IS DISTINCT FROM"
              " (SELECT array_agg(c.cve || ':' || c.open ORDER BY c.open DESC, c.cve) FROM cve_top(t.id) c)")
    company_top = ("SELECT string_agg(cve || ':' || n, ',' ORDER BY n DESC, cve) FROM (SELECT cve, count(*) AS n"
                   " FROM vulnerabilities WHERE tenant_id = %d AND fixed_at IS NULL GROUP BY cve"
                   " ORDER BY 2 DESC, 1 LIMIT 10) x" % co)
    def check(step):
        # A new session each time: the rows were written from psql, which
        # reaches a session's cached context only a moment later.
        assert q(differ) == "0", step
        page = ctx.login("admin@northwind.example").get_json("/t/%d" % co).json()
        assert ",".join("%s:%d" % (c["cve"], c["open"]) for c in page["top_cves"]) == q(company_top), step

    q("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
      " SELECT t.id, t.root_id, 'band-' || v.cve || '-' || g, v.cve, 'low'"
      " FROM tenants t, (VALUES %s) v(cve, n), generate_series(1, v.n) g WHERE t.id = %d" % (values, co))
    try:
        check("inserted")
        tenth = q("SELECT string_agg(cve, ',' ORDER BY cve) FROM cve_top(%d) WHERE open = 27" % co)
        assert tenth == "CVE-2030-0009", tenth  # two of the three 27s make the cut, by name
        # The 48 falls to 20 (three bands down); one 40 rises into the 48s' band.
        q("UPDATE vulnerabilities SET fixed_at = now() WHERE tenant_id = %d AND cve = 'CVE-2030-0000'"
          " AND split_part(external_id, '-', 5)::int > 20" % co)
        q("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
          " SELECT id, root_id, 'band-more-' || g, 'CVE-2030-0002', 'low' FROM tenants, generate_series(1, 8) g"
          " WHERE id = %d" % co)
        check("fixed and added")
        q("DELETE FROM vulnerabilities WHERE tenant_id = %d AND cve IN ('CVE-2030-0003', 'CVE-2030-0005')" % co)
        check("deleted")
        q("UPDATE vulnerabilities SET fixed_at = now() WHERE tenant_id = %d AND external_id LIKE 'band-%%'"
          " AND fixed_at IS NULL" % co)
        check("all fixed")
        assert "CVE-2030" not in q("SELECT string_agg(cve, ',') FROM cve_top(%d)" % co)
    finally:
        q("DELETE FROM vulnerabilities WHERE tenant_id = %d AND external_id LIKE 'band-%%'" % co)


def test_inventory_donut_adds_up(ctx):
    t = tree(ctx)
    page = ctx.login("admin@northwind.example").get_json("/t/%d" % t["msp"]).json()
    donut = page["stats"]["donut"]
    assert sum(d["pct"] for d in donut) == 100
    assert {d["kind"] for d in donut} == {"probe", "agent"}  # this tree has probes and agents only
    probes = next(d for d in donut if d["kind"] == "probe")
    s = page["stats"]
    assert abs(probes["pct"] - 100 * s["probes"] / (s["probes"] + s["agents"])) < 1
    assert all(d["pct"] + d["rest"] == 100 for d in donut)


def test_child_counts_follow_creates_archives_and_moves(ctx):
    t = tree(ctx)

    def check(tid):
        # A new session each time: the changes are made from psql, which
        # reaches a session's cached context only a moment later.
        admin = ctx.login("admin@northwind.example")
        raw_msps, raw_companies = [int(x) for x in ctx.stack.psql(
            "SELECT count(*) FILTER (WHERE kind = 'msp'), count(*) FILTER (WHERE kind = 'company') FROM tenants"
            " WHERE %d = ANY (ancestors) AND id <> %d AND status = 'active'" % (tid, tid)).split("|")]
        page = admin.get_json("/t/%d" % tid).json()
        s = page["stats"]
        assert (s["msps"], s["companies"]) == (raw_msps, raw_companies), (tid, s)
        # The table sorted by name (the default) takes its count from the
        # rollup and its rows from the name index (tenant_children_rows()): both must be
        # the raw children's, in both directions.
        names = ctx.stack.psql("SELECT name FROM tenants WHERE parent_id = %d AND status = 'active'"
                               " ORDER BY lower(name), id" % tid).splitlines()
        assert page["children_count"] == len(names), (tid, page["children_count"], len(names))
        assert [r["name"] for r in page["children"]] == names[:50]
        desc = admin.get_json("/t/%d?sort=name&dir=desc" % tid).json()["children"]
        assert [r["name"] for r in desc] == names[::-1][:50]
        return raw_msps, raw_companies

    before = check(t["mssp"])
    check(t["msp"])
    co = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Dash Co 60' AND parent_id = %d" % t["msp"]))
    mover = None
    try:
        ctx.stack.psql("UPDATE tenants SET status = 'archived' WHERE id = %d" % co)
        assert check(t["mssp"]) == (before[0], before[1] - 1)
        assert check(t["msp"])[1] == 59
        ctx.stack.psql("UPDATE tenants SET status = 'active' WHERE id = %d" % co)
        assert check(t["mssp"]) == before
        # An unmanaged MSP with two companies (one archived) joins the MSSP.
        n = t["n"]
        ctx.stack.psql("INSERT INTO tenants (kind, name, region, ancestors, root_id)"
                       " VALUES ('msp', 'Mover MSP %d', 'eu', '{0}', 0)" % n)
        mover = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Mover MSP %d'" % n))
        ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id, status)"
                       " VALUES ('company', 'Mover Co A %d', 'eu', %d, '{0}', 0, 'active'),"
                       " ('company', 'Mover Co B %d', 'eu', %d, '{0}', 0, 'archived')" % (n, mover, n, mover))
        ctx.stack.psql("UPDATE tenants SET parent_id = %d WHERE id = %d" % (t["mssp"], mover))
        assert check(t["mssp"]) == (before[0] + 1, before[1] + 1)
    finally:
        # Northwind's own counts are other tests' too.
        ctx.stack.psql("UPDATE tenants SET status = 'active' WHERE id = %d" % co)
        if mover is not None:
            ctx.stack.psql("UPDATE tenants SET status = 'archived' WHERE parent_id = %d OR id = %d" % (mover, mover))


def raw_at_risk(ctx, where):
    """The five most at-risk active companies matching where, from the raw
    rows: the score of docs/dashboards.md, ties (common: many companies
    share a score) by name, then id; those scoring 0 are not listed."""
    return [(name, int(risk)) for name, risk in (l.split("|") for l in ctx.stack.psql(
        "SELECT c.name, 10 * count(i.*) FILTER (WHERE i.closed_at IS NULL AND i.severity = 'critical')"
        "   + 3 * count(i.*) FILTER (WHERE i.closed_at IS NULL AND i.severity <> 'critical')"
        "   + (SELECT count(*) FROM vulnerabilities v WHERE v.tenant_id = c.id AND v.fixed_at IS NULL"
        "      AND v.severity = 'critical') AS risk"
        " FROM tenants c LEFT JOIN incidents i ON i.tenant_id = c.id"
        " WHERE %s AND c.kind = 'company' AND c.status = 'active'"
        " GROUP BY c.id ORDER BY risk DESC, c.name, c.id LIMIT 5" % where).splitlines()) if int(risk) > 0]


def test_the_mssp_at_risk_list_is_the_top_of_every_company_in_the_tree(ctx):
    t = tree(ctx)
    admin = ctx.login("admin@northwind.example")
    top = raw_at_risk(ctx, "c.root_id = %d" % t["mssp"])
    ranked = admin.get_json("/t/%d" % t["mssp"]).json()["incidents"]["at_risk"]
    assert [(r["name"], r["risk"]) for r in ranked] == top, (ranked, top)
    # A company created last that ties with the fifth and sorts first by
    # name: the risk index finds it after the older ties, yet it is listed.
    fifth = ranked[-1]["risk"]
    n = int(time.time() * 1000) % 1000000
    ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " VALUES ('company', 'AAA Tie %d', 'eu', %d, '{0}', 0)" % (n, t["msp"]))
    tie = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'AAA Tie %d'" % n))
    try:
        ctx.stack.psql("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
                       " SELECT id, root_id, 'tie' || k, 'CVE-2025-1' || (100 + k), 'critical'"
                       " FROM tenants, generate_series(1, %d) k WHERE id = %d" % (fifth, tie))
        tied = int(ctx.stack.psql("SELECT count(*) FROM tenant_stats s JOIN tenants c ON c.id = s.tenant_id"
                                  " WHERE c.root_id = %d AND c.kind = 'company' AND s.risk = %d"
                                  % (t["mssp"], fifth)))
        assert tied > 1, tied
        # A new session: the rows were written from psql (see check() above).
        ranked = ctx.login("admin@northwind.example").get_json("/t/%d" % t["mssp"]).json()["incidents"]["at_risk"]
        want = ([x for x in top if x[1] > fifth] + [("AAA Tie %d" % n, fifth)] +
                [x for x in top if x[1] == fifth])[:5]
        assert [(r["name"], r["risk"]) for r in ranked] == want, (ranked, want)
    finally:
        ctx.stack.psql("DELETE FROM vulnerabilities WHERE tenant_id = %d;"
                       "UPDATE tenants SET status = 'archived' WHERE id = %d" % (tie, tie))


def test_the_at_risk_lists_follow_renames_and_moves(ctx):
    """The at-risk lists read tenant_stats' copy of each company's root,
    parent and name (stats_apply()). After a rename and a move, the MSSP's and
    the MSP's lists must still be the top five of the raw rows."""
    t = tree(ctx)

    def listed(tid):
        # A new session each time: the changes are made from psql, which
        # reaches a session's cached context only a moment later.
        admin = ctx.login("admin@northwind.example")
        return [(r["name"], r["risk"]) for r in admin.get_json("/t/%d" % tid).json()["incidents"]["at_risk"]]

    def check():
        assert listed(t["msp"]) == raw_at_risk(ctx, "c.parent_id = %d" % t["msp"])
        assert listed(t["mssp"]) == raw_at_risk(ctx, "c.root_id = %d" % t["mssp"])
        assert ctx.stack.psql("SELECT count(*) FROM tenant_stats s JOIN tenants c ON c.id = s.tenant_id"
                              " WHERE (s.root_id, s.parent_id, s.name)"
                              " IS DISTINCT FROM (c.root_id, c.parent_id, c.name)") == "0"

    check()
    n = t["n"]
    first, risk = listed(t["msp"])[0]
    top = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = '%s' AND parent_id = %d" % (first, t["msp"])))
    mover = None
    try:
        # Renamed so that it sorts last among its ties: the lists follow.
        ctx.stack.psql("UPDATE tenants SET name = 'zz Renamed %d' WHERE id = %d" % (n, top))
        check()
        assert ("zz Renamed %d" % n, risk) in listed(t["msp"])
        # An unmanaged MSP whose company outranks every other joins the MSSP.
        ctx.stack.psql("INSERT INTO tenants (kind, name, region, ancestors, root_id)"
                       " VALUES ('msp', 'Risk Mover MSP %d', 'eu', '{0}', 0)" % n)
        mover = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Risk Mover MSP %d'" % n))
        ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                       " VALUES ('company', 'Risk Mover Co %d', 'eu', %d, '{0}', 0);"
                       "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title)"
                       " SELECT c.id, c.root_id, 'rm' || k, 'critical', 'Ransomware' FROM tenants c,"
                       " generate_series(1, 40) k WHERE c.name = 'Risk Mover Co %d'" % (n, mover, n))
        assert ("Risk Mover Co %d" % n, 400) not in listed(t["mssp"])
        assert ctx.stack.psql("SELECT s.root_id, s.risk FROM tenant_stats s JOIN tenants c ON c.id = s.tenant_id"
                              " WHERE c.name = 'Risk Mover Co %d'" % n) == "%d|400" % mover
        ctx.stack.psql("UPDATE tenants SET parent_id = %d WHERE id = %d" % (t["mssp"], mover))
        check()
        assert listed(t["mssp"])[0] == ("Risk Mover Co %d" % n, 400)
    finally:
        ctx.stack.psql("UPDATE tenants SET name = '%s' WHERE id = %d" % (first, top))
        if mover is not None:
            ctx.stack.psql("UPDATE tenants SET status = 'archived' WHERE parent_id = %d OR id = %d" % (mover, mover))
    check()


def test_the_cached_dashboard_markup_follows_every_change(ctx):
    """On a hit the workers reuse the dashboard's rendered markup
    (partials/dashboard_board, cgi/pages/dashboard.c). It must change with the
    data as the JSON does, on every worker, while the page around it (the
    CSRF token of the forms, the notice) stays the request's own."""
    t = tree(ctx)
    admin = ctx.login("admin@northwind.example")
    msp = t["msp"]
    co = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Dash Co 07' AND parent_id = %d" % msp))
    path = "/t/%d?q=Dash+Co+07" % msp
    row = re.compile(r'<a href="/t/%d" class="name" title="[^"]*">([^<]*)</a></td>.*?'
                     r'<td class="col-critical sev-critical-text">(\d+)</td>' % co)

    def rows(extra=""):
        out = []
        for _ in range(12):
            r = admin.get(path + extra)
            assert r.status == 200, r
            out.append(r.text)
        return out, {row.search(p).groups() for p in out}

    def shown(want, extra=""):
        """The 12 pages once every worker shows want: a change made from
        psql reaches a worker's caches when its database backend delivers
        the notification (docs/architecture.md, "The context cache")."""
        return portal.wait_for("every worker's markup to show %r" % (want,),
                               lambda: (lambda r: r if r[1] == {want} else None)(rows(extra)))[0]

    assert admin.get_json(path).status == 200   # an entry filled by a JSON view: no markup yet
    pages, seen = rows()
    assert seen == {("Dash Co 07", "2")}, seen
    # Every form carries the session's token, masked afresh on each page.
    csrf = portal.unmask_csrf(admin.csrf())
    tokens = [re.findall(r'name="csrf" value="([0-9a-f]+)"', p) for p in pages]
    assert all(t and {portal.unmask_csrf(x) for x in t} == {csrf} for t in tokens), tokens[:2]
    assert len({t[0] for t in tokens}) == len(tokens)
    try:
        ctx.stack.psql("UPDATE tenants SET name = 'Dash Co 07 renamed' WHERE id = %d" % co)
        shown(("Dash Co 07 renamed", "2"))
        ctx.stack.psql("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
                       " SELECT id, root_id, 'markup-1', 'CVE-2024-3400', 'critical' FROM tenants WHERE id = %d" % co)
        pages = shown(("Dash Co 07 renamed", "3"), "&done=renamed")
        assert all("Tenant renamed." in p for p in pages)
        assert "Tenant renamed." not in admin.get(path).text
    finally:
        ctx.stack.psql("UPDATE tenants SET name = 'Dash Co 07' WHERE id = %d;"
                       "DELETE FROM vulnerabilities WHERE external_id = 'markup-1' AND tenant_id = %d" % (co, co))


def test_a_cached_dashboard_follows_every_change_it_shows(ctx):
    """Workers cache a dashboard's model, stamped with the tenant's data
    version (docs/performance.md). Each change below must show on
    whichever worker answers: 12 views reach all of them. The changes are
    made from psql, so each reaches a worker's caches when its database
    backend delivers the notification (docs/architecture.md, "The context
    cache"): the views are asked again until they agree, for at most 10 s."""
    t = tree(ctx)
    admin = ctx.login("admin@northwind.example")
    msp, mssp = t["msp"], t["mssp"]
    co = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Dash Co 05' AND parent_id = %d" % msp))
    ctx.stack.steady_hour()

    def views(client, path):
        return [client.get_json(path).json() for _ in range(12)]

    def agree(client, path, pick, want):
        """The 12 views once pick(view) is want in every one of them."""
        return portal.wait_for("every worker to show %r at %s" % (want, path),
                               lambda: (lambda vs: vs if all(pick(v) == want for v in vs) else None)(
                                   views(client, path)))

    def q(sql):
        return ctx.stack.psql(sql)

    views(admin, "/t/%d" % msp)
    # A finding: the rollup counters.
    q("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
      " SELECT id, root_id, 'cache-1', 'CVE-2024-3400', 'critical' FROM tenants WHERE id = %d" % co)
    want = int(q("SELECT vuln_critical FROM tenant_stats WHERE tenant_id = %d" % msp))
    before = agree(admin, "/t/%d" % msp, lambda v: v["stats"]["critical"], want)[0]["trend"]["days"][27]["open"]
    # A finding reported already fixed: only the trend changes.
    q("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity, first_seen, fixed_at)"
      " SELECT id, root_id, 'cache-2', 'CVE-2024-3400', 'low', now() - interval '3 days', now() - interval '1 day'"
      " FROM tenants WHERE id = %d" % co)
    new = agree(admin, "/t/%d" % msp, lambda v: v["trend"]["days"][27]["open"], before + 1)[0]["incidents"]["new_24h"]
    # An incident opened and closed already: only the windows change.
    q("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at, closed_at)"
      " SELECT id, root_id, 'cache-3', 'low', 'Closed at once', now(), now() FROM tenants WHERE id = %d" % co)
    agree(admin, "/t/%d" % msp, lambda v: v["incidents"]["new_24h"], new + 1)
    # A company renamed: the MSP's table. The MSP renamed: the company's breadcrumb.
    try:
        q("UPDATE tenants SET name = 'Dash Co 05 renamed' WHERE id = %d" % co)
        agree(admin, "/t/%d?q=Dash+Co+05" % msp, lambda v: [r["name"] for r in v["children"]], ["Dash Co 05 renamed"])
        views(admin, "/t/%d" % co)
        q("UPDATE tenants SET name = 'Dash MSP %d renamed' WHERE id = %d" % (t["n"], msp))
        agree(admin, "/t/%d" % co, lambda v: v["ancestors"][-1]["name"], "Dash MSP %d renamed" % t["n"])
    finally:
        q("UPDATE tenants SET name = 'Dash Co 05' WHERE id = %d;"
          "UPDATE tenants SET name = 'Dash MSP %d' WHERE id = %d" % (co, t["n"], msp))
    # A request shown in the MSPs table: its status after a decision is
    # written, and its expiry, which nothing writes: once the database's
    # clock has passed it, every view says so at once, with no notification.
    expires = q("INSERT INTO msp_requests (mssp_id, msp_tenant_id, root_id, email, token_hash, expires_at)"
                " VALUES (%d, %d, %d, 'cache@msp.example', md5('cache-%d') || md5('x'), now() + interval '10 seconds')"
                " RETURNING extract(epoch FROM expires_at)" % (mssp, msp, mssp, t["n"])).splitlines()[0]
    path = "/t/%d?q=Dash+MSP+%d" % (mssp, t["n"])
    agree(admin, path, lambda v: v["children"][0].get("request"), "pending")
    assert q("SELECT now() < to_timestamp(%s)" % expires) == "t", "the pending views took over 10 s"
    portal.wait_for("the request's expiry to pass", lambda: q("SELECT now() > to_timestamp(%s)" % expires) == "t", 15)
    assert {v["children"][0].get("request") for v in views(admin, path)} == {"expired"}
    q("UPDATE msp_requests SET status = 'cancelled' WHERE email = 'cache@msp.example'")
    agree(admin, path, lambda v: v["children"][0].get("request"), "cancelled")
    # What a viewer may see: an MSSP Analyst assigned the MSP sees it.
    analyst = ctx.login("analyst@northwind.example")
    names = {tuple(r["name"] for r in v["children"]) for v in views(analyst, "/t/%d" % mssp)}
    assert all("Dash MSP %d" % t["n"] not in n for n in names)
    uid = int(q("SELECT id FROM users WHERE email = 'analyst@northwind.example'"))
    q("INSERT INTO analyst_assignments (user_id, tenant_id) VALUES (%d, %d)" % (uid, msp))
    try:
        agree(analyst, "/t/%d" % mssp, lambda v: "Dash MSP %d" % t["n"] in [r["name"] for r in v["children"]], True)
    finally:
        q("DELETE FROM analyst_assignments WHERE user_id = %d AND tenant_id = %d" % (uid, msp))
    agree(analyst, "/t/%d" % mssp, lambda v: "Dash MSP %d" % t["n"] in [r["name"] for r in v["children"]], False)


def test_deleting_tenants_takes_their_numbers_out_of_the_rollups(ctx):
    # An operator deletes a company, then its MSP (the portal only
    # archives): every rollup above must lose exactly what they held
    # (tenants_delete_rollups()), and once the whole subtree is gone the MSSP's rollups are
    # what they were before it existed.
    q = ctx.stack.psql
    mssp = int(q("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    snapshot = (
        "SELECT concat_ws('|',"
        " (SELECT concat_ws(',', probes, agents, discovered, external, vuln_critical, vuln_high, vuln_medium,"
        "   vuln_low, incidents_open, incidents_open_critical, msps, companies) FROM tenant_stats WHERE tenant_id = %d),"
        " (SELECT string_agg(concat_ws(':', day, found, fixed, found_critical, fixed_critical), ',' ORDER BY day)"
        "   FROM vuln_daily WHERE tenant_id = %d AND (found, fixed, found_critical, fixed_critical) <> (0, 0, 0, 0)),"
        " (SELECT string_agg(cve || ':' || open, ',' ORDER BY cve) FROM cve_open WHERE tenant_id = %d AND open <> 0),"
        " (SELECT string_agg(concat_ws(':', hour, opened, closed), ',' ORDER BY hour) FROM incident_hourly"
        "   WHERE tenant_id = %d AND (opened, closed) <> (0, 0)))")
    before = q(snapshot % (mssp, mssp, mssp, mssp))
    n = int(time.time() * 1000) % 1000000
    q("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
      " VALUES ('msp', 'Gone MSP %d', 'eu', %d, '{0}', 0)" % (n, mssp))
    msp = int(q("SELECT id FROM tenants WHERE name = 'Gone MSP %d'" % n))
    q("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
      " SELECT 'company', 'Gone Co %d-' || g, 'eu', %d, '{0}', 0 FROM generate_series(1, 2) g" % (n, msp))
    q("INSERT INTO assets (tenant_id, root_id, external_id, kind, name)"
      " SELECT c.id, c.root_id, 'g' || g, (ARRAY['probe','agent','discovered','external'])[1 + g %% 4], 'h'"
      " FROM tenants c, generate_series(1, 6) g WHERE c.parent_id = %d;"
      "INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity, first_seen, fixed_at)"
      " SELECT c.id, c.root_id, 'g' || g, 'CVE-2032-00' || (10 + g %% 3), (ARRAY['critical','high','medium','low'])[1 + g %% 4],"
      " now() - make_interval(days => g), CASE WHEN g %% 3 = 0 THEN now() - interval '1 day' END"
      " FROM tenants c, generate_series(1, 9) g WHERE c.parent_id = %d;"
      "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at, closed_at)"
      " SELECT c.id, c.root_id, 'g' || g, 'critical', 'Gone', now() - make_interval(hours => g),"
      " CASE WHEN g = 2 THEN now() END FROM tenants c, generate_series(1, 3) g WHERE c.parent_id = %d"
      % (msp, msp, msp))
    assert q(snapshot % (mssp, mssp, mssp, mssp)) != before
    co = int(q("SELECT min(id) FROM tenants WHERE parent_id = %d" % msp))
    q("DELETE FROM tenants WHERE id = %d" % co)
    for tid in (mssp, msp):
        page = ctx.login("admin@northwind.example").get_json("/t/%d" % tid).json()
        s = page["stats"]
        assert [s["probes"], s["agents"], s["critical"], s["high"], s["incidents_open_critical"]] == raw(ctx, tid), tid
        companies = int(q("SELECT count(*) FROM tenants WHERE %d = ANY (ancestors) AND id <> %d AND kind = 'company'"
                          " AND status = 'active'" % (tid, tid)))
        assert s["companies"] == companies, (tid, s["companies"], companies)
    # The rest in one statement (a parent must go with its children):
    # whichever row goes first, the subtree is taken out once.
    q("DELETE FROM tenants WHERE parent_id = %d OR id = %d" % (msp, msp))
    assert q(snapshot % (mssp, mssp, mssp, mssp)) == before


def test_the_open_critical_tile_is_red_only_when_there_are_some(ctx):
    t = tree(ctx)
    admin = ctx.login("admin@northwind.example")
    tile = re.compile(r'<span class="tile-n([^"]*)">([0-9,]+)</span><span class="tile-l">Open critical</span>')
    for name, count, red in (("Dash Co 10", "0", ""), ("Dash Co 20", "1", " sev-critical-text")):
        co = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = '%s' AND parent_id = %d" % (name, t["msp"])))
        m = tile.search(admin.get("/t/%d" % co).text)
        assert m and (m.group(2), m.group(1)) == (count, red), (name, m and m.groups())


def test_tiles_say_how_they_moved_against_the_previous_period(ctx):
    # A fresh MSP with one company: incidents opened and closed at known
    # times, findings found 10 and 2 days ago and one fixed 3 days ago.
    ctx.stack.steady_hour()
    n = int(time.time() * 1000) % 1000000
    mssp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Northwind Security'"))
    ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " VALUES ('msp', 'Delta MSP %d', 'eu', %d, '{0}', 0)" % (n, mssp))
    msp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Delta MSP %d'" % n))
    ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " VALUES ('company', 'Delta Co %d', 'eu', %d, '{0}', 0)" % (n, msp))
    co = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Delta Co %d'" % n))
    admin = ctx.login("admin@northwind.example")

    def tiles(period="24h"):
        page = admin.get_json("/t/%d?period=%s" % (msp, period)).json()
        return page["incidents"], page["trend"]

    inc, trend = tiles()
    assert inc["new_delta"] == {"arrow": "", "text": "no change vs the previous 24 h", "tone": "flat"}, inc
    assert "rate_delta" not in inc and trend["delta_open"]["text"] == "no change in 7 days", (inc, trend)

    # 24 h: three opened an hour ago, two 30 hours ago: +1, bad. 7 days:
    # opened 5 and closed 2 (40 %) in the last 7 days; opened 4 and closed
    # 1 (25 %) in the 7 before: +15 points, good.
    def incident(ext, opened, closed="NULL"):
        ctx.stack.psql("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at, closed_at)"
                       " SELECT id, root_id, '%s', 'high', 'Delta', now() - interval '%s', %s FROM tenants"
                       " WHERE id = %d" % (ext, opened, closed, co))
    for i in range(3):
        incident("now%d" % i, "1 hour")
    incident("a", "30 hours", "now() - interval '2 hours'")
    incident("b", "30 hours", "now() - interval '3 hours'")
    for i in range(4):
        incident("old%d" % i, "10 days", "now() - interval '9 days'" if i == 0 else "NULL")
    inc, _ = tiles()
    assert inc["new_delta"] == {"arrow": "▲", "text": "+1 vs the previous 24 h", "tone": "bad"}, inc
    inc, _ = tiles("7d")
    assert (inc["opened"], inc["closed"], inc["resolution_rate"]) == (5, 2, 40), inc
    assert inc["rate_delta"] == {"arrow": "▲", "text": "+15 pts vs the previous 7 days", "tone": "good"}, inc
    html = admin.get("/t/%d?period=7d" % msp).text
    assert '<span class="delta delta-good"><span aria-hidden="true">▲</span> +15 pts vs the previous 7 days</span>' \
        in html, re.findall(r'<span class="delta[^\n]*', html)

    # Findings: two found 10 days ago (one critical), one found 2 days
    # ago, one of the old ones fixed 3 days ago: open 2, 7 days ago 2.
    ctx.stack.psql("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity, first_seen, fixed_at)"
                   " SELECT id, root_id, 'v1', 'CVE-2024-0001', 'critical', now() - interval '10 days', NULL"
                   " FROM tenants WHERE id = %d;"
                   "INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity, first_seen, fixed_at)"
                   " SELECT id, root_id, 'v2', 'CVE-2024-0002', 'low', now() - interval '10 days',"
                   " now() - interval '3 days' FROM tenants WHERE id = %d;"
                   "INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity, first_seen)"
                   " SELECT id, root_id, 'v3', 'CVE-2024-0003', 'critical', now() - interval '2 days'"
                   " FROM tenants WHERE id = %d" % (co, co, co))
    _, trend = tiles()
    assert trend["delta_open"]["text"] == "no change in 7 days", trend["delta_open"]
    assert trend["delta_critical"] == {"arrow": "▲", "text": "+1 in 7 days", "tone": "bad"}, trend["delta_critical"]
    ctx.stack.psql("UPDATE vulnerabilities SET fixed_at = now() WHERE tenant_id = %d AND external_id IN ('v1', 'v3')"
                   % co)
    _, trend = tiles()
    assert trend["delta_open"] == {"arrow": "▼", "text": "−2 in 7 days", "tone": "good"}, trend["delta_open"]


def test_names_of_any_bytes_come_through_the_table_whole(ctx):
    """The table's rows come from the database as one text
    (dashboard_row_lines(): tab-separated, the name last after its length
    in bytes): names holding a tab, a line break, colons and digits, markup
    or other scripts reach the page and its JSON as they are, from the kept
    first page, the kept rows sorted, and a search computed now."""
    n = int(time.time() * 1000) % 1000000
    msp = ctx.stack.new_tenant("msp", "Bytes MSP %d" % n, tree(ctx)["mssp"])
    names = ["Tab\there %d" % n, "Line\nbreak %d" % n, "12: colon: 3 %d" % n, "Ünïcødé ✓ 名前 %d" % n,
             "<b>&amp; \"quoted\" %d" % n, "back\\slash\\t %d" % n]
    try:
        for name in names:
            ctx.stack.new_tenant("company", name, msp)
        # the MSP's dashboard is kept, its first page made with it
        assert ctx.stack.psql("SELECT count(*) FROM dashboard_docs WHERE tenant_id = %d"
                              " AND first_page LIKE '%%Tab' || chr(9) || 'here%%'" % msp) == "1"
        admin = ctx.login("admin@northwind.example")
        for query in ("", "?sort=name&dir=desc", "?sort=critical&dir=desc", "?q=%d" % n):
            rows = admin.get_json("/t/%d%s" % (msp, query)).json()["children"]
            assert sorted(r["name"] for r in rows) == sorted(names), (query, rows)
            assert all(r["kind"] == "company" and r["region"] == "eu" and r["is_company"] for r in rows), rows
        html = admin.get("/t/%d" % msp).text
        assert "&lt;b&gt;&amp;amp; &quot;quoted&quot; %d" % n in html
        assert "Ünïcødé ✓ 名前 %d" % n in html and "<b>&amp;" not in html
    finally:
        # (gone: other tests read the tree's names a line each, split at bars)
        ctx.stack.psql("DELETE FROM tenants WHERE parent_id = %d OR id = %d" % (msp, msp))
