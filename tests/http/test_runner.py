"""The test runner itself (tests/run): a TAP binary that crashes, exits early
or leaves a sanitizer report is a failure of its own, even when one of its
checks failed before; one that ends with its summary and the matching exit
status adds nothing. Each case runs the runner's run_tap() in a fresh
python, so the counters are the case's own."""
import os
import stat
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PROBE = r"""
import importlib.machinery, importlib.util, sys
loader = importlib.machinery.SourceFileLoader("runner", sys.argv[1])
spec = importlib.util.spec_from_loader("runner", loader)
runner = importlib.util.module_from_spec(spec)
loader.exec_module(runner)
runner.run_tap("probe", [sys.argv[2]])
print("RESULT %d %d %s" % (runner.passed, runner.failed, "|".join(runner.failures)))
"""


def run_binary(script):
    """(passed, failed, failure names) the runner reports for a binary that
    runs this shell script."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "probe.sh")
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + script)
        os.chmod(path, stat.S_IRWXU)
        out = subprocess.run([sys.executable, "-c", PROBE, os.path.join(ROOT, "tests", "run"), path],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60).stdout
    line = [x for x in out.splitlines() if x.startswith("RESULT ")]
    assert line, out
    _, p, f, names = (line[0] + " ").split(" ", 3)
    return int(p), int(f), [n for n in names.strip().split("|") if n]


def test_a_binary_that_crashes_after_a_failure_is_reported(ctx):
    p, f, names = run_binary('echo "ok 1 - a"; echo "not ok 2 - b"; kill -SEGV $$\n')
    assert (p, f) == (1, 2), (p, f, names)
    assert names[-1] == "probe: ended badly (killed by signal 11, before its summary line)", names


def test_a_binary_that_exits_early_without_a_failure_is_reported(ctx):
    p, f, names = run_binary('echo "ok 1 - a"; exit 0\n')
    assert (p, f) == (1, 1) and "before its summary line" in names[0], (p, f, names)


def test_a_summary_that_disagrees_with_the_exit_status_is_reported(ctx):
    p, f, names = run_binary('echo "ok 1 - a"; echo "# passed 1 failed 0"; exit 3\n')
    assert (p, f) == (1, 1) and names == ["probe: ended badly (exit status 3)"], (p, f, names)


def test_a_sanitizer_report_after_a_clean_summary_is_reported(ctx):
    p, f, names = run_binary('echo "ok 1 - a"; echo "==1==ERROR: AddressSanitizer: heap-use-after-free";'
                             ' echo "# passed 1 failed 0"\n')
    assert (p, f) == (1, 1), (p, f, names)


def test_a_binary_that_ends_well_adds_only_its_own_lines(ctx):
    assert run_binary('echo "ok 1 - a"; echo "not ok 2 - b"; echo "# passed 1 failed 1"; exit 1\n') \
        == (1, 1, ["probe: b"])
    assert run_binary('echo "ok 1 - a"; echo "# passed 1 failed 0"\n') == (1, 0, [])


STACK_ENV = r"""
import sys
sys.path.insert(0, sys.argv[1])
import portal
e = portal.Stack("/tmp/none", 1, 2, "/tmp/bin").env()
for k in ("DEMO_FEED", "DEMO_FEED_ROOT", "SEED_SIZE", "REPLICA", "MAIL_CATCHER_PORT", "PORTAL_DASHBOARD_CACHE",
          "PORTAL_DB_READ", "PORTAL_WORKERS", "PORT", "VAR_DIR", "PORTAL_REQUEST_LOG", "HOME_MARK"):
    print("%s=%s" % (k, e.get(k)))
"""


def test_a_test_stack_takes_no_stack_setting_from_whoever_runs_the_suite(ctx):
    # A developer who ran `make run` with DEMO_FEED=0 (or benchmarked with
    # SEED_SIZE=L, the caches off) and then `make test` in the same shell
    # gets the suite's own stacks: scripts/stack's defaults but for what
    # the suite sets, and the worker count it may be given.
    env = dict(os.environ, DEMO_FEED="0", DEMO_FEED_ROOT="Elsewhere", SEED_SIZE="L", REPLICA="1",
               MAIL_CATCHER_PORT="2594", PORTAL_DASHBOARD_CACHE="0", PORTAL_DB_READ="host=/nowhere",
               PORTAL_WORKERS="2", PORT="8194", VAR_DIR="/tmp/elsewhere", PORTAL_REQUEST_LOG="0", HOME_MARK="kept")
    out = subprocess.run([sys.executable, "-c", STACK_ENV, os.path.join(ROOT, "tests", "lib")], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=True).stdout.split()
    assert out == ["DEMO_FEED=None", "DEMO_FEED_ROOT=None", "SEED_SIZE=None", "REPLICA=None",
                   "MAIL_CATCHER_PORT=None", "PORTAL_DASHBOARD_CACHE=None", "PORTAL_DB_READ=None",
                   "PORTAL_WORKERS=2", "PORT=1", "VAR_DIR=/tmp/none", "PORTAL_REQUEST_LOG=2", "HOME_MARK=kept"], out
