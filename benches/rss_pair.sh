#!/usr/bin/env bash
# Peak memory of two builds of cargo-freeze, input by input (issue 18):
# `check --static --format json --workspace --bins --examples` in each
# directory, run with OLD then NEW, once by GNU time's %M (the check and the
# children it waited for) and once by the check's own VmHWM
# (benches/vmhwm.py). Prints one line per directory:
#   DIR RS_BYTES OLD_%M NEW_%M OLD_VMHWM NEW_VMHWM     (KiB)
#
# Usage: bash benches/rss_pair.sh OLD_BINARY NEW_BINARY DIR...
#        e.g. bash benches/rss_pair.sh old/cargo-freeze target/release/cargo-freeze target/eval/* benches/corpus
set -euo pipefail
(($# >= 3)) || { echo "usage: rss_pair.sh OLD_BINARY NEW_BINARY DIR..." >&2; exit 2; }
old=$(realpath "$1") new=$(realpath "$2")
shift 2
here=$(cd "$(dirname "$0")" && pwd)
command -v /usr/bin/time >/dev/null || { echo "rss_pair.sh: GNU time (/usr/bin/time) is needed" >&2; exit 2; }
args=(freeze check --static --format json --workspace --bins --examples)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for dir in "$@"; do
    [[ -f $dir/Cargo.toml ]] || { echo "rss_pair.sh: $dir has no Cargo.toml" >&2; exit 2; }
    src=$(find "$dir" -name '*.rs' -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')
    row="$dir $src"
    for bin in "$old" "$new"; do
        (cd "$dir" && /usr/bin/time -f %M -o "$out" "$bin" "${args[@]}" >/dev/null 2>&1) || true
        row="$row $(tail -1 "$out")"
    done
    for bin in "$old" "$new"; do
        row="$row $(cd "$dir" && python3 "$here/vmhwm.py" "$bin" "${args[@]}" || true)"
    done
    echo "$row"
done
