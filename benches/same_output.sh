#!/usr/bin/env bash
# Whether two builds of cargo-freeze give the same `check --static` output:
# `--format json --workspace --bins --examples`, stdout and exit code,
# compared byte for byte in each directory. Used to show that a speed or
# memory change (issue 18) changes no verdict, and to list what a change to
# the analysis (issue 14) changes on real code.
#
# Usage: bash benches/same_output.sh OLD_BINARY NEW_BINARY DIR...
#        e.g. bash benches/same_output.sh old/cargo-freeze target/release/cargo-freeze target/eval/* benches/corpus
# Prints each directory that differs, then "N workspaces, M differ";
# exit 0 when none differs, 1 otherwise.
set -euo pipefail
(($# >= 3)) || { echo "usage: same_output.sh OLD_BINARY NEW_BINARY DIR..." >&2; exit 2; }
old=$(realpath "$1") new=$(realpath "$2")
shift 2
run() { # BINARY MANIFEST
    "$1" freeze check --static --format json --manifest-path "$2" --workspace --bins --examples 2>/dev/null || echo "exit $?"
}
n=0 differ=0
for dir in "$@"; do
    [[ -f $dir/Cargo.toml ]] || continue
    n=$((n + 1))
    # Quoted: unquoted, the right side of != is a glob pattern.
    if [[ "$(run "$old" "$dir/Cargo.toml")" != "$(run "$new" "$dir/Cargo.toml")" ]]; then
        differ=$((differ + 1))
        echo "differs: $dir"
    fi
done
echo "$n workspaces, $differ differ"
((differ == 0))
