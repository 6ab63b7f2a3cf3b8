"""Fault tests: the stack keeps serving through database restarts, dying
workers, reloads and hostile FastCGI input. Run after the HTTP tests, on
the same stack, which each test leaves healthy."""
import calendar
import collections
import os
import re
import signal
import struct
import subprocess
import threading
import time

import fcgi
import portal


class Load:
    """Background clients hammering a few URLs, recording every request as
    (sent, answered, path, status), both times from time.time()."""

    def __init__(self, ctx, paths=("/healthz", "/login.json"), threads=4, signed_in=False):
        self.ctx = ctx
        self.paths = paths
        self.statuses = []
        self.errors = []
        self.stop_flag = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(threads)]
        # Sign in before the load starts, while the database is up.
        self.clients = [ctx.login("admin@northwind.example") if signed_in else ctx.client()
                        for _ in range(threads)]

    def run(self, i):
        c = self.clients[i]
        n = 0
        while not self.stop_flag.is_set():
            path = self.paths[n % len(self.paths)]
            n += 1
            t0 = time.time()
            try:
                status = c.get(path).status
                self.statuses.append((t0, time.time(), path, status))
            except Exception as e:  # connection-level failure
                self.errors.append(repr(e))

    def between(self, start, end=None):
        """The statuses of the requests sent after start and answered
        before end (None: whenever)."""
        return [s for t0, t1, p, s in list(self.statuses) if t0 > start and (end is None or t1 < end)]

    def wait_answered(self, what, start, n, timeout=30):
        """Wait until n requests sent after start have been answered."""
        return portal.wait_for("%d %s" % (n, what), lambda: len(self.between(start)) >= n or None, timeout)

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *a):
        self.stop_flag.set()
        for t in self.threads:
            t.join(30)


def crashes_in_log(ctx):
    return [l for l in ctx.stack.log("portal").splitlines() if "killed by signal" in l or "exited with status" in l]


def test_database_down_gives_503_then_recovers_without_worker_deaths(ctx):
    # Workers may retire (PORTAL_MAX_REQUESTS) under this load; none may die.
    # Requests are judged by when they were sent and answered, not by when
    # the test looks: one in flight across a stop or a start may go either way.
    before = crashes_in_log(ctx)
    with Load(ctx, paths=("/healthz", "/"), signed_in=True) as load:
        load.wait_answered("requests answered before the stop", 0, 8)
        ctx.stack.pg("stop")
        t_down = time.time()   # pg_ctl -w: the database is gone
        try:
            # While it is down, every request is answered with the 503 page.
            load.wait_answered("requests answered while the database is down", t_down, 12)
        finally:
            t_start = time.time()
            ctx.stack.pg("start")
        t_up = time.time()     # pg_ctl -w: it accepts connections again
        during = load.between(t_down, t_start)
        # Each worker answers a request that finds its connection gone with
        # a 503 and reconnects on a later one (docs/operations.md): wait
        # for a run of 200s, three answers per client, all sent after the
        # restart; from the first request of that run on, only 200s.

        def recovered():
            done = sorted((t0, s) for t0, t1, p, s in list(load.statuses) if t0 > t_up)
            run = []
            for t0, s in done:
                run = run + [t0] if s == 200 else []
            return run[0] if len(run) >= 12 else None
        t_ok = portal.wait_for("a run of 12 requests answered 200 after the restart", recovered, 30)
        load.wait_answered("requests answered after the recovery", t_ok, 30)
    assert not load.errors, load.errors[:3]
    assert during, "no requests while the database was down"
    assert set(during) <= {503}, "while down expected only 503, got %r" % sorted(set(during))
    after = load.between(t_ok)
    assert after and set(after) <= {200}, "after restart: %r" % sorted(set(after))
    assert crashes_in_log(ctx) == before, "a worker died"
    # The stack answers as before.
    r = ctx.client().get("/healthz")
    assert r.status == 200


def _kill_worker_and_check(ctx, sig):
    # Not a worker that is exiting after its last request before recycling
    # (the kill would find it gone or a zombie, and nothing is logged).
    victim = min(lasting_workers(ctx))
    os.kill(victim, sig)
    portal.wait_for("worker %d to be reaped" % victim, lambda: victim not in ctx.stack.worker_pids(), 10)
    pids = ctx.stack.wait_workers(workers(ctx), exclude=(victim,))
    assert victim not in pids
    c = ctx.client()
    for _ in range(20):
        assert c.get("/login").status == 200
    assert "worker %d killed by signal %d" % (victim, sig) in ctx.stack.log("portal")


def test_worker_killed_with_sigkill_is_replaced(ctx):
    _kill_worker_and_check(ctx, signal.SIGKILL)


def test_worker_killed_with_sigsegv_is_replaced(ctx):
    _kill_worker_and_check(ctx, signal.SIGSEGV)


def test_sighup_reload_under_load_drops_no_request(ctx):
    old = set(ctx.stack.worker_pids())
    with Load(ctx, paths=("/login.json", "/healthz", "/"), threads=6, signed_in=True) as load:
        load.wait_answered("requests answered before the reload", 0, 20)
        ctx.stack.signal_master(signal.SIGHUP)
        # The old generation finishes its requests and exits (at most
        # PORTAL_DRAIN_SECONDS, 10 s), the new one serves on.
        portal.wait_for("the old generation of workers to exit",
                        lambda: not (set(ctx.stack.worker_pids()) & old), 30)
        t_new = time.time()
        # However slow the machine, the load runs on until it has sent more
        # than 100 requests across the reload, 20 of them to the new workers.
        load.wait_answered("requests answered after the old generation left", t_new, 20, 60)
        load.wait_answered("requests answered in all", 0, 101, 60)
    assert not load.errors, load.errors[:3]
    statuses = [s for _, _, _, s in load.statuses]
    assert len(statuses) > 100, len(statuses)
    assert set(statuses) <= {200, 303}, "unexpected status during reload: %r" % sorted(set(statuses))
    new = set(ctx.stack.worker_pids())
    assert new and not (new & old), "old generation still running: %r" % (new & old)
    assert "reload: starting generation" in ctx.stack.log("portal")


def test_a_worker_stuck_on_one_request_is_killed_and_replaced(ctx):
    # The test stack runs with PORTAL_REQUEST_TIMEOUT=15 (Stack.env). A
    # page that waits on a lock held elsewhere (here: psql holding the SLA
    # targets' table; the database's own statement timeout, 30 s, is
    # later) holds its worker; the master kills it after 15 s and starts
    # another, and the other workers serve on meanwhile.
    nw = ctx.stack.tenant_id("Northwind Security")
    admin = ctx.login("admin@northwind.example")
    before = set(lasting_workers(ctx))
    with ctx.stack.table_locked("sla_targets"):
        answer = {}
        t = threading.Thread(target=lambda: answer.setdefault("r", admin.get("/t/%d/sla?days=5" % nw)))
        t0 = time.time()
        t.start()
        killed = portal.wait_for("the master to kill the stuck worker", lambda: re.search(
            r"worker (\d+) on one request for (\d+) s \(PORTAL_REQUEST_TIMEOUT 15\): killed", ctx.stack.log("portal")),
            timeout=40)
        for _ in range(5):  # the others answer while it is stuck
            assert ctx.client().get("/login").status == 200
        t.join(30)
        # nginx: the worker died on it (502), shown as its neutral page.
        assert answer["r"].status == 503 and "Temporarily unavailable" in answer["r"].text, answer["r"]
        assert time.time() - t0 >= 15
        victim = int(killed.group(1))
        assert victim in before and int(killed.group(2)) >= 15
        portal.wait_for("worker %d to be reaped" % victim, lambda: victim not in ctx.stack.worker_pids(), 10)
        ctx.stack.wait_workers(workers(ctx), exclude=(victim,))
        assert "worker %d killed by signal 9" % victim in ctx.stack.log("portal")
    assert admin.get("/t/%d/sla?days=5" % nw).status == 200


def gone(pid):
    """Has the process exited (a zombie counts: nobody may reap an orphan
    at once)?"""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_a_killed_masters_workers_end_their_requests_and_exit(ctx):
    # A master killed (SIGKILL, the OOM killer) leaves no worker serving
    # on with nobody to reload, replace or stop it: the kernel gives each
    # one SIGTERM (PR_SET_PDEATHSIG), and it ends the request it holds,
    # then exits, as on a stop. Before, they lived on as orphans.
    nw = ctx.stack.tenant_id("Northwind Security")
    admin = ctx.login("admin@northwind.example")
    with portal.second_master(ctx.stack, "orphans", PORTAL_WORKERS="2") as (client, _, master):
        client.cookies = admin.cookies
        assert client.get("/t/%d" % nw).status == 200
        pids = portal.wait_for("the second master's 2 workers",
                               lambda: len(c := portal.children(master.pid)) == 2 and c)
        with ctx.stack.table_locked("sla_targets"):
            answer = {}
            t = threading.Thread(target=lambda: answer.setdefault("r", client.get("/t/%d/sla?days=5" % nw)))
            t.start()
            portal.wait_for("the request to wait on the lock", lambda: ctx.stack.psql(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
                " WHERE c.relname = 'sla_targets' AND NOT l.granted", user="postgres") == "1")
            os.kill(master.pid, signal.SIGKILL)
            master.wait(10)
            # the idle worker at once; the busy one is still on its request
            portal.wait_for("the idle worker to exit", lambda: len([p for p in pids if gone(p)]) == 1)
            assert t.is_alive()
        t.join(30)
        assert answer["r"].status == 200, answer["r"]  # the request it held, answered whole
        portal.wait_for("the busy worker to exit after its request", lambda: all(gone(p) for p in pids))
        try:  # nobody listens on the master's socket now
            client.get("/healthz")
            raise AssertionError("a dead master's socket answered")
        except (ConnectionRefusedError, FileNotFoundError):
            pass


def test_workers_are_recycled_after_max_requests(ctx):
    # The test stack runs with PORTAL_MAX_REQUESTS=300 (see Stack.env).
    old = set(ctx.stack.worker_pids())
    c = ctx.client()
    for _ in range(300 * len(old) + 50):
        assert c.get("/healthz").status == 200
    new = set(ctx.stack.wait_workers(len(old)))
    assert new - old, "no worker was recycled"


def workers(ctx):
    """PORTAL_WORKERS of the test stack (see Stack.env)."""
    return int(ctx.stack.env()["PORTAL_WORKERS"])


PF_EXITING = 0x4  # task flag (/proc/PID/stat field 9): the process is in exit


def live_workers(ctx):
    """The master's children, if none of them is exiting or exited and not
    yet reaped by the master (else None)."""
    live = set()
    for pid in ctx.stack.worker_pids():
        try:
            with open("/proc/%d/stat" % pid) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:  # reaped meanwhile
            return None
        if fields[0] in ("Z", "X") or int(fields[6]) & PF_EXITING:
            return None
        live.add(pid)
    return live


def started(pid):
    """When process pid started, as a Unix time (to about 10 ms)."""
    with open("/proc/%d/stat" % pid) as f:
        ticks = int(f.read().rsplit(")", 1)[1].split()[19])
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")


def requests_served(ctx, pids):
    """How many requests each of pids has logged since it started (the
    request log: one line per request, written before its answer is
    finished). Pids wrap around on a busy machine (pid_max may be 32768):
    the lines of an earlier process with the same pid, a whole pid cycle
    ago, are left out by the time."""
    since = {}
    for pid in pids:
        try:
            since[pid] = started(pid) - 1.0
        except (OSError, IndexError, ValueError):
            since[pid] = float("inf")  # gone: counts as nothing served
    served = collections.Counter()
    for m in re.finditer(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})Z portal\[(\d+)\] info: "
                         r"(?:GET|POST|HEAD|PUT|PATCH|DELETE|OPTIONS) ", ctx.stack.log("portal"), re.M):
        pid = int(m.group(3))
        if pid in since:
            at = calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")) + int(m.group(2)) / 1000.0
            if at >= since[pid]:
                served[pid] += 1
    return served


def lasting_workers(ctx):
    """The workers, once none of them is about to exit on its own: each has
    served fewer than PORTAL_MAX_REQUESTS requests, so, with no request
    under way (the tests run one at a time), none retires before it is
    sent another. A worker that has just served its last one (the recycling
    test runs them to the limit) is waited out, and its replacement in."""
    limit = int(ctx.stack.env()["PORTAL_MAX_REQUESTS"])

    def lasting():
        live = live_workers(ctx)
        served = requests_served(ctx, live or ())
        if not live or len(live) < workers(ctx) or any(served[p] >= limit for p in live):
            return None
        return live if live_workers(ctx) == live else None
    return portal.wait_for("%d workers none of which is about to retire" % workers(ctx), lasting, 20)


def test_crafted_fastcgi_record_kills_at_most_one_worker(ctx):
    sock = os.path.join(ctx.stack.var, "run", "portal.sock")
    n = workers(ctx)
    before = lasting_workers(ctx)
    s = fcgi.connect(sock, timeout=5)
    try:
        s.sendall(fcgi.record(fcgi.BEGIN, struct.pack(">HB5x", 1, 0)))
        # Name and value lengths near 2 GiB in a 16-byte record.
        evil = struct.pack(">II", 0xFFFFFFF0, 0xFFFFFFF0) + b"AAAAAAAA"
        s.sendall(fcgi.record(fcgi.PARAMS, evil))
        fcgi.read_all(s)
    except OSError:
        pass
    finally:
        s.close()
    # The connection is closed: the worker that read the record is done
    # with it, alive or dead. Wait until the master has reaped any worker
    # that died and there are n live workers again.
    after = portal.wait_for("%d live workers and no unreaped one" % n,
                            lambda: (lambda live: live if live and len(live) >= n else None)(live_workers(ctx)), 15)
    assert len(before - after) <= 1, "more than one worker died: %r" % (before - after)
    c = ctx.client()
    for _ in range(20):
        assert c.get("/login").status == 200


def test_socket_is_reachable_by_its_owner_only(ctx):
    st = os.stat(os.path.join(ctx.stack.var, "run", "portal.sock"))
    assert st.st_mode & 0o777 == 0o660, oct(st.st_mode)
    run_dir = os.stat(os.path.join(ctx.stack.var, "run"))
    assert run_dir.st_mode & 0o777 == 0o700
