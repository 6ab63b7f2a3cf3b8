"""The theme toggle works without JavaScript: the header's form posts the
other theme, which the next page renders on <html>."""


def test_toggle_without_scripts_sets_the_cookie_and_returns(ctx):
    c = ctx.client()
    page = c.get("/login")
    assert 'action="/theme"' in page.text and 'name="theme" value="dark"' in page.text
    assert 'name="next" value="/login"' in page.text
    r = c.post("/theme", {"theme": "dark", "next": "/login"}, csrf=False)
    assert r.status == 303 and r.header("Location") == "/login"
    assert c.cookies.get("theme") == "dark"
    page = c.get("/login")
    assert '<html lang="en" data-theme="dark">' in page.text and 'name="theme" value="light"' in page.text


def test_toggle_refuses_bad_values_other_sites_and_foreign_redirects(ctx):
    c = ctx.client()
    assert c.post("/theme", {"theme": "purple"}, csrf=False).status == 400
    r = c.post("/theme", {"theme": "dark"}, headers={"Origin": "http://evil.example"}, csrf=False)
    assert r.status == 403 and "theme" not in c.cookies
    r = c.post("/theme", {"theme": "light", "next": "//evil.example/"}, csrf=False)
    assert r.status == 303 and r.header("Location") == "/"
