"""Fault tests: the stack keeps serving through database restarts, dying
workers, reloads and hostile FastCGI input. Run after the HTTP tests, on
the same stack, which each test leaves healthy."""
import os
import signal
import struct
import threading
import time

import fcgi


class Load:
    """Background clients hammering a few URLs, recording every status."""

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
            try:
                self.statuses.append((time.time(), path, c.get(path).status))
            except Exception as e:  # connection-level failure
                self.errors.append(repr(e))

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
    before = crashes_in_log(ctx)
    with Load(ctx, paths=("/healthz", "/"), signed_in=True) as load:
        time.sleep(0.5)
        ctx.stack.pg("stop")
        t_down = time.time()
        time.sleep(1.5)
        during = [s for t, p, s in load.statuses if t > t_down + 0.3]
        ctx.stack.pg("start")
        t_ok = None
        deadline = time.time() + 20
        while time.time() < deadline:
            now = time.time()
            recent = [s for t, p, s in load.statuses if t > now - 0.5]
            if recent and all(s == 200 for s in recent):
                t_ok = now
                break
            time.sleep(0.2)
        time.sleep(1.0)
    assert not load.errors, load.errors[:3]
    assert during, "no requests while the database was down"
    assert set(during) <= {503}, "while down expected only 503, got %r" % sorted(set(during))
    assert t_ok is not None, "no recovery within 20 s of the restart"
    after = [s for t, p, s in load.statuses if t > t_ok]
    assert after and set(after) <= {200}, "after restart: %r" % sorted(set(after))
    assert crashes_in_log(ctx) == before, "a worker died"
    # The page a person sees while the database is down is the 503 page.
    r = ctx.client().get("/healthz")
    assert r.status == 200


def _kill_worker_and_check(ctx, sig):
    n = len(ctx.stack.wait_workers(1))
    # Not a worker that is exiting after its last request before recycling
    # (the kill would find it gone or a zombie, and nothing is logged).
    victim = min(settled_workers(ctx, n))
    os.kill(victim, sig)
    deadline = time.time() + 10
    while time.time() < deadline and victim in ctx.stack.worker_pids():
        time.sleep(0.05)
    pids = ctx.stack.wait_workers(n, exclude=(victim,))
    assert victim not in pids
    c = ctx.client()
    for _ in range(20):
        assert c.get("/login").status == 200
    assert "killed by signal %d" % sig in ctx.stack.log("portal")


def test_worker_killed_with_sigkill_is_replaced(ctx):
    _kill_worker_and_check(ctx, signal.SIGKILL)


def test_worker_killed_with_sigsegv_is_replaced(ctx):
    _kill_worker_and_check(ctx, signal.SIGSEGV)


def test_sighup_reload_under_load_drops_no_request(ctx):
    old = set(ctx.stack.worker_pids())
    with Load(ctx, paths=("/login.json", "/healthz", "/"), threads=6, signed_in=True) as load:
        time.sleep(0.5)
        ctx.stack.signal_master(signal.SIGHUP)
        deadline = time.time() + 15
        while time.time() < deadline and set(ctx.stack.worker_pids()) & old:
            time.sleep(0.1)
        time.sleep(0.5)
    assert not load.errors, load.errors[:3]
    statuses = [s for _, _, s in load.statuses]
    assert len(statuses) > 100, len(statuses)
    assert set(statuses) <= {200, 303}, "unexpected status during reload: %r" % sorted(set(statuses))
    new = set(ctx.stack.worker_pids())
    assert new and not (new & old), "old generation still running: %r" % (new & old)
    assert "reload: starting generation" in ctx.stack.log("portal")


def test_workers_are_recycled_after_max_requests(ctx):
    # The test stack runs with PORTAL_MAX_REQUESTS=300 (see Stack.env).
    old = set(ctx.stack.worker_pids())
    c = ctx.client()
    for _ in range(300 * len(old) + 50):
        assert c.get("/healthz").status == 200
    new = set(ctx.stack.wait_workers(len(old)))
    assert new - old, "no worker was recycled"


def settled_workers(ctx, n):
    """The worker pids once the set stays the same for 0.3 s: a worker
    that has just served its last request before recycling (the test
    before this one runs them to PORTAL_MAX_REQUESTS) is gone and
    replaced, so it is not counted as killed below."""
    pids = set(ctx.stack.wait_workers(n))
    for _ in range(50):
        time.sleep(0.3)
        now = set(ctx.stack.wait_workers(n))
        if now == pids:
            return pids
        pids = now
    raise AssertionError("the workers did not settle: %r" % sorted(pids))


def test_crafted_fastcgi_record_kills_at_most_one_worker(ctx):
    sock = os.path.join(ctx.stack.var, "run", "portal.sock")
    n = len(ctx.stack.worker_pids())
    before = settled_workers(ctx, n)
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
    time.sleep(0.5)
    after = set(ctx.stack.wait_workers(n))
    assert len(before - after) <= 1, "more than one worker died: %r" % (before - after)
    c = ctx.client()
    for _ in range(20):
        assert c.get("/login").status == 200


def test_socket_is_reachable_by_its_owner_only(ctx):
    st = os.stat(os.path.join(ctx.stack.var, "run", "portal.sock"))
    assert st.st_mode & 0o777 == 0o660, oct(st.st_mode)
    run_dir = os.stat(os.path.join(ctx.stack.var, "run"))
    assert run_dir.st_mode & 0o777 == 0o700
