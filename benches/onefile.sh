#!/usr/bin/env bash
# One-file bundles, measured in one run against baselines from the same run:
#  1. start-up: RUNS warm starts of the one-file vs the one-dir executable run
#     directly, for a program that exits at once and one that runs ~50 ms
#     (fixtures/onefile/hello, release; HELLO_SLEEP_MS=50);
#  2. cold start: extraction throughput (MB of unpacked payload per second)
#     of a one-file carrying BIG_MB of real binaries as data (shared
#     libraries from /usr/lib), median of COLD runs into fresh caches,
#     against a baseline from the same run: `zstd -d | tar -x` of the same
#     one-dir packed by `zstd -19`, then `sync -f` (C zstd, one thread);
#  3. size: the one-file vs `tar | zstd -19` of the same one-dir plus the
#     bootloader, and the bootloader itself; and the pack time.
# Prints markdown tables. Usage: bash benches/onefile.sh [RUNS] [BIG_MB] [COLD]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-200}; big_mb=${2:-64}; cold_runs=${3:-5}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
(cd "$repo" && cargo build --release -q --bin cargo-freeze)
freeze="$repo/target/release/cargo-freeze"
manifest="$repo/fixtures/onefile/hello/Cargo.toml"
export CARGO_TARGET_DIR="$repo/target/fixtures"
now() { date +%s%N; }
bundle() { "$freeze" freeze "$@" --release -q --no-check --clean --manifest-path "$manifest" >/dev/null; }

bundle --onedir --dist "$tmp/onedir"
bundle --onefile --dist "$tmp/onefile"
direct="$tmp/onedir/hello/hello"; onefile="$tmp/onefile/hello"
export XDG_CACHE_HOME=$tmp/cache
"$onefile" >/dev/null   # extract once: the starts below are warm
per_start() { local s e; s=$(now); for _ in $(seq "$runs"); do "$@" >/dev/null; done; e=$(now); echo $(( (e - s) / runs / 1000 )); }
ratio() { awk "BEGIN{printf \"%.3f\", $1/$2}"; }
echo "### Start-up ($runs starts each, µs per start)"
echo
echo "| program | one-dir, run directly | one-file, warm | ratio | difference |"
echo "|---|---:|---:|---:|---:|"
for ms in 0 50; do
    n=$runs; [ "$ms" = 0 ] || runs=$(( runs / 4 ))
    d=$(HELLO_SLEEP_MS=$ms per_start "$direct"); w=$(HELLO_SLEEP_MS=$ms per_start "$onefile")
    echo "| exits at once (HELLO_SLEEP_MS=$ms) | $d | $w | $(ratio "$w" "$d")x | $(( w - d )) µs |" | sed "s/exits at once (HELLO_SLEEP_MS=50)/runs ~50 ms/"
    runs=$n
done

# A payload of real binaries, as data next to the program.
mkdir -p "$tmp/big"
find /usr/lib/x86_64-linux-gnu /usr/lib -maxdepth 2 -type f -name '*.so*' -size +100k 2>/dev/null | sort \
    | xargs cat 2>/dev/null | head -c $(( big_mb * 1024 * 1024 )) > "$tmp/big/blob.bin" || true
s=$(now); bundle --onefile --dist "$tmp/big-onefile" --add-data "$tmp/big/blob.bin:data"; pack_ms=$(( ($(now) - s) / 1000000 ))
bundle --onedir --dist "$tmp/big-onedir" --add-data "$tmp/big/blob.bin:data"
big="$tmp/big-onefile/hello"
unpacked=$("$freeze" freeze inspect "$big" | sed -n 's/.*, \([0-9]*\) bytes unpacked/\1/p')
colds=()
for i in $(seq "$cold_runs"); do
    rm -rf "$tmp/cold"; s=$(now); XDG_CACHE_HOME=$tmp/cold "$big" >/dev/null; colds+=($(( ($(now) - s) / 1000 )))
done
cold_us=$(printf '%s\n' "${colds[@]}" | sort -n | sed -n "$(( (cold_runs + 1) / 2 ))p")
warm_us=$(XDG_CACHE_HOME=$tmp/cold per_start "$big")
tar -C "$tmp/big-onedir/hello" --sort=name -cf - . | zstd -19 -T0 -q -c > "$tmp/big.tar.zst"
bases=()
for i in $(seq "$cold_runs"); do
    rm -rf "$tmp/untar"; mkdir "$tmp/untar"; s=$(now)
    zstd -d -q -c "$tmp/big.tar.zst" | tar -C "$tmp/untar" -xf -; sync -f "$tmp/untar"
    bases+=($(( ($(now) - s) / 1000 )))
done
base_us=$(printf '%s\n' "${bases[@]}" | sort -n | sed -n "$(( (cold_runs + 1) / 2 ))p")
echo
echo "### Cold start: extraction of a ${big_mb} MiB payload (median of $cold_runs, fresh cache each)"
echo
echo "| measure | value |"
echo "|---|---:|"
echo "| unpacked payload | $unpacked bytes |"
echo "| cold start (extract + run) | $cold_us µs |"
echo "| warm start of the same file | $warm_us µs |"
echo "| extraction throughput | $(awk "BEGIN{printf \"%.0f\", $unpacked / ($cold_us - $warm_us)}") MB/s |"
echo "| baseline: zstd -d \\| tar -x, sync | $base_us µs ($(awk "BEGIN{printf \"%.0f\", $unpacked / $base_us}") MB/s) |"
echo "| extraction time vs baseline | $(ratio $(( cold_us - warm_us )) "$base_us")x |"

boot=$("$freeze" freeze inspect "$big" | awk '/bootloader/ {for (i=1;i<=NF;i++) if ($i ~ /^[0-9]+$/) {print $i; exit}}')
tarzst=$(wc -c < "$tmp/big.tar.zst")
small_tarzst=$(tar -C "$tmp/onedir/hello" --sort=name -cf - . | zstd -19 -T0 -q -c | wc -c)
echo
echo "### Size (bytes)"
echo
echo "| bundle | one-file | tar \\| zstd -19 of the one-dir + bootloader | ratio |"
echo "|---|---:|---:|---:|"
small=$(stat -c %s "$onefile"); bigsize=$(stat -c %s "$big")
echo "| hello (release) | $small | $(( small_tarzst + boot )) | $(ratio "$small" $(( small_tarzst + boot )))x |"
echo "| hello + ${big_mb} MiB of libraries | $bigsize | $(( tarzst + boot )) | $(ratio "$bigsize" $(( tarzst + boot )))x |"
echo
echo "Bootloader: $boot bytes ($(awk "BEGIN{printf \"%.1f\", $boot/1024}") KiB). Packing the ${big_mb} MiB one-file (build, check off, zstd -19, one thread per frame): $pack_ms ms."
