"""The Email page of a tenant (/t/{id}/mail): failed, queued and sent
messages of the tenant's subtree, the Retry button, who may see it."""
import uuid

import portal


def q(s):
    return "'" + s.replace("'", "''") + "'"


def first_company(ctx, msp):
    return int(ctx.stack.psql("SELECT id FROM tenants WHERE parent_id = %d AND kind = 'company' AND status = 'active'"
                              " ORDER BY id LIMIT 1" % msp))


def put(ctx, tenant, subject, status="failed", attempts=8, error="Couldn't connect to server"):
    """A message row written as the owner (tenant None: no tenant); a queued
    one is due tomorrow, so the running mailer leaves it alone."""
    tid = "NULL" if tenant is None else str(tenant)
    return int(ctx.stack.psql(
        "INSERT INTO mail_outbox (tenant_id, root_id, to_addr, subject, body_text, body_html, status, attempts,"
        " last_error, sent_at, next_attempt_at) SELECT %s, (SELECT root_id FROM tenants WHERE id = %s), 'someone@example.com', %s,"
        " 'text', '<p>html</p>', %s, %d, %s, CASE WHEN %s = 'sent' THEN now() END,"
        " now() + interval '1 day' RETURNING id"
        % (tid, tid, q(subject), q(status), attempts, q(error) if error else "NULL", q(status))).splitlines()[0])


def listing(client, tid, status="failed"):
    r = client.get_json("/t/%d/mail?status=%s" % (tid, status))
    assert r.status == 200, r
    return r.json()


def subjects(page):
    return {m["subject"] for m in page["messages"]}


def row(ctx, mid):
    return ctx.stack.psql("SELECT status, attempts FROM mail_outbox WHERE id = %d" % mid).split("|")


def test_mail_page_permissions(ctx):
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    evergreen = ctx.stack.tenant_id("Evergreen MSP")
    for who in ("owner@msp1.example", "admin@msp1.example"):
        r = ctx.login(who).get("/t/%d/mail" % bluefin)
        assert r.status == 200 and "Email · Bluefin IT" in r.text, (who, r)
        assert 'href="/t/%d/mail"' % bluefin in r.text  # the tenant menu links it
    analyst = ctx.login("analyst@msp1.example")
    assert analyst.get("/t/%d/mail" % bluefin).status == 403
    assert 'href="/t/%d/mail"' % bluefin not in analyst.get("/t/%d" % bluefin).text
    mid = put(ctx, bluefin, "perm-probe " + uuid.uuid4().hex)
    assert analyst.post("/t/%d/mail/%d/retry" % (bluefin, mid)).status == 403
    # A tenant the user cannot see does not exist for them.
    outsider = ctx.login("owner@evergreen.example")
    assert outsider.get("/t/%d/mail" % bluefin).status == 404
    assert outsider.post("/t/%d/mail/%d/retry" % (bluefin, mid)).status == 404
    assert row(ctx, mid) == ["failed", "8"]
    # MSSP Admins see the page of every tenant below their MSSP.
    admin = ctx.login("admin@northwind.example")
    assert admin.get("/t/%d/mail" % ctx.stack.tenant_id("Northwind Security")).status == 200
    assert admin.get("/t/%d/mail" % bluefin).status == 200
    if int(ctx.stack.psql("SELECT root_id FROM tenants WHERE id = %d" % evergreen)) == evergreen:
        assert admin.get("/t/%d/mail" % evergreen).status == 404
    # Signed out: sign in first.
    r = ctx.client().get("/t/%d/mail" % bluefin)
    assert r.status == 303 and r.header("Location").startswith("/login?next=")


def test_mail_page_lists_only_the_subtree(ctx):
    tag = uuid.uuid4().hex[:10]
    northwind = ctx.stack.tenant_id("Northwind Security")
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    cobalt = ctx.stack.tenant_id("Cobalt Managed Services")
    evergreen = ctx.stack.tenant_id("Evergreen MSP")
    company = first_company(ctx, bluefin)
    s = {k: "%s %s" % (k, tag) for k in ("bluefin", "company", "cobalt", "evergreen", "none", "queued", "sent")}
    put(ctx, bluefin, s["bluefin"], error="421 too busy <b>now</b>")
    put(ctx, company, s["company"])
    put(ctx, cobalt, s["cobalt"])
    put(ctx, evergreen, s["evergreen"])
    put(ctx, None, s["none"])
    put(ctx, company, s["queued"], status="queued", attempts=2)
    put(ctx, bluefin, s["sent"], status="sent", attempts=1, error=None)
    mine = {v for v in s.values()}

    owner = ctx.login("owner@msp1.example")
    page = listing(owner, bluefin)  # default filter: failed
    assert page["filter_status"] == "failed"
    assert subjects(page) & mine == {s["bluefin"], s["company"]}
    assert all(m["status"] == "failed" for m in page["messages"])
    m = [m for m in page["messages"] if m["subject"] == s["bluefin"]][0]
    assert m["attempts"] == 8 and m["last_error"] == "421 too busy <b>now</b>" and m["can_retry"]
    assert m["to"] == "someone@example.com" and m["created"].endswith("Z")
    assert subjects(listing(owner, bluefin, "queued")) & mine == {s["queued"]}
    q_row = [m for m in listing(owner, bluefin, "queued")["messages"] if m["subject"] == s["queued"]][0]
    assert q_row["next_attempt"] and q_row["can_retry"]
    sent = [m for m in listing(owner, bluefin, "sent")["messages"] if m["subject"] == s["sent"]]
    assert len(sent) == 1 and sent[0]["sent_at"] and not sent[0]["can_retry"]
    # The company's page shows the company's messages only.
    assert subjects(listing(owner, company)) & mine == {s["company"]}

    admin = ctx.login("admin@northwind.example")
    got = subjects(listing(admin, northwind)) & mine
    assert {s["bluefin"], s["company"], s["cobalt"]} <= got and s["none"] not in got
    if int(ctx.stack.psql("SELECT root_id FROM tenants WHERE id = %d" % evergreen)) == evergreen:
        assert s["evergreen"] not in got

    # HTML: escaped error text, a Retry form with the CSRF token, no "none".
    r = owner.get("/t/%d/mail" % bluefin)
    assert r.status == 200
    assert "421 too busy &lt;b&gt;now&lt;/b&gt;" in r.text and "<b>now</b>" not in r.text
    assert 'action="/t/%d/mail/' % bluefin in r.text and 'name="csrf"' in r.text
    assert s["none"] not in r.text and s["cobalt"] not in r.text
    # An unknown filter is refused with a message; the failed list is shown.
    r = owner.get("/t/%d/mail?status=bogus" % bluefin)
    assert r.status == 400 and "Choose failed, queued or sent." in r.text


def test_mail_page_empty_state_and_pages(ctx):
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    company = int(ctx.stack.psql("SELECT id FROM tenants WHERE parent_id = %d AND kind = 'company'"
                                 " AND status = 'active' ORDER BY id DESC LIMIT 1" % bluefin))
    owner = ctx.login("owner@msp1.example")
    ctx.stack.psql("DELETE FROM mail_outbox WHERE tenant_id = %d AND status = 'sent'" % company)
    r = owner.get("/t/%d/mail?status=sent" % company)
    assert r.status == 200 and "No sent messages for" in r.text
    # 51 failed messages: two pages.
    tag = uuid.uuid4().hex[:8]
    ctx.stack.psql(
        "INSERT INTO mail_outbox (tenant_id, root_id, to_addr, subject, body_text, body_html, status, attempts)"
        " SELECT %d, (SELECT root_id FROM tenants WHERE id = %d), 'x@example.com', 'page %s ' || g, 't', 'h',"
        " 'failed', 8 FROM generate_series(1, 51) g" % (company, company, tag))
    p1 = listing(owner, company)
    assert len(p1["messages"]) == 50 and p1["pages"] >= 2 and p1.get("next_page") == 2
    p2 = owner.get_json("/t/%d/mail?status=failed&page=2" % company).json()
    assert p2["page"] == 2 and p2.get("prev_page") == 1 and len(p2["messages"]) >= 1
    assert not subjects(p1) & subjects(p2)
    ctx.stack.psql("DELETE FROM mail_outbox WHERE subject LIKE 'page %s %%'" % tag)


def test_mail_retry_requeues_audits_and_delivers(ctx):
    bluefin = ctx.stack.tenant_id("Bluefin IT")
    company = first_company(ctx, bluefin)
    cobalt = ctx.stack.tenant_id("Cobalt Managed Services")
    subject = "retry me " + uuid.uuid4().hex
    mid = put(ctx, company, subject)
    owner = ctx.login("owner@msp1.example")
    # CSRF is required: nothing changes without the token.
    r = owner.post("/t/%d/mail/%d/retry" % (bluefin, mid), csrf=False)
    assert r.status == 403
    assert row(ctx, mid) == ["failed", "8"]
    # A message of another subtree, or an unknown id, does not exist here.
    other = put(ctx, cobalt, "other " + subject)
    assert owner.post("/t/%d/mail/%d/retry" % (bluefin, other)).status == 404
    assert owner.post("/t/%d/mail/999999999/retry" % bluefin).status == 404
    assert owner.post("/t/%d/mail/abc/retry" % bluefin).status == 404
    assert row(ctx, other) == ["failed", "8"]
    # Retry: queued again with a fresh series of attempts, then delivered.
    before = len(ctx.stack.messages())
    r = owner.post("/t/%d/mail/%d/retry" % (bluefin, mid), {"status": "failed"})
    assert r.status == 303 and r.header("Location") == "/t/%d/mail?status=failed&done=retried" % bluefin, r
    assert "The message is queued" in owner.get(r.header("Location")).text
    portal.wait_for("the retried message to be sent", lambda: row(ctx, mid)[0] == "sent", 20)
    assert row(ctx, mid) == ["sent", "1"], row(ctx, mid)
    got = ctx.stack.wait_mail(lambda m: m["Subject"] == subject, before, what="the retried message")
    assert len([m for m in ctx.stack.messages() if m["Subject"] == subject]) == 1
    assert got["Message-ID"].startswith("<outbox-%d@" % mid)
    audit = ctx.stack.psql("SELECT a.tenant_id || '|' || u.email || '|' || (a.details->>'previous_attempts')"
                           " FROM audit_log a JOIN users u ON u.id = a.user_id"
                           " WHERE a.action = 'mail.retry' AND a.target = 'mail:%d'" % mid)
    assert audit == "%d|owner@msp1.example|8" % bluefin, audit
    # A delivered message is not sent again.
    r = owner.post("/t/%d/mail/%d/retry" % (bluefin, mid))
    assert r.status == 409 and "already been delivered" in r.text
    # Nothing was queued again: the one row, sent once.
    assert row(ctx, mid) == ["sent", "1"]
    assert ctx.stack.psql("SELECT count(*) FROM mail_outbox WHERE subject = '%s'" % subject.replace("'", "''")) == "1"
    # The MSSP Admin may retry from the MSSP's page too.
    mid2 = put(ctx, company, "mssp retry " + subject)
    admin = ctx.login("admin@northwind.example")
    r = admin.post("/t/%d/mail/%d/retry" % (ctx.stack.tenant_id("Northwind Security"), mid2))
    assert r.status == 303, r
    assert row(ctx, mid2)[0] in ("queued", "sent")
