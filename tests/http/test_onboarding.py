"""MSP onboarding: an MSSP adds an MSP by owner email and tenant name; the
MSP's owner approves or rejects with a required reason, from the emailed
link or the bell; exactly one decision wins; emails and notifications go
both ways. Each test makes its own unmanaged MSP so the demo data stays."""
import threading
import time

import portal
from onboard import add_msp, find, make_msp, mssp_id, request_mail, requests_of


def test_the_whole_story_by_email_link(ctx):
    msp, name, owner_email = make_msp(ctx)
    admin = ctx.login("admin@northwind.example")
    before = len(ctx.stack.messages())
    r = add_msp(admin, ctx, owner_email, name)
    assert r.status == 303 and "done=added" in r.header("Location"), r
    row = find(requests_of(admin, ctx), name)
    assert row["status_label"] == "PENDING APPROVAL"
    page = admin.get("/t/%d/msps" % mssp_id(ctx)).text
    assert "PENDING APPROVAL" in page and name in page
    mail, link = request_mail(ctx, owner_email, before)
    assert "Northwind Security" in mail["Subject"] and name in mail["Subject"]
    assert "Northwind Security" in portal.body_of(mail, "html")
    # The owner follows the link: sign in first, then land back on it.
    owner = ctx.client()
    r = owner.get(link)
    assert r.status == 303 and r.header("Location").startswith("/login?next=/requests/")
    nxt = r.header("Location").split("next=", 1)[1]
    r = owner.post("/login", {"email": owner_email, "password": portal.DEMO_PASSWORD, "next": nxt}, csrf=False)
    assert r.status == 303 and r.header("Location") == link
    r = owner.get(link)
    assert r.status == 303
    req_page = r.header("Location")
    assert req_page == "/t/%d/requests/%d" % (msp, row["id"])
    page = owner.get(req_page)
    assert page.status == 200 and "MSSP Approval Request" in page.text and "Northwind Security" in page.text
    # The GET changed nothing; the confirmation needs a reason.
    assert find(requests_of(admin, ctx), name)["status"] == "pending"
    confirm = owner.get(req_page + "?decision=reject")
    assert 'name="reason"' in confirm.text and "Yes, reject" in confirm.text and "Cancel" in confirm.text
    for empty in ("", "   \n\t "):
        r = owner.post(req_page + "/decide", {"decision": "reject", "reason": empty})
        assert r.status == 400 and "A reason is required" in r.text, r
    r = owner.post(req_page + "/decide", {"decision": "approve", "reason": "x" * 1001})
    assert r.status == 400 and "at most 1000 characters" in r.text
    assert 'x' * 1001 in r.text  # the text is kept for correction
    assert find(requests_of(admin, ctx), name)["status"] == "pending"
    # Approve with a reason.
    reason = "We signed the contract <b>today</b> & welcome you."
    before = len(ctx.stack.messages())
    r = owner.post(req_page + "/decide", {"decision": "approve", "reason": reason})
    assert r.status == 303, r
    page = owner.get(req_page)
    assert "APPROVED" in page.text
    assert "We signed the contract &lt;b&gt;today&lt;/b&gt; &amp; welcome you." in page.text
    # The MSSP sees APPROVED, the reason exactly, and the MSP with its companies.
    row = find(requests_of(admin, ctx), name)
    assert row["status_label"] == "APPROVED" and row["reason"] == reason
    children = {c["name"]: c for c in admin.get_json("/t/%d" % mssp_id(ctx)).json()["children"]}
    assert children[name]["companies"] == 3
    assert admin.get("/t/%d" % msp).status == 200
    # The MSSP's admins get a bell notification and an email with the reason.
    bell = admin.get_json("/notifications").json()["notifications"]
    assert any(n["title"] == "%s approved your request" % name and n["unread"] for n in bell)
    got = ctx.stack.wait_mail(lambda m: m["To"] == "admin@northwind.example" and name in str(m["Subject"]), before,
                              what="the decision's email to the MSSP's admin")
    assert "approved your request" in got["Subject"]
    assert reason in portal.body_of(got)
    # A used link shows the current state and changes nothing.
    r = owner.post(req_page + "/decide", {"decision": "reject", "reason": "changed my mind"})
    assert r.status == 409 and "already decided" in r.text
    assert find(requests_of(admin, ctx), name)["status"] == "approved"
    # Every step is in the audit log.
    actions = [e["action"] for e in admin.get_json("/t/%d/audit?action=msp." % mssp_id(ctx)).json()["entries"]]
    assert "msp.request_created" in actions and "msp.request_approved" in actions


def test_the_story_through_the_bell_with_a_rejection(ctx):
    msp, name, owner_email = make_msp(ctx)
    admin = ctx.login("admin@northwind.example")
    assert add_msp(admin, ctx, owner_email, name).status == 303
    owner = ctx.login(owner_email)
    home = owner.get("/t/%d" % msp)
    assert 'class="count">1<' in home.text
    assert "MSSP Approval Request from Northwind Security" in home.text
    notes = owner.get_json("/notifications").json()["notifications"]
    link = notes[0]["link"]
    r = owner.get(link)
    assert r.status == 303
    req_page = r.header("Location")
    r = owner.post(req_page + "/decide", {"decision": "reject", "reason": "We work with another provider."})
    assert r.status == 303
    owner.post("/notifications/%d/read" % notes[0]["id"], {})
    assert owner.get_json("/notifications").json()["notifications"][0]["unread"] is False
    row = find(requests_of(admin, ctx), name)
    assert row["status_label"] == "REJECTED" and row["reason"] == "We work with another provider."
    assert admin.get("/t/%d" % msp).status == 404  # not joined


def test_add_msp_errors_keep_the_form(ctx):
    admin = ctx.login("admin@northwind.example")
    r = add_msp(admin, ctx, "nobody@example.com", "No Such MSP")
    assert r.status == 404
    assert "No MSP with that tenant name has an owner with that email address" in r.text
    assert 'value="nobody@example.com"' in r.text and 'value="No Such MSP"' in r.text
    # The right name with an address that is not an Owner's: same answer.
    r = add_msp(admin, ctx, "viewer@msp1.example", "Bluefin IT")
    assert r.status in (404, 409)
    r = add_msp(admin, ctx, "owner@msp1.example", "Bluefin IT")
    assert r.status == 409 and "Tenant already associated to mssp" in r.text
    r = add_msp(admin, ctx, "not an email", "")
    assert r.status == 400 and "Enter a valid email address" in r.text and "Tenant name is required." in r.text
    j = admin.request("POST", "/t/%d/msps/add.json" % mssp_id(ctx),
                      body="email=owner%40msp1.example&name=Bluefin+IT&csrf=" + admin.csrf(),
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert j.status == 409 and j.json()["add"]["errors"]["name"] == "Tenant already associated to mssp."


def test_second_pending_request_and_other_region_are_refused(ctx):
    msp, name, owner_email = make_msp(ctx)
    admin = ctx.login("admin@northwind.example")
    assert add_msp(admin, ctx, owner_email, name).status == 303
    r = add_msp(admin, ctx, owner_email, name)
    assert r.status == 409 and "already pending approval" in r.text
    assert len([q for q in requests_of(admin, ctx) if q["msp_name"] == name]) == 1
    _, us_name, us_owner = make_msp(ctx, region="us")
    r = add_msp(admin, ctx, us_owner, us_name)
    assert r.status == 409 and "another region" in r.text


def test_cancel_and_resend_change_what_old_links_do(ctx):
    msp, name, owner_email = make_msp(ctx)
    admin = ctx.login("admin@northwind.example")
    before = len(ctx.stack.messages())
    add_msp(admin, ctx, owner_email, name)
    _, first_link = request_mail(ctx, owner_email, before)
    rid = find(requests_of(admin, ctx), name)["id"]
    before = len(ctx.stack.messages())
    r = admin.post("/t/%d/msps/requests/%d/resend" % (mssp_id(ctx), rid), {})
    assert r.status == 303
    _, second_link = request_mail(ctx, owner_email, before)
    assert second_link != first_link
    statuses = [q["status"] for q in requests_of(admin, ctx) if q["msp_name"] == name]
    assert statuses == ["pending", "superseded"]
    owner = ctx.login(owner_email)
    old_page = owner.get(first_link).header("Location")
    page = owner.get(old_page)
    assert "SUPERSEDED" in page.text and "Yes, approve" not in page.text
    r = owner.post(old_page + "/decide", {"decision": "approve", "reason": "ok"})
    assert r.status == 409
    new_rid = find(requests_of(admin, ctx), name)["id"]
    r = admin.post("/t/%d/msps/requests/%d/cancel" % (mssp_id(ctx), new_rid), {})
    assert r.status == 303
    new_page = owner.get(second_link).header("Location")
    assert "CANCELLED" in owner.get(new_page).text
    r = owner.post(new_page + "/decide", {"decision": "approve", "reason": "ok"})
    assert r.status == 409
    assert admin.get("/t/%d" % msp).status == 404
    # Cancelling again says it is no longer pending.
    r = admin.post("/t/%d/msps/requests/%d/cancel" % (mssp_id(ctx), new_rid), {})
    assert r.status == 409 and "no longer pending" in r.text


def test_expired_request_shows_expired_and_cannot_be_decided(ctx):
    msp, name, owner_email = make_msp(ctx)
    admin = ctx.login("admin@northwind.example")
    add_msp(admin, ctx, owner_email, name)
    rid = find(requests_of(admin, ctx), name)["id"]
    ctx.stack.psql("UPDATE msp_requests SET expires_at = now() - interval '1 second' WHERE id = %d" % rid)
    assert find(requests_of(admin, ctx), name)["status_label"] == "EXPIRED"
    owner = ctx.login(owner_email)
    r = owner.post("/t/%d/requests/%d/decide" % (msp, rid), {"decision": "approve", "reason": "late"})
    assert r.status == 409
    # An expired request makes room for a new one.
    assert add_msp(admin, ctx, owner_email, name).status == 303


def test_concurrent_decisions_exactly_one_wins(ctx):
    msp, name, owner_email = make_msp(ctx)
    ctx.stack.psql("INSERT INTO users (email, name, password_hash) SELECT 'second.%s', 'Second', password_hash"
                   " FROM users WHERE email = '%s'" % (owner_email, owner_email))
    ctx.stack.psql("INSERT INTO memberships (user_id, tenant_id, role) SELECT id, %d, 'admin' FROM users"
                   " WHERE email = 'second.%s'" % (msp, owner_email))
    admin = ctx.login("admin@northwind.example")
    add_msp(admin, ctx, owner_email, name)
    rid = find(requests_of(admin, ctx), name)["id"]
    a, b = ctx.login(owner_email), ctx.login("second." + owner_email)
    path = "/t/%d/requests/%d/decide" % (msp, rid)
    tokens = {id(a): a.csrf(), id(b): b.csrf()}
    results = []
    go = threading.Event()

    def decide(c, decision):
        go.wait()
        r = c.post(path, {"decision": decision, "reason": "race " + decision, "csrf": tokens[id(c)]})
        results.append(r.status)

    threads = [threading.Thread(target=decide, args=(a, "approve")), threading.Thread(target=decide, args=(b, "reject")),
               threading.Thread(target=decide, args=(a, "approve")), threading.Thread(target=decide, args=(b, "approve"))]
    for t in threads:
        t.start()
    go.set()
    for t in threads:
        t.join(30)
    assert sorted(results) == [303, 409, 409, 409], results
    decided = ctx.stack.psql("SELECT status FROM msp_requests WHERE id = %d" % rid)
    assert decided in ("approved", "rejected")
    n = ctx.stack.psql("SELECT count(*) FROM audit_log WHERE target = 'request:%d'" % rid)
    assert n == "2"  # one decision, recorded on both tenants


def test_only_owners_and_admins_of_the_msp_decide(ctx):
    msp, name, owner_email = make_msp(ctx)
    ctx.stack.psql("INSERT INTO users (email, name, password_hash) SELECT 'viewer.%s', 'V', password_hash"
                   " FROM users WHERE email = '%s'" % (owner_email, owner_email))
    ctx.stack.psql("INSERT INTO memberships (user_id, tenant_id, role) SELECT id, %d, 'viewer' FROM users"
                   " WHERE email = 'viewer.%s'" % (msp, owner_email))
    admin = ctx.login("admin@northwind.example")
    add_msp(admin, ctx, owner_email, name)
    rid = find(requests_of(admin, ctx), name)["id"]
    viewer = ctx.login("viewer." + owner_email)
    page = viewer.get("/t/%d/requests/%d?decision=approve" % (msp, rid))
    assert page.status == 200 and "Yes, approve" not in page.text
    r = viewer.post("/t/%d/requests/%d/decide" % (msp, rid), {"decision": "approve", "reason": "me"})
    assert r.status == 403
    # The MSSP cannot decide for the MSP, nor see its request page.
    assert admin.post("/t/%d/requests/%d/decide" % (msp, rid), {"decision": "approve", "reason": "me"}).status == 404
    assert ctx.stack.psql("SELECT status FROM msp_requests WHERE id = %d" % rid) == "pending"


def test_an_msp_created_with_ctl_can_be_onboarded(ctx):
    import os
    import subprocess
    n = "%d" % (int(time.time() * 1000) % 10000000)
    env = dict(os.environ, PORTAL_DB_OWNER="host=%s/run dbname=portal user=portal_owner" % ctx.stack.var,
               PORTAL_ADMIN_PASSWORD="msp-owner-pw-2026")
    cmd = [os.path.join(portal.ROOT, "build", "asan", "bin", "ctl"), "create-msp", "--msp", "Ctl MSP " + n,
           "--region", "eu", "--email", "ctl%s@msp.example" % n, "--name", "Ctl Owner"]
    if os.getuid() == 0:
        cmd = ["setpriv", "--reuid=mssp-portal", "--regid=%d" % portal._gid("mssp-portal"), "--init-groups", "--"] + cmd
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert p.returncode == 0 and "created MSP Ctl MSP %s" % n in p.stdout, p.stdout
    owner = ctx.login("ctl%s@msp.example" % n, "msp-owner-pw-2026")
    msp = owner.get_json("/").json()["memberships"][0]
    assert msp["role"] == "owner" and msp["kind"] == "msp"
    # The owner adds a company, then the MSSP asks to manage the MSP.
    assert owner.post("/t/%d/children" % msp["tenant_id"], {"name": "First Client"}).status == 303
    admin = ctx.login("admin@northwind.example")
    assert add_msp(admin, ctx, "ctl%s@msp.example" % n, "ctl msp " + n).status == 303
    row = find(requests_of(admin, ctx), "Ctl MSP " + n)
    assert row["status"] == "pending" and row["companies"] == 1


def test_on_approval_the_msps_inventory_appears_on_the_mssp_dashboard(ctx):
    msp, name, owner_email = make_msp(ctx, companies=2)
    ctx.stack.psql(
        "INSERT INTO assets (tenant_id, root_id, external_id, kind, name)"
        " SELECT c.id, c.root_id, 'p' || g, (ARRAY['probe','agent','discovered','external'])[1 + g %% 4], 'h'"
        " FROM tenants c, generate_series(1, 8) g WHERE c.parent_id = %d;"
        "INSERT INTO vulnerabilities (tenant_id, root_id, external_id, cve, severity)"
        " SELECT c.id, c.root_id, 'v' || g, 'CVE-2024-3400', (ARRAY['critical','high','medium','low'])[1 + g %% 4]"
        " FROM tenants c, generate_series(1, 6) g WHERE c.parent_id = %d;"
        "INSERT INTO incidents (tenant_id, root_id, external_id, severity, title)"
        " SELECT c.id, c.root_id, 'i1', 'critical', 'Beacon' FROM tenants c WHERE c.parent_id = %d;"
        # What else the MSP's tree keeps with its root: an SLA target and an audit entry.
        "INSERT INTO sla_targets (tenant_id, root_id, severity, ack_minutes, resolve_minutes)"
        " SELECT c.id, c.root_id, 'high', 30, 600 FROM tenants c WHERE c.parent_id = %d;"
        "INSERT INTO audit_log (tenant_id, root_id, action) SELECT c.id, c.root_id, 'sla.updated'"
        " FROM tenants c WHERE c.parent_id = %d" % (msp, msp, msp, msp, msp))
    admin = ctx.login("admin@northwind.example")
    before = admin.get_json("/t/%d" % mssp_id(ctx)).json()["stats"]
    add_msp(admin, ctx, owner_email, name)
    rid = find(requests_of(admin, ctx), name)["id"]
    owner = ctx.login(owner_email)
    msp_stats = owner.get_json("/t/%d" % msp).json()["stats"]
    assert (msp_stats["assets"], msp_stats["vulns"], msp_stats["incidents_open_critical"]) == (16, 12, 2)
    assert admin.get_json("/t/%d" % mssp_id(ctx)).json()["stats"]["assets"] == before["assets"]  # not yet
    r = owner.post("/t/%d/requests/%d/decide" % (msp, rid), {"decision": "approve", "reason": "Go"})
    assert r.status == 303
    after = admin.get_json("/t/%d" % mssp_id(ctx)).json()["stats"]
    for key in ("probes", "agents", "discovered", "external", "critical", "high", "medium", "low",
                "incidents_open_critical"):
        assert after[key] == before[key] + msp_stats[key], key
    assert after["msps"] == before["msps"] + 1 and after["companies"] == before["companies"] + 2
    row = next(r for r in admin.get_json("/t/%d?q=%s" % (mssp_id(ctx), name.replace(" ", "+"))).json()["children"])
    assert (row["probes"], row["vulns"], row["open_critical"], row["request"]) == (msp_stats["probes"], 12, 2, "approved")
    # The MSP's findings are visible to the MSSP now, row by row.
    assert admin.get_json("/t/%d/vulnerabilities" % msp).json()["total"] == 12
    # And the MSSP's rollup still equals the raw rows of its whole tree.
    raw = int(ctx.stack.psql("SELECT count(*) FROM assets a JOIN tenants t ON t.id = a.tenant_id"
                             " WHERE %d = ANY (t.ancestors)" % mssp_id(ctx)))
    assert after["assets"] == raw
    # The trend and the top CVEs moved along too (their last point is today's open count).
    page = admin.get_json("/t/%d" % mssp_id(ctx)).json()
    assert page["trend"]["days"][29]["open"] == page["stats"]["vulns"]
    rolled = ctx.stack.psql("SELECT open FROM cve_open WHERE tenant_id = %d AND cve = 'CVE-2024-3400'" % mssp_id(ctx))
    raw = ctx.stack.psql("SELECT count(*) FROM vulnerabilities v JOIN tenants t ON t.id = v.tenant_id"
                         " WHERE %d = ANY (t.ancestors) AND v.cve = 'CVE-2024-3400' AND v.fixed_at IS NULL" % mssp_id(ctx))
    assert rolled == raw
    # Every row that keeps its tenant's root names the MSSP now (tenants_move_roots()),
    # including those written before the approval (the request's bell
    # notification and email, the SLA target, the audit entry).
    for table in ("assets", "vulnerabilities", "incidents", "api_keys", "branding", "audit_log", "mail_outbox",
                  "notifications", "invitations", "sla_targets", "branding_logos"):
        rows, stale = ctx.stack.psql(
            "SELECT count(*), count(*) FILTER (WHERE x.root_id IS DISTINCT FROM t.root_id) FROM %s x"
            " JOIN tenants t ON t.id = x.tenant_id WHERE %d = ANY (t.ancestors)" % (table, msp)).split("|")
        assert stale == "0", (table, rows, stale)
        if table in ("assets", "audit_log", "mail_outbox", "notifications", "sla_targets"):
            assert int(rows) > 0, table  # (the check has rows to look at)


def test_an_analyst_sees_the_requests_of_the_msps_assigned_to_them(ctx):
    # An MSP that joined Northwind: its request stays on the MSSP's list.
    msp, name, email = make_msp(ctx)
    admin = ctx.login("admin@northwind.example")
    add_msp(admin, ctx, email, name)
    ctx.stack.psql("UPDATE tenants SET parent_id = %d WHERE id = %d" % (mssp_id(ctx), msp))
    analyst = ctx.login("analyst@northwind.example")
    mine = [r["msp_name"] for r in requests_of(analyst, ctx)]
    assert name not in mine and name in [r["msp_name"] for r in requests_of(admin, ctx)]
    uid = int(ctx.stack.psql("SELECT id FROM users WHERE email = 'analyst@northwind.example'"))
    ctx.stack.psql("INSERT INTO analyst_assignments (user_id, tenant_id) VALUES (%d, %d)" % (uid, msp))
    try:
        assert name in [r["msp_name"] for r in requests_of(analyst, ctx)]
    finally:
        ctx.stack.psql("DELETE FROM analyst_assignments WHERE user_id = %d AND tenant_id = %d" % (uid, msp))
