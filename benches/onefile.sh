#!/usr/bin/env bash
# Start-up cost of a one-file bundle: builds the one-dir and the one-file of
# fixtures/bundle/private-lib with `cargo freeze` (release), then times, in
# the same run, RUNS starts of the one-dir executable run directly and of
# the one-file (warm: already extracted), plus one cold start (fresh cache).
# Prints a markdown table with ratios against the direct run, and sizes.
# Usage: bash benches/onefile.sh [RUNS]      (default 200)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-200}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$repo" && cargo build --release -q --bin cargo-freeze)
freeze="$repo/target/release/cargo-freeze"
for mode in onedir onefile; do
    CARGO_TARGET_DIR="$repo/target/fixtures" "$freeze" freeze --$mode --release -q \
        --manifest-path "$repo/fixtures/bundle/private-lib/Cargo.toml" --dist "$tmp/$mode" >/dev/null
done
direct="$tmp/onedir/private-lib/private-lib"; onefile="$tmp/onefile/private-lib"
export XDG_CACHE_HOME=$tmp/cache
t() { local s e; s=$(date +%s%N); for _ in $(seq "$runs"); do "$@" >/dev/null; done; e=$(date +%s%N); echo $(( (e - s) / runs / 1000 )); }
s=$(date +%s%N); "$onefile" >/dev/null; cold=$(( ($(date +%s%N) - s) / 1000 ))
direct_us=$(t "$direct"); warm_us=$(t "$onefile")
echo "| measure | µs per start | ratio vs direct |"
echo "|---|---:|---:|"
echo "| one-dir executable, run directly | $direct_us | 1.00x |"
echo "| one-file, warm | $warm_us | $(awk "BEGIN{printf \"%.2f\", $warm_us/$direct_us}")x |"
echo "| one-file, cold (one run) | $cold | $(awk "BEGIN{printf \"%.2f\", $cold/$direct_us}")x |"
"$freeze" freeze inspect "$onefile" | grep -E "bootloader|payload"
