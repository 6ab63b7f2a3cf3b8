"""One place to add an MSP: the MSSP's MSPs page offers "Invite an existing
MSP" (the email-and-approval handshake) and "Create an MSP" (made at once,
for an MSP the MSSP runs itself), and lists the MSPs it manages beside the
requests; the Global dashboard points there instead of a form of its own."""
import time

from onboard import add_msp, find, make_msp, requests_of


def nw(ctx):
    return int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Northwind Security'"))


def test_the_msps_page_has_both_ways_and_the_managed_msps(ctx):
    mssp = nw(ctx)
    admin = ctx.login("admin@northwind.example")
    html = admin.get("/t/%d/msps" % mssp).text
    assert "Invite an existing MSP" in html and 'action="/t/%d/msps/add"' % mssp in html
    assert "Create an MSP" in html and 'action="/t/%d/children"' % mssp in html
    j = admin.get_json("/t/%d/msps" % mssp).json()
    want = ctx.stack.psql("SELECT string_agg(name, '|' ORDER BY lower(name), id) FROM tenants"
                          " WHERE parent_id = %d AND status = 'active'" % mssp).split("|")
    assert [x["name"] for x in j["managed"]] == want and j["managed_count"] == len(want)
    assert all(x["companies"] > 0 for x in j["managed"])
    # The dashboard no longer makes an MSP by itself: it points here.
    board = admin.get("/t/%d" % mssp).text
    assert 'action="/t/%d/children"' % mssp not in board and 'href="/t/%d/msps">MSPs page</a>' % mssp in board


def test_creating_an_msp_from_the_msps_page_and_its_errors_come_back_there(ctx):
    mssp = nw(ctx)
    admin = ctx.login("admin@northwind.example")
    name = "Own MSP %d" % (int(time.time() * 1000) % 1000000)
    try:
        r = admin.post("/t/%d/children" % mssp, {"name": name, "region": "eu"})
        assert r.status == 303, r.status
        new = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = '%s'" % name))
        assert r.header("Location") == "/t/%d?done=created" % new
        assert name in [x["name"] for x in admin.get_json("/t/%d/msps" % mssp).json()["managed"]]
        # The same name again: refused on the MSPs page, the name kept, next to its field.
        r = admin.post("/t/%d/children" % mssp, {"name": name, "region": "eu"})
        assert r.status == 400 and "Create an MSP" in r.text and "already exists" in r.text, r.status
        assert 'value="%s"' % name in r.text
        j = admin.post("/t/%d/children" % mssp, {"name": name, "region": "eu"},
                       headers={"Accept": "application/json"}).json()
        assert "already exists" in j["create"]["errors"]["name"] and "requests" in j
        # Another region than the MSSP's: refused next to the region.
        r = admin.post("/t/%d/children" % mssp, {"name": name + " US", "region": "us"})
        assert r.status == 409 and "Invite an existing MSP" in r.text
    finally:
        ctx.stack.psql("DELETE FROM tenants WHERE name LIKE '%s%%'" % name)


def test_an_msp_still_adds_its_companies_from_its_dashboard(ctx):
    bf = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
    html = ctx.login("owner@msp1.example").get("/t/%d" % bf).text
    assert 'action="/t/%d/children"' % bf in html and "Add a company" in html


def test_a_refused_form_names_its_page_for_the_address_bar(ctx):
    # The page a form was on (the same-origin Referer) comes back as
    # page_url, which console.js puts in the address bar instead of the
    # POST's address; a foreign or missing Referer gives none.
    mssp = nw(ctx)
    admin = ctx.login("admin@northwind.example")
    page = "/t/%d/msps?from=test" % mssp
    base = "http://127.0.0.1:%d" % ctx.port
    r = admin.post("/t/%d/msps/add" % mssp, {"email": "not an address", "name": "X"},
                   headers={"Referer": base + page})
    assert r.status == 400 and '<meta name="page-url" content="/t/%d/msps?from&#61;test">' % mssp in r.text, \
        [l for l in r.text.splitlines() if "page-url" in l]
    # Without scripts the answer names its page too (RFC 9110 8.7).
    assert r.header("Content-Location") == page, r.headers
    for ref in ("http://evil.example" + page, None, base + "//evil.example/x"):
        r = admin.post("/t/%d/msps/add" % mssp, {"email": "not an address", "name": "X"}, headers={"Referer": ref})
        assert r.status == 400 and 'name="page-url"' not in r.text, ref
        assert r.header("Content-Location") is None, ref
    # A GET never carries one.
    assert 'name="page-url"' not in admin.get(page, headers={"Referer": base + "/"}).text


def test_a_pending_request_heads_the_dashboards_msps_table_until_decided(ctx):
    # The Global dashboard's MSPs table lists the requests still waiting for
    # an answer first (a PENDING badge, a link to the request on the MSPs
    # page); a cancelled one leaves it, and the cached page follows.
    mssp = nw(ctx)
    admin = ctx.login("admin@northwind.example")
    admin.get("/t/%d" % mssp)   # cached before the request
    msp, name, email = make_msp(ctx)
    assert add_msp(admin, ctx, email, name).status == 303
    j = admin.get_json("/t/%d" % mssp).json()
    assert name in [p["name"] for p in j["pending"]] and j["show_table"] is True, j["pending"]
    html = admin.get("/t/%d" % mssp).text
    row = next(l for l in html.splitlines() if 'class="pending"' in l and name in l)
    assert 'href="/t/%d/msps#requests"' % mssp in row and 'status-pending">pending</span>' in row, row
    assert 'colspan="%d"' % (len(j["columns"]) - 1) in row, row
    # Not on a search or a later page; never for an MSSP Analyst, who does
    # not see the MSSP's requests.
    assert admin.get_json("/t/%d?q=zz" % mssp).json()["pending"] == []
    analyst = ctx.login("analyst@northwind.example")
    assert name not in analyst.get("/t/%d" % mssp).text
    rid = find(requests_of(admin, ctx), name)["id"]
    assert admin.post("/t/%d/msps/requests/%d/cancel" % (mssp, rid), {}).status == 303
    assert name not in [p["name"] for p in admin.get_json("/t/%d" % mssp).json()["pending"]]
    assert name not in admin.get("/t/%d" % mssp).text
