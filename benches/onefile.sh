#!/usr/bin/env bash
# Warm start of a one-file vs the one-dir program run directly, same run.
# Usage: bash benches/onefile.sh ONEFILE ONEDIR_EXE [RUNS]
# (make ONEFILE with the library API or `cargo freeze --onefile` once wired).
set -euo pipefail
onefile=$1; direct=$2; runs=${3:-200}
cache=$(mktemp -d); trap 'rm -rf "$cache"' EXIT
export XDG_CACHE_HOME=$cache
t() { local s e; s=$(date +%s%N); for _ in $(seq "$runs"); do "$@" >/dev/null; done; e=$(date +%s%N); echo $(( (e - s) / runs / 1000 )); }
s=$(date +%s%N); "$onefile" >/dev/null; cold=$(( ($(date +%s%N) - s) / 1000 ))
direct_us=$(t "$direct"); warm_us=$(t "$onefile")
echo "| measure | µs per start | ratio vs direct |"
echo "|---|---|---|"
echo "| onedir exe, direct | $direct_us | 1.00x |"
echo "| onefile, warm | $warm_us | $(awk "BEGIN{printf \"%.2f\", $warm_us/$direct_us}")x |"
echo "| onefile, cold (one run) | $cold | $(awk "BEGIN{printf \"%.2f\", $cold/$direct_us}")x |"
echo "bootloader size: see \`cargo freeze inspect ONEFILE\` (bootloader: N bytes)"
