#!/usr/bin/env bash
# Wall and CPU time of two builds of cargo-freeze against the single-thread
# parse baseline (issue 18), input by input, in one invocation: for each
# directory, RUNS rounds of baseline (benches/parse_baseline.rs: read and
# `syn::parse_file` every .rs file, one thread), OLD and NEW
# (`check --static --format json --workspace --bins --examples`), in that
# order within a round so a drift in the machine's speed hits all three.
# Prints one Markdown row per directory: medians of the baseline's wall, each
# build's wall and CPU (user + system), each build's wall over the
# baseline's, and NEW's wall over OLD's.
#
# Usage: RUNS=5 bash benches/wall_pair.sh OLD_BINARY NEW_BINARY DIR...
set -euo pipefail
(($# >= 3)) || { echo "usage: wall_pair.sh OLD_BINARY NEW_BINARY DIR..." >&2; exit 2; }
old=$(realpath "$1") new=$(realpath "$2")
shift 2
runs=${RUNS:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
command -v /usr/bin/time >/dev/null || { echo "wall_pair.sh: GNU time (/usr/bin/time) is needed" >&2; exit 2; }
baseline=$(cd "$repo" && cargo build -q --release --bench parse_baseline --message-format=json |
    python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "parse_baseline" and m.get("executable"):
        print(m["executable"])')
[[ -x $baseline ]] || { echo "wall_pair.sh: no parse_baseline executable" >&2; exit 2; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
args=(freeze check --static --format json --workspace --bins --examples)
echo "| input | baseline wall s | old wall s | new wall s | old CPU s | new CPU s | old / baseline | new / baseline | new / old wall |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for dir in "$@"; do
    [[ -f $dir/Cargo.toml ]] || { echo "wall_pair.sh: $dir has no Cargo.toml" >&2; exit 2; }
    for _ in $(seq "$runs"); do
        /usr/bin/time -f "base %e %U %S" -o "$out" "$baseline" "$dir" >/dev/null 2>&1
        cat "$out"
        for which in old new; do
            bin=$old
            [[ $which == new ]] && bin=$new
            (cd "$dir" && /usr/bin/time -f "$which %e %U %S" -o "$out" "$bin" "${args[@]}" >/dev/null 2>&1) || true
            tail -1 "$out"
        done
    done | python3 -c '
import sys, statistics as st
rows = {}
for line in sys.stdin:
    name, wall, user, system = line.split()
    rows.setdefault(name, []).append((float(wall), float(user) + float(system)))
wall = {k: st.median(w for w, _ in v) for k, v in rows.items()}
cpu = {k: st.median(c for _, c in v) for k, v in rows.items()}
b, o, n = wall["base"], wall["old"], wall["new"]
co, cn = cpu["old"], cpu["new"]
print(f"| {sys.argv[1]} | {b:.2f} | {o:.2f} | {n:.2f} | {co:.2f} | {cn:.2f} | {o / b:.2f}x | {n / b:.2f}x | {n / o:.2f}x |")
' "$(basename "$dir")"
done
