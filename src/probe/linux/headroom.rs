//! How many more tasks cargo-freeze may start: the tightest of every limit
//! it runs under. The probe's cap must sit below that, or a storm fills the
//! caller's limit before the probe's own and starves cargo-freeze, which
//! sits in the caller's cgroup too (seen: a fork bomb under a CI job's
//! pids limit of 400 with the default cap of 512; the probe could not start
//! a thread and panicked, the bomb ran on).
//!
//! The limits: `pids.max` of this process's cgroup and every ancestor, in
//! the v1 pids hierarchy and in v2 (`pids.max - pids.current` each; a
//! container or a systemd scope's TasksMax sits there), `RLIMIT_NPROC` for
//! non-root (it counts every task of the user), and the kernel's
//! `threads-max` and `pid_max` against the tasks running now.

use super::cgroup::{plan, v1};
use super::procfs;
use std::path::Path;

/// The tightest limit found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Limit {
    /// Tasks that may still start.
    pub free: u32,
    /// Which limit, for the report: `pids.max=80 in /sys/fs/cgroup/x`.
    pub what: String,
}

/// The tightest limit this process runs under.
pub(crate) fn tightest() -> Option<Limit> {
    let mut limits = Vec::new();
    if let Some((dir, mount)) = v1::own_cgroup_and_mount("pids") {
        limits.extend(cgroup_limits(&dir, &mount));
    }
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    if let Ok((dir, mount)) = plan::own_dir_and_mount(&mountinfo, &own) {
        limits.extend(cgroup_limits(&dir, &mount));
    }
    limits.extend(nproc());
    limits.extend(kernel());
    limits.into_iter().min_by_key(|l| l.free)
}

/// `pids.max` of `dir` and each ancestor up to the hierarchy's `mount`.
fn cgroup_limits(dir: &Path, mount: &Path) -> Vec<Limit> {
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    let mut out = Vec::new();
    for cg in dir.ancestors().take_while(|a| a.starts_with(mount)) {
        let Ok(max) = read(&cg.join("pids.max")).trim().parse::<u32>() else { continue };
        let current: u32 = read(&cg.join("pids.current")).trim().parse().unwrap_or(0);
        out.push(Limit {
            free: max.saturating_sub(current),
            what: format!("pids.max={max} in {} ({current} in use)", cg.display()),
        });
    }
    out
}

/// `RLIMIT_NPROC` counts every task of the real uid; root is exempt.
fn nproc() -> Option<Limit> {
    // SAFETY: plain syscalls on stack values.
    let (euid, uid, limit) = unsafe {
        let mut rlim: libc::rlimit = std::mem::zeroed();
        libc::getrlimit(libc::RLIMIT_NPROC, &mut rlim);
        (libc::geteuid(), libc::getuid(), rlim.rlim_cur)
    };
    if euid == 0 || limit == libc::RLIM_INFINITY {
        return None;
    }
    let limit = u32::try_from(limit).unwrap_or(u32::MAX);
    let used = procfs::count_of_uid(uid);
    Some(Limit { free: limit.saturating_sub(used), what: format!("RLIMIT_NPROC={limit} of uid {uid} ({used} in use)") })
}

/// `kernel.threads-max` and `kernel.pid_max` against every task now.
fn kernel() -> Vec<Limit> {
    let read = |p: &str| std::fs::read_to_string(p).ok().and_then(|t| t.trim().parse::<u32>().ok());
    // /proc/loadavg's fourth field is `running/total` tasks.
    let tasks = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().nth(3)?.split_once('/')?.1.parse::<u32>().ok())
        .unwrap_or(0);
    let mut out = Vec::new();
    for (file, name) in [("/proc/sys/kernel/threads-max", "threads-max"), ("/proc/sys/kernel/pid_max", "pid_max")] {
        if let Some(max) = read(file) {
            out.push(Limit {
                free: max.saturating_sub(tasks),
                what: format!("kernel.{name}={max} ({tasks} tasks running)"),
            });
        }
    }
    out
}

/// The cap to use under `limit`: below the free tasks, leaving a margin
/// for the rest of the caller's work (an eighth, at least 8 tasks).
pub(crate) fn lowered(cap: u32, limit: &Limit) -> u32 {
    let margin = (limit.free / 8).max(8);
    cap.min(limit.free.saturating_sub(margin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_leaves_a_margin_below_the_free_tasks() {
        let limit = |free| Limit { free, what: String::new() };
        assert_eq!(lowered(512, &limit(74)), 65, "an eighth of 74 (9) kept back");
        assert_eq!(lowered(512, &limit(40)), 32, "at least 8 kept back");
        assert_eq!(lowered(512, &limit(800)), 512, "800 - 100 = 700 free: the cap stands");
        assert_eq!(lowered(48, &limit(400)), 48);
        assert_eq!(lowered(512, &limit(5)), 0, "no room at all");
    }

    #[test]
    fn cgroup_limits_walk_up_to_the_mount() {
        let tmp = tempfile::tempdir().unwrap();
        let mount = tmp.path().join("m");
        let job = mount.join("ci/job");
        std::fs::create_dir_all(&job).unwrap();
        std::fs::write(mount.join("ci/pids.max"), "400\n").unwrap();
        std::fs::write(mount.join("ci/pids.current"), "100\n").unwrap();
        std::fs::write(job.join("pids.max"), "max\n").unwrap();
        std::fs::write(tmp.path().join("pids.max"), "1\n").unwrap();
        let found = cgroup_limits(&job, &mount);
        assert_eq!(found.len(), 1, "`max` is no limit; above the mount is not looked at: {found:?}");
        assert_eq!(found[0].free, 300);
        assert!(found[0].what.starts_with("pids.max=400 in ") && found[0].what.ends_with("ci (100 in use)"));
    }

    #[test]
    fn this_process_has_some_limit() {
        let limit = tightest().expect("pid_max at least");
        assert!(limit.free > 0, "{limit:?}");
    }
}
