#!/usr/bin/env python3
"""units.py start|restart|stop - the package's systemd units where there
is no systemd (tests/package/run runs the package in a chroot).

A stand-in, not systemd: it reads the installed unit files and does what
they ask that matters to the test.
  mssp-portal-fcgi.socket     binds each ListenStream= (SocketUser=, SocketGroup=,
                         SocketMode=, DirectoryMode=, Backlog=) and keeps them
  each .service          runs ExecStart= as User=/Group= with EnvironmentFile=,
                         a NOTIFY_SOCKET of its own (Type=notify: started once it
                         says READY=1), and for mssp-portal the sockets as fds 3,
                         4 with LISTEN_FDS / LISTEN_PID
  restart                each service: SIGTERM to the main process
                         (KillMode=mixed), SIGKILL to what is left after
                         TimeoutStopSec=, started again; the sockets stay
A supervisor process does it; `start` returns once every service said
READY=1, `restart` once they all did again, `stop` stops them all."""
import os
import signal
import socket
import subprocess
import sys
import time

UNITS = "/lib/systemd/system"
SERVICES = ["mssp-portal", "mssp-portal-mailer", "mssp-portal-reporter"]
STATE = "/run/units-stand-in"


def unit(name):
    """The unit file's settings: {key: [values]}."""
    out = {}
    with open(os.path.join(UNITS, name)) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith(("#", "[")) and "=" in line:
                k, v = line.split("=", 1)
                out.setdefault(k, []).append(v)
    return out


def env_file(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                env[k] = v[1:-1] if len(v) >= 2 and v[0] == v[-1] == '"' else v
    return env


def log(msg):
    print("units: %s" % msg, flush=True)


class Service:
    def __init__(self, name, sockets):
        self.name, self.sockets = name, sockets
        self.u = unit(name + ".service")
        self.proc = None
        self.notify_path = os.path.join(STATE, name + ".notify")
        if os.path.exists(self.notify_path):
            os.unlink(self.notify_path)
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(self.notify_path)
        os.chmod(self.notify_path, 0o666)

    def start(self):
        import pwd
        user, group = self.u["User"][0], self.u["Group"][0]
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "NOTIFY_SOCKET": self.notify_path,
               "HOME": pwd.getpwnam(user).pw_dir, "USER": user, "LOGNAME": user}  # as systemd sets them for User=
        for path in self.u.get("EnvironmentFile", []):
            env.update(env_file(path.lstrip("-")))
        argv = self.u["ExecStart"][0].split()
        cmd = ["setpriv", "--reuid=" + user, "--regid=" + group, "--init-groups", "--"] + argv
        fds = [s.fileno() for s in self.sockets]
        if fds:  # as systemd passes them: fds 3, 4, ...; LISTEN_PID the service's own pid
            env["LISTEN_FDS"] = str(len(fds))
            moves = " ".join("%d<&%d" % (3 + i, fd) for i, fd in enumerate(fds))
            cmd = ["sh", "-c", 'exec %s; LISTEN_PID=$$ exec "$@"' % moves, "sh"] + cmd
        log_file = open(os.path.join(STATE, self.name + ".log"), "a")
        self.proc = subprocess.Popen(cmd, env=env, stdout=log_file, stderr=subprocess.STDOUT, pass_fds=fds,
                                     start_new_session=True)
        self.notify.settimeout(30)
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                msg = self.notify.recv(4096).decode()
            except socket.timeout:
                break
            if "READY=1" in msg.split("\n"):
                log("%s started (pid %d): READY=1" % (self.name, self.proc.pid))
                return
        raise RuntimeError("%s did not say READY=1 (see %s.log)" % (self.name, self.name))

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        timeout = float(self.u.get("TimeoutStopSec", ["90"])[0])
        mixed = self.u.get("KillMode", ["control-group"])[0] == "mixed"
        if mixed:
            self.proc.send_signal(signal.SIGTERM)
        else:
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log("%s: still running after TimeoutStopSec=%g: SIGKILL" % (self.name, timeout))
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        log("%s stopped" % self.name)


def listen_sockets():
    s = unit("mssp-portal-fcgi.socket")
    out = []
    for path in s["ListenStream"]:
        os.makedirs(os.path.dirname(path), mode=int(s.get("DirectoryMode", ["0755"])[0], 8), exist_ok=True)
        if os.path.exists(path):
            os.unlink(path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        sock.listen(int(s.get("Backlog", ["128"])[0]))
        subprocess.run(["chown", "%s:%s" % (s["SocketUser"][0], s["SocketGroup"][0]), path], check=True)
        os.chmod(path, int(s["SocketMode"][0], 8))
        out.append(sock)
    log("holding %s" % ", ".join(s["ListenStream"]))
    return out


def supervise():
    os.makedirs(STATE, exist_ok=True)
    socks = listen_sockets()
    services = [Service(n, socks if n == "mssp-portal" else []) for n in SERVICES]
    todo = {"restart": False, "stop": False}
    signal.signal(signal.SIGUSR1, lambda *_: todo.__setitem__("restart", True))
    signal.signal(signal.SIGTERM, lambda *_: todo.__setitem__("stop", True))
    generation = 0

    def mark(what):
        with open(os.path.join(STATE, "state.new"), "w") as f:
            f.write(what)
        os.rename(os.path.join(STATE, "state.new"), os.path.join(STATE, "state"))

    try:
        for s in services:
            s.start()
        mark("ready %d" % generation)
        while not todo["stop"]:
            time.sleep(0.1)
            if todo["restart"]:
                todo["restart"] = False
                for s in services:  # as systemctl restart, one unit after another
                    s.stop()
                    s.start()
                generation += 1
                mark("ready %d" % generation)
    except Exception as e:  # said where start and restart wait for it
        mark("failed %s" % e)
        log("failed: %s" % e)
    for s in services:
        s.stop()
    for path in unit("mssp-portal-fcgi.socket")["ListenStream"]:
        if os.path.exists(path):
            os.unlink(path)


def wait_state(want_prefix, timeout=120):
    path = os.path.join(STATE, "state")
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            state = open(path).read()
        except FileNotFoundError:
            state = ""
        if state.startswith("failed"):
            sys.exit("units: %s" % state)
        if state == want_prefix:
            return
        time.sleep(0.1)
    sys.exit("units: no %r after %d s" % (want_prefix, timeout))


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    pid_file = os.path.join(STATE, "supervisor.pid")
    if what == "start":
        os.makedirs(STATE, exist_ok=True)
        for f in ("state",):
            if os.path.exists(os.path.join(STATE, f)):
                os.unlink(os.path.join(STATE, f))
        p = subprocess.Popen([sys.executable, __file__, "supervise"], start_new_session=True,
                             stdout=open(os.path.join(STATE, "supervisor.log"), "a"), stderr=subprocess.STDOUT)
        with open(pid_file, "w") as f:
            f.write(str(p.pid))
        wait_state("ready 0")
    elif what == "restart":
        state = open(os.path.join(STATE, "state")).read()
        n = int(state.split()[1])
        os.kill(int(open(pid_file).read()), signal.SIGUSR1)
        wait_state("ready %d" % (n + 1))
    elif what == "stop":
        os.kill(int(open(pid_file).read()), signal.SIGTERM)
    elif what == "supervise":
        supervise()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
