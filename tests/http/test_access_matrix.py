"""Cross-tenant access matrix, generated from the route table.

`ctl routes` prints every route and the permission matrix; one test per
route (test_matrix_<name>) sends the route as every persona against every
target tenant and compares the status with the one a Python model of the
documented rules predicts:

- signed out: GET -> 303 to /login?next=<path>, JSON or POST -> 401;
- the persona's role on a tenant is the role of the nearest membership on
  the tenant's ancestor path; an MSSP Analyst's membership counts on the
  MSSP itself and on the subtrees of their assignments only;
- no role (or no such tenant) -> 404, never 403;
- a role without the route's permission on that kind of tenant -> 403;
- allowed: GET -> 200; POSTs are sent so that they fail validation (or
  name a member that does not exist) and must not be refused for the tenant.

No POST of the matrix may change anything: a snapshot of the tables the
write routes touch is compared before and after each route x persona.
A route added to cgi/routes.c gets its own test automatically; a new POST
route whose empty form would succeed makes the snapshot check fail, which
is the signal to add a probe for it to PROBES below.
"""
import json
import os
import subprocess
import urllib.parse

import portal

MISSING = 999999999

PERSONAS = [
    ("signed_out", None),
    ("mssp_admin", "admin@northwind.example"),
    ("mssp_analyst", "analyst@northwind.example"),
    ("msp_owner", "owner@msp1.example"),
    ("msp_admin", "admin@msp1.example"),
    ("msp_analyst", "analyst@msp1.example"),
    ("msp_viewer", "viewer@msp1.example"),
    ("company_owner", "owner@company.example"),
    ("company_viewer", "viewer@company.example"),
    ("other_msp_owner", "owner@evergreen.example"),
]
TARGETS = ["mssp", "bluefin", "bluefin_company", "cobalt_company", "evergreen", "missing"]


# --------------------------------------------------------------- route table
def load_route_table():
    ctl = os.path.join(portal.ROOT, "build", "asan", "bin", "ctl")
    if not os.path.exists(ctl):
        ctl = os.path.join(portal.ROOT, "build", "bin", "ctl")
    env = dict(os.environ, PORTAL_DB=os.environ.get("PORTAL_DB", "x"))
    out = subprocess.run([ctl, "routes"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, timeout=30)
    if out.returncode != 0:
        raise RuntimeError("ctl routes failed (%d): %s" % (out.returncode, out.stderr))
    return json.loads(out.stdout)


try:
    TABLE = load_route_table()
    LOAD_ERROR = None
except Exception as e:  # reported by a test instead of breaking the runner
    TABLE = {"routes": [], "permissions": {}}
    LOAD_ERROR = e

ROUTES = TABLE["routes"]
PERMS = TABLE["permissions"]

# ---------------------------------------------------------------- the model
# authz_grantable() in cgi/authz.c: which roles a role may give (and so which
# members it may manage) on a kind of tenant; only with the team permission.
def grantable(role, kind):
    if role is None or kind not in PERMS.get("team", {}).get(role, []):
        return set()
    if kind == "mssp":
        return {"mssp_admin", "mssp_analyst"} if role == "mssp_admin" else set()
    if role == "admin":
        return {"admin", "analyst", "viewer"}
    return {"owner", "admin", "analyst", "viewer"}


class World:
    """Tenants, memberships and assignments read as the owner role, the
    signed-in clients and the target tenants."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.refresh()
        self.user_ids = {}
        for line in ctx.stack.psql("SELECT id, lower(email) FROM users").splitlines():
            u, e = line.split("|", 1)
            self.user_ids[e] = int(u)
        self.setup_targets(ctx)

    def refresh(self):
        """The tenants, memberships and assignments as they are now: the
        world is built once, and other tests (in any order) may have added
        tenants or members since."""
        psql = self.ctx.stack.psql
        self.tenants = {}
        for line in psql("SELECT id, coalesce(parent_id, 0), kind, status, name FROM tenants").splitlines():
            tid, parent, kind, status, name = line.split("|", 4)
            self.tenants[int(tid)] = {"parent": int(parent) or None, "kind": kind, "status": status, "name": name}
        self.members = {}  # user -> {tenant: role}
        # A suspended membership gives no role (user_access_refresh()).
        for line in psql("SELECT user_id, tenant_id, role FROM memberships WHERE status = 'active'").splitlines():
            u, t, role = line.split("|")
            self.members.setdefault(int(u), {})[int(t)] = role
        self.assigned = {}  # user -> {tenant}
        for line in psql("SELECT user_id, tenant_id FROM analyst_assignments").splitlines():
            u, t = line.split("|")
            self.assigned.setdefault(int(u), set()).add(int(t))

    def setup_targets(self, ctx):
        def by_name(name, kind):
            ids = [t for t, v in self.tenants.items() if v["name"] == name and v["kind"] == kind]
            assert len(ids) == 1, "demo tenant %r not found exactly once: %r" % (name, ids)
            return ids[0]

        def first_child(parent):
            kids = sorted(t for t, v in self.tenants.items() if v["parent"] == parent)
            assert kids, "tenant %d has no children" % parent
            return kids[0]

        mssp = by_name("Northwind Security", "mssp")
        bluefin = by_name("Bluefin IT", "msp")
        cobalt = by_name("Cobalt Managed Services", "msp")
        assert self.tenants[bluefin]["parent"] == mssp and self.tenants[cobalt]["parent"] == mssp
        self.target = {
            "mssp": mssp, "bluefin": bluefin, "bluefin_company": first_child(bluefin),
            "cobalt_company": first_child(cobalt), "evergreen": by_name("Evergreen MSP", "msp"),
            "missing": MISSING,
        }
        assert MISSING not in self.tenants
        self.clients = {}
        self.csrf = {}
        for persona, email in PERSONAS:
            if email is None:
                self.clients[persona] = ctx.client()
                continue
            c = ctx.login(email)
            token = c.csrf()
            assert token, "no CSRF token for %s" % email
            self.clients[persona] = c
            self.csrf[persona] = token

    def uid(self, persona):
        email = dict(PERSONAS)[persona]
        return None if email is None else self.user_ids[email]

    def ancestors(self, tid):
        path = []
        while tid is not None:
            path.insert(0, tid)
            tid = self.tenants[tid]["parent"]
        return path

    def role(self, persona, tid):
        """The documented effective role of a persona on a tenant, or None."""
        uid = self.uid(persona)
        if uid is None or tid not in self.tenants or self.tenants[tid]["status"] != "active":
            return None
        path = self.ancestors(tid)
        mine = self.members.get(uid, {})
        best = None
        for i, t in enumerate(path):  # nearest membership wins
            r = mine.get(t)
            if r is not None and r != "mssp_analyst":
                best = r
        if best is not None:
            return best
        if mine.get(path[0]) == "mssp_analyst":
            if tid == path[0] or self.assigned.get(uid, set()) & set(path):
                return "mssp_analyst"
        return None

    def can(self, role, perm, tid):
        return role is not None and self.tenants[tid]["kind"] in PERMS.get(perm, {}).get(role, [])

    def placeholder_member(self, tid):
        """A member with the lowest role of the tenant (a viewer or an MSSP
        analyst), used as {uid}; MISSING when there is none."""
        cands = sorted(u for u, ts in self.members.items() if ts.get(tid) in ("viewer", "mssp_analyst"))
        return cands[0] if cands else MISSING

    def member_role(self, uid, tid):
        return self.members.get(uid, {}).get(tid)


_WORLD = {}


def world(ctx):
    w = _WORLD.get(ctx.port)
    if w is None:
        w = _WORLD[ctx.port] = World(ctx)
    else:
        w.refresh()
    return w


SNAPSHOT_SQL = """
SELECT concat_ws(' | ',
  'audit ' || (SELECT count(*) || '/' || coalesce(max(id), 0) FROM audit_log),
  'memberships ' || (SELECT count(*) || '/' || md5(coalesce(string_agg(user_id || ',' || tenant_id || ',' || role || ',' || status,
                                                       ';' ORDER BY user_id, tenant_id), '')) FROM memberships),
  'assignments ' || (SELECT count(*) || '/' || md5(coalesce(string_agg(user_id || ',' || tenant_id,
                                                       ';' ORDER BY user_id, tenant_id), '')) FROM analyst_assignments),
  'invitations ' || (SELECT count(*) || '/' || coalesce(max(id), 0) || '/' || md5(coalesce(string_agg(token_hash,
                                                       ';' ORDER BY id), '')) FROM invitations),
  'users ' || (SELECT count(*) || '/' || md5(coalesce(string_agg(id || ',' || status || ',' || coalesce(password_hash, ''),
                                                 ';' ORDER BY id), '')) FROM users),
  'sessions ' || (SELECT count(*) FROM sessions),
  'outbox ' || (SELECT count(*) || '/' || coalesce(max(id), 0) FROM mail_outbox),
  'branding ' || (SELECT count(*) || '/' || md5(coalesce(string_agg(b::text, ';' ORDER BY b::text), '')) FROM branding b),
  'tenants ' || (SELECT count(*) || '/' || md5(coalesce(string_agg(id || ',' || coalesce(parent_id, 0) || ',' || status
                                                   || ',' || name, ';' ORDER BY id), '')) FROM tenants))
"""


def snapshot(ctx):
    return ctx.stack.psql(SNAPSHOT_SQL)


def diff(before, after, ignore=()):
    b, a = before.split(" | "), after.split(" | ")
    return "; ".join("%s -> %s" % (x, y) for x, y in zip(b, a) if x != y and not x.startswith(tuple(ignore)))


# ------------------------------------------------------------------- probes
# How an allowed POST is sent so that it changes nothing, and the status it
# must then answer: fn(world, persona, tenant_id) -> (uid, fields, expected).
def _member_probe(w, persona, tid):
    """role/status: an existing member and no form field -> 400 (or the
    member-level refusal the model predicts)."""
    uid = w.placeholder_member(tid)
    if uid == MISSING:
        return uid, {}, 404
    if uid == w.uid(persona):
        return uid, {}, 409
    if w.member_role(uid, tid) not in grantable(w.role(persona, tid), w.tenants[tid]["kind"]):
        return uid, {}, 403  # "You cannot manage a member with that role." (checked below)
    return uid, {}, 400


def _assign_probe(w, persona, tid):
    uid = w.placeholder_member(tid)
    if uid == MISSING:
        return uid, {}, 404
    if w.tenants[tid]["kind"] != "mssp" or w.member_role(uid, tid) != "mssp_analyst":
        return uid, {}, 409  # only MSSP analysts are assigned
    return uid, {}, 400  # no tenant chosen


def _archive_probe(w, persona, tid):
    """Archiving has no form and is decided one level up: a root is refused
    with 409; without `settings` on the parent (e.g. the parent is not
    visible), 403; a tenant with active children 409; a leaf is archived
    (303) and restored at once."""
    t = w.tenants[tid]
    if t["parent"] is None:
        return MISSING, {}, 409
    if not w.can(w.role(persona, t["parent"]), "settings", t["parent"]):
        return MISSING, {}, 403
    if any(v["parent"] == tid and v["status"] == "active" for v in w.tenants.values()):
        return MISSING, {}, 409
    return MISSING, {}, 303, "UPDATE tenants SET status = 'active' WHERE id = %d" % tid

PROBES = {
    "team_invite": lambda w, p, t: (MISSING, {}, 400),  # no email, name or role
    "team_role": _member_probe,  # no role
    "team_status": _member_probe,  # no status
    "team_membership": _member_probe,  # no status
    "team_remove": lambda w, p, t: (MISSING, {}, 404),  # removing nobody
    "team_assign": _assign_probe,
    "team_unassign": _assign_probe,
    "password": lambda w, p, t: (MISSING, {}, 400),  # no current password
    "tenant_archive": _archive_probe,
    # Resetting SLA targets has no form: it really resets (nothing is set on
    # the demo tenants) and its audit row is removed again.
    "sla_reset": lambda w, p, t: (MISSING, {}, 303, "SELECT 1"),
    "branding_save": lambda w, p, t: (MISSING, {"host": "not a host name!"}, 400),  # invalid host
    "branding_verify": lambda w, p, t: (MISSING, {}, 400),  # no host name claimed: nothing to look up
    # Marks the persona's own notifications read: harmless, and allowed.
    "notifications_read_all": lambda w, p, t: (MISSING, {}, 303),
    # Marking a notification that does not exist (or is not yours) is a no-op.
    "notification_read": lambda w, p, t: (MISSING, {}, 303),
}

# Pages that exist only on some kinds of tenant: elsewhere, with the
# permission, they answer 404 (the page does not exist there).
KIND_ONLY = {
    "msps": {"mssp"},
    "tenant_export": {"mssp", "msp"},  # the table of tenants below: none under a company
    "analytics": {"mssp", "msp"},  # compares the customers below: none under a company
}


def extra_params(route):
    return route["pattern"].count("{") - (1 if "{id}" in route["pattern"] else 0)


# GET routes whose answer, when allowed, depends on the tenant: fn(world,
# tenant id) -> status. A statement to export exists only where the demo
# bills: Northwind (an MSP below it is billed through it; Evergreen is not
# billed).
GET_WHERE = {
    "billing_export": lambda w, t: 200 if w.tenants[t]["kind"] == "mssp" else 404,
}

# GET routes whose answer, when allowed, is a redirect: where a person lands.
GET_REDIRECTS = {"start": 303, "threat_latest": 303}  # (threat_latest without an indicator: the threats page)


def get_expected(route):
    """What an allowed GET answers: 404 when its extra params name objects
    that do not exist, the redirect of a landing route, else 200."""
    return 404 if extra_params(route) else GET_REDIRECTS.get(route["name"], 200)


def default_probe(route):
    """An unknown write route: empty form, placeholder params; any 4xx but a
    refusal will do (404 only when the route names something besides the
    tenant)."""
    extra = extra_params(route)

    def probe(w, p, t):
        return MISSING, {}, ("4xx-not-403" + ("" if extra else "-not-404"))
    return probe


def fill(pattern, tid, uid):
    path = pattern.replace("{id}", str(tid))
    while "{" in path:
        a = path.index("{")
        b = path.index("}", a)
        name = path[a + 1:b]
        value = uid if name == "uid" else MISSING if name.endswith("id") else "x" * 64
        path = path[:a] + str(value) + path[b + 1:]
    return path


def status_ok(expected, got):
    if isinstance(expected, int):
        return got == expected
    if expected.startswith("4xx"):
        if not 400 <= got < 500 or got == 403:
            return False
        return not (expected.endswith("-not-404") and got == 404)
    raise AssertionError(expected)


def send(w, persona, route, path, fields):
    c = w.clients[persona]
    if route["method"] == "GET":
        return c.get(path)
    f = dict(fields)
    if persona in w.csrf and route.get("csrf", True):
        f["csrf"] = w.csrf[persona]
    return c.post(path, f, csrf=False)


def check_signed_out(w, route, path, mismatches):
    c = w.clients["signed_out"]
    if route["method"] == "GET":
        r = c.get(path)
        want = "/login?next=" + urllib.parse.quote(path, safe="/-_.~")
        if r.status != 303 or r.header("Location") != want:
            mismatches.append("signed_out %s %s: expected 303 -> %s, got %d -> %s"
                              % (route["method"], path, want, r.status, r.header("Location")))
        r = c.get_json(path)
        if r.status != 401:
            mismatches.append("signed_out GET %s (JSON): expected 401, got %d" % (path, r.status))
    else:
        r = c.post(path, {}, csrf=False)
        if r.status != 401:
            mismatches.append("signed_out POST %s: expected 401, got %d" % (path, r.status))


def run_tenant_route(ctx, route):
    w = world(ctx)
    perm = route.get("perm")
    assert perm in PERMS, "route %s: unknown permission %r" % (route["name"], perm)
    probe = PROBES.get(route["name"]) or default_probe(route)
    write = route["method"] != "GET"
    mismatches = []
    checked = 0
    before = snapshot(ctx) if write else None
    for persona, email in PERSONAS:
        for target in TARGETS:
            tid = w.target[target]
            if email is None:
                check_signed_out(w, route, fill(route["pattern"], tid, MISSING), mismatches)
                checked += 1
                continue
            role = w.role(persona, tid)
            fields = {}
            uid = MISSING
            body_must = None
            restore = []
            if role is None:
                expected = 404
            elif not w.can(role, perm, tid):
                expected = 403
            elif route["name"] in KIND_ONLY and w.tenants[tid]["kind"] not in KIND_ONLY[route["name"]]:
                expected = 404
            elif not write and route["name"] in GET_WHERE:
                expected = GET_WHERE[route["name"]](w, tid)
            elif not write:
                # Extra params name objects that do not exist: 404.
                expected = get_expected(route)
            else:
                uid, fields, expected, *restore = probe(w, persona, tid)
                if expected == 403:
                    # A 403 from the page itself, never from the tenant check.
                    body_must = {"tenant_archive": "administrator of the tenant above"}.get(
                        route["name"], "cannot manage a member")
            path = fill(route["pattern"], tid, uid)
            if restore:  # the probe really acts: undo it, audit rows included
                audit_max = ctx.stack.psql("SELECT coalesce(max(id), 0) FROM audit_log")
            r = send(w, persona, route, path, fields)
            checked += 1
            if restore:
                ctx.stack.psql("BEGIN; %s; DELETE FROM audit_log WHERE id > %s; COMMIT;" % (restore[0], audit_max))
            if not status_ok(expected, r.status):
                mismatches.append("%s (%s on %s #%d, role %s) %s %s: expected %s, got %d"
                                  % (persona, email, target, tid, role, route["method"], path, expected, r.status))
            elif body_must and body_must not in r.text:
                mismatches.append("%s %s %s: 403 without %r (refused for the tenant?)"
                                  % (persona, route["method"], path, body_must))
    if write:
        after = snapshot(ctx)
        changed = diff(before, after)
        if changed:
            mismatches.append("POST %s (all personas x tenants) changed data: %s" % (route["pattern"], changed))
    assert checked == len(PERSONAS) * len(TARGETS)
    assert not mismatches, "%d of %d cells differ:\n%s" % (len(mismatches), checked, "\n".join(mismatches))


def run_user_route(ctx, route):
    w = world(ctx)
    mismatches = []
    if route["name"] == "logout":  # ends the session: only the signed-out cell
        check_signed_out(w, route, route["pattern"], mismatches)
        assert not mismatches, "\n".join(mismatches)
        return
    probe = PROBES.get(route["name"]) or default_probe(route)
    write = route["method"] != "GET"
    for persona, email in PERSONAS:
        if email is None:
            check_signed_out(w, route, fill(route["pattern"], MISSING, MISSING), mismatches)
            continue
        before = snapshot(ctx) if write else None
        if write:
            uid, fields, expected = probe(w, persona, None)
        else:
            uid, fields, expected = MISSING, {}, get_expected(route)
        path = fill(route["pattern"], MISSING, uid)
        r = send(w, persona, route, path, fields)
        if not status_ok(expected, r.status):
            mismatches.append("%s %s %s: expected %s, got %d" % (persona, route["method"], path, expected, r.status))
        if write:
            after = snapshot(ctx)
            if after != before:
                mismatches.append("%s: POST %s changed data: %s" % (persona, path, diff(before, after)))
    assert not mismatches, "%d mismatches:\n%s" % (len(mismatches), "\n".join(mismatches))


def test_route_table_loads_and_is_consistent(ctx):
    assert LOAD_ERROR is None, "ctl routes: %r" % LOAD_ERROR
    names = [r["name"] for r in ROUTES]
    assert len(names) == len(set(names)), "duplicate route names: %r" % names
    for r in ROUTES:
        assert r["access"] in ("public", "user", "tenant", "api"), r
        if r["access"] == "api":  # bearer-key JSON API: tests/http/test_ingest.py
            assert r["pattern"].startswith("/api/v2/") and not r["csrf"], r
            continue
        assert r["method"] in ("GET", "POST"), r
        if r["access"] == "tenant":
            assert r["pattern"].startswith("/t/{id}"), r
            assert r.get("perm") in PERMS, r
        if r["method"] == "POST" and r["access"] != "public":
            assert r["csrf"], "signed-in write route without CSRF: %r" % r
    roles = {"viewer", "analyst", "admin", "owner", "mssp_analyst", "mssp_admin"}
    for perm, by_role in PERMS.items():
        assert set(by_role) == roles, (perm, by_role)
        for kinds in by_role.values():
            assert set(kinds) <= {"mssp", "msp", "company"}, (perm, kinds)
    # The documented anchors of the matrix.
    assert PERMS["view"]["viewer"] == ["mssp", "msp", "company"]
    assert PERMS["team"]["viewer"] == [] and PERMS["team"]["analyst"] == [] and PERMS["team"]["mssp_analyst"] == []
    assert PERMS["onboard"]["mssp_admin"] == ["mssp"]


def test_the_model_knows_the_demo_personas(ctx):
    """The model's roles for the demo data, spelled out: a check of the
    model itself before it judges the server."""
    w = world(ctx)
    t = w.target
    want = {
        "mssp_admin": {"mssp": "mssp_admin", "bluefin": "mssp_admin", "bluefin_company": "mssp_admin",
                       "cobalt_company": "mssp_admin"},
        "mssp_analyst": {"mssp": "mssp_analyst", "bluefin": "mssp_analyst", "bluefin_company": "mssp_analyst"},
        "msp_owner": {"bluefin": "owner", "bluefin_company": "owner"},
        "msp_admin": {"bluefin": "admin", "bluefin_company": "admin"},
        "msp_analyst": {"bluefin": "analyst", "bluefin_company": "analyst"},
        "msp_viewer": {"bluefin": "viewer", "bluefin_company": "viewer"},
        "company_owner": {"bluefin_company": "owner"},
        "company_viewer": {"bluefin_company": "viewer"},
        "other_msp_owner": {"evergreen": "owner"},
    }
    got = {p: {k: w.role(p, t[k]) for k in TARGETS if w.role(p, t[k])} for p, e in PERSONAS if e}
    assert got == want, "model roles differ from the demo data:\n%r" % got
    # And the server agrees on the role it shows for each visible tenant.
    for p, roles in want.items():
        for k, role in roles.items():
            r = w.clients[p].get_json("/t/%d" % t[k])
            assert r.status == 200, (p, k, r)
            assert r.json()["tenant"]["role"] == role, (p, k, r.json()["tenant"])


def test_public_routes_smoke(ctx):
    c = ctx.client()
    seen = 0
    for r in ROUTES:
        if r["access"] != "public" or r["method"] != "GET":
            continue
        path = fill(r["pattern"], MISSING, MISSING)
        resp = c.get(path)
        seen += 1
        # Public pages answer without a session; made-up tokens never crash.
        assert resp.status < 500 and resp.status not in (401, 403), (path, resp)
        if "{" not in r["pattern"]:
            assert resp.status == 200, (path, resp)
    assert seen >= 3


def _csrf_case(ctx, persona):
    w = world(ctx)
    email = dict(PERSONAS)[persona]
    c = w.clients[persona]
    token = w.csrf[persona]
    psql = ctx.stack.psql
    old_hash = psql("SELECT password_hash FROM users WHERE lower(email) = '%s'" % email)
    problems = []
    change = {"current": portal.DEMO_PASSWORD, "password": "csrf-probe-Pw-2026!", "password2": "csrf-probe-Pw-2026!"}
    cases = [("POST /account/password without token", "/account/password", dict(change), {}),
             ("POST /account/password from evil origin", "/account/password", dict(change, csrf=token),
              {"Origin": "http://evil.example"})]
    # A tenant write the persona is allowed to make, if any.
    for target in TARGETS:
        tid = w.target[target]
        if w.can(w.role(persona, tid), "team", tid):
            grant = sorted(grantable(w.role(persona, tid), w.tenants[tid]["kind"]))[-1]
            inv = {"email": "csrf-probe-%s@example.com" % persona, "name": "Csrf Probe", "role": grant}
            cases.append(("POST invite on %s without token" % target, "/t/%d/team/invite" % tid, dict(inv), {}))
            cases.append(("POST invite on %s from evil origin" % target, "/t/%d/team/invite" % tid,
                          dict(inv, csrf=token), {"Origin": "http://evil.example"}))
            break
    try:
        for label, path, fields, headers in cases:
            before = snapshot(ctx)
            r = c.post(path, fields, headers=headers, csrf=False)
            after = snapshot(ctx)
            if r.status != 403 or "did not come from this site" not in r.text:
                problems.append("%s: expected 403 (form expired), got %r" % (label, r))
            if after != before:
                problems.append("%s: changed data: %s" % (label, diff(before, after)))
        # The session is still good (a refused write ends nothing).
        assert c.get("/").status == 200
    finally:
        if psql("SELECT password_hash FROM users WHERE lower(email) = '%s'" % email) != old_hash:
            psql("UPDATE users SET password_hash = '%s' WHERE lower(email) = '%s'" % (old_hash, email))
            problems.append("the password of %s was changed (restored)" % email)
    assert not problems, "\n".join(problems)


def _make_csrf_test(persona):
    def test(ctx):
        _csrf_case(ctx, persona)
    test.__name__ = "test_csrf_refused_for_" + persona
    return test


def test_malformed_tenant_ids_are_not_found(ctx):
    """Ids that are not a positive decimal bigint never reach a tenant."""
    w = world(ctx)
    c = w.clients["mssp_admin"]
    bad = []
    for route in ROUTES:
        if route["access"] != "tenant":
            continue
        for tid in ("0", "-1", "abc", "1e3", "01", "%d.5" % w.target["mssp"], "9" * 19, "99999999999999999999",
                    "%20" + str(w.target["mssp"])):
            path = fill(route["pattern"], tid, MISSING)
            if route["method"] == "GET":
                r = c.get(path)
            else:
                r = c.post(path, {"csrf": w.csrf["mssp_admin"]}, csrf=False)
            if r.status != 404:
                bad.append("%s %s: %d" % (route["method"], path, r.status))
    assert not bad, "expected 404:\n" + "\n".join(bad)


# team_invite() once upserted the membership of an existing address
# (ON CONFLICT ... SET role), so inviting someone the inviter cannot manage
# rewrote their role: a company Owner turned the MSSP Admin into a Viewer
# of the company (the nearest membership wins), locking the MSSP out of its
# team and audit pages.
def test_invite_cannot_downgrade_someone_the_inviter_cannot_manage(ctx):
    w = world(ctx)
    co, admin = w.target["bluefin_company"], w.uid("mssp_admin")
    try:
        r = w.clients["company_owner"].post("/t/%d/team/invite" % co,
                                            {"email": "admin@northwind.example", "name": "Nora Admin",
                                             "role": "viewer", "csrf": w.csrf["company_owner"]}, csrf=False)
        role = w.clients["mssp_admin"].get_json("/t/%d" % co).json()["tenant"]["role"]
        assert role == "mssp_admin", "after the invite (%d) the MSSP Admin is %s on the company" % (r.status, role)
    finally:
        # What the invite may have left: the invitation, its mail to the
        # MSSP Admin (not for other tests' mailboxes), the membership.
        ctx.stack.psql("DELETE FROM mail_outbox WHERE to_addr = 'admin@northwind.example' AND status = 'queued'"
                       " AND created_at > now() - interval '1 minute' AND subject LIKE '%%invited%%';"
                       "DELETE FROM invitations WHERE tenant_id = %d AND user_id = %d;"
                       " DELETE FROM memberships WHERE tenant_id = %d AND user_id = %d" % (co, admin, co, admin))


# ------------------------------------------------------- the second axis
# Issue 17: Row-Level Security keeps rows apart, but a route that acts on a
# person, a membership, an invitation or a host name takes that object from
# the URL or the form. For each such route, every persona, from every tenant
# where it may use the route, aims at the objects of other tenants with a
# real attempt (not a probe that fails validation): every attempt is
# refused and nothing changes (users, memberships, invitations, sessions,
# outbox, branding and audit tables compared before and after).

PEOPLE = {
    # route -> (what the URL or form names, the fields of a real attempt)
    "team_role": ("user", {"role": "viewer"}),
    "team_status": ("user", {"status": "disabled"}),
    "team_membership": ("user", {"status": "suspended"}),
    "team_remove": ("user", {}),
    "team_assign": ("user", {"tenant": "{bluefin}"}),
    "team_unassign": ("user", {"tenant": "{bluefin}"}),
    "team_invitation_revoke": ("invitation", {}),
    "team_invitation_resend": ("invitation", {}),
    "account_leave": ("tenant", {}),
    "account_invitation_accept": ("my_invitation", {}),
    "account_invitation_decline": ("my_invitation", {}),
    "branding_save": ("host", {}),
    "invite_accept": ("invite_token", {"name": "Not Mine"}),
}
REFUSED = (403, 404, 409, 410)


def test_every_route_on_people_and_hosts_is_on_the_second_axis(ctx):
    named = {r["name"] for r in ROUTES if r["method"] == "POST" and (
        any(p in r["pattern"] for p in ("{uid}", "/invitations/{iid}", "/memberships/{tid}", "{token}"))
        or "host" in r["name"] or r["name"] == "branding_save")}
    # Reset and sign-in links act on the account of their own token.
    named -= {"reset", "login_link_use"}
    assert named <= set(PEOPLE), "routes on people or hosts without a second-axis case: %s" % (named - set(PEOPLE))
    assert set(PEOPLE) <= {r["name"] for r in ROUTES}, set(PEOPLE) - {r["name"] for r in ROUTES}


def _subtree(w, tid):
    return {t for t in w.tenants if tid in w.ancestors(t)}


def _pending_invitation(ctx, w, inviter, tid, email):
    """A pending invitation of tenant tid to email, sent by inviter through
    the portal; (its id, the token from its email)."""
    since = len(ctx.stack.messages())
    c = w.clients[inviter]
    r = c.post("/t/%d/team/invite" % tid, {"email": email, "name": "Second Axis", "role": "viewer",
                                           "csrf": w.csrf[inviter]}, csrf=False)
    assert r.status in (200, 303), (inviter, email, r)
    iid = int(ctx.stack.psql("SELECT i.id FROM invitations i JOIN users u ON u.id = i.user_id"
                             " WHERE lower(u.email) = lower('%s') AND i.tenant_id = %d AND i.accepted_at IS NULL"
                             " ORDER BY i.id DESC LIMIT 1" % (email, tid)))
    msg = ctx.stack.wait_mail(lambda m: email in str(m["To"]), since)
    link = portal.find_link(portal.body_of(msg, "plain"), r"https?://\S+/invite/[0-9a-f]{64}")
    assert link, portal.body_of(msg, "plain")
    return iid, link.rsplit("/", 1)[1]


def test_the_second_axis_no_persona_acts_on_another_tenants_people_or_hosts(ctx):
    w = world(ctx)
    bluefin, evergreen = w.target["bluefin"], w.target["evergreen"]
    psql = ctx.stack.psql
    # The objects: an invitation pending in Bluefin and one in Evergreen (to
    # new addresses), one to an existing account (Evergreen's owner, into
    # Bluefin), and a host name Bluefin holds verified.
    invites = [_pending_invitation(ctx, w, "msp_owner", bluefin, "axis-b@second-axis.example"),
               _pending_invitation(ctx, w, "other_msp_owner", evergreen, "axis-e@second-axis.example")]
    inv_tenant = {invites[0][0]: bluefin, invites[1][0]: evergreen}
    existing = _pending_invitation(ctx, w, "msp_owner", bluefin, "owner@evergreen.example")
    inv_tenant[existing[0]] = bluefin
    host = "portal.second-axis.example"
    with ctx.stack.restoring("branding", "tenant_id = %d" % bluefin):
        psql("INSERT INTO branding (tenant_id, root_id, host, host_token, host_claimed_at, host_verified_at,"
             " host_verified_by) SELECT id, root_id, '%s', '%s', now(), now(), 'operator' FROM tenants WHERE id = %d"
             " ON CONFLICT (tenant_id) DO UPDATE SET host = EXCLUDED.host, host_token = EXCLUDED.host_token,"
             " host_claimed_at = now(), host_verified_at = now(), host_verified_by = 'operator'"
             % (host, "a" * 32, bluefin))
        w.refresh()
        # The control: the same client, CSRF token and snapshot see a real
        # change when the persona may make it (Bluefin's owner suspends and
        # resumes a Bluefin member), so the refusals below are refusals.
        member = w.placeholder_member(bluefin)
        before = snapshot(ctx)
        for status in ("suspended", "active"):
            r = w.clients["msp_owner"].post("/t/%d/team/%d/membership" % (bluefin, member),
                                            {"status": status, "csrf": w.csrf["msp_owner"]}, csrf=False)
            assert r.status == 303, (status, r)
            if status == "suspended":
                assert snapshot(ctx) != before
        users = {u for u in w.members}
        invited_to = {iid: int(psql("SELECT user_id FROM invitations WHERE id = %d" % iid)) for iid in inv_tenant}
        mismatches, attempts = [], 0
        for name, (kind, fields) in PEOPLE.items():
            route = next(r for r in ROUTES if r["name"] == name)
            fields = {k: v.replace("{bluefin}", str(bluefin)) for k, v in fields.items()}
            for persona, email in PERSONAS:
                if email is None:
                    continue
                me = w.uid(persona)
                own = sorted(t for t in w.members.get(me, {}))
                cases = []  # (path, extra fields)
                if kind == "user":
                    for t in own:
                        if not w.can(w.role(persona, t), route["perm"], t):
                            continue
                        inside = _subtree(w, t)
                        for v in sorted(users):
                            if v != me and not set(w.members.get(v, {})) & inside:
                                cases.append((fill(route["pattern"], t, v), {}))
                elif kind == "invitation":
                    for t in own:
                        if not w.can(w.role(persona, t), route["perm"], t):
                            continue
                        for iid, it in inv_tenant.items():
                            if it not in _subtree(w, t):
                                cases.append((route["pattern"].replace("{id}", str(t)).replace("{iid}", str(iid)),
                                              {}))
                elif kind == "tenant":
                    for t in sorted(w.tenants):
                        if t not in w.members.get(me, {}):
                            cases.append((route["pattern"].replace("{tid}", str(t)), {}))
                elif kind == "my_invitation":
                    for iid in inv_tenant:
                        if invited_to[iid] != me:
                            cases.append((route["pattern"].replace("{iid}", str(iid)), {}))
                elif kind == "host":
                    for t in own:
                        if t != bluefin and w.can(w.role(persona, t), route["perm"], t):
                            cases.append((fill(route["pattern"], t, MISSING), {"host": host}))
                elif kind == "invite_token":
                    if email != "owner@evergreen.example":
                        cases.append((route["pattern"].replace("{token}", existing[1]), {}))
                if not cases:
                    continue
                before = snapshot(ctx)
                for path, extra in cases:
                    f = dict(fields, **extra)
                    f["csrf"] = w.csrf[persona]
                    r = w.clients[persona].post(path, f, csrf=False)
                    attempts += 1
                    if r.status not in REFUSED:
                        mismatches.append("%s POST %s %r: %d (expected a refusal)" % (persona, path, f, r.status))
                after = snapshot(ctx)
                if after != before:
                    mismatches.append("%s: %s on other tenants' objects changed data: %s"
                                      % (persona, name, diff(before, after)))
        psql("DELETE FROM invitations WHERE id IN (%s)" % ", ".join(str(i) for i in inv_tenant))
    psql("DELETE FROM users u WHERE u.email LIKE 'axis-%@second-axis.example'")
    w.refresh()
    print("# second axis: %d attempts" % attempts)
    assert attempts > 200, attempts
    assert not mismatches, "%d of %d attempts:\n%s" % (len(mismatches), attempts, "\n".join(mismatches[:40]))


def make_test(route):
    if route["access"] == "tenant":
        def test(ctx):
            run_tenant_route(ctx, route)
    else:
        def test(ctx):
            run_user_route(ctx, route)
    test.__name__ = "test_matrix_" + route["name"]
    return test


for _route in ROUTES:
    if _route["access"] in ("user", "tenant"):
        globals()["test_matrix_" + _route["name"]] = make_test(_route)
for _persona, _email in PERSONAS:
    if _email is not None:
        globals()["test_csrf_refused_for_" + _persona] = _make_csrf_test(_persona)
del _route, _persona, _email
