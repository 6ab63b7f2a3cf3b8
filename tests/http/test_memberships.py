"""Memberships, not accounts (issue 17, finding 2): a tenant's Owners and
Admins suspend, resume and remove *memberships* in their tenant, which
changes nothing the person can do elsewhere; the person sees their own
memberships on /account and may leave one; a tenant's pending invitations
are on its team page, to withdraw or send again (team_set_status(), membership_leave(),
team_invitations()).

Each test adds its own people (a per-run tag) and deletes them again; a
demo membership it changes is put back in a `finally`."""
import re
import urllib.parse
import uuid

import portal

REPEAT = 9  # more requests than the stack's workers: every worker must agree


def tag():
    return uuid.uuid4().hex[:8]


def member(page, email):
    for m in page["members"]:
        if m["email"] == email:
            return m
    return None


def path_of(link):
    return urllib.parse.urlsplit(link).path


def invite_mails(ctx, to, since, n=1):
    """The paths of the invitation links mailed to `to` after the first
    `since` messages, once n of them have arrived."""
    portal.wait_for("%d invitation mail(s) to %s" % (n, to),
                    lambda: len([m for m in ctx.stack.messages()[since:] if m["To"] == to]) >= n, 20)
    return [path_of(portal.find_link(portal.body_of(m), r"https?://\S+/invite/[0-9a-f]{64}"))
            for m in ctx.stack.messages()[since:] if m["To"] == to]


def first_company(ctx, msp):
    return int(ctx.stack.psql("SELECT id FROM tenants WHERE parent_id = %d ORDER BY id LIMIT 1" % msp))


def audit_actions(ctx, tenant, uid):
    return ctx.stack.psql("SELECT string_agg(action, ',' ORDER BY id) FROM audit_log WHERE tenant_id = %d"
                          " AND target = 'user:%d'" % (tenant, uid))


def cached_count(ctx, uid):
    return len(re.findall(r"^.* GET \S+ \d+ \S+ user=%d ctx=cached( page=(?:cached|shared))?$" % uid, ctx.stack.log(), re.M))


def warm(ctx, client, uid, path):
    """Repeat GET path until a worker answers it from the context cache."""
    before = cached_count(ctx, uid)
    for _ in range(30):
        assert client.get(path).status == 200
        if cached_count(ctx, uid) > before:
            return
    raise AssertionError("no request for %s was answered from the context cache" % path)


def test_suspended_in_one_tenant_keeps_the_other_and_resume_restores(ctx):
    q = ctx.stack.psql
    bluefin, ever = ctx.stack.tenant_id("Bluefin IT"), ctx.stack.tenant_id("Evergreen MSP")
    company = first_company(ctx, bluefin)
    email = "twohomes.%s@members.example" % tag()
    uid = ctx.stack.new_user(email, (bluefin, "analyst"), (ever, "viewer"))
    try:
        user = ctx.login(email)
        # Cached contexts on both tenants, so the suspension has something to undo.
        warm(ctx, user, uid, "/t/%d" % bluefin)
        warm(ctx, user, uid, "/t/%d" % ever)
        owner = ctx.login("owner@msp1.example")
        team = owner.get_json("/t/%d/team" % bluefin).json()
        m = member(team, email)
        assert m["membership_status"] == "active" and not m["can_disable"], m  # belongs elsewhere too
        assert "Suspend in Bluefin IT" in owner.get("/t/%d/team" % bluefin).text
        r = owner.post("/t/%d/team/%d/membership" % (bluefin, uid), {"status": "suspended"})
        assert r.status == 303 and r.header("Location").endswith("done=suspended"), r
        # At once, on every worker: nothing in Bluefin or below; Evergreen whole.
        for _ in range(REPEAT):
            assert user.get("/t/%d" % bluefin).status == 404
            assert user.get("/t/%d" % company).status == 404
            assert user.get("/t/%d/vulnerabilities" % ever).status == 200
            assert user.get("/t/%d" % ever).status == 200
        assert user.get("/").status == 200  # still signed in
        assert bluefin not in [t["id"] for t in user.get_json("/").json()["tenants"]]
        assert q("SELECT status FROM users WHERE id = %d" % uid) == "active"
        assert q("SELECT count(*) FROM sessions WHERE user_id = %d" % uid) != "0"
        # Bluefin's team shows the suspension; Evergreen's does not.
        m = member(owner.get_json("/t/%d/team" % bluefin).json(), email)
        assert m["membership_status"] == "suspended" and m["status"] == "active", m
        assert "Resume" in owner.get("/t/%d/team" % bluefin).text
        other = ctx.login("owner@evergreen.example").get_json("/t/%d/team" % ever).json()
        assert member(other, email)["membership_status"] == "active"
        # The person sees it on their own page.
        mine = {x["tenant_name"]: x for x in user.get_json("/account").json()["memberships"]}
        assert mine["Bluefin IT"]["status"] == "suspended" and mine["Evergreen MSP"]["status"] == "active", mine
        # Suspending twice says so; resuming gives the role back at once.
        r = owner.post("/t/%d/team/%d/membership" % (bluefin, uid), {"status": "suspended"})
        assert r.status == 409 and "suspended already" in r.text, r
        r = owner.post("/t/%d/team/%d/membership" % (bluefin, uid), {"status": "active"})
        assert r.status == 303 and r.header("Location").endswith("done=resumed"), r
        for _ in range(REPEAT):
            assert user.get("/t/%d" % bluefin).status == 200
            assert user.get("/t/%d" % company).status == 200
        assert user.get_json("/t/%d" % bluefin).json()["tenant"]["role"] == "analyst"
        assert audit_actions(ctx, bluefin, uid) == "team.suspended,team.resumed"
        assert audit_actions(ctx, ever, uid) is None or audit_actions(ctx, ever, uid) == ""
    finally:
        q("DELETE FROM users WHERE id = %d" % uid)


def test_a_suspended_membership_from_outside_the_portal_drops_cached_contexts(ctx):
    # The context cache (context_changed()): a status change rewrites user_access,
    # which notifies the workers, whoever makes the change.
    q = ctx.stack.psql
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    email = "cached.%s@members.example" % tag()
    uid = ctx.stack.new_user(email, (bluefin, "viewer"))
    try:
        user = ctx.login(email)
        warm(ctx, user, uid, "/t/%d" % bluefin)
        q("UPDATE memberships SET status = 'suspended', suspended_at = now() WHERE user_id = %d" % uid)
        portal.wait_for("every worker to refuse the suspended member",
                        lambda: all(user.get("/t/%d" % bluefin).status == 404 for _ in range(REPEAT)))
        assert q("SELECT tenants FROM user_access WHERE user_id = %d" % uid) == "{}"
    finally:
        q("DELETE FROM users WHERE id = %d" % uid)


def test_the_last_owner_cannot_be_suspended(ctx):
    q = ctx.stack.psql
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    owner = ctx.stack.user_id("owner@msp1.example")
    assert q("SELECT count(*) FROM memberships WHERE tenant_id = %d AND role = 'owner'" % bluefin) == "1"
    r = ctx.login("admin@northwind.example").post("/t/%d/team/%d/membership" % (bluefin, owner),
                                                   {"status": "suspended"})
    assert r.status == 409 and "at least one active Owner" in r.text, r
    assert q("SELECT status FROM memberships WHERE tenant_id = %d AND user_id = %d" % (bluefin, owner)) == "active"
    # An Admin may not touch an Owner's membership at all; nobody their own.
    r = ctx.login("admin@msp1.example").post("/t/%d/team/%d/membership" % (bluefin, owner), {"status": "suspended"})
    assert r.status == 403 and "cannot manage a member" in r.text, r
    r = ctx.login("owner@msp1.example").post("/t/%d/team/%d/membership" % (bluefin, owner), {"status": "suspended"})
    assert r.status == 409, r
    assert q("SELECT status FROM memberships WHERE tenant_id = %d AND user_id = %d" % (bluefin, owner)) == "active"


def test_disable_account_is_offered_only_for_an_account_wholly_the_tenants(ctx):
    q = ctx.stack.psql
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    email = "onehome.%s@members.example" % tag()
    uid = ctx.stack.new_user(email, (bluefin, "viewer"))
    try:
        owner = ctx.login("owner@msp1.example")
        m = member(owner.get_json("/t/%d/team" % bluefin).json(), email)
        assert m["can_disable"] and m["can_edit"], m
        assert "Disable account" in owner.get("/t/%d/team" % bluefin).text
        # Viewers of the team never get the buttons for themselves.
        me = member(owner.get_json("/t/%d/team" % bluefin).json(), "owner@msp1.example")
        assert not me["can_edit"] and not me["can_disable"], me
    finally:
        q("DELETE FROM users WHERE id = %d" % uid)


def test_a_user_sees_their_memberships_and_leaves_one(ctx):
    q = ctx.stack.psql
    bluefin, ever = ctx.stack.tenant_id("Bluefin IT"), ctx.stack.tenant_id("Evergreen MSP")
    email = "leaver.%s@members.example" % tag()
    uid = ctx.stack.new_user(email, (bluefin, "viewer"), (ever, "analyst"))
    try:
        user = ctx.login(email)
        page = user.get_json("/account").json()
        mine = {x["tenant_name"]: x for x in page["memberships"]}
        assert set(mine) == {"Bluefin IT", "Evergreen MSP"}, mine
        b = mine["Bluefin IT"]
        assert (b["tenant_id"], b["kind"], b["role"], b["status"]) == (bluefin, "msp", "viewer", "active"), b
        assert re.match(r"^\d{4}-\d\d-\d\d$", b["since"]) and not b["last_owner"], b
        html = user.get("/account").text
        assert "Your memberships" in html and "Bluefin IT" in html and "Leave" in html
        # Leaving is confirmed first; the form posts with the CSRF token.
        r = user.get("/account?leave=%d" % bluefin)
        assert r.status == 200 and "Leave Bluefin IT?" in r.text and 'name="csrf"' in r.text
        assert user.post("/account/memberships/%d/leave" % bluefin, {}, csrf=False).status == 403
        assert q("SELECT count(*) FROM memberships WHERE user_id = %d" % uid) == "2"
        r = user.post("/account/memberships/%d/leave" % bluefin, {})
        assert r.status == 303 and r.header("Location") == "/account?done=left", r
        for _ in range(REPEAT):
            assert user.get("/t/%d" % bluefin).status == 404
            assert user.get("/t/%d" % ever).status == 200
        assert [x["tenant_name"] for x in user.get_json("/account").json()["memberships"]] == ["Evergreen MSP"]
        # Its audit row is in the tenant left, for that tenant's admins.
        assert audit_actions(ctx, bluefin, uid) == "team.left"
        log = ctx.login("owner@msp1.example").get_json("/t/%d/audit?action=team." % bluefin).json()["entries"]
        assert "team.left" in [e["action"] for e in log]
        assert member(ctx.login("owner@msp1.example").get_json("/t/%d/team" % bluefin).json(), email) is None
        # Nothing left to leave there.
        assert user.post("/account/memberships/%d/leave" % bluefin, {}).status == 404
    finally:
        q("DELETE FROM users WHERE id = %d" % uid)


def test_a_suspended_member_may_still_leave(ctx):
    q = ctx.stack.psql
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    email = "suspleave.%s@members.example" % tag()
    uid = ctx.stack.new_user(email, (bluefin, "viewer"))
    try:
        q("UPDATE memberships SET status = 'suspended', suspended_at = now() WHERE user_id = %d" % uid)
        user = ctx.login(email)
        assert user.get_json("/account").json()["memberships"][0]["status"] == "suspended"
        assert user.post("/account/memberships/%d/leave" % bluefin, {}).status == 303
        assert q("SELECT count(*) FROM memberships WHERE user_id = %d" % uid) == "0"
        assert audit_actions(ctx, bluefin, uid) == "team.left"
    finally:
        q("DELETE FROM users WHERE id = %d" % uid)


def test_the_last_owner_cannot_leave(ctx):
    q = ctx.stack.psql
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    company = first_company(ctx, bluefin)
    owner = ctx.stack.user_id("owner@company.example")
    assert q("SELECT count(*) FROM memberships WHERE tenant_id = %d AND role = 'owner'" % company) == "1"
    audit_before = q("SELECT max(id) FROM audit_log")
    c = ctx.login("owner@company.example")
    row = [x for x in c.get_json("/account").json()["memberships"] if x["tenant_id"] == company][0]
    assert row["last_owner"], row
    r = c.post("/account/memberships/%d/leave" % company, {})
    assert r.status == 409 and "last active Owner" in r.text, r
    assert q("SELECT role FROM memberships WHERE tenant_id = %d AND user_id = %d" % (company, owner)) == "owner"
    assert q("SELECT count(*) FROM audit_log WHERE id > %s AND action = 'team.left'" % audit_before) == "0"
    assert c.get("/t/%d" % company).status == 200


def test_pending_invitations_on_the_team_page_resend_and_revoke(ctx):
    q = ctx.stack.psql
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    email = "pending.%s@members.example" % tag()
    existing = "existing.%s@members.example" % tag()
    ever = ctx.stack.tenant_id("Evergreen MSP")
    ctx.stack.new_user(existing, (ever, "viewer"))
    try:
        owner = ctx.login("owner@msp1.example")
        before = len(ctx.stack.messages())
        assert owner.post("/t/%d/team/invite" % bluefin, {"email": email, "name": "Pending Person",
                                                           "role": "analyst"}).status == 303
        assert owner.post("/t/%d/team/invite" % bluefin, {"email": existing, "name": "Typed Name",
                                                           "role": "viewer"}).status == 303
        page = owner.get_json("/t/%d/team" % bluefin).json()
        invs = {i["email"]: i for i in page["invitations"]}
        assert email in invs and existing in invs, invs
        inv = invs[email]
        assert inv["role"] == "analyst", inv
        assert inv["invited_by"] == q("SELECT name FROM users WHERE email = 'owner@msp1.example'"), inv
        assert inv["sent"] and inv["expires"] and not inv["expired"] and inv["can_manage"], inv
        # Nothing of the invited person's other memberships shows.
        assert set(invs[existing]) == {"id", "email", "role", "role_label", "invited_by", "sent", "expires",
                                       "expired", "can_manage"}, invs[existing]
        assert "Evergreen" not in owner.get("/t/%d/team" % bluefin).text
        html = owner.get("/t/%d/team" % bluefin).text
        assert "Pending invitations" in html and "Resend" in html and "Revoke" in html
        [old] = invite_mails(ctx, email, before)
        assert ctx.client().get(old).status == 200
        # Resend: a new mail, a new link; the old one is dead.
        before = len(ctx.stack.messages())
        r = owner.post("/t/%d/team/invitations/%d/resend" % (bluefin, inv["id"]), {})
        assert r.status == 303 and r.header("Location").endswith("done=resent"), r
        [new] = invite_mails(ctx, email, before)
        assert new != old
        r = ctx.client().get(old)
        assert r.status == 404 and "no longer valid" in r.text, r
        r = ctx.client().get(new)
        assert r.status == 200 and "Join Bluefin IT" in r.text, r
        # Revoke: the link stops working at once; the listed invitee goes.
        r = owner.post("/t/%d/team/invitations/%d/revoke" % (bluefin, inv["id"]), {})
        assert r.status == 303 and r.header("Location").endswith("done=revoked"), r
        r = ctx.client().get(new)
        assert r.status == 404 and "no longer valid" in r.text, r
        r = ctx.client().post(new, {"name": "P", "password": "long-enough-pw-1", "password2": "long-enough-pw-1"},
                              csrf=False)
        assert r.status == 404, r
        page = owner.get_json("/t/%d/team" % bluefin).json()
        assert email not in [i["email"] for i in page["invitations"]]
        assert member(page, email) is None
        assert owner.post("/t/%d/team/invitations/%d/revoke" % (bluefin, inv["id"]), {}).status == 404
        actions = [e["action"] for e in owner.get_json("/t/%d/audit?action=team.invite" % bluefin).json()["entries"]]
        assert "team.invite_resent" in actions and "team.invite_revoked" in actions, actions
    finally:
        q("DELETE FROM users WHERE email IN ('%s', '%s')" % (email, existing))


def test_resend_is_under_the_mail_limits(ctx):
    q = ctx.stack.psql
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    email = "limited.%s@members.example" % tag()
    try:
        owner = ctx.login("owner@msp1.example")
        assert owner.post("/t/%d/team/invite" % bluefin, {"email": email, "name": "Limited",
                                                           "role": "viewer"}).status == 303
        iid = [i["id"] for i in owner.get_json("/t/%d/team" % bluefin).json()["invitations"] if i["email"] == email][0]
        codes = [owner.post("/t/%d/team/invitations/%d/resend" % (bluefin, iid), {}).status for _ in range(3)]
        assert codes == [303, 303, 429], codes  # 3 a day to one address, the first invitation included
        assert "invited several times today" in owner.post("/t/%d/team/invitations/%d/resend" % (bluefin, iid), {}).text
    finally:
        q("DELETE FROM users WHERE email = '%s'" % email)


def test_another_tenant_cannot_suspend_revoke_or_resend(ctx):
    q = ctx.stack.psql
    bluefin, ever = ctx.stack.tenant_id("Bluefin IT"), ctx.stack.tenant_id("Evergreen MSP")
    email = "target.%s@members.example" % tag()
    invited = "invited.%s@members.example" % tag()
    uid = ctx.stack.new_user(email, (bluefin, "viewer"))
    try:
        owner = ctx.login("owner@msp1.example")
        assert owner.post("/t/%d/team/invite" % bluefin, {"email": invited, "name": "Invited",
                                                           "role": "owner"}).status == 303
        iid = [i["id"] for i in owner.get_json("/t/%d/team" % bluefin).json()["invitations"]
               if i["email"] == invited][0]
        state = ("SELECT (SELECT string_agg(status, ',') FROM memberships WHERE user_id = %d) || ' ' ||"
                 " (SELECT token_hash FROM invitations WHERE id = %d)" % (uid, iid))
        before = q(state)
        outsider = ctx.login("owner@evergreen.example")
        for tenant in (bluefin, ever):
            assert outsider.post("/t/%d/team/%d/membership" % (tenant, uid), {"status": "suspended"}).status == 404
            assert outsider.post("/t/%d/team/invitations/%d/revoke" % (tenant, iid), {}).status == 404
            assert outsider.post("/t/%d/team/invitations/%d/resend" % (tenant, iid), {}).status == 404
        # An Admin of Bluefin may not withdraw an Owner's invitation.
        admin = ctx.login("admin@msp1.example")
        r = admin.post("/t/%d/team/invitations/%d/revoke" % (bluefin, iid), {})
        assert r.status == 403 and "cannot manage" in r.text, r
        assert not [i for i in admin.get_json("/t/%d/team" % bluefin).json()["invitations"]
                    if i["id"] == iid][0]["can_manage"]
        # Without the CSRF token, nothing either.
        assert owner.post("/t/%d/team/invitations/%d/revoke" % (bluefin, iid), {}, csrf=False).status == 403
        assert owner.post("/t/%d/team/%d/membership" % (bluefin, uid), {"status": "suspended"},
                          csrf=False).status == 403
        assert q(state) == before
    finally:
        q("DELETE FROM users WHERE email IN ('%s', '%s')" % (email, invited))


def test_invitations_for_me_on_my_page_accept_and_decline(ctx):
    q = ctx.stack.psql
    bluefin, ever = ctx.stack.tenant_id("Bluefin IT"), ctx.stack.tenant_id("Evergreen MSP")
    email = "answer.%s@members.example" % tag()
    uid = ctx.stack.new_user(email, (bluefin, "viewer"))
    try:
        inviter = ctx.login("owner@evergreen.example")
        assert inviter.post("/t/%d/team/invite" % ever, {"email": email, "name": "Answer",
                                                          "role": "analyst"}).status == 303
        user = ctx.login(email)
        [inv] = user.get_json("/account").json()["invitations"]
        assert inv["tenant_name"] == "Evergreen MSP" and inv["role"] == "analyst", inv
        assert "Accept" in user.get("/account").text
        # Someone else cannot answer it.
        assert ctx.login("viewer@msp1.example").post("/account/invitations/%d/accept" % inv["id"], {}).status == 404
        r = user.post("/account/invitations/%d/decline" % inv["id"], {})
        assert r.status == 303 and r.header("Location") == "/account?done=declined", r
        assert user.get_json("/account").json()["invitations"] == []
        assert user.get("/t/%d" % ever).status == 404
        assert audit_actions(ctx, ever, uid) == "team.invite_declined"
        # Invited again, and accepted from the page.
        assert inviter.post("/t/%d/team/invite" % ever, {"email": email, "name": "Answer",
                                                          "role": "analyst"}).status == 303
        [inv] = user.get_json("/account").json()["invitations"]
        assert user.post("/account/invitations/%d/accept" % inv["id"], {}).status == 303
        assert user.get_json("/t/%d" % ever).json()["tenant"]["role"] == "analyst"
        assert user.post("/account/invitations/%d/accept" % inv["id"], {}).status == 404
    finally:
        q("DELETE FROM users WHERE id = %d" % uid)


def test_a_suspended_membership_gives_no_brand_either(ctx):
    # The brand of pages outside a tenant and of account emails is the
    # tenant of the person's oldest membership: an active one. A tenant that
    # suspended someone no longer dresses their portal or their reset mail.
    q = ctx.stack.psql
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    ever = ctx.stack.tenant_id("Evergreen MSP")
    email = "brand.%s@members.example" % tag()
    uid = ctx.stack.new_user(email, (bluefin, "viewer"), (ever, "viewer"))
    try:
        q("UPDATE memberships SET created_at = now() - interval '1 day' WHERE user_id = %d AND tenant_id = %d"
          % (uid, bluefin))
        assert q("SELECT account_mail_tenant(%d), brand_tenant_for(NULL, %d, 'x')" % (uid, uid)) == \
            "%d|%d" % (bluefin, bluefin)
        q("UPDATE memberships SET status = 'suspended', suspended_at = now() WHERE user_id = %d AND tenant_id = %d"
          % (uid, bluefin))
        assert q("SELECT account_mail_tenant(%d), brand_tenant_for(NULL, %d, 'x')" % (uid, uid)) == \
            "%d|%d" % (ever, ever)
    finally:
        q("DELETE FROM users WHERE id = %d" % uid)
