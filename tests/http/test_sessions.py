"""Session lifetime: idle and absolute expiry; the first admin from ctl."""
import hashlib
import time

import portal


def session_hash(client):
    return hashlib.sha256(client.cookies["portal_session"].encode()).hexdigest()


def test_idle_session_expires(ctx):
    c = ctx.login("viewer@msp1.example")
    assert c.get("/").status == 200
    ctx.stack.psql("UPDATE sessions SET last_seen_at = now() - interval '3 hours' WHERE token_hash = '%s'"
                   % session_hash(c))
    # Changed from psql: it reaches the worker that cached this session's
    # context when its backend delivers the notification (a moment).
    r = portal.wait_for("the idle session to be refused", lambda: (lambda r: r if r.status == 303 else None)(c.get("/")))
    assert r.header("Location").startswith("/login")
    # The expired session is gone from the database, and the cookie cleared.
    assert "portal_session" not in c.cookies


def test_absolute_expiry_ends_an_active_session(ctx):
    c = ctx.login("viewer@msp1.example")
    h = session_hash(c)
    ctx.stack.psql("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE token_hash = '%s'" % h)
    assert c.get("/").status == 303
    assert ctx.stack.psql("SELECT count(*) FROM sessions WHERE token_hash = '%s'" % h) == "0"


def test_recent_activity_keeps_the_session(ctx):
    c = ctx.login("viewer@msp1.example")
    ctx.stack.psql("UPDATE sessions SET last_seen_at = now() - interval '90 minutes' WHERE token_hash = '%s'"
                   % session_hash(c))
    assert c.get("/").status == 200
    seen = ctx.stack.psql("SELECT now() - last_seen_at < interval '1 minute' FROM sessions WHERE token_hash = '%s'"
                          % session_hash(c))
    assert seen == "t"


def test_ctl_create_admin_makes_a_new_mssp_whose_admin_can_sign_in(ctx):
    args = ["create-admin", "--mssp", "Southwind Defense", "--region", "us", "--email", "root@southwind.example",
            "--name", "Sam Root"]
    p = ctx.stack.ctl(*args, env={"PORTAL_ADMIN_PASSWORD": "first-admin-pw-2026"})
    assert p.returncode == 0, p.stdout
    assert "created MSSP Southwind Defense" in p.stdout
    c = ctx.login("root@southwind.example", "first-admin-pw-2026")
    home = c.get_json("/").json()
    assert [t["name"] for t in home["tenants"]] == ["Southwind Defense"]
    assert home["memberships"][0]["role"] == "mssp_admin"
    # A short password is refused before anything is created.
    args[args.index("Southwind Defense")] = "Eastwind"
    p = ctx.stack.ctl(*args, env={"PORTAL_ADMIN_PASSWORD": "short"})
    assert p.returncode != 0 and "10 to 256 characters" in p.stdout
    assert ctx.stack.psql("SELECT count(*) FROM tenants WHERE name = 'Eastwind'") == "0"


def test_error_pages_leave_no_transaction_open(ctx):
    """A signed-in GET runs its first statement alone and begins a
    transaction only for the next one (cgi/db.c). An error page rendered
    after the rollback must not leave one open on the worker's connection:
    the sessions that worker then writes would never be committed, and
    every other worker would answer 'sign in'."""
    admin = ctx.login("admin@northwind.example")
    for _ in range(12):  # every worker renders a 404 for a signed-in user
        assert admin.get("/t/999999999").status == 404
    for _ in range(12):
        c = ctx.login("viewer@company.example")
        assert c.get_json("/").status == 200


def test_the_bell_is_the_same_on_a_page_and_after_a_write(ctx):
    """A GET gets the bell in its first statement (request_context), a write
    after its handler (cgi/view.c); both read bell_items(): the
    five newest unread notifications, newest first."""
    uid = int(ctx.stack.psql("SELECT id FROM users WHERE email = 'owner@msp1.example'"))
    bf = int(ctx.stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
    tag = "Bell test %d" % (int(time.time() * 1000) % 1000000)
    # In the future, so they are the newest whatever other tests left.
    ctx.stack.psql("INSERT INTO notifications (user_id, kind, title, link, created_at)"
                   " SELECT %d, 'test', '%s ' || g, '/t/%d', now() + make_interval(mins => g)"
                   " FROM generate_series(1, 7) g" % (uid, tag, bf))
    try:
        owner = ctx.login("owner@msp1.example")
        page = owner.get_json("/t/%d" % bf).json()["bell"]
        assert [i["title"] for i in page["items"]] == ["%s %d" % (tag, g) for g in (7, 6, 5, 4, 3)], page
        assert page["unread"] >= 7 and all(i["link"] == "/t/%d" % bf and i["at"] for i in page["items"])
        r = owner.request("POST", "/t/%d/children.json" % bf, body="name=&region=eu&csrf=" + owner.csrf(),
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status == 400, r
        assert r.json()["bell"] == page
    finally:
        ctx.stack.psql("UPDATE notifications SET read_at = now() WHERE title LIKE '%s %%'" % tag)
