"""White labelling: title, footer, logos and portal host per tenant,
inherited field by field down the tree, shown on every page, the sign-in
page (by Host) and in emails; uploads recognised by their bytes."""
import re
import time

import portal

HOST = "portal.bluefin.example"


def tid(ctx, name):
    return int(ctx.stack.psql("SELECT id FROM tenants WHERE name = '%s'" % name.replace("'", "''")))


def first_company(ctx):
    return int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d" % tid(ctx, "Bluefin IT")))


def clear(ctx, *ids):
    """The tenants' white labelling gone: their settings and logo files."""
    ids = ",".join(str(i) for i in ids)
    ctx.stack.psql("DELETE FROM branding WHERE tenant_id IN (%s); DELETE FROM branding_logos WHERE tenant_id IN (%s)"
                   % (ids, ids))


def snapshot(ctx, tenant):
    """The tenant's white labelling as it is (Northwind's is the demo's:
    its title, footer and logos), for put_back()."""
    return [ctx.stack.psql("SELECT coalesce(json_agg(t), '[]') FROM %s t WHERE tenant_id = %d" % (table, tenant))
            for table in ("branding_logos", "branding")]


def put_back(ctx, tenant, saved):
    """The tenant's white labelling as snapshot() found it: logos first,
    then the settings that name them."""
    clear(ctx, tenant)
    for table, rows in zip(("branding_logos", "branding"), saved):
        ctx.stack.psql("INSERT INTO %s SELECT * FROM json_populate_recordset(NULL::%s, '%s')"
                       % (table, table, rows.replace("'", "''")))


png, multipart = portal.png, portal.multipart


def save(client, tenant, fields, files=None, json_answer=False):
    fields = dict(fields)
    fields.setdefault("csrf", client.csrf())
    body, ctype = multipart(fields, files)
    path = "/t/%d/settings/branding%s" % (tenant, ".json" if json_answer else "")
    return client.request("POST", path, body=body, headers={"Content-Type": ctype})


def wl(client, tenant):
    r = client.get_json("/t/%d/settings" % tenant)
    assert r.status == 200, r
    return r.json()["wl"]


def test_title_and_footer_inherit_field_by_field_with_their_sources(ctx):
    nw, bf, co = tid(ctx, "Northwind Security"), tid(ctx, "Bluefin IT"), first_company(ctx)
    admin = ctx.login("admin@northwind.example")
    msp = ctx.login("owner@msp1.example")
    company = ctx.login("owner@company.example")
    demo = snapshot(ctx, nw)
    clear(ctx, nw, bf, co)  # the test's own start: nobody sets anything
    try:
        r = save(admin, nw, {"page_title": "Northwind Cloud", "footer": "Northwind footer"})
        assert r.status == 303 and r.header("Location").endswith("/settings?done=branding"), r
        s = wl(admin, nw)
        assert s["page_title"]["value"] == "Northwind Cloud" and s["page_title"]["source"] == "set here"
        # An MSP and its company inherit both fields from the MSSP.
        s = wl(msp, bf)
        assert s["page_title"]["value"] == "Northwind Cloud"
        assert s["page_title"]["source"] == "inherited from Northwind Security"
        page = company.get("/t/%d" % co)
        assert "<title>Northwind Security" not in page.text and "· Northwind Cloud</title>" in page.text
        assert "Northwind footer" in page.text
        # The MSP sets only its footer: title still from the MSSP, footer its own.
        assert save(msp, bf, {"footer": "Bluefin footer"}).status == 303
        s = wl(msp, bf)
        assert s["footer"]["source"] == "set here" and s["page_title"]["source"].endswith("Northwind Security")
        page = company.get_json("/t/%d" % co).json()
        assert page["brand"]["page_title"] == "Northwind Cloud" and page["brand"]["footer"] == "Bluefin footer"
        html = msp.get("/t/%d/settings" % bf).text
        assert "White Labelling" in html and "inherited from Northwind Security" in html and "set here" in html
        assert 'href="/t/%d/settings/branding"' % bf in html and ">Edit<" in html
        # The settings link is in the header and the tenant's navigation.
        assert html.count('href="/t/%d/settings"' % bf) >= 2
        # Reset: the footer inherits again.
        r = msp.post("/t/%d/settings/branding/reset" % bf, {"field": "footer"})
        assert r.status == 303 and r.header("Location").endswith("done=reset"), r
        assert company.get_json("/t/%d" % co).json()["brand"]["footer"] == "Northwind footer"
        r = admin.post("/t/%d/settings/branding/reset" % nw, {"field": "page_title"})
        assert r.status == 303
        s = wl(msp, bf)
        assert s["page_title"]["value"] == "MSSP Portal" and s["page_title"]["source"] == "portal default"
        # One field set, the other not: the default fills only the unset one.
        brand = company.get_json("/t/%d" % co).json()["brand"]
        assert (brand["page_title"], brand["footer"]) == ("MSSP Portal", "Northwind footer"), brand
        # A tenant outside Northwind (Evergreen) never sees Northwind's brand.
        ever = ctx.login("owner@evergreen.example")
        assert ever.get_json("/").json()["brand"]["footer"] == "MSSP Portal"
        # Audit trail.
        actions = [e["action"] for e in msp.get_json("/t/%d/audit?action=branding." % bf).json()["entries"]]
        assert "branding.updated" in actions and "branding.reset" in actions
    finally:
        clear(ctx, bf, co)
        put_back(ctx, nw, demo)


def test_form_validates_and_keeps_values(ctx):
    bf = tid(ctx, "Bluefin IT")
    clear(ctx, bf)  # the test's own start: Bluefin sets nothing
    msp = ctx.login("owner@msp1.example")
    try:
        r = save(msp, bf, {"page_title": "x" * 81, "footer": "kept footer"})
        assert r.status == 400 and "Page Title must have 1 to 80 characters" in r.text
        assert "kept footer" in r.text
        r = save(msp, bf, {"page_title": "Fine", "footer": "y" * 501})
        assert r.status == 400 and "Footer Content must have 1 to 500" in r.text and 'value="Fine"' in r.text
        r = save(msp, bf, {"page_title": "Fine", "host": "not a host!"})
        assert r.status == 400 and "Enter a host name" in r.text
        # Preview renders the values being edited without saving them.
        r = save(msp, bf, {"page_title": "Preview Title", "footer": "See [docs](https://docs.example/x)",
                           "action": "preview"})
        assert r.status == 200 and 'data-preview="light"' in r.text and 'data-preview="dark"' in r.text
        assert "Preview Title" in r.text and '<a href="https://docs.example/x" rel="noopener noreferrer">docs</a>' in r.text
        assert ctx.stack.psql("SELECT count(*) FROM branding WHERE tenant_id = %d" % bf) == "0"
        # The form page itself, GET.
        r = msp.get("/t/%d/settings/branding" % bf)
        assert r.status == 200 and 'enctype="multipart/form-data"' in r.text and "Logo (dark mode)" in r.text
        assert "<script>" not in r.text  # CSP: no inline script
    finally:
        clear(ctx, bf)


def test_title_and_footer_are_escaped_everywhere(ctx):
    bf, co = tid(ctx, "Bluefin IT"), first_company(ctx)
    msp = ctx.login("owner@msp1.example")
    title = "<script>alert(1)</script>"
    footer = "Hi <b>you</b> [ok](https://bluefin.example/a?b=1&c=2) [bad](javascript:alert(1)) [x](data:text/html,1)"
    try:
        assert save(msp, bf, {"page_title": title, "footer": footer}).status == 303
        for path in ("/t/%d" % co, "/t/%d/settings" % bf):
            r = msp.get(path)
            assert r.status == 200
            assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
            assert "<b>you</b>" not in r.text and "&lt;b&gt;you&lt;/b&gt;" in r.text
            assert '<a href="https://bluefin.example/a?b&#61;1&amp;c&#61;2" rel="noopener noreferrer">ok</a>' in r.text
            assert 'href="javascript' not in r.text and 'href="data:' not in r.text
            assert "[bad](javascript:alert(1))" in r.text
        j = msp.get_json("/t/%d" % co).json()
        assert j["brand"]["page_title"] == title and j["brand"]["footer"] == footer
        # An error page in the tenant's context is branded and escaped too.
        r = msp.get("/t/%d/nope" % bf)
        assert r.status == 404
        # Emails: the subject carries the title as text, the HTML part escapes it.
        before = len(ctx.stack.messages())
        email = "esc%d@example.com" % (int(time.time() * 1000) % 10000000)
        r = msp.post("/t/%d/team/invite" % co, {"email": email, "name": "Esc Aped", "role": "viewer"})
        assert r.status == 303, r
        msg = ctx.stack.wait_mail(lambda m: m["To"] == email, before, what="the invitation to %s" % email)
        assert str(msg["Subject"]).startswith(title + ":")
        html = portal.body_of(msg, "html")
        assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    finally:
        clear(ctx, bf)


def test_only_settings_holders_of_the_tenant_may_see_or_change_it(ctx):
    nw, co = tid(ctx, "Northwind Security"), first_company(ctx)
    viewer = ctx.login("viewer@company.example")
    assert viewer.get("/t/%d/settings" % co).status == 403
    assert viewer.get("/t/%d/settings/branding" % co).status == 403
    assert save(viewer, co, {"page_title": "Nope"}).status == 403
    assert 'href="/t/%d/settings"' % co not in viewer.get("/t/%d" % co).text
    ever = ctx.login("owner@evergreen.example")
    assert ever.get("/t/%d/settings" % nw).status == 404
    assert save(ever, nw, {"page_title": "Nope"}).status == 404
    assert ever.post("/t/%d/settings/branding/reset" % nw, {"field": "page_title"}).status == 404
    assert ctx.stack.psql("SELECT count(*) FROM branding WHERE page_title = 'Nope'") == "0"
    owner = ctx.login("owner@company.example")
    assert owner.get("/t/%d/settings" % co).status == 200
    # The Global view's header links to the settings of the user's first tenant, if allowed.
    admin = ctx.login("admin@northwind.example")
    assert 'href="/t/%d/settings" class="settings-link"' % nw in admin.get("/").text
    assert admin.get_json("/").json()["settings_link"] == "/t/%d/settings" % nw
    assert "settings-link" not in viewer.get("/").text


def test_each_refused_upload_says_why_and_keeps_the_form(ctx):
    bf = tid(ctx, "Bluefin IT")
    msp = ctx.login("owner@msp1.example")
    good = png(4, 4)
    cases = [
        ("GIF89a\x01\x00\x01\x00\x00\x00\x00;".encode("latin-1"), "not a PNG, JPEG or WebP"),  # wrong type, .png name
        (b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
         "can carry script"),
        (good[:-20], "truncated"),
        (png(1100, 2), "1024 × 1024"),
        (good + b"\x00" * (600 * 1024), "larger than 512 KiB"),
    ]
    clear(ctx, bf)  # the test's own start: Bluefin sets nothing
    try:
        for data, message in cases:
            for field in ("logo_light", "logo_dark"):
                r = save(msp, bf, {"page_title": "Kept Title", "footer": "Kept footer"},
                         {field: ("logo.png", "image/png", data)})
                assert r.status == 400, (message, r)
                assert message in r.text, (message, r.text[:3000])
                assert 'value="Kept Title"' in r.text and "Kept footer" in r.text
        j = save(msp, bf, {"page_title": "Kept Title"}, {"logo_light": ("a.png", "image/png", b"<svg/>")},
                 json_answer=True).json()
        assert "SVG" in j["form"]["errors"]["logo_light"] and j["form"]["values"]["page_title"] == "Kept Title"
        assert ctx.stack.psql("SELECT count(*) FROM branding_logos WHERE tenant_id = %d" % bf) == "0"
        assert ctx.stack.psql("SELECT count(*) FROM branding WHERE tenant_id = %d" % bf) == "0"
    finally:
        clear(ctx, bf)


def test_logos_are_served_versioned_cached_and_inherited(ctx):
    nw, bf, co = tid(ctx, "Northwind Security"), tid(ctx, "Bluefin IT"), first_company(ctx)
    admin = ctx.login("admin@northwind.example")
    company = ctx.login("owner@company.example")
    light, dark = png(8, 4, (10, 10, 10)), png(8, 4, (250, 250, 250))
    demo = snapshot(ctx, nw)
    clear(ctx, nw)  # the test's own start: Northwind sets nothing
    try:
        # Declared type and name are ignored: a PNG sent as "logo.txt" text/plain.
        r = save(admin, nw, {}, {"logo_light": ("logo.txt", "text/plain", light),
                                  "logo_dark": ("x.jpg", "image/jpeg", dark)})
        assert r.status == 303, r
        s = wl(admin, nw)
        url_l, url_d = s["logo_light"]["value"], s["logo_dark"]["value"]
        assert re.match(r"^/logo/\d+-[0-9a-f]{12}\.png$", url_l) and url_l != url_d
        c = ctx.client()
        r = c.get(url_l)
        assert r.status == 200 and r.body == light
        assert r.header("Content-Type") == "image/png"
        assert r.header("X-Content-Type-Options") == "nosniff"
        assert r.header("Cache-Control") == "public, max-age=31536000, immutable"
        etag = r.header("ETag")
        assert re.match(r'^"[0-9a-f]{64}"$', etag) and etag[1:13] == url_l.split("-")[1][:12]
        r = c.get(url_l, headers={"If-None-Match": etag})
        assert r.status == 304 and r.body == b""
        # Signed-in requests keep the long caching too.
        r = company.get(url_l)
        assert r.status == 200 and r.header("Cache-Control") == "public, max-age=31536000, immutable"
        # The company inherits both logos; the header shows them (light and dark).
        page = company.get("/t/%d" % co).text
        assert 'class="logo logo-light" src="%s"' % url_l in page and 'class="logo logo-dark" src="%s"' % url_d in page
        assert wl(ctx.login("owner@msp1.example"), bf)["logo_dark"]["source"] == "inherited from Northwind Security"
        # A new logo is a new URL; the old one still answers (old emails).
        assert save(admin, nw, {}, {"logo_light": ("l.png", "image/png", png(9, 4))}).status == 303
        new = wl(admin, nw)["logo_light"]["value"]
        assert new != url_l and c.get(new).status == 200 and c.get(url_l).status == 200
        # Unknown, wrong hash, wrong extension: 404.
        lid = url_l.split("/")[2].split("-")[0]
        assert c.get("/logo/999999999-000000000000.png").status == 404
        assert c.get("/logo/%s-000000000000.png" % lid).status == 404
        assert c.get(url_l[:-4] + ".jpg").status == 404
        assert c.get("/logo/abc").status == 404
        # Reset: back to the title text.
        assert admin.post("/t/%d/settings/branding/reset" % nw, {"field": "logo_light"}).status == 303
        assert admin.post("/t/%d/settings/branding/reset" % nw, {"field": "logo_dark"}).status == 303
        assert 'class="logo' not in company.get("/t/%d" % co).text
    finally:
        put_back(ctx, nw, demo)


def test_portal_host_brands_the_sign_in_page_and_email_links(ctx):
    bf, ever, co = tid(ctx, "Bluefin IT"), tid(ctx, "Evergreen MSP"), first_company(ctx)
    msp = ctx.login("owner@msp1.example")
    try:
        r = save(msp, bf, {"page_title": "Bluefin Portal", "footer": "Bluefin IT · [Support](https://bluefin.example/help)",
                           "host": "Portal.Bluefin.Example"}, {"logo_light": ("l.png", "image/png", png(6, 3))})
        assert r.status == 303, r
        assert wl(msp, bf)["host"]["value"] == HOST
        on_host = portal.Client(ctx.port, host=HOST)
        # A claimed name is pending (branding_host_claim(); tests/http/test_hosts.py): the
        # portal's default brand until it is verified, here by the operator.
        assert wl(msp, bf)["host"]["state"] == "pending"
        assert "<title>Sign in · MSSP Portal</title>" in on_host.get("/login").text
        r = ctx.stack.ctl("host-approve", HOST)
        assert r.returncode == 0, r.stdout
        page = on_host.get("/login")
        assert page.status == 200 and "<title>Sign in · Bluefin Portal</title>" in page.text
        assert "Sign in to Bluefin Portal" in page.text and "/logo/" in page.text and "Support</a>" in page.text
        assert on_host.get("/nope").status == 404 and "Bluefin Portal" in on_host.get("/nope").text
        # Other hosts keep the default brand.
        assert "Sign in · MSSP Portal" in ctx.client().get("/login").text
        assert "Sign in · MSSP Portal" in portal.Client(ctx.port, host="unknown.example").get("/login").text
        # A company user signs in on the MSP's host and keeps the MSP's brand.
        on_host.login("owner@company.example")
        assert on_host.get_json("/").json()["brand"]["page_title"] == "Bluefin Portal"
        # A verified host is one tenant's.
        other = ctx.login("owner@evergreen.example")
        r = save(other, ever, {"host": HOST})
        assert r.status == 409 and "already verified for another tenant" in r.text
        # Emails of the MSP's tree carry its brand; their links stay on
        # PORTAL_BASE_URL, since a claimed host is not verified to be the
        # portal's (a token sent to it would go to whoever runs it).
        before = len(ctx.stack.messages())
        email = "host%d@example.com" % (int(time.time() * 1000) % 10000000)
        r = msp.post("/t/%d/team/invite" % co, {"email": email, "name": "Host Test", "role": "viewer"})
        assert r.status == 303, r
        msg = ctx.stack.wait_mail(lambda m: m["To"] == email, before, what="the invitation to %s" % email)
        text = portal.body_of(msg)
        base = "http://127.0.0.1:%d" % ctx.port
        assert "%s/invite/" % base in text and HOST not in text, text
        assert str(msg["Subject"]).startswith("Bluefin Portal:")
        html = portal.body_of(msg, "html")
        assert re.search(r'<img src="%s/logo/\d+-[0-9a-f]{12}\.png"' % re.escape(base), html), html
        # Removing the host: the sign-in page on it is default again.
        assert msp.post("/t/%d/settings/branding/reset" % bf, {"field": "host"}).status == 303
        assert "Sign in · MSSP Portal" in portal.Client(ctx.port, host=HOST).get("/login").text
    finally:
        clear(ctx, bf, ever)


def test_theme_cookie_renders_data_theme_and_the_toggle_is_external(ctx):
    c = ctx.client()
    assert "data-theme" not in c.get("/login").text.split("<head>")[0]
    c.cookies["theme"] = "dark"
    assert '<html lang="en" data-theme="dark">' in c.get("/login").text
    c.cookies["theme"] = "\"><script>"
    assert "data-theme" not in c.get("/login").text.split("<head>")[0]
    page = c.get("/login").text
    # theme.js under its content-hashed name (scripts/assets; tests/http/test_wire.py)
    m = re.search(r'<script src="(/static/js/theme\.[0-9a-f]{12}\.js)" defer></script>', page)
    assert m and 'id="theme-toggle"' in page
    js = c.get(m.group(1))
    assert js.status == 200 and b"localStorage" in js.body and b"theme=" in js.body


def test_resolved_brands_follow_every_change(ctx):
    """Pages read each tenant's brand from tenant_brand (brand_resolve()), kept by
    triggers; after every kind of change it must equal the rule,
    brand_resolve(), for every tenant. Run in one transaction, rolled back."""
    nw, bf = tid(ctx, "Northwind Security"), tid(ctx, "Bluefin IT")
    ever = tid(ctx, "Evergreen MSP")
    png_hex = png(4, 4).hex()
    steps = [
        ("INSERT INTO branding (tenant_id, root_id, page_title) VALUES (%d, %d, 'T1')" % (nw, nw)),
        ("INSERT INTO branding (tenant_id, root_id, footer, host, host_verified_at, host_verified_by)"
         " VALUES (%d, %d, 'F2', 'bf.example', now(), 'operator')" % (bf, nw)),
        ("UPDATE branding SET page_title = 'T3' WHERE tenant_id = %d" % nw),
        ("INSERT INTO tenants (parent_id, root_id, kind, name, region, ancestors)"
         " VALUES (%d, 0, 'company', 'Brand Test Co', 'eu', '{}')" % bf),
        ("WITH l AS (INSERT INTO branding_logos (tenant_id, root_id, variant, content_type, bytes, sha256, width,"
         " height) VALUES (%d, %d, 'light', 'image/png', '\\x%s', repeat('a', 64), 4, 4) RETURNING id)"
         " UPDATE branding SET logo_light_id = (SELECT id FROM l) WHERE tenant_id = %d" % (nw, nw, png_hex, nw)),
        ("DELETE FROM branding_logos WHERE tenant_id = %d" % nw),
        ("UPDATE tenants SET parent_id = %d WHERE id = %d" % (nw, ever)),
        ("DELETE FROM branding WHERE tenant_id = %d" % nw),
    ]
    stale = ("SELECT count(*) FROM tenants t CROSS JOIN LATERAL brand_resolve(t.id) r"
             " LEFT JOIN tenant_brand b ON b.tenant_id = t.id WHERE (r.*) IS DISTINCT FROM (b.*)")
    seen = ("SELECT concat_ws('/', b.page_title, b.footer, b.host,"
            " CASE WHEN b.logo_light IS NOT NULL THEN 'logo' END)"
            " FROM tenants t JOIN tenant_brand b ON b.tenant_id = t.id WHERE t.name = '%s'")
    # From no brand at all (the demo's Northwind has one), rolled back too.
    sql = ["BEGIN; DELETE FROM branding; DELETE FROM branding_logos;"]
    for i, s in enumerate(steps):
        sql.append("%s; SELECT 'step %d', (%s), (%s), (%s);" % (s, i, stale, seen % "Brand Test Co",
                                                                seen % "Evergreen Client 1"))
    sql.append("ROLLBACK;")
    out = ctx.stack.psql("\n".join(sql)).splitlines()
    assert len(out) == len(steps), out
    got = [l.split("|") for l in out]
    assert all(g[1] == "0" for g in got), out
    # The table is not trivially equal to the rule: the values moved.
    assert got[3][2] == "T3/F2/bf.example", got[3]        # the new company, below Bluefin
    assert got[4][2] == "T3/F2/bf.example/logo", got[4]   # the MSSP's logo reaches it
    assert got[5][2] == "T3/F2/bf.example", got[5]        # and goes with the logo
    assert got[5][3] == "" and got[6][3] == "T3", (got[5], got[6])   # Evergreen moved in
    assert got[7][2] == "F2/bf.example" and got[7][3] == "", got[7]
    assert ctx.stack.psql("SELECT count(*) FROM tenants WHERE name = 'Brand Test Co'") == "0"
