"""Account trust (issue 17): each finding of the security review, as the
attacker tried it, refused. One test per finding that is fixed."""
import json
import time
import urllib.parse

import portal


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


def test_ingest_refuses_dates_the_database_would_item_by_item(ctx):
    # Finding 10: an offset beyond ±15:59 passed the API's check and made
    # the database refuse the whole batch (400); a close before its open and
    # dates far ahead were stored. Now each is that item's own error, and
    # the batch's good items are stored.
    owner = ctx.login("owner@msp1.example")
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    r = owner.request("POST", "/t/%d/api-keys.json" % bluefin, body="name=trust-probe&csrf=%s" % owner.csrf(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r
    key = r.json()["new_key"]["key"]
    n = int(time.time() * 1000)
    ahead = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3 * 86400))
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    items = [
        {"external_id": "t-%d-0" % n, "severity": "low", "title": "Offset", "opened_at": "2026-01-01T00:00:00+16:00"},
        {"external_id": "t-%d-1" % n, "severity": "low", "title": "Backwards", "opened_at": "2026-01-02T00:00:00Z",
         "closed_at": "2026-01-01T00:00:00Z"},
        {"external_id": "t-%d-2" % n, "severity": "low", "title": "Ahead", "opened_at": ahead},
        {"external_id": "t-%d-3" % n, "severity": "low", "title": "Acked after close", "opened_at": "2026-01-01T00:00:00Z",
         "acknowledged_at": "2026-01-03T00:00:00Z", "closed_at": "2026-01-02T00:00:00Z"},
        {"external_id": "t-%d-4" % n, "severity": "low", "title": "Before 1970", "opened_at": "1969-12-31T23:59:59Z"},
        # Good: the widest offset, an hour ahead (a fast clock), a close at its open.
        {"external_id": "t-%d-5" % n, "severity": "low", "title": "Good", "opened_at": "2026-01-01T00:00:00-15:59",
         "closed_at": "2026-01-01T15:59:00Z"},
        {"external_id": "t-%d-6" % n, "severity": "low", "title": "Good", "opened_at": soon},
    ]
    r = ctx.client().request("POST", "/api/v2/incidents", body=json.dumps({"items": items}),
                             headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    assert r.status == 200, r
    errs = {e["index"]: e["error"] for e in r.json()["errors"]}
    assert sorted(errs) == [0, 1, 2, 3, 4], errs
    assert "±15:59" in errs[0]
    assert errs[1] == "closed_at must not be before opened_at"
    assert errs[2] == "opened_at must be between 1970 and a day from now" == errs[4]
    assert errs[3] == "closed_at must not be before acknowledged_at"
    stored = ctx.stack.psql("SELECT string_agg(external_id, ',' ORDER BY external_id) FROM incidents"
                            " WHERE external_id LIKE 't-%d-%%'" % n)
    assert stored == "t-%d-5,t-%d-6" % (n, n), stored
    # Reported already closed, with no opening: opened when it was closed
    # (not now, after its close: the trend's open counts would go negative).
    past = "2026-01-05T10:00:00Z"
    r = ctx.client().request("POST", "/api/v2/incidents", body=json.dumps({"items": [
        {"external_id": "t-%d-closed" % n, "severity": "low", "title": "Closed", "closed_at": past},
        {"external_id": "t-%d-acked" % n, "severity": "low", "title": "Acked", "acknowledged_at": past,
         "closed_at": "2026-01-06T10:00:00Z"}]}),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    assert r.status == 200 and r.json()["errors"] == [], r
    assert q_opened(ctx, n) == "2026-01-05 10:00:00+00,2026-01-05 10:00:00+00"
    r = ctx.client().request("POST", "/api/v2/vulnerabilities", body=json.dumps({"items": [
        {"external_id": "tv-%d-fixed" % n, "cve": "CVE-2024-3400", "severity": "high", "fixed_at": past}]}),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    assert r.status == 200 and r.json()["errors"] == [], r
    assert ctx.stack.psql("SELECT first_seen = fixed_at FROM vulnerabilities WHERE external_id = 'tv-%d-fixed'" % n) == "t"
    # Findings too: fixed before first seen.
    r = ctx.client().request("POST", "/api/v2/vulnerabilities", body=json.dumps({"items": [
        {"external_id": "tv-%d" % n, "cve": "CVE-2024-3400", "severity": "high",
         "first_seen": "2026-02-01T00:00:00Z", "fixed_at": "2026-01-01T00:00:00Z"}]}),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    assert r.status == 200 and r.json()["errors"][0]["error"] == "fixed_at must not be before first_seen", r


def q_opened(ctx, n):
    return ctx.stack.psql("SELECT string_agg(opened_at::text, ',' ORDER BY external_id) FROM incidents"
                          " WHERE external_id IN ('t-%d-acked', 't-%d-closed')" % (n, n))


def test_threats_tell_of_unseen_customers_only_as_a_count_of_three_or_more(ctx):
    # Finding 6: a company planted an indicator and learned that "1 other
    # customer you cannot see" had it, and when.
    q = ctx.stack.psql
    ctx.stack.steady_hour()
    bluefin, cobalt = ctx.stack.tenant_id("Bluefin IT"), ctx.stack.tenant_id("Cobalt Managed Services")
    mine = int(q("SELECT min(id) FROM tenants WHERE parent_id = %d" % bluefin))   # owner@company.example's
    others = [int(x) for x in q("SELECT id FROM tenants WHERE parent_id = %d AND kind = 'company' AND status = 'active'"
                                " ORDER BY id LIMIT 3" % cobalt).split()]
    assert len(others) == 3
    ind = "oracle-%d.example" % int(time.time() * 1000)

    def seen(tenant, hours_ago):
        q("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title, indicator, indicator_kind,"
          " opened_at) SELECT id, root_id, '%s-' || id, 'low', 'Oracle', '%s', 'domain',"
          " date_trunc('hour', now(), 'UTC') - interval '%d hours' FROM tenants WHERE id = %d"
          % (ind, ind, hours_ago, tenant))

    def row(email, tenant):
        return portal.threat_row(ctx.login(email), tenant, ind, "days=1")

    try:
        seen(others[0], 5)        # another customer, before
        seen(mine, 1)             # the planted one
        assert row("owner@company.example", mine) is None       # one other: nothing
        seen(others[1], 4)
        assert row("owner@company.example", mine) is None       # two others: nothing
        seen(others[2], 3)
        r = row("owner@company.example", mine)                  # three others: a count
        assert (r["customers"], r["visible_total"], r["hidden"], r["incidents"]) == (4, 1, 3, 1), r
        own = q("SELECT to_char(date_trunc('hour', now(), 'UTC') - interval '1 hour', 'YYYY-MM-DD HH24:MI')")
        assert r["first_seen"] == r["last_seen"] == own, r  # never the others' times
        html = ctx.login("owner@company.example").get("/t/%d/threats?days=1&page=%d" % (mine, r["_page"])).text
        assert "and 3 other customers you cannot see" in html
        # The MSSP sees every customer: the whole story.
        r = row("admin@northwind.example", ctx.stack.tenant_id("Northwind Security"))
        assert (r["customers"], r["visible_total"], r["hidden"], r["incidents"]) == (4, 4, 0, 4), r
        first = q("SELECT to_char(date_trunc('hour', now(), 'UTC') - interval '5 hours', 'YYYY-MM-DD HH24:MI')")
        assert r["first_seen"] == first, r
    finally:
        q("DELETE FROM incidents WHERE indicator = '%s'" % ind)


def test_a_reset_email_never_takes_its_brand_or_link_from_the_request_host(ctx):
    # Finding 1: a tenant claimed a host and titled it like another tenant;
    # a signed-out /forgot sent to that host for the other tenant's admin
    # made the portal send a genuine reset email, branded as asked, whose
    # link led to the attacker's host.
    q = ctx.stack.psql
    nw, ever = ctx.stack.tenant_id("Northwind Security"), ctx.stack.tenant_id("Evergreen MSP")
    evil = "login.attacker.example"
    email = "victim%d@northwind.example" % (int(time.time() * 1000) % 10000000)
    attacker = ctx.login("owner@evergreen.example")
    with ctx.stack.restoring("branding", "tenant_id IN (%d, %d)" % (nw, ever)):
        ctx.stack.new_user(email, (nw, "mssp_analyst"))
        try:
            q("INSERT INTO branding (tenant_id, root_id, page_title) VALUES (%d, %d, 'Northwind SOC')"
              " ON CONFLICT (tenant_id) DO UPDATE SET page_title = excluded.page_title" % (nw, nw))
            r = attacker.post("/t/%d/settings/branding" % ever, {"page_title": "Northwind Security", "host": evil,
                                                                 "footer": "Sign in at [our portal](http://%s/)" % evil})
            assert r.status == 303, r
            # Verified even (the operator approves it, ctl host-approve), the host
            # brands its sign-in page but never the email.
            assert ctx.stack.ctl("host-approve", evil).returncode == 0
            before = len(ctx.stack.messages())
            on_evil = portal.Client(ctx.port, host=evil)
            assert "Sign in · Northwind Security" in on_evil.get("/login").text
            r = on_evil.post("/forgot", {"email": email}, csrf=False)
            assert r.status in (200, 303), r
            msg = ctx.stack.wait_mail(lambda m: m["To"] == email, before, what="the reset email")
            text = portal.body_of(msg)
            link = portal.find_link(text, r"https?://\S+/reset/[0-9a-f]{64}")
            assert link and link.startswith("http://127.0.0.1:%d/reset/" % ctx.port), text
            assert evil not in text and evil not in portal.body_of(msg, "html")
            # The recipient's own brand, not the one the request's host carried.
            assert str(msg["Subject"]).startswith("Northwind SOC: "), msg["Subject"]
        finally:
            q("DELETE FROM users WHERE email = '%s'" % email)
        # The portal's own host names (PORTAL_BASE_URL's, PORTAL_HOSTS) can
        # never be claimed, and show the portal's own brand even where a
        # row claims one (written before the rule, or from psql).
        for own in ("127.0.0.1", "portal.mssp.example", "Portal.MSSP.example"):
            r = attacker.post("/t/%d/settings/branding" % ever, {"page_title": "Mine", "host": own})
            assert r.status == 400 and "the portal&#39;s own host name" in r.text, (own, r.text[-3000:])
            assert 'value="%s"' % own.lower() in r.text      # kept for correction
        assert q("SELECT count(*) FROM branding WHERE host IN ('127.0.0.1', 'portal.mssp.example')") == "0"
        q("UPDATE branding SET host = 'portal.mssp.example' WHERE tenant_id = %d" % ever)
        q("UPDATE branding SET host_verified_at = now(), host_verified_by = 'operator' WHERE tenant_id = %d" % ever)
        page = portal.Client(ctx.port, host="portal.mssp.example").get("/login").text
        assert "Sign in · MSSP Portal" in page and "Northwind Security" not in page


def test_an_action_on_an_incident_is_decided_by_the_role_on_its_own_tenant(ctx):
    # Finding 5: a Viewer of a company who is an Analyst of its MSP was
    # refused the company's incident on the company's page but allowed it on
    # the MSP's. The nearest membership on the incident's own tenant decides,
    # whatever page the action is sent from (docs/permissions.md).
    q = ctx.stack.psql
    n = int(time.time() * 1000) % 10000000
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    company = int(q("SELECT min(id) FROM tenants WHERE parent_id = %d" % bluefin))
    both, analyst = "both%d@trust.example" % n, "msp-analyst%d@trust.example" % n
    ctx.stack.new_user(both, (bluefin, "analyst"), (company, "viewer"))
    ctx.stack.new_user(analyst, (bluefin, "analyst"))
    try:
        iid = int(q("INSERT INTO incidents (tenant_id, root_id, external_id, severity, title) SELECT id, root_id,"
                    " 'trust-%d', 'high', 'Role rule' FROM tenants WHERE id = %d RETURNING id" % (n, company)).split()[0])
        c = ctx.login(both)
        for page in (company, bluefin):
            r = c.post("/t/%d/incidents/%d/acknowledge" % (page, iid), {})
            assert r.status == 403, (page, r)
            r = c.post("/t/%d/incidents/%d/resolve" % (page, iid), {"note": "not mine to close"})
            assert r.status == 403, (page, r)
        assert q("SELECT concat_ws(',', acknowledged_at IS NULL, closed_at IS NULL) FROM incidents WHERE id = %d"
                 % iid) == "t,t"
        # An Analyst of the MSP with no nearer membership may, from the MSP's page.
        r = ctx.login(analyst).post("/t/%d/incidents/%d/acknowledge" % (bluefin, iid), {})
        assert r.status == 303, r
        assert q("SELECT acknowledged_at IS NOT NULL FROM incidents WHERE id = %d" % iid) == "t"
    finally:
        q("DELETE FROM incidents WHERE external_id = 'trust-%d'; DELETE FROM users WHERE email IN ('%s', '%s')"
          % (n, both, analyst))


def test_a_status_answer_says_what_happened_and_the_audit_agrees(ctx):
    # Finding 4: disabling a user with no live session answered 409 ("has
    # not accepted its invitation yet"), yet the account was disabled, with
    # no audit row.
    q = ctx.stack.psql
    n = int(time.time() * 1000) % 10000000
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    email = "status%d@trust.example" % n
    uid = ctx.stack.new_user(email, (bluefin, "viewer"))

    def audited(action):
        return int(q("SELECT count(*) FROM audit_log WHERE action = '%s' AND target = 'user:%d'" % (action, uid)))

    try:
        owner = ctx.login("owner@msp1.example")
        assert q("SELECT count(*) FROM sessions WHERE user_id = %d" % uid) == "0"   # no live session
        r = owner.post("/t/%d/team/%d/status" % (bluefin, uid), {"status": "disabled"})
        assert r.status == 303, r
        assert q("SELECT status FROM users WHERE id = %d" % uid) == "disabled" and audited("team.disabled") == 1
        # Again: nothing to change, and nothing changes or is audited.
        r = owner.post("/t/%d/team/%d/status" % (bluefin, uid), {"status": "disabled"})
        assert r.status == 409, r
        assert audited("team.disabled") == 1
        r = owner.post("/t/%d/team/%d/status" % (bluefin, uid), {"status": "active"})
        assert r.status == 303 and q("SELECT status FROM users WHERE id = %d" % uid) == "active", r
        assert audited("team.enabled") == 1
        # An invitation not yet accepted: refused, and the account is as it was.
        q("UPDATE users SET status = 'invited' WHERE id = %d" % uid)
        r = owner.post("/t/%d/team/%d/status" % (bluefin, uid), {"status": "disabled"})
        assert r.status == 409 and q("SELECT status FROM users WHERE id = %d" % uid) == "invited", r
        assert audited("team.disabled") == 1
    finally:
        q("DELETE FROM users WHERE id = %d" % uid)


def test_mail_anyone_can_cause_is_limited_and_carries_no_links_of_theirs(ctx):
    # Finding 8: 25 invitations to outside addresses in 0.1 s, a name like
    # "Free prize at http://evil.example" printed in the email, and /forgot
    # with no limit per address.
    q = ctx.stack.psql
    n = int(time.time() * 1000) % 10000000
    owner = "limits%d@trust.example" % n
    q("INSERT INTO tenants (kind, name, region, ancestors, root_id) VALUES ('msp', 'Limits MSP %d', 'eu', '{0}', 0)" % n)
    msp = ctx.stack.tenant_id("Limits MSP %d" % n)
    q("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id) SELECT 'company', 'Limits Co %d-' || g,"
      " 'eu', %d, '{0}', 0 FROM generate_series(1, 4) g" % (n, msp))
    ctx.stack.new_user(owner, (msp, "owner"))
    companies = [int(x) for x in q("SELECT id FROM tenants WHERE parent_id = %d ORDER BY id" % msp).split()]
    try:
        c = ctx.login(owner)
        before = len(ctx.stack.messages())
        for i in range(20):
            r = c.post("/t/%d/team/invite" % msp, {"email": "out%d-%d@outside.example" % (n, i), "name": "Out %d" % i,
                                                   "role": "viewer"})
            assert r.status == 303, (i, r)
        r = c.post("/t/%d/team/invite" % msp, {"email": "out%d-20@outside.example" % n, "name": "Kept Name",
                                               "role": "viewer"})
        assert r.status == 429 and "many invitations in the last hour" in r.text and 'value="Kept Name"' in r.text, r
        assert q("SELECT count(*) FROM mail_outbox WHERE to_addr LIKE 'out%d-%%'" % n) == "20"
        # One address, from tenant after tenant: three a day.
        twice = "twice%d@outside.example" % n
        for co in companies[:3]:
            assert c.post("/t/%d/team/invite" % co, {"email": twice, "name": "Twice", "role": "viewer"}).status == 303
        r = c.post("/t/%d/team/invite" % companies[3], {"email": twice, "name": "Twice", "role": "viewer"})
        assert r.status == 429 and "invited several times today" in r.text, r
        # A name is text, never a link: defanged in both parts.
        prize = "prize%d@outside.example" % n
        r = c.post("/t/%d/team/invite" % companies[3], {"email": prize, "name": "Free prize at http://evil.example",
                                                       "role": "viewer"})
        assert r.status == 303, r
        msg = ctx.stack.wait_mail(lambda m: m["To"] == prize, before, what="the invitation")
        for part in (portal.body_of(msg), portal.body_of(msg, "html")):
            assert "Free prize at http[:]//evil[.]example" in part and "evil.example" not in part, part
        # /forgot: five requests an hour for one address, with an account
        # or not, then 429 with the form kept.
        for email in ("nobody%d@outside.example" % n, owner):
            for i in range(5):
                r = ctx.client().post("/forgot", {"email": email}, csrf=False)
                assert r.status == 200, (email, i, r)
            r = ctx.client().post("/forgot", {"email": email.upper()}, csrf=False)
            assert r.status == 429 and "Too many reset requests for this address" in r.text, (email, r)
            assert 'value="%s"' % email.upper() in r.text
    finally:
        # The tree is archived, as the portal does (its owner stays its owner).
        q("DELETE FROM invitations WHERE tenant_id IN (SELECT id FROM tenants WHERE %d = ANY (ancestors));"
          "DELETE FROM users WHERE email LIKE '%%%d@outside.example';"
          "UPDATE tenants SET status = 'archived' WHERE %d = ANY (ancestors)" % (msp, n, msp))


def test_sign_in_history_is_the_users_own_not_a_tenants(ctx):
    # Finding 3: after an invite, a tenant read the user's sign-ins (with
    # their addresses) and resets from before, in other tenants, in its
    # audit log and its CSV. Account events belong to the person: on their
    # Security activity page, in no tenant's log.
    q = ctx.stack.psql
    n = int(time.time() * 1000) % 10000000
    nw, ever = ctx.stack.tenant_id("Northwind Security"), ctx.stack.tenant_id("Evergreen MSP")
    email = "history%d@trust.example" % n
    ctx.stack.new_user(email, (nw, "mssp_analyst"))
    try:
        user = ctx.login(email)
        assert ctx.client().post("/login", {"email": email, "password": "wrong password 1"}, csrf=False).status == 401
        # A membership of another tenant (as an invite gave one at once).
        q("INSERT INTO memberships (user_id, tenant_id, role) SELECT id, %d, 'viewer' FROM users WHERE email = '%s'"
          % (ever, email))
        for who, tenant in (("owner@evergreen.example", ever), ("admin@northwind.example", nw)):
            c = ctx.login(who)
            log = c.get_json("/t/%d/audit?user=%s" % (tenant, email)).json()["entries"]
            assert not [e for e in log if e["action"].startswith("auth.")], (who, log)
            csv_text = c.get("/t/%d/audit/export?user=%s" % (tenant, email)).text
            assert "auth.login" not in csv_text, (who, csv_text)
        # The user's own page has them, with where they came from.
        page = user.get_json("/account/activity").json()
        actions = [e["action"] for e in page["events"]]
        assert actions[:2] == ["auth.login_failed", "auth.login"], actions
        assert all(e["ip"] for e in page["events"][:2])
        html = user.get("/account/activity").text
        assert "Signed in" in html and "A sign-in with a wrong password" in html
        # Another user's page holds exactly their own account events.
        other = ctx.login("owner@evergreen.example").get_json("/account/activity").json()["total"]
        assert q("SELECT count(*) FROM audit_log WHERE tenant_id IS NULL AND user_id = (SELECT id FROM users"
                 " WHERE email = 'owner@evergreen.example')") == str(other)
    finally:
        q("DELETE FROM memberships WHERE user_id = (SELECT id FROM users WHERE email = '%s') AND tenant_id = %d;"
          "DELETE FROM users WHERE email = '%s'" % (email, ever, email))


def test_an_invitation_to_an_existing_account_needs_its_owners_consent(ctx):
    # Finding 2: inviting an existing user made the membership at once; the
    # inviting tenant could then see and act on them (disable the account
    # everywhere, read their history). Now nothing changes until the person
    # accepts, signed in as themselves.
    q = ctx.stack.psql
    n = int(time.time() * 1000) % 10000000
    nw, ever = ctx.stack.tenant_id("Northwind Security"), ctx.stack.tenant_id("Evergreen MSP")
    email = "consent%d@trust.example" % n
    uid = ctx.stack.new_user(email, (nw, "mssp_analyst"))
    try:
        attacker = ctx.login("owner@evergreen.example")
        before = len(ctx.stack.messages())
        r = attacker.post("/t/%d/team/invite" % ever, {"email": email, "name": "Consent", "role": "viewer"})
        assert r.status == 303, r
        assert q("SELECT count(*) FROM memberships WHERE user_id = %d AND tenant_id = %d" % (uid, ever)) == "0"
        # Not a member: not in the team, and nothing to disable.
        team = attacker.get_json("/t/%d/team" % ever).json()["members"]
        assert email not in [m["email"] for m in team]
        r = attacker.post("/t/%d/team/%d/status" % (ever, uid), {"status": "disabled"})
        assert r.status == 404, r
        assert q("SELECT status FROM users WHERE id = %d" % uid) == "active"
        msg = ctx.stack.wait_mail(lambda m: m["To"] == email, before, what="the invitation")
        path = urllib.parse.urlsplit(portal.find_link(portal.body_of(msg), r"https?://\S+/invite/[0-9a-f]{64}")).path
        # Whoever holds the link, signed out or as someone else: may not accept.
        page = ctx.client().get(path)
        assert page.status == 200 and "c***@trust.example" in page.text and email not in page.text
        assert ctx.client().post(path, {}, csrf=False).status == 403
        other = ctx.login("owner@msp1.example")
        assert other.post(path, {}).status == 403
        assert q("SELECT count(*) FROM memberships WHERE user_id = %d AND tenant_id = %d" % (uid, ever)) == "0"
        # The person, signed in, accepts: now a member.
        me = ctx.login(email)
        assert me.get("/t/%d" % ever).status == 404
        r = me.post(path, {})
        assert r.status == 303, r
        assert q("SELECT role FROM memberships WHERE user_id = %d AND tenant_id = %d" % (uid, ever)) == "viewer"
        assert me.get("/t/%d" % ever).status == 200
    finally:
        q("DELETE FROM invitations WHERE user_id = %d; DELETE FROM users WHERE id = %d" % (uid, uid))


def test_a_new_address_invited_by_two_tenants_joins_only_the_one_it_accepts(ctx):
    # Review of finding 2: a tenant that invited an address first held a
    # membership that became live when the person accepted another
    # tenant's invitation (and, being the oldest, would brand their mail).
    q = ctx.stack.psql
    n = int(time.time() * 1000) % 10000000
    bluefin, ever = ctx.stack.tenant_id("Bluefin IT"), ctx.stack.tenant_id("Evergreen MSP")
    email = "twoinvites%d@outside.example" % n
    try:
        before = len(ctx.stack.messages())
        assert ctx.login("owner@evergreen.example").post("/t/%d/team/invite" % ever, {
            "email": email, "name": "Two Invites", "role": "viewer"}).status == 303
        assert ctx.login("owner@msp1.example").post("/t/%d/team/invite" % bluefin, {
            "email": email, "name": "Two Invites", "role": "viewer"}).status == 303
        links = {}
        for tenant_name in ("Evergreen MSP", "Bluefin IT"):
            msg = ctx.stack.wait_mail(lambda m: m["To"] == email and tenant_name in portal.body_of(m), before,
                                      what="the invitation from %s" % tenant_name)
            link = portal.find_link(portal.body_of(msg), r"https?://\S+/invite/[0-9a-f]{64}")
            links[tenant_name] = urllib.parse.urlsplit(link).path
        c = ctx.client()
        r = c.post(links["Bluefin IT"], {"name": "Two Invites", "password": "two-invites-pw-1",
                                         "password2": "two-invites-pw-1"}, csrf=False)
        assert r.status == 303, r
        uid = ctx.stack.user_id(email)
        assert q("SELECT string_agg(tenant_id::text, ',') FROM memberships WHERE user_id = %d" % uid) == str(bluefin)
        assert c.get("/t/%d" % ever).status == 404
        # Evergreen's invitation is still theirs to accept, signed in.
        assert c.post(links["Evergreen MSP"], {}, csrf=False).status == 303
        assert c.get("/t/%d" % ever).status == 200
    finally:
        q("DELETE FROM users WHERE email = '%s'" % email)


def test_a_tenant_cannot_disable_an_account_that_belongs_elsewhere_too(ctx):
    # Finding 2, the rest: the Owner of one MSP disabled the whole account
    # of someone who also belonged to other tenants (their sign-in failed
    # everywhere). An account belongs to the person: a tenant may disable
    # it only when every tenant the person belongs to is its own; otherwise
    # it removes them from its team, and the operator uses ctl.
    q = ctx.stack.psql
    n = int(time.time() * 1000) % 10000000
    bluefin, ever = ctx.stack.tenant_id("Bluefin IT"), ctx.stack.tenant_id("Evergreen MSP")
    email = "twohomes%d@trust.example" % n
    uid = ctx.stack.new_user(email, (bluefin, "viewer"), (ever, "viewer"))
    try:
        for who, tenant in (("owner@evergreen.example", ever), ("owner@msp1.example", bluefin)):
            r = ctx.login(who).post("/t/%d/team/%d/status" % (tenant, uid), {"status": "disabled"})
            assert r.status == 409 and "also belongs to other organisations" in r.text, (who, r)
        assert q("SELECT status FROM users WHERE id = %d" % uid) == "active"
        assert q("SELECT count(*) FROM audit_log WHERE target = 'user:%d' AND action LIKE 'team.%%'" % uid) == "0"
        user = ctx.login(email)
        # The operator's call, with its audit row on the person's own page.
        p = ctx.stack.ctl("user-status", email.upper(), "disabled")
        assert p.returncode == 0 and "disabled" in p.stdout, p.stdout
        assert user.get("/").status == 303                          # its sessions ended
        r = ctx.client().post("/login", {"email": email, "password": portal.DEMO_PASSWORD}, csrf=False)
        assert r.status == 401, r
        p = ctx.stack.ctl("user-status", email, "disabled")
        assert p.returncode == 1 and "not disabled already" in p.stdout, p.stdout
        # Now a member of Bluefin only: still not Bluefin's to enable again.
        q("DELETE FROM memberships WHERE user_id = %d AND tenant_id = %d" % (uid, ever))
        r = ctx.login("owner@msp1.example").post("/t/%d/team/%d/status" % (bluefin, uid), {"status": "active"})
        assert r.status == 409 and "only the operator can enable" in r.text, r
        assert q("SELECT status FROM users WHERE id = %d" % uid) == "disabled"
        assert ctx.stack.ctl("user-status", email, "active").returncode == 0
        page = ctx.login(email).get_json("/account/activity").json()["events"]
        assert [e["action"] for e in page] == ["auth.login", "operator.account_active", "auth.login_failed",
                                               "operator.account_disabled", "auth.login"], page
        assert ctx.stack.ctl("user-status", email, "gone").returncode == 2
    finally:
        q("DELETE FROM login_failures WHERE email = lower('%s'); DELETE FROM users WHERE id = %d" % (email, uid))


def test_a_thousand_guesses_from_one_address_do_not_keep_the_owner_out(ctx):
    # Finding 9: five wrong passwords locked an account for everyone, and a
    # scanner's failures locked its address. Now an attacker's 1,000 guesses
    # at admin@northwind.example from one address make that address wait;
    # the admin, signing in from another, is not slowed.
    email = "admin@northwind.example"
    attacker = "127.0.0.41"
    try:
        started = time.monotonic()
        statuses = {}
        for i in range(1000):
            c = ctx.client(source=attacker)
            r = c.post("/login", {"email": email, "password": "guess-%d" % i, "next": "/"}, csrf=False)
            statuses[r.status] = statuses.get(r.status, 0) + 1
            assert "portal_session" not in c.cookies
        spent = time.monotonic() - started
        # Five guesses were looked at; every later one waited (refused
        # before its password was).
        assert statuses == {401: 5, 429: 995}, statuses
        failures = ctx.stack.psql("SELECT count(*) FROM login_failures WHERE ip = '%s'" % attacker)
        assert failures == "5", failures
        # The admin, from another address and a browser never used before.
        c = ctx.client(source="127.0.0.42")
        t0 = time.monotonic()
        r = c.post("/login", {"email": email, "password": portal.DEMO_PASSWORD, "next": "/"}, csrf=False)
        took = time.monotonic() - t0
        assert r.status == 303 and c.get("/").status == 200, r
        print("# 1000 guesses in %.1f s; the admin's sign-in from another address took %.3f s" % (spent, took))
    finally:
        ctx.stack.psql("DELETE FROM login_failures WHERE email = '%s'" % email)


def test_guessing_from_everywhere_spares_known_devices_and_a_link_always_signs_in(ctx):
    # A spread attack (50 failures in 15 minutes from many addresses)
    # refuses browsers and addresses the account never signed in from; the
    # owner's own browser goes on, and a sign-in link by email is a way in
    # that no guessing blocks.
    email = "owner@company.example"
    mine = ctx.client(source="127.0.0.43")
    assert mine.post("/login", {"email": email, "password": portal.DEMO_PASSWORD, "next": "/"},
                     csrf=False).status == 303
    mine.post("/logout")
    assert "portal_device" in mine.cookies
    try:
        ctx.stack.psql("INSERT INTO login_failures (email, ip) SELECT '%s', '10.9.' || (g / 256) || '.' || (g %% 256)"
                       " FROM generate_series(1, 50) g" % email)
        stranger = ctx.client(source="127.0.0.44")
        r = stranger.post("/login", {"email": email, "password": portal.DEMO_PASSWORD, "next": "/"}, csrf=False)
        assert r.status == 429 and "/login/link" in r.text, r
        assert ctx.stack.psql("SELECT details->>'scope' FROM audit_log WHERE action = 'auth.locked'"
                              " AND details->>'email' = '%s' ORDER BY id DESC LIMIT 1" % email) == "account_attacked"
        # The owner's own browser, at its own address, signs in.
        r = mine.post("/login", {"email": email, "password": portal.DEMO_PASSWORD, "next": "/"}, csrf=False)
        assert r.status == 303 and mine.get("/").status == 200, r
        # The refused browser asks for a link; the email's link signs it in,
        # once, after a confirmation (mail scanners open links).
        since = len(ctx.stack.messages())
        r = stranger.post("/login/link", {"email": email}, csrf=False)
        assert r.status == 200 and "If an account exists for" in r.text, r
        msg = ctx.stack.wait_mail(lambda m: email in str(m["To"]) and "sign-in link" in str(m["Subject"]), since)
        link = portal.find_link(portal.body_of(msg, "plain"), r"https?://\S+/login/link/[0-9a-f]{64}")
        assert link and link.startswith("http://127.0.0.1:%d/login/link/" % ctx.port), link  # PORTAL_BASE_URL
        path = urllib.parse.urlparse(link).path
        r = stranger.get(path)
        assert r.status == 200 and email in r.text and "portal_session" not in stranger.cookies, r
        r = stranger.post(path, {}, csrf=False)
        assert r.status == 303 and stranger.get("/").status == 200, r
        again = ctx.client(source="127.0.0.45")
        assert again.post(path, {}, csrf=False).status == 410
        assert ctx.stack.psql("SELECT count(*) FROM audit_log WHERE action = 'auth.login' AND details->>'by' = 'link'"
                              " AND details->>'email' = '%s'" % email) == "1"
        # The token never passed through the worker's hands into the
        # database: only its hash is stored, and nothing pending is left.
        assert ctx.stack.psql("SELECT count(*) FROM password_resets WHERE token_pending IS NOT NULL") == "0"
    finally:
        ctx.stack.psql("DELETE FROM login_failures WHERE email = '%s'" % email)
