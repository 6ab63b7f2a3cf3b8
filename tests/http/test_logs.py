"""The logs (docs/operations.md, "Logs"): one line per request. As text,
"TIME NAME[PID] LEVEL: METHOD PATH STATUS MS key=value..."; under systemd,
when stderr is the journal's stream (JOURNAL_STREAM names it), without the
time, which journald stamps, and with the "<N>" priority prefix journald
reads; with PORTAL_LOG_FORMAT=json, one JSON object per line, with the
request's fields for a log shipper. Also PORTAL_METRICS_ALLOW's ranges,
which a master reports at its start when one is not an address."""
import json
import re

import fcgi
import portal


def records(path, want):
    """The log's lines once one satisfies want (the worker writes its
    request's line after the answer)."""
    lines = []

    def look():
        lines[:] = open(path).read().splitlines()
        return any(want(x) for x in lines)
    portal.wait_for("the log line", look)
    return lines


def test_json_records_carry_the_request_fields(ctx):
    admin = ctx.login("admin@northwind.example")
    nw = ctx.stack.tenant_id("Northwind Security")
    with portal.second_master(ctx.stack, "jsonlog", PORTAL_LOG_FORMAT="json", PORTAL_REQUEST_LOG="1",
                              PORTAL_METRICS_ALLOW="10.0.0.0/8, fd00::/8, 192.0.2.300") as (client, log, _):
        client.cookies = admin.cookies
        assert client.get("/t/%d" % nw).status == 200
        assert client.get("/no/such/page").status == 404
        # A link's secret token is never logged: the route's pattern is.
        assert client.get("/reset/" + "a" * 43).status in (200, 404, 410)
        for addr, want in (("10.20.30.40", 200), ("11.0.0.1", 404), ("fd12::7", 200), ("127.0.0.1", 404)):
            params = fcgi.base_params("GET", "/metrics", "127.0.0.1:%d" % ctx.stack.port)
            params["REMOTE_ADDR"] = addr
            status, _, _ = fcgi.request(client.socket_path, params, b"")
            assert status == want, addr
        # A path that is not UTF-8 (a raw byte 0xff): its record is still
        # written, as valid JSON, the byte shown as "?".
        params = fcgi.base_params("GET", "/caf\udcff/x", "127.0.0.1:%d" % ctx.stack.port)
        status, _, _ = fcgi.request(client.socket_path, params, b"")
        assert status == 404
        lines = records(log, lambda x: "caf?/x" in x)
    docs = [json.loads(x) for x in lines]  # every line is one JSON object
    for d in docs:
        assert set(d) >= {"time", "level", "proc", "pid", "msg"}, d
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", d["time"]), d
        assert d["level"] in ("info", "warn", "error") and d["proc"] == "portal", d
    page = [d for d in docs if d.get("path") == "/t/%d" % nw]
    assert len(page) == 1, docs
    p = page[0]
    assert (p["method"], p["status"], p["route"], p["user"]) == ("GET", 200, "tenant", ctx.stack.user_id("admin@northwind.example")), p
    assert isinstance(p["ms"], float) and p["ms"] >= 0 and p["msg"].startswith("GET /t/%d 200 " % nw), p
    raw = [d for d in docs if "caf?/x" in d["msg"]]
    assert len(raw) == 1 and raw[0]["status"] == 404 and "path" not in raw[0], raw
    missing = [d for d in docs if d.get("path") == "/no/such/page"][0]
    assert missing["status"] == 404 and "route" not in missing and "user" not in missing, missing
    assert not [d for d in docs if "a" * 43 in json.dumps(d)], "a secret token was logged"
    warn = [d for d in docs if d["level"] == "warn" and "PORTAL_METRICS_ALLOW" in d["msg"]]
    assert len(warn) == 1 and '"192.0.2.300"' in warn[0]["msg"], docs


def test_under_the_journal_lines_carry_a_priority_and_no_time(ctx):
    with portal.second_master(ctx.stack, "journallog", journal=True, PORTAL_LOG_FORMAT=None,
                              PORTAL_METRICS_ALLOW="10.0.0.0/40") as (client, log, _):
        assert client.get("/healthz").status == 200
        lines = records(log, lambda x: " GET /healthz 200 " in x)
    req = [x for x in lines if " GET /healthz 200 " in x]
    assert re.match(r"^<6>portal\[\d+\] info: GET /healthz 200 [0-9.]+ms", req[0]), req
    warn = [x for x in lines if "PORTAL_METRICS_ALLOW" in x]
    assert warn and warn[0].startswith("<4>portal[") and '"10.0.0.0/40"' in warn[0], lines
    assert not [x for x in lines if re.match(r"^\d{4}-\d\d-\d\dT", x)], lines


def test_text_lines_keep_their_time_and_a_bad_format_is_said(ctx):
    forged = "2026-12-08T00:00:00.000Z portal[1] info: GET /t/1 200 1.0ms user=1"
    with portal.second_master(ctx.stack, "textlog", PORTAL_LOG_FORMAT="yaml", PORTAL_REQUEST_LOG="1",
                              JOURNAL_STREAM=None) as (client, log, _):
        assert client.get("/healthz").status == 200
        # A path with a raw line break (FastCGI passes any bytes; the
        # portal refuses it, 400) and a record of its own after it: one
        # record, the break an escape.
        params = fcgi.base_params("GET", "/x\r\n" + forged + "\x01", "127.0.0.1:%d" % ctx.stack.port)
        status, _, _ = fcgi.request(client.socket_path, params, b"")
        assert status == 400, status
        records(log, lambda x: " GET /healthz 200 " in x)
        lines = records(log, lambda x: "\\r\\n" + forged in x)
    assert not [x for x in lines if x.startswith(forged)], lines
    req = [x for x in lines if forged in x]
    assert len(req) == 1 and re.match(r"^\d{4}-\d\d-\d\dT[0-9:.]+Z portal\[\d+\] info: GET /x\\r\\n2026-12-08T", req[0]), req
    assert forged + "\\x01 400 " in req[0], req
    # Every line is a record of its own.
    assert all(re.match(r"^\d{4}-\d\d-\d\dT[0-9:.]+Z [a-z]+\[\d+\] (info|warn|error): ", x) for x in lines), lines
    assert [x for x in lines if re.match(r"^\S+Z portal\[\d+\] warn: PORTAL_LOG_FORMAT=yaml is neither text nor json",
                                         x)], lines
    assert [x for x in lines if re.match(r"^\d{4}-\d\d-\d\dT[0-9:.]+Z portal\[\d+\] info: GET /healthz 200 ", x)], lines
