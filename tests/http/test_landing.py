"""Where each persona lands after signing in: the dashboard of the one
organisation at the top of what they belong to (an MSSP's Global view, an
MSP's view, a company's), or, with several, a chooser of them with links
and their role in words."""
import portal


def tenant(ctx, name):
    return int(ctx.stack.psql("SELECT id FROM tenants WHERE name = '%s'" % name))


def land(ctx, email, **fields):
    """Sign in through the form as a browser does (no next unless given) and
    follow the redirects; the path it ends on."""
    c = ctx.client()
    form = {"email": email, "password": portal.DEMO_PASSWORD}
    form.update(fields)
    r = c.post("/login", form, csrf=False)
    path = []
    while r.status == 303:
        path.append(r.header("Location"))
        r = c.get(path[-1])
    assert r.status == 200, (email, path, r.status)
    return path, c


def test_each_persona_lands_on_its_own_dashboard(ctx):
    nw, bf = tenant(ctx, "Northwind Security"), tenant(ctx, "Bluefin IT")
    co = int(ctx.stack.psql("SELECT t.id FROM memberships m JOIN tenants t ON t.id = m.tenant_id JOIN users u"
                            " ON u.id = m.user_id WHERE u.email = 'owner@company.example'"))
    assert land(ctx, "admin@northwind.example")[0] == ["/start", "/t/%d" % nw]
    assert land(ctx, "owner@msp1.example")[0] == ["/start", "/t/%d" % bf]
    assert land(ctx, "owner@company.example")[0] == ["/start", "/t/%d" % co]
    # A page asked for before signing in wins.
    assert land(ctx, "owner@msp1.example", next="/t/%d/incidents" % bf)[0] == ["/t/%d/incidents" % bf]
    # The logo and Home lead there too.
    page = land(ctx, "owner@msp1.example")[1].get("/t/%d/incidents" % bf).text
    assert '<a class="brand" href="/start">' in page and '<a href="/start">Home</a>' in page


def test_someone_in_two_organisations_chooses_with_roles_in_words(ctx):
    nw, ever = tenant(ctx, "Northwind Security"), tenant(ctx, "Evergreen MSP")
    email = "two-hats@landing.example"
    ctx.stack.psql(
        "WITH u AS (INSERT INTO users (email, name, password_hash) SELECT '%s', 'Two Hats', password_hash"
        " FROM users WHERE email = 'admin@northwind.example' RETURNING id)"
        " INSERT INTO memberships (user_id, tenant_id, role) SELECT u.id, x.t, x.r FROM u,"
        " (VALUES (%d, 'mssp_analyst'), (%d, 'admin')) x(t, r)" % (email, nw, ever))
    try:
        path, c = land(ctx, email)
        assert path == ["/start", "/"], path
        page = c.get_json("/").json()
        got = {(m["tenant_name"], m["role_label"], m["kind_label"], m["link"]) for m in page["memberships"]}
        assert got == {("Northwind Security", "MSSP Analyst", "MSSP", "/t/%d" % nw),
                       ("Evergreen MSP", "Admin", "MSP", "/t/%d" % ever)}, got
        html = c.get("/").text
        assert '<a href="/t/%d" class="card-link">' % ever in html and "Admin · MSP" in html
        assert "mssp_analyst of" not in html
    finally:
        ctx.stack.psql("DELETE FROM users WHERE email = '%s'" % email)


def test_a_membership_below_another_one_does_not_make_a_second_start(ctx):
    # An MSP's owner who is also a company's viewer below it lands on the MSP.
    bf = tenant(ctx, "Bluefin IT")
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d" % bf))
    email = "stacked@landing.example"
    ctx.stack.psql(
        "WITH u AS (INSERT INTO users (email, name, password_hash) SELECT '%s', 'Stacked', password_hash"
        " FROM users WHERE email = 'admin@northwind.example' RETURNING id)"
        " INSERT INTO memberships (user_id, tenant_id, role) SELECT u.id, x.t, x.r FROM u,"
        " (VALUES (%d, 'owner'), (%d, 'viewer')) x(t, r)" % (email, bf, co))
    try:
        assert land(ctx, email)[0] == ["/start", "/t/%d" % bf]
    finally:
        ctx.stack.psql("DELETE FROM users WHERE email = '%s'" % email)


def test_nobody_s_organisation_yet_gets_the_chooser_saying_what_to_do(ctx):
    email = "nowhere@landing.example"
    ctx.stack.psql("INSERT INTO users (email, name, password_hash) SELECT '%s', 'Nowhere', password_hash"
                   " FROM users WHERE email = 'admin@northwind.example'" % email)
    try:
        path, c = land(ctx, email)
        assert path == ["/start", "/"] and "Ask an administrator of your organisation" in c.get("/").text
    finally:
        ctx.stack.psql("DELETE FROM users WHERE email = '%s'" % email)
