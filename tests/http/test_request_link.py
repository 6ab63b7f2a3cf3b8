"""An approval link opened by the wrong account says which account it is
for (masked) and offers to sign in as it; the right account then lands on
the request."""
import re
import urllib.parse

import onboard as ob


def test_a_wrong_account_is_told_whose_link_it_is_and_can_switch(ctx):
    msp, name, owner_email = ob.make_msp(ctx)
    admin = ctx.login("admin@northwind.example")
    since = len(ctx.stack.messages())
    assert ob.add_msp(admin, ctx, owner_email, name).status == 303
    _, link = ob.request_mail(ctx, owner_email, since)
    stranger = ctx.login("viewer@company.example")
    r = stranger.get(link)
    masked = owner_email[0] + "***" + owner_email[owner_email.index("@"):]
    assert r.status == 403 and masked in r.text and owner_email not in r.text, r.status
    assert "viewer@company.example" in r.text  # who they are signed in as
    nxt = re.search(r'name="next" value="([^"]+)"', r.text).group(1)
    assert nxt == link
    # Sign out with next: to the sign-in page, which leads back to the link.
    r = stranger.post("/logout", {"next": nxt})
    assert r.status == 303 and r.header("Location") == "/login?next=" + urllib.parse.quote(link, safe=""), \
        r.header("Location")
    assert stranger.get("/").status == 303  # signed out
    owner = ctx.client()
    r = owner.post("/login", {"email": owner_email, "password": "portal-demo-2026", "next": nxt}, csrf=False)
    assert r.status == 303 and r.header("Location") == link
    r = owner.get(link)
    assert r.status == 303 and re.fullmatch(r"/t/%d/requests/\d+" % msp, r.header("Location")), r.header("Location")
    # The JSON twin names no full address either.
    j = ctx.login("viewer@company.example").get_json(link)
    assert j.status == 403 and j.json()["sign_in_as"] == masked


def test_an_unknown_link_and_an_unsafe_next_lead_nowhere(ctx):
    c = ctx.login("viewer@company.example")
    assert c.get("/requests/" + "ab" * 32).status == 404
    r = c.post("/logout", {"next": "//evil.example/x"})
    assert r.status == 303 and r.header("Location") == "/login"
