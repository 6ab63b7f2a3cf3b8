#!/usr/bin/env python3
# treemem.py CMD... - runs CMD and prints "peak_pss_mb peak_rss_mb nprocs" of
# its process tree (every process below it except node), sampled every 50 ms,
# after CMD's own output. PSS shares a page among the processes that map it:
# the honest sum for Chromium's many processes; RSS sums count shared pages
# once per process.
import os, subprocess, sys, time

def tree(root):
    kids = {}
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as f:
                    s = f.read()
                ppid = int(s.rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(p))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out

def mem(pids):
    pss = rss = n = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/comm") as f:
                if f.read().strip() in ("node", "treemem.py", "python3"):
                    continue
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Rss:"):
                        rss += int(line.split()[1])
            n += 1
        except OSError:
            pass
    return pss, rss, n

proc = subprocess.Popen(sys.argv[1:])
peak = (0, 0, 0)
while proc.poll() is None:
    m = mem(tree(proc.pid))
    if m[0] > peak[0]:
        peak = m
    time.sleep(0.05)
print(f"{peak[0] / 1024:.0f} {peak[1] / 1024:.0f} {peak[2]}")
sys.exit(proc.returncode)
