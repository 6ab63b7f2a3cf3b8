#!/usr/bin/env python3
"""Ingest throughput: POST /api/v2/vulnerabilities in batches of 5,000
through nginx with an API key, and print vulnerabilities per second.

Not part of `make test`. `make bench-ingest` runs it against a private stack
it starts itself (release binaries from build/bin, PostgreSQL with fsync on,
demo data S); or point it at a running stack:

    tests/bench/ingest.py --url http://127.0.0.1:8080 --key mssp_...

Settings: --batches (20 per client), --batch (5000), --clients (1 and 4:
a list), --workers (PORTAL_WORKERS of the private stack, 4); SEED_SIZE=L
(`SEED_SIZE=L make bench-ingest`) seeds the private stack with size L
(20,000 companies, 10M findings stored) instead of S; the seed takes
several minutes.

Each client sends new vulnerabilities (inserts) into its own company of
MSP "Bluefin IT", then the same batches again with a third of them fixed
(updates), so both paths of the upsert are measured. The rollup triggers
run in every batch's transaction, as in production."""
import argparse
import json
import os
import sys
import tempfile
import threading
import time
import http.client
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import portal  # noqa: E402

SEV = ["critical", "high", "medium", "low"]


class BenchStack(portal.Stack):
    def env(self):
        e = super().env()
        e.pop("PG_FSYNC", None)  # durable commits, as in production
        e["PORTAL_MAX_REQUESTS"] = "100000"
        e["PORTAL_WORKERS"] = os.environ.get("PORTAL_WORKERS", e["PORTAL_WORKERS"])
        return e


def make_batch(prefix, n, tenant, fixed=False):
    items = []
    for i in range(n):
        it = {"external_id": "%s-%d" % (prefix, i), "cve": "CVE-2024-%05d" % (10000 + i % 2000),
              "severity": SEV[i % 4], "tenant_id": tenant, "first_seen": "2026-11-01T00:00:00Z"}
        if fixed and i % 3 == 0:
            it["fixed_at"] = "2026-11-20T00:00:00Z"
        items.append(it)
    return json.dumps({"items": items})


def post(url, key, body):
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    c.request("POST", "/api/v2/vulnerabilities", body=body,
              headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status != 200:
        raise RuntimeError("HTTP %d: %s" % (r.status, data[:300]))
    j = json.loads(data)
    if j["rejected"]:
        raise RuntimeError("rejected items: %r" % j["errors"][:3])
    return j["accepted"]


def run(url, key, tenants, clients, batches, size, tag, fixed):
    """clients threads, each posting `batches` pre-built bodies; returns items/s."""
    bodies = [[make_batch("%s-c%d-b%d" % (tag, c, b), size, tenants[c % len(tenants)], fixed)
               for b in range(batches)] for c in range(clients)]
    done = [0] * clients
    errors = []

    def worker(c):
        try:
            for body in bodies[c]:
                done[c] += post(url, key, body)
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(c,)) for c in range(clients)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.time() - t0
    if errors:
        raise errors[0]
    return sum(done), took


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url")
    ap.add_argument("--key")
    ap.add_argument("--tenants", help="comma-separated tenant ids under the key (default: the key's own)")
    ap.add_argument("--batches", type=int, default=int(os.environ.get("BENCH_INGEST_BATCHES", "20")))
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--clients", default=os.environ.get("BENCH_INGEST_CLIENTS", "1,4"))
    ap.add_argument("--workers", default=os.environ.get("PORTAL_WORKERS", "4"))
    args = ap.parse_args()

    stack = None
    try:
        if args.url is None:
            os.environ["PORTAL_WORKERS"] = args.workers
            var = tempfile.mkdtemp(prefix="bench-ingest.")
            stack = BenchStack(var, portal.free_port(), portal.free_port(), os.path.join(ROOT, "build", "bin"))
            print("starting a private stack in %s (release binaries, %s workers, fsync on, demo data %s)"
                  % (var, args.workers, os.environ.get("SEED_SIZE", "S")))
            stack.start()
            args.url = "http://127.0.0.1:%d" % stack.port
            owner = portal.Client(stack.port)
            owner.login("owner@msp1.example")
            bluefin = int(stack.psql("SELECT id FROM tenants WHERE name = 'Bluefin IT'"))
            r = owner.request("POST", "/t/%d/api-keys.json" % bluefin,
                              body="name=bench&csrf=" + owner.csrf(),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert r.status == 200, r
            args.key = r.json()["new_key"]["key"]
            args.tenants = stack.psql("SELECT string_agg(id::text, ',' ORDER BY id) FROM tenants"
                                      " WHERE parent_id = %d" % bluefin)
        if args.key is None:
            ap.error("--key is required with --url")
        tenants = [int(t) for t in args.tenants.split(",")] if args.tenants else [None]
        tag = "bench%d" % int(time.time())
        print("ingest: %d-item batches of vulnerabilities, %d batches per client, %s" % (args.batch, args.batches,
                                                                                          args.url))
        for clients in [int(c) for c in args.clients.split(",")]:
            n, took = run(args.url, args.key, tenants, clients, args.batches, args.batch, "%s-%d" % (tag, clients),
                          False)
            print("  inserts  clients=%d  %7d items in %6.2fs  %8.0f items/s" % (clients, n, took, n / took))
            n, took = run(args.url, args.key, tenants, clients, args.batches, args.batch, "%s-%d" % (tag, clients),
                          True)
            print("  re-send  clients=%d  %7d items in %6.2fs  %8.0f items/s" % (clients, n, took, n / took))
        if stack is not None:
            bad = stack.rollups_differ()  # one pass over the findings, not a count per tenant
            print("rollups agree with COUNT(*) for every tenant: %s" % ("yes" if bad == 0 else "NO (%d)" % bad))
    finally:
        if stack is not None:
            stack.stop()


if __name__ == "__main__":
    main()
