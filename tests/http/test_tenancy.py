"""The tenant in context: /t/{id} pages, the selector, 404 for what a user
may not see, and the audit log page."""
import csv
import io


def tid(ctx, name):
    return int(ctx.stack.psql("SELECT id FROM tenants WHERE name = '%s'" % name))


def test_mssp_admin_sees_the_global_view_with_its_msps(ctx):
    mssp = tid(ctx, "Northwind Security")
    page = ctx.login("admin@northwind.example").get_json("/t/%d" % mssp).json()
    assert page["tenant"]["role"] == "mssp_admin" and page["tenant"]["kind"] == "mssp"
    children = {c["name"]: c["companies"] for c in page["children"]}
    # The demo MSPs (onboarding stories may have added more by now).
    for msp in ("Bluefin IT", "Cobalt Managed Services", "Driftwood Networks"):
        assert children[msp] >= 10, (msp, children)
    assert "Evergreen MSP" not in children or ctx.stack.psql(
        "SELECT parent_id IS NOT NULL FROM tenants WHERE name = 'Evergreen MSP'") == "t"
    expected = int(ctx.stack.psql("SELECT count(*) FROM tenants WHERE parent_id = %d AND status = 'active'" % mssp))
    assert page["children_count"] == expected
    # The page lists every MSP (a row key must not shadow the list's name).
    html = ctx.login("admin@northwind.example").get("/t/%d" % mssp).text
    assert html.count('<tr><td class="col-name"><a href="/t/') == min(expected, 50)
    assert page["tenant"]["can"]["onboard"] is True


def test_msp_owner_sees_its_companies_and_not_its_mssp(ctx):
    bluefin = tid(ctx, "Bluefin IT")
    mssp = tid(ctx, "Northwind Security")
    owner = ctx.login("owner@msp1.example")
    page = owner.get_json("/t/%d" % bluefin).json()
    companies = int(ctx.stack.psql("SELECT count(*) FROM tenants WHERE parent_id = %d AND status = 'active'" % bluefin))
    assert companies >= 10 and page["children_count"] == companies and page["tenant"]["role"] == "owner"
    assert page["ancestors"] == []  # the MSSP above is not visible to the MSP
    assert owner.get("/t/%d" % mssp).status == 404


def test_company_page_has_breadcrumbs_for_the_mssp_admin(ctx):
    company = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d" % tid(ctx, "Bluefin IT")))
    r = ctx.login("admin@northwind.example").get("/t/%d" % company)
    assert r.status == 200
    assert 'href="/t/%d">Northwind Security</a>' % tid(ctx, "Northwind Security") in r.text
    assert 'href="/t/%d">Bluefin IT</a>' % tid(ctx, "Bluefin IT") in r.text


def test_a_tenant_you_cannot_see_is_404_like_one_that_does_not_exist(ctx):
    c = ctx.login("owner@evergreen.example")
    hidden = c.get("/t/%d" % tid(ctx, "Bluefin IT"))
    missing = c.get("/t/999999999")
    assert hidden.status == missing.status == 404
    assert hidden.text.replace(str(tid(ctx, "Bluefin IT")), "") .count("Bluefin") == 0
    for bad in ("/t/0", "/t/-1", "/t/abc", "/t/1e3", "/t/99999999999999999999"):
        assert c.get(bad).status == 404, bad


def test_selector_lists_exactly_what_the_user_may_see(ctx):
    c = ctx.login("owner@msp1.example")
    page = c.get_json("/tenants").json()
    assert [m["name"] for m in page["mine"]] == ["Bluefin IT"]
    names = {r["name"] for r in page["results"]}
    assert "Bluefin IT" in names and "Northwind Security" not in names and "Evergreen MSP" not in names
    subtree = int(ctx.stack.psql("SELECT count(*) FROM tenants WHERE (SELECT id FROM tenants WHERE name = 'Bluefin IT')"
                                 " = ANY (ancestors) AND status = 'active'"))
    assert len(names) == min(subtree, 50)  # the MSP and its companies (the list shows 50 at most)
    found = c.get_json("/tenants?q=evergreen").json()["results"]
    assert found == []
    admin = ctx.login("admin@northwind.example").get_json("/tenants?q=cobalt").json()
    assert [r["name"] for r in admin["results"]] == ["Cobalt Managed Services"]
    assert admin["mine"][0]["is_global"] is True


def test_selector_search_treats_wildcards_literally_and_limits_input(ctx):
    c = ctx.login("admin@northwind.example")
    assert c.get_json("/tenants?q=%25").json()["results"] == []
    assert c.get_json("/tenants?q=_").json()["results"] == []
    r = c.get("/tenants?q=" + "x" * 121)
    assert r.status == 400 and "at most 120 characters" in r.text
    r = c.get("/tenants?q=%3Cscript%3E")
    assert "<script>" not in r.text and "&lt;script&gt;" in r.text


def test_header_shows_the_tenant_in_context(ctx):
    r = ctx.login("admin@northwind.example").get("/t/%d" % tid(ctx, "Cobalt Managed Services"))
    assert 'class="switcher"' in r.text and "Cobalt Managed Services ▾" in r.text


def test_audit_log_filters_and_exports_csv(ctx):
    mssp = tid(ctx, "Northwind Security")
    admin = ctx.login("admin@northwind.example")
    # Something of the MSSP's own to find: an API key made and revoked.
    r = admin.request("POST", "/t/%d/api-keys.json" % mssp, body="name=audit-filter&csrf=%s" % admin.csrf(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r
    assert admin.post("/t/%d/api-keys/%d/revoke" % (mssp, r.json()["new_key"]["id"]), {}).status == 303
    page = admin.get_json("/t/%d/audit?action=api_key.&user=admin@northwind" % mssp).json()
    assert page["total"] >= 2
    assert all(e["action"].startswith("api_key.") and e["user"] == "admin@northwind.example" for e in page["entries"])
    bad = admin.get("/t/%d/audit?from=yesterday" % mssp)
    assert bad.status == 200 and "Use a date like 2026-01-31." in bad.text
    r = admin.get("/t/%d/audit/export?action=api_key." % mssp)
    assert r.status == 200 and r.header("Content-Type").startswith("text/csv")
    assert "attachment" in r.header("Content-Disposition")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0] == ["time", "tenant", "user", "action", "target", "ip", "details"]
    assert len(rows) > 2 and all(row[3].startswith("api_key.") for row in rows[1:])


def test_audit_log_of_an_msp_does_not_show_other_tenants(ctx):
    bluefin = tid(ctx, "Bluefin IT")
    owner = ctx.login("owner@msp1.example")
    # Something of Bluefin's own in its log, whatever ran before.
    r = owner.request("POST", "/t/%d/api-keys.json" % bluefin, body="name=audit-own&csrf=%s" % owner.csrf(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r
    assert owner.post("/t/%d/api-keys/%d/revoke" % (bluefin, r.json()["new_key"]["id"]), {}).status == 303
    entries = owner.get_json("/t/%d/audit" % bluefin).json()["entries"]
    # Only Bluefin's subtree: no account events (sign-ins are the user's
    # own, on their Security activity page).
    subtree = set(ctx.stack.psql("SELECT name FROM tenants WHERE %d = ANY (ancestors)" % bluefin).splitlines())
    assert entries
    for e in entries:
        assert e["tenant"] in subtree and not e["action"].startswith("auth."), e
    assert "owner@evergreen.example" not in {e["user"] for e in entries}
    assert owner.get("/t/%d/audit" % tid(ctx, "Northwind Security")).status == 404


def test_audit_log_filters_by_tenant_name(ctx):
    mssp = tid(ctx, "Northwind Security")
    admin = ctx.login("admin@northwind.example")
    # Make an entry on a known tenant: rename Cobalt to itself.
    cobalt = tid(ctx, "Cobalt Managed Services")
    assert admin.post("/t/%d/rename" % cobalt, {"name": "Cobalt Managed Services"}).status == 303
    page = admin.get_json("/t/%d/audit?tenant=cobalt" % mssp).json()
    assert page["total"] >= 1
    assert all(e["tenant"] and "cobalt" in e["tenant"].lower() for e in page["entries"]), page["entries"]
    assert page["filter"]["tenant"] == "cobalt"
    none = admin.get_json("/t/%d/audit?tenant=evergreen-nothing" % mssp).json()
    assert none["total"] == 0 and none["entries"] == []
