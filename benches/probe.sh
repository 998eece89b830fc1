#!/usr/bin/env bash
# Benchmarks the spawn-storm probe on the storm shapes of fixtures/probe
# (the matrix of tests/integration/probe_matrix.rs):
# RUNS runs of each (default 20) through `cargo-freeze probe --cap 48`,
# printing a markdown table of launch->verdict (median, max), kill time
# (median, max), peak processes and survivors; then the overhead of probing
# a clean program that runs ~100 ms (`workers`: 8 guarded workers that sleep
# 100 ms) against running it directly, alternating, in the same invocation.
# Targets (issue): median detection <= 30 ms, kill <= 10 ms, the cap never
# exceeded, 0 survivors, overhead <= 1.05x.
# Each storm run is paired with one under CARGO_FREEZE_PROBE_NO_CGROUP_V2=1
# (alternating, same invocation): where the cgroup v2 leaf is usable (root
# on this hybrid host) that compares the kill by `cgroup.kill` with the
# v1 freeze + SIGKILL each + thaw; the last table gives the ratio.
#
# Usage: bash benches/probe.sh            RUNS=5 bash benches/probe.sh
# As root every run is inside an outer pids cgroup (400 tasks), as in the
# tests; otherwise under `prlimit --nproc`.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-20}
command -v python3 >/dev/null || { echo "probe.sh: needs python3" >&2; exit 2; }

echo "probe.sh: building cargo-freeze (release) and fixtures/probe" >&2
freeze=$(cd "$repo" && cargo build --release --bin cargo-freeze --message-format=json |
    python3 -c 'import sys,json
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m.get("executable") and m["target"]["name"]=="cargo-freeze": print(m["executable"])' | tail -1)
fixtures=$(CARGO_TARGET_DIR="$repo/target/fixtures" cargo build --release --bins --message-format=json \
    --manifest-path "$repo/fixtures/probe/Cargo.toml" |
    python3 -c 'import sys,json
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m.get("executable"): print(m["target"]["name"], m["executable"])')
exe() { awk -v n="$1" '$1 == n { print $2 }' <<<"$fixtures"; }

tmp=$(mktemp -d)
backstop=""
if [ "$(id -u)" = 0 ] && [ -d /sys/fs/cgroup/pids ]; then
    backstop=/sys/fs/cgroup/pids/cargo-freeze-bench-$$
    mkdir "$backstop" && echo 400 >"$backstop/pids.max"
fi
cleanup() { rm -rf "$tmp"; [ -z "$backstop" ] || rmdir "$backstop" 2>/dev/null || true; }
trap cleanup EXIT
contained() { # runs "$@" inside the backstop
    if [ -n "$backstop" ]; then
        sh -c 'echo $$ > "$0/cgroup.procs"; exec "$@"' "$backstop" "$@"
    else
        prlimit --nproc=4096 -- "$@"
    fi
}

# Every storm shape of the matrix (tests/integration/probe_matrix.rs).
shapes="chain tree respawn setsid shexec daemon daemonchain fastfork bomb stubborn exit0 slowchain latechain"
for shape in $shapes; do
    for _ in $(seq "$runs"); do
        contained "$freeze" freeze probe --cap 48 --timeout 20 -f json -- "$(exe "$shape")" >>"$tmp/$shape.jsonl" || true
        CARGO_FREEZE_PROBE_NO_CGROUP_V2=1 contained "$freeze" freeze probe --cap 48 --timeout 20 -f json -- \
            "$(exe "$shape")" >>"$tmp/$shape.nov2.jsonl" || true
    done
done

# Overhead: the same clean program, directly and under the probe, alternating.
clean=$(exe workers)
for _ in $(seq "$runs"); do
    s=$(date +%s%N); contained "$clean" >/dev/null; e=$(date +%s%N); echo $(((e - s) / 1000)) >>"$tmp/direct"
    s=$(date +%s%N); contained "$freeze" freeze probe --cap 48 -f json -- "$clean" >/dev/null; e=$(date +%s%N)
    echo $(((e - s) / 1000)) >>"$tmp/probed"
done

python3 - "$tmp" "$runs" "$shapes" <<'EOF'
import json, statistics, sys, os, subprocess
tmp, runs, shapes = sys.argv[1], int(sys.argv[2]), sys.argv[3].split()
print(f"Source: {subprocess.run(['git','rev-parse','--short','HEAD'],capture_output=True,text=True).stdout.strip()}; "
      f"{runs} runs per shape; {os.cpu_count()} CPUs; load before: {open('/proc/loadavg').read().split()[:3]}")
print()
print("| shape | storm verdicts | launch->verdict ms median / max | kill ms median / max | peak processes max | peak tasks max (cap 48) | survivors total | evidence | containment | kill method |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- |")
def load(name):
    rows, text, dec, i = [], open(f"{tmp}/{name}.jsonl").read(), json.JSONDecoder(), 0
    while text[i:].strip():  # pretty-printed reports, one after another
        obj, i = dec.raw_decode(text, len(text) - len(text[i:].lstrip()))
        rows.append(obj)
    return rows
f = lambda xs: f"{statistics.median(xs):.1f} / {max(xs):.1f}" if xs else "-"
kills = {}
for shape in shapes:
    for variant in [shape, f"{shape}.nov2"]:
        rows = load(variant)
        det = [r["detected_after_ms"] for r in rows if r["detected_after_ms"] is not None]
        kill = [r["kill_ms"] for r in rows if r["kill_ms"] is not None]
        kills[variant] = kill
        storms = sum(r["verdict"] == "storm" for r in rows)
        methods = "; ".join(sorted({r.get("kill_method") or "-" for r in rows}))
        label = shape if variant == shape else f"{shape} (no v2)"
        evidence = "; ".join(sorted({" ".join((r.get("trigger") or "-").split(" (")[0].split(":")[0].split()[:7]) for r in rows}))
        print(f"| {label} | {storms}/{len(rows)} | {f(det)} | {f(kill)} | {max(r['peak_processes'] for r in rows)} | "
              f"{max(r['peak_tasks'] for r in rows)} | {sum(r['survivors'] for r in rows)} | {evidence} | {rows[0]['containment']} | {methods} |")
print()
print("| shape | kill ms median / max, default layers | kill ms median / max, CARGO_FREEZE_PROBE_NO_CGROUP_V2=1 | ratio of medians (default / no v2) |")
print("| --- | ---: | ---: | ---: |")
for shape in shapes:
    a, b = kills[shape], kills[f"{shape}.nov2"]
    ratio = f"{statistics.median(a) / statistics.median(b):.2f}x" if a and b else "-"
    print(f"| {shape} | {f(a)} | {f(b)} | {ratio} |")
direct = [int(x) / 1000 for x in open(f"{tmp}/direct")]
probed = [int(x) / 1000 for x in open(f"{tmp}/probed")]
print()
print("| clean program (`workers`, ~100 ms) | median ms | min ms | ratio of medians |")
print("| --- | ---: | ---: | ---: |")
print(f"| run directly | {statistics.median(direct):.1f} | {min(direct):.1f} | 1.00x |")
print(f"| under `cargo-freeze probe` | {statistics.median(probed):.1f} | {min(probed):.1f} | {statistics.median(probed)/statistics.median(direct):.2f}x |")
EOF
