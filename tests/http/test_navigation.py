"""The console's navigation: a left navigation of the tenant's sections
(what the role and the tenant's kind allow, the current one marked, no
dead link), breadcrumbs of the tenants above that the viewer may open, and
a tenant selector that keeps the section you are on."""
import re
import urllib.parse


def tid(ctx, name):
    return int(ctx.stack.psql("SELECT id FROM tenants WHERE name = '%s'" % name))


def first_company(ctx, msp):
    return int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d" % msp))


def nav(client, path):
    """(key, label, href, current) of each item of the page's navigation."""
    n = client.get_json(path).json()["nav"]
    return [(i["key"], i["label"], i["href"], i["current"]) for g in n["groups"] for i in g["items"]]


def test_each_role_and_kind_gets_its_sections_and_none_is_a_dead_link(ctx):
    nw, bf = tid(ctx, "Northwind Security"), tid(ctx, "Bluefin IT")
    cases = [
        ("admin@northwind.example", nw, "Global dashboard",
         ["overview", "assets", "vulnerabilities", "incidents", "threats", "analytics", "sla", "report", "reports", "msps", "plans",
          "config", "billing", "team", "audit", "api_keys", "mail", "settings"]),
        ("owner@msp1.example", bf, "MSP dashboard",
         ["overview", "assets", "vulnerabilities", "incidents", "threats", "analytics", "sla", "report", "reports", "requests", "plans",
          "config", "team", "audit", "api_keys", "mail", "settings"]),
        ("viewer@msp1.example", bf, "MSP dashboard",
         ["overview", "assets", "vulnerabilities", "incidents", "threats", "analytics", "sla", "report", "reports", "requests", "plans",
          "config"]),
        ("viewer@company.example", None, "Company dashboard",
         ["overview", "assets", "vulnerabilities", "incidents", "sla", "report", "reports", "config"]),
    ]
    # Billing is the top-level tenant's: a standalone MSP's Owner has it,
    # an MSP billed through its MSSP (Bluefin above) does not.
    eg = ctx.login("owner@evergreen.example")
    assert "billing" in [k for k, _, _, _ in nav(eg, "/t/%d" % tid(ctx, "Evergreen MSP"))]
    for email, tenant, dashboard, keys in cases:
        c = ctx.login(email)
        if tenant is None:
            tenant = int(c.get_json("/tenants").json()["mine"][0]["id"])
        items = nav(c, "/t/%d" % tenant)
        assert [k for k, _, _, _ in items] == keys, (email, items)
        assert items[0][1] == dashboard and items[0][2] == "/t/%d" % tenant
        for key, label, href, _ in items:
            r = c.get(href)
            assert r.status == 200, (email, href, r.status)
            # On its own page the item is the current one, and only it.
            here = [k for k, _, _, cur in nav(c, href) if cur]
            assert here == [key], (email, href, here)
            assert r.text.count('aria-current="page"') >= 1


def test_the_sidebar_is_plain_links_that_work_without_scripts(ctx):
    nw = tid(ctx, "Northwind Security")
    html = ctx.login("admin@northwind.example").get("/t/%d/incidents" % nw).text
    side = html[html.index('<details class="sidenav"'):html.index("</details>", html.index('<details class="sidenav"'))]
    assert " open>" in side.split("\n")[0]  # open unless a script folds it
    assert '<a href="/t/%d/incidents" aria-current="page">Incidents</a>' % nw in side
    assert re.findall(r'<h2 class="sidenav-group">([^<]+)</h2>', side) == ["Dashboards", "Security", "Reports",
                                                                          "Manage"]


def test_breadcrumbs_name_only_the_tenants_above_the_viewer_may_open(ctx):
    nw, bf = tid(ctx, "Northwind Security"), tid(ctx, "Bluefin IT")
    co = first_company(ctx, bf)
    co_name = ctx.stack.psql("SELECT name FROM tenants WHERE id = %d" % co)

    def crumbs(client, path):
        j = client.get_json(path).json()
        return [(c["name"], c["href"], c["current"]) for c in j["nav"].get("crumbs", [])], j["nav"]["sub"]

    admin = ctx.login("admin@northwind.example")
    got, sub = crumbs(admin, "/t/%d/incidents" % co)
    assert got == [("Northwind Security", "/t/%d" % nw, False), ("Bluefin IT", "/t/%d" % bf, False),
                   (co_name, "/t/%d" % co, False), ("Incidents", "/t/%d/incidents" % co, True)] and not sub, got
    # Its own dashboard at the top needs none; a page below a section
    # ends with the page's title.
    assert crumbs(admin, "/t/%d" % nw) == ([], False)
    got, sub = crumbs(admin, "/t/%d/settings/branding" % nw)
    assert [n for n, _, _ in got] == ["Northwind Security", "Settings"] and sub
    html = admin.get("/t/%d/settings/branding" % nw).text
    assert re.search(r'<a href="/t/%d/settings">Settings</a></li><li><span aria-current="page">White labelling'
                     % nw, html, re.I), html[html.find('class="crumbs"'):][:400]
    # The MSP's owner does not see the MSSP above it; a company's viewer
    # sees only the company.
    got, _ = crumbs(ctx.login("owner@msp1.example"), "/t/%d/incidents" % co)
    assert [n for n, _, _ in got] == ["Bluefin IT", co_name, "Incidents"], got
    viewer = ctx.login("viewer@company.example")
    mine = int(viewer.get_json("/tenants").json()["mine"][0]["id"])
    got, _ = crumbs(viewer, "/t/%d/sla" % mine)
    assert [h for _, h, _ in got] == ["/t/%d" % mine, "/t/%d/sla" % mine], got


def test_the_selector_keeps_the_section_and_lists_recent_tenants_the_viewer_still_sees(ctx):
    nw, bf = tid(ctx, "Northwind Security"), tid(ctx, "Bluefin IT")
    co = first_company(ctx, bf)
    admin = ctx.login("admin@northwind.example")
    # The header's form carries the section of the page it is on.
    html = admin.get("/t/%d/incidents" % nw).text
    assert '<input type="hidden" name="section" value="incidents">' in html
    assert 'action="/tenants"' in html and 'id="selector-q"' in html
    j = admin.get_json("/tenants?q=%s&section=incidents" % urllib.parse.quote("Bluefin")).json()
    assert [(r["name"], r["link"]) for r in j["results"]] == [("Bluefin IT", "/t/%d/incidents" % bf)], j["results"]
    # A section the other tenant has not (threats on a company) leads to its dashboard.
    co_name = ctx.stack.psql("SELECT name FROM tenants WHERE id = %d" % co)
    j = admin.get_json("/tenants?q=%s&section=threats" % urllib.parse.quote("Bluefin")).json()
    assert [r["link"] for r in j["results"] if r["id"] == bf] == ["/t/%d/threats" % bf], j["results"]
    j = admin.get_json("/tenants?q=%s&section=threats" % urllib.parse.quote(co_name)).json()
    assert [r["link"] for r in j["results"] if r["id"] == co] == ["/t/%d" % co], j["results"]
    # Nothing but a known section is kept, whatever is asked.
    j = admin.get_json("/tenants?q=Bluefin&section=%s" % urllib.parse.quote("../../logout")).json()
    assert j["results"][0]["link"] == "/t/%d" % bf and "section" not in j
    # Recent tenants come back in the order given, only those still visible.
    j = admin.get_json("/tenants?q=&recent=%d,%d,x,%d" % (co, nw, 987654321)).json()
    assert [r["id"] for r in j["recent"]] == [co, nw], j["recent"]
    owner = ctx.login("owner@msp1.example")
    j = owner.get_json("/tenants?q=&recent=%d,%d" % (nw, co)).json()
    assert [r["id"] for r in j["recent"]] == [co], j["recent"]


def test_the_companies_tile_of_an_mssp_lists_its_companies(ctx):
    nw = tid(ctx, "Northwind Security")
    admin = ctx.login("admin@northwind.example")
    assert 'href="/tenants?kind=company"' in admin.get("/t/%d" % nw).text
    j = admin.get_json("/tenants?kind=company").json()
    assert j["results"] and {r["kind"] for r in j["results"]} == {"company"} and j["kind"] == "company"
    want = int(ctx.stack.psql("SELECT count(*) FROM tenants WHERE kind = 'company' AND status = 'active'"
                              " AND %d = ANY (ancestors)" % nw))
    assert len(j["results"]) == min(want, 50) and j["more"] == (want > 50)


def test_a_pages_choice_of_window_or_kind_marks_the_one_in_force(ctx):
    # The threats and SLA windows and the assets' kinds: the link of the
    # choice the page shows is marked (aria-current, styled as the
    # dashboard's period), whether asked for or the default; one only.
    nw = tid(ctx, "Northwind Security")
    admin = ctx.login("admin@northwind.example")
    # (The threats' windows keep the table's order.)
    cases = [("/t/%d/threats" % nw, "/t/%d/threats?days=7&sort=customers&dir=desc" % nw),
             ("/t/%d/threats?days=30" % nw, "/t/%d/threats?days=30&sort=customers&dir=desc" % nw),
             ("/t/%d/threats?days=30&sort=last_seen&dir=asc" % nw, None),
             ("/t/%d/threats?days=99" % nw, "/t/%d/threats?days=7&sort=customers&dir=desc" % nw),
             ("/t/%d/sla" % nw, "/t/%d/sla?days=30" % nw),
             ("/t/%d/sla?days=90" % nw, None), ("/t/%d/assets" % nw, None), ("/t/%d/assets?kind=agent" % nw, None)]
    for path, marked in cases:
        text = admin.get(path).text
        periods = text.split('<nav class="periods"')[1].split("</nav>")[0]
        assert periods.count('aria-current="true"') == 1, (path, periods)
        want = (marked or path).replace("&", "&amp;")
        assert '<a href="%s" aria-current="true">' % want in periods, (path, periods)
