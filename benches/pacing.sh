#!/usr/bin/env bash
# Exec pacing (src/probe/linux/pacing): does the probe lose a fast storm
# when the watchdog is starved, and what does pacing cost a calm program
# that execs a lot?
#
# 1. Loss: `fastfork` (a double-fork chain, a copy every ~1.4 ms until its
#    fuse) probed RUNS times (default 10) with pacing and RUNS times with
#    CARGO_FREEZE_PROBE_NO_EXEC_PACING=1, alternating, as root and, when
#    root, as uid 65534 (the user+PID namespace layer), in two settings:
#    24 generations on a quiet machine (a chain shorter than the polls it
#    takes to see 16 copies), and all 2,000 with BUSY busy loops (default
#    30) in cargo-freeze's own session (its scheduling group: what a loaded
#    CI runner does to it). Prints the storm verdicts of each.
# 2. Cost: farm-bench pairs the probe of a calm exec-heavy program (a shell
#    running /bin/true 300 times, one after the other) with pacing against
#    the same without (the baseline), in one invocation, quiet machine.
#
# Usage: bash benches/pacing.sh        RUNS=20 BUSY=30 bash benches/pacing.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-10}
busy=${BUSY:-30}
off=CARGO_FREEZE_PROBE_NO_EXEC_PACING

echo "pacing.sh: building cargo-freeze and fixtures/probe (debug, as the tests)" >&2
(cd "$repo" && cargo build -q --bin cargo-freeze)
CARGO_TARGET_DIR="$repo/target/fixtures-probe" cargo build -q --bins --manifest-path "$repo/fixtures/probe/Cargo.toml"
freeze=$repo/target/debug/cargo-freeze
fastfork=$repo/target/fixtures-probe/debug/fastfork

tmp=$(mktemp -d)
outer=""
if [ "$(id -u)" = 0 ] && [ -d /sys/fs/cgroup/pids ]; then
    outer=/sys/fs/cgroup/pids/cargo-freeze-bench-pacing-$$
    mkdir "$outer" && echo 400 >"$outer/pids.max"
fi
loops=()
cleanup() {
    [ ${#loops[@]} = 0 ] || kill "${loops[@]}" 2>/dev/null || true
    rm -rf "$tmp"
    [ -z "$outer" ] || rmdir "$outer" 2>/dev/null || true
}
trap cleanup EXIT

probe() { # probe MODE(root|nobody) [ENV=VALUE...]: one probe of fastfork, prints the verdict
    local mode=$1 run=()
    shift
    [ "$mode" = root ] || run=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    local cmd=(env "$@" "${run[@]}" "$freeze" freeze probe --cap 48 --timeout 30 -f json -- "$fastfork")
    if [ -n "$outer" ]; then
        sh -c 'echo $$ > "$0/cgroup.procs"; exec "$@"' "$outer" "${cmd[@]}" >"$tmp/report.json" || true
    else
        prlimit --nproc=4096 -- "${cmd[@]}" >"$tmp/report.json" || true
    fi
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"])' "$tmp/report.json"
}

modes=root
[ "$(id -u)" != 0 ] || modes="root nobody"
table() { # table SETTING [ENV=VALUE...]: RUNS paced and unpaced probes of each mode
    local setting=$1
    shift
    for mode in $modes; do
        local on="" offv=""
        for _ in $(seq "$runs"); do
            on+="$(probe "$mode" "$@") "
            offv+="$(probe "$mode" "$@" "$off=1") "
        done
        for pair in "on:$on" "off:$offv"; do
            local verdicts=${pair#*:} storms others
            storms=$(tr ' ' '\n' <<<"$verdicts" | grep -c '^storm$' || true)
            others=$(tr ' ' '\n' <<<"$verdicts" | { grep -v '^storm$' || true; } | { grep . || true; } | sort | uniq -c |
                awk '{printf "%s %s; ", $1, $2}')
            echo "| $setting | $mode | ${pair%%:*} | $storms/$runs | ${others:--} |"
        done
    done
}
echo "| fastfork | who | exec pacing | storm verdicts | the others |"
echo "| --- | --- | --- | ---: | --- |"
table "24 generations, quiet" PROBE_FIXTURE_GENERATION=1976
for _ in $(seq "$busy"); do
    sh -c 'while :; do :; done' &
    loops+=($!)
done
sleep 1
table "2,000 generations, $busy busy loops"
kill "${loops[@]}" 2>/dev/null || true
wait "${loops[@]}" 2>/dev/null || true
loops=()

if command -v farm-bench >/dev/null; then
    echo
    echo "cost on a calm program that execs /bin/true 300 times (A: paced, B: $off=1):"
    calm=(sh -c 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done')
    farm-bench -n 10 --timeout 600 --vs "env $off=1 $freeze freeze probe --cap 48 --timeout 60 -f json -- ${calm[*]@Q}" \
        -- "$freeze" freeze probe --cap 48 --timeout 60 -f json -- "${calm[@]}"
else
    echo "pacing.sh: farm-bench not found: the cost table is skipped" >&2
fi
