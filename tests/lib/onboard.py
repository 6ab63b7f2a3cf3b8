"""Onboarding helpers the tests share: an unmanaged MSP of the test's own,
and the MSSP side's requests."""
import itertools
import time
import urllib.parse

import portal

_n = itertools.count(1)


def mssp_id(ctx):
    return int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Northwind Security'"))


def make_msp(ctx, region="eu", companies=3):
    """A new MSP nobody manages, with an owner (password portal-demo-2026)."""
    n = "%d%d" % (int(time.time() * 1000) % 100000, next(_n))
    name, email = "Onboard MSP %s" % n, "owner%s@onboard.example" % n
    ctx.stack.psql(
        "WITH t AS (INSERT INTO tenants (kind, name, region, ancestors, root_id) VALUES ('msp', '%s', '%s', '{0}', 0)"
        " RETURNING id), u AS (INSERT INTO users (email, name, password_hash) SELECT '%s', 'Owner %s', password_hash"
        " FROM users WHERE email = 'admin@northwind.example' RETURNING id)"
        " INSERT INTO memberships (user_id, tenant_id, role) SELECT u.id, t.id, 'owner' FROM t, u"
        % (name, region, email, n))
    msp = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = '%s'" % name))
    for i in range(companies):
        ctx.stack.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                       " VALUES ('company', 'Client %s-%d', '%s', %d, '{0}', 0)" % (n, i, region, msp))
    return msp, name, email


def add_msp(admin, ctx, email, name):
    return admin.post("/t/%d/msps/add" % mssp_id(ctx), {"email": email, "name": name})


def request_mail(ctx, to, since, timeout=20):
    m = ctx.stack.wait_mail(lambda m: m["To"] == to and ": MSSP Approval Request" in m["Subject"], since, timeout,
                            "an approval email to %s" % to)
    text = portal.body_of(m)
    link = portal.find_link(text, r"https?://\S+/requests/[0-9a-f]{64}")
    assert link, text
    return m, urllib.parse.urlsplit(link).path


def requests_of(admin, ctx):
    return admin.get_json("/t/%d/msps" % mssp_id(ctx)).json()["requests"]


def find(reqs, msp_name):
    return next(r for r in reqs if r["msp_name"] == msp_name)
