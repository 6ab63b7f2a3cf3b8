"""Signing in and out, sessions and CSRF at the foundation level. A test
that fails a sign-in deletes the failure it caused (login_failures), so it
neither counts towards the account's lock nor uses up the 127.0.0.1
address's budget (PORTAL_THROTTLE_IP_MAX in 15 minutes) for other tests."""


def last_failure(ctx):
    """The id of the latest failed sign-in recorded so far (0: none)."""
    return int(ctx.stack.psql("SELECT coalesce(max(id), 0) FROM login_failures"))


def forget_failures_since(ctx, since, email):
    """Delete the failed sign-ins of email recorded after id `since`: the
    ones this test caused (the tests run one at a time)."""
    ctx.stack.psql("DELETE FROM login_failures WHERE id > %d AND email = '%s'" % (since, email))


def test_sign_in_page_renders_with_brand(ctx):
    r = ctx.client().get("/login")
    assert r.status == 200
    assert "<title>Sign in · MSSP Portal</title>" in r.text
    assert 'name="email"' in r.text and 'name="password"' in r.text


def test_wrong_password_keeps_email_and_says_why(ctx):
    since = last_failure(ctx)
    try:
        c = ctx.client()
        r = c.post("/login", {"email": "admin@northwind.example", "password": "wrong-password"}, csrf=False)
        assert r.status == 401
        assert 'value="admin@northwind.example"' in r.text
        assert "email address or password is not correct" in r.text
        assert not c.cookies
    finally:
        forget_failures_since(ctx, since, "admin@northwind.example")


def test_unknown_email_answers_like_a_wrong_password(ctx):
    since = last_failure(ctx)
    try:
        r = ctx.client().post("/login", {"email": "nobody@example.com", "password": "whatever-pw"}, csrf=False)
        assert r.status == 401 and "email address or password is not correct" in r.text
    finally:
        forget_failures_since(ctx, since, "nobody@example.com")


def test_empty_fields_are_refused_with_a_message(ctx):
    r = ctx.client().post("/login", {"email": "", "password": ""}, csrf=False)
    assert r.status == 400 and "Enter your email address and password" in r.text


def test_sign_in_from_another_origin_is_refused(ctx):
    c = ctx.client()
    r = c.post("/login", {"email": "admin@northwind.example", "password": "portal-demo-2026"},
               headers={"Origin": "http://evil.example"}, csrf=False)
    assert r.status == 403 and not c.cookies


def test_sign_in_sets_a_safe_cookie_and_shows_the_overview(ctx):
    c = ctx.client()
    r = c.login("admin@northwind.example")
    cookie = r.header("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    token = c.cookies["portal_session"]
    assert len(token) == 64 and all(ch in "0123456789abcdef" for ch in token)
    page = c.get("/")
    assert page.status == 200 and "Nora Admin" in page.text
    assert page.header("Cache-Control") == "no-store"


def test_session_token_is_stored_hashed(ctx):
    c = ctx.login("admin@northwind.example")
    token = c.cookies["portal_session"]
    rows = ctx.stack.psql("SELECT count(*) FROM sessions WHERE token_hash = '%s'" % token)
    assert rows == "0"
    import hashlib
    h = hashlib.sha256(token.encode()).hexdigest()
    assert ctx.stack.psql("SELECT count(*) FROM sessions WHERE token_hash = '%s'" % h) == "1"


def test_next_only_follows_local_paths(ctx):
    c = ctx.client()
    r = c.post("/login", {"email": "admin@northwind.example", "password": "portal-demo-2026",
                          "next": "//evil.example/x"}, csrf=False)
    assert r.status == 303 and r.header("Location") == "/start"


def test_sign_out_needs_csrf_token(ctx):
    c = ctx.login("admin@northwind.example")
    r = c.post("/logout", {}, csrf=False)
    assert r.status == 403 and "did not come from this site" in r.text
    assert c.get("/").status == 200  # still signed in: nothing changed
    r = c.post("/logout", {"csrf": "0" * 64})
    assert r.status == 403
    assert c.get("/").status == 200


def test_sign_out_with_token_from_another_origin_is_refused(ctx):
    c = ctx.login("admin@northwind.example")
    token = c.csrf()
    r = c.post("/logout", {"csrf": token}, headers={"Origin": "http://evil.example"})
    assert r.status == 403
    assert c.get("/").status == 200


def test_sign_out_ends_the_session(ctx):
    c = ctx.login("admin@northwind.example")
    old = dict(c.cookies)
    r = c.post("/logout", {})
    assert r.status == 303 and r.header("Location") == "/login"
    assert "portal_session" not in c.cookies
    c.cookies = old  # replaying the old cookie does not work
    r = c.get("/")
    assert r.status == 303


def test_garbage_session_cookie_is_ignored(ctx):
    c = ctx.client()
    c.cookies["portal_session"] = "not-a-token"
    assert c.get("/").status == 303
    c.cookies["portal_session"] = "a" * 64
    assert c.get("/").status == 303


def test_overview_shows_only_tenants_below_the_user(ctx):
    admin = ctx.login("admin@northwind.example").get_json("/").json()
    names = {t["name"] for t in admin["tenants"]}
    assert "Northwind Security" in names and "Bluefin IT" in names
    assert "Evergreen MSP" not in names  # not managed by this MSSP
    owner = ctx.login("owner@evergreen.example").get_json("/").json()
    names = {t["name"] for t in owner["tenants"]}
    assert "Evergreen MSP" in names and "Bluefin IT" not in names and "Northwind Security" not in names
