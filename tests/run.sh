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
  # A one-dir fixture links the system's libsqlite3 (bundles need no
  # patchelf: run paths are set in-process).
  if [ ! -e /usr/include/sqlite3.h ]; then
    say "installing libsqlite3-dev"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libsqlite3-dev
  fi
fi

# UPX (the --upx tests use the real one): Debian's upx-ucl, from the
# backports suite of the mirror apt already uses (bookworm has none in main).
install_upx() {
  local sudo="" codename uri
  [ "$(id -u)" = 0 ] || sudo=sudo
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  if ! grep -rqs -- "${codename}-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
    uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | grep -v security | head -n 1 | awk '{print $2}')
    [ -n "$uri" ] || uri=$(grep -hs '^deb ' /etc/apt/sources.list | grep -v security | head -n 1 | awk '{print $2}')
    [ -n "$uri" ] || { echo "no Debian mirror in the apt sources: install UPX 3.96+ by hand" >&2; return 1; }
    printf 'Types: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$uri" "$codename" | $sudo tee /etc/apt/sources.list.d/backports-for-upx.sources >/dev/null
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -t "${codename}-backports" upx-ucl
}
upx_setup=../shared/tools/install-upx.sh
if [ -f "$upx_setup" ]; then
  say "installing UPX ($upx_setup)"
  bash "$upx_setup"
elif ! command -v upx >/dev/null; then
  say "installing UPX (upx-ucl from the Debian release's backports)"
  install_upx
fi

# Windows: the probe's Job Object code is linted for x86_64-pc-windows-gnu,
# and tests run it and a Windows one-file bundle under Wine (MinGW, Wine 8
# and a shim DLL it lacks).
wine_setup=../shared/tools/setup-wine.sh
if [ -f "$wine_setup" ]; then
  say "setting up the Windows target, MinGW and Wine ($wine_setup)"
  bash "$wine_setup"
else
  if ! rustup target list --installed | grep -qx x86_64-pc-windows-gnu; then
    say "adding the x86_64-pc-windows-gnu target (the Wine test will say it is skipped without wine64)"
    rustup target add x86_64-pc-windows-gnu
  fi
  # The Windows clippy pass builds C (zstd-sys) with MinGW's gcc.
  if ! command -v x86_64-w64-mingw32-gcc >/dev/null && [ "$(id -u)" = 0 ]; then
    say "installing MinGW-w64 (gcc-mingw-w64-x86-64) for the Windows clippy pass"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gcc-mingw-w64-x86-64
  fi
fi

say "cargo fmt --check (the crate, and the bootloader crate under templates/)"
cargo fmt --check
cargo fmt --check --manifest-path templates/bootloader/Cargo.toml

say "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

say "cargo clippy --target x86_64-pc-windows-gnu --all-targets -- -D warnings"
cargo clippy --target x86_64-pc-windows-gnu --all-targets --locked -- -D warnings

# The one-file bootloader is a crate of its own, built on users' machines.
for target in x86_64-unknown-linux-gnu x86_64-pc-windows-gnu; do
  say "cargo clippy on templates/bootloader for $target"
  cargo clippy --manifest-path templates/bootloader/Cargo.toml --target-dir target/bootloader --target "$target" \
    --all-targets --locked -- -D warnings
done

# Private items too: the module docs are the architecture's map.
say "cargo doc --document-private-items (rustdoc warnings are errors)"
RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --document-private-items --quiet

# macOS: compiled and linted for both apple targets, never run here.
say "macOS: clippy for the apple targets, a release build of the bootloader (tests/apple.sh)"
bash tests/apple.sh

say "cargo test"
# Tests whose prerequisite is missing fail under CI; locally they are
# skipped loudly and listed here at the end (tests/integration/support.rs).
skips=target/tmp/skips.log
rm -f "$skips"
report_skips() {
  if [ -s "$skips" ]; then
    say "skipped tests ($(wc -l <"$skips")): a prerequisite was missing"
    cat "$skips"
  else
    say "no test was skipped"
  fi
}
trap report_skips EXIT
cargo test --locked

# The probe on a pure cgroup v2 host (root, non-root, a delegated subtree),
# which this host cannot show: one boot of a VM (tests/vm/run.sh).
if [ "$(id -u)" = 0 ]; then
  say "the VM lane: the probe on a pure cgroup v2 guest (tests/vm/run.sh)"
  bash tests/vm/run.sh
elif [ -n "${CI:-}" ] && [ "${CI}" != false ] && [ "${CI}" != 0 ]; then
  echo "the VM lane needs root (it installs qemu and boots a guest); CI runs as root" >&2
  exit 1
else
  say "SKIP the VM lane: it needs root to install qemu and boot a guest"
  echo "SKIP vm lane (tests/vm/run.sh): needs root" >>"$skips"
fi
