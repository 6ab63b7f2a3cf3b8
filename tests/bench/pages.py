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
requests (after one warm-up request) and the page's size.

    tests/bench/pages.py --url http://127.0.0.1:8080 --crawl 250

walks instead, as each viewer, the links of the pages from their home
page on (breadth first, two addresses of each shape: the digits
of a path and the values of a query are the shape's blanks; no sign-out,
asset or download), once each, up to --crawl pages, and prints the
slowest 40 and any that did not answer 200: the pages the fixed list
above does not name (docs/performance.md, "Session 45")."""
import argparse
import collections
import http.cookiejar
import json
import re
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


def fetch(op, url, body=None):
    """(ms, bytes, status) of one GET; its text appended to body if given."""
    t0 = time.perf_counter()
    try:
        with op.open(url) as r:
            data, status = r.read(), r.status
    except urllib.error.HTTPError as e:
        data, status = e.read(), e.code
    ms = (time.perf_counter() - t0) * 1000
    if body is not None:
        body.append(data.decode("utf-8", "replace"))
    return ms, len(data), status


SKIP = re.compile(r"/(logout|assets/)|/pdf$|\.(css|js|png|svg|ico|csv)(\?|$)")


def shape(path):
    """An address with its blanks: the digits of its path, its query's values."""
    u = urllib.parse.urlsplit(path)
    return re.sub(r"\d+", "#", u.path), tuple(sorted(k for k, _ in urllib.parse.parse_qsl(u.query, True)))


def crawl(op, base, start, limit):
    """[(ms, status, path)] of the pages reached from start, slowest first."""
    queue, seen, shapes, out = collections.deque([start]), {start}, collections.Counter(), []
    while queue and len(out) < limit:
        path = queue.popleft()
        if shapes[shape(path)] >= 2:
            continue
        shapes[shape(path)] += 1
        body = []
        ms, _, status = fetch(op, base + path, body)
        out.append((ms, status, path))
        for href in re.findall(r'href="(/[^"#]*)"', body[0]):
            href = href.replace("&amp;", "&")
            if not href.startswith("//") and not SKIP.search(href) and href not in seen:
                seen.add(href)
                queue.append(href)
    return sorted(out, reverse=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", default="http://127.0.0.1:8080")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--crawl", type=int, default=0, help="walk the links instead, up to this many pages a viewer")
    a = ap.parse_args()
    base = a.url.rstrip("/")
    admin = opener_for(base, VIEWERS[0])
    with admin.open(base + "/t/1.json") as r:
        root = json.load(r)
    mssp = root["tenant"]["id"]
    msp = max(root["children"], key=lambda c: c.get("companies", 0))["id"]
    with admin.open("%s/t/%d.json" % (base, msp)) as r:
        company = json.load(r)["children"][0]["id"]
    if a.crawl:
        for email in VIEWERS:
            op = admin if email == VIEWERS[0] else opener_for(base, email)
            start = "/"   # the viewer's home page: their tenants
            pages = crawl(op, base, start, a.crawl)
            print("%s from %s: %d pages, %d not 200" % (email, start, len(pages),
                                                     sum(1 for p in pages if p[1] != 200)))
            for ms, status, path in pages[:40] + [p for p in pages[40:] if p[1] != 200]:
                print("  %9.1f ms %4d %s" % (ms, status, path))
            sys.stdout.flush()
        return
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
