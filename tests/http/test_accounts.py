"""Accounts: sign-in throttling, forgot/reset password by email, change
password. Every test works on accounts it creates itself (the password hash
is copied from a demo user, so they sign in with portal-demo-2026) and
clears the failed sign-ins it caused, so other test files are never locked
out of 127.0.0.1."""
import hashlib
import re
import uuid

import portal

PW = portal.DEMO_PASSWORD
NEW_PW = "a-brand-new-passphrase-42"
SAME_ANSWER = "If an account exists for"


def q(s):
    return "'" + s.replace("'", "''") + "'"


def make_user(ctx, tag, name="Test User"):
    email = "%s-%s@accounts.example" % (tag, uuid.uuid4().hex[:8])
    ctx.stack.psql("INSERT INTO users (email, name, password_hash, password_changed_at)"
                   " SELECT %s, %s, password_hash, now() FROM users WHERE email = 'admin@northwind.example'"
                   % (q(email), q(name)))
    return email


def forget_failures(ctx, *emails):
    for e in emails:
        ctx.stack.psql("DELETE FROM login_failures WHERE email = lower(%s)" % q(e))


def sign_in(ctx, email, password, client=None):
    c = client or ctx.client()
    return c.post("/login", {"email": email, "password": password, "next": "/"}, csrf=False)


def signed_in(client):
    r = client.get("/account/password")
    return r.status == 200


def audit_count(ctx, action, email):
    return int(ctx.stack.psql("SELECT count(*) FROM audit_log WHERE action = %s AND details->>'email' = %s"
                              % (q(action), q(email))))


def outbox_count(ctx, email):
    return int(ctx.stack.psql("SELECT count(*) FROM mail_outbox WHERE lower(to_addr) = lower(%s)" % q(email)))


def mails_to(ctx, email, n=1, timeout=20):
    """The messages to email, once the mailer has sent at least n."""
    def found():
        got = [m for m in ctx.stack.messages() if m["To"] and email.lower() in str(m["To"]).lower()]
        return got if len(got) >= n else None
    return portal.wait_for("%d message(s) to %s" % (n, email), found, timeout)


def request_reset(ctx, email, n=1):
    """Ask for a reset link and return the link from the n-th email."""
    r = ctx.client().post("/forgot", {"email": email}, csrf=False)
    assert r.status == 200 and SAME_ANSWER in r.text, r
    msg = mails_to(ctx, email, n)[n - 1]
    link = portal.find_link(portal.body_of(msg, "plain"), r"https?://\S+/reset/[0-9a-f]{64}")
    assert link, portal.body_of(msg, "plain")
    return msg, link


def path_of(link):
    return re.sub(r"^https?://[^/]+", "", link)


# ------------------------------------------------------------ throttling
# The rules (login_gate(), login_failed()): a pair of account and address waits
# after five wrong passwords, 30 s doubling to 15 minutes; an address with
# 20 failures waits, except for devices that signed in to the account
# before; an account guessed at from everywhere refuses only devices and
# addresses it does not know. Attackers here come from other loopback
# addresses (127.0.0.x is this machine too), so the suite's own address
# keeps no failures.

def wait_msg(seconds):
    return "Too many failed sign-in attempts. Try again in %s." % seconds


def test_five_failures_make_that_address_wait_not_the_account(ctx):
    email = make_user(ctx, "lock")
    other = make_user(ctx, "bystander")
    # A device that signed in before (its cookie), at the attacker's address.
    known = ctx.client(source="127.0.0.21")
    assert sign_in(ctx, email, PW, client=known).status == 303
    known.post("/logout")
    try:
        for i in range(5):
            # Case does not matter: it is one account.
            typed = email.upper() if i % 2 else email
            r = sign_in(ctx, typed, "wrong-password-%d" % i, client=ctx.client(source="127.0.0.21"))
            assert r.status == 401, (i, r)
        c = ctx.client(source="127.0.0.21")
        r = sign_in(ctx, email, PW, client=c)
        assert r.status == 429, r
        assert wait_msg("30 seconds") in r.text or wait_msg("29 seconds") in r.text, r.text
        assert 'value="%s"' % email in r.text  # the form keeps the email
        assert "/login/link" in r.text  # and offers the way in no guessing blocks
        assert r.header("Retry-After") and 1 <= int(r.header("Retry-After")) <= 30
        assert "portal_session" not in c.cookies and not signed_in(c)
        # The owner elsewhere, and the known device at the same address, go on.
        c2 = ctx.client(source="127.0.0.22")
        assert sign_in(ctx, email, PW, client=c2).status == 303 and signed_in(c2)
        assert sign_in(ctx, email, PW, client=known).status == 303 and signed_in(known)
        # Another account from the same address is not affected.
        c3 = ctx.client(source="127.0.0.21")
        assert sign_in(ctx, other, PW, client=c3).status == 303 and signed_in(c3)
        # The audit log has every failure, the wait and the refused attempt.
        assert audit_count(ctx, "auth.login_failed", email) + audit_count(ctx, "auth.login_failed", email.upper()) == 5
        rows = ctx.stack.psql("SELECT details->>'refused' FROM audit_log WHERE action = 'auth.locked'"
                              " AND lower(details->>'email') = lower(%s) ORDER BY id" % q(email)).split()
        assert rows == ["false", "true"], rows
        uid = ctx.stack.psql("SELECT id FROM users WHERE email = %s" % q(email))
        assert ctx.stack.psql("SELECT count(*) FROM audit_log WHERE action = 'auth.locked' AND user_id = %s"
                              " AND ip = '127.0.0.21'" % uid) == "2"
    finally:
        forget_failures(ctx, email, other)


def test_the_wait_doubles_with_each_failure_up_to_fifteen_minutes(ctx):
    email = make_user(ctx, "expiry")
    src = "127.0.0.23"
    try:
        for i in range(5):
            assert sign_in(ctx, email, "nope-%d" % i, client=ctx.client(source=src)).status == 401
        assert sign_in(ctx, email, PW, client=ctx.client(source=src)).status == 429
        # 31 seconds later the pair may guess again; a sixth failure: a minute.
        ctx.stack.psql("UPDATE login_failures SET at = at - interval '31 seconds' WHERE email = lower(%s)" % q(email))
        assert sign_in(ctx, email, "nope-5", client=ctx.client(source=src)).status == 401
        r = sign_in(ctx, email, PW, client=ctx.client(source=src))
        assert r.status == 429 and wait_msg("1 minute") in r.text, r
        assert 30 < int(r.header("Retry-After")) <= 60
        # Twelve failures: 30 s x 2^7 is past the cap of 15 minutes.
        ctx.stack.psql("INSERT INTO login_failures (email, ip, at) SELECT lower(%s), %s, now() - interval '1 minute'"
                       " FROM generate_series(1, 6)" % (q(email), q(src)))
        r = sign_in(ctx, email, PW, client=ctx.client(source=src))
        assert r.status == 429 and wait_msg("15 minutes") in r.text, r
        # 16 minutes after the latest failure the wait is over.
        ctx.stack.psql("UPDATE login_failures SET at = at - interval '16 minutes' WHERE email = lower(%s)" % q(email))
        c = ctx.client(source=src)
        assert sign_in(ctx, email, PW, client=c).status == 303 and signed_in(c)
    finally:
        forget_failures(ctx, email)


def test_failures_older_than_the_window_do_not_count(ctx):
    email = make_user(ctx, "window")
    try:
        for i in range(4):
            assert sign_in(ctx, email, "nope-%d" % i).status == 401
        ctx.stack.psql("UPDATE login_failures SET at = at - interval '16 minutes' WHERE email = lower(%s)" % q(email))
        assert sign_in(ctx, email, "nope-again").status == 401
        assert sign_in(ctx, email, PW).status == 303  # 1 recent failure, not 5
    finally:
        forget_failures(ctx, email)


def test_a_successful_sign_in_forgives_earlier_failures(ctx):
    email = make_user(ctx, "forgive")
    try:
        for i in range(4):
            assert sign_in(ctx, email, "nope-%d" % i).status == 401
        assert sign_in(ctx, email, PW).status == 303
        for i in range(4):
            assert sign_in(ctx, email, "nope-%d" % i).status == 401
        assert sign_in(ctx, email, PW).status == 303
        assert ctx.stack.psql("SELECT count(*) FROM login_failures WHERE email = lower(%s)" % q(email)) == "0"
    finally:
        forget_failures(ctx, email)


def test_unknown_accounts_are_locked_like_real_ones(ctx):
    # Locking only existing accounts would tell which addresses exist.
    email = "ghost-%s@accounts.example" % uuid.uuid4().hex[:8]
    try:
        for i in range(5):
            assert sign_in(ctx, email, "nope-%d" % i).status == 401
        r = sign_in(ctx, email, "nope-5")
        assert r.status == 429 and "Try again in" in r.text and "/login/link" in r.text
    finally:
        forget_failures(ctx, email)


def test_twenty_failures_from_one_address_make_it_wait_except_for_known_devices(ctx):
    # A scanner's failures once made every sign-in from its address answer
    # 429, the real admin's included. Now its known devices go on.
    victim = make_user(ctx, "addr")
    tag = "ip-%s" % uuid.uuid4().hex[:6]
    src = "127.0.0.24"
    known = ctx.client(source=src)
    assert sign_in(ctx, victim, PW, client=known).status == 303
    known.post("/logout")
    try:
        for i in range(20):
            r = sign_in(ctx, "%s-%d@accounts.example" % (tag, i), "nope", client=ctx.client(source=src))
            assert r.status == 401, (i, r)
        # A browser the victim never used, at that address: refused.
        c = ctx.client(source=src)
        r = sign_in(ctx, victim, PW, client=c)
        assert r.status == 429 and wait_msg("15 minutes") in r.text, r
        assert not signed_in(c)
        assert ctx.stack.psql("SELECT details->>'scope' FROM audit_log WHERE action = 'auth.locked'"
                              " AND details->>'email' = %s" % q(victim)) == "address"
        # The victim's own browser at the same address, and any elsewhere.
        assert sign_in(ctx, victim, PW, client=known).status == 303 and signed_in(known)
        c2 = ctx.client(source="127.0.0.25")
        assert sign_in(ctx, victim, PW, client=c2).status == 303 and signed_in(c2)
    finally:
        ctx.stack.psql("DELETE FROM login_failures WHERE email LIKE %s" % q(tag + "-%"))
        forget_failures(ctx, victim)
    assert sign_in(ctx, victim, PW, client=ctx.client(source=src)).status == 303


# ------------------------------------------------------------ forgot / reset

def test_sign_in_page_links_to_forgot_password(ctx):
    r = ctx.client().get("/login")
    assert 'href="/forgot"' in r.text and "Forgot your password?" in r.text
    r = ctx.client().get("/forgot")
    assert r.status == 200 and 'name="email"' in r.text and 'action="/forgot"' in r.text


def test_forgot_password_story(ctx):
    email = make_user(ctx, "reset", "Rita Reset")
    try:
        before = ctx.client()
        assert sign_in(ctx, email, PW, client=before).status == 303 and signed_in(before)

        msg, link = request_reset(ctx, email)
        assert str(msg["Subject"]).endswith(": Reset your password")  # "<brand title>: Reset your password"
        assert "Rita Reset" in portal.body_of(msg, "plain")
        assert link in portal.body_of(msg, "html")
        assert link.startswith("http://127.0.0.1:%d/reset/" % ctx.port)
        token = link.rsplit("/", 1)[1]
        # Only the SHA-256 of the token is stored.
        assert ctx.stack.psql("SELECT count(*) FROM password_resets WHERE token_hash = %s" % q(token)) == "0"
        assert ctx.stack.psql("SELECT count(*) FROM password_resets WHERE token_hash = %s"
                              % q(hashlib.sha256(token.encode()).hexdigest())) == "1"

        c = ctx.client()
        path = path_of(link)
        r = c.get(path)
        assert r.status == 200 and "Choose a new password" in r.text and email in r.text
        assert r.header("Cache-Control") == "no-store"

        r = c.post(path, {"password": NEW_PW, "password2": NEW_PW + "x"}, csrf=False)
        assert r.status == 400 and "The two passwords do not match." in r.text
        assert NEW_PW not in r.text  # never echoed back
        r = c.post(path, {"password": "short", "password2": "short"}, csrf=False)
        assert r.status == 400 and "Use at least 10 characters." in r.text
        r = c.post(path, {"password": NEW_PW, "password2": NEW_PW}, csrf=False,
                   headers={"Origin": "http://evil.example"})
        assert r.status == 403
        assert sign_in(ctx, email, PW).status == 303  # nothing changed so far

        r = c.post(path, {"password": NEW_PW, "password2": NEW_PW}, csrf=False)
        assert r.status == 303 and r.header("Location") == "/login?notice=password_reset", r
        r = c.get("/login?notice=password_reset")
        assert "Your password was changed" in r.text

        assert sign_in(ctx, email, PW).status == 401
        assert sign_in(ctx, email, NEW_PW).status == 303
        assert not signed_in(before), "the session from before the reset must be ended"

        r = c.get(path)
        assert r.status == 410 and "expired or was already used" in r.text
        r = c.post(path, {"password": "yet-another-pass-1", "password2": "yet-another-pass-1"}, csrf=False)
        assert r.status == 410
        assert sign_in(ctx, email, NEW_PW).status == 303

        assert audit_count(ctx, "auth.reset_requested", email) == 1
        uid = ctx.stack.psql("SELECT id FROM users WHERE email = %s" % q(email))
        assert ctx.stack.psql("SELECT count(*) FROM audit_log WHERE action = 'auth.reset_done' AND user_id = %s"
                              % uid) == "1"
    finally:
        forget_failures(ctx, email)


def test_the_request_log_shows_the_route_pattern_not_the_token(ctx):
    email = make_user(ctx, "logged")
    _, link = request_reset(ctx, email)
    ctx.client().get(path_of(link))
    token = link.rsplit("/", 1)[1]
    log = ctx.stack.log("portal")
    assert "/reset/{token}" in log
    assert token not in log


def test_an_expired_link_answers_410_and_changes_nothing(ctx):
    email = make_user(ctx, "expired")
    try:
        _, link = request_reset(ctx, email)
        h = hashlib.sha256(link.rsplit("/", 1)[1].encode()).hexdigest()
        c = ctx.client()
        assert c.get(path_of(link)).status == 200
        ctx.stack.psql("UPDATE password_resets SET created_at = created_at - interval '61 minutes',"
                       " expires_at = expires_at - interval '61 minutes' WHERE token_hash = %s" % q(h))
        r = c.get(path_of(link))
        assert r.status == 410 and "expired or was already used" in r.text and 'href="/forgot"' in r.text
        r = c.post(path_of(link), {"password": NEW_PW, "password2": NEW_PW}, csrf=False)
        assert r.status == 410
        assert sign_in(ctx, email, PW).status == 303
        assert sign_in(ctx, email, NEW_PW).status == 401
    finally:
        forget_failures(ctx, email)


def test_made_up_links_answer_410(ctx):
    c = ctx.client()
    assert c.get("/reset/" + "a" * 64).status == 410
    assert c.get("/reset/not-a-token").status == 410
    r = c.post("/reset/" + "b" * 64, {"password": NEW_PW, "password2": NEW_PW}, csrf=False)
    assert r.status == 410


def test_unknown_email_gets_the_same_answer_and_no_mail(ctx):
    known = make_user(ctx, "known")
    unknown = "nobody-%s@accounts.example" % uuid.uuid4().hex[:8]
    a = ctx.client().post("/forgot", {"email": known}, csrf=False)
    b = ctx.client().post("/forgot", {"email": unknown}, csrf=False)
    assert a.status == b.status == 200
    assert a.text.replace(known, "X") == b.text.replace(unknown, "X")
    assert outbox_count(ctx, known) == 1
    assert outbox_count(ctx, unknown) == 0
    assert audit_count(ctx, "auth.reset_requested", unknown) == 1


def test_disabled_accounts_get_no_link(ctx):
    email = make_user(ctx, "disabled")
    ctx.stack.psql("UPDATE users SET status = 'disabled' WHERE email = %s" % q(email))
    r = ctx.client().post("/forgot", {"email": email}, csrf=False)
    assert r.status == 200 and SAME_ANSWER in r.text
    assert outbox_count(ctx, email) == 0


def test_forgot_needs_an_address_and_the_same_origin(ctx):
    r = ctx.client().post("/forgot", {"email": ""}, csrf=False)
    assert r.status == 400 and "Enter your email address." in r.text
    email = make_user(ctx, "origin")
    r = ctx.client().post("/forgot", {"email": email}, csrf=False, headers={"Origin": "http://evil.example"})
    assert r.status == 403
    assert outbox_count(ctx, email) == 0


def test_at_most_three_reset_emails_per_hour(ctx):
    email = make_user(ctx, "limit")
    for _ in range(4):
        r = ctx.client().post("/forgot", {"email": email.upper()}, csrf=False)
        assert r.status == 200 and SAME_ANSWER in r.text
    assert outbox_count(ctx, email) == 3
    assert ctx.stack.psql("SELECT count(*) FROM audit_log WHERE action = 'auth.reset_requested'"
                          " AND details->>'email' = %s AND details->>'rate_limited' = 'true'"
                          % q(email.upper())) == "1"
    # An hour later the account may ask again.
    ctx.stack.psql("UPDATE password_resets SET created_at = created_at - interval '61 minutes'"
                   " WHERE user_id = (SELECT id FROM users WHERE email = %s)" % q(email))
    ctx.client().post("/forgot", {"email": email}, csrf=False)
    assert outbox_count(ctx, email) == 4


def test_a_new_password_spends_every_open_link(ctx):
    email = make_user(ctx, "twolinks")
    _, first = request_reset(ctx, email, 1)
    _, second = request_reset(ctx, email, 2)
    assert first != second
    c = ctx.client()
    assert c.post(path_of(second), {"password": NEW_PW, "password2": NEW_PW}, csrf=False).status == 303
    assert c.get(path_of(first)).status == 410


# ------------------------------------------------------------ change password

def test_signed_in_pages_link_to_change_password(ctx):
    email = make_user(ctx, "header")
    c = ctx.client()
    sign_in(ctx, email, PW, client=c)
    r = c.get("/account/password")
    assert r.status == 200 and 'href="/account/password"' in r.text
    assert 'name="current"' in r.text and 'name="password2"' in r.text
    r = ctx.client().get("/account/password")
    assert r.status == 303 and r.header("Location").startswith("/login")


def test_change_password_story(ctx):
    email = make_user(ctx, "change")
    try:
        here, elsewhere = ctx.client(), ctx.client()
        assert sign_in(ctx, email, PW, client=here).status == 303
        assert sign_in(ctx, email, PW, client=elsewhere).status == 303

        r = here.post("/account/password", {"current": "not-my-password", "password": NEW_PW, "password2": NEW_PW})
        assert r.status == 400 and "The current password is not correct." in r.text
        assert NEW_PW not in r.text and "not-my-password" not in r.text
        r = here.post("/account/password", {"current": PW, "password": NEW_PW, "password2": "something-else-1"})
        assert r.status == 400 and "The two passwords do not match." in r.text
        r = here.post("/account/password", {"current": PW, "password": "short", "password2": "short"})
        assert r.status == 400 and "Use at least 10 characters." in r.text
        r = here.post("/account/password", {"current": PW, "password": NEW_PW, "password2": NEW_PW}, csrf=False)
        assert r.status == 403  # no CSRF token: refused by the dispatcher
        assert sign_in(ctx, email, PW).status == 303  # still the old password

        r = here.post("/account/password", {"current": PW, "password": NEW_PW, "password2": NEW_PW})
        assert r.status == 303 and r.header("Location") == "/account/password?changed=1", r
        r = here.get("/account/password?changed=1")
        assert r.status == 200 and "Your password was changed" in r.text  # this session stays
        r = elsewhere.get("/account/password")
        assert r.status == 303 and r.header("Location").startswith("/login")  # the other one ended

        assert sign_in(ctx, email, PW).status == 401
        assert sign_in(ctx, email, NEW_PW).status == 303
        uid = ctx.stack.psql("SELECT id FROM users WHERE email = %s" % q(email))
        assert ctx.stack.psql("SELECT details->>'sessions_ended' FROM audit_log"
                              " WHERE action = 'auth.password_changed' AND user_id = %s" % uid) == "2"
    finally:
        forget_failures(ctx, email)


def test_guessing_the_current_password_locks_the_account(ctx):
    email = make_user(ctx, "guess")
    c = ctx.client()
    try:
        assert sign_in(ctx, email, PW, client=c).status == 303
        for i in range(5):
            r = c.post("/account/password", {"current": "guess-%d-xx" % i, "password": NEW_PW, "password2": NEW_PW})
            assert r.status == 400, (i, r)
        r = c.post("/account/password", {"current": PW, "password": NEW_PW, "password2": NEW_PW})
        assert r.status == 429 and "Too many failed sign-in attempts. Try again in" in r.text, r
        assert sign_in(ctx, email, PW).status == 429
    finally:
        forget_failures(ctx, email)
    assert sign_in(ctx, email, PW).status == 303
