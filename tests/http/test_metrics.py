"""GET /metrics (docs/operations.md, "Monitoring"): the Prometheus text
format, for PORTAL_METRICS_ALLOW's addresses only (the stack allows
127.0.0.1). What it counts is summed over every worker, in memory the
master shares: requests by route and status class, their durations, the
caches, ingested items, the workers and why they ended, the database's
queues."""
import json
import os
import re
import signal

import fcgi
import portal

LINE = re.compile(r'^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$')


def scrape(ctx):
    r = ctx.client().get("/metrics")
    assert r.status == 200, r
    assert (r.header("Content-Type") or "").startswith("text/plain; version=0.0.4"), r.headers
    values = {}
    for line in r.text.splitlines():
        if line.startswith("#"):
            assert re.match(r"^# (HELP|TYPE) [a-z_]+ .+$", line), line
            continue
        assert LINE.match(line), line
        k, _, v = line.rpartition(" ")
        values[k] = float(v)
    return values


def test_metrics_count_requests_caches_ingest_and_workers(ctx):
    admin = ctx.login("admin@northwind.example")
    nw = ctx.stack.tenant_id("Northwind Security")
    bf = ctx.stack.tenant_id("Bluefin IT")
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND status = 'active'" % bf))
    key = portal.create_key(ctx, ctx.login("owner@msp1.example"), bf, "metrics-probe")["key"]
    before = scrape(ctx)
    # More views of one dashboard than twice the workers: some worker
    # serves it twice (its page cache answers the second), whichever way
    # the requests are shared out.
    views = 2 * int(before['portal_workers{pool="pages"}']) + 1
    for _ in range(views):
        assert admin.get("/t/%d" % nw).status == 200
    assert ctx.client().get("/no/such/page").status == 404
    r = ctx.client().request("POST", "/api/v2/vulnerabilities", body=json.dumps({"items": [
        {"external_id": "metrics-%d-%d" % (os.getpid(), i), "cve": "CVE-2024-3400", "severity": "low",
         "tenant_id": co} for i in range(3)] + [{"external_id": "bad", "severity": "nonsense", "tenant_id": co}]}),
        headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    assert r.status == 200 and r.json()["accepted"] == 3, r.text
    after = scrape(ctx)

    def delta(k):
        return after.get(k, 0) - before.get(k, 0)

    assert delta('portal_http_requests_total{route="tenant",status="2xx"}') >= views
    assert delta('portal_http_requests_total{route="unmatched",status="4xx"}') >= 1
    assert delta('portal_http_request_duration_seconds_count{route="tenant"}') >= views
    assert delta('portal_ingest_items_total{route="api_vulnerabilities"}') == 3
    assert delta('portal_cache_requests_total{cache="page",result="hit"}') >= 1
    assert delta('portal_cache_requests_total{cache="page",result="hit"}') + \
        delta('portal_cache_requests_total{cache="page",result="miss"}') >= views
    assert delta('portal_cache_requests_total{cache="context",result="hit"}') + \
        delta('portal_cache_requests_total{cache="context",result="miss"}') >= views
    # the histogram is cumulative and ends at its count
    buckets = [(float(m.group(1)) if m.group(1) != "+Inf" else float("inf"), v) for k, v in after.items()
               for m in [re.match(r'portal_http_request_duration_seconds_bucket\{route="tenant",le="([^"]+)"\}$', k)]
               if m]
    counts = [v for _, v in sorted(buckets)]
    assert counts == sorted(counts) and counts[-1] == after['portal_http_request_duration_seconds_count{route="tenant"}']
    assert after["portal_up"] == 1 and after["portal_database_up"] == 1
    version = open(os.path.join(os.path.dirname(__file__), "..", "..", "VERSION")).read().strip()
    assert after['portal_build_info{version="%s"}' % version] == 1
    assert after['portal_workers{pool="pages"}'] >= 1 and after['portal_workers{pool="api"}'] >= 1
    assert 'portal_mail_outbox{status="queued"}' in after and 'portal_report_jobs{state="running"}' in after

    # A worker killed (of either pool): counted as died, and replaced.
    def died(v):
        return sum(v.get('portal_worker_exits_total{pool="%s",reason="died"}' % p, 0) for p in ("pages", "api"))

    n = len(ctx.stack.worker_pids())
    os.kill(ctx.stack.worker_pids()[0], signal.SIGKILL)
    portal.wait_for("the killed worker counted", lambda: died(scrape(ctx)) - died(after) == 1)
    ctx.stack.wait_workers(n)


def test_metrics_answer_only_the_allowed_addresses(ctx):
    sock = os.path.join(ctx.stack.var, "run", "portal.sock")
    for addr, want in (("127.0.0.1", 200), ("10.1.2.3", 404), ("127.0.0.2", 404), ("", 404)):
        params = fcgi.base_params("GET", "/metrics", "127.0.0.1:%d" % ctx.stack.port)
        params["REMOTE_ADDR"] = addr
        status, _, body = fcgi.request(sock, params, b"")
        assert status == want, (addr, status, body[:200])
        if want == 404:
            assert b"portal_http_requests_total" not in body
