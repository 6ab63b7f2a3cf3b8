"""Bytes on the wire: the CSRF token masked afresh in every response (so
compressed pages carry no stable secret: BREACH, docs/architecture.md),
pages and JSON gzip-compressed by nginx, static files under content-hashed
names with a year of immutable caching."""
import contextlib
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile

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


# --- static files: content-hashed names, a year of immutable caching

HASHED = re.compile(r'(?:href|src)="(/static/(css/portal|js/theme)\.([0-9a-f]{12})\.(css|js))"')


def test_pages_link_the_static_files_by_their_content_hash(ctx):
    for c, path in ((ctx.client(), "/login"), (ctx.login("viewer@msp1.example"), "/")):
        page = c.get(path).text
        links = {m[1]: m for m in HASHED.findall(page)}
        assert set(links) == {"css/portal", "js/theme"}, (path, HASHED.findall(page))
        assert "/static/css/portal.css" not in page and "/static/js/theme.js" not in page, path
        for url, name, digest, ext in links.values():
            r = c.get(url)
            assert r.status == 200, url
            assert hashlib.sha256(r.body).hexdigest()[:12] == digest, url + ": the name is not its content's hash"
            assert r.body == c.get("/static/%s.%s" % (name, ext)).body, url + ": not the same file as its plain name"


def test_hashed_static_files_are_cached_for_a_year_with_one_cache_control(ctx):
    c = ctx.client()
    for url, _, _, ext in HASHED.findall(c.get("/login").text):
        r = c.get(url)
        assert r.status == 200 and r.headers_all("Cache-Control") == ["public, max-age=31536000, immutable"], \
            (url, r.headers_all("Cache-Control"))
        assert r.header("Expires") is None, url
        assert r.header("X-Content-Type-Options") == "nosniff", url
        assert ("text/css" if ext == "css" else "javascript") in r.header("Content-Type"), url
        gz = c.get(url, headers={"Accept-Encoding": "gzip"})
        assert gz.header("Content-Encoding") == "gzip" and gzip.decompress(gz.body) == r.body, url
        assert gz.headers_all("Cache-Control") == ["public, max-age=31536000, immutable"], url
    # The plain names keep working for old references, for an hour.
    for url in ("/static/css/portal.css", "/static/js/theme.js"):
        r = c.get(url)
        assert r.status == 200 and r.headers_all("Cache-Control") == ["public, max-age=3600"], \
            (url, r.headers_all("Cache-Control"))
    # A hash that is not the file's is no file, and an error is not cached.
    r = c.get("/static/css/portal.000000000000.css")
    assert r.status == 404 and r.headers_all("Cache-Control") == [], r.headers


def test_the_hashed_name_changes_with_the_file(ctx):
    """scripts/assets, as scripts/stack runs it on the staged www/."""
    work = tempfile.mkdtemp(prefix="wire-assets-")
    try:
        www = os.path.join(work, "www")
        shutil.copytree(os.path.join(portal.ROOT, "www"), www)

        def assets():
            subprocess.run([os.path.join(portal.ROOT, "scripts", "assets"), www], check=True)
            with open(os.path.join(www, "assets.json")) as f:
                return json.load(f)

        before = assets()
        assert set(before) >= {"css/portal.css", "js/theme.js"}, before
        assert not any(k.endswith(".html") for k in before), "the error pages keep their names"
        for plain, hashed in before.items():
            with open(os.path.join(www, plain), "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()[:12]
            assert hashed == "%s.%s.%s" % (plain.rsplit(".", 1)[0], digest, plain.rsplit(".", 1)[1]), hashed
            assert os.path.exists(os.path.join(www, hashed)), hashed
        with open(os.path.join(www, "css", "portal.css"), "a") as f:
            f.write("\n/* changed */\n")
        after = assets()
        assert after["css/portal.css"] != before["css/portal.css"], "the hash did not follow the file"
        assert after["js/theme.js"] == before["js/theme.js"], "an unchanged file kept its name"
        assert assets() == after, "a run over its own output changes nothing"
        # The old twin stays, with the content its name promises (a page from
        # before the upgrade still finds it); twins get no twins of their own.
        names = sorted(os.listdir(os.path.join(www, "css")))
        assert names == sorted(["portal.css"] + [os.path.basename(m["css/portal.css"]) for m in (before, after)]), names
        with open(os.path.join(www, before["css/portal.css"]), "rb") as f:
            assert before["css/portal.css"].split(".")[1] == hashlib.sha256(f.read()).hexdigest()[:12]
    finally:
        shutil.rmtree(work, ignore_errors=True)
