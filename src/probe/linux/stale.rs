//! Reaping what earlier runs left behind. A cargo-freeze killed by SIGKILL
//! (or a machine reset) cannot clean up; its sentinel usually does, but a
//! sentinel can be killed too. So each run first looks beside the cgroups
//! it is about to create, and in the temporary directory, for names of
//! runs whose owner is gone ([`RunId::alive`]), kills whatever still runs
//! in such a cgroup and removes it.

use super::cgroup::v2::remove_dir_retrying;
use super::kill::signal_each;
use super::run_id::{PROBE_PREFIX, RunId, SELF_PREFIX};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Reaps dead runs' cgroups beneath `parents` and temporary directories in
/// `tmp`; returns what was removed, for the report.
pub(crate) fn reap(parents: &[PathBuf], tmp: &Path) -> Vec<String> {
    let mut reaped = Vec::new();
    for parent in parents {
        for dir in dead_entries(parent, PROBE_PREFIX) {
            empty_cgroup(&dir);
            if remove_dir_retrying(&dir) {
                reaped.push(dir.display().to_string());
            }
        }
        let own_leaves = dead_entries(parent, SELF_PREFIX);
        if !own_leaves.is_empty() && live_entries(parent) == 0 {
            // A dead run had moved itself here and enabled pids below its
            // home; no live run relies on that now.
            let _ = std::fs::write(parent.join("cgroup.subtree_control"), "-pids");
        }
        for dir in own_leaves {
            if std::fs::remove_dir(&dir).is_ok() {
                reaped.push(dir.display().to_string());
            }
        }
    }
    // SAFETY: plain syscall.
    let uid = unsafe { libc::geteuid() };
    for dir in dead_entries(tmp, PROBE_PREFIX) {
        let owned = std::fs::symlink_metadata(&dir).is_ok_and(|m| {
            use std::os::unix::fs::MetadataExt;
            m.is_dir() && m.uid() == uid
        });
        if owned && std::fs::remove_dir_all(&dir).is_ok() {
            reaped.push(dir.display().to_string());
        }
    }
    reaped
}

/// Entries of `dir` named `prefix` + a run whose owner is gone.
fn dead_entries(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    entries(dir, prefix).into_iter().filter(|(_, id)| !id.alive()).map(|(path, _)| path).collect()
}

fn live_entries(dir: &Path) -> usize {
    entries(dir, PROBE_PREFIX).iter().filter(|(_, id)| id.alive()).count()
}

fn entries(dir: &Path, prefix: &str) -> Vec<(PathBuf, RunId)> {
    let Ok(read) = std::fs::read_dir(dir) else { return Vec::new() };
    read.flatten()
        .filter_map(|e| {
            let name = e.file_name();
            let name = name.to_str()?;
            let id = RunId::parse(name).filter(|_| name.starts_with(prefix))?;
            Some((e.path(), id))
        })
        .collect()
}

/// Kills every member of a leftover cgroup (v2 `cgroup.kill` where there
/// is one, else SIGKILL each until empty, for up to a second).
pub(crate) fn empty_cgroup(dir: &Path) {
    let procs = dir.join("cgroup.procs");
    let members = || -> Vec<u32> {
        std::fs::read_to_string(&procs).unwrap_or_default().lines().filter_map(|l| l.trim().parse().ok()).collect()
    };
    let deadline = Instant::now() + Duration::from_secs(1);
    loop {
        let left = members();
        if left.is_empty() || Instant::now() > deadline {
            return;
        }
        if std::fs::write(dir.join("cgroup.kill"), "1").is_err() {
            // A v1 freezer stops forks between the listing and the kill.
            let _ = std::fs::write(dir.join("freezer.state"), "FROZEN");
            signal_each(&left);
            let _ = std::fs::write(dir.join("freezer.state"), "THAWED");
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}
