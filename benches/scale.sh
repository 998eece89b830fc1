#!/usr/bin/env bash
# How the cost of `cargo freeze check --static` grows (issue 18), in one run:
#
#   1. the crates.io corpus (benches/corpus.sh, pinned by benches/corpus.lock);
#   2. the public workspaces of benches/eval/labels.json at their pinned
#      commits, from git snapshots in $EVAL_MIRROR (default /work/.mirror;
#      missing ones are skipped and named), `--workspace --bins --examples`;
#   3. the synthetic workspace of benches/synth.rs with 1, 10, 100 and 200
#      binaries over the same library (scale 1);
#   4. the synthetic workspace with one binary at 0.1x, 1x and 4x the code.
#
# For each: the baseline (benches/parse_baseline.rs: read and `syn::parse_file`
# every .rs file once, one thread), the check's wall and CPU time, their
# ratio, the check's peak RSS and the .rs source size. Medians of RUNS runs,
# baseline and check alternating, so a drift in the machine's speed hits both.
# Goals (BENCHMARKS.md): check <= 0.5x the baseline on 2 cores; 200 binaries
# <= 1.2x one binary; peak RSS <= 2x the source size.
#
# Usage: bash benches/scale.sh            (RUNS=3 by default)
#        RUNS=5 bash benches/scale.sh
# Exits 2 when a build or a measured command fails (the check's exit 1,
# findings at deny level, is a normal result).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=benches/eval/extract.sh
source "$repo/benches/eval/extract.sh"
runs=${RUNS:-3}
mirror=${EVAL_MIRROR:-/work/.mirror}
work=${EVAL_WORK:-$repo/target/eval}

die() {
    echo "scale.sh: $*" >&2
    exit 2
}
[[ -x /usr/bin/time ]] || die "GNU time is needed for peak RSS (apt-get install time)"
command -v jq >/dev/null || die "jq is needed to read cargo's JSON (apt-get install jq)"
command -v python3 >/dev/null || die "python3 is needed to read benches/eval/labels.json"

echo "scale.sh: building cargo-freeze, parse_baseline and synth (release)" >&2
artifacts=$(cd "$repo" && cargo build --release --bin cargo-freeze --bench parse_baseline --bench synth \
    --message-format=json) || die "cargo build failed"
executable() { # TARGET_NAME KIND
    jq -r --arg name "$1" --arg kind "$2" \
        'select(.reason == "compiler-artifact" and .target.name == $name and (.target.kind | index($kind)))
         | .executable // empty' <<<"$artifacts" | tail -1
}
freeze=$(executable cargo-freeze bin)
baseline=$(executable parse_baseline bench)
synth=$(executable synth bench)
[[ -x $freeze && -x $baseline && -x $synth ]] || die "cargo printed no executable for one of the programs"

tmp=$(mktemp -d)
rows=0
trap 'rm -rf "$tmp"' EXIT

# timed NAME CMD...: runs CMD under GNU time, appends "wall cpu rss_kb" to
# $tmp/NAME. The check's exit 1 (findings) counts as success.
timed() {
    local name=$1 rc=0
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
    if ((rc != 0 && rc != 1)); then
        cat "$tmp/err" >&2
        die "exited $rc: $*"
    fi
    tail -1 "$tmp/time" | awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' >>"$tmp/$name"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { awk -v c="$2" '{ print $c }' "$tmp/$1"; }
rs_bytes() { find "$@" -name '*.rs' -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'; }

# Each workspace (or list of them) is checked by one process per workspace;
# a list runs inside one shell so the timing covers all of them.
check_all() { # MANIFEST... (check every binary and example of each)
    for m in "$@"; do
        "$freeze" freeze check --static --format json --manifest-path "$m" --workspace --bins --examples >/dev/null || (($? == 1))
    done
}
baseline_all() { # DIR...
    for d in "$@"; do "$baseline" "$d" >/dev/null; done
}
export -f check_all baseline_all
export freeze baseline

# row LABEL BASE_DIRS MANIFESTS: measures the baseline over BASE_DIRS and the
# check over MANIFESTS (space-separated lists), RUNS times alternating, and
# prints one table row. BASE_DIRS "-" skips the baseline.
row() {
    local label=$1 dirs=$2 manifests=$3 key=$((++rows))
    for _ in $(seq 1 "$runs"); do
        [[ $dirs == - ]] || timed "b$key" bash -c 'baseline_all "$@"' _ $dirs
        timed "c$key" bash -c 'check_all "$@"' _ $manifests
    done
    local bytes wall cpu rss bwall="" ratio="-"
    # shellcheck disable=SC2086
    bytes=$(rs_bytes $(for m in $manifests; do dirname "$m"; done))
    wall=$(col "c$key" 1 | median)
    cpu=$(col "c$key" 2 | median)
    rss=$(col "c$key" 3 | sort -n | tail -1)
    if [[ $dirs != - ]]; then
        bwall=$(col "b$key" 1 | median)
        ratio=$(awk -v c="$wall" -v b="$bwall" 'BEGIN { printf "%.2fx", c / b }')
    fi
    echo "$wall" >"$tmp/last_wall"
    awk -v l="$label" -v bw="${bwall:--}" -v w="$wall" -v c="$cpu" -v r="$ratio" -v rss="$rss" -v by="$bytes" 'BEGIN {
        printf "| %s | %s | %.2f | %.2f | %s | %.0f | %.1f | %.2fx |\n", l, bw, w, c, r, rss / 1024, by / 1048576, rss * 1024 / by
    }'
}

header() {
    echo
    echo "### $1"
    echo
    echo "| what | baseline wall s | check wall s | check CPU s | check / baseline | peak RSS MB | .rs MB | RSS / source |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
}

echo "Source: $(git -C "$repo" describe --always --dirty 2>/dev/null || echo "not a git checkout"); RUNS=$runs (medians; RSS is the largest)"
echo "Machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# 1. The crates.io corpus: one binary that links ~90 libraries.
corpus=$repo/benches/corpus
[[ -f $corpus/Cargo.toml ]] || bash "$repo/benches/corpus.sh" "$corpus" || die "benches/corpus.sh failed"
header "crates.io corpus (benches/corpus; the baseline parses every .rs file, the check only what the binary reaches)"
row "benches/corpus" "$corpus" "$corpus/Cargo.toml"

# 2. Public workspaces at pinned commits (only .rs, Cargo.toml, Cargo.lock).
manifests=() dirs=()
while IFS=$'\t' read -r name commit; do
    slug=${name/\//+}
    src=$work/$slug-${commit:0:12}
    if [[ ! -d $src ]]; then
        gitdir=$mirror/$slug/repo
        if ! git --git-dir="$gitdir" cat-file -e "$commit^{commit}" 2>/dev/null; then
            echo "scale.sh: skipped $name (no snapshot of $commit in $mirror)" >&2
            continue
        fi
        mkdir -p "$src.tmp"
        extract_sources "$gitdir" "$commit" "$src.tmp"
        mv "$src.tmp" "$src"
    fi
    manifests+=("$src/Cargo.toml")
    dirs+=("$src")
done < <(python3 -c '
import json, sys
seen = set()
for e in json.load(open(sys.argv[1])):
    if (e["repo"], e["commit"]) not in seen:
        seen.add((e["repo"], e["commit"]))
        print(e["repo"] + "\t" + e["commit"])
' "$repo/benches/eval/labels.json")
header "public workspaces (benches/eval/labels.json, pinned commits; --workspace --bins --examples)"
if ((${#manifests[@]})); then
    row "all ${#manifests[@]} workspaces" "${dirs[*]}" "${manifests[*]}"
    for big in jdx+mise zellij-org+zellij atuinsh+atuin; do
        for i in "${!dirs[@]}"; do
            [[ ${dirs[$i]} == */$big-* ]] && row "$big" "${dirs[$i]}" "${manifests[$i]}"
        done
    done
fi

# 3. Binaries: the same library (scale 1), 1 to 200 binaries.
header "synthetic: binaries over the same library (scale 1)"
one=""
for bins in 1 10 100 200; do
    "$synth" "$tmp/synth" "$bins" 1 || die "synth failed"
    label="$bins binaries"
    ((bins == 1)) && label="1 binary"
    row "$label" "$tmp/synth" "$tmp/synth/Cargo.toml"
    wall=$(cat "$tmp/last_wall")
    one=${one:-$wall}
    echo "$bins $wall" >>"$tmp/bins"
done
echo
awk -v one="$one" 'NR > 1 { printf "%s binaries: %.2fx the time of 1 binary\n", $1, $2 / one }' "$tmp/bins"

# 4. Code: one binary, 0.1x to 4x the library.
header "synthetic: code size (one binary)"
for scale in 0.1 1 4; do
    "$synth" "$tmp/synth" 1 "$scale" || die "synth failed"
    row "${scale}x code" "$tmp/synth" "$tmp/synth/Cargo.toml"
done
