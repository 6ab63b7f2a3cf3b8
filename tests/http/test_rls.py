"""Row-Level Security at the database level, as the app role (portal_app).

The expectations are computed in Python from the tenant tree, memberships
and analyst assignments read as the owner role (which bypasses RLS), per
the documented rules: a membership shows its tenant's subtree, an MSSP
Analyst's membership the MSSP row only, and an assignment its subtree.
"""
import os
import re
import subprocess

import portal

PERSONAS = ["admin@northwind.example", "owner@evergreen.example", "analyst@northwind.example",
            "viewer@company.example"]


def owner(ctx, sql):
    return ctx.stack.psql(sql, user="portal_owner")




def app(ctx, sql):
    """SQL as the app role. SELECT set_config('app.user_id', 'N', true) in
    it stands for "as user N": it becomes app_identify() with a session
    token of N's, as the portal does, and answers N (or nothing for no
    such user)."""
    sql = re.sub(r"SELECT set_config\('app\.user_id', '(\d+)', true\);",
                 lambda m: "SELECT coalesce(app_identify('%s')::text, '');" % portal.session_token(ctx, int(m.group(1))), sql)
    return ctx.stack.psql(sql, user="portal_app")


def app_err(ctx, sql):
    """Run SQL as the app role that must fail; returns the error text."""
    try:
        out = app(ctx, sql)
    except RuntimeError as e:
        return str(e)
    raise AssertionError("expected an error from %r, got rows %r" % (sql, out))


def as_user(uid, sql):
    """SQL wrapped in a transaction with the identity of uid (as the
    portal does it: set_config(..., true)); the set_config row is dropped by
    rows_after_identity()."""
    return "BEGIN; SELECT set_config('app.user_id', '%d', true); %s ROLLBACK;" % (uid, sql)


def rows_after_identity(out, uid):
    lines = out.splitlines()
    assert lines and lines[0] == str(uid), "set_config did not answer %d: %r" % (uid, out)
    return lines[1:]


def ids(lines):
    return sorted(int(x) for x in lines if x.strip())


class Tree:
    def __init__(self, ctx):
        self.parent = {}
        for line in owner(ctx, "SELECT id, coalesce(parent_id, 0) FROM tenants").splitlines():
            t, p = line.split("|")
            self.parent[int(t)] = int(p) or None
        self.members = [tuple(l.split("|")) for l in
                        owner(ctx, "SELECT user_id, tenant_id, role FROM memberships").splitlines()]
        self.assigned = [tuple(int(x) for x in l.split("|")) for l in
                         owner(ctx, "SELECT user_id, tenant_id FROM analyst_assignments").splitlines()]
        self.uid = {}
        for line in owner(ctx, "SELECT id, lower(email) FROM users").splitlines():
            u, e = line.split("|", 1)
            self.uid[e] = int(u)
        self.name = {}
        for line in owner(ctx, "SELECT id, name FROM tenants").splitlines():
            t, n = line.split("|", 1)
            self.name[n] = int(t)

    def subtree(self, root):
        out = {root}
        grew = True
        while grew:
            grew = False
            for t, p in self.parent.items():
                if p in out and t not in out:
                    out.add(t)
                    grew = True
        return out

    def visible(self, uid):
        vis = set()
        for u, t, role in self.members:
            if int(u) != uid:
                continue
            vis |= {int(t)} if role == "mssp_analyst" else self.subtree(int(t))
        for u, t in self.assigned:
            if u == uid:
                vis |= self.subtree(t)
        return vis


def rls_tables(ctx):
    """[(table, app may select, has tenant_id column)] for every table with RLS."""
    out = owner(ctx, """
        SELECT c.relname, has_table_privilege('portal_app', c.oid, 'SELECT'),
               EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id'
                        AND NOT a.attisdropped)
          FROM pg_class c WHERE c.relrowsecurity AND c.relnamespace = 'public'::regnamespace
         ORDER BY 1""")
    res = []
    for line in out.splitlines():
        name, sel, tcol = line.split("|")
        res.append((name, sel == "t", tcol == "t"))
    return res


# ------------------------------------------------------------------ (a)
def test_rls_tables_are_the_expected_ones(ctx):
    names = {t for t, _, _ in rls_tables(ctx)}
    for must in ("tenants", "memberships", "analyst_assignments", "audit_log", "branding", "mail_outbox",
                 "invitations", "plans", "plan_sections", "plan_shares", "config_overrides", "config_history", "config_documents",
                 "report_jobs", "report_settings"):
        assert must in names, "%s has no RLS (RLS tables: %s)" % (must, sorted(names))
    forced = owner(ctx, "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class WHERE relrowsecurity"
                        " AND NOT relforcerowsecurity AND relnamespace = 'public'::regnamespace")
    assert forced == "", "RLS enabled but not forced on: %s" % forced


def test_no_identity_sees_no_rows_in_any_rls_table(ctx):
    problems, denied = [], []
    nonempty = 0
    for table, may_select, _ in rls_tables(ctx):
        total = int(owner(ctx, "SELECT count(*) FROM %s" % table))
        nonempty += total > 0
        if may_select:
            try:
                got = app(ctx, "SELECT count(*) FROM %s" % table)
            except RuntimeError as e:
                problems.append("%s: granted SELECT but the app role got an error: %s" % (table, e))
                continue
            if got != "0":
                problems.append("%s: %s of %d rows visible without an identity" % (table, got, total))
            # An identity that matches no user sees nothing either.
            got = app(ctx, "BEGIN; SELECT set_config('app.user_id', '999999999', true);"
                           " SELECT count(*) FROM %s; COMMIT;" % table).splitlines()[-1]
            if got != "0":
                problems.append("%s: %s rows visible to an unknown user id" % (table, got))
        else:
            try:
                got = app(ctx, "SELECT count(*) FROM %s" % table)
                problems.append("%s: not granted, yet SELECT answered %s" % (table, got))
            except RuntimeError as e:
                if "permission denied" not in str(e):
                    problems.append("%s: unexpected error %s" % (table, e))
                else:
                    denied.append(table)
    assert nonempty >= 3, "too few RLS tables hold rows for this test to mean anything"
    assert not problems, "\n".join(problems)
    # Write-only tables (the app may insert but not read): reported here.
    print("# RLS tables the app role may not read at all (permission denied): %s" % ", ".join(denied))
    assert "mail_outbox" in denied


# ------------------------------------------------------------------ (b)
def test_identity_sees_exactly_its_tenants(ctx):
    tree = Tree(ctx)
    problems = []
    for email in PERSONAS:
        uid = tree.uid[email]
        want = sorted(tree.visible(uid))
        got = ids(rows_after_identity(app(ctx, as_user(uid, "SELECT id FROM tenants;")), uid))
        if got != want:
            problems.append("%s: tenants %r, expected %r" % (email, got, want))
    # The documented shapes, spelled out for the demo data.
    vis = {e: tree.visible(tree.uid[e]) for e in PERSONAS}
    mssp, bluefin, ever = tree.name["Northwind Security"], tree.name["Bluefin IT"], tree.name["Evergreen MSP"]
    assert vis["admin@northwind.example"] == tree.subtree(mssp)
    assert vis["owner@evergreen.example"] == tree.subtree(ever)
    assert vis["analyst@northwind.example"] == {mssp} | tree.subtree(bluefin)
    assert len(vis["viewer@company.example"]) == 1
    assert not vis["owner@evergreen.example"] & vis["admin@northwind.example"]
    assert not problems, "\n".join(problems)


# Which rows of a table an identity must see (as SQL over the owner's view):
# tenant-scoped tables by default; the exceptions spelled out.
DEFAULT_RULE = "x.tenant_id = ANY ({arr})"
ROW_RULES = {
    "tenants": "x.id = ANY ({arr})",
    "notifications": "x.user_id = {uid}",  # a person's own notifications, whatever the tenant
    "msp_requests": "x.mssp_id = ANY ({arr}) OR x.msp_tenant_id = ANY ({arr})",  # either side of a request
    # A report holds what its asker may see: theirs, and every report of
    # the tenant for its admins (the MSSP Admin, the standalone MSP's
    # Owner); a billing statement only for those admins, who see billing.
    "report_jobs": "x.tenant_id = ANY ({arr}) AND ({admin} OR x.requested_by = {uid} AND x.kind <> 'billing')",
}
# The personas who administer every tenant they see (report_jobs above).
ADMINS = {"admin@northwind.example", "owner@evergreen.example"}


def test_identity_sees_exactly_its_rows_in_every_tenant_table(ctx):
    tree = Tree(ctx)
    problems = []
    tables = [t for t, sel, tcol in rls_tables(ctx) if sel]
    assert {"memberships", "audit_log", "analyst_assignments", "invitations", "branding"} <= set(tables), tables
    missing = [t for t, sel, tcol in rls_tables(ctx) if sel and not tcol and t not in ROW_RULES]
    assert not missing, "no row rule for RLS tables without tenant_id: %s (add one to ROW_RULES)" % missing
    digest = ("SELECT '%s', count(*) || '/' || md5(coalesce(string_agg(x::text, ',' ORDER BY x::text), ''))"
              " FROM %s x")
    for email in PERSONAS:
        uid = tree.uid[email]
        vis = sorted(tree.visible(uid))
        arr = "ARRAY[%s]::bigint[]" % ",".join(str(v) for v in vis)
        # One query per side: every table's row count and digest.
        want = owner(ctx, " UNION ALL ".join(
            "(%s WHERE %s)" % (digest % (t, t), ROW_RULES.get(t, DEFAULT_RULE).format(arr=arr, uid=uid, admin=str(email in ADMINS).lower()))
            for t in tables)).splitlines()
        got = rows_after_identity(app(ctx, as_user(uid, " UNION ALL ".join("(%s)" % (digest % (t, t))
                                                                           for t in tables) + ";")), uid)
        want, got = dict(l.split("|") for l in want), dict(l.split("|") for l in got)
        for table in tables:
            if got.get(table) != want.get(table):
                problems.append("%s on %s: got %r, expected %r" % (email, table, got.get(table), want.get(table)))
    # memberships: the admin of the MSSP sees more people than the MSP owner
    # outside it, who sees none of the MSSP's.
    n_admin = rows_after_identity(app(ctx, as_user(tree.uid["admin@northwind.example"],
                                                   "SELECT count(*) FROM memberships;")), 0 + tree.uid["admin@northwind.example"])
    n_ever = rows_after_identity(app(ctx, as_user(tree.uid["owner@evergreen.example"],
                                                  "SELECT count(DISTINCT tenant_id) FROM memberships;")),
                                 tree.uid["owner@evergreen.example"])
    assert int(n_admin[0]) >= 8 and n_ever == ["1"], (n_admin, n_ever)
    assert not problems, "\n".join(problems)


def test_dashboard_reads_apply_the_same_visibility(ctx):
    """dashboard_overview() and tenant_children_rows() bypass RLS (SECURITY
    DEFINER) and apply the rule themselves: the overview exists exactly for
    the visible tenants, and a table lists exactly the visible children."""
    tree = Tree(ctx)
    problems = []
    everything = sorted(tree.parent)
    active = {int(t): st == "active" for t, st in
              (l.split("|") for l in owner(ctx, "SELECT id, status FROM tenants").splitlines())}
    for email in PERSONAS:
        uid = tree.uid[email]
        vis = tree.visible(uid)
        got = ids(rows_after_identity(app(ctx, as_user(uid, "SELECT t FROM unnest(ARRAY[%s]::bigint[]) t"
                                                            " WHERE dashboard_overview(t, 24) IS NOT NULL;"
                                                            % ",".join(map(str, everything)))), uid))
        if got != sorted(vis):
            problems.append("%s: overview for %r, expected %r" % (email, got, sorted(vis)))
        want = sorted((p, c) for c, p in tree.parent.items() if p in vis and c in vis and active[c])
        out = rows_after_identity(app(ctx, as_user(uid, "SELECT t, r.id FROM unnest(ARRAY[%s]::bigint[]) t,"
                                                        " tenant_children_rows(t, '', 'name', 'asc', 100000, 0) r;"
                                                        % ",".join(map(str, everything)))), uid)
        rows = sorted(tuple(int(x) for x in l.split("|")) for l in out if l.strip())
        if rows != want:
            problems.append("%s: children %r, expected %r" % (email, rows, want))
        # An MSSP Analyst sees the MSSP's overview; its at-risk list and
        # breadcrumb name only tenants they may see.
        out = rows_after_identity(app(ctx, as_user(uid, "SELECT x->>'id' FROM unnest(ARRAY[%s]::bigint[]) t,"
                                                        " jsonb_array_elements((dashboard_overview(t, 24)->'at_risk')::jsonb"
                                                        " || (dashboard_overview(t, 24)->'ancestors')::jsonb) x;"
                                                        % ",".join(map(str, sorted(vis))))), uid)
        leaked = set(ids(out)) - vis
        if leaked:
            problems.append("%s: an overview names %r" % (email, sorted(leaked)))
    assert not problems, "\n".join(problems[:20])


# ------------------------------------------------------------------ (c)
def test_identity_does_not_outlive_the_transaction(ctx):
    tree = Tree(ctx)
    a = tree.uid["admin@northwind.example"]
    out = app(ctx, "BEGIN; SELECT set_config('app.user_id', '%d', true); SELECT count(*) FROM tenants; COMMIT;"
                   " SELECT count(*) FROM tenants; SELECT coalesce(current_setting('app.token', true), '<unset>');"
                   " SELECT count(*) FROM memberships;" % a)
    lines = out.splitlines()
    assert lines[0] == str(a) and int(lines[1]) == len(tree.visible(a)) > 1, lines
    assert lines[2] == "0", "the next statement on the same connection still saw %s tenants" % lines[2]
    assert lines[3] in ("", "<unset>"), "app.token survived the transaction: %r" % lines[3]
    assert lines[4] == "0", lines
    # A rolled-back request leaves nothing either, and the next identity
    # sees only its own tenants.
    b = tree.uid["owner@evergreen.example"]
    out = app(ctx, "BEGIN; SELECT set_config('app.user_id', '%d', true); ROLLBACK; SELECT count(*) FROM tenants;"
                   " BEGIN; SELECT set_config('app.user_id', '%d', true); SELECT id FROM tenants ORDER BY id; COMMIT;"
                   % (a, b))
    lines = out.splitlines()
    assert lines[1] == "0", lines
    assert lines[2] == str(b) and ids(lines[3:]) == sorted(tree.visible(b)), lines


def test_a_read_with_an_identity_takes_no_transaction_id(ctx):
    """The identity is kept without a write (identity_keep()): a
    request that only reads takes no XID, so page views do not bring every
    table's anti-wraparound VACUUM closer. The connection's first identity
    makes its two sequences (a write, once); the transactions after it
    take none, as a user or as an API key."""
    tree = Tree(ctx)
    a = tree.uid["admin@northwind.example"]
    check = "SELECT count(*) FROM tenants; SELECT pg_current_xact_id_if_assigned() IS NULL;"
    out = app(ctx, "BEGIN; SELECT set_config('app.user_id', '%d', true); COMMIT;"
                   " BEGIN; SELECT set_config('app.user_id', '%d', true); %s COMMIT;" % (a, a, check))
    lines = out.splitlines()
    assert lines[1] == str(a) and int(lines[2]) == len(tree.visible(a)) > 1, lines
    assert lines[3] == "t", "a read as %d took a transaction id" % a
    key = portal.create_key(ctx, ctx.login("admin@northwind.example"), tree.name["Bluefin IT"], name="no-xid")["key"]
    out = app(ctx, "BEGIN; SELECT tenant_id FROM api_key_auth('%s'); COMMIT;"
                   " BEGIN; SELECT tenant_id FROM api_key_auth('%s'); %s COMMIT;" % (key, key, check))
    lines = out.splitlines()
    assert lines[1] == str(tree.name["Bluefin IT"]) and int(lines[2]) > 1, lines
    assert lines[3] == "t", "a read as an API key took a transaction id"
    # Through the portal: 40 dashboards computed (each search a page of its
    # own, so no cache answers) move the next XID by what the stack's
    # other processes take meanwhile, not by one a view.
    c = ctx.login("admin@northwind.example")
    mssp = tree.name["Northwind Security"]
    assert c.get("/t/%d?q=no-xid-warm" % mssp).status == 200
    before = int(owner(ctx, "SELECT pg_snapshot_xmax(pg_current_snapshot())"))
    for i in range(40):
        assert c.get("/t/%d?q=no-xid-%d" % (mssp, i)).status == 200
    taken = int(owner(ctx, "SELECT pg_snapshot_xmax(pg_current_snapshot())")) - before
    assert taken < 20, "40 dashboard views took %d transaction ids" % taken


# ------------------------------------------------------------------ (d)
def test_app_cannot_insert_a_tenant_under_a_parent_it_cannot_see(ctx):
    tree = Tree(ctx)
    ever_owner = tree.uid["owner@evergreen.example"]
    bluefin, ever = tree.name["Bluefin IT"], tree.name["Evergreen MSP"]
    before = owner(ctx, "SELECT count(*) FROM tenants")
    ins = ("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
           " VALUES ('company', 'RLS Probe Co', 'eu', %s, '{0}', 0) RETURNING id;")
    err = app_err(ctx, "BEGIN; SELECT set_config('app.user_id', '%d', true); %s COMMIT;" % (ever_owner, ins % bluefin))
    assert "row-level security" in err or "does not exist" in err, err
    # Nor a new root, nor anything without an identity.
    err = app_err(ctx, "BEGIN; SELECT set_config('app.user_id', '%d', true);"
                       " INSERT INTO tenants (kind, name, region, ancestors, root_id)"
                       " VALUES ('mssp', 'RLS Probe Root', 'eu', '{0}', 0); COMMIT;" % ever_owner)
    assert "row-level security" in err, err
    err = app_err(ctx, ins % ever)
    assert "row-level security" in err or "does not exist" in err, err
    assert owner(ctx, "SELECT count(*) FROM tenants") == before
    # Control: under its own MSP the same INSERT works (then rolled back), so
    # the refusals above are RLS, not a missing grant. (Without RETURNING:
    # RETURNING applies the SELECT policy to the new row, which the
    # statement's visible_tenant_ids() does not contain yet - see the report.)
    n_vis = len(tree.visible(ever_owner))
    out = app(ctx, as_user(ever_owner, (ins % ever).replace(" RETURNING id", "") + " SELECT count(*) FROM tenants;"))
    assert rows_after_identity(out, ever_owner) == [str(n_vis + 1)], out
    assert owner(ctx, "SELECT count(*) FROM tenants") == before


def test_app_cannot_update_or_delete_another_tenants_rows(ctx):
    tree = Tree(ctx)
    ever_owner = tree.uid["owner@evergreen.example"]
    bluefin, ever = tree.name["Bluefin IT"], tree.name["Evergreen MSP"]
    snap = "SELECT md5(string_agg(id || name || status || coalesce(parent_id, 0), ',' ORDER BY id)) FROM tenants"
    before = owner(ctx, snap)
    out = app(ctx, as_user(ever_owner, "UPDATE tenants SET name = 'Hijacked' WHERE id = %d RETURNING id;" % bluefin))
    assert rows_after_identity(out, ever_owner) == [], out
    out = app(ctx, as_user(ever_owner, "WITH u AS (UPDATE tenants SET status = 'archived' RETURNING id)"
                                       " SELECT id FROM u ORDER BY id;"))
    assert ids(rows_after_identity(out, ever_owner)) == sorted(tree.visible(ever_owner)), out
    # Without an identity, nothing at all.
    assert app(ctx, "UPDATE tenants SET name = name RETURNING id") == ""
    # Memberships of another tenant cannot be changed or deleted.
    out = app(ctx, as_user(ever_owner, "UPDATE memberships SET role = 'viewer' WHERE tenant_id = %d RETURNING user_id;"
                                       " DELETE FROM memberships WHERE tenant_id = %d RETURNING user_id;"
                                       % (bluefin, bluefin)))
    assert rows_after_identity(out, ever_owner) == [], out
    # Nor moved into a tenant the user cannot see (WITH CHECK).
    err = app_err(ctx, "BEGIN; SELECT set_config('app.user_id', '%d', true);"
                       " UPDATE memberships SET tenant_id = %d WHERE tenant_id = %d; COMMIT;"
                       % (ever_owner, bluefin, ever))
    assert "row-level security" in err, err
    assert owner(ctx, snap) == before


def test_app_cannot_read_users_or_sessions(ctx):
    ctx.login("viewer@company.example")  # at least one session exists
    for table in ("users", "sessions", "login_failures", "password_resets"):
        err = app_err(ctx, "SELECT count(*) FROM %s" % table)
        assert "permission denied" in err, (table, err)
        tree_uid = owner(ctx, "SELECT id FROM users WHERE email = 'admin@northwind.example'")
        err = app_err(ctx, "BEGIN; SELECT set_config('app.user_id', '%s', true); SELECT * FROM %s; COMMIT;"
                      % (tree_uid, table))
        assert "permission denied" in err, (table, err)
    assert int(owner(ctx, "SELECT count(*) FROM sessions")) > 0


def test_row_security_off_does_not_lift_the_policies(ctx):
    tree = Tree(ctx)
    v = tree.uid["viewer@company.example"]
    for table in ("tenants", "memberships", "audit_log"):
        try:
            out = app(ctx, "SET row_security = off; SELECT count(*) FROM %s;" % table)
            assert out.splitlines()[-1] == "0", (table, out)
        except RuntimeError as e:
            assert "row-level security" in str(e), (table, e)
        try:
            out = app(ctx, "BEGIN; SET LOCAL row_security = off; SELECT set_config('app.user_id', '%d', true);"
                           " SELECT count(*) FROM tenants; COMMIT;" % v)
            assert out.splitlines()[-1] == "1", out
        except RuntimeError as e:
            assert "row-level security" in str(e), e


# ------------------------------------------------------------------ (e)
def test_app_role_owns_nothing_and_cannot_bypass(ctx):
    row = owner(ctx, "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles"
                     " WHERE rolname = 'portal_app'")
    assert row == "f|f|f|f", "portal_app attributes (super, bypassrls, createrole, createdb): %r" % row
    owned = owner(ctx, "SELECT coalesce(string_agg(relname, ','), '') FROM pg_class"
                       " WHERE relowner = 'portal_app'::regrole")
    assert owned == "", "portal_app owns: %s" % owned
    member_of = owner(ctx, "SELECT coalesce(string_agg(r.rolname, ','), '') FROM pg_auth_members m"
                           " JOIN pg_roles r ON r.oid = m.roleid WHERE m.member = 'portal_app'::regrole")
    assert member_of == "", "portal_app is a member of: %s" % member_of
    # The policies do not exempt it: every policy on a tenant table applies
    # to PUBLIC (or names portal_app) - except the mailer's, which names only
    # the mailer role.
    odd = owner(ctx, "SELECT coalesce(string_agg(tablename || '.' || policyname || ':' || array_to_string(roles, '+'),"
                     " ', '), '') FROM pg_policies WHERE schemaname = 'public'"
                     " AND NOT (roles = '{public}' OR roles = '{portal_mailer}')")
    assert odd == "", "policies for unexpected roles: %s" % odd


def test_ctl_check_passes(ctx):
    var = ctx.stack.var
    ctl = os.path.join(portal.ROOT, "build", "asan", "bin", "ctl")
    env = ctx.stack.env()
    env.update({"PORTAL_DB": "host=%s/run dbname=portal user=portal_app" % var,
                "PORTAL_DB_OWNER": "host=%s/run dbname=portal user=portal_owner" % var,
                "PORTAL_TEMPLATES": os.path.join(var, "app", "templates")})
    cmd = [ctl, "check"]
    if os.getuid() == 0:
        cmd = ["setpriv", "--reuid=mssp-portal", "--regid=%s" % portal._gid("mssp-portal"), "--init-groups", "--"] + cmd
    r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60)
    assert r.returncode == 0 and "check: all good" in r.stdout, "ctl check exit %d:\n%s" % (r.returncode, r.stdout)
    assert "the app role owns no table and cannot bypass RLS" in r.stdout, r.stdout
    n = int(owner(ctx, "SELECT count(DISTINCT c.oid) FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid"
                       " AND a.attname = 'tenant_id' WHERE c.relkind IN ('r', 'p')"
                       " AND c.relnamespace = 'public'::regnamespace"))
    assert "RLS enabled and forced on all %d tenant-scoped tables" % n in r.stdout, r.stdout


# ------------------------------------------------------------------ (f)
def test_database_refuses_a_fourth_level(ctx):
    tree = Tree(ctx)
    bluefin = tree.name["Bluefin IT"]
    company = min(t for t, p in tree.parent.items() if p == bluefin)
    before = owner(ctx, "SELECT count(*) FROM tenants")
    try:
        owner(ctx, "BEGIN; INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " VALUES ('company', 'Level Four', 'eu', %d, '{0}', 0); ROLLBACK;" % company)
        raise AssertionError("a company under a company was accepted")
    except RuntimeError as e:
        assert "three levels" in str(e), e
    # Moving an existing company under a company is refused the same way.
    other = max(t for t, p in tree.parent.items() if p == bluefin)
    try:
        owner(ctx, "BEGIN; UPDATE tenants SET parent_id = %d WHERE id = %d; ROLLBACK;" % (company, other))
        raise AssertionError("a company was moved under a company")
    except RuntimeError as e:
        assert "three levels" in str(e), e
    assert owner(ctx, "SELECT count(*) FROM tenants") == before


def test_database_refuses_a_cross_region_child(ctx):
    tree = Tree(ctx)
    mssp = tree.name["Northwind Security"]
    assert owner(ctx, "SELECT region FROM tenants WHERE id = %d" % mssp) == "eu"
    before = owner(ctx, "SELECT count(*) FROM tenants")
    try:
        owner(ctx, "BEGIN; INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                   " VALUES ('msp', 'Region Probe', 'us', %d, '{0}', 0); ROLLBACK;" % mssp)
        raise AssertionError("an 'us' MSP under the 'eu' MSSP was accepted")
    except RuntimeError as e:
        assert "region" in str(e), e
    # Control: the same MSP in the right region is accepted (rolled back).
    out = owner(ctx, "BEGIN; INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                     " VALUES ('msp', 'Region Probe', 'eu', %d, '{0}', 0) RETURNING cardinality(ancestors); ROLLBACK;"
                % mssp)
    assert out == "2", out
    assert owner(ctx, "SELECT count(*) FROM tenants") == before


# An MSSP Analyst removed from the MSSP once kept their analyst_assignments
# rows, and visible_tenant_ids() added assigned subtrees without requiring
# the mssp_analyst membership, so the removed person still saw those
# tenants (/, /tenants) while /t/{id} was 404.
def test_a_removed_mssp_analyst_sees_nothing(ctx):
    tree = Tree(ctx)
    admin, analyst = tree.uid["admin@northwind.example"], tree.uid["analyst@northwind.example"]
    mssp = tree.name["Northwind Security"]
    out = app(ctx, "BEGIN; SELECT set_config('app.user_id', '%d', true);"
                   " DELETE FROM memberships WHERE user_id = %d AND tenant_id = %d RETURNING user_id;"
                   " SELECT set_config('app.user_id', '%d', true); SELECT count(*) FROM tenants; ROLLBACK;"
                   % (admin, analyst, mssp, analyst))
    lines = out.splitlines()
    assert lines[1] == str(analyst), "the membership was not removed: %r" % lines
    assert lines[3] == "0", "a removed MSSP analyst still sees %s tenants" % lines[3]


def test_user_access_follows_every_change(ctx):
    """request_context() and tenant_role() read a user's memberships and
    assignments from user_access (user_access_refresh()), kept by triggers. After every
    kind of change the row must equal the tables, and the role of every
    user on every tenant must equal the rule written over the tables (the
    query tenant_role() once ran over the tables). Run in one transaction, rolled back."""
    ua = "(SELECT id FROM users WHERE email = 'ua@test.example')"
    vc = "(SELECT id FROM users WHERE email = 'viewer@company.example')"
    nw = "(SELECT id FROM tenants WHERE name = 'Northwind Security')"
    bf = "(SELECT id FROM tenants WHERE name = 'Bluefin IT')"
    cb = "(SELECT id FROM tenants WHERE name = 'Cobalt Managed Services')"
    c1 = "(SELECT min(id) FROM tenants WHERE parent_id = %s)" % bf
    k1 = "(SELECT min(id) FROM tenants WHERE parent_id = %s)" % cb
    steps = [
        "INSERT INTO users (email, name) VALUES ('ua@test.example', 'UA');"
        " INSERT INTO memberships (user_id, tenant_id, role) VALUES (%s, %s, 'viewer')" % (ua, bf),
        "UPDATE memberships SET role = 'admin' WHERE user_id = %s" % ua,
        "INSERT INTO memberships (user_id, tenant_id, role) VALUES (%s, %s, 'mssp_analyst')" % (ua, nw),
        "INSERT INTO analyst_assignments (user_id, tenant_id) VALUES (%s, %s)" % (ua, cb),
        "DELETE FROM analyst_assignments WHERE user_id = %s" % ua,
        "UPDATE memberships SET user_id = %s WHERE user_id = %s AND tenant_id = %s" % (vc, ua, bf),
        "INSERT INTO tenants (parent_id, root_id, kind, name, region, ancestors)"
        " VALUES (%s, 0, 'company', 'Access Test Co', 'eu', '{}');"
        " INSERT INTO memberships (user_id, tenant_id, role)"
        " SELECT %s, id, 'owner' FROM tenants WHERE name = 'Access Test Co'" % (bf, ua),
        "DELETE FROM tenants WHERE name = 'Access Test Co'",
        "DELETE FROM users WHERE id = %s" % ua,
    ]
    stale = """SELECT count(*) FROM users u LEFT JOIN user_access a ON a.user_id = u.id
        WHERE (coalesce(a.tenants, '{}'), coalesce(a.roles, '{}'), coalesce(a.assigned, '{}'), coalesce(a.scope, ';'))
              IS DISTINCT FROM
              (coalesce((SELECT array_agg(m.tenant_id ORDER BY m.tenant_id) FROM memberships m
                          WHERE m.user_id = u.id AND m.status = 'active'), '{}'),
               coalesce((SELECT array_agg(m.role ORDER BY m.tenant_id) FROM memberships m
                          WHERE m.user_id = u.id AND m.status = 'active'), '{}'),
               coalesce((SELECT array_agg(x.tenant_id ORDER BY x.tenant_id) FROM analyst_assignments x
                          WHERE x.user_id = u.id), '{}'),
               coalesce((SELECT string_agg(m.tenant_id || ':' || m.role, ',' ORDER BY m.tenant_id)
                          FROM memberships m WHERE m.user_id = u.id AND m.status = 'active'), '') || ';' ||
               coalesce((SELECT string_agg(x.tenant_id::text, ',' ORDER BY x.tenant_id)
                          FROM analyst_assignments x WHERE x.user_id = u.id), ''))"""
    wrong = """SELECT count(*) FROM users u CROSS JOIN tenants t
        WHERE tenant_role(u.id, t.id) IS DISTINCT FROM coalesce(
            (SELECT m.role FROM memberships m
              WHERE m.tenant_id = ANY (t.ancestors) AND m.user_id = u.id AND m.role <> 'mssp_analyst'
                AND m.status = 'active'
              ORDER BY array_position(t.ancestors, m.tenant_id) DESC LIMIT 1),
            (SELECT 'mssp_analyst' FROM memberships m
              WHERE m.tenant_id = t.root_id AND m.user_id = u.id AND m.role = 'mssp_analyst' AND m.status = 'active'
                AND (t.id = t.root_id OR EXISTS (SELECT 1 FROM analyst_assignments x
                                                  WHERE x.user_id = u.id AND x.tenant_id = ANY (t.ancestors)))))"""
    roles = "concat_ws('/', %s)" % ", ".join("coalesce(tenant_role(%s, %s), '-')" % (ua, t) for t in (c1, k1, nw))
    sql = ["BEGIN;"]
    for i, s in enumerate(steps):
        sql.append("%s; SELECT 'step %d', (%s), (%s), %s, (SELECT count(*) FROM user_access WHERE user_id = %s);"
                   % (s, i, stale, wrong, roles, ua))
    sql.append("ROLLBACK;")
    out = owner(ctx, "\n".join(sql)).splitlines()
    got = [l.split("|") for l in out if l.startswith("step ")]
    assert len(got) == len(steps), out
    assert all(g[1] == "0" and g[2] == "0" for g in got), got
    # The rows are not trivially equal to the tables: the roles moved.
    assert [g[3] for g in got[:6]] == ["viewer/-/-", "admin/-/-", "admin/-/mssp_analyst",
                                       "admin/mssp_analyst/mssp_analyst", "admin/-/mssp_analyst",
                                       "-/-/mssp_analyst"], got
    assert got[7][4] == "1" and got[8][4] == "0", got   # the user's row goes with the user
    assert owner(ctx, "SELECT count(*) FROM users WHERE email = 'ua@test.example'") == "0"


# ------------------------------------------------------------------ (f)
# Issue 17, finding 11: the database trusts no setting. Whatever a
# compromised worker runs as portal_app, without the token of a live
# session (or an API key) it reads and writes nothing of any tenant's.

FINGERPRINTED = ["tenants", "memberships", "users", "sessions", "analyst_assignments", "api_keys", "assets",
                 "vulnerabilities", "incidents", "tenant_stats", "branding", "branding_logos", "sla_targets",
                 "invitations", "msp_requests", "notifications", "vuln_daily", "cve_open", "incident_hourly",
                 "incident_recent", "indicator_customers", "indicator_hourly", "user_access", "known_signins"]
# Rows of these with a tenant are the tenant's; those without are an
# account's own (a sign-in's audit row, a reset email anyone may ask for).
FINGERPRINTED_TENANT_ROWS = ["audit_log", "mail_outbox"]
# Brands are what a verified host's signed-out pages show anyone.
PUBLIC_OUTPUT = {"brand_for_tenant", "brand_for_host", "brand_for_request", "logo_get"}


def fingerprint(ctx):
    parts = ["(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM %s t)" % t
             for t in FINGERPRINTED]
    parts += ["(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM %s t"
              " WHERE tenant_id IS NOT NULL)" % t for t in FINGERPRINTED_TENANT_ROWS]
    return dict(zip(FINGERPRINTED + FINGERPRINTED_TENANT_ROWS, owner(ctx, "SELECT " + ", ".join(parts)).split("|")))


def test_the_app_role_with_any_sql_and_no_session_token_reads_and_writes_nothing(ctx):
    tree = Tree(ctx)
    admin = tree.uid["admin@northwind.example"]
    mssp, bluefin = tree.name["Northwind Security"], tree.name["Bluefin IT"]
    ctx.login("admin@northwind.example")  # a live session, whose hash (not token) the worker is given below
    live_hash = owner(ctx, "SELECT token_hash FROM sessions WHERE user_id = %d ORDER BY id DESC LIMIT 1" % admin)
    key_hash = owner(ctx, "SELECT key_hash FROM api_keys LIMIT 1") or "0" * 64
    names = [n for n in owner(ctx, "SELECT name FROM tenants").splitlines() if len(n) >= 6]
    # Every identity setting there ever was, forged: a user id, an API
    # key's tenant, a session's stored hash and an API key's as tokens.
    forged = ("SELECT set_config('app.user_id', '%d', false), set_config('app.api_tenant', '%d', false),"
              " set_config('app.token', '%s', false), set_config('app.api_key', 'mssp_%s', false);"
              % (admin, mssp, live_hash, key_hash))
    before = fingerprint(ctx)

    # Tables: nothing of a tenant's is visible.
    tables = owner(ctx, "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                        " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm')"
                        " AND has_table_privilege('portal_app', c.oid, 'SELECT') ORDER BY 1").splitlines()
    problems = []
    for t in tables:
        if t in ("portal_settings", "schema_migrations", "config_sections"):
            continue  # the operator's settings and catalogues: no tenant's data
        got = app(ctx, forged + " SELECT count(*) FROM %s;" % t).splitlines()[-1]
        if got != "0":
            problems.append("table %s: %s rows visible" % (t, got))

    # Functions: every one the app may call, with the values an attacker
    # would try (the admin, the MSSP, Bluefin, their addresses and hashes).
    def value(name, typ, i):
        name = name.lower()
        if typ == "bigint":
            return str((admin, mssp, bluefin)[i % 3])
        if typ == "integer":
            return "30"
        if typ == "boolean":
            return "true"
        if typ == "jsonb":
            return "'{\"tenant_id\": %d, \"%d\": {\"vulns_open\": 1000}}'::jsonb" % (bluefin, bluefin)
        if typ == "bigint[]":
            return "ARRAY[%d, %d]::bigint[]" % (mssp, bluefin)
        if typ == "interval":
            return "interval '1 hour'"
        if typ == "text":
            if "email" in name or name in ("p_user", "p_to"):
                return "'admin@northwind.example'"
            if "token" in name or "hash" in name:
                return "'%s'" % live_hash
            if "key" in name:
                return "'mssp_%s'" % key_hash
            if "host" in name:
                return "'127.0.0.1'"
            if name == "p_purpose":
                return "'signin'"
            if name == "p_status":
                return "'disabled'"
            if name == "p_role":
                return "'owner'"
            return "'x'"
        return "NULL::%s" % typ

    funcs = owner(ctx, "SELECT p.proname, p.proretset, coalesce(array_to_string(p.proargnames, ','), ''),"
                       " coalesce((SELECT string_agg(format_type(t, NULL), ',' ORDER BY o)"
                       "   FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, o)), ''), p.pronargs,"
                       " format_type(p.prorettype, NULL)"
                       " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                       " WHERE n.nspname = 'public' AND has_function_privilege('portal_app', p.oid, 'EXECUTE')"
                       " ORDER BY 1").splitlines()
    assert len(funcs) > 40, funcs
    calls = 0
    for line in funcs:
        name, retset, argnames, argtypes, nargs, rettype = line.split("|")
        types = argtypes.split(",") if argtypes else []
        argn = (argnames.split(",") if argnames else []) + ["a%d" % k for k in range(len(types))]
        if rettype == "trigger":
            problems.append("%s: a trigger function the app may call" % name)
            continue
        if any(t not in ("bigint", "integer", "boolean", "jsonb", "bigint[]", "interval", "text", "text[]",
                         "timestamp with time zone") for t in types):
            continue  # a composite row: only callable with a row the app can read
        for i in range(3 if types else 1):
            args = ", ".join(value(argn[k], t, i + k) for k, t in enumerate(types))
            call = ("SELECT coalesce((SELECT json_agg(r)::text FROM %s(%s) r), '')" if retset == "t" or
                    rettype == "record" else "SELECT coalesce(%s(%s)::text, '')") % (name, args)
            calls += 1
            try:
                out = app(ctx, forged + " " + call + ";").splitlines()[-1:]
            except RuntimeError:
                continue  # refused
            out = out[0] if out else ""
            if name not in PUBLIC_OUTPUT:
                leaked = [n for n in names if n in out]
                if leaked:
                    problems.append("%s(%s) told of %r: %s" % (name, args, leaked, out[:200]))
    assert calls > 100, calls
    after = fingerprint(ctx)
    for t in before:
        if before[t] != after[t]:
            problems.append("table %s changed" % t)
    assert not problems, "\n".join(problems)


def test_sign_in_is_decided_in_the_database_which_hands_out_no_hash(ctx):
    # The functions that handed out hashes and sessions are gone; what is
    # left answers a setting (salt and parameters), the same for an unknown
    # address on every call, and a session only for the right key.
    for f in ("auth_login_lookup", "auth_session_create", "audit_anonymous", "auth_my_password_hash"):
        assert owner(ctx, "SELECT count(*) FROM pg_proc WHERE proname = '%s'" % f) == "0", f
    stored = owner(ctx, "SELECT password_hash FROM users WHERE email = 'viewer@company.example'")
    got = app(ctx, "SELECT setting FROM auth_login_begin('viewer@company.example', '127.0.0.30', NULL)")
    assert stored.startswith(got.rsplit("$", 1)[0] + "$") and stored.rsplit("$", 1)[1] not in got, (got, stored)
    ghost = [app(ctx, "SELECT setting FROM auth_login_begin('ghost-7@nowhere.example', '127.0.0.30', NULL)")
             for _ in range(2)]
    assert ghost[0] == ghost[1] and ghost[0].startswith("scrypt$32768$8$1$") and ghost[0] != got, ghost
    # A wrong key: no session, and the failure is counted (then forgotten).
    try:
        wrong = got.rsplit("$", 1)[0] + "$" + "00" * 32
        out = app(ctx, "SELECT outcome, token IS NULL FROM auth_login('viewer@company.example', '%s', '127.0.0.30',"
                       " 'probe', NULL, 60)" % wrong)
        assert out == "wrong|t", out
        assert owner(ctx, "SELECT count(*) FROM login_failures WHERE ip = '127.0.0.30'") == "1"
    finally:
        owner(ctx, "DELETE FROM login_failures WHERE ip = '127.0.0.30'")
