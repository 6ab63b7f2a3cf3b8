#!/usr/bin/env python3
"""The live feed of `make bench-live` (tests/bench/live.sh): probes and
agents reporting all day, through nginx and the ingest API v2, while the
pages are measured.

    tests/bench/live_feed.py --url URL --key KEY --tenants FILE
        [--rate 5000] [--senders 4] [--status FILE]
        [--prefix live] [--retry] [--summary FILE]

Each of --senders threads keeps its share of --rate items per second (a
token bucket, checked before each batch) on a keep-alive connection. A
batch is one company's report, as a probe sends it: a company drawn from
the --tenants file (one id per line), 1 to 500 items (uniform), nine
batches in ten vulnerabilities and one in ten incidents. A quarter of the
items are new (the company's next external id), the rest are sent again
with a new state (a vulnerability fixed or open again, an incident
acknowledged or closed), so both paths of the upsert run and every batch
moves the dashboards' rollups.

Every second it rewrites --status with "items batches errors seconds"
(totals since the start): the driver reads it before and after each
measurement to know the rate reached in that window. It runs until
SIGTERM or SIGINT, then prints the totals. An HTTP error is counted and
the sender goes on after a pause (the driver reports any).

For `make soak` (tests/soak/soak.py): --prefix names the items
(PREFIX-v-N, PREFIX-i-N); with --retry a batch that failed is sent again,
as an agent would, until it is taken (after SIGTERM for at most 60 s
more); --summary writes, at the end, the new ids of every batch the API
took, per company and kind ({"ID": {"v": [..], "i": [..]}}): what must
be in the database, once each."""
import argparse
import http.client
import json
import os
import random
import signal
import threading
import time
import urllib.parse

SEV = ["critical", "high", "medium", "low"]
stop = threading.Event()


class Totals:
    def __init__(self):
        self.lock = threading.Lock()
        self.items = self.batches = self.errors = 0

    def add(self, items, batches, errors):
        with self.lock:
            self.items += items
            self.batches += batches
            self.errors += errors


PREFIX = "live"


class Company:
    """What the feed has sent to one company: its next new id per kind,
    and the new ids of the batches the API took."""

    def __init__(self, tid):
        self.tid = tid
        self.next = {"v": 0, "i": 0}
        self.taken = {"v": [], "i": []}
        self.lock = threading.Lock()

    def ids(self, kind, n):
        """n distinct external ids (an id is once in a batch): about a
        quarter new, the rest drawn from those sent (all new while too few
        were); and which of them are new."""
        with self.lock:
            old = min(self.next[kind], sum(random.random() >= 0.25 for _ in range(n)))
            out = random.sample(range(self.next[kind]), old)
            new = list(range(self.next[kind], self.next[kind] + n - old))
            self.next[kind] += n - old
            return out + new, new

    def took(self, kind, new):
        with self.lock:
            self.taken[kind] += new


def vulnerabilities(c, n):
    ids, new = c.ids("v", n)
    return [{"external_id": "%s-v-%d" % (PREFIX, i), "cve": "CVE-2025-%05d" % (10000 + i % 5000),
             "severity": SEV[i % 4], "tenant_id": c.tid, "first_seen": "2026-11-01T00:00:00Z",
             **({"fixed_at": "2026-12-01T00:00:00Z"} if random.random() < 0.3 else {})} for i in ids], new


def incidents(c, n):
    items = []
    ids, new = c.ids("i", n)
    for i in ids:
        it = {"external_id": "%s-i-%d" % (PREFIX, i), "severity": SEV[i % 4], "title": "Live feed incident %d" % i,
              "indicator": "host-%d.example" % (i % 997), "indicator_kind": "domain", "tenant_id": c.tid,
              "opened_at": "2026-12-01T00:00:00Z"}
        r = random.random()
        if r < 0.3:
            it["acknowledged_at"] = "2026-12-01T00:05:00Z"
        elif r < 0.5:
            it["acknowledged_at"] = "2026-12-01T00:05:00Z"
            it["closed_at"] = "2026-12-01T01:00:00Z"
        items.append(it)
    return items, new


def sender(url, key, companies, rate, totals, retry):
    u = urllib.parse.urlparse(url)
    conn = None
    tokens, last = 0.0, time.monotonic()
    while not stop.is_set():
        c = random.choice(companies)
        n = random.randint(1, 500)
        incident = random.random() < 0.1
        while not stop.is_set():  # wait for n tokens (a burst of at most one second)
            now = time.monotonic()
            tokens = min(tokens + (now - last) * rate, max(rate, n))
            last = now
            if tokens >= n:
                break
            time.sleep(min(0.05, (n - tokens) / rate))
        if stop.is_set():
            break
        tokens -= n
        items, new = incidents(c, n) if incident else vulnerabilities(c, n)
        body = json.dumps({"items": items})
        give_up = None  # with retry: when to stop sending this batch again (set at SIGTERM)
        while True:
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
                conn.request("POST", "/api/v2/incidents" if incident else "/api/v2/vulnerabilities", body=body,
                             headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
                r = conn.getresponse()
                data = r.read()
                if r.status != 200 or json.loads(data)["rejected"]:
                    raise RuntimeError("HTTP %d: %s" % (r.status, data[:200]))
                totals.add(n, 1, 0)
                c.took("i" if incident else "v", new)
                break
            except Exception as e:  # counted; the driver reports it
                totals.add(0, 0, 1)
                print("live_feed: %s" % e, flush=True)
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.5)
                if stop.is_set() and give_up is None:
                    give_up = time.monotonic() + 60
                if not retry or (give_up is not None and time.monotonic() > give_up):
                    break
    if conn is not None:
        conn.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--tenants", required=True, help="a file of company ids, one per line")
    ap.add_argument("--rate", type=float, default=5000, help="items per second, all senders together")
    ap.add_argument("--senders", type=int, default=4)
    ap.add_argument("--status", help="file rewritten every second: items batches errors seconds")
    ap.add_argument("--prefix", default="live", help="external ids are PREFIX-v-N and PREFIX-i-N")
    ap.add_argument("--retry", action="store_true", help="send a failed batch again until it is taken")
    ap.add_argument("--summary", help="at the end: the new ids the API took, per company and kind (JSON)")
    args = ap.parse_args()
    global PREFIX
    PREFIX = args.prefix
    with open(args.tenants) as f:
        companies = [Company(int(line)) for line in f if line.strip()]
    if not companies:
        ap.error("no company in %s" % args.tenants)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    totals = Totals()
    threads = [threading.Thread(target=sender, args=(args.url, args.key, companies, args.rate / args.senders, totals,
                                                     args.retry))
               for _ in range(args.senders)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    while not stop.wait(1.0):
        if args.status:
            tmp = args.status + ".tmp"
            with open(tmp, "w") as f:
                f.write("%d %d %d %.3f\n" % (totals.items, totals.batches, totals.errors, time.monotonic() - t0))
            os.replace(tmp, args.status)
    for t in threads:
        t.join()
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump({str(c.tid): c.taken for c in companies}, f)
    took = time.monotonic() - t0
    print("live_feed: %d items in %d batches in %.1f s (%.0f items/s), %d errors" %
          (totals.items, totals.batches, took, totals.items / took if took else 0, totals.errors), flush=True)


if __name__ == "__main__":
    main()
