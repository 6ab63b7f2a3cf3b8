"""The functions a page runs keep their plans (docs/performance.md,
"Session 20"). A SQL-language function that cannot be inlined (SET
search_path, SECURITY DEFINER, or an IMMUTABLE one whose body is only
STABLE, such as format() or jsonb_build_object()) is parsed and planned
again at every call: identity_of() and tenant_crumbs() alone cost a
quarter of an uncached Global view. PL/pgSQL keeps its plans for the
connection, and an inlined function is planned with its caller.

pg_stat_xact_user_functions counts, for the current transaction, every
call of a function that was not inlined; the pages' functions are called
here as the app role, as the workers call them."""
import json
import re
import subprocess

import portal


def as_app(token):
    """The start of a transaction as the app role signed in with token (as
    a page's request begins), for psql as postgres."""
    return "BEGIN; SET LOCAL ROLE portal_app; SELECT app_identify('%s');" % token


def called(ctx, token, statements):
    """(name, language, calls) of every user function the statements called
    as portal_app, signed in with token, in one transaction."""
    sql = ("SET track_functions = 'all'; " + as_app(token) + "".join(s + ";" for s in statements) +
           " SELECT 'called ' || p.proname || ' ' || l.lanname || ' ' || x.calls FROM pg_stat_xact_user_functions x"
           " JOIN pg_proc p ON p.oid = x.funcid JOIN pg_language l ON l.oid = p.prolang ORDER BY 1")
    rows = ctx.stack.psql(sql, user="postgres").splitlines()
    # (psql prints every statement's rows)
    return [tuple(r.split(" ")[1:]) for r in rows if r.startswith("called ")]


def test_the_pages_functions_are_planned_once_per_connection(ctx):
    c = ctx.login("admin@northwind.example")
    token = c.cookies["portal_session"]
    nw = ctx.stack.psql("SELECT id FROM tenants WHERE kind = 'mssp' AND name = 'Northwind Security'")
    msp = ctx.stack.psql("SELECT min(id) FROM tenants WHERE root_id = %s AND kind = 'msp'" % nw)
    co = ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %s AND kind = 'company'" % msp)
    statements = []
    for t in (nw, msp, co):
        statements += [
            "SELECT * FROM request_context('%s', 3600, %s, '127.0.0.1')" % (token, t),
            "SELECT dashboard_overview(%s, 24)" % t,
            "SELECT * FROM tenant_children_rows(%s, '', 'name', 'asc', 50, 0)" % t,
            "SELECT * FROM tenant_children_rows(%s, 'a', 'critical', 'desc', 50, 0)" % t,
            # the page's statement: the dashboard kept on write, and computed now
            "SELECT * FROM dashboard_page(%s, 24, '', 'name', 'asc', 50, 0)" % t,
            "SELECT * FROM dashboard_page(%s, 168, '', 'critical', 'desc', 50, 0)" % t,
            "SELECT incident_page(%s, 'open', '', NULL, NULL)" % t,
            "SELECT vulnerability_page(%s, '', '', 'open', NULL, NULL)" % t,
            "SELECT asset_page(%s, '', NULL, NULL)" % t,
        ]
    calls = called(ctx, token, statements)
    names = {n for n, _, _ in calls}
    # the statements ran, as the signed-in admin
    assert {"app_identify", "request_context", "dashboard_overview", "dashboard_page", "tenant_children_rows",
            "incident_page",
            "vulnerability_page", "asset_page", "tenant_crumbs", "app_scope"} <= names, calls
    # An SQL function's statement is planned at every call: none, but a
    # constant (IMMUTABLE, no arguments: children_sort_keys()), which is
    # folded into the plan of the expression that calls it, once.
    sql = [x for x in calls if x[1] == "sql"]
    constants = ctx.stack.psql("SELECT string_agg(proname, ' ') FROM pg_proc WHERE prolang = (SELECT oid FROM"
                               " pg_language WHERE lanname = 'sql') AND provolatile = 'i' AND pronargs = 0"
                               " AND pronamespace = 'public'::regnamespace").split()
    assert [x for x in sql if x[0] not in constants or int(x[2]) > 1] == [], calls
    # The breadcrumbs take each tenant's role from its path: not a role
    # read per tenant of the tree (44 calls per page before). Per context:
    # its own tenant's role and at most two tenants above it.
    counts = {n: int(k) for n, _, k in calls}
    assert counts.get("tenant_role", 0) == 0, calls
    assert counts["role_on_path"] <= 3 * 3, calls


def test_an_api_batch_checks_its_own_tenants_not_every_tenant_the_key_sees(ctx):
    """The ingest tables' policies test a row's tenant (EXISTS in tenants,
    whose policy applies), not membership of the set of every tenant the
    key sees (visible_tenant_ids(), built for each statement: 20,000
    tenants and 5-10 ms for an MSSP's key at size L, a third of the live
    feed's CPU there). A batch of each kind by an MSSP's key, as the app
    role, builds that set not once, and is accepted whole; rolled back."""
    nw = ctx.stack.tenant_id("Northwind Security")
    key = portal.create_key(ctx, ctx.login("admin@northwind.example"), nw, "plans-batch")["key"]
    cos = [int(x) for x in ctx.stack.psql("SELECT id FROM tenants WHERE root_id = %d AND kind = 'company'"
                                          " AND status = 'active' ORDER BY id LIMIT 2" % nw).split()]

    def batch(fn, items):
        return "SELECT 'error ' || i || ' ' || error FROM %s('%s')" % (fn, json.dumps(items).replace("'", "''"))
    sql = ("BEGIN; SET LOCAL track_functions = 'all'; SET LOCAL ROLE portal_app;"
           " SELECT 'key ' || tenant_id FROM api_key_auth('%s');" % key +
           batch("ingest_assets", [{"i": n, "tenant_id": co, "external_id": "plans-a-%d" % n, "kind": "agent",
                                    "name": "plans-%d" % n} for n, co in enumerate(cos)]) + ";" +
           batch("ingest_vulnerabilities", [{"i": n, "tenant_id": co, "external_id": "plans-v-%d" % n,
                                             "asset": "plans-a-%d" % n, "cve": "CVE-2024-3400",
                                             "severity": "high"} for n, co in enumerate(cos)]) + ";" +
           batch("ingest_incidents", [{"i": n, "tenant_id": co, "external_id": "plans-i-%d" % n, "severity": "low",
                                       "title": "plans"} for n, co in enumerate(cos)]) + ";" +
           " SELECT 'called ' || p.proname || ' ' || x.calls FROM pg_stat_xact_user_functions x"
           " JOIN pg_proc p ON p.oid = x.funcid ORDER BY 1; ROLLBACK")
    rows = ctx.stack.psql(sql, user="postgres").splitlines()
    assert "key %d" % nw in rows, rows
    assert not [r for r in rows if r.startswith("error ")], rows
    calls = dict(r.split(" ")[1:] for r in rows if r.startswith("called "))
    assert {"ingest_assets", "ingest_vulnerabilities", "ingest_incidents"} <= set(calls), calls
    assert "visible_tenant_ids" not in calls, calls


def test_the_pages_ask_of_one_tenant_not_of_every_tenant_the_viewer_sees(ctx):
    """Every other table's policy tests a row's tenant too, and the
    functions that check the tenant they were given ask of that tenant
    (tenant_visible()): none builds the set of every tenant the viewer sees
    (visible_tenant_ids(): 20,000 tenants for an MSSP's people at L, 13-19
    ms a statement, so that /account, the team, audit, mail, requests and
    keys pages ran at 40-270 requests a second there). As the MSSP Admin,
    the app role reads each such table for the MSSP and calls the pages'
    functions; only the tenants policy's WITH CHECK (a tenant made or
    moved) still names the set."""
    c = ctx.login("admin@northwind.example")
    token = c.cookies["portal_session"]
    nw = ctx.stack.tenant_id("Northwind Security")
    tables = ctx.stack.psql(
        "SELECT c.relname FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'"
        " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relrowsecurity"
        " AND has_table_privilege('portal_app', c.oid, 'SELECT') ORDER BY 1").split()
    assert {"memberships", "audit_log", "api_keys", "branding", "invitations", "plans", "sla_targets"} <= set(tables)
    statements = ["SELECT count(*) FROM %s WHERE tenant_id = %d" % (t, nw) for t in tables] + [
        "SELECT count(*) FROM account_memberships()",
        "SELECT count(*) FROM team_members(%d)" % nw,
        "SELECT count(*) FROM team_invitations(%d)" % nw,
        "SELECT count(*) FROM analyst_assignments_of(%d)" % nw,
        "SELECT count(*) FROM audit_entries(%d, NULL, NULL, NULL, NULL, 50, 0, NULL)" % nw,
        "SELECT count(*) FROM api_keys_of(%d)" % nw,
        "SELECT count(*) FROM mail_messages(%d, 'failed', 50, 0)" % nw,
        "SELECT count(*) FROM msp_requests_list(%d)" % nw,
        "SELECT count(*) FROM report_schedules_of(%d)" % nw,
        "SELECT count(*) FROM report_jobs_of(%d, 50)" % nw,
        "SELECT count(*) FROM sla_effective(%d)" % nw,
    ]
    calls = {n: int(k) for n, _, k in called(ctx, token, statements)}
    assert {"team_members", "audit_entries", "msp_requests_list", "report_jobs_of", "tenant_visible"} <= set(calls), \
        calls
    assert "visible_tenant_ids" not in calls, calls
    named = ctx.stack.psql("SELECT tablename || ' ' || policyname || ' ' || (qual ~ 'visible_tenant_ids')"
                           " || ' ' || coalesce(with_check ~ 'visible_tenant_ids', false) FROM pg_policies"
                           " WHERE schemaname = 'public' AND (qual ~ 'visible_tenant_ids'"
                           " OR with_check ~ 'visible_tenant_ids')").splitlines()
    assert named == ["tenants tenants_visible false true"], named


def logged_plans(ctx, setup, statements, token=None):
    """The plans of every statement the statements ran, nested ones too,
    as auto_explain logs them (with their buffers), one text each; run as
    postgres after setup, or as the app role signed in with token."""
    sql = ("LOAD 'auto_explain'; SET auto_explain.log_min_duration = 0; SET auto_explain.log_analyze = on;"
           " SET auto_explain.log_buffers = on; SET auto_explain.log_nested_statements = on;"
           " SET client_min_messages = log; " + setup +
           ("; " + as_app(token) if token else "; ") +
           "; ".join(statements) + ";" + (" ROLLBACK;" if token else ""))
    out = subprocess.run(ctx.stack.psql_command(None, user="postgres"), env=ctx.stack.env(), text=True, input=sql,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout
    assert "ERROR" not in out, out[-3000:]
    return out.split("LOG:  duration:")[1:]


def test_a_report_counts_an_indicators_other_customers_from_its_index_alone(ctx):
    """An executive report counts, for each indicator of its period's
    incidents, the other customers of the tree that saw it in the period
    (report_document()'s threats). incidents_indicator holds the tree and
    the tenant beside the indicator and the opening, so that count reads
    the index only, not each incident's row: at L 318,000 rows for one
    indicator, most of a company's report (docs/performance.md, "Session
    45"). The report's statements as report_document() runs them, with the
    paths that read the table itself turned off: the count is an index-only
    scan of the indicator's index."""
    co = int(ctx.stack.psql("SELECT tenant_id FROM incidents WHERE indicator IS NOT NULL ORDER BY opened_at DESC"
                            " LIMIT 1"))
    day = ctx.stack.psql("SELECT (opened_at AT TIME ZONE 'UTC')::date FROM incidents WHERE tenant_id = %d"
                         " AND indicator IS NOT NULL ORDER BY opened_at DESC LIMIT 1" % co)
    plans = logged_plans(ctx, "VACUUM incidents; SET enable_seqscan = off; SET enable_bitmapscan = off",
                         ["SELECT report_document(%d, '%s', '%s', ARRAY[%d::bigint], '{}') IS NOT NULL"
                          % (co, day, day, co)])
    counts = [p for p in plans if "NOT (o.tenant_id = ANY (tids))" in p]
    assert len(counts) == 1, plans
    assert "Index Only Scan using incidents_indicator on incidents o" in counts[0], counts[0]


def test_a_list_paged_from_a_cursor_skips_the_parts_on_the_other_side_of_it(ctx):
    """The incidents "new" in the last 24 hours are eight parts, open and
    resolved of each severity, each read through its index and merged
    (incident_reader). A page before or after a cursor keeps the rows on one
    side of the cursor's keys; a part whose severity is on the other side
    has none, and its index scan must know it without reading: the row
    comparison alone read the part's every entry of the window (at L 9-24
    ms a part for the MSSP's list paged back from a critical incident;
    docs/performance.md, "Session 45"). A critical and a high incident new
    in a company of Northwind: paged back from the critical one (the page
    before it holds what sorts above it: critical ones only), the high
    parts' scans read nothing, and paged on from the high one, the critical
    parts' neither."""
    c = ctx.login("admin@northwind.example")
    token = c.cookies["portal_session"]
    nw = ctx.stack.tenant_id("Northwind Security")
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE root_id = %d AND kind = 'company'" % nw))
    with ctx.stack.restoring("incidents", "tenant_id = %d AND external_id LIKE 'cursor-part-%%'" % co):
        ids = ctx.stack.psql(
            "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, opened_at)"
            " SELECT %d, %d, 'cursor-part-' || s, s, 'Cursor part ' || s, now() - interval '1 minute'"
            " FROM unnest(ARRAY['critical', 'high']) s RETURNING id" % (co, nw)).split()
        crit, high = int(ids[0]), int(ids[1])
        for after, before, other in ((None, crit, 4 - 1), (high, None, 4)):
            plans = logged_plans(ctx, "", ["SELECT count(*) FROM incident_page(%d, 'new', '', %s, %s)"
                                           % (nw, after or "NULL", before or "NULL")], token)
            reads = [p for p in plans if "(cur.k1, cur.k2, cur.k3)" in p]
            assert reads, plans
            for read in reads:
                # each index scan's node with the lines under it, to the next node
                lines, scans = read.splitlines(), []
                for i, line in enumerate(lines):
                    if "Index Scan" in line and " using incidents_" in line:
                        block = [line]
                        for more in lines[i + 1:]:
                            if "->" in more:
                                break
                            block.append(more)
                        scans.append("\n".join(block))
                # the other side's parts: open and resolved (of the tree, or
                # of each tenant when the tree is small)
                parts = [b for b in scans if "END = %d)" % other in b]
                assert len(parts) == 2, read
                assert all("Buffers:" not in b for b in parts), parts
