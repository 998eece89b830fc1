#!/usr/bin/env python3
"""Paired CPU cost of two builds of cargo-freeze over the extracted evaluation
workspaces (target/eval/*, made by benches/eval/run.sh): for each workspace,
`check --static --workspace --bins --examples` with the old build, then the
new one; user + system time summed from getrusage, so another process on the
machine changes wall time more than these sums.

Usage: python3 benches/paired_cpu.py OLD_BINARY NEW_BINARY [EVAL_WORK]
"""
import glob
import os
import resource
import subprocess
import sys


def cpu_of(binary, manifest):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [binary, "freeze", "check", "--static", "--workspace", "--bins", "--examples", "--manifest-path", manifest],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    old, new = sys.argv[1], sys.argv[2]
    work = sys.argv[3] if len(sys.argv) > 3 else os.path.join(os.path.dirname(__file__), "..", "target", "eval")
    manifests = sorted(glob.glob(os.path.join(work, "*", "Cargo.toml")))
    if not manifests:
        sys.exit(f"paired_cpu.py: no workspaces under {work}: run benches/eval/run.sh first")
    totals = {old: 0.0, new: 0.0}
    for manifest in manifests:
        for binary in (old, new):
            totals[binary] += cpu_of(binary, manifest)
    print(f"{len(manifests)} workspaces: old {totals[old]:.2f} CPU s, new {totals[new]:.2f} CPU s, "
          f"new/old {totals[new] / totals[old]:.3f}")


if __name__ == "__main__":
    main()
