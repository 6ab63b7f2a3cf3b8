"""The bell follows what people do: a notification is read once opened,
and an approval request that is over (decided by anyone, cancelled or sent
again) leaves the bell of everyone it asked."""
import onboard as ob


def bell(client):
    """The unread count and the titles the bell lists, from the JSON twin."""
    b = client.get_json("/notifications").json().get("bell") or {}
    return b.get("unread", 0), [i["title"] for i in b.get("items", [])]


def second_admin(ctx, msp, n):
    """Another Admin of the MSP, whom a request asks too."""
    email = "admin%s@onboard.example" % n
    ctx.stack.psql(
        "WITH u AS (INSERT INTO users (email, name, password_hash) SELECT '%s', 'Admin %s', password_hash"
        " FROM users WHERE email = 'admin@northwind.example' RETURNING id)"
        " INSERT INTO memberships (user_id, tenant_id, role) SELECT u.id, %d, 'admin' FROM u" % (email, n, msp))
    return email


ASK = "MSSP Approval Request from Northwind Security"


def test_opening_a_notification_reads_it_and_goes_where_it_points(ctx):
    msp, name, owner_email = ob.make_msp(ctx)
    admin = ctx.login("admin@northwind.example")
    assert ob.add_msp(admin, ctx, owner_email, name).status == 303
    owner = ctx.login(owner_email)
    unread, titles = bell(owner)
    assert unread == 1 and titles == [ASK], (unread, titles)
    note = owner.get_json("/notifications").json()["notifications"][0]
    # The bell's entry is a form (a read is a change): it posts, and lands
    # on the notification's own link, whatever the form says.
    page = owner.get("/t/%d" % msp).text
    assert 'action="/notifications/%d/open"' % note["id"] in page
    r = owner.post("/notifications/%d/open" % note["id"], {"next": "https://evil.example/"})
    assert r.status == 303 and r.header("Location") == note["link"], (r.status, r.header("Location"))
    assert bell(owner) == (0, [])
    assert owner.get_json("/notifications").json()["notifications"][0]["unread"] is False
    # Opening it again still leads there; reading is kept.
    r = owner.post("/notifications/%d/open" % note["id"], {})
    assert r.status == 303 and r.header("Location") == note["link"]


def test_someone_else_s_notification_cannot_be_opened_or_read(ctx):
    msp, name, owner_email = ob.make_msp(ctx)
    admin = ctx.login("admin@northwind.example")
    assert ob.add_msp(admin, ctx, owner_email, name).status == 303
    owner = ctx.login(owner_email)
    nid = owner.get_json("/notifications").json()["notifications"][0]["id"]
    assert admin.post("/notifications/%d/open" % nid, {}).status == 404
    assert owner.post("/notifications/%d/open" % nid, {}, csrf=False).status == 403
    assert bell(owner)[0] == 1


def test_a_decided_request_leaves_every_approver_s_bell(ctx):
    msp, name, owner_email = ob.make_msp(ctx)
    other_email = second_admin(ctx, msp, msp)
    admin = ctx.login("admin@northwind.example")
    assert ob.add_msp(admin, ctx, owner_email, name).status == 303
    owner, other = ctx.login(owner_email), ctx.login(other_email)
    assert bell(owner) == (1, [ASK]) and bell(other) == (1, [ASK])
    req = owner.get(owner.get_json("/notifications").json()["notifications"][0]["link"]).header("Location")
    r = owner.post(req + "/decide", {"decision": "approve", "reason": "We agreed on the contract."})
    assert r.status == 303, r.status
    # Neither the one who decided nor the other admin is still asked.
    assert bell(owner) == (0, []) and bell(other) == (0, [])
    # The MSSP side is told, and that stays until read.
    unread, titles = bell(admin)
    assert any(t.startswith(name) and "approved" in t for t in titles), titles


def test_a_cancelled_or_resent_request_stops_asking(ctx):
    msp, name, owner_email = ob.make_msp(ctx)
    admin = ctx.login("admin@northwind.example")
    assert ob.add_msp(admin, ctx, owner_email, name).status == 303
    owner = ctx.login(owner_email)
    assert bell(owner) == (1, [ASK])
    row = ob.find(ob.requests_of(admin, ctx), name)
    mssp = ob.mssp_id(ctx)
    assert admin.post("/t/%d/msps/requests/%d/resend" % (mssp, row["id"]), {}).status == 303
    # The old ask is over; the new request asks once.
    assert bell(owner) == (1, [ASK])
    row = ob.find(ob.requests_of(admin, ctx), name)
    assert admin.post("/t/%d/msps/requests/%d/cancel" % (mssp, row["id"]), {}).status == 303
    assert bell(owner) == (0, [])
    notes = owner.get_json("/notifications").json()["notifications"]
    assert len(notes) == 2 and not any(n["unread"] for n in notes)
