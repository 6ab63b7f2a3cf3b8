"""make install (docs/operations.md, "Installing on Debian"): the layout
under PREFIX=/usr in a staging root (DESTDIR), nothing that names the
checkout, systemd units whose exposure (systemd-analyze security) is 2.0
or lower, a master that starts from the installed files and settings, and
an operator's settings kept by the next install."""
import os
import re
import shutil
import stat
import subprocess
import tempfile

import fcgi
import portal

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
UNITS = ["mssp-portal", "mssp-portal-mailer", "mssp-portal-reporter", "mssp-portal-backup"]


def make_install(dest):
    r = subprocess.run(["make", "-s", "install", "DESTDIR=" + dest, "PREFIX=/usr"], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert r.returncode == 0, r.stdout[-3000:]


def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                k, _, v = line.partition("=")
                env[k] = v
    return env


def test_make_install_lays_out_a_working_portal_with_hardened_units(ctx):
    dest = tempfile.mkdtemp(prefix="install-", dir=ctx.stack.var)
    os.chmod(dest, 0o755)
    try:
        make_install(dest)
        for path, mode in (("usr/sbin/mssp-portal", 0o755), ("usr/sbin/mssp-portal-mailer", 0o755),
                           ("usr/sbin/mssp-portal-reporter", 0o755), ("usr/bin/mssp-portal-ctl", 0o755),
                           ("usr/lib/mssp-portal/ctl", 0o755), ("etc/mssp-portal/portal.env", 0o640),
                           ("usr/share/mssp-portal/portal.env.example", 0o644),
                           ("usr/share/mssp-portal/nginx/mssp-portal.conf", 0o644),
                           ("usr/share/mssp-portal/www/assets.json", 0o644),
                           ("usr/share/mssp-portal/www/docs/api.md", 0o644),
                           ("usr/share/mssp-portal/sql/schema.sql", 0o644),
                           ("usr/share/doc/mssp-portal/operations.md", 0o644),
                           ("lib/systemd/system/mssp-portal-backup.timer", 0o644)) + tuple(
                               ("lib/systemd/system/%s.service" % u, 0o644) for u in UNITS):
            st = os.stat(os.path.join(dest, path))
            assert stat.S_IMODE(st.st_mode) == mode, (path, oct(st.st_mode))
        # No installed text file names the checkout (binaries: their
        # debugging sections only, which the package strips).
        for d, _, files in os.walk(dest):
            for name in files:
                p = os.path.join(d, name)
                with open(p, "rb") as f:
                    data = f.read()
                if b"\0" not in data[:4096]:
                    assert ROOT.encode() not in data, p
        nginx = open(os.path.join(dest, "usr/share/mssp-portal/nginx/mssp-portal.conf")).read()
        assert "alias /usr/share/mssp-portal/www/" in nginx and "/opt/mssp-portal" not in nginx
        # Each unit: exposure 2.0 or lower ("OK"), and the paths it names exist.
        for u in UNITS:
            r = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--root=" + dest, "--threshold=20",
                                u + ".service"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            assert r.returncode == 0, r.stdout[-2000:]
            level = [line for line in r.stdout.splitlines() if "Overall exposure level" in line]
            assert level and float(level[0].split(":")[1].split()[0]) <= 2.0, r.stdout[-500:]
            unit = open(os.path.join(dest, "lib/systemd/system/%s.service" % u)).read()
            assert not re.search(r"@[A-Z]+@", unit), unit  # every @NAME@ substituted
            for line in unit.splitlines():
                if line.startswith("ExecStart=") or line.startswith("EnvironmentFile="):
                    path = line.split("=", 1)[1].split()[0]
                    assert os.path.exists(os.path.join(dest, path.lstrip("/"))), line
        env = read_env(os.path.join(dest, "etc/mssp-portal/portal.env"))
        assert env["PORTAL_TEMPLATES"] == "/usr/share/mssp-portal/templates", env
        assert env["PORTAL_BACKUP_DIR"] == "/var/lib/mssp-portal/backups", env

        # The installed master, from the installed files (under the staging
        # root) and settings, on the test stack's database.
        run = dict((k, v) for k, v in os.environ.items() if k in ("PATH", "LANG", "ASAN_OPTIONS"))
        run.update(env)
        for k in ("PORTAL_TEMPLATES", "PORTAL_WWW", "PORTAL_SQL"):
            run[k] = os.path.join(dest, env[k].lstrip("/"))
        sock = os.path.join(ctx.stack.var, "run", "installed.sock")
        run.update({"PORTAL_DB": "host=%s/run dbname=portal user=portal_app" % ctx.stack.var, "PORTAL_SOCKET": sock,
                    "PORTAL_WORKERS": "1", "PORTAL_HTTPS": "0",
                    "PORTAL_BASE_URL": "http://127.0.0.1:%d" % ctx.stack.port})
        run.pop("PORTAL_API_SOCKET")
        cmd = [os.path.join(dest, "usr/sbin/mssp-portal")]
        if os.getuid() == 0:
            cmd = ["setpriv", "--reuid=mssp-portal", "--regid=%s" % portal._gid("mssp-portal"), "--init-groups",
                   "--"] + cmd
        log = open(os.path.join(ctx.stack.var, "log", "installed-portal.log"), "w")
        master = subprocess.Popen(cmd, env=run, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            portal.wait_for("the installed portal's socket", lambda: os.path.exists(sock))
            status, _, body = fcgi.request(sock, fcgi.base_params("GET", "/healthz", "127.0.0.1"), b"")
            assert status == 200 and b'"database": "up"' in body.replace(b'":"', b'": "'), body
            status, _, body = fcgi.request(sock, fcgi.base_params("GET", "/login", "127.0.0.1"), b"")
            assert status == 200, body[:300]
            # its stylesheet by the hashed name the installed www/ has
            css = [w for w in body.decode().split('"') if w.startswith("/static/css/portal.") and w.endswith(".css")]
            assert css and os.path.exists(os.path.join(dest, "usr/share/mssp-portal/www", css[0][len("/static/"):])), css
        finally:
            os.killpg(master.pid, 15)
            master.wait(timeout=30)

        # An operator's edit survives the next install.
        with open(os.path.join(dest, "etc/mssp-portal/portal.env"), "a") as f:
            f.write("PORTAL_WORKERS=7\n")
        make_install(dest)
        assert read_env(os.path.join(dest, "etc/mssp-portal/portal.env"))["PORTAL_WORKERS"] == "7"
    finally:
        shutil.rmtree(dest, ignore_errors=True)


def start_on_socket(ctx, sock_path, listener, log_name):
    """The stack's master binary, configured as the running master but on
    listener, passed as systemd passes it (fd 3, LISTEN_FDS=1, LISTEN_PID
    its own pid: the shell's, which exec keeps)."""
    with open("/proc/%d/environ" % ctx.stack.pid("portal"), "rb") as f:
        env = dict(kv.decode().split("=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
    env.update({"PORTAL_SOCKET": sock_path, "PORTAL_WORKERS": "2", "LISTEN_FDS": "1"})
    env.pop("PORTAL_API_SOCKET", None)
    cmd = [os.path.join(ctx.stack.var, "app", "bin", "portal")]
    if os.getuid() == 0:
        cmd = ["setpriv", "--reuid=mssp-portal", "--regid=%s" % portal._gid("mssp-portal"), "--init-groups",
               "--"] + cmd
    log = open(os.path.join(ctx.stack.var, "log", log_name), "w")
    fd = listener.fileno()
    return subprocess.Popen(["sh", "-c", 'exec 3<&%d %d<&-; LISTEN_PID=$$ exec "$@"' % (fd, fd), "sh"] + cmd, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True, pass_fds=(fd,))


def test_a_master_restarted_on_sockets_systemd_holds_refuses_no_request(ctx):
    """The package's mssp-portal-fcgi.socket holds the sockets while the
    master restarts (an upgrade): connections wait in the backlog, the
    old master finishes what it took, the new one takes the rest."""
    import socket
    import threading
    import time

    sock_path = os.path.join(ctx.stack.var, "run", "activated.sock")
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path)
    os.chmod(sock_path, 0o666)
    listener.listen(1024)
    first = start_on_socket(ctx, sock_path, listener, "activated-1.log")
    second = None
    results, stop = [], threading.Event()

    def load():
        while not stop.is_set():
            try:
                status, _, body = fcgi.request(sock_path, fcgi.base_params("GET", "/healthz", "127.0.0.1"))
                results.append(status)
            except OSError as e:
                results.append(repr(e))

    try:
        portal.wait_for("the first master's answer", lambda: fcgi.request(
            sock_path, fcgi.base_params("GET", "/healthz", "127.0.0.1"))[0] == 200, timeout=20)
        threads = [threading.Thread(target=load) for _ in range(4)]
        for t in threads:
            t.start()
        time.sleep(1)
        served_before = len(results)
        # The restart: SIGTERM (the master drains), its exit, a new master
        # on the same socket, as systemctl restart does.
        os.killpg(first.pid, 15)
        first.wait(timeout=30)
        assert os.path.exists(sock_path), "the master removed the socket systemd holds"
        gap = len(results)
        second = start_on_socket(ctx, sock_path, listener, "activated-2.log")
        portal.wait_for("requests answered by the second master", lambda: len(results) > gap + 50, timeout=30)
        stop.set()
        for t in threads:
            t.join(timeout=30)
        assert served_before > 0 and len(results) > gap
        bad = [x for x in results if x != 200]
        assert bad == [], "%d of %d requests failed across the restart: %r" % (len(bad), len(results), bad[:5])
        log = open(os.path.join(ctx.stack.var, "log", "activated-2.log")).read()
        assert "listening on the socket systemd holds for %s" % sock_path in log, log[-2000:]
    finally:
        stop.set()
        for m in (first, second):
            if m is not None and m.poll() is None:
                os.killpg(m.pid, 15)
                m.wait(timeout=30)
        listener.close()
        os.unlink(sock_path)
