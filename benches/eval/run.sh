#!/usr/bin/env bash
# Scores `cargo freeze check --static` against hand-made labels on public
# Rust workspaces (benches/eval/labels.json: repo, pinned commit, package,
# binary, expected verdict, file:line evidence, split dev|held-out|held-out-2|held-out-3|held-out-4|held-out-5|held-out-6|held-out-7|held-out-8|held-out-9|held-out-10|held-out-11|held-out-12|held-out-13|held-out-14|held-out-15).
#
# What it needs, per repo, one of:
#   - a git snapshot holding the pinned commit at $EVAL_MIRROR/<owner>+<name>/repo
#     (default EVAL_MIRROR=/work/.mirror, where the session tool `fetch` puts them), or
#   - a checkout of the pinned commit at $EVAL_SRC/<owner>+<name> (used as it is).
# Only `*.rs`, `Cargo.toml` and `Cargo.lock` are extracted (into $EVAL_WORK,
# default target/eval); discovery is `cargo metadata --no-deps --offline`, so
# no dependency is downloaded and nothing is built or run.
#
# Usage: bash benches/eval/run.sh [dev|held-out|held-out-2|held-out-3|held-out-4|held-out-5|held-out-6|held-out-7|held-out-8|held-out-9|held-out-10|held-out-11|held-out-12|held-out-13|held-out-14|held-out-15|all]     (default all)
#        EVAL_SRC=/path/to/checkouts bash benches/eval/run.sh held-out
# Prints one line per binary, then per split: right/total, false
# `unguarded`, and every miss with what the check said. Exit 0 when every
# labelled binary was checked, 2 when a snapshot is missing or the tool failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=benches/eval/extract.sh
source "$here/extract.sh"
repo_root=$(cd "$here/../.." && pwd)
split=${1:-all}
case $split in
    dev | held-out | held-out-2 | held-out-3 | held-out-4 | held-out-5 | held-out-6 | held-out-7 | held-out-8 | held-out-9 | held-out-10 | held-out-11 | held-out-12 | held-out-13 | held-out-14 | held-out-15 | all) ;;
    *) echo "run.sh: unknown split '$split' (dev, held-out, held-out-2, held-out-3, held-out-4, held-out-5, held-out-6, held-out-7, held-out-8, held-out-9, held-out-10, held-out-11, held-out-12, held-out-13, held-out-14, held-out-15 or all)" >&2; exit 2 ;;
esac
mirror=${EVAL_MIRROR:-/work/.mirror}
work=${EVAL_WORK:-$repo_root/target/eval}
labels=$here/labels.json

command -v python3 >/dev/null || { echo "run.sh: python3 is needed to read labels.json" >&2; exit 2; }
echo "run.sh: building cargo-freeze (release)" >&2
(cd "$repo_root" && cargo build --release --quiet --bin cargo-freeze) || { echo "run.sh: cargo build failed" >&2; exit 2; }
freeze=$repo_root/target/release/cargo-freeze
mkdir -p "$work"

results=$(mktemp)
trap 'rm -f "$results"' EXIT
missing=0
while IFS=$'\t' read -r repo commit package binary; do
    slug=${repo/\//+}
    if [[ -n ${EVAL_SRC:-} && -d $EVAL_SRC/$slug ]]; then
        src=$EVAL_SRC/$slug
    else
        src=$work/$slug-${commit:0:12}
        if [[ ! -d $src ]]; then
            gitdir=$mirror/$slug/repo
            if ! git --git-dir="$gitdir" cat-file -e "$commit^{commit}" 2>/dev/null; then
                echo "run.sh: no snapshot of $repo at $commit: fetch github:$repo into $mirror, or set EVAL_SRC" >&2
                missing=1
                continue
            fi
            mkdir -p "$src.tmp"
            extract_sources "$gitdir" "$commit" "$src.tmp"
            mv "$src.tmp" "$src"
        fi
    fi
    set +e
    out=$("$freeze" freeze check --static --format json --manifest-path "$src/Cargo.toml" -p "$package" --bin "$binary" 2>&1)
    code=$?
    set -e
    if ((code == 2)); then
        echo "run.sh: the check failed on $repo $binary: $out" >&2
        missing=1
        continue
    fi
    printf '%s\t%s\t%s\n' "$repo" "$binary" "$(tr -d '\n' <<<"$out")" >>"$results"
done < <(python3 - "$labels" "$split" <<'PY'
import json, sys
for e in json.load(open(sys.argv[1])):
    if sys.argv[2] in ("all", e["split"]):
        print("\t".join([e["repo"], e["commit"], e["package"], e["binary"]]))
PY
)

python3 - "$labels" "$split" "$results" <<'PY'
import json, sys
labels = {(e["repo"], e["binary"]): e for e in json.load(open(sys.argv[1]))}
got = {}
for line in open(sys.argv[3]):
    repo, binary, out = line.rstrip("\n").split("\t", 2)
    report = json.loads(out)
    b = next(b for b in report["binaries"] if b["name"] == binary)
    why = b.get("reason") or next((d["message"] for d in report["diagnostics"] if d["code"] != "parse-error"), "")
    got[(repo, binary)] = (b["verdict"], why)
splits = {}
print(f"{'repo':28} {'binary':24} {'expected':14} {'got':14}")
for key, e in labels.items():
    if key not in got:
        continue
    verdict, why = got[key]
    ok = verdict == e["expected"]
    print(f"{key[0]:28} {key[1]:24} {e['expected']:14} {verdict:14} {'ok' if ok else 'MISS'}")
    s = splits.setdefault(e["split"] + (" (seen before)" if e.get("seen") else ""), {"right": 0, "total": 0, "false_unguarded": 0, "misses": []})
    s["total"] += 1
    s["right"] += ok
    if verdict == "unguarded" and e["expected"] != "unguarded":
        s["false_unguarded"] += 1
    if not ok:
        s["misses"].append(f"{key[0]} {key[1]}: expected {e['expected']}, got {verdict}: {why}")
for name, s in splits.items():
    pct = 100.0 * s["right"] / s["total"] if s["total"] else 0.0
    print(f"\n{name}: {s['right']}/{s['total']} right ({pct:.1f}%), {s['false_unguarded']} false unguarded")
    for m in s["misses"]:
        print(f"  miss: {m}")
PY
exit $missing
