#!/usr/bin/env python3
"""make soak: the portal under mixed traffic for a long while, then under
faults, with proof that nothing was lost or sent twice (issue #23;
docs/operations.md, "Soak and faults").

    tests/soak/soak.py [--minutes 30] [--faults | --no-faults]
                       [--var /var/tmp/portal-soak] [--port 8291]
                       [--out tests/out/soak.md]

One stack (scripts/stack: PostgreSQL with a read replica, the portal
master and its workers, the mailer, the reporter, nginx) and a real SMTP
sink of its own, with PORTAL_MAX_REQUESTS so high that no worker retires:
a leak would show as a worker's memory growing. For --minutes:

- wrk reads the Global view, an MSP view, a company and the incident list
  as the MSSP Admin, in 15-second runs (the capacity is what it reaches);
- tests/bench/live_feed.py ingests 1,000 items/s from two senders that
  send a failed batch again (as agents do);
- an "actions" thread changes SLA targets every 2 s, asks a password reset
  for one of three demo users every 30 s (a 429, the sign-in throttle's
  answer to one address asking too often, is not a failure), and a PDF
  report every 2 min;
- a probe asks /t/ID every 100 ms and notes each answer (the error window
  of each fault is read from it);
- every 10 s the workers' memory (RSS) and open files are sampled.

Then, with --faults, under the same load, one after the other: nginx
reloaded; the replica stopped for 20 s; the SMTP sink stopped for 30 s;
a worker stuck on a table lock (PORTAL_REQUEST_TIMEOUT=20); the log disk
full for 30 s (the log folder is a 2 GB tmpfs, filled; root only); PostgreSQL
killed with SIGKILL and started again. For each: the probe's failures, the
time until it answered again, what the load saw.

At the end, after the feed has stopped: every item a batch the API took
carried is in the database once; every password-reset mail queued was
delivered once (the sink's files, by Message-ID); every report asked was
made. The report (Markdown) goes to --out and standard output; the exit
status is 0 only if every check passed."""
import argparse
import calendar
import collections
import email
import email.policy
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "lib"))
import portal  # noqa: E402

RESET_USERS = ["viewer@company.example", "viewer@msp1.example", "analyst@msp1.example"]
lock = threading.Lock()


def now():
    return time.time()


class Soak:
    def __init__(self, args):
        self.args = args
        self.var = args.var
        self.port = args.port
        self.smtp_port = portal.free_port()
        self.stack = portal.Stack(self.var, self.port, self.smtp_port, os.path.join(ROOT, "build", "bin"), {
            "REPLICA": "1", "SEED": "1", "PORTAL_MAX_REQUESTS": "100000000", "PORTAL_REQUEST_TIMEOUT": "20",
            "PORTAL_REQUEST_LOG": "1", "PORTAL_WORKERS": "", "ASAN_OPTIONS": "", "UBSAN_OPTIONS": "",
        })
        self.stop = threading.Event()
        self.probe = []      # (time, status or error name)
        self.actions = []    # (time, what, status or error name)
        self.samples = []    # (time, {pid: (rss kB, fds)})
        self.wrk_runs = []   # (start, end, phase, requests, non-2xx, socket errors, req/s, p99 ms)
        self.phase = "steady"
        self.faults = []     # dicts
        self.reports_asked = []
        self.checks = []     # (ok, what, detail)

    # ------------------------------------------------------------ the stack
    def sh(self, *argv, check=True, env=None):
        return subprocess.run(list(argv), check=check, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=env or self.stack.env())

    def start(self):
        if os.path.exists(self.var):
            self.stack.script("stop", check=False)
            self.unmount_log()
            shutil.rmtree(self.var, ignore_errors=True)
        os.makedirs(os.path.join(self.var, "log"))
        self.tmpfs = os.getuid() == 0 and self.sh("mount", "-t", "tmpfs", "-o", "size=2g", "soaklog",
                                                  os.path.join(self.var, "log"), check=False).returncode == 0
        # The stack without the test suite's DNS server (no host is verified here).
        self.stack.start_smtp()
        out = self.stack.script("start").stdout
        self.stack.wait_ready()
        self.master = self.stack.pid("portal")
        self.nw = self.stack.tenant_id("Northwind Security")
        self.bluefin = self.stack.tenant_id("Bluefin IT")
        self.company = int(self.stack.psql("SELECT min(id) FROM tenants WHERE parent_id = %d" % self.bluefin))
        return out

    def unmount_log(self):
        if os.getuid() == 0:
            self.sh("umount", os.path.join(self.var, "log"), check=False)

    def finish(self):
        self.stack.script("stop", check=False)
        self.stack.stop_smtp()
        if self.tmpfs:
            keep = os.path.join(ROOT, "tests", "out", "soak-logs")
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(os.path.join(self.var, "log"), keep, dirs_exist_ok=True)
            self.unmount_log()

    # ------------------------------------------------------------- the load
    def start_feed(self):
        key = self.stack.ctl("api-key", "--tenant", str(self.nw), "--name", "soak").stdout.strip().splitlines()[-1]
        companies = os.path.join(self.var, "companies.txt")
        with open(companies, "w") as f:
            f.write(self.stack.psql("SELECT id FROM tenants WHERE kind = 'company' AND root_id = %d" % self.nw))
        self.prefix = "soak%d" % int(now())
        self.feed_summary = os.path.join(self.var, "feed-summary.json")
        self.feed_status = os.path.join(self.var, "feed-status")
        self.feed = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tests", "bench", "live_feed.py"), "--url",
             "http://127.0.0.1:%d" % self.port, "--key", key, "--tenants", companies, "--rate",
             str(self.args.rate), "--senders", "2", "--prefix", self.prefix, "--retry", "--summary",
             self.feed_summary, "--status", self.feed_status],
            stdout=open(os.path.join(self.var, "feed.log"), "w"), stderr=subprocess.STDOUT)

    def wrk_loop(self):
        admin = portal.Client(self.port)
        admin.login("admin@northwind.example")
        cookie = "; ".join("%s=%s" % kv for kv in admin.cookies.items())
        paths = ["/t/%d" % self.nw, "/t/%d" % self.bluefin, "/t/%d" % self.company,
                 "/t/%d/incidents" % self.company]
        lua = os.path.join(self.var, "paths.lua")
        with open(lua, "w") as f:
            f.write("local paths = {%s}\nlocal i = 0\n" % ", ".join('"%s"' % p for p in paths))
            f.write("request = function()\n  i = i %% %d + 1\n  return wrk.format(\"GET\", paths[i], "
                    "{[\"Cookie\"] = \"%s\"})\nend\n" % (len(paths), cookie))
        while not self.stop.is_set():
            t0, phase = now(), self.phase
            r = self.sh("wrk", "-t1", "-c%d" % self.args.conns, "-d15s", "--latency", "-s", lua,
                        "http://127.0.0.1:%d" % self.port, check=False)
            out = r.stdout
            req = re.search(r"(\d+) requests in", out)
            non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            sockerr = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
            rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
            p99 = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out)
            p99ms = None
            if p99:
                p99ms = float(p99.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
            with lock:
                self.wrk_runs.append((t0, now(), phase, int(req.group(1)) if req else 0,
                                      int(non2xx.group(1)) if non2xx else 0,
                                      sum(int(x) for x in sockerr.groups()) if sockerr else 0,
                                      float(rps.group(1)) if rps else 0.0, p99ms))

    def probe_loop(self):
        c = portal.Client(self.port)
        c.login("admin@northwind.example")
        while not self.stop.is_set():
            try:
                s = c.get("/t/%d" % self.nw).status
            except Exception as e:
                s = type(e).__name__
            with lock:
                self.probe.append((now(), s))
            time.sleep(0.1)

    def act(self, what, fn):
        try:
            s = fn()
        except Exception as e:
            s = type(e).__name__
        with lock:
            self.actions.append((now(), what, s))
        return s

    def actions_loop(self):
        admin = portal.Client(self.port)
        admin.login("admin@northwind.example")
        anon = portal.Client(self.port)
        n = 0
        last_reset = last_report = 0
        while not self.stop.is_set():
            n += 1
            form = {"ack_critical": "30", "resolve_critical": "480", "ack_high": str(60 + n % 50),
                    "resolve_high": "2880", "ack_medium": "240", "resolve_medium": "4320", "ack_low": "1440",
                    "resolve_low": "10080"}
            self.act("sla", lambda: admin.post("/t/%d/sla/targets" % self.nw, form).status)
            if now() - last_reset >= 30:
                last_reset = now()
                who = RESET_USERS[n % len(RESET_USERS)]
                self.act("reset " + who, lambda: anon.post("/forgot", {"email": who}, csrf=False).status)
            if now() - last_report >= 120:
                last_report = now()
                s = self.act("report", lambda: admin.post("/t/%d/reports" % self.nw, {
                    "kind": "executive", "from": time.strftime("%Y-%m-01"), "to": time.strftime("%Y-%m-%d"),
                    "paper": "a4"}).status)
                if s == 303:
                    self.reports_asked.append(now())
            self.stop.wait(2)

    def sample_loop(self):
        while not self.stop.is_set():
            pids = subprocess.run(["pgrep", "-P", str(self.master)], stdout=subprocess.PIPE,
                                  text=True).stdout.split()
            snap = {}
            for pid in pids:
                try:
                    with open("/proc/%s/status" % pid) as f:
                        rss = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
                    snap[int(pid)] = (rss, len(os.listdir("/proc/%s/fd" % pid)))
                except (OSError, AttributeError):
                    pass
            with lock:
                self.samples.append((now(), snap))
            self.stop.wait(10)

    # ------------------------------------------------------------ the faults
    def probe_failures(self, start, end):
        with lock:
            return [(t, s) for t, s in self.probe if start <= t <= end and not (isinstance(s, int) and s < 400)]

    def load_failures(self, start, end):
        with lock:
            return [(t, w, s) for t, w, s in self.actions if start <= t <= end and not (
                isinstance(s, int) and (s < 400 or (s == 429 and w.startswith("reset "))))]

    def fault(self, name, inject, restore=None, hold=0, expect_errors=False):
        time.sleep(10)  # a quiet stretch between faults
        self.phase = "fault: " + name
        t0 = now()
        inject()
        t_in = now()
        if hold:
            time.sleep(hold)
        if restore:
            restore()
        t_out = now()
        # Recovered: the probe answers 2xx for 3 s in a row (at most 120 s).
        deadline = t_out + 120
        while now() < deadline:
            time.sleep(0.5)
            with lock:
                recent = [s for t, s in self.probe if t > now() - 3]
            if recent and all(isinstance(s, int) and s < 400 for s in recent):
                break
        fails = self.probe_failures(t0, now())
        f = {"name": name, "start": t0, "injected": t_in - t0, "held": hold, "restored": t_out,
             "probe_failures": len(fails), "probe_statuses": collections.Counter(str(s) for _, s in fails),
             "first_failure": (fails[0][0] - t0) if fails else None,
             "outage": (fails[-1][0] - fails[0][0] + 0.1) if fails else 0.0,
             "answering_after": (fails[-1][0] - t0 + 0.1) if fails else 0.0,
             "action_failures": self.load_failures(t0, now()), "end": now(), "expect_errors": expect_errors}
        self.faults.append(f)
        self.phase = "steady"
        return f

    def faults_phase(self):
        run = os.path.join(self.var, "run")
        env = self.stack.env()

        self.fault("nginx -s reload", lambda: self.stack.nginx("-s", "reload"))
        self.fault("read replica stopped (20 s)", lambda: self.stack.script("replica-stop"),
                   lambda: self.stack.script("replica-start"), hold=20)
        self.mail_fault_start = now()
        self.fault("SMTP sink down (30 s)", self.stack.stop_smtp, self.stack.start_smtp, hold=30)
        holder = {}

        def lock_sla():
            holder["p"] = subprocess.Popen(self.stack.psql_command(None), stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
            holder["p"].stdin.write("BEGIN;\nLOCK TABLE sla_targets IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n")
            holder["p"].stdin.flush()
            holder["p"].stdout.readline()

        def unlock_sla():
            holder["p"].stdin.close()
            holder["p"].wait(10)
        killed_before = self.stack.log("portal").count("PORTAL_REQUEST_TIMEOUT")
        f = self.fault("a worker stuck on a table lock (30 s; PORTAL_REQUEST_TIMEOUT=20)", lock_sla, unlock_sla,
                       hold=30, expect_errors=True)
        f["workers_killed"] = self.stack.log("portal").count("PORTAL_REQUEST_TIMEOUT") - killed_before
        if self.tmpfs:
            filler = os.path.join(self.var, "log", "filler")

            def fill():
                self.sh("sh", "-c", "dd if=/dev/zero of='%s' bs=1M 2>/dev/null; true" % filler, check=False)

            f = self.fault("log disk full (30 s)", fill, lambda: os.remove(filler), hold=30)
        pm = os.path.join(self.var, "pg", "postmaster.pid")
        pg = {}  # where the outage after the kill goes (pg_recovery())

        def kill_pg():
            # The WAL crash recovery will replay: written since the last
            # checkpoint's redo point.
            try:
                pg["wal"] = int(self.stack.psql("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), redo_lsn)::bigint"
                                                " FROM pg_control_checkpoint()", user="postgres"))
            except (RuntimeError, ValueError):
                pg["wal"] = None
            pg["log_from"] = len(self.stack.log("postgresql"))
            with open(pm) as fh:
                pid = int(fh.readline())
            os.kill(pid, signal.SIGKILL)
            pg["killed"] = now()
            time.sleep(1)

        def start_pg():
            # What an init system would do: start it again. Its children
            # outlive a SIGKILL'd postmaster for a moment; pg_ctl waits.
            for attempt in range(1, 51):
                r = self.stack.script("pg-start", check=False)
                if r.returncode == 0:
                    pg["attempts"] = attempt
                    return
                time.sleep(0.2)
            raise RuntimeError("PostgreSQL did not start again: " + r.stdout)
        f = self.fault("PostgreSQL killed with SIGKILL, started again", kill_pg, start_pg, expect_errors=True)
        f["recovery"] = self.pg_recovery(pg, f)
        del run

    def pg_recovery(self, pg, f):
        """Where PostgreSQL's outage went, from its log after the kill: a
        line for the report (None if the log does not say)."""
        text = self.stack.log("postgresql")[pg.get("log_from", 0):]

        def at(pattern):
            """Seconds after the kill of the first log line matching pattern."""
            m = re.search(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.(\d{3}) UTC .*" + pattern, text, re.M)
            if not m or "killed" not in pg:
                return None
            return calendar.timegm(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")) + int(m.group(2)) / 1000.0 \
                - pg["killed"]
        redo = re.search(r"redo done at .* elapsed: ([\d.]+) s", text)
        ckpt = re.search(r"redo done at [\s\S]*?checkpoint complete: .* total=([\d.]+) s", text)
        began, ready = at("database system was interrupted"), at("database system is ready to accept connections")
        if began is None or ready is None:
            return None
        return ("%s of WAL since the last checkpoint; recovery began at +%.1f s (pg-start's attempt %d: the ones"
                " before found the old server's processes still there), replayed the WAL in %s, its end-of-recovery"
                " checkpoint took %s; connections accepted at +%.1f s; the probe's last failure at +%.1f s" % (
                    "%.0f MB" % (pg["wal"] / 1e6) if pg.get("wal") is not None else "? MB", began,
                    pg.get("attempts", 0),
                    "%s s" % redo.group(1) if redo else "?", "%s s" % ckpt.group(1) if ckpt else "?", ready,
                    f["start"] + f["answering_after"] - 0.1 - pg["killed"]))

    # ---------------------------------------------------------------- checks
    def check(self, ok, what, detail=""):
        self.checks.append((bool(ok), what, detail))

    def verify(self):
        # Ingest: every item of every batch the API took, in the database once.
        want, have = self.stack.feed_stored(self.prefix, self.feed_summary)
        missing = [w for w in want if have[w] == 0]
        twice = [h for h, n in have.items() if n > 1]
        self.ingested = (len(want), sum(have.values()))
        self.check(not missing, "ingest: every item of a batch the API took is stored (%d items)" % len(want),
                   "missing: %r" % missing[:10])
        self.check(not twice, "ingest: no item stored twice", "twice: %r" % twice[:10])
        # The rollups agree with the rows (the dashboards read them).
        drift = self.stack.rollups_differ()
        self.check(drift == 0, "rollups: every tenant's open vulnerabilities equal COUNT(*) of the rows",
                   "%s tenants differ" % drift)
        # Mail: every reset mail queued during the soak was delivered once.
        portal.wait_for("the outbox to drain", lambda: self.stack.psql(
            "SELECT count(*) FROM mail_outbox WHERE status = 'queued' AND to_addr IN (%s)"
            % ", ".join("'%s'" % u for u in RESET_USERS)) == "0", timeout=120)
        queued = int(self.stack.psql(
            "SELECT count(*) FROM mail_outbox WHERE to_addr IN (%s) AND created_at >= to_timestamp(%f)"
            % (", ".join("'%s'" % u for u in RESET_USERS), self.t_start)))
        sent = int(self.stack.psql(
            "SELECT count(*) FROM mail_outbox WHERE status = 'sent' AND to_addr IN (%s) AND created_at >= "
            "to_timestamp(%f)" % (", ".join("'%s'" % u for u in RESET_USERS), self.t_start)))
        ids = collections.Counter()
        for p in glob.glob(os.path.join(self.stack.mail_dir, "*.eml")):
            with open(p, "rb") as fh:
                m = email.message_from_bytes(fh.read(), policy=email.policy.default)
            if str(m["To"]) in RESET_USERS:
                ids[str(m["Message-ID"])] += 1
        self.mail = (queued, sent, sum(ids.values()))
        self.check(queued > 0 and queued == sent == sum(ids.values()),
                   "mail: every reset mail queued was sent and caught once (%d queued, %d sent, %d caught)"
                   % self.mail)
        self.check(all(n == 1 for n in ids.values()), "mail: no message caught twice",
                   repr([k for k, n in ids.items() if n > 1][:5]))
        # Reports: every one asked was made.
        portal.wait_for("the reports asked to be made", lambda: self.stack.psql(
            "SELECT count(*) FROM report_jobs WHERE state IN ('queued', 'running') AND created_at >= to_timestamp(%f)"
            % self.t_start) == "0", timeout=300)
        made = self.stack.psql("SELECT state, count(*) FROM report_jobs WHERE created_at >= to_timestamp(%f)"
                               " AND schedule_id IS NULL GROUP BY state" % self.t_start)
        self.reports = made
        self.check(made == "done|%d" % len(self.reports_asked),
                   "reports: every PDF asked was made (%d asked)" % len(self.reports_asked), made)

    def steady_checks(self):
        end = self.t_steady_end
        runs = [r for r in self.wrk_runs if r[1] <= end + 1 and r[2] == "steady"]
        self.check(runs and all(r[4] == 0 and r[5] == 0 for r in runs),
                   "steady: no non-2xx answer and no socket error in %d wrk runs of 15 s" % len(runs),
                   repr([r for r in runs if r[4] or r[5]]))
        steady_fail = self.probe_failures(self.t_start, end) + [
            (t, s) for t, w, s in self.load_failures(self.t_start, end)]
        self.check(not steady_fail, "steady: the probe and the actions saw no failure", repr(steady_fail[:10]))
        # Memory and open files: from the sample after warm-up (a tenth of
        # the steady time, at least 2 min) to the last steady one, per
        # worker alive in both, within 5%.
        warm = self.t_start + max(120, (end - self.t_start) / 10)
        first = next((s for t, s in self.samples if t >= warm), {})
        last = [s for t, s in self.samples if t <= end][-1]
        growth = {pid: (first[pid], last[pid]) for pid in first if pid in last}
        self.memory = growth
        worst = max((b[0] / a[0] - 1 for a, b in growth.values()), default=None)
        self.check(growth and worst is not None and worst <= 0.05,
                   "steady: every worker's RSS within 5%% from warm-up to the end (largest growth %+.1f%%)"
                   % (100 * (worst or 0)), repr(growth))
        # Open files: a worker holds one more while it answers a request
        # (nginx's connection), so a sample at either end may have it or
        # not; a leak would add one a request, thousands by the end.
        self.check(growth and all(b[1] <= a[1] + 1 for a, b in growth.values()),
                   "steady: no worker's open files grew (but for a request's connection)", repr(growth))
        self.check(len(growth) == len(first), "steady: no worker died or was replaced",
                   "%d of %d" % (len(growth), len(first)))

    # ---------------------------------------------------------------- report
    def report(self):
        out = []
        w = out.append
        steady = [r for r in self.wrk_runs if r[2] == "steady" and r[1] <= self.t_steady_end + 1]
        w("# Soak: %d minutes steady%s (%s)" % (self.args.minutes, " and faults" if self.args.faults else "",
                                              time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(self.t_start))))
        w("")
        w("Stack: %s; wrk -t1 -c%d over 4 pages as the MSSP Admin in 15-second runs; live_feed %d items/s "
          "from 2 senders (retrying); actions: SLA targets every 2 s, a password reset every 30 s, a PDF "
          "report every 2 min; a probe every 100 ms." % ("PostgreSQL + read replica, 1 master", self.args.conns,
                                                       self.args.rate))
        w("")
        if steady:
            reqs = sum(r[3] for r in steady)
            w("Steady: %d wrk runs of 15 s, %d requests, %.0f-%.0f req/s per run, p99 %.1f-%.1f ms, non-2xx %d, "
              "socket errors %d." % (len(steady), reqs, min(r[6] for r in steady), max(r[6] for r in steady),
                                     min(r[7] or 0 for r in steady), max(r[7] or 0 for r in steady),
                                     sum(r[4] for r in steady), sum(r[5] for r in steady)))
        try:
            with open(self.feed_status) as f:
                items, batches, errors, secs = f.read().split()
            w("Feed: %s items in %s batches over %.0f s (%.0f items/s), %s failed attempts (sent again)."
              % (items, batches, float(secs), int(items) / float(secs), errors))
        except (OSError, ValueError):
            pass
        if getattr(self, "memory", None):
            w("")
            w("| worker | RSS after warm-up | RSS at the end | open files |")
            w("|---|---|---|---|")
            for pid, (a, b) in sorted(self.memory.items()):
                w("| %d | %d kB | %d kB (%+.1f%%) | %d -> %d |" % (pid, a[0], b[0], 100.0 * (b[0] / a[0] - 1),
                                                               a[1], b[1]))
        if self.faults:
            w("")
            w("| fault | held | probe (every 100 ms): failures | errors for | answering again after the fault began |"
              " actions failed | wrk runs begun in it: non-2xx / socket errors |")
            w("|---|---|---|---|---|---|---|")
            for f in self.faults:
                runs = [r for r in self.wrk_runs if r[2] == "fault: " + f["name"]]
                w("| %s | %s | %d %s | %.1f s | %s | %s | %s |" % (
                    f["name"], ("%d s" % f["held"]) if f["held"] else "-", f["probe_failures"],
                    dict(f["probe_statuses"]) if f["probe_statuses"] else "", f["outage"],
                    ("%.1f s" % f["answering_after"]) if f["probe_failures"] else "never stopped",
                    ", ".join("%s %s" % (x[1], x[2]) for x in f["action_failures"]) or "none",
                    ", ".join("%d / %d" % (r[4], r[5]) for r in runs) or "-"))
            for f in self.faults:
                if f.get("recovery"):
                    w("")
                    w("%s: %s." % (f["name"], f["recovery"]))
            w("")
            w("wrk runs during the faults (start, phase at start, non-2xx, socket errors): " + "; ".join(
                "%s %s %d/%d" % (time.strftime("%H:%M:%S", time.gmtime(r[0])), r[2], r[4], r[5])
                for r in self.wrk_runs if r[0] >= self.t_steady_end - 60))
        w("")
        w("Ingest: %d items taken by the API, %d rows stored with the soak's prefix." % self.ingested
          if getattr(self, "ingested", None) else "")
        if getattr(self, "mail", None):
            w("Mail: %d reset mails queued, %d sent, %d caught by the sink." % self.mail)
        w("Reports: %s (asked %d)." % (getattr(self, "reports", "?"), len(self.reports_asked)))
        w("")
        for ok, what, detail in self.checks:
            w("- %s %s%s" % ("PASS" if ok else "FAIL", what, "" if ok or not detail else ": " + detail[:400]))
        w("")
        w("%d passed, %d failed" % (sum(ok for ok, _, _ in self.checks), sum(not ok for ok, _, _ in self.checks)))
        return "\n".join(out) + "\n"

    # ------------------------------------------------------------------- run
    def run(self):
        print("soak: starting the stack in %s" % self.var, flush=True)
        self.tmpfs = False
        threads = []
        try:
            self.start()
            self.t_start = now()
            self.t_steady_end = None
            self.start_feed()
            for fn in (self.wrk_loop, self.probe_loop, self.actions_loop, self.sample_loop):
                t = threading.Thread(target=fn, daemon=True)
                t.start()
                threads.append(t)
            print("soak: %d minutes of steady load" % self.args.minutes, flush=True)
            time.sleep(self.args.minutes * 60)
            self.t_steady_end = now()
            if self.args.faults:
                print("soak: faults", flush=True)
                self.faults_phase()
                time.sleep(10)
            self.stop.set()
            self.feed.send_signal(signal.SIGTERM)
            self.feed.wait(180)
            for t in threads:
                t.join(90)
            self.steady_checks()
            self.verify()
        finally:
            self.stop.set()
            if self.feed and self.feed.poll() is None:
                self.feed.kill()
            text = self.report() if getattr(self, "t_start", None) and self.t_steady_end else "soak: did not run\n"
            os.makedirs(os.path.dirname(self.args.out), exist_ok=True)
            with open(self.args.out, "w") as f:
                f.write(text)
            print(text, flush=True)
            self.finish()
        return all(ok for ok, _, _ in self.checks)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--faults", dest="faults", action="store_true", default=True)
    ap.add_argument("--no-faults", dest="faults", action="store_false")
    ap.add_argument("--var", default="/var/tmp/portal-soak")
    ap.add_argument("--port", type=int, default=8291)
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--conns", type=int, default=16)
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "out", "soak.md"))
    args = ap.parse_args()
    s = Soak(args)
    s.feed = None
    return 0 if s.run() else 1


if __name__ == "__main__":
    sys.exit(main())
