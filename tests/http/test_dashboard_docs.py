"""The dashboards kept on write (sql/068_dashboard_docs.sql; issue #23,
"the first view after a change"; docs/performance.md, "Session 22").

Every transaction that bumps an MSSP's or an MSP's tenant_stats.version
builds its dashboard at commit (dashboard_doc_build()); dashboard_page()
serves that row to a viewer who sees the whole subtree, for the default
period and the table's first page by name, when the row is current. Here:
the row is current after a write; what it serves is byte for byte what
the page computes without it; a row that is stale in any way (version,
hour, an expired request), or a viewer or query it does not cover, never
gets it; and the viewer's scope, now read from user_access, is the
memberships' rule for every user. An ingest batch's transaction leaves
them to the API worker, which rebuilds them once it has answered; a row
behind by such batches is served for PORTAL_DASHBOARD_LAG seconds after
it was built (sql/070), and a page cached from it lapses then."""
import json
import re
import secrets

import portal


def session(ctx, email):
    """A session token for email, made in the database (as the benchmarks
    do): the identity app_identify() checks."""
    token = secrets.token_hex(32)
    ctx.stack.psql("INSERT INTO sessions (token_hash, user_id, expires_at)"
                   " SELECT encode(sha256('%s'::bytea), 'hex'), id, now() + interval '1 hour'"
                   " FROM users WHERE email = '%s'" % (token, email))
    return token


def as_viewer(ctx, token, sql, before=""):
    """The values of sql (one column) run as portal_app signed in with
    token, in a transaction rolled back (a line each: a JSON value's line
    breaks, which are only ever between its tokens, become blanks); before: statements run first as
    postgres in it (a doc marked, made stale or deleted)."""
    out = ctx.stack.psql("BEGIN; %s SET LOCAL ROLE portal_app; SELECT 'id:' || app_identify('%s');"
                         " SELECT 'row:' || replace(q.v::text, E'\\n', ' ') FROM (%s) q(v); ROLLBACK" % (before, token, sql),
                         user="postgres")
    assert re.search(r"^id:[0-9]+$", out, re.M), out  # the session identified someone
    return [line[4:] for line in out.splitlines() if line.startswith("row:")]


COLUMNS = ("id", "companies", "probes", "agents", "discovered", "external", "vulns", "critical", "high", "medium",
           "low", "open_critical", "request_expires", "total", "request", "kind", "region")


def rows_of(call):
    """The table's rows of dashboard_page() call as a relation (its rows
    text split: dashboard_row_lines()'s fields, the name after its length),
    in their order (n)."""
    fields = ", ".join("split_part(x.r, E'\\t', %d) AS %s" % (i + 1, c) for i, c in enumerate(COLUMNS))
    return ("(SELECT x.n, %s, substr(split_part(x.r, E'\\t', 18), strpos(split_part(x.r, E'\\t', 18), ':') + 1) AS name"
            " FROM %s p, regexp_split_to_table(p.rows, E'\\n') WITH ORDINALITY AS x(r, n)) q" % (fields, call))


def page(ctx, token, tenant, query="'', 'name', 'asc', 50, 0", hours=24, before=""):
    """dashboard_page() for the viewer: (the dashboard as JSON, its
    board's keys beside the path's and the lag's, the table's rows as
    text); (None, []) when it returns no row."""
    call = "dashboard_page(%d, %d, %s)" % (tenant, hours, query)
    first = as_viewer(ctx, token, "SELECT ov FROM %s LIMIT 1" % call, before)
    if not first:
        return None, []
    rows = as_viewer(ctx, token, "SELECT ROW(%s)::text FROM %s ORDER BY q.n"
                     % (", ".join("q." + c for c in COLUMNS + ("name",)), rows_of(call)), before)
    ov = json.loads(first[0])
    ov.update(ov.pop("board"))  # the board's keys beside the path's and the lag's, as the page reads them
    return ov, rows


def doc_tenants(ctx):
    """Northwind's MSSP and MSPs."""
    return [int(x) for x in ctx.stack.psql(
        "SELECT t.id FROM tenants t JOIN tenants r ON r.id = t.root_id"
        " WHERE r.name = 'Northwind Security' AND t.kind <> 'company' AND t.status = 'active' ORDER BY t.id").split()]


def current(ctx, tenant):
    return ctx.stack.psql(
        "SELECT count(*) FROM dashboard_docs d JOIN tenant_stats s ON s.tenant_id = d.tenant_id"
        " WHERE d.tenant_id = %d AND d.version = s.version AND d.hour = date_trunc('hour', now(), 'UTC')" % tenant)


# The kept table's rows marked: their names start with "kept " (in their
# lines: the name's length in bytes, then the name), so a page served
# from them shows it; the first page made again from them.
MARK_ROWS = ("UPDATE dashboard_docs SET (lines, first_page) = (SELECT a, array_to_string(a[1:50], E'\\n') FROM"
             " (SELECT ARRAY(SELECT m[1] || (m[2]::int + 5) || ':kept ' || m[3]"
             " FROM unnest(lines) WITH ORDINALITY u(l, k), regexp_match(u.l, '^((?:[^\\t]*\\t){17})(\\d+):(.*)$') m"
             " ORDER BY u.k) a) x) WHERE tenant_id = %d;")
# The kept table short of its first row, as a build that had not read it
# would keep it: no longer every child, so no orders.
DROP_FIRST = ("UPDATE dashboard_docs SET lines = lines[2:], first_page = array_to_string(lines[2:51], E'\\n'),"
              " orders = NULL WHERE tenant_id = %d;")
MARK = "UPDATE dashboard_docs SET board = replace(board, '\"stats\"', '\"stats\" : {}, \"kept\"') WHERE tenant_id = %d;"


def test_a_write_below_a_tenant_keeps_its_dashboard_current(ctx):
    ctx.stack.steady_hour()
    tenants = doc_tenants(ctx)
    msp = tenants[1]
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND kind = 'company'" % msp))
    before = ctx.stack.psql("SELECT version FROM dashboard_docs WHERE tenant_id = %d" % tenants[0])
    # one finding in one of its companies: the MSP's and the MSSP's versions move
    ctx.stack.psql("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
                   " SELECT id, root_id, 'docs-' || gen_random_uuid(), 'CVE-2026-0001', 'critical'"
                   " FROM tenants WHERE id = %d" % co)
    assert current(ctx, msp) == "1" and current(ctx, tenants[0]) == "1"
    assert ctx.stack.psql("SELECT version FROM dashboard_docs WHERE tenant_id = %d" % tenants[0]) != before
    # ... and the page a viewer gets is the row kept (marked here: it shows)
    token = session(ctx, "admin@northwind.example")
    ov, _ = page(ctx, token, msp, before=MARK % msp)
    assert "kept" in ov, ov
    ov, _ = page(ctx, token, msp)
    live = int(ctx.stack.psql("SELECT vuln_critical FROM tenant_stats WHERE tenant_id = %d" % msp))
    assert "kept" not in ov and ov["stats"]["critical"] == live


def test_an_ingest_batch_leaves_its_dashboards_to_after_the_answer(ctx):
    # The batch's own transaction builds no dashboard at its commit (it
    # would hold the tree's rollups while it did): run as one, the doc is
    # stale after the commit ...
    ctx.stack.steady_hour()
    tenants = doc_tenants(ctx)
    msp = tenants[1]
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND kind = 'company'" % msp))
    ctx.stack.psql("BEGIN; SELECT set_config('portal.docs_later', 'on', true);"
                   " INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
                   " SELECT id, root_id, 'docs-' || gen_random_uuid(), 'CVE-2026-0001', 'critical'"
                   " FROM tenants WHERE id = %d; COMMIT" % co)
    assert current(ctx, msp) == "0" and current(ctx, tenants[0]) == "0"
    stale = ctx.stack.psql("SELECT string_agg(t::text, ',') FROM dashboard_docs_stale(%d) t" % co)
    assert stale == "%d,%d" % (tenants[0], msp), stale
    # Through a key of the MSSP: the MSSP's and, of its MSPs, this one.
    stale = ctx.stack.psql("SELECT string_agg(t::text, ',') FROM dashboard_docs_stale(%d) t" % tenants[0]).split(",")
    assert str(tenants[0]) in stale and str(msp) in stale and str(co) not in stale, stale
    # ... and one through the API has them current once it is answered
    # (api_answered(): the API worker rebuilds them then).
    owner = ctx.login("owner@msp1.example")
    bluefin = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
    key = portal.create_key(ctx, owner, bluefin, "docs-probe")["key"]
    target = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND kind = 'company'" % bluefin))
    before = ctx.stack.psql("SELECT version FROM tenant_stats WHERE tenant_id = %d" % bluefin)
    r = ctx.client().request("POST", "/api/v2/vulnerabilities", body=json.dumps({"items": [
        {"tenant_id": target, "external_id": "docs-%s" % secrets.token_hex(6), "cve": "CVE-2026-0002",
         "severity": "high"}]}), headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    assert r.status == 200 and r.json()["accepted"] == 1, r
    assert ctx.stack.psql("SELECT version FROM tenant_stats WHERE tenant_id = %d" % bluefin) != before
    root = int(ctx.stack.psql("SELECT root_id FROM tenants WHERE id = %d" % bluefin))
    portal.wait_for("the kept dashboards current after the answer",
                    lambda: current(ctx, bluefin) == "1" and current(ctx, root) == "1")


def test_a_page_that_computed_a_stale_dashboard_rebuilds_it_once_answered(ctx):
    # The hour turned, or nothing wrote since the row lapsed: the first
    # view computes the dashboard and, once answered, keeps it again
    # (dashboard_page() says "stale"; dashboard_docs_refresh()), so the
    # next views read the row instead of computing it until a write.
    ctx.stack.steady_hour()
    tenants = doc_tenants(ctx)
    msp = tenants[1]
    token = session(ctx, "admin@northwind.example")
    # Only behind the version: its writer rebuilds it; the page is not told.
    ov, _ = page(ctx, token, msp, before="UPDATE dashboard_docs SET version = version - 1 WHERE tenant_id = %d;" % msp)
    assert "stale" not in ov, ov
    ctx.stack.psql("UPDATE dashboard_docs SET hour = hour - interval '1 hour' WHERE tenant_id = %d" % msp)
    assert current(ctx, msp) == "0"
    ov, _ = page(ctx, token, msp)
    assert ov.get("stale") is True, ov  # what the worker is told
    admin = ctx.login("admin@northwind.example")
    r = admin.get_json("/t/%d?q=stale-%s" % (msp, secrets.token_hex(4)))  # not in any page cache
    assert r.status == 200 and "stale" not in r.json(), r
    portal.wait_for("the dashboard kept again after the view", lambda: current(ctx, msp) == "1")
    ov, _ = page(ctx, token, msp)
    assert "stale" not in ov, ov
    # A pending request it showed expired: rebuilt too (valid_until anew).
    ctx.stack.psql("UPDATE dashboard_docs SET valid_until = now() - interval '1 second' WHERE tenant_id = %d" % msp)
    ov, _ = page(ctx, token, msp)
    assert ov.get("stale") is True, ov
    r = admin.get_json("/t/%d?q=stale-%s" % (msp, secrets.token_hex(4)))
    assert r.status == 200, r
    portal.wait_for("the dashboard kept again after its request lapsed", lambda: ctx.stack.psql(
        "SELECT valid_until IS NULL OR valid_until > now() FROM dashboard_docs WHERE tenant_id = %d" % msp) == "t")
    # A viewer or a period the row does not cover is never told it is stale.
    ov, _ = page(ctx, token, msp, hours=168)
    assert "stale" not in ov, ov


def test_what_the_kept_dashboard_serves_is_what_the_page_computes(ctx):
    """For every MSSP and MSP of Northwind, as its MSSP Admin and as an MSP
    owner for their own MSP: the page with the row kept and the page with
    it deleted (computed now) are the same, table rows and all."""
    ctx.stack.steady_hour()
    tenants = doc_tenants(ctx)
    # a write, so that every row is of the current hour
    ctx.stack.psql("SELECT stats_touch(ARRAY[%s]::bigint[])" % ",".join(map(str, tenants[1:])))
    admin = session(ctx, "admin@northwind.example")
    compared = 0
    for t in tenants:
        assert current(ctx, t) == "1", t
        kept = page(ctx, admin, t)
        computed = page(ctx, admin, t, before="DELETE FROM dashboard_docs WHERE tenant_id = %d;" % t)
        assert computed[0].pop("stale") is True and "stale" not in kept[0], t  # to be kept again
        assert kept == computed, t
        # (the 30-day trend's days in order, kept or computed: a hash
        # aggregate's order made the two differ now and then)
        assert kept[0]["trend"]["day"] == sorted(kept[0]["trend"]["day"]), kept[0]["trend"]
        assert kept[0]["ancestors"] == ([] if t == tenants[0] else [{"id": tenants[0], "name": "Northwind Security",
                                                                    "kind": "mssp"}])
        compared += 1
    assert compared >= 3


def test_a_stale_row_or_one_it_does_not_cover_is_never_served(ctx):
    ctx.stack.steady_hour()
    tenants = doc_tenants(ctx)
    mssp, msp = tenants[0], tenants[1]
    ctx.stack.psql("SELECT stats_touch(ARRAY[%d]::bigint[])" % msp)
    admin = session(ctx, "admin@northwind.example")
    mark = MARK % mssp
    assert "kept" in page(ctx, admin, mssp, before=mark)[0]  # the marked row is served when current
    for stale in ("UPDATE dashboard_docs SET version = version - 1 WHERE tenant_id = %d;",
                  "UPDATE dashboard_docs SET hour = hour - interval '1 hour' WHERE tenant_id = %d;",
                  "UPDATE dashboard_docs SET valid_until = now() - interval '1 second' WHERE tenant_id = %d;",
                  "UPDATE tenant_stats SET version = version + 1 WHERE tenant_id = %d;"):
        ov, _ = page(ctx, admin, mssp, before=mark + stale % mssp)
        assert "kept" not in ov, stale
    # Another order, page or search: the board kept, the table computed
    # (the table kept lacks its first row here: it would show)
    drop = mark + DROP_FIRST % mssp
    ov, rows = page(ctx, admin, mssp, before=drop)
    assert "kept" in ov and rows == page(ctx, admin, mssp)[1][1:]
    for query in ("'', 'name', 'desc', 50, 0", "'', 'critical', 'asc', 50, 0", "'a', 'name', 'asc', 50, 0",
                  "'', 'name', 'asc', 50, 1", "'', 'name', 'asc', 10, 0"):
        ov, rows = page(ctx, admin, mssp, query=query, before=drop)
        assert "kept" in ov, query
        assert rows == page(ctx, admin, mssp, query=query, before="DELETE FROM dashboard_docs;")[1], query
    assert "kept" not in page(ctx, admin, mssp, hours=168, before=mark)[0]
    # an analyst of Northwind sees the MSPs they are assigned, not the whole tree: never the row
    analyst = session(ctx, "analyst@northwind.example")
    ov, rows = page(ctx, analyst, mssp, before=mark)
    assert ov is not None and "kept" not in ov
    # a company's dashboard is always computed (it has no row)
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND kind = 'company'" % msp))
    assert ctx.stack.psql("SELECT count(*) FROM dashboard_docs WHERE tenant_id = %d" % co) == "0"
    # a viewer who may not see the tenant gets no row at all, kept or not
    other = session(ctx, "admin@msp1.example")
    assert page(ctx, other, mssp, before=mark) == (None, [])


def test_the_table_sorted_another_way_is_the_kept_rows_when_they_are_every_child(ctx):
    """An MSSP or MSP whose kept table holds every child: sorted by any
    column, either way, the page is those rows in the order the database
    gives them computed (children_order(), the one order), not read again;
    the kept rows' names are marked here, so they show."""
    ctx.stack.steady_hour()
    tenants = doc_tenants(ctx)
    ctx.stack.psql("SELECT stats_touch(ARRAY[%s]::bigint[])" % ",".join(map(str, tenants[1:])))
    admin = session(ctx, "admin@northwind.example")
    keys = ("name", "companies", "probes", "agents", "discovered", "external", "vulns", "critical", "high", "medium",
            "low", "open_critical")
    sorted_kept = 0
    for t in tenants:
        assert current(ctx, t) == "1", t
        n = int(ctx.stack.psql("SELECT count(*) FROM tenants WHERE parent_id = %d AND status = 'active'" % t))
        assert n <= 200, (t, n)  # every child kept (an MSP of more: test_an_msp_of_over_200_companies...)
        sorted_kept += n > 1
        for key in keys:
            for d in ("asc", "desc"):
                pages = []
                for offset in range(0, n, 50):  # every page (an MSP another test filled has two)
                    sql = ("SELECT id || '|' || name || '|' || %s FROM %s ORDER BY q.n"
                           % ("lower(name)" if key == "name" else key,
                              rows_of("dashboard_page(%d, 24, '', '%s', '%s', 50, %d)" % (t, key, d, offset))))
                    kept = as_viewer(ctx, admin, sql, before=MARK_ROWS % t)
                    computed = as_viewer(ctx, admin, sql, before="DELETE FROM dashboard_docs WHERE tenant_id = %d;" % t)
                    assert len(computed) == min(50, n - offset), (t, key, d, offset, computed)
                    assert all(r.split("|")[1].startswith("kept ") for r in kept), (t, key, d, offset, kept)
                    assert [r.replace("|kept ", "|") for r in kept] == computed, (t, key, d, offset, kept, computed)
                    pages += computed
                if key != "name":
                    vals = [int(r.split("|")[2]) for r in pages]
                    assert vals == sorted(vals, reverse=(d == "desc")), (t, key, d, vals)
                if d == "asc":
                    ascending = pages
                else:  # descending: the exact reverse, ties and all
                    assert pages == ascending[::-1], (t, key, pages, ascending)
    assert sorted_kept >= 2, sorted_kept
    # A kept table short of a child (here: its first row gone) is read again.
    t = tenants[0]
    sql = "SELECT id || '|' || name FROM %s ORDER BY q.n" % rows_of("dashboard_page(%d, 24, '', 'critical', 'desc', 50, 0)" % t)
    short = as_viewer(ctx, admin, sql, before=(MARK_ROWS % t) + DROP_FIRST % t)
    assert short == as_viewer(ctx, admin, sql, before="DELETE FROM dashboard_docs WHERE tenant_id = %d;" % t)
    assert not any("|kept " in r for r in short), short


def test_an_msp_of_over_200_companies_keeps_its_first_200_and_one_of_120_every_page(ctx):
    """The kept table is a tenant's first 200 rows by name: an MSP of 120
    companies has every page, in every order, from them (page 3 by name,
    by critical findings either way); one of 201 has its first page by
    name kept and every other page computed."""
    ctx.stack.steady_hour()
    q = ctx.stack.psql
    n = secrets.randbelow(10 ** 6)
    root = ctx.stack.new_tenant("mssp", "Keep MSSP %d" % n)
    mid = ctx.stack.new_tenant("msp", "Keep Mid %d" % n, root)
    big = ctx.stack.new_tenant("msp", "Keep Big %d" % n, root)
    ctx.stack.new_companies(mid, "Keep Co ", 120)
    ctx.stack.new_companies(big, "Keep Co ", 201)
    # Critical findings 0 to 6 a company, so the order by them is not the one by name.
    q("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
      " SELECT t.id, t.root_id, 'k' || k, 'CVE-2025-0100', 'critical' FROM tenants t, generate_series(1, 6) k"
      " WHERE t.parent_id IN (%d, %d) AND k <= (t.id * 5) %% 7" % (mid, big))
    q("SELECT stats_touch(ARRAY[%d, %d]::bigint[])" % (mid, big))
    assert (current(ctx, mid), current(ctx, big)) == ("1", "1")
    assert q("SELECT cardinality(lines) FROM dashboard_docs WHERE tenant_id IN (%d, %d) ORDER BY tenant_id"
             % (mid, big)).split() == ["120", "200"]
    # sorted by every column when the kept rows are every child, else not
    assert q("SELECT coalesce(cardinality(orders), -1) FROM dashboard_docs WHERE tenant_id IN (%d, %d)"
             " ORDER BY tenant_id" % (mid, big)).split() == [str(120 * 12), "-1"]
    # its MSSP Admin, of this tree alone (the demo's users see what other tests expect)
    ctx.stack.new_user("keep%d@keep.example" % n, (root, "mssp_admin"))
    admin = session(ctx, "keep%d@keep.example" % n)
    for t, count, kept_pages in ((mid, 120, "all"), (big, 201, "first")):
        for query in ("'', 'name', 'asc', 50, 0", "'', 'name', 'asc', 50, 100", "'', 'name', 'desc', 50, 50",
                      "'', 'critical', 'desc', 50, 0", "'', 'critical', 'asc', 50, 50", "'', 'critical', 'desc', 50, 100"):
            sql = "SELECT id || '|' || name || '|' || critical FROM %s ORDER BY q.n" % rows_of("dashboard_page(%d, 24, %s)" % (t, query))
            kept = as_viewer(ctx, admin, sql, before=MARK_ROWS % t)
            computed = as_viewer(ctx, admin, sql, before="DELETE FROM dashboard_docs WHERE tenant_id = %d;" % t)
            offset = int(query.split(", ")[-1])
            assert len(computed) == min(50, count - offset), (t, query, len(computed))
            from_kept = kept_pages == "all" or query == "'', 'name', 'asc', 50, 0"
            assert all(("|kept " in r) == from_kept for r in kept), (t, query, kept)
            assert [r.replace("|kept ", "|") for r in kept] == computed, (t, query, kept, computed)
            if "critical" in query:
                vals = [int(r.split("|")[2]) for r in computed]
                assert len(set(vals)) > 1 and vals == sorted(vals, reverse="desc" in query), (t, query, vals)


def test_the_tables_order_refuses_a_negative_offset_and_sorts_a_key_it_does_not_know_by_name(ctx):
    """children_order() as LIMIT and OFFSET: a negative offset or limit is
    an error, not a page. A sort key that is no column's (the worker sends
    only the columns') gives the order by name, in the direction asked.
    Descending is the exact reverse of ascending, ties and all. The orders
    a dashboard keeps (children_orders()) are every order ascending, the
    name's first; order_page() reads a page of one as a slice, which a
    page descending reads from its end; dashboard_page() refuses a
    negative limit or offset before any."""
    rows = ("ARRAY(SELECT ROW(g, 'n' || g, NULL, NULL, 0, 0, 0, 0, 0, 0, g, 0, 0, 0, 0, NULL, NULL, 3)"
            "::dashboard_row FROM generate_series(1, 3) g)")
    q = ctx.stack.psql

    def refused(sql, message):
        try:
            got = q(sql)
        except RuntimeError as e:
            assert message in str(e), e
        else:
            raise AssertionError("%s gave %r" % (sql, got))

    for limit, offset in ((50, -1), (-1, 0)):
        for key in ("critical", "name"):
            refused("SELECT children_order(%s, '%s', 'desc', %d, %d)" % (rows, key, limit, offset),
                    "negative limit or offset")
        refused("SELECT * FROM dashboard_page(1, 24, '', 'critical', 'desc', %d, %d)" % (limit, offset),
                "negative limit or offset")
    assert q("SELECT children_order(%s, 'critical', 'desc', 50, 0)" % rows) == "{3,2,1}"
    assert q("SELECT children_order(%s, 'critical', 'asc', 2, 1)" % rows) == "{2,3}"
    for key in ("bogus", "name"):
        assert q("SELECT children_order(%s, '%s', 'asc', 50, 0)" % (rows, key)) == "{1,2,3}"
        assert q("SELECT children_order(%s, '%s', 'desc', 2, 0)" % (rows, key)) == "{3,2}"
        assert q("SELECT children_order(%s, '%s', 'desc', 2, 1)" % (rows, key)) == "{2,1}"
    # ties (critical 0 for rows 1 and 2 here) by position ascending, and descending the exact reverse
    rows = rows.replace("0, g, 0", "0, g / 3, 0")
    assert q("SELECT children_order(%s, 'critical', 'asc', 50, 0)" % rows) == "{1,2,3}"
    assert q("SELECT children_order(%s, 'critical', 'desc', 50, 0)" % rows) == "{3,2,1}"
    assert q("SELECT children_order(%s, 'critical', 'desc', 1, 1)" % rows) == "{2}"
    # the orders kept: the name's, then each key's, ascending (n = 3 rows)
    orders = q("SELECT children_orders(%s)" % rows).strip("{}").split(",")
    keys = ["name"] + q("SELECT array_to_string(children_sort_keys(), ',')").split(",")
    assert len(orders) == 3 * len(keys) and orders[:3] == ["1", "2", "3"], orders
    for k, key in enumerate(keys):
        up = orders[3 * k:3 * k + 3]
        for direction, whole in (("asc", up), ("desc", up[::-1])):
            assert q("SELECT children_order(%s, '%s', '%s', 3, 0)" % (rows, key, direction)) \
                == "{%s}" % ",".join(whole), (key, direction, orders)
            # every page of it, read by order_page() from the orders kept (from its end descending)
            for limit, offset in ((1, 0), (2, 1), (50, 0), (2, 2), (50, 3), (0, 0), (1, 2)):
                got = q("SELECT order_page(children_orders(%s), %d, 3, '%s', %d, %d)"
                        % (rows, k, direction, limit, offset)).strip("{}")
                got = got.split(",") if got else []
                page = got[::-1] if direction == "desc" else got
                assert page == whole[offset:offset + limit], (key, direction, limit, offset, got)
    # a slice of the orders as given, whatever they hold: the order at key k at [k * n + 1 .. (k + 1) * n]
    for args, want in (("'{1,2,3,7,8,9}', 1, 3, 'asc', 2, 0", "{7,8}"),
                       ("'{1,2,3,7,8,9}', 1, 3, 'desc', 5, 1", "{7,8}"),
                       ("'{1,2,3,7,8,9}', 1, 3, 'desc', 1, 0", "{9}"),
                       ("'{1,2,3,7,8,9}', 0, 3, 'desc', 50, 0", "{1,2,3}"),
                       ("'{1,2,3,7,8,9}', 0, 3, 'desc', 50, 3", "{}"),
                       ("'{1,2,3,7,8,9}', 0, 3, 'asc', 50, 3", "{}"),
                       ("'{1,2,3,7,8,9}', 0, 3, 'asc', 50, 2147483647", "{}"),
                       ("'{1,2,3,7,8,9}', 1, 3, 'desc', 2147483647, 2147483647", "{}")):
        assert q("SELECT order_page(%s)" % args) == want, (args, want)


def test_the_scope_from_user_access_is_the_memberships_rule_for_every_user(ctx):
    """app_scope() and app_exact() read the user_access row now; for every
    user with a membership they equal the rule over memberships and
    analyst assignments they used to compute."""
    users = ctx.stack.psql("SELECT u.email FROM users u WHERE u.status = 'active'"
                           " AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id) ORDER BY u.id").split()
    assert len(users) >= 5
    analysts = 0
    for email in users:
        uid = int(ctx.stack.psql("SELECT id FROM users WHERE email = '%s'" % email))
        want_scope = sorted(int(x) for x in ctx.stack.psql(
            "SELECT m.tenant_id FROM memberships m WHERE m.user_id = {0} AND m.role <> 'mssp_analyst'"
            " AND m.status = 'active'"
            " UNION SELECT a.tenant_id FROM analyst_assignments a JOIN tenants t ON t.id = a.tenant_id"
            " JOIN memberships m ON m.user_id = a.user_id AND m.tenant_id = t.root_id AND m.role = 'mssp_analyst'"
            " AND m.status = 'active' WHERE a.user_id = {0}".format(uid)).split())
        want_exact = sorted(int(x) for x in ctx.stack.psql(
            "SELECT m.tenant_id FROM memberships m WHERE m.user_id = %d AND m.role = 'mssp_analyst'"
            " AND m.status = 'active'" % uid).split())
        token = session(ctx, email)
        got = as_viewer(ctx, token, "SELECT x FROM unnest(app_scope()) x ORDER BY 1")
        got_exact = as_viewer(ctx, token, "SELECT x FROM unnest(app_exact()) x ORDER BY 1")
        assert sorted(int(x) for x in got) == want_scope, email
        assert sorted(int(x) for x in got_exact) == want_exact, email
        analysts += bool(want_exact)
    assert analysts >= 1


def test_a_row_behind_by_ingest_batches_is_served_only_within_the_lag(ctx):
    """dashboard_page() serves a row behind its tenant's version (only
    ingest batches leave one behind) while it is younger than the
    session's portal.dashboard_lag seconds; never with no lag, once older,
    when it lapsed, or to a viewer it does not cover. With a lag, an MSSP's
    or MSP's dashboard says until when it may be shown whatever batches
    come: the lag after the time of what it shows (the row's build, or
    now); a company's never."""
    ctx.stack.steady_hour()
    tenants = doc_tenants(ctx)
    mssp, msp = tenants[0], tenants[1]
    ctx.stack.psql("SELECT stats_touch(ARRAY[%d]::bigint[])" % msp)  # the MSSP's row current, built now
    admin = session(ctx, "admin@northwind.example")
    behind = MARK % mssp + "UPDATE tenant_stats SET version = version + 1 WHERE tenant_id = %d;" % mssp
    lag = "SET LOCAL portal.dashboard_lag = '30';"
    built = int(ctx.stack.psql("SELECT floor(extract(epoch FROM built_at)) FROM dashboard_docs WHERE tenant_id = %d"
                               % mssp))
    ov, _ = page(ctx, admin, mssp, before=behind + lag)
    assert "kept" in ov and ov["lag_until"] == built + 30, ov
    # the table kept with it, for its first page by name
    kept_rows = page(ctx, admin, mssp, before=behind + lag + DROP_FIRST % mssp)[1]
    assert kept_rows == page(ctx, admin, mssp)[1][1:]
    # current, or computed now: shown until the lag after now
    now = int(ctx.stack.psql("SELECT floor(extract(epoch FROM now()))"))
    assert now >= built
    ov, _ = page(ctx, admin, mssp, before=MARK % mssp + lag)
    assert "kept" in ov and now + 30 <= ov["lag_until"] <= now + 40, ov
    # older than the lag, or built before it was kept: computed, and to be
    # rebuilt once answered (its rebuild did not come)
    for computed in (behind + lag + "UPDATE dashboard_docs SET built_at = now() - interval '31 seconds'"
                     " WHERE tenant_id = %d;" % mssp,
                     behind + lag + "UPDATE dashboard_docs SET built_at = NULL WHERE tenant_id = %d;" % mssp):
        ov, _ = page(ctx, admin, mssp, before=computed)
        assert "kept" not in ov and now + 30 <= ov["lag_until"] <= now + 40 and ov["stale"] is True, (computed, ov)
    for exact in (behind,  # no lag (the session's default): every view exact, nothing said; its writer rebuilds it
                  behind + "SET LOCAL portal.dashboard_lag = '0';"):
        ov, _ = page(ctx, admin, mssp, before=exact)
        assert "kept" not in ov and "lag_until" not in ov and "stale" not in ov, exact
    # lapsed (its hour is gone) within the lag: computed, and to be kept again
    ov, _ = page(ctx, admin, mssp, before=behind + lag + "UPDATE dashboard_docs SET hour = hour - interval '1 hour'"
                 " WHERE tenant_id = %d;" % mssp)
    assert "kept" not in ov and ov["stale"] is True and ov["lag_until"] >= now + 30, ov
    # another period, or an analyst who sees part of the tree: never the row
    ov = page(ctx, admin, mssp, hours=168, before=behind + lag)[0]
    assert "kept" not in ov and ov["lag_until"] >= now + 30, ov
    analyst = session(ctx, "analyst@northwind.example")
    ov = page(ctx, analyst, mssp, before=behind + lag)[0]
    assert "kept" not in ov and ov["lag_until"] >= now + 30, ov
    # a company's dashboard is exact whatever the lag
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND kind = 'company'" % msp))
    ov = page(ctx, admin, co, query="'', 'name', 'asc', 0, 0", before=lag)[0]
    assert ov is not None and "lag_until" not in ov, ov


def test_with_a_lag_the_api_worker_leaves_a_young_row_to_a_later_batch(ctx):
    """dashboard_docs_stale(), the rows the API worker rebuilds after a
    batch: with a lag, not one behind that was built in the last half of
    it (a later batch's rebuild, or the first view once it is older than
    the lag, has it); one lapsed, or older, or with no lag, as before."""
    ctx.stack.steady_hour()
    tenants = doc_tenants(ctx)
    mssp, msp = tenants[0], tenants[1]
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND kind = 'company'" % msp))
    ctx.stack.psql("SELECT stats_touch(ARRAY[%d]::bigint[])" % msp)  # both rows current, built now
    behind = "UPDATE tenant_stats SET version = version + 1 WHERE tenant_id IN (%d, %d);" % (mssp, msp)
    lag = "SET LOCAL portal.dashboard_lag = '30';"

    def stale(before):
        out = ctx.stack.psql("BEGIN; %s SELECT 'stale:' || coalesce(string_agg(t::text, ','), '')"
                             " FROM dashboard_docs_stale(%d) t; ROLLBACK" % (before, co))
        return [line[6:] for line in out.splitlines() if line.startswith("stale:")][0]

    both = "%d,%d" % (mssp, msp)
    assert stale(behind) == both  # no lag: every row behind
    assert stale(behind + lag) == ""  # built just now: left to a later batch
    assert stale(behind + lag + "UPDATE dashboard_docs SET built_at = now() - interval '16 seconds'"
                 " WHERE tenant_id = %d;" % msp) == str(msp)  # built over half the lag ago
    assert stale(behind + lag + "UPDATE dashboard_docs SET hour = hour - interval '1 hour'"
                 " WHERE tenant_id = %d;" % mssp) == str(mssp)  # lapsed
    assert stale(lag) == ""  # current


def test_an_ingest_batch_says_so_to_the_workers(ctx):
    """tenants_changed()'s notification names an ingest batch's
    transaction as one ("x:XID;i;t:..."), and no other."""
    tenants = doc_tenants(ctx)
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND kind = 'company'" % tenants[1]))
    insert = ("INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
              " SELECT id, root_id, 'docs-said-' || gen_random_uuid(), 'CVE-2026-0004', 'low' FROM tenants WHERE id = %d;"
              % co)
    heard = []
    for docs_later in ("SELECT set_config('portal.docs_later', 'on', true);", ""):
        out = ctx.stack.psql("LISTEN portal_context; BEGIN; %s %s COMMIT; SELECT 1;" % (docs_later, insert))
        # (what names the company: another process's change may be heard too)
        heard.append([p for p in re.findall(r'"portal_context" with payload "([^"]*)" received', out)
                      if str(co) in p.rpartition("t:")[2].split(",")])
    try:
        feed, other = heard
        assert feed and all(re.match(r"^x:[0-9]+;i;t:[0-9,]+$", p) for p in feed), feed
        assert other and all(re.match(r"^x:[0-9]+;t:[0-9,]+$", p) for p in other), other
    finally:
        ctx.stack.psql("DELETE FROM vulnerabilities WHERE external_id LIKE 'docs-said-%'")


def test_with_a_lag_the_dashboard_shows_the_feed_late_and_a_users_change_at_once(ctx):
    """One worker with PORTAL_DASHBOARD_LAG=8 (the suite runs with 0):
    after an ingest batch, the MSSP's dashboard still shows what it showed
    (its page kept: the row, made unfit to serve behind, would not show
    it), until the lag after what it shows has passed; a user's own change
    (an incident resolved) is on the next view."""
    ctx.stack.steady_hour()
    tenants = doc_tenants(ctx)
    mssp, msp = tenants[0], tenants[1]
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND kind = 'company'" % msp))
    ext = "docs-lag-%s" % secrets.token_hex(6)
    path = "/t/%d" % mssp
    with ctx.stack.master_with(PORTAL_DASHBOARD_LAG="8", PORTAL_WORKERS="1"):
        admin = ctx.login("admin@northwind.example")
        ctx.stack.psql("SELECT stats_touch(ARRAY[%d]::bigint[])" % msp)  # the rows current, built now
        portal.wait_for("the MSSP's dashboard current", lambda: admin.get_json(path).json()["stats"]["critical"] == int(
            ctx.stack.psql("SELECT vuln_critical FROM tenant_stats WHERE tenant_id = %d" % mssp)))
        before = admin.get_json(path).json()["stats"]  # and kept
        try:
            # An ingest batch, whose rebuild does not come (no API worker took it)
            ctx.stack.psql("BEGIN; SELECT set_config('portal.docs_later', 'on', true);"
                           " INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
                           " SELECT id, root_id, '%s', 'CVE-2026-0003', 'critical' FROM tenants WHERE id = %d;"
                           " COMMIT" % (ext, co))
            assert current(ctx, mssp) == "0"
            ctx.stack.psql("UPDATE dashboard_docs SET built_at = NULL WHERE tenant_id = %d" % mssp)
            for _ in range(3):
                r = admin.get_json(path)
                assert r.status == 200 and r.json()["stats"]["critical"] == before["critical"], r
            portal.wait_for("the batch on the page once the lag has passed", lambda: (
                admin.get_json(path).json()["stats"]["critical"] == before["critical"] + 1), timeout=20)
            # A user's own change: an incident of the tree resolved on its page
            iid, at = [int(x) for x in ctx.stack.psql(
                "SELECT i.id, i.tenant_id FROM incidents i JOIN tenants t ON t.id = i.tenant_id"
                " WHERE t.root_id = %d AND i.closed_at IS NULL ORDER BY i.id LIMIT 1" % mssp).split("|")]
            shown = admin.get_json(path).json()["stats"]
            r = admin.post("/t/%d/incidents/%d/resolve" % (at, iid), {"note": "Resolved while the feed lags."})
            assert r.status == 303, r
            for _ in range(3):  # the next view, and after
                r = admin.get_json(path)
                assert r.status == 200 and r.json()["stats"]["incidents_open"] == shown["incidents_open"] - 1, \
                    (r.json()["stats"], shown)
        finally:
            ctx.stack.psql("DELETE FROM vulnerabilities WHERE external_id = '%s'" % ext)
