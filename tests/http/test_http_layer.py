"""The HTTP layer through nginx: health, security headers, errors as HTML
or JSON, limits on input, static files."""
import csv
import hashlib
import io
import json
import os
import re
import socket
import struct

import fcgi
import portal


def test_healthz_reports_database_up(ctx):
    r = ctx.client().get("/healthz")
    assert r.status == 200, r
    body = r.json()
    assert body["status"] == "ok" and body["database"] == "up", body
    assert body["migrations"] >= 3, body


def test_every_page_has_security_headers(ctx):
    c = ctx.client()
    for path in ("/login", "/no-such-page", "/healthz"):
        r = c.get(path)
        csp = r.header("Content-Security-Policy") or ""
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp, (path, csp)
        assert "frame-ancestors 'none'" in csp, (path, csp)
        assert r.header("X-Content-Type-Options") == "nosniff", path
        assert r.header("Referrer-Policy") == "same-origin", path
        assert len(r.headers_all("X-Content-Type-Options")) == 1, "header sent twice on %s" % path
        # Plain HTTP: no HSTS (it would pin a host that has no TLS).
        assert r.header("Strict-Transport-Security") is None


def test_hsts_and_host_cookie_when_served_over_https(ctx):
    # nginx passes HTTPS=on when it terminates TLS; speak FastCGI directly
    # to send exactly that.
    import os
    import urllib.parse
    import fcgi
    sock = os.path.join(ctx.stack.var, "run", "portal.sock")
    p = fcgi.base_params("GET", "/login")
    p["HTTPS"] = "on"
    status, headers, _ = fcgi.request(sock, p)
    assert status == 200
    assert headers["strict-transport-security"][0].startswith("max-age=31536000")
    body = urllib.parse.urlencode({"email": "admin@northwind.example", "password": "portal-demo-2026"}).encode()
    p = fcgi.base_params("POST", "/login")
    p.update({"HTTPS": "on", "CONTENT_TYPE": "application/x-www-form-urlencoded",
              # The portal's own origin is PORTAL_BASE_URL's (http here):
              # what this checks is the cookie of a request over TLS.
              "CONTENT_LENGTH": str(len(body)), "HTTP_ORIGIN": "http://127.0.0.1:%d" % ctx.port})
    status, headers, _ = fcgi.request(sock, p, body)
    assert status == 303, status
    cookie = headers["set-cookie"][0]
    assert cookie.startswith("__Host-portal_session=") and "; Secure" in cookie, cookie
    # Plain HTTP through nginx: no HSTS, no Secure cookie.
    r = ctx.client().get("/login")
    assert r.header("Strict-Transport-Security") is None


def _fcgi_ask_then_write(sock, method, body):
    """One request to the master's socket as nginx sends it; reads the
    answer to the end of the stream, then writes a byte. Returns (status
    line of the answer, whether the write was refused)."""
    p = fcgi.base_params(method, "/healthz")
    if body:
        p.update({"CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body))})
    s = fcgi.connect(sock)
    try:
        s.sendall(fcgi.record(fcgi.BEGIN, struct.pack(">HB5x", 1, 0)))
        s.sendall(fcgi.record(fcgi.PARAMS, fcgi.pairs(p)) + fcgi.record(fcgi.PARAMS, b""))
        if body:
            s.sendall(fcgi.record(fcgi.STDIN, body))
        s.sendall(fcgi.record(fcgi.STDIN, b""))
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        try:
            s.sendall(b"x")
            refused = False
        except (BrokenPipeError, ConnectionResetError):
            refused = True
    finally:
        s.close()
    status = re.search(rb"Status: (\d+)", data)
    return (int(status.group(1)) if status else 200), refused


def test_a_worker_closes_at_once_when_the_request_is_read_and_lingers_when_not(ctx):
    """close_at_once() (cgi/server.c): on a unix socket, a request whose
    input is all read is closed at once, without libfcgi's lingering close
    (shutdown, then reading until nginx closes), so a write after the end
    of the answer is refused; a request whose body the page left unread
    still lingers (the worker reads on, the write is taken), so that
    nginx, still sending the body, reads the whole answer."""
    sock = os.path.join(ctx.stack.var, "run", "portal.sock")
    status, refused = _fcgi_ask_then_write(sock, "GET", b"")
    assert status == 200 and refused, (status, refused)
    status, refused = _fcgi_ask_then_write(sock, "POST", b"a=b")
    assert status == 405 and not refused, (status, refused)
    # Through nginx as ever: the page and a refused POST with a body.
    assert ctx.client().get("/healthz").status == 200
    assert ctx.client().post("/healthz", {"a": "b"}, csrf=False).status == 405


def test_unknown_page_is_a_404_page(ctx):
    r = ctx.client().get("/no/such/page")
    assert r.status == 404
    assert "text/html" in r.header("Content-Type")
    assert "404" in r.text and "does not exist" in r.text
    assert "<title>" in r.text and "MSSP Portal" in r.text  # rendered through the layout


def test_unknown_page_as_json(ctx):
    c = ctx.client()
    for r in (c.get("/no/such/page.json"), c.get_json("/no/such/page")):
        assert r.status == 404
        assert r.header("Content-Type").startswith("application/json")
        err = r.json()["error"]
        assert err["status"] == 404 and err["code"] == "not_found", err


def test_wrong_method_is_405(ctx):
    r = ctx.client().request("DELETE", "/login")
    assert r.status == 405, r
    assert "POST" in (r.header("Allow") or "")


def test_page_as_json_by_suffix_and_accept(ctx):
    c = ctx.client()
    a = c.get("/login.json")
    b = c.get_json("/login")
    assert a.status == b.status == 200
    assert a.json()["brand"]["page_title"] == b.json()["brand"]["page_title"] == "MSSP Portal"
    assert a.json()["next"] == "/start"  # where a person lands (docs/console.md)


def test_an_answer_over_a_megabyte_arrives_whole(ctx):
    # An answer larger than libfcgi's 8 KB buffer goes out in FastCGI
    # records of up to 64 KB, 16 to a writev() (cgi/http.c,
    # write_records()): 10,000 audit rows of about 200 bytes are 2 MB, so
    # several batches and a record that straddles the head and the body;
    # every row comes back once, as stored, through nginx and on the
    # master's own socket (tests/lib/fcgi.py checks each record).
    mssp = ctx.stack.tenant_id("Northwind Security")
    ctx.stack.psql("INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)"
                   " SELECT %d, %d, u.id, 'test.big_answer', 'row ' || g, jsonb_build_object('pad', repeat(md5(g::text), 4))"
                   " FROM generate_series(1, 10000) g, users u WHERE u.email = 'admin@northwind.example'" % (mssp, mssp),
                   user="postgres")
    try:
        admin = ctx.login("admin@northwind.example")
        want = {"row %d" % g: hashlib.md5(str(g).encode()).hexdigest() * 4 for g in range(1, 10001)}
        for client in (admin, portal.on_master(ctx, 1, admin)):
            r = client.get("/t/%d/audit/export?action=test.big_answer" % mssp)
            assert r.status == 200 and len(r.body) > 16 * 65528, (r.status, len(r.body))
            assert int(r.header("Content-Length")) == len(r.body)
            rows = list(csv.reader(io.StringIO(r.text)))[1:]
            got = {row[4]: json.loads(row[6])["pad"] for row in rows}
            assert len(rows) == 10000 and got == want
    finally:
        ctx.stack.psql("DELETE FROM audit_log WHERE action = 'test.big_answer'", user="postgres")


def test_an_answer_cut_by_its_reader_is_logged_and_the_worker_goes_on(ctx):
    # A reader that goes away in the middle of a large answer (nginx's
    # connection reset): write_records() meets the error after part of the
    # answer is out, logs it, and marks the stream broken, so that
    # libfcgi closes the connection instead of ending a cut record with
    # its own. The worker lives on and answers the next request whole.
    mssp = ctx.stack.tenant_id("Northwind Security")
    ctx.stack.psql("INSERT INTO audit_log (tenant_id, root_id, user_id, action, target, details)"
                   " SELECT %d, %d, u.id, 'test.cut_answer', 'row ' || g, jsonb_build_object('pad', repeat(md5(g::text), 4))"
                   " FROM generate_series(1, 10000) g, users u WHERE u.email = 'admin@northwind.example'" % (mssp, mssp),
                   user="postgres")
    try:
        admin = ctx.login("admin@northwind.example")
        path = "/t/%d/audit/export?action=test.cut_answer" % mssp
        cut = " cut after "
        before = ctx.stack.log().count(cut)
        params = fcgi.base_params("GET", path, "127.0.0.1:%d" % ctx.port)
        params["HTTP_COOKIE"] = "; ".join("%s=%s" % kv for kv in admin.cookies.items())
        s = fcgi.connect(ctx.stack.master_socket(1))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(fcgi.record(fcgi.BEGIN, struct.pack(">HB5x", 1, 0)))
        s.sendall(fcgi.record(fcgi.PARAMS, fcgi.pairs(params)) + fcgi.record(fcgi.PARAMS, b""))
        s.sendall(fcgi.record(fcgi.STDIN, b""))
        got = s.recv(8)  # the first record's header: the answer has begun
        assert len(got) == 8 and got[1] == fcgi.STDOUT, got
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        portal.wait_for("the cut answer logged", lambda: ctx.stack.log().count(cut) > before, 20)
        line = [x for x in ctx.stack.log().splitlines() if cut in x][-1]
        total, sent = (int(x) for x in re.search(r"answer of (\d+) bytes cut after (\d+) bytes written", line).groups())
        assert 0 < sent < total and total > 2000000, line
        r = portal.on_master(ctx, 1, admin).get(path)  # the same master, whole
        assert r.status == 200 and len(list(csv.reader(io.StringIO(r.text)))) == 10001
    finally:
        ctx.stack.psql("DELETE FROM audit_log WHERE action = 'test.cut_answer'", user="postgres")


def test_signed_out_page_redirects_to_sign_in(ctx):
    r = ctx.client().get("/")
    assert r.status == 303 and r.header("Location") == "/login?next=/", r.headers


def test_signed_out_json_is_401(ctx):
    r = ctx.client().get_json("/")
    assert r.status == 401 and r.json()["error"]["code"] == "unauthorized"


def test_bad_percent_escape_in_query_is_400(ctx):
    r = ctx.client().get("/login?next=%G1")
    assert r.status == 400, r
    assert "could not be understood" in r.text


def test_bad_percent_escape_in_path_is_400(ctx):
    assert ctx.client().get("/log%zzin").status == 400


def test_nul_in_path_is_400(ctx):
    assert ctx.client().get("/login%00.json").status == 400


def test_query_over_limit_is_413(ctx):
    r = ctx.client().get("/login?x=" + "a" * 9000)
    assert r.status == 413, r


def test_too_many_query_fields_is_413(ctx):
    q = "&".join("f%d=1" % i for i in range(65))
    assert ctx.client().get("/login?" + q).status == 413


def test_body_over_the_worker_limit_gets_the_portal_413_page(ctx):
    c = ctx.client()
    r = c.request("POST", "/login", body=b"a=" + b"x" * (8 * 1024 * 1024 + 100),
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 413, r
    assert "The request is too large." in r.text and "MSSP Portal" in r.text


def test_body_over_nginx_limit_gets_a_static_413_page(ctx):
    c = ctx.client()
    r = c.request("POST", "/login", body=b"a=" + b"x" * (10 * 1024 * 1024),
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 413, r
    assert "too large" in r.text.lower() and "nginx" not in r.text.lower()


def test_malformed_multipart_is_400(ctx):
    c = ctx.client()
    body = b"--XYZ\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nx@y.z\r\n"  # no closing boundary
    r = c.request("POST", "/login", body=body, headers={"Content-Type": "multipart/form-data; boundary=XYZ"})
    assert r.status == 400, r


def test_multipart_sign_in_works(ctx):
    c = ctx.client()
    parts = []
    for k, v in (("email", "admin@northwind.example"), ("password", "portal-demo-2026"), ("next", "/")):
        parts.append("--B0undary\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (k, v))
    body = ("".join(parts) + "--B0undary--\r\n").encode()
    r = c.request("POST", "/login", body=body, headers={"Content-Type": "multipart/form-data; boundary=B0undary"})
    assert r.status == 303, r


def test_malformed_json_body_is_400(ctx):
    c = ctx.client()
    r = c.request("POST", "/login", body=b'{"email": ', headers={"Content-Type": "application/json"})
    assert r.status == 400, r


def test_unsupported_body_type_is_400(ctx):
    r = ctx.client().request("POST", "/login", body=b"hello", headers={"Content-Type": "text/plain"})
    assert r.status == 400


def test_static_css_is_served_by_nginx(ctx):
    r = ctx.client().get("/static/css/portal.css")
    assert r.status == 200 and "text/css" in r.header("Content-Type")
    assert "prefers-color-scheme: dark" in r.text


def test_request_log_has_one_line_per_request_and_no_secrets(ctx):
    c = ctx.client()
    c.post("/login", {"email": "admin@northwind.example", "password": "SeCrEt-pw-in-log", "next": "/"}, csrf=False)
    c.login("admin@northwind.example")
    c.get("/?probe=logcheck")
    log = ctx.stack.log("portal")
    assert "SeCrEt-pw-in-log" not in log
    for token in c.cookies.values():
        assert token not in log
    assert "probe=logcheck" not in log  # query strings may carry tokens: never logged
    lines = [l for l in log.splitlines() if " GET / 200 " in l and "user=" in l]
    assert lines, "no request line for GET / with the user id"
    assert "ms user=" in lines[-1]
