"""Account trust (issue 17): each finding of the security review, as the
attacker tried it, refused. One test per finding that is fixed."""


def test_origin_is_scheme_host_and_port(ctx):
    # Finding 7: the same host on another port, or over another scheme, is
    # another origin (a second site on the same machine); so is a Referer
    # from one. Only the portal's own scheme, host and port may sign in.
    form = {"email": "viewer@company.example", "password": "portal-demo-2026", "next": "/"}
    here = "127.0.0.1:%d" % ctx.port
    for origin in ("http://127.0.0.1:6666", "https://%s" % here, "http://127.0.0.1", "http://%s.evil.example" % here,
                   "http://127.0.0.1:%d0" % ctx.port, "http://127.0.0.2:%d" % ctx.port, "null", "http://:%d" % ctx.port):
        c = ctx.client()
        r = c.post("/login", form, csrf=False, headers={"Origin": origin})
        assert r.status == 403 and not c.cookies, (origin, r)
    for referer in ("http://127.0.0.1:6666/login", "https://%s/login" % here):
        c = ctx.client()
        r = c.post("/login", form, csrf=False, headers={"Origin": None, "Referer": referer})
        assert r.status == 403 and not c.cookies, (referer, r)
    # The portal's own origin, and a Referer from it.
    for headers in ({"Origin": "http://%s" % here},
                    {"Origin": None, "Referer": "http://%s/login?next=/" % here}):
        c = ctx.client()
        r = c.post("/login", form, csrf=False, headers=headers)
        assert r.status == 303 and c.cookies, (headers, r)
    # A signed-in state change from another port is refused too.
    c = ctx.login("viewer@company.example")
    token = c.csrf()
    r = c.post("/theme", {"theme": "dark", "csrf": token}, csrf=False, headers={"Origin": "http://127.0.0.1:6666"})
    assert r.status == 403, r
