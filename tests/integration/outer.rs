//! The outer test cgroup every probe of the tests runs in: a bug in the
//! probe must never take the machine down. As root it is a cgroup of its
//! own in the v1 `pids` (with a task limit) and `freezer` hierarchies and
//! on the v2 mount (on a pure v2 host, one v2 cgroup with `pids.max`), so
//! whatever a run leaves in it can be frozen, killed and counted; cargo-freeze creates its own cgroups beneath it (the
//! caller's limit must keep applying), so "nothing left" is checked by
//! looking inside it. Without root, `RLIMIT_NPROC` is the backstop.

use std::ffi::CString;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub(crate) fn is_root() -> bool {
    // SAFETY: plain syscall.
    unsafe { libc::geteuid() == 0 }
}

pub(crate) struct Outer {
    /// The outer cgroups, `pids` first (it holds the limit).
    dirs: Vec<PathBuf>,
}

impl Outer {
    /// An outer cgroup allowing `limit` tasks (as root; else none, and
    /// `apply` sets `RLIMIT_NPROC`).
    pub(crate) fn new(limit: u32) -> Outer {
        static SEQ: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        if !crate::support::require(is_root(), "needs root for an outer pids+freezer cgroup; using RLIMIT_NPROC") {
            return Outer { dirs: Vec::new() };
        }
        static REAPED: std::sync::Once = std::sync::Once::new();
        REAPED.call_once(reap_dead_runs);
        let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("{PREFIX}{}-{n}", std::process::id());
        let dirs = if pure_v2() { v2_outer(&name) } else { v1_outer(&name) };
        std::fs::write(dirs[0].join("pids.max"), limit.to_string()).expect("set the outer pids.max");
        Outer { dirs }
    }

    /// Puts `cmd` in the outer cgroups before it execs.
    pub(crate) fn apply(&self, cmd: &mut Command) {
        let procs: Vec<CString> =
            self.dirs.iter().map(|d| CString::new(d.join("cgroup.procs").to_str().unwrap()).unwrap()).collect();
        // SAFETY: async-signal-safe calls only, on data prepared before fork.
        unsafe {
            cmd.pre_exec(move || {
                for path in &procs {
                    let fd = libc::open(path.as_ptr(), libc::O_WRONLY);
                    if fd < 0 || libc::write(fd, b"0".as_ptr().cast(), 1) != 1 {
                        return Err(std::io::Error::last_os_error());
                    }
                    libc::close(fd);
                }
                if procs.is_empty() {
                    let lim = libc::rlimit { rlim_cur: 4096, rlim_max: 4096 };
                    libc::setrlimit(libc::RLIMIT_NPROC, &lim);
                }
                Ok(())
            });
        }
    }

    /// Hands the (v2) outer cgroup to `uid` the way systemd delegates a
    /// subtree: the directory and the files a delegate may write. It keeps
    /// its `pids.max`, which the delegate cannot change.
    pub(crate) fn delegate_to(&self, uid: u32) {
        let dir = &self.dirs[0];
        assert!(pure_v2(), "delegation is a cgroup v2 feature");
        for path in
            [dir.clone(), dir.join("cgroup.procs"), dir.join("cgroup.subtree_control"), dir.join("cgroup.threads")]
        {
            std::os::unix::fs::chown(&path, Some(uid), Some(uid)).expect("chown the delegated cgroup");
        }
    }

    /// The outer cgroup holding the limit.
    pub(crate) fn dir(&self) -> &Path {
        &self.dirs[0]
    }

    /// Cgroups left inside the outer ones (cargo-freeze's must all be gone).
    pub(crate) fn leftover_cgroups(&self) -> Vec<PathBuf> {
        self.dirs.iter().flat_map(|d| subdirs(d)).collect()
    }

    /// Processes still in the outer cgroups or beneath them.
    pub(crate) fn members(&self) -> Vec<u32> {
        let mut all = Vec::new();
        for dir in self.dirs.iter().flat_map(|d| std::iter::once(d.clone()).chain(subdirs(d))) {
            all.extend(procs(&dir));
        }
        all.sort_unstable();
        all.dedup();
        all
    }

    /// Waits up to `within` for the outer cgroups to hold no process and
    /// no cgroup; the leftovers otherwise.
    pub(crate) fn wait_empty(&self, within: Duration) -> Result<(), String> {
        let deadline = Instant::now() + within;
        loop {
            let (members, cgroups) = (self.members(), self.leftover_cgroups());
            if members.is_empty() && cgroups.is_empty() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("left in the outer cgroup: processes {members:?}, cgroups {cgroups:?}"));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}

impl Drop for Outer {
    /// Empties and removes the outer cgroups whatever a run left: freeze,
    /// SIGKILL every member, thaw, remove the cgroups bottom up.
    fn drop(&mut self) {
        let freezer = self.dirs.iter().find(|d| d.starts_with("/sys/fs/cgroup/freezer")).cloned();
        for _ in 0..500 {
            let members = self.members();
            if members.is_empty() {
                break;
            }
            // v2: one write kills the whole subtree (no-op on v1 dirs).
            for dir in &self.dirs {
                let _ = std::fs::write(dir.join("cgroup.kill"), "1");
            }
            if let Some(f) = &freezer {
                let _ = std::fs::write(f.join("freezer.state"), "FROZEN");
            }
            for pid in members {
                // SAFETY: plain syscall on a process of this test's cgroup.
                unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
            }
            if let Some(f) = &freezer {
                let _ = std::fs::write(f.join("freezer.state"), "THAWED");
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        for dir in &self.dirs {
            let mut all = subdirs(dir);
            all.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
            all.push(dir.clone());
            for d in all {
                for _ in 0..500 {
                    if std::fs::remove_dir(&d).is_ok() || !d.exists() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        }
    }
}

/// Outer cgroups are named `PREFIX` + the test process's pid + a sequence.
const PREFIX: &str = "cargo-freeze-tests-";

/// Removes the outer cgroups of test runs whose process is gone: a run
/// killed outright (SIGKILL, SIGTERM) never reaches `Drop` (seen: one left
/// by an interrupted run of the suite). Emptied and removed as `Drop`
/// does; a pid that is alive again is left alone.
fn reap_dead_runs() {
    for base in ["/sys/fs/cgroup/pids", "/sys/fs/cgroup/freezer", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"] {
        let Ok(read) = std::fs::read_dir(base) else { continue };
        for entry in read.flatten() {
            let name = entry.file_name();
            let pid = name.to_str().and_then(|n| n.strip_prefix(PREFIX)).and_then(|rest| rest.split('-').next());
            if pid.is_some_and(|pid| !Path::new("/proc").join(pid).exists()) {
                drop(Outer { dirs: vec![entry.path()] });
            }
        }
    }
}

/// A host whose only cgroup hierarchy is v2, mounted at `/sys/fs/cgroup`
/// (the VM lane's guest, current distributions).
pub(crate) fn pure_v2() -> bool {
    Path::new("/sys/fs/cgroup/cgroup.controllers").exists()
}

/// v1 `pids` (holding the limit) and `freezer`, plus the hybrid v2 mount.
fn v1_outer(name: &str) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    for hierarchy in ["pids", "freezer", "unified"] {
        let base = Path::new("/sys/fs/cgroup").join(hierarchy);
        let dir = base.join(name);
        if base.is_dir() && std::fs::create_dir(&dir).is_ok() {
            dirs.push(dir);
        }
    }
    assert!(dirs.first().is_some_and(|d| d.starts_with("/sys/fs/cgroup/pids")), "no v1 pids hierarchy: {dirs:?}");
    dirs
}

/// One v2 cgroup beneath the root with pids enabled for the root's
/// children (it freezes with `cgroup.freeze` and holds the limit).
fn v2_outer(name: &str) -> Vec<PathBuf> {
    let root = Path::new("/sys/fs/cgroup");
    std::fs::write(root.join("cgroup.subtree_control"), "+pids").expect("enable pids at the v2 root");
    let dir = root.join(name);
    std::fs::create_dir(&dir).expect("create the outer v2 cgroup");
    vec![dir]
}

/// Every cgroup beneath `dir`, depth first.
fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(read) = std::fs::read_dir(dir) else { return out };
    for entry in read.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            out.push(entry.path());
            out.extend(subdirs(&entry.path()));
        }
    }
    out
}

fn procs(dir: &Path) -> Vec<u32> {
    std::fs::read_to_string(dir.join("cgroup.procs"))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}
