"""Bytes on the wire: the CSRF token masked afresh in every response (so
compressed pages carry no stable secret: BREACH, docs/architecture.md),
pages and JSON gzip-compressed by nginx."""
import contextlib
import gzip
import json
import os
import re

import portal

MASKED = re.compile(r'name="csrf" value="([0-9a-f]+)"')


@contextlib.contextmanager
def own_user(ctx, what):
    """A user of this test alone (viewer of Bluefin IT), signed in; deleted
    however the test ends."""
    email = "wire-%s-%d@example.com" % (what, os.getpid())
    ctx.stack.psql("DELETE FROM users WHERE email = '%s'" % email)
    ctx.stack.new_user(email, (ctx.stack.tenant_id("Bluefin IT"), "viewer"), name="Wire Test")
    try:
        yield ctx.login(email)
    finally:
        ctx.stack.psql("DELETE FROM users WHERE email = '%s'" % email)


def read_all(client, token, header=False):
    """POST /notifications/read-all (changes nothing for a user without
    notifications) with token in the form, or in X-CSRF-Token."""
    if header:
        return client.post("/notifications/read-all", {}, headers={"X-CSRF-Token": token}, csrf=False)
    return client.post("/notifications/read-all", {"csrf": token}, csrf=False)


def test_the_csrf_token_is_masked_afresh_in_every_response(ctx):
    with own_user(ctx, "mask") as c:
        a, b = c.get_json("/").json()["csrf"], c.get_json("/").json()["csrf"]
        assert re.fullmatch("[0-9a-f]{128}", a) and re.fullmatch("[0-9a-f]{128}", b), (a, b)
        assert a != b, "the same masked token in two responses"
        token = portal.unmask_csrf(a)
        assert token == portal.unmask_csrf(b), "two masks of different tokens"
        # Pages: one masked string for all the forms of a page, another on the
        # next page; the token itself is in neither, nor in the JSON.
        p1, p2 = c.get("/").text, c.get("/").text
        m1, m2 = set(MASKED.findall(p1)), set(MASKED.findall(p2))
        assert len(m1) == 1 and len(m2) == 1 and m1 != m2, (m1, m2)
        assert portal.unmask_csrf(m1.pop()) == token
        for body in (p1, p2, c.get_json("/").text):
            assert token not in body, "the bare CSRF token is in a response"


def test_every_masked_token_of_the_session_is_taken_in_a_form_or_a_header(ctx):
    with own_user(ctx, "take") as c:
        first, second = c.csrf(), c.csrf()
        assert first != second
        assert read_all(c, first).status == 303
        assert read_all(c, second).status == 303
        assert read_all(c, first).status == 303, "a masked token is good for the whole session"
        assert read_all(c, c.csrf(), header=True).status == 303
        # The bare token (what pages showed before) still works.
        assert read_all(c, portal.unmask_csrf(c.csrf())).status == 303


def test_a_wrong_or_tampered_csrf_token_is_refused(ctx):
    with own_user(ctx, "tamper") as c, own_user(ctx, "other") as other:
        good = c.csrf()
        half = len(good) // 2
        flip = lambda s, i: s[:i] + ("0" if s[i] != "0" else "1") + s[i + 1:]  # noqa: E731
        bad = {
            "a changed pad": flip(good, 3),
            "a changed masked token": flip(good, half + 3),
            "one character short": good[:-1],
            "one character more": good + "0",
            "upper case": good.upper(),
            "zeros": "0" * len(good),
            "a bare wrong token": "0" * half,
            "empty": "",
            "another session's token": other.csrf(),
        }
        for what, token in bad.items():
            assert read_all(c, token).status == 403, what
            assert read_all(c, token, header=True).status == 403, what + " (header)"
        assert read_all(c, good).status == 303, "the good token, after all that"


# --- compression (nginx gzip)

def fetch(client, path, gzip_ok, json_twin=False):
    h = {"Accept-Encoding": "gzip"} if gzip_ok else {}
    if json_twin:
        h["Accept"] = "application/json"
    return client.get(path, headers=h)


def test_a_page_and_its_json_twin_go_gzip_compressed_when_asked(ctx):
    admin = ctx.login("admin@northwind.example")
    nw = ctx.stack.tenant_id("Northwind Security")
    for path, json_twin in (("/t/%d/incidents" % nw, False), ("/t/%d/incidents" % nw, True), ("/t/%d" % nw, True)):
        what = path + (" (JSON)" if json_twin else "")
        plain = fetch(admin, path, False, json_twin)
        packed = fetch(admin, path, True, json_twin)
        assert plain.status == 200 and packed.status == 200, what
        assert plain.header("Content-Encoding") is None, what
        assert packed.header("Content-Encoding") == "gzip", what
        assert "Accept-Encoding" in (packed.header("Vary") or ""), what
        body = gzip.decompress(packed.body)
        assert len(packed.body) * 3 < len(body), "%s: %d bytes compressed, %d not" % (what, len(packed.body), len(body))
        ctype = packed.header("Content-Type")
        if json_twin:
            assert ctype.startswith("application/json"), what
            assert json.loads(body).keys() == plain.json().keys(), what
        else:
            assert ctype.startswith("text/html") and body.startswith(b"<!doctype html>"), what
            assert MASKED.search(body.decode()), what + ": a page with forms"
        # Security headers are the workers' and stay as they are.
        for h in ("Content-Security-Policy", "X-Content-Type-Options", "Cache-Control"):
            assert packed.header(h) == plain.header(h), (what, h)


def test_a_signed_out_page_is_compressed_too_and_small_answers_are_not(ctx):
    c = ctx.client()
    r = c.get("/login", headers={"Accept-Encoding": "gzip"})
    assert r.status == 200 and r.header("Content-Encoding") == "gzip"
    assert b"<form" in gzip.decompress(r.body)
    r = c.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert r.status == 200 and r.header("Content-Encoding") is None, "under gzip_min_length"

