#!/usr/bin/env bash
# Times `cargo freeze check --static --format json --workspace` on the corpus
# (benches/corpus.sh) against the baseline (benches/parse_baseline.rs: read
# and `syn::parse_file` every .rs file, single-threaded), alternating the
# measurements RUNS times, and prints a markdown table: wall time (median,
# min), CPU time, peak RSS and the ratio to the baseline. Targets (see
# BENCHMARKS.md): the check takes at most 0.5x the baseline's time and at
# most 200 MB.
#
# Usage: bash benches/check.sh             (RUNS=5 by default)
#        RUNS=3 IDLE_WAIT=0 bash benches/check.sh
# Before each run it waits up to IDLE_WAIT seconds (default 120) for the rest
# of the machine to go idle, and the table reports the CPU time other
# processes used during the runs, so a disturbed measurement shows.
# Exits 2 when a build or a measured command fails; the check's exit 1
# (findings at deny level) is a normal result.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
corpus=$repo/benches/corpus
runs=${RUNS:-5}
idle_wait=${IDLE_WAIT:-120}

die() {
    echo "check.sh: $*" >&2
    exit 2
}

# GNU time (not the shell keyword) reports peak RSS; jq reads cargo's JSON.
missing=()
[[ -x /usr/bin/time ]] || missing+=(time)
command -v jq >/dev/null || missing+=(jq)
if ((${#missing[@]})); then
    echo "check.sh: installing ${missing[*]}" >&2
    { apt-get install -y "${missing[@]}" || { apt-get update && apt-get install -y "${missing[@]}"; }; } >/dev/null ||
        die "could not install ${missing[*]} (apt-get install ${missing[*]})"
fi

# Build both programs; take their paths from cargo's artifact messages.
echo "check.sh: building cargo-freeze and parse_baseline (release)" >&2
artifacts=$(cd "$repo" && cargo build --release --bin cargo-freeze --bench parse_baseline --message-format=json) ||
    die "cargo build failed (run: cargo build --release --bin cargo-freeze --bench parse_baseline)"
executable() { # TARGET_NAME KIND
    jq -r --arg name "$1" --arg kind "$2" \
        'select(.reason == "compiler-artifact" and .target.name == $name and (.target.kind | index($kind)))
         | .executable // empty' <<<"$artifacts" | tail -1
}
freeze=$(executable cargo-freeze bin)
baseline=$(executable parse_baseline bench)
[[ -x $freeze && -x $baseline ]] || die "cargo printed no executable for cargo-freeze or parse_baseline"

[[ -f $corpus/Cargo.toml ]] || bash "$repo/benches/corpus.sh" "$corpus" || die "benches/corpus.sh failed"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Measurements, by index: 0 the baseline, 1 the check, and 2 a parse of
# only the files reachable from the members' targets, single-threaded: not a
# target, it shows what parsing just the files the check needs costs on one
# thread.
labels=(baseline check reachable)
shown=(
    "parse_baseline benches/corpus"
    "cargo-freeze freeze check --static --format json --manifest-path benches/corpus/Cargo.toml --workspace"
    "parse_baseline --reachable benches/corpus/Cargo.toml"
)
command_of() { # INDEX -> runs that measurement's command under GNU time
    local timed=(/usr/bin/time -f '%e %M %U %S' -o "$tmp/time")
    case $1 in
        0) "${timed[@]}" "$baseline" "$corpus" ;;
        1) "${timed[@]}" "$freeze" freeze check --static --format json --manifest-path "$corpus/Cargo.toml" --workspace ;;
        2) "${timed[@]}" "$baseline" --reachable "$corpus/Cargo.toml" ;;
    esac
}

# CPU seconds the whole machine has spent busy (or stolen by the host) so far.
busy_seconds() {
    awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { print ($2 + $3 + $4 + $7 + $8 + $9) / hz; exit }' /proc/stat
}

# Waits (at most $idle_wait seconds) until the rest of the machine has been
# nearly idle for 2 s, so that other work does not land inside a run.
wait_idle() {
    local deadline=$((SECONDS + idle_wait)) before
    while ((SECONDS < deadline)); do
        before=$(busy_seconds)
        sleep 2
        awk -v a="$before" -v b="$(busy_seconds)" 'BEGIN { exit !(b - a < 0.2) }' && return
    done
    echo "check.sh: the machine is still busy after ${idle_wait}s; measuring anyway" >&2
}

# measure INDEX RUN: appends "wall rss_kb cpu others_cpu" to $tmp/INDEX.times,
# where others_cpu is what the rest of the machine used meanwhile.
measure() {
    local i=$1 run=$2 rc=0 busy_before busy_after
    wait_idle
    busy_before=$(busy_seconds)
    command_of "$i" >"$tmp/$i.out" 2>"$tmp/$i.err" || rc=$?
    busy_after=$(busy_seconds)
    if [[ ${labels[$i]} == check ]]; then
        if ((rc != 0 && rc != 1)); then
            cat "$tmp/$i.err" >&2
            die "the check exited $rc (run $run): ${shown[$i]}"
        fi
        # A check that analysed nothing would be fast for the wrong reason.
        local bins
        bins=$(jq '.binaries | length' "$tmp/$i.out") || die "the check printed no JSON (run $run)"
        ((bins > 0)) || die "the check analysed no binary (run $run)"
    elif ((rc != 0)); then
        cat "$tmp/$i.err" >&2
        die "${labels[$i]} exited $rc (run $run): ${shown[$i]}"
    fi
    # GNU time prints "Command exited with non-zero status N" first on failure.
    tail -1 "$tmp/time" | awk -v busy="$(awk -v a="$busy_before" -v b="$busy_after" 'BEGIN { print b - a }')" \
        '{ cpu = $3 + $4; others = busy - cpu; printf "%s %s %.2f %.2f\n", $1, $2, cpu, (others > 0 ? others : 0) }' \
        >>"$tmp/$i.times"
    echo "check.sh: run $run ${labels[$i]}: $(tail -1 "$tmp/$i.times" |
        awk '{ printf "%.2f s, %.0f MB, %.2f s CPU, others %.2f s CPU", $1, $2 / 1024, $3, $4 }')" >&2
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for run in $(seq 1 "$runs"); do
    for i in "${!labels[@]}"; do
        measure "$i" "$run"
    done
done

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { awk -v c="$2" '{ print $c }' "$tmp/$1.times"; }

base_median=$(column 0 1 | median)
revision=$(git -C "$repo" describe --always --dirty 2>/dev/null || echo "not a git checkout")
echo
echo "Corpus: $(head -1 "$tmp/0.out")"
echo "Reachable from the members' targets: $(head -1 "$tmp/2.out")"
echo "Check: $(jq -r '"\(.binaries | length) binaries analysed, \(.diagnostics | length) diagnostics"' "$tmp/1.out")"
echo "Source: $revision; runs: $runs of each, alternating; $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "Load average (1, 5, 15 min) before the first run: $load_before (other work on the machine inflates wall times)"
echo
# Two ratios to the baseline: of the medians, and the median of each run's
# ratio to the baseline run just before it (steadier when the machine's speed
# drifts during the runs).
# "others' CPU" is the busy time of the rest of the machine during the runs
# (median): well above zero means the wall times are inflated.
echo "| measurement | median wall s | min wall s | median CPU s | others' CPU s | peak RSS MB | median / baseline median | median of per-run ratios |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for i in "${!labels[@]}"; do
    med=$(column "$i" 1 | median)
    min=$(column "$i" 1 | sort -n | head -1)
    cpu=$(column "$i" 3 | median)
    others=$(column "$i" 4 | median)
    rss=$(column "$i" 2 | sort -n | tail -1)
    paired=$(paste -d' ' <(column 0 1) <(column "$i" 1) | awk '{ print $2 / $1 }' | median)
    awk -v l="\`${shown[$i]}\`" -v med="$med" -v min="$min" -v cpu="$cpu" -v o="$others" -v rss="$rss" \
        -v b="$base_median" -v p="$paired" 'BEGIN {
            printf "| %s | %.2f | %.2f | %.2f | %.2f | %.0f | %.2fx | %.2fx |\n", l, med, min, cpu, o, rss / 1024, med / b, p
        }'
done
