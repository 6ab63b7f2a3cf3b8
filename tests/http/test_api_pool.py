"""The API's own workers (PORTAL_API_SOCKET, PORTAL_API_WORKERS;
docs/operations.md): nginx sends /api/ to them, so ingest batches queue
for the API's workers and the pages keep theirs, however many batches
wait."""
import json
import os
import re
import subprocess
import threading

import portal


def test_pages_answer_while_every_api_worker_waits_on_a_batch(ctx):
    n = int(re.findall(r"with (\d+) workers for the API", ctx.stack.log())[-1])
    bf = ctx.stack.tenant_id("Bluefin IT")
    co = int(ctx.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d AND status = 'active'" % bf))
    key = portal.create_key(ctx, ctx.login("owner@msp1.example"), bf, "pool-probe")["key"]
    admin = ctx.login("admin@northwind.example")
    nw = ctx.stack.tenant_id("Northwind Security")
    # A transaction holds the company's rollup row: every batch for it
    # waits in its worker until the transaction ends.
    cmd = ["psql", "-X", "-q", "-h", os.path.join(ctx.stack.var, "run"), "-U", "portal_owner", "-d", "portal",
           "-v", "ON_ERROR_STOP=1"]
    if os.getuid() == 0:
        cmd = ["setpriv", "--reuid=mssp-portal", "--regid=%s" % portal._gid("mssp-portal"), "--init-groups", "--"] + cmd
    holder = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=ctx.stack.env())
    answers, threads = [], []
    try:
        holder.stdin.write("BEGIN; SELECT 1 FROM tenant_stats WHERE tenant_id = %d FOR UPDATE;\n" % co)
        holder.stdin.flush()
        portal.wait_for("the row lock", lambda: ctx.stack.psql(
            "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE c.relname = 'tenant_stats' AND l.mode = 'RowShareLock' AND l.granted") != "0")

        def batch(i):
            r = ctx.client().request("POST", "/api/v2/vulnerabilities", timeout=60, body=json.dumps({"items": [
                {"external_id": "pool-%d-%d" % (os.getpid(), i), "cve": "CVE-2024-3400", "severity": "low",
                 "tenant_id": co}]}), headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
            answers.append((r.status, r.json().get("accepted") if r.status == 200 else r.text[:200]))

        # More batches than the API has workers: all of them busy, the rest queued.
        for i in range(n + 2):
            threads.append(threading.Thread(target=batch, args=(i,)))
            threads[-1].start()
        portal.wait_for("%d workers waiting on the lock" % n, lambda: int(ctx.stack.psql(
            "SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")) >= n)
        # The pages are served by their own workers meanwhile: every one of
        # them (more requests than the pages have workers) answers.
        for _ in range(12):
            r = admin.get_json("/t/%d" % nw)
            assert r.status == 200, r
        assert answers == [], "a batch finished while its row was held: %r" % answers
    finally:
        holder.stdin.write("COMMIT;\n")
        holder.stdin.close()
        holder.wait(timeout=30)
        for t in threads:
            t.join(timeout=60)
    assert sorted(answers) == [(200, 1)] * (n + 2), answers
