#!/usr/bin/env python3
"""Runs a command and prints its own peak resident set (VmHWM, KiB), sampled
from /proc/PID/status every 2 ms; the command's output is discarded.
GNU time's %M is the largest of the process and the children it waited for
(`cargo metadata` for the check), so a small check can hide behind it.

Usage: python3 benches/vmhwm.py CMD [ARGS...]   (exit status: the command's)
"""
import subprocess
import sys
import time

proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
hwm = 0
while proc.poll() is None:
    try:
        with open(f"/proc/{proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    hwm = max(hwm, int(line.split()[1]))
    except OSError:
        pass
    time.sleep(0.002)
print(hwm)
sys.exit(proc.returncode)
