#!/usr/bin/env python3
"""Time every page of a tenant, one request at a time, as several viewers.

Not a load test (the dashboards have tests/bench/dashboard.sh): this
answers "how long does each page take for one person at this size", the
pages an MSSP opens besides the Global view (lists, analytics, SLA,
threats). Run it against a stack seeded with `ctl seed-demo --size L`:

    tests/bench/pages.py --url http://127.0.0.1:8080 [--runs 5]

For each viewer (the demo's MSSP Admin and MSSP Analyst, and an MSP
Owner) the pages that belong to no tenant (the home page's list, the
tenant selector's search, the account), then each page of the MSSP, of
an MSP and of a company, it prints the median and the slowest of --runs
requests (after one warm-up request) and the page's size."""
import argparse
import http.cookiejar
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request

PASSWORD = "portal-demo-2026"
VIEWERS = ["admin@northwind.example", "analyst@northwind.example", "owner@msp1.example"]
PAGES = ["", "/vulnerabilities", "/vulnerabilities?status=all", "/vulnerabilities?cve=CVE-2024-3400",
         "/assets", "/incidents", "/incidents?status=all", "/analytics", "/sla", "/sla?days=90",
         "/threats", "/threats?days=30"]
# The pages of no tenant: their cost must not grow with the tenants the
# viewer sees either (docs/performance.md, "Session 37").
OWN_PAGES = ["/", "/?page=2", "/tenants", "/tenants.json?q=blue", "/tenants.json?q=e", "/account", "/notifications"]


def opener_for(base, email):
    jar = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = urllib.parse.urlencode({"email": email, "password": PASSWORD}).encode()
    req = urllib.request.Request(base + "/login", data=body, headers={"Origin": base})
    try:
        op.open(req)
    except urllib.error.HTTPError as e:   # 303 to the home page is followed; anything else is a failure
        sys.exit("sign-in of %s failed: %s" % (email, e))
    return op


def fetch(op, url):
    t0 = time.perf_counter()
    try:
        with op.open(url) as r:
            n, status = len(r.read()), r.status
    except urllib.error.HTTPError as e:
        n, status = len(e.read()), e.code
    return (time.perf_counter() - t0) * 1000, n, status


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    base = a.url.rstrip("/")
    admin = opener_for(base, VIEWERS[0])
    with admin.open(base + "/t/1.json") as r:
        root = json.load(r)
    mssp = root["tenant"]["id"]
    msp = max(root["children"], key=lambda c: c.get("companies", 0))["id"]
    with admin.open("%s/t/%d.json" % (base, msp)) as r:
        company = json.load(r)["children"][0]["id"]
    print("%-34s %-26s %9s %9s %9s %6s" % ("viewer", "page", "median ms", "max ms", "bytes", "status"))
    for email in VIEWERS:
        op = admin if email == VIEWERS[0] else opener_for(base, email)
        paths = OWN_PAGES + ["/t/%d%s" % (tid, page) for tid in (mssp, msp, company) for page in PAGES
                             if not (page == "/analytics" and tid == company)]
        for path in paths:
            fetch(op, base + path)
            runs = [fetch(op, base + path) for _ in range(a.runs)]
            ms = [r[0] for r in runs]
            print("%-34s %-26s %9.1f %9.1f %9d %6d" % (email, path, statistics.median(ms), max(ms), runs[-1][1],
                                                      runs[-1][2]))
            sys.stdout.flush()


if __name__ == "__main__":
    main()
