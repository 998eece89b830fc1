#!/usr/bin/env bash
# Runs inside the VM lane's guest (see tests/vm/run.sh), as root, on a pure
# cgroup v2 hierarchy: the probe tests that need one. Writes the test
# binary's exit status to $2 (the host reads it: the guest's own exit status
# does not always reach it).
set -u
test_bin=$1
status_file=$2
echo "guest: kernel $(uname -r), cgroup $(cat /proc/self/cgroup), controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
if ! grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts || ! grep -qw pids /sys/fs/cgroup/cgroup.controllers; then
  echo "guest: no pure cgroup v2 hierarchy with pids here" >&2
  echo 2 >"$status_file"
  exit 2
fi
cd "$(dirname "$0")/../.."
# No silent skips: a missing prerequisite fails (tests/integration/support.rs).
export CI=true
# Skipped here: the next run's reaping of a dead run's leftovers. In a
# delegated v2 cgroup the dead run left pids enabled below it, so no new
# process can join that cgroup (no internal processes) to reap it; its
# sentinel undoes that (tested by sigkill_of_cargo_freeze_leaves_nothing).
"$test_bin" --include-ignored --test-threads 2 \
  probe_matrix:: probe_delegated:: probe_v2::storms_are_killed probe_v2::clean_program probe_v2::unprivileged_run \
  --skip probe_matrix::leftovers_of_a_dead_run_are_reaped_by_the_next
echo $? >"$status_file"
