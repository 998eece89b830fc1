#!/usr/bin/env bash
# The test suite, with its set-up, on a fresh machine: `bash tests/run.sh`.
# CI (.ci/run) runs exactly this. Everything it needs is installed here.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\n==> %s\n' "$*"; }

# The non-root test runs cargo as uid 65534; a rustup toolchain under a
# private /root must be reachable (search permission only) for that user.
if [ "$(id -u)" = 0 ]; then
  sysroot=$(rustc --print sysroot)
  case "$sysroot" in
    /root/*)
      if [ "$(stat -c %a /root)" = 700 ]; then
        say "making /root searchable (o+x) so uid 65534 can run the toolchain in $sysroot"
        chmod o+x /root
      fi ;;
  esac
  command -v setpriv >/dev/null || { say "installing util-linux (setpriv)"; apt-get update -qq && apt-get install -y -qq util-linux; }
fi

# One-file tests: a Windows bootloader and fixture, run under Wine.
rustup target list --installed 2>/dev/null | grep -q x86_64-pc-windows-gnu || rustup target add x86_64-pc-windows-gnu
[ -x ../shared/tools/setup-wine.sh ] && bash ../shared/tools/setup-wine.sh

say "cargo fmt --check"
cargo fmt --check

say "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

say "cargo test"
cargo test --locked
