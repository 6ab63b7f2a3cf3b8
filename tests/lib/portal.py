"""Test helpers: the running stack, an HTTP client with cookies, the SMTP
sink's mailbox. Used by tests/http/*.py through the `ctx` argument every
test function receives."""
import collections
import contextlib
import email
import email.policy
import glob
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import time
import urllib.parse
import uuid
import zlib

import fcgi

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEMO_PASSWORD = "portal-demo-2026"


def unmask_csrf(masked):
    """The session's CSRF token behind a page's masked one (a random pad,
    then the token XOR the pad, both hex: cgi/token.c tok_mask_hex), or
    None when it is not of that form. Pages never show the token itself."""
    if not masked or len(masked) % 4 or not re.fullmatch("[0-9a-f]+", masked):
        return None
    n = len(masked) // 2
    pad, x = bytes.fromhex(masked[:n]), bytes.fromhex(masked[n:])
    return bytes(a ^ b for a, b in zip(pad, x)).hex()


def png(w, h, color=(200, 30, 30)):
    """A w x h PNG of one colour (an upload: a logo)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    row = b"\x00" + bytes(color) * w
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(row * h)) + chunk(b"IEND", b""))


def multipart(fields, files=None):
    """A multipart/form-data body of fields and files {name: (file name,
    type, bytes)}, and its Content-Type."""
    boundary = "----portal" + uuid.uuid4().hex
    out = []
    for k, v in fields.items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (boundary, k)).encode() +
                   v.encode() + b"\r\n")
    for k, (fname, ctype, data) in (files or {}).items():
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                    "Content-Type: %s\r\n\r\n" % (boundary, k, fname, ctype)).encode() + data + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=%s" % boundary


def _ephemeral_low():
    """The first port the kernel hands out for outgoing connections."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def _bindable(port, kind):
    s = socket.socket(socket.AF_INET, kind)
    try:
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_ports(count=1, udp=False):
    """The first of count free loopback TCP ports in a row (and free for UDP
    too when udp). They are taken below the kernel's ephemeral range, so no
    outgoing connection is given one of them while its server is down: a
    server the tests stop and start again (a portal master, the SMTP sink)
    binds its port again, which a connection from an ephemeral port left on
    it would refuse (EADDRINUSE)."""
    high = _ephemeral_low() - count
    rng = random.Random(os.getpid() ^ time.monotonic_ns())
    for _ in range(1000):
        first = rng.randrange(max(1024, high - 20000), high)
        if all(_bindable(p, socket.SOCK_STREAM) and (not udp or _bindable(p, socket.SOCK_DGRAM))
               for p in range(first, first + count)):
            return first
    raise AssertionError("no %d free ports in a row below %d" % (count, high))


def free_port():
    return free_ports()


def children(pid):
    """The pids of process pid's children (a master's workers), sorted."""
    out = subprocess.run(["pgrep", "-P", str(pid)], stdout=subprocess.PIPE, text=True).stdout
    return sorted(int(x) for x in out.split())


def db_backends(pids, server_socket):
    """The PostgreSQL backends serving the connections of processes pids
    to the server listening on unix socket server_socket (a path), sorted:
    the two ends of each connection as ss(8) shows them, the server's end
    on server_socket and the client's naming it as its peer."""
    out = subprocess.run(["ss", "-xpnH"], stdout=subprocess.PIPE, text=True, check=True).stdout
    backend_of, wanted = {}, set()
    for line in out.splitlines():
        f = line.split()
        if len(f) < 9 or f[0] != "u_str":
            continue
        owners = [int(p) for p in re.findall(r"pid=(\d+)", line)]
        if f[4] == server_socket:
            backend_of[f[5]] = owners
        elif set(owners) & set(pids):
            wanted.add(f[7])
    return sorted({b for inode in wanted for b in backend_of.get(inode, [])})


def wait_for(what, fn, timeout=10):
    """fn()'s first truthy result, asked every 50 ms for at most timeout
    seconds; else an AssertionError naming what was awaited and what fn
    last returned. The one way a test waits for a documented condition
    (a mail sent, a change made from psql reaching every worker's cache),
    never a bare sleep."""
    deadline = time.time() + timeout
    while True:
        last = fn()
        if last:
            return last
        if time.time() >= deadline:
            raise AssertionError("timed out after %gs waiting for %s (last: %r)" % (timeout, what, last))
        time.sleep(0.05)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # list of (name, value)
        self.body = body

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def headers_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<Response %d %r>" % (self.status, self.body[:200])


class Client:
    """A browser-like client: keeps cookies, sends Origin on writes, never
    follows redirects on its own."""

    def __init__(self, port, host="127.0.0.1", source=None):
        self.port = port
        self.host = host
        self.source = source  # the client's own address (another 127.x.y.z: another machine)
        self.cookies = {}
        self.origin = "http://%s:%d" % (host, port)

    def request(self, method, path, body=None, headers=None, timeout=30):
        h = {"Host": "%s:%d" % (self.host, self.port)}
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if method not in ("GET", "HEAD"):
            h["Origin"] = self.origin
        h.update(headers or {})
        h = {k: v for k, v in h.items() if v is not None}
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(self.source, 0) if self.source else None)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            resp = Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()
        for v in resp.headers_all("Set-Cookie"):
            name, _, rest = v.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in v:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return resp

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def get_json(self, path):
        return self.request("GET", path, headers={"Accept": "application/json"})

    def post(self, path, fields=None, headers=None, csrf=True):
        fields = dict(fields or {})
        if csrf and "csrf" not in fields and self.cookies:
            token = self.csrf()
            if token:
                fields["csrf"] = token
        body = urllib.parse.urlencode(fields)
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.request("POST", path, body=body, headers=h)

    def csrf(self):
        r = self.get_json("/")
        if r.status != 200:
            return None
        return r.json().get("csrf")

    def login(self, email, password=DEMO_PASSWORD):
        r = self.post("/login", {"email": email, "password": password, "next": "/"}, csrf=False)
        assert r.status == 303, "sign-in of %s failed: %r" % (email, r)
        return r


class MasterClient(Client):
    """A Client whose requests go straight to one portal master's FastCGI
    socket, as nginx would send them (tests/lib/fcgi.py), instead of
    through nginx, which picks a master itself: to make a request on a
    chosen one of several (PORTAL_MASTERS, docs/scaling.md). The cookies
    are another Client's (share), so a session begun through nginx goes
    on here."""

    def __init__(self, port, socket_path, share=None, source=None):
        super().__init__(port)
        self.socket_path = socket_path
        self.fcgi_source = source  # the address a TCP connection comes from
        if share is not None:
            self.cookies = share.cookies

    def request(self, method, path, body=None, headers=None, timeout=30):
        params = fcgi.base_params(method, path, "%s:%d" % (self.host, self.port))
        params.update({"SERVER_PORT": str(self.port), "SERVER_NAME": self.host, "REQUEST_SCHEME": "http"})
        if self.cookies:
            params["HTTP_COOKIE"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if method not in ("GET", "HEAD"):
            params["HTTP_ORIGIN"] = self.origin
        data = body.encode() if isinstance(body, str) else (body or b"")
        for k, v in (headers or {}).items():
            if v is None:
                continue
            if k.lower() == "content-type":
                params["CONTENT_TYPE"] = v
            else:
                params["HTTP_" + k.upper().replace("-", "_")] = v
        if data:
            params["CONTENT_LENGTH"] = str(len(data))
        status, hdrs, out = fcgi.request(self.socket_path, params, data, source=self.fcgi_source)
        if status is None:
            raise ConnectionError("master at %s closed the connection without an answer" % self.socket_path)
        resp = Response(status, [(k, v) for k, vs in hdrs.items() for v in vs], out)
        for v in resp.headers_all("Set-Cookie"):
            name, _, rest = v.partition("=")
            if "Max-Age=0" in v:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = rest.split(";", 1)[0]
        return resp


def on_master(ctx, n, share):
    """A client of master n's own socket, with share's cookies."""
    return MasterClient(ctx.port, ctx.stack.master_socket(n), share=share)


def free_port_pair():
    """A free TCP port P with P+1 free too (a portal master on TCP: its
    pages' and its API's, PORTAL_MASTER_PORT_BASE)."""
    return free_ports(2)


def free_udp_port():
    """A loopback port free for both UDP and TCP (a DNS server takes both)."""
    return free_ports(udp=True)


def dns_query(port, name, qtype=16, timeout=1.0):
    """One DNS question over UDP to 127.0.0.1:port; the answer's RCODE, or
    None when nothing answered in time."""
    qname = b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"
    msg = struct.pack(">HHHHHH", 0x5054, 0x0100, 1, 0, 0, 0) + qname + struct.pack(">HH", qtype, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(msg, ("127.0.0.1", port))
        data = s.recv(4096)
        return data[3] & 15 if len(data) >= 12 else None
    except OSError:
        return None
    finally:
        s.close()


class DnsServer:
    """A real DNS server, Debian's dnsmasq, on a loopback port: the stack's
    portal resolves through it (PORTAL_DNS_RESOLVER), so host verification
    (cgi/dns.c) is tested against real DNS answers. It answers the TXT
    records set with txt() and NXDOMAIN for any other name under .example;
    dnsmasq reads its records when it starts, so txt() restarts it on the
    same port. silent() swaps it for a socket that never answers."""

    def __init__(self, port, log_path):
        self.port = port
        self.log_path = log_path
        self.records = []
        self.proc = None
        self.binary = shutil.which("dnsmasq") or ("/usr/sbin/dnsmasq" if os.path.exists("/usr/sbin/dnsmasq") else None)

    def start(self):
        if self.binary is None:
            return False
        cmd = [self.binary, "--keep-in-foreground", "--port=%d" % self.port, "--listen-address=127.0.0.1",
               "--bind-interfaces", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file=",
               "--local=/example/", "--log-facility=-", "--log-queries"]
        cmd += ["--txt-record=%s,%s" % (name, value) for name, value in self.records]
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_for("dnsmasq to answer on port %d" % self.port,
                 lambda: self.proc.poll() is not None or dns_query(self.port, "ready.example") is not None)
        if self.proc.poll() is not None:
            raise AssertionError("dnsmasq exited with %r; see %s" % (self.proc.returncode, self.log_path))
        return True

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None

    def txt(self, *records):
        """Serve exactly these (name, value) TXT records from now on."""
        if self.binary is None:
            raise AssertionError("dnsmasq is not installed (scripts/deps test installs dnsmasq-base)")
        self.stop()
        self.records = list(records)
        self.start()

    @contextlib.contextmanager
    def silent(self):
        """A resolver that takes every question and never answers (a dead
        upstream, a firewall dropping packets), for the block's length."""
        self.stop()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", self.port))
        try:
            yield
        finally:
            s.close()
            self.start()


STACK_SETTINGS = {"SEED", "SEED_SIZE", "REPLICA", "KEEPCONN", "KEEPALIVE", "ACCESS_LOG", "PG_FSYNC", "SMTP_URL",
                  "MAIL_CATCHER", "MAIL_CATCHER_PORT", "MAIL_FROM", "VAR_DIR", "PORT", "BIN_DIR"}
STACK_PREFIXES = ("PORTAL_", "DEMO_FEED", "MAILER_", "REPORTER_")


def stack_environ():
    """A copy of the suite's environment without the settings of
    scripts/stack and of the portal's processes (but PORTAL_WORKERS), which
    a test stack does not take from whoever runs the suite."""
    return {k: v for k, v in os.environ.items()
            if k == "PORTAL_WORKERS" or not (k in STACK_SETTINGS or k.startswith(STACK_PREFIXES))}


class Stack:
    """The private stack started by scripts/stack, in a temporary folder."""

    def __init__(self, var_dir, port, smtp_port, bin_dir, extra_env=None):
        self.extra_env = dict(extra_env or {})  # scripts/stack settings of this stack (REPLICA, PORTAL_MASTERS)
        self.var = var_dir
        self.port = port
        self.smtp_port = smtp_port
        self.bin_dir = bin_dir
        self.mail_dir = os.path.join(var_dir, "mail")
        self.smtp = None
        self.dns = DnsServer(free_udp_port(), os.path.join(var_dir, "dnsmasq.log"))

    def env(self):
        # The caller's own stack settings (a developer's exported
        # DEMO_FEED=0, SEED_SIZE=L, PORTAL_DASHBOARD_CACHE=0 ...) are not
        # this stack's: it runs on scripts/stack's defaults but for what
        # is set below (PORTAL_WORKERS alone is taken from the caller).
        e = stack_environ()
        e.update({
            "VAR_DIR": self.var, "PORT": str(self.port), "BIN_DIR": self.bin_dir,
            "SMTP_URL": "smtp://127.0.0.1:%d" % self.smtp_port, "ACCESS_LOG": "off",
            "PORTAL_WORKERS": os.environ.get("PORTAL_WORKERS", "3"), "MAILER_POLL_MS": "200", "REPORTER_POLL_MS": "200",
            "MAILER_BACKOFF_SECONDS": "1", "REPORTER_BACKOFF_SECONDS": "1",
            "PORTAL_MAX_REQUESTS": "300",
            # A worker on one request this long is killed (faults_server.py's
            # stuck worker); above any request of the suite under ASan.
            "PORTAL_REQUEST_TIMEOUT": "15",
            # A line naming each request's statements (tests/http/test_request_path.py).
            "PORTAL_REQUEST_LOG": "2",
            "PORTAL_HOSTS": "localhost, portal.mssp.example",
            # Every view of a dashboard exact, an ingest batch's included
            # (a test reads its page right after the API answered it);
            # test_dashboard_docs.py restarts the workers with a lag.
            "PORTAL_DASHBOARD_LAG": "0",
            "PORTAL_DNS_RESOLVER": "127.0.0.1:%d" % self.dns.port,
            "PG_FSYNC": "off",
            "ASAN_OPTIONS": "detect_leaks=1:handle_segv=0:handle_abort=0:allocator_may_return_null=1:log_path=%s/log/asan"
                            % self.var,
            "UBSAN_OPTIONS": "print_stacktrace=1:log_path=%s/log/ubsan" % self.var,
        })
        e.update(self.extra_env)
        return e

    def script(self, *args, check=True):
        """scripts/stack ARGS with this stack's settings, output merged;
        with check, a failure raises with the script's own last lines (what
        it says went wrong, in the test's report)."""
        r = subprocess.run([os.path.join(ROOT, "scripts", "stack")] + list(args), env=self.env(),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if check and r.returncode != 0:
            raise AssertionError("scripts/stack %s exited %d:\n%s" % (" ".join(args), r.returncode, r.stdout[-3000:]))
        return r

    @contextlib.contextmanager
    def master_with(self, masters=(1,), **env):
        """The portal masters numbered in masters (PORTAL_MASTERS)
        restarted with env (their processes' settings) for the block, then
        as before."""
        saved = dict(self.extra_env)
        self.extra_env.update(env)
        try:
            for n in masters:
                self.script("master-stop", str(n))
                self.script("master-start", str(n))
            yield
        finally:
            self.extra_env.clear()
            self.extra_env.update(saved)
            for n in masters:
                self.script("master-stop", str(n))
                self.script("master-start", str(n))

    @contextlib.contextmanager
    def table_locked(self, table):
        """A psql session holding table in ACCESS EXCLUSIVE mode until the
        block ends: a request that reads it waits, and holds its worker and
        its statement's time, until then."""
        holder = subprocess.Popen(self.psql_command(None), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, env=self.env())
        try:
            holder.stdin.write("BEGIN;\nLOCK TABLE %s IN ACCESS EXCLUSIVE MODE;\nSELECT 'locked';\n" % table)
            holder.stdin.flush()
            assert holder.stdout.readline().strip() == "locked"
            yield
        finally:
            holder.stdin.close()  # psql ends, and its transaction and lock with it
            holder.wait(10)

    def start_smtp(self):
        os.makedirs(self.mail_dir, exist_ok=True)
        self.smtp = subprocess.Popen(["/usr/bin/python3", os.path.join(ROOT, "scripts", "smtp_sink.py"),
                                      str(self.smtp_port), self.mail_dir],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.smtp.stdout.readline()

    def stop_smtp(self):
        if self.smtp:
            self.smtp.terminate()
            self.smtp.wait(10)
            self.smtp = None

    def start(self):
        self.start_smtp()
        self.dns.start()
        out = self.script("start")
        self.wait_ready()
        return out.stdout

    def stop(self):
        self.script("stop", check=False)
        self.stop_smtp()
        self.dns.stop()

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                r = Client(self.port).get("/healthz")
                if r.status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("stack not ready after %ds" % timeout)

    # --- processes
    def pid(self, name):
        with open(os.path.join(self.var, "run", name + ".pid")) as f:
            return int(f.read().strip())

    def worker_pids(self):
        return children(self.pid("portal"))

    def wait_workers(self, n, timeout=15, exclude=()):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pids = [p for p in self.worker_pids() if p not in exclude]
            if len(pids) >= n:
                return pids
            time.sleep(0.05)
        raise AssertionError("expected %d workers, have %r" % (n, self.worker_pids()))

    def master_socket(self, n):
        """Portal master n's page socket (PORTAL_MASTERS, scripts/stack):
        portal.sock, portal-2.sock, ... in run/, or, with
        PORTAL_MASTER_PORT_BASE, "127.0.0.1:PORT" for masters 2 and up."""
        base = self.extra_env.get("PORTAL_MASTER_PORT_BASE")
        if n > 1 and base:
            return "127.0.0.1:%d" % (int(base) + 2 * (n - 2))
        return os.path.join(self.var, "run", "portal.sock" if n == 1 else "portal-%d.sock" % n)

    def feed_stored(self, prefix, summary):
        """What tests/bench/live_feed.py --prefix PREFIX --summary SUMMARY
        says the API took, and what is stored: (the set of (tenant, kind,
        n) of every new item of a batch taken, a Counter of the rows with
        the prefix by the same key). Each taken item must be stored once."""
        with open(summary) as f:
            taken = json.load(f)
        want = {(int(t), k, i) for t, kinds in taken.items() for k, ids in kinds.items() for i in ids}
        have = collections.Counter()
        for line in self.psql("SELECT tenant_id, 'v', external_id FROM vulnerabilities WHERE external_id LIKE '%s-v-%%'"
                              " UNION ALL SELECT tenant_id, 'i', external_id FROM incidents"
                              " WHERE external_id LIKE '%s-i-%%'" % (prefix, prefix)).splitlines():
            tid, kind, ext = line.split("|")
            have[(int(tid), kind, int(ext.rsplit("-", 1)[1]))] += 1
        return want, have

    def rollups_differ(self):
        """How many tenants' open-vulnerability rollups (tenant_stats)
        differ from COUNT(*) of the rows below them: 0 when exact."""
        return int(self.psql(
            "WITH open AS (SELECT a AS tenant_id, count(*) AS n FROM vulnerabilities v"
            " JOIN tenants t ON t.id = v.tenant_id, unnest(t.ancestors) a WHERE v.fixed_at IS NULL GROUP BY a)"
            " SELECT count(*) FROM tenants x LEFT JOIN tenant_stats s ON s.tenant_id = x.id"
            " LEFT JOIN open o ON o.tenant_id = x.id"
            " WHERE coalesce(s.vuln_critical + s.vuln_high + s.vuln_medium + s.vuln_low, 0) <> coalesce(o.n, 0)"))

    def nginx(self, *args):
        """Run nginx with the stack's configuration (as the servers' user
        when root), e.g. nginx("-s", "reload"); the CompletedProcess."""
        cmd = ["nginx", "-q", "-e", os.path.join(self.var, "log", "nginx-error.log"), "-p", self.var,
               "-c", os.path.join(self.var, "nginx.conf")] + list(args)
        if os.getuid() == 0:
            cmd = ["setpriv", "--reuid=mssp-portal", "--regid=%d" % _gid("mssp-portal"), "--init-groups", "--"] + cmd
        return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def signal_master(self, sig):
        os.kill(self.pid("portal"), sig)

    def pg(self, action):
        return self.script("pg-" + action)

    def psql_command(self, sql, user="portal_owner", port=5432):
        """The argv that runs SQL as user over the private socket (as the
        servers' user when root); run it with env(). sql None: the
        commands come on its standard input (a session held open)."""
        cmd = ["psql", "-X", "-q", "-t", "-A", "-h", os.path.join(self.var, "run"), "-p", str(port), "-U", user,
               "-d", "portal", "-v", "ON_ERROR_STOP=1"] + (["-c", sql] if sql is not None else [])
        if os.getuid() == 0:
            cmd = ["setpriv", "--reuid=mssp-portal", "--regid=%s" % _gid("mssp-portal"), "--init-groups", "--"] + cmd
        return cmd

    def psql(self, sql, user="portal_owner", port=5432):
        """Run SQL as user over the private socket; returns stdout rows.
        port 5433: the read replica's server (REPLICA=1)."""
        r = subprocess.run(self.psql_command(sql, user, port), env=self.env(), stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise RuntimeError(r.stderr.strip())
        return r.stdout.strip()

    @contextlib.contextmanager
    def restoring(self, table, where):
        """Puts the rows of table that match where back as they were when the
        block ends, however it ends: rows it added go, rows it changed or
        deleted come back (a test that changes shared demo data from psql)."""
        saved = self.psql("SELECT coalesce(json_agg(t), '[]') FROM %s t WHERE %s" % (table, where))
        try:
            yield
        finally:
            self.psql("DELETE FROM %s WHERE %s; INSERT INTO %s SELECT * FROM json_populate_recordset(NULL::%s, '%s')"
                      % (table, where, table, table, saved.replace("'", "''")))

    def steady_hour(self, margin=90):
        """Return once the database's UTC hour has at least margin seconds
        left: the dashboards' windows and series move on the hour
        (docs/dashboards.md), so a test that compares a page with the raw
        rows must not straddle that edge. Waits at most margin + 2 s."""
        left = float(self.psql("SELECT extract(epoch FROM date_trunc('hour', now(), 'UTC') + interval '1 hour'"
                               " - now())"))
        if left < margin:
            time.sleep(left + 1)

    def ctl_command(self):
        """How to run the stack's own ctl (the staged copy under var/app/bin,
        which the servers' user can reach wherever the checkout is) as the
        owner role: (argv before the command's own arguments, environment
        to add). The browser tests get it too (tests/run, CTL_JSON)."""
        cmd = [os.path.join(self.var, "app", "bin", "ctl")]
        if os.getuid() == 0:
            cmd = ["setpriv", "--reuid=mssp-portal", "--regid=%d" % _gid("mssp-portal"), "--init-groups", "--"] + cmd
        return cmd, {"PORTAL_DB_OWNER": "host=%s/run dbname=portal user=portal_owner" % self.var}

    def ctl(self, *args, env=None, input=None):
        """Run the stack's own ctl as the owner role (ctl_command), input
        (text) on its standard input; returns the CompletedProcess, output
        merged."""
        cmd, add = self.ctl_command()
        e = stack_environ()
        e.update(add)
        e.update(env or {})
        return subprocess.run(cmd + list(args), env=e, input=input, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True)

    def new_user(self, email, *memberships, name="Test User"):
        """A new active user with the demo password and the given
        (tenant id, role) memberships; its id. The caller deletes it."""
        self.psql("INSERT INTO users (email, name, password_hash) SELECT '%s', '%s', password_hash FROM users"
                  " WHERE email = 'owner@msp1.example'" % (email.replace("'", "''"), name.replace("'", "''")))
        uid = self.user_id(email)
        for tenant, role in memberships:
            self.psql("INSERT INTO memberships (user_id, tenant_id, role) VALUES (%d, %d, '%s')" % (uid, tenant, role))
        return uid

    def new_tenant(self, kind, name, parent=None):
        """A new active tenant of kind ('mssp' without a parent: a tree of
        its own) in region eu; its id. The triggers set its ancestors and
        root. The caller's tree stays (the tests' trees have names of
        their own)."""
        self.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                  " VALUES ('%s', '%s', 'eu', %s, '{0}', 0)" % (kind, name.replace("'", "''"),
                                                                "NULL" if parent is None else "%d" % parent))
        return self.tenant_id(name)

    def new_companies(self, parent, prefix, n):
        """n new companies below parent, named prefix + "1" .. prefix + n."""
        self.psql("INSERT INTO tenants (kind, name, region, parent_id, ancestors, root_id)"
                  " SELECT 'company', '%s' || g, 'eu', %d, '{0}', 0 FROM generate_series(1, %d) g"
                  % (prefix.replace("'", "''"), parent, n))

    def tenant_id(self, name):
        """The id of the tenant called name."""
        return int(self.psql("SELECT id FROM tenants WHERE name = '%s'" % name.replace("'", "''")))

    def user_id(self, email):
        """The id of the user with this email."""
        return int(self.psql("SELECT id FROM users WHERE email = '%s'" % email.replace("'", "''")))

    def log(self, name="portal"):
        try:
            with open(os.path.join(self.var, "log", name + ".log"), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    # --- mail
    def messages(self):
        out = []
        for p in sorted(glob.glob(os.path.join(self.mail_dir, "*.eml"))):
            with open(p, "rb") as f:
                out.append(email.message_from_bytes(f.read(), policy=email.policy.default))
        return out

    def wait_mail(self, match, since=0, timeout=20, what="the message"):
        """The first message caught after the first since (a count of
        messages() taken before the action) for which match(message) is
        true, once the mailer has sent it: waits at most timeout seconds.
        Match what the test caused (recipient, subject), never just "the
        next message": other tests' mail may still be on its way."""
        return wait_for(what, lambda: next((m for m in self.messages()[since:] if match(m)), None), timeout)

    def wait_messages(self, n, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            msgs = self.messages()
            if len(msgs) >= n:
                return msgs
            time.sleep(0.1)
        raise AssertionError("expected %d messages, got %d" % (n, len(self.messages())))


def _gid(user):
    import pwd
    return pwd.getpwnam(user).pw_gid


def master_environment(stack):
    """The running master's own environment (what scripts/stack gave it)."""
    with open("/proc/%d/environ" % stack.pid("portal"), "rb") as f:
        pairs = [kv.split(b"=", 1) for kv in f.read().split(b"\0") if b"=" in kv]
    return {k.decode(): v.decode() for k, v in pairs}


@contextlib.contextmanager
def second_master(stack, name, journal=False, **settings):
    """A second portal master on the stack's database, configured as the
    running one but for settings (a value None unsets it), with one
    worker, its own socket (run/NAME.sock) and log (log/NAME.log), and no
    API pool or replica; journal: its log file named in JOURNAL_STREAM, as
    systemd names the journal's stream it gives a service. Yields (a
    MasterClient for it, the log's path, its Popen); stopped on leaving."""
    env = master_environment(stack)
    env.update({"PORTAL_SOCKET": os.path.join(stack.var, "run", name + ".sock"), "PORTAL_WORKERS": "1"})
    for k in ("PORTAL_API_SOCKET", "PORTAL_DB_READ"):
        env.pop(k, None)
    for k, v in settings.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    cmd = [os.path.join(stack.var, "app", "bin", "portal")]
    if os.getuid() == 0:
        cmd = ["setpriv", "--reuid=mssp-portal", "--regid=%s" % _gid("mssp-portal"), "--init-groups", "--"] + cmd
    log_path = os.path.join(stack.var, "log", name + ".log")
    with open(log_path, "w") as log:
        if journal:
            st = os.fstat(log.fileno())
            env["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino)
        master = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for("the %s master's socket" % name, lambda: os.path.exists(env["PORTAL_SOCKET"]))
        yield MasterClient(stack.port, env["PORTAL_SOCKET"]), log_path, master
    finally:
        try:
            os.killpg(master.pid, signal.SIGTERM)
        except ProcessLookupError:  # the test has ended it, workers and all
            pass
        master.wait(timeout=30)


def body_of(msg, kind="plain"):
    part = msg.get_body(preferencelist=(kind,))
    return part.get_content() if part else ""


def find_link(text, pattern=r"https?://\S+"):
    m = re.search(pattern, text)
    return m.group(0) if m else None


_tokens = {}


def threat_rows(client, tenant, query=""):
    """Every row of the threats table of tenant as client sees it (query:
    more of the query string, "days=1&sort=..."), page after page (50 a
    page), each with "_page", the page it is on; checks that each page
    says the same total and the last one has no next."""
    rows, totals, page = [], set(), 1
    while True:
        r = client.get_json("/t/%d/threats?%s&page=%d" % (tenant, query, page))
        assert r.status == 200, r
        d = r.json()
        assert d["page"] == page and len(d["indicators"]) <= 50, d
        rows += [dict(x, _page=page) for x in d["indicators"]]
        totals.add(d["total"])
        if "next_page" not in d:
            assert d["pages"] == page and totals == {len(rows)}, (d["pages"], page, totals, len(rows))
            return rows
        assert len(d["indicators"]) == 50 and d["next_page"] == page + 1
        page += 1


def threat_row(client, tenant, indicator, query=""):
    """The row of indicator in the threats table of tenant, or None."""
    return next((r for r in threat_rows(client, tenant, query) if r["indicator"] == indicator), None)


def session_token(ctx, uid):
    """A live session of user uid, made as the owner (as a sign-in would):
    its token, which is all the app role can identify a user by (app_user_id()).
    An id of no user gets a token of no session."""
    key = (id(ctx.stack), uid)
    if key not in _tokens:
        tok = hashlib.sha256(os.urandom(32)).hexdigest()
        if ctx.stack.psql("SELECT count(*) FROM users WHERE id = %d" % uid, user="portal_owner") == "1":
            ctx.stack.psql("INSERT INTO sessions (token_hash, user_id, expires_at)"
                           " VALUES ('%s', %d, now() + interval '1 day')"
                           % (hashlib.sha256(tok.encode()).hexdigest(), uid), user="portal_owner")
        _tokens[key] = tok
    return _tokens[key]


def create_key(ctx, client, tenant, name="probe"):
    """A new API key of tenant made on its API keys page by client (signed
    in): the answer's new_key (key, prefix...)."""
    r = client.request("POST", "/t/%d/api-keys.json" % tenant, body="name=%s&csrf=%s" % (name, client.csrf()),
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200, r
    return r.json()["new_key"]
