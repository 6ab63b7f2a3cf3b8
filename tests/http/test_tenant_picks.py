"""The home page's list of organisations and the tenant selector's search
(tenant_picks(), tenant_pick_counts(); docs/performance.md, "Session 37").
They read from the viewer's top tenant down in name order rather than
sorting every tenant the viewer sees, so what they return is checked here
against the rule itself: every tenant the row-level policy lets the viewer
read, in the order shown, for every persona, search term, kind and page."""
import re
import time

import portal

PERSONAS = ("admin@northwind.example", "analyst@northwind.example", "owner@msp1.example", "owner@company.example",
            "owner@evergreen.example")
ORDER = "array_position(ARRAY['mssp', 'msp', 'company'], t.kind), lower(t.name), t.id"


def as_viewer(ctx, email, queries):
    """The rows (one text column) of each query of queries as portal_app
    signed in as email, in one transaction rolled back: a list per query."""
    uid = int(ctx.stack.psql("SELECT id FROM users WHERE email = '%s'" % email))
    token = portal.session_token(ctx, uid)
    out = ctx.stack.psql("BEGIN; SET LOCAL ROLE portal_app; SELECT 'id:' || app_identify('%s');" % token +
                         "".join(" SELECT 'q%d:' || q.v FROM (%s) q(v);" % (i, sql) for i, sql in enumerate(queries)) +
                         " ROLLBACK", user="postgres")
    assert re.search(r"^id:[0-9]+$", out, re.M), out
    rows = [[] for _ in queries]
    for line in out.splitlines():
        m = re.match(r"^q(\d+):(.*)$", line)
        if m:
            rows[int(m.group(1))].append(m.group(2))
    return rows


def expected(q, kind, limit, offset):
    """What the policy lets the viewer read, as tenant_picks() lists it: a
    parent's name only when the viewer may read the parent too."""
    return ("SELECT t.id || ' ' || t.kind || ' ' || coalesce(p.name, '-') FROM tenants t"
            " LEFT JOIN tenants p ON p.id = t.parent_id"
            " WHERE t.status = 'active' AND strpos(lower(t.name), lower(%s)) > 0 AND (%s = '' OR t.kind = %s)"
            " ORDER BY %s LIMIT %d OFFSET %d" % (q, kind, kind, ORDER, limit, offset))


def test_the_picks_are_what_the_policy_lets_each_persona_read_in_order(ctx):
    msps = int(ctx.stack.psql("SELECT count(*) FROM tenants WHERE kind = 'msp' AND status = 'active'"
                              " AND root_id = %d" % ctx.stack.tenant_id("Northwind Security")))
    # Pages that begin in the MSPs and end in the companies, and past the end.
    pages = [(50, 0), (3, 0), (5, 1), (4, msps - 1), (4, msps + 1), (7, msps + 3), (1, 0), (0, 0), (10, 100000)]
    terms = ["''", "'blu'", "'BLUE'", "'it'", "'e'", "'%'", "'_'", "'o''b'", "'zzzz'", "'cobalt managed'"]
    kinds = ["''", "'mssp'", "'msp'", "'company'"]
    cases = [(q, kind, limit, offset) for q in terms for kind in kinds
             for limit, offset in (pages if q == "''" and kind == "''" else pages[:3])]
    checked, mixed = 0, 0
    for email in PERSONAS:
        queries = []
        for q, kind, limit, offset in cases:
            queries.append("SELECT n || ' ' || id || ' ' || kind || ' ' || coalesce(parent_name, '-')"
                           " FROM tenant_picks(%s, %s, %d, %d) ORDER BY n" % (q, kind, limit, offset))
            queries.append(expected(q, kind, limit, offset))
        rows = as_viewer(ctx, email, queries)
        for i, (q, kind, limit, offset) in enumerate(cases):
            got, want = rows[2 * i], rows[2 * i + 1]
            assert [g.split(" ", 1)[1] for g in got] == want, (email, q, kind, limit, offset)
            assert [int(g.split(" ")[0]) for g in got] == list(range(offset + 1, offset + 1 + len(got)))
            checked += len(want)
            mixed += len({w.split(" ")[1] for w in want}) > 1
    # the personas see something, and pages cross from one kind to the next
    assert checked > 100 and mixed > 10, (checked, mixed)


def test_the_counts_are_what_the_policy_lets_each_persona_read(ctx):
    for email in PERSONAS:
        got, want = as_viewer(ctx, email, [
            "SELECT mssps || ' ' || msps || ' ' || companies FROM tenant_pick_counts()",
            "SELECT count(*) FILTER (WHERE kind = 'mssp') || ' ' || count(*) FILTER (WHERE kind = 'msp') || ' '"
            " || count(*) FILTER (WHERE kind = 'company') FROM tenants WHERE status = 'active'"])
        assert got == want, email


def test_the_mssp_admins_first_page_reads_its_rows_not_the_tree(ctx):
    """With 400 more companies under the MSSP (made in the transaction and
    rolled back), the first pages of the admin's list and the counts read a few dozen rows of tenants, not every one the admin
    sees (the statement's own reads: pg_stat_xact_all_tables before and
    after it)."""
    nw = ctx.stack.tenant_id("Northwind Security")
    msp = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND kind = 'msp'" % nw))
    uid = int(ctx.stack.psql("SELECT id FROM users WHERE email = 'admin@northwind.example'"))
    token = portal.session_token(ctx, uid)
    reads = ("SELECT '%s:' || coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_all_tables"
             " WHERE relname = 'tenants';")

    def read(call):
        out = ctx.stack.psql(
            "BEGIN; INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
            " SELECT 'company', 'Picks Test ' || g, 'eu', %d, '{0}', 0 FROM generate_series(1, 400) g;"
            " SET LOCAL ROLE portal_app; SELECT 'id:' || app_identify('%s');"
            " SELECT 'sees:' || count(*) FROM tenants; %s SELECT 'n:' || count(*) FROM %s; %s ROLLBACK"
            % (msp, token, reads % "before", call, reads % "after"), user="postgres")
        n, sees, before, after = (int(re.search(r"^%s:(\d+)$" % k, out, re.M).group(1))
                                  for k in ("n", "sees", "before", "after"))
        return n, sees, after - before
    # (A search's plan is the planner's to choose by the table's size: at
    # this size a sequential scan is cheapest, at L the trigram index.)
    for call, rows in (("tenant_picks('', '', 50, 0)", 50), ("tenant_picks('', 'company', 20, 0)", 20),
                       ("tenant_picks('', '', 10, 3)", 10), ("tenant_pick_counts()", 1)):
        n, sees, fetched = read(call)
        assert n == rows and sees > 400, (call, n, sees)
        assert fetched < 150, (call, fetched, sees)


def test_the_home_page_pages_through_everything_with_counts(ctx):
    c = ctx.login("admin@northwind.example")
    first = c.get_json("/").json()
    want = as_viewer(ctx, "admin@northwind.example", [expected("''", "''", 100000, 0)])[0]
    assert first["counts"]["msps"] + first["counts"]["companies"] + 1 == len(want)
    seen = []
    for page in range(1, first["pages"] + 1):
        seen += ["%d %s" % (t["id"], t["kind"]) for t in c.get_json("/?page=%d" % page).json()["tenants"]]
    assert seen == [" ".join(w.split(" ")[:2]) for w in want]
    html = c.get("/").text
    assert 'class="tile-n">%s<' % "{:,}".format(first["counts"]["companies"]) in html
    if first["pages"] > 1:
        assert 'href="/?page=2"' in html
    company = ctx.login("owner@company.example").get_json("/").json()
    assert [t["kind"] for t in company["tenants"]] == ["company"] and company["pages"] == 1
    assert company["counts"]["companies"] == 1 and company["counts"]["msps"] == 0


def test_someone_who_belongs_nowhere_gets_the_empty_state(ctx):
    email = "nowhere%d@picks.example" % (int(time.time() * 1000) % 10000000)
    uid = ctx.stack.new_user(email)
    try:
        c = ctx.login(email)
        page = c.get_json("/").json()
        assert page["tenants"] == [] and page["pages"] == 1, page
        assert (page["counts"]["msps"], page["counts"]["companies"]) == (0, 0)
        assert "You do not have access to any organisation yet" in c.get("/").text
        assert c.get_json("/tenants?q=blue").json()["results"] == []
    finally:
        ctx.stack.psql("DELETE FROM sessions WHERE user_id = %d; DELETE FROM users WHERE id = %d" % (uid, uid))
