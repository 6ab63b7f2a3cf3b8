"""A tenant's portal host name is verified before it is used (issue 17,
finding 1): a claim is pending, and shows the portal's default brand, until
a DNS TXT record proves the tenant controls the name (checked against a
real DNS server, dnsmasq, that the test stack starts: tests/lib/portal.py,
DnsServer) or the operator approves it (`ctl host-approve`)."""
import html
import re
import time

import portal

PREFIX = "_mssp-portal-verify."


def wl(client, tenant):
    r = client.get_json("/t/%d/settings/branding" % tenant)
    assert r.status == 200, r
    return r.json()["wl"]


def claim(client, tenant, host, title):
    r = client.post("/t/%d/settings/branding" % tenant, {"page_title": title, "host": host})
    assert r.status == 303, (r, r.text[-2000:])
    return wl(client, tenant)["host"]


def verify(client, tenant):
    return client.post("/t/%d/settings/branding/verify" % tenant)


def sign_in_title(ctx, host):
    page = portal.Client(ctx.port, host=host).get("/login")
    assert page.status == 200, page
    return re.search(r"<title>([^<]*)</title>", page.text).group(1)


def audit_actions(client, tenant):
    return [e["action"] for e in client.get_json("/t/%d/audit?action=branding." % tenant).json()["entries"]]


def test_a_claimed_host_is_pending_and_wears_the_default_brand_until_verified(ctx):
    bf = ctx.stack.tenant_id("Bluefin IT")
    host = "login.pending-%d.example" % (int(time.time() * 1000) % 10000000)
    msp = ctx.login("owner@msp1.example")
    with ctx.stack.restoring("branding", "tenant_id = %d" % bf):
        h = claim(msp, bf, host, "Bluefin Pending")
        assert h["value"] == host and h["state"] == "pending", h
        assert h["txt_name"] == PREFIX + host, h
        assert re.fullmatch(r"mssp-portal-verify=[0-9a-f]{32}", h["txt_value"]), h
        # The page says what to create, and has a Verify button (a POST with
        # the CSRF token).
        page = html.unescape(msp.get("/t/%d/settings/branding" % bf).text)
        assert h["txt_name"] in page and h["txt_value"] in page and "pending verification" in page
        form = re.search(r'<form method="post" action="/t/%d/settings/branding/verify" id="host-verify-form"[^>]*>'
                         r'<input type="hidden" name="csrf" value="([0-9a-f]+)">' % bf, page)
        assert form and portal.unmask_csrf(form.group(1)) == portal.unmask_csrf(msp.csrf()), page[-3000:]
        assert 'form="host-verify-form"' in page
        settings = msp.get_json("/t/%d/settings" % bf).json()["wl"]["host"]
        assert settings["state"] == "pending" and "pending verification" in msp.get("/t/%d/settings" % bf).text
        # Signed out on that name: the portal's own brand everywhere.
        assert sign_in_title(ctx, host) == "Sign in · MSSP Portal"
        on_host = portal.Client(ctx.port, host=host)
        r = on_host.get("/no-such-page")
        assert r.status == 404 and "Bluefin Pending" not in r.text
        assert "Bluefin Pending" not in on_host.get("/forgot").text
        # A verification without a token is refused.
        r = verify(portal.Client(ctx.port), bf)
        assert r.status in (303, 401, 403), r
        assert "branding.host_claimed" in audit_actions(msp, bf)


def test_dns_verification_finds_only_the_right_record_and_a_new_name_starts_over(ctx):
    bf = ctx.stack.tenant_id("Bluefin IT")
    n = int(time.time() * 1000) % 10000000
    host, other = "portal.dns-%d.example" % n, "portal.dns-%d-b.example" % n
    msp = ctx.login("owner@msp1.example")
    with ctx.stack.restoring("branding", "tenant_id = %d" % bf):
        h = claim(msp, bf, host, "Bluefin DNS")
        # No record at all (NXDOMAIN), then a record with the wrong value:
        # a clear error next to the field, still pending.
        for records in ((), ((PREFIX + host, "mssp-portal-verify=" + "0" * 32),)):
            ctx.stack.dns.txt(*records)
            r = verify(msp, bf)
            assert r.status == 400, (records, r)
            assert ("No TXT record %s found at %s" % (h["txt_value"], h["txt_name"])) in html.unescape(r.text), \
                r.text[-3000:]
            assert 'class="field-error"' in r.text
            assert wl(msp, bf)["host"]["state"] == "pending"
            assert sign_in_title(ctx, host) == "Sign in · MSSP Portal"
        # The same answer in the JSON twin.
        r = msp.post("/t/%d/settings/branding/verify.json" % bf)
        assert r.status == 400 and "No TXT record" in r.json()["form"]["errors"]["host"], r
        # The right record, next to another one: verified, and the name brands.
        ctx.stack.dns.txt((PREFIX + host, "v=spf1 -all"), (PREFIX + host, h["txt_value"]))
        r = verify(msp, bf)
        assert r.status == 303 and r.header("Location").endswith("/t/%d/settings?done=host_verified" % bf), r
        v = wl(msp, bf)["host"]
        assert v["state"] == "verified" and v["verified_by"] == "dns" and v["verified_at"], v
        assert "txt_value" not in v
        assert "verified by its DNS TXT record" in msp.get("/t/%d/settings/branding" % bf).text
        assert sign_in_title(ctx, host) == "Sign in · Bluefin DNS"
        r = portal.Client(ctx.port, host=host).get("/no-such-page")
        assert r.status == 404 and "Bluefin DNS" in r.text
        assert "branding.host_verified" in audit_actions(msp, bf)
        # Another name: pending again, with a new token; neither name brands.
        h2 = claim(msp, bf, other, "Bluefin DNS")
        assert h2["state"] == "pending" and h2["txt_value"] != h["txt_value"], h2
        assert sign_in_title(ctx, host) == "Sign in · MSSP Portal"
        assert sign_in_title(ctx, other) == "Sign in · MSSP Portal"
        # Back to the first name: its old record no longer verifies it.
        h3 = claim(msp, bf, host, "Bluefin DNS")
        assert h3["state"] == "pending" and h3["txt_value"] not in (h["txt_value"], h2["txt_value"]), h3
        assert verify(msp, bf).status == 400
        assert sign_in_title(ctx, host) == "Sign in · MSSP Portal"
        # Saving the form again without changing the name keeps its state.
        ctx.stack.dns.txt((PREFIX + host, h3["txt_value"]))
        assert verify(msp, bf).status == 303
        h4 = claim(msp, bf, host, "Bluefin DNS 2")
        assert h4["state"] == "verified", h4
        assert sign_in_title(ctx, host) == "Sign in · Bluefin DNS 2"


def test_a_dead_resolver_gives_a_clear_error_quickly(ctx):
    bf = ctx.stack.tenant_id("Bluefin IT")
    host = "portal.dead-%d.example" % (int(time.time() * 1000) % 10000000)
    msp = ctx.login("owner@msp1.example")
    with ctx.stack.restoring("branding", "tenant_id = %d" % bf):
        h = claim(msp, bf, host, "Bluefin Dead")
        with ctx.stack.dns.silent():
            t0 = time.time()
            r = verify(msp, bf)
            took = time.time() - t0
        assert r.status == 502, r
        assert "Could not check %s: the DNS resolver did not answer" % h["txt_name"] in r.text, r.text[-3000:]
        assert took < 6, took
        assert wl(msp, bf)["host"]["state"] == "pending"
        assert sign_in_title(ctx, host) == "Sign in · MSSP Portal"


def test_the_operator_approves_a_host_and_a_verified_name_is_one_tenants(ctx):
    bf, ever = ctx.stack.tenant_id("Bluefin IT"), ctx.stack.tenant_id("Evergreen MSP")
    n = int(time.time() * 1000) % 10000000
    host = "portal.op-%d.example" % n
    msp, other = ctx.login("owner@msp1.example"), ctx.login("owner@evergreen.example")
    with ctx.stack.restoring("branding", "tenant_id IN (%d, %d)" % (bf, ever)):
        r = ctx.stack.ctl("host-approve", host)
        assert r.returncode == 1 and "no tenant" in r.stdout, r.stdout
        # A pending claim blocks nobody: a squatter's claim does not keep the
        # name from the tenant that really holds it.
        squat = claim(other, ever, host, "Evergreen Squat")
        mine = claim(msp, bf, host, "Bluefin Operator")
        assert squat["state"] == mine["state"] == "pending"
        # Two claims: the operator says which.
        r = ctx.stack.ctl("host-approve", host)
        assert r.returncode == 1 and "choose one with --tenant" in r.stdout, r.stdout
        r = ctx.stack.ctl("host-approve", host.upper(), "--tenant", str(bf))
        assert r.returncode == 0 and "verified for tenant %d" % bf in r.stdout, r.stdout
        v = wl(msp, bf)["host"]
        assert v["state"] == "verified" and v["verified_by"] == "operator", v
        assert "verified by the portal's operator" in html.unescape(msp.get("/t/%d/settings/branding" % bf).text)
        assert sign_in_title(ctx, host) == "Sign in · Bluefin Operator"
        assert ctx.stack.psql("SELECT count(*) FROM audit_log WHERE action = 'operator.host_approved'"
                              " AND tenant_id = %d AND details->>'host' = '%s'" % (bf, host)) == "1"
        # Approving again says so; approving it for the other tenant is refused.
        r = ctx.stack.ctl("host-approve", host)
        assert r.returncode == 0 and "already verified" in r.stdout, r.stdout
        r = ctx.stack.ctl("host-approve", host, "--tenant", str(ever))
        assert r.returncode == 1 and "verified for tenant %d" % bf in r.stdout, r.stdout
        # The squatter cannot verify it now, even with its own record in DNS.
        ctx.stack.dns.txt((PREFIX + host, squat["txt_value"]))
        r = verify(other, ever)
        assert r.status == 409 and "already verified for another tenant" in r.text, r
        assert wl(other, ever)["host"]["state"] == "pending"
        # And nobody else may claim it afresh.
        r = other.post("/t/%d/settings/branding" % ever, {"page_title": "Evergreen", "host": "x." + host})
        assert r.status == 303
        r = other.post("/t/%d/settings/branding" % ever, {"page_title": "Evergreen", "host": host})
        assert r.status == 409 and "already verified for another tenant" in r.text, r
        assert sign_in_title(ctx, host) == "Sign in · Bluefin Operator"
        # Removing the name ends its verification.
        assert msp.post("/t/%d/settings/branding/reset" % bf, {"field": "host"}).status == 303
        assert sign_in_title(ctx, host) == "Sign in · MSSP Portal"
        assert ctx.stack.psql("SELECT concat_ws('/', host, host_token, host_verified_at) FROM branding"
                              " WHERE tenant_id = %d" % bf) == ""


def test_the_portals_own_names_stay_its_own_even_verified_from_psql(ctx):
    ever = ctx.stack.tenant_id("Evergreen MSP")
    other = ctx.login("owner@evergreen.example")
    with ctx.stack.restoring("branding", "tenant_id = %d" % ever):
        for own in ("127.0.0.1", "portal.mssp.example"):
            r = other.post("/t/%d/settings/branding" % ever, {"page_title": "Mine", "host": own})
            assert r.status == 400 and "the portal&#39;s own host name" in r.text, (own, r)
        # A row that claims one anyway (psql), even verified, brands nothing.
        q = ctx.stack.psql
        q("INSERT INTO branding (tenant_id, root_id, page_title, host) VALUES (%d, %d, 'Evergreen Own', 'portal.mssp.example')"
          " ON CONFLICT (tenant_id) DO UPDATE SET page_title = excluded.page_title, host = excluded.host"
          % (ever, ever))
        q("UPDATE branding SET host_verified_at = now(), host_verified_by = 'operator' WHERE tenant_id = %d" % ever)
        assert sign_in_title(ctx, "portal.mssp.example") == "Sign in · MSSP Portal"


def test_the_app_role_cannot_mark_a_host_verified(ctx):
    # Only branding_host_verify() (after the DNS check, for the row's own
    # name and token) and the operator write the verification.
    bf = ctx.stack.tenant_id("Bluefin IT")
    q = ctx.stack.psql
    with ctx.stack.restoring("branding", "tenant_id = %d" % bf):
        q("INSERT INTO branding (tenant_id, root_id, host) VALUES (%d, %d, 'app.role.example')"
          " ON CONFLICT (tenant_id) DO UPDATE SET host = excluded.host" % (bf, bf))
        for sql in ("UPDATE branding SET host_verified_at = now(), host_verified_by = 'dns'",
                    "INSERT INTO branding (tenant_id, root_id, host, host_verified_at, host_verified_by)"
                    " VALUES (1, 1, 'x.example', now(), 'dns')"):
            try:
                q(sql, user="portal_app")
                raise AssertionError("the app role wrote a verification: %s" % sql)
            except RuntimeError as e:
                assert "permission denied" in str(e), e
        # The function: the wrong token, or no right to the tenant, verifies nothing.
        uid = ctx.stack.user_id("owner@msp1.example")
        viewer = ctx.stack.user_id("viewer@company.example")
        token = q("SELECT host_token FROM branding WHERE tenant_id = %d" % bf)
        for user, tok in ((uid, "0" * 32), (viewer, token)):
            got = q("BEGIN; SELECT set_config('app.user_id', '%d', true);"
                    " SELECT branding_host_verify(%d, 'app.role.example', '%s') IS NULL; ROLLBACK;"
                    % (user, bf, tok), user="portal_app")
            assert got.splitlines()[-1] == "t", (user, got)  # the row is untouched either way
        assert q("SELECT host_verified_at IS NULL FROM branding WHERE tenant_id = %d" % bf) == "t"


def test_email_links_never_come_from_the_request_host_even_a_verified_one(ctx):
    bf = ctx.stack.tenant_id("Bluefin IT")
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d" % bf))
    n = int(time.time() * 1000) % 10000000
    host = "portal.mail-%d.example" % n
    email = "hostmail%d@company.example" % n
    msp = ctx.login("owner@msp1.example")
    with ctx.stack.restoring("branding", "tenant_id = %d" % bf):
        claim(msp, bf, host, "Bluefin Mail")
        assert ctx.stack.ctl("host-approve", host).returncode == 0
        ctx.stack.new_user(email, (co, "viewer"))
        try:
            for on in (host, "evil-%d.example" % n):
                before = len(ctx.stack.messages())
                r = portal.Client(ctx.port, host=on).post("/forgot", {"email": email}, csrf=False)
                assert r.status in (200, 303), r
                msg = ctx.stack.wait_mail(lambda m: m["To"] == email, before, what="the reset email")
                text = portal.body_of(msg)
                link = portal.find_link(text, r"https?://\S+/reset/[0-9a-f]{64}")
                assert link and link.startswith("http://127.0.0.1:%d/reset/" % ctx.port), text
                assert on not in text and on not in portal.body_of(msg, "html")
                # The recipient's own brand (their MSP's), whatever the Host.
                assert str(msg["Subject"]).startswith("Bluefin Mail: "), msg["Subject"]
        finally:
            ctx.stack.psql("DELETE FROM users WHERE email = '%s'" % email)
