#!/usr/bin/env bash
# macOS, compiled and linted here, never run (no macOS machine): clippy with
# -D warnings on the tool and the one-file bootloader for x86_64-apple-darwin
# and aarch64-apple-darwin, and a release build of the bootloader for both
# (a Mach-O a one-file bundle for macOS would carry). zig is the C compiler
# and linker (cargo-zigbuild; zstd-sys builds C). The linker warns that no
# macOS SDK is present: harmless for a build that is never run here.
#
# Usage: bash tests/apple.sh    (tests/run.sh runs it)
# Installs what it needs: the two rustup targets, ziglang from PyPI into
# target/apple/venv, cargo-zigbuild from crates.io into target/apple/tools.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
out=$repo/target/apple
say() { printf '\n==> apple: %s\n' "$*"; }
targets=(x86_64-apple-darwin aarch64-apple-darwin)

installed=$(rustup target list --installed)
for t in "${targets[@]}"; do
  grep -qx "$t" <<<"$installed" || { say "adding the $t target"; rustup target add "$t"; }
done
# cargo-zigbuild runs zig as `python3 -m ziglang` when no `zig` is on PATH.
if ! "$out/venv/bin/python3" -m ziglang version >/dev/null 2>&1; then
  say "installing ziglang into $out/venv"
  python3 -m venv "$out/venv"
  "$out/venv/bin/pip" install -q 'ziglang==0.17.1'
fi
if [ ! -x "$out/tools/bin/cargo-zigbuild" ]; then
  say "installing cargo-zigbuild into $out/tools"
  cargo install -q --locked --root "$out/tools" cargo-zigbuild@0.24.1
fi
export PATH=$out/venv/bin:$out/tools/bin:$PATH

# With pipefail a failing cargo fails the script; this only drops the noise.
quiet_sdk() { grep -v -e xcrun -e 'the SDK is needed' -e 'DEVELOPER_DIR' -e '^ *|$' -e 'generated 1 warning' || true; }
for t in "${targets[@]}"; do
  say "cargo clippy --target $t --all-targets -- -D warnings (the tool)"
  cargo-zigbuild clippy --locked --target-dir "$out/target" --target "$t" --all-targets -- -D warnings 2>&1 | quiet_sdk
  say "cargo clippy and a release build of templates/bootloader for $t"
  cargo-zigbuild clippy --locked --manifest-path templates/bootloader/Cargo.toml --target-dir "$out/bootloader" \
    --target "$t" --all-targets -- -D warnings 2>&1 | quiet_sdk
  cargo-zigbuild zigbuild --locked --release --manifest-path templates/bootloader/Cargo.toml \
    --target-dir "$out/bootloader" --target "$t" 2>&1 | quiet_sdk
  file "$out/bootloader/$t/release/cargo-freeze-bootloader" 2>/dev/null ||
    ls -l "$out/bootloader/$t/release/cargo-freeze-bootloader"
done
