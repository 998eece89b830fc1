#!/usr/bin/env bash
# The VM lane: the probe where users' CI runs, a pure cgroup v2 host (as
# root, as a non-root user, and as a non-root user in a delegated subtree
# with a pids limit of its own), which this project's CI host (cgroup v1
# pids + a v2 mount without controllers) cannot show. It boots this
# machine's Debian kernel once in qemu (software emulation: KVM is not
# usable here) with virtme-ng, whose guest sees the host's files read-only
# (target/ and CARGO_HOME writable), and runs the probe tests there
# (tests/vm/guest.sh): the storm-shape matrix, the v2 leaf tests and the
# delegated-subtree tests. Exits with the guest's status; says loudly why
# when the lane cannot run.
#
# Usage: bash tests/vm/run.sh     (tests/run.sh runs it after cargo test)
# Installs what it needs (as root): qemu-system-x86, linux-image-amd64 and
# busybox-static from Debian (backports where the main suite's qemu clashes
# with the backports qemu-utils of this machine kind), virtme-ng from PyPI
# into target/vm/venv.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
say() { printf '\n==> vm lane: %s\n' "$*"; }
fail() { printf '\nvm lane: %s\n' "$*" >&2; exit 2; }

codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
install() {
  [ "$(id -u)" = 0 ] || fail "needs root to install $* (apt-get)"
  apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
  apt_install "$@" || apt_install -t "${codename}-backports" "$@" ||
    { apt-get update -qq && { apt_install "$@" || apt_install -t "${codename}-backports" "$@"; }; } ||
    fail "could not install $* with apt-get"
}
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
ls /boot/vmlinuz-* >/dev/null 2>&1 || missing+=(linux-image-amd64)
command -v busybox >/dev/null && busybox --list >/dev/null 2>&1 && file -L "$(command -v busybox)" 2>/dev/null | grep -q static ||
  missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  install "${missing[@]}"
fi
kernel=$(ls /boot/vmlinuz-* | sort -V | tail -n 1)
venv=$repo/target/vm/venv
if [ ! -x "$venv/bin/vng" ]; then
  say "installing virtme-ng into $venv"
  python3 -m venv "$venv" && "$venv/bin/pip" install -q virtme-ng || fail "could not install virtme-ng from PyPI"
fi

say "building the integration tests"
test_bin=$(cargo test --locked --test integration --no-run --message-format=json 2>/dev/null |
  python3 -c 'import sys, json
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "integration" and m.get("executable"):
        print(m["executable"])' | tail -n 1)
[ -x "$test_bin" ] || fail "no integration test binary was built"

cargo_home=${CARGO_HOME:-$HOME/.cargo}
out=$repo/target/vm
mkdir -p "$out"
rm -f "$out/status"
say "booting $kernel (software emulation, ~45 s) and running tests/vm/guest.sh"
start=$(date +%s)
PATH=$venv/bin:$PATH timeout 1200 vng -r "$kernel" --disable-kvm --cpus 2 --memory 2G \
  --rwdir "$repo/target" --rwdir "$cargo_home" \
  --exec "env PATH=$PATH CARGO_HOME=$cargo_home RUSTUP_HOME=${RUSTUP_HOME:-$HOME/.rustup} bash $repo/tests/vm/guest.sh $test_bin $out/status" \
  2>&1 | cat || true
# (Through a pipe: virtme-ng reopens its standard output, which truncates a
# log file it was redirected to, losing everything before the lane.)
status=$(cat "$out/status" 2>/dev/null || echo "none")
say "guest finished in $(($(date +%s) - start)) s with status $status"
[ "$status" = 0 ] || fail "the tests in the guest failed (status $status; the guest's output is above)"
