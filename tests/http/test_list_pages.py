"""Keyset pages of the vulnerabilities, assets and incidents lists (list_page()): walking
"next" from the first page and "prev" back from the last gives exactly the
raw rows of the viewer's subtree in the list's order, under each way a page
is read: a page per tenant (a company, a small tree), the tree's index (an
MSSP Admin on a tree of over 200 tenants) and the tree's index checked row
by row (an MSP of over 200 companies, an MSSP Analyst's assignments).
Counts come from the rollups where they hold them, else are counted up to
1,000."""
import time

import portal

_tree = {}

VULN_ORDER = "severity_weight(x.severity) DESC, x.first_seen DESC, x.id DESC"
INCIDENT_ORDER = "severity_weight(x.severity) DESC, x.opened_at DESC, x.id DESC"
ASSET_ORDER = "x.kind, lower(x.name), x.id"


def tree(ctx):
    """A tree of its own: MSSP > MSP A (210 companies) and MSP B (3), with
    an MSSP Admin, an MSSP Analyst assigned MSP A and one company of B, and
    an owner of MSP A. Findings share first-seen times (ties broken by id)."""
    if _tree:
        return _tree
    q = ctx.stack.psql
    n = int(time.time() * 1000) % 1000000
    mssp = ctx.stack.new_tenant("mssp", "List MSSP %d" % n)
    a = ctx.stack.new_tenant("msp", "List MSP A %d" % n, mssp)
    b = ctx.stack.new_tenant("msp", "List MSP B %d" % n, mssp)
    ctx.stack.new_companies(a, "List Co ", 210)
    ctx.stack.new_companies(b, "List Co B", 3)
    q("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity, first_seen, fixed_at)"
      " SELECT t.id, t.root_id, 'v' || k, format('CVE-2025-%%s', 1000 + (t.id + k) %% 4),"
      "  (ARRAY['critical','high','medium','low'])[1 + (t.id * 7 + k) %% 4],"
      "  timestamptz '2026-01-01' + ((t.id + k) %% 5) * interval '1 day',"
      "  CASE WHEN (t.id + k) %% 3 = 0 THEN timestamptz '2026-02-01' END"
      " FROM tenants t, generate_series(1, 5) k WHERE t.root_id = %d AND t.kind = 'company';"
      "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at, closed_at)"
      " SELECT t.id, t.root_id, 'i' || k, (ARRAY['critical','high','medium','low'])[1 + (t.id + 2 * k) %% 4], 'List',"
      "  timestamptz '2026-03-01' + ((t.id + k) %% 3) * interval '1 hour',"
      "  CASE WHEN (t.id + k) %% 4 = 0 THEN timestamptz '2026-04-01' END"
      " FROM tenants t, generate_series(1, 5) k WHERE t.root_id = %d AND t.kind = 'company';"
      "INSERT INTO assets (tenant_id, root_id, external_id, kind, name)"
      " SELECT t.id, t.root_id, 'a' || k, (ARRAY['probe','agent','discovered','external'])[1 + (t.id + k) %% 4],"
      "  CASE WHEN k = 1 THEN 'Host-' ELSE 'host-' END || ((t.id * 13) %% 50)"
      " FROM tenants t, generate_series(1, 2) k WHERE t.root_id = %d AND t.kind = 'company'" % (mssp, mssp, mssp))
    ctx.stack.new_user("ladmin%d@list.example" % n, (mssp, "mssp_admin"), name="L")
    analyst = ctx.stack.new_user("lanalyst%d@list.example" % n, (mssp, "mssp_analyst"), name="L")
    ctx.stack.new_user("lowner%d@list.example" % n, (a, "owner"), name="L")
    q("INSERT INTO analyst_assignments (user_id, tenant_id) VALUES (%d, %d), (%d, (SELECT min(id) FROM tenants"
      " WHERE parent_id = %d))" % (analyst, a, analyst, b))
    # A tree of its own (the threats test counts the customers of the tree
    # above), its MSSP's Admin lbig: a company with three pages of each
    # list, whose pages read one tenant's rows (read_plan(): a company is
    # itself), and new incidents.
    big_root = ctx.stack.new_tenant("mssp", "List Big %d" % n)
    big_msp = ctx.stack.new_tenant("msp", "List Big MSP %d" % n, big_root)
    big = ctx.stack.new_tenant("company", "List Co Big %d" % n, big_msp)
    q("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity, first_seen, fixed_at)"
      " SELECT %(t)d, %(r)d, 'v' || k, 'CVE-2025-1000', (ARRAY['critical','high','medium','low'])[1 + k %% 4],"
      "  timestamptz '2026-01-01' + (k %% 3) * interval '1 day', CASE WHEN k %% 5 = 0 THEN timestamptz '2026-02-01' END"
      " FROM generate_series(1, 140) k;"
      "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at, closed_at)"
      " SELECT %(t)d, %(r)d, 'i' || k, (ARRAY['critical','high','medium','low'])[1 + k %% 4], 'List',"
      "  timestamptz '2026-03-01' + (k %% 3) * interval '1 hour', CASE WHEN k %% 5 = 0 THEN timestamptz '2026-04-01' END"
      " FROM generate_series(1, 140) k;"
      "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at)"
      " SELECT %(t)d, %(r)d, 'n' || k, (ARRAY['critical','high','medium','low'])[1 + k %% 4], 'New',"
      "  now() - k * interval '10 minutes' FROM generate_series(1, 60) k;"
      "INSERT INTO assets (tenant_id, root_id, external_id, kind, name)"
      " SELECT %(t)d, %(r)d, 'a' || k, (ARRAY['probe','agent'])[1 + k %% 2], 'host-' || (k %% 40)"
      " FROM generate_series(1, 140) k" % {"t": big, "r": big_root})
    # ... and a sibling with rows of each list, which its pages must leave out.
    sib = ctx.stack.new_tenant("company", "List Co Sib %d" % n, big_msp)
    q("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity, first_seen)"
      " SELECT %(s)d, %(r)d, 's' || k, 'CVE-2025-1000', 'high', timestamptz '2026-01-02' FROM generate_series(1, 3) k;"
      "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at)"
      " SELECT %(s)d, %(r)d, 's' || k, 'high', 'Sib', now() - interval '1 hour' FROM generate_series(1, 3) k;"
      "INSERT INTO assets (tenant_id, root_id, external_id, kind, name)"
      " SELECT %(s)d, %(r)d, 's' || k, 'probe', 'host-1' FROM generate_series(1, 3) k" % {"s": sib, "r": big_root})
    ctx.stack.new_user("lbig%d@list.example" % n, (big_root, "mssp_admin"), name="L")
    _tree.update(n=n, mssp=mssp, a=a, b=b, big=big,
                 company=int(q("SELECT min(id) FROM tenants WHERE parent_id = %d" % a)))
    return _tree


def viewers(ctx, t):
    """The tree's MSSP Admin, MSP A's owner and the MSSP Analyst, signed in."""
    return [ctx.login("%s%d@list.example" % (who, t["n"])) for who in ("ladmin", "lowner", "lanalyst")]


def analyst_sees(t):
    """The tenants t the analyst may see, as a condition."""
    return ("t.ancestors && ARRAY(SELECT tenant_id FROM analyst_assignments WHERE user_id ="
            " (SELECT id FROM users WHERE email = 'lanalyst%d@list.example'))" % t["n"])


def walk(client, path, key):
    """The ids of every page following "next", then following "prev" back
    from the last page (both in list order), and the first page's JSON."""
    sep = "&" if "?" in path else "?"
    first = page = client.get_json(path).json()
    pages = [page]
    while "next" in page:
        assert len(page[key]) == 50
        page = client.get_json("%s%safter=%d" % (path, sep, page["next"])).json()
        pages.append(page)
        assert len(pages) < 100
    forward = [r["id"] for p in pages for r in p[key]]
    back = [page]
    while "prev" in page:
        page = client.get_json("%s%sbefore=%d" % (path, sep, page["prev"])).json()
        back.append(page)
        assert len(back) < 100
    backward = [r["id"] for p in reversed(back) for r in p[key]]
    assert "prev" not in first and "prev" in pages[-1] or len(pages) == 1
    return forward, backward, first


def raw_ids(ctx, table, under, where, order):
    out = ctx.stack.psql("SELECT string_agg(x.id::text, ',' ORDER BY %s) FROM %s x JOIN tenants t ON t.id = x.tenant_id"
                         " WHERE %s AND %s" % (order, table, under, where))
    return [int(i) for i in out.split(",")] if out else []


def check(ctx, client, path, table, key, under, where, order, rollup):
    forward, backward, first = walk(client, path, key)
    want = raw_ids(ctx, table, under, where, order)
    assert len(want) > 0 and forward == want, (path, len(forward), len(want), [x for x in forward if x not in want][:5],
                                               [x for x in want if x not in forward][:5])
    assert backward == want, (path, [(i, a, b) for i, (a, b) in enumerate(zip(backward, want)) if a != b][:5],
                              len(backward), len(want))
    if rollup or len(want) <= 1000:
        assert (first["total"], first["total_more"]) == (len(want), False), path
    else:
        assert (first["total"], first["total_more"]) == (1000, True), path


def test_vulnerability_pages_walk_every_row_in_order(ctx):
    t = tree(ctx)
    lbig = ctx.login("lbig%d@list.example" % t["n"])  # one company's tree
    admin, owner, analyst = viewers(ctx, t)
    sub, seen = "%d = ANY (t.ancestors)", analyst_sees(t)
    cases = [
        # the tree's index, every row visible
        (admin, t["mssp"], "", sub % t["mssp"], "x.fixed_at IS NULL", True),
        (admin, t["mssp"], "?status=all&severity=high", sub % t["mssp"], "x.severity = 'high'", False),
        (admin, t["mssp"], "?status=fixed", sub % t["mssp"], "x.fixed_at IS NOT NULL", False),
        (admin, t["mssp"], "?status=all", sub % t["mssp"], "true", False),   # over 1,000: "1,000+"
        (admin, t["mssp"], "?cve=cve-2025-1002", sub % t["mssp"], "x.fixed_at IS NULL AND x.cve = 'CVE-2025-1002'", True),
        (admin, t["mssp"], "?status=all&cve=cve-2025-1001", sub % t["mssp"], "x.cve = 'CVE-2025-1001'", False),
        # the tree's index checked row by row: an MSP of 210 companies, an analyst
        (owner, t["a"], "?status=fixed&cve=cve-2025-1003", sub % t["a"],
         "x.fixed_at IS NOT NULL AND x.cve = 'CVE-2025-1003'", False),
        (analyst, t["mssp"], "?status=all&cve=cve-2025-1000", seen, "x.cve = 'CVE-2025-1000'", False),
        (owner, t["a"], "?status=all", sub % t["a"], "true", False),
        (admin, t["a"], "?severity=critical", sub % t["a"], "x.fixed_at IS NULL AND x.severity = 'critical'", True),
        (analyst, t["mssp"], "?status=all", seen, "true", False),
        # a page per tenant
        (admin, t["b"], "?status=all", sub % t["b"], "true", False),
        (owner, t["company"], "?status=all", sub % t["company"], "true", False),
        (lbig, t["big"], "", sub % t["big"], "x.fixed_at IS NULL", True),
        (lbig, t["big"], "?status=all&severity=medium", sub % t["big"], "x.severity = 'medium'", False),
        (lbig, t["big"], "?status=all&cve=cve-2025-1000", sub % t["big"], "x.cve = 'CVE-2025-1000'", False),
    ]
    for client, tid, query, under, where, rollup in cases:
        check(ctx, client, "/t/%d/vulnerabilities%s" % (tid, query), "vulnerabilities", "vulnerabilities",
              under, where, VULN_ORDER, rollup)


def test_asset_pages_walk_every_row_in_order(ctx):
    t = tree(ctx)
    lbig = ctx.login("lbig%d@list.example" % t["n"])  # one company's tree
    admin, owner, _ = viewers(ctx, t)
    sub = "%d = ANY (t.ancestors)"
    for client, tid, query, where in [(admin, t["mssp"], "", "true"), (admin, t["mssp"], "?kind=agent", "x.kind = 'agent'"),
                                      (owner, t["a"], "", "true"), (admin, t["b"], "?kind=probe", "x.kind = 'probe'"),
                                      (lbig, t["big"], "", "true")]:
        check(ctx, client, "/t/%d/assets%s" % (tid, query), "assets", "assets", sub % tid, where, ASSET_ORDER, True)


NEW = "x.opened_at >= date_trunc('hour', now(), 'UTC') - interval '24 hours'"


def test_incident_pages_walk_every_row_in_order(ctx):
    t = tree(ctx)
    lbig = ctx.login("lbig%d@list.example" % t["n"])  # one company's tree
    admin, owner, analyst = viewers(ctx, t)
    sub, seen = "%d = ANY (t.ancestors)", analyst_sees(t)
    # New incidents in the tree of over 200 customers, open and closed, of
    # each severity, over the last 20 hours (this test's own: gone after it).
    ctx.stack.psql("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at, closed_at)"
                   " SELECT t.id, t.root_id, 'walknew' || k,"
                   " (ARRAY['critical','high','medium','low'])[1 + (t.id + k) %% 4], 'New',"
                   " now() - ((t.id + k) %% 20) * interval '1 hour',"
                   " CASE WHEN (t.id + k) %% 3 = 0 THEN now() END"
                   " FROM tenants t, generate_series(1, 2) k WHERE t.root_id = %d AND t.kind = 'company'" % t["mssp"])
    try:
        walk_incidents(ctx, t, lbig, admin, owner, analyst, sub, seen)
    finally:
        ctx.stack.psql("DELETE FROM incidents WHERE root_id = %d AND external_id LIKE 'walknew%%'" % t["mssp"])


def walk_incidents(ctx, t, lbig, admin, owner, analyst, sub, seen):
    for client, tid, query, under, where, rollup in [
            (admin, t["mssp"], "", sub % t["mssp"], "x.closed_at IS NULL", True),
            (admin, t["mssp"], "?severity=critical", sub % t["mssp"], "x.closed_at IS NULL AND x.severity = 'critical'", True),
            (admin, t["mssp"], "?status=all", sub % t["mssp"], "true", False),
            (owner, t["a"], "?status=closed&severity=low", sub % t["a"], "x.closed_at IS NOT NULL AND x.severity = 'low'", False),
            (analyst, t["mssp"], "?status=open&severity=high", seen, "x.closed_at IS NULL AND x.severity = 'high'", False),
            (admin, t["b"], "?status=all", sub % t["b"], "true", False),
            (lbig, t["big"], "", sub % t["big"], "x.closed_at IS NULL", True),
            (lbig, t["big"], "?status=all", sub % t["big"], "true", False),
            (lbig, t["big"], "?status=new", sub % t["big"], NEW, False),
            # "new": open and closed, each severity apart, merged (incident_reader)
            (admin, t["mssp"], "?status=new", sub % t["mssp"], NEW, False),
            (analyst, t["mssp"], "?status=new&severity=high", seen, NEW + " AND x.severity = 'high'", False),
            (owner, t["a"], "?status=new", sub % t["a"], NEW, False)]:
        check(ctx, client, "/t/%d/incidents%s" % (tid, query), "incidents", "incidents", under, where, INCIDENT_ORDER,
              rollup)


def test_a_cursor_from_elsewhere_starts_at_the_top(ctx):
    t = tree(ctx)
    owner = ctx.login("lowner%d@list.example" % t["n"])
    top = owner.get_json("/t/%d/vulnerabilities?status=all" % t["a"]).json()["vulnerabilities"]
    # a finding of MSP B, which the owner of MSP A may not see; ids that
    # are no row at all
    hidden = int(ctx.stack.psql("SELECT min(v.id) FROM vulnerabilities v JOIN tenants c ON c.id = v.tenant_id"
                                " WHERE c.parent_id = %d" % t["b"]))
    # A fixed medium finding: open critical and high rows come before its
    # keys and open low rows after them, whatever ids the tree was given.
    fixed = int(ctx.stack.psql("SELECT min(v.id) FROM vulnerabilities v JOIN tenants c ON c.id = v.tenant_id"
                               " WHERE c.parent_id = %d AND v.fixed_at IS NOT NULL AND v.severity = 'medium'" % t["a"]))
    for cursor in ("after=%d" % hidden, "before=%d" % hidden, "after=999999999999", "after=12x", "before=-1",
                   "after=99999999999999999999"):
        j = owner.get_json("/t/%d/vulnerabilities?status=all&%s" % (t["a"], cursor)).json()
        assert j["vulnerabilities"] == top and "prev" not in j, cursor
    # A row that has left the list (here: a fixed finding in the open list)
    # still marks the place: the open rows after its keys.
    want = raw_ids(ctx, "vulnerabilities", "%d = ANY (t.ancestors)" % t["a"],
                   "x.fixed_at IS NULL AND (severity_weight(x.severity), x.first_seen, x.id) < (SELECT"
                   " severity_weight(severity), first_seen, id FROM vulnerabilities WHERE id = %d)" % fixed, VULN_ORDER)
    page = owner.get_json("/t/%d/vulnerabilities?after=%d" % (t["a"], fixed)).json()
    assert len(want) > 50, len(want)
    assert [v["id"] for v in page["vulnerabilities"]] == want[:50] and page.get("prev") == want[0], page.get("prev")
    # A previous page with nothing before it (the first row's): the first page.
    first = owner.get_json("/t/%d/vulnerabilities" % t["a"]).json()["vulnerabilities"]
    j = owner.get_json("/t/%d/vulnerabilities?before=%d" % (t["a"], first[0]["id"])).json()
    assert j["vulnerabilities"] == first and "prev" not in j and "next" in j
    # The HTML pager links carry the filters and the cursor.
    html = owner.get("/t/%d/vulnerabilities?severity=high&status=all" % t["a"]).text
    assert 'value="high" selected' in html and "status=all&amp;after=" in html and 'rel="next"' in html


def test_threats_of_an_analyst_seeing_over_200_customers(ctx):
    # The analyst sees 211 of the tree's 213 customers: each customer of the
    # window is checked (over 200, no one-by-one lookups).
    t = tree(ctx)
    ind = "list-%d.example" % t["n"]
    ctx.stack.psql("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, indicator, indicator_kind,"
                   " opened_at) SELECT id, root_id, 'thr', 'low', 'Seen', '%s', 'domain', now() - interval '1 hour'"
                   " FROM tenants WHERE root_id = %d AND kind = 'company'" % (ind, t["mssp"]))
    analyst = ctx.login("lanalyst%d@list.example" % t["n"])
    row = portal.threat_row(analyst, t["mssp"], ind)
    # The two they may not see are fewer than three: not even counted
    # (threat_correlation()); the incidents are their customers'.
    assert (row["customers"], row["visible_total"], row["hidden"], len(row["visible"]), row["incidents"]) == \
        (211, 211, 0, 10, 211)
    b2 = ctx.stack.psql("SELECT name FROM tenants WHERE parent_id = %d ORDER BY id DESC LIMIT 1" % t["b"])
    assert b2 not in analyst.get("/t/%d/threats?page=%d" % (t["mssp"], row["_page"])).text


def customer_pages(ctx, client, path, key, under):
    """Walk a paged per-customer table: the customers under the condition
    (on tenants t), by name, 50 a page, and the total."""
    want = ctx.stack.psql("SELECT string_agg(t.id::text, ',' ORDER BY lower(t.name), t.id) FROM tenants t"
                          " WHERE %s AND t.kind = 'company'" % under).split(",")
    got, page, n = [], client.get_json(path).json(), 1
    assert page[key + "_total"] == len(want)
    while True:
        assert page["page"] == n and len(page[key]) == min(50, len(want) - 50 * (n - 1))
        got += [str(c["id"]) for c in page[key]]
        if "next_page" not in page:
            break
        n += 1
        page = client.get_json("%s%spage=%d" % (path, "&" if "?" in path else "?", page["next_page"])).json()
    assert got == want


def test_velocity_pages_customers_by_name(ctx):
    t = tree(ctx)
    seen = analyst_sees(t)
    # Fixed findings of one customer: its medians are on its row.
    co = t["company"]
    ctx.stack.psql("UPDATE vulnerabilities SET first_seen = now() - interval '5 days', fixed_at = now() - interval '1 day'"
                   " WHERE tenant_id = %d" % co)
    admin = ctx.login("ladmin%d@list.example" % t["n"])
    customer_pages(ctx, admin, "/t/%d/analytics" % t["mssp"], "velocity", "%d = ANY (t.ancestors)" % t["mssp"])
    customer_pages(ctx, ctx.login("lanalyst%d@list.example" % t["n"]), "/t/%d/analytics" % t["mssp"], "velocity", seen)
    rows = admin.get_json("/t/%d/analytics" % t["a"]).json()["velocity"]
    want = ctx.stack.psql("SELECT string_agg(DISTINCT severity, ',') FROM vulnerabilities WHERE tenant_id = %d" % co)
    row = next(r for r in rows if r["id"] == co)
    assert {k: row[k] for k in want.split(",")} == {k: "4.0" for k in want.split(",")}


BREACHING = """
SELECT coalesce(string_agg(id::text, ',' ORDER BY w DESC, opened_at, id), '') FROM (
  SELECT i.id, severity_weight(i.severity) AS w, i.opened_at
    FROM incidents i JOIN tenants t ON t.id = i.tenant_id
    JOIN sla_targets_for(ARRAY(SELECT id FROM tenants WHERE root_id = {root})) e
      ON e.tenant_id = i.tenant_id AND e.severity = i.severity
   WHERE {under} AND i.closed_at IS NULL
     AND ((i.acknowledged_at IS NULL AND now() - i.opened_at > make_interval(mins => e.ack_minutes))
          OR now() - i.opened_at > make_interval(mins => e.resolve_minutes))
   ORDER BY 2 DESC, 3, 1 LIMIT 200) x
"""


def test_sla_pages_customers_by_name_and_finds_the_breaching_incidents(ctx):
    t = tree(ctx)
    q = ctx.stack.psql
    admin, owner, analyst = viewers(ctx, t)
    seen = analyst_sees(t)
    # Over 200 customers: by name, 50 a page, only those the viewer may see.
    for client, tid, under in [(admin, t["mssp"], "%d = ANY (t.ancestors)" % t["mssp"]), (analyst, t["mssp"], seen),
                               (owner, t["a"], "%d = ANY (t.ancestors)" % t["a"])]:
        customer_pages(ctx, client, "/t/%d/sla?days=90" % tid, "customers", under)
    # A stricter target set on one customer makes a young incident late.
    co = t["company"]
    q("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at)"
      " SELECT id, root_id, 'young', 'low', 'Young', now() - interval '5 minutes' FROM tenants WHERE id = %d;"
      "INSERT INTO sla_targets (tenant_id, root_id, severity, ack_minutes, resolve_minutes)"
      " SELECT id, root_id, 'low', 2, 10 FROM tenants WHERE id = %d" % (co, co))
    young = q("SELECT id FROM incidents WHERE tenant_id = %d AND external_id = 'young'" % co)
    # Breaching now: the tree's index (admin), checked row by row (the
    # analyst; the owner of an MSP of 210 companies), per tenant (MSP B).
    for client, tid, under in [(admin, t["mssp"], "%d = ANY (t.ancestors)" % t["mssp"]), (analyst, t["mssp"], seen),
                               (owner, t["a"], "%d = ANY (t.ancestors)" % t["a"]),
                               (admin, t["b"], "%d = ANY (t.ancestors)" % t["b"]),
                               (admin, co, "t.id = %d" % co)]:
        want = q(BREACHING.format(root=t["mssp"], under=under))
        got = ",".join(str(b["id"]) for b in client.get_json("/t/%d/sla" % tid).json()["breaching"])
        assert got == want and got, (tid, under)
    assert young in [str(b["id"]) for b in admin.get_json("/t/%d/sla" % co).json()["breaching"]]


def test_an_archived_customers_rows_name_it_without_a_link(ctx):
    """An archived customer's page is not found; its findings, incidents
    and assets are still rows of its provider's lists (and in their totals:
    docs/dashboards.md, "Definitions"), which name it, say it is archived
    and do not link to it. The active customer's rows link to it."""
    q = ctx.stack.psql
    n = int(time.time() * 1000) % 1000000
    mssp = ctx.stack.new_tenant("mssp", "Archived MSSP %d" % n)
    msp = ctx.stack.new_tenant("msp", "Archived MSP %d" % n, mssp)
    ctx.stack.new_companies(msp, "Archived Co %d-" % n, 2)
    gone, kept = [int(x) for x in q("SELECT id FROM tenants WHERE parent_id = %d ORDER BY name" % msp).split()]
    q("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
      " SELECT id, root_id, 'v1', 'CVE-2025-1000', 'high' FROM tenants WHERE parent_id = %(m)d;"
      "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title)"
      " SELECT id, root_id, 'i1', 'high', 'Archived' FROM tenants WHERE parent_id = %(m)d;"
      "INSERT INTO assets (tenant_id, root_id, external_id, kind, name)"
      " SELECT id, root_id, 'a1', 'probe', 'probe' FROM tenants WHERE parent_id = %(m)d" % {"m": msp})
    ctx.stack.new_user("archadmin%d@list.example" % n, (mssp, "mssp_admin"), name="A")
    admin = ctx.login("archadmin%d@list.example" % n)
    assert admin.post("/t/%d/archive" % gone, {}).status == 303
    assert admin.get("/t/%d" % gone).status == 404
    for path, key in (("vulnerabilities", "vulnerabilities"), ("incidents", "incidents"), ("assets", "assets")):
        rows = admin.get_json("/t/%d/%s" % (msp, path)).json()[key]
        assert sorted(r["customer"] for r in rows) == ["Archived Co %d-1" % n, "Archived Co %d-2" % n], rows
        assert [r.get("customer_id") for r in rows if r["customer"].endswith("-1")] == [None], rows
        assert [r.get("customer_id") for r in rows if r["customer"].endswith("-2")] == [kept], rows
        html = admin.get("/t/%d/%s" % (msp, path)).text
        assert 'href="/t/%d"' % gone not in html and 'href="/t/%d"' % kept in html, path
        assert "Archived Co %d-1</span> <span class=\"muted\">(archived)</span>" % n in html, path
