//! cgroup v1 `pids` + `freezer` containment (root on v1 and hybrid hosts).
//! The probe's cgroups are created beneath the cgroups cargo-freeze itself
//! runs in (read from `/proc/self/cgroup`), never at the top of the
//! hierarchy, so any limit the caller set still applies; they are removed
//! afterwards. The target joins them from `pre_exec`, before `exec`, so no
//! fork escapes the cap.

use super::v2::remove_dir_retrying;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The longest wait for the freezer to report FROZEN before the kill goes
/// on (the tasks already frozen stay frozen; the rest are killed anyway).
const FREEZE_WAIT: Duration = Duration::from_millis(250);

/// How long the freezer may sit in FREEZING with an unchanged task list
/// before the wait ends early: no task was created meanwhile, so nothing
/// is forking and the kill cannot be outrun.
const FREEZE_STALL: Duration = Duration::from_millis(5);

/// The probe's own cgroups for one run.
#[derive(Debug)]
pub(crate) struct V1 {
    pub pids: PathBuf,
    pub freezer: Option<PathBuf>,
}

impl V1 {
    /// Creates the cgroups with `pids.max = cap`, or says why not.
    pub(crate) fn create(cap: u32, leaf: &str) -> Result<V1, String> {
        let pids_parent = own_cgroup("pids").ok_or("no cgroup v1 pids hierarchy is mounted")?;
        let pids = pids_parent.join(leaf);
        std::fs::create_dir(&pids).map_err(|e| format!("cannot create {}: {e}", pids.display()))?;
        if let Err(e) = std::fs::write(pids.join("pids.max"), cap.to_string()) {
            let _ = std::fs::remove_dir(&pids);
            return Err(format!("cannot set {}/pids.max: {e}", pids.display()));
        }
        let freezer = own_cgroup("freezer").map(|p| p.join(leaf)).filter(|dir| std::fs::create_dir(dir).is_ok());
        Ok(V1 { pids, freezer })
    }

    pub(crate) fn describe(&self) -> String {
        if self.freezer.is_some() { "cgroup-v1 (pids+freezer)".into() } else { "cgroup-v1 (pids)".into() }
    }

    /// `cgroup.procs` files the target writes itself into before `exec`.
    pub(crate) fn join_files(&self) -> Vec<CString> {
        let mut files = vec![self.pids.join("cgroup.procs")];
        files.extend(self.freezer.as_ref().map(|f| f.join("cgroup.procs")));
        files.iter().filter_map(|f| CString::new(f.as_os_str().as_bytes()).ok()).collect()
    }

    /// Every process (thread-group leader) in the cgroup.
    pub(crate) fn members(&self) -> Vec<u32> {
        read(&self.pids.join("cgroup.procs")).lines().filter_map(|l| l.trim().parse().ok()).collect()
    }

    /// Tasks charged now (zombies included until reaped).
    pub(crate) fn current(&self) -> u32 {
        read(&self.pids.join("pids.current")).trim().parse().unwrap_or(0)
    }

    /// The sticky counter of forks refused at the cap.
    pub(crate) fn cap_hit(&self) -> bool {
        read(&self.pids.join("pids.events")).lines().any(|l| l.strip_prefix("max ").is_some_and(|n| n.trim() != "0"))
    }

    /// `pids.peak`, where the kernel has it.
    pub(crate) fn peak(&self) -> Option<u32> {
        read(&self.pids.join("pids.peak")).trim().parse().ok()
    }

    /// Stops every member (escapers included) so none can fork while the
    /// kill runs; whether the freeze was applied. Waits for FROZEN, up to
    /// [`FREEZE_WAIT`], and stops waiting once the task list has not
    /// changed for [`FREEZE_STALL`]: a task caught between fork and exec
    /// (a vfork parent) can hold the freezer in FREEZING for hundreds of
    /// milliseconds (measured: 1 in 4 runs of some shapes), and a group
    /// that creates no task cannot outrun the kill loop.
    pub(crate) fn freeze(&self) -> bool {
        let Some(dir) = &self.freezer else { return false };
        let state = dir.join("freezer.state");
        if std::fs::write(&state, "FROZEN").is_err() {
            return false;
        }
        let tasks = dir.join("tasks");
        let start = Instant::now();
        let (mut seen, mut still_since) = (read(&tasks), start);
        while start.elapsed() < FREEZE_WAIT && read(&state).trim() != "FROZEN" {
            std::thread::sleep(Duration::from_micros(200));
            let now = read(&tasks);
            if now != seen {
                (seen, still_since) = (now, Instant::now());
            } else if still_since.elapsed() >= FREEZE_STALL {
                break;
            }
        }
        true
    }

    /// SIGKILLed frozen tasks die only once thawed.
    pub(crate) fn thaw(&self) {
        if let Some(dir) = &self.freezer {
            let _ = std::fs::write(dir.join("freezer.state"), "THAWED");
        }
    }

    /// Removes the cgroups (they must be empty); retried briefly while the
    /// last members are being reaped. Returns whether both are gone.
    pub(crate) fn remove(&self) -> bool {
        let pids = remove_dir_retrying(&self.pids);
        self.freezer.as_deref().is_none_or(remove_dir_retrying) && pids
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The directory of this process's cgroup in the v1 hierarchy that has
/// `controller`, and the hierarchy's mount point: the mount point plus the
/// path in `/proc/self/cgroup`.
pub(crate) fn own_cgroup(controller: &str) -> Option<PathBuf> {
    own_cgroup_and_mount(controller).map(|(dir, _)| dir)
}

pub(crate) fn own_cgroup_and_mount(controller: &str) -> Option<(PathBuf, PathBuf)> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    let mount = mounts.lines().find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        (f.get(2) == Some(&"cgroup") && f.get(3)?.split(',').any(|o| o == controller)).then(|| PathBuf::from(f[1]))
    })?;
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = own.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        controllers.split(',').any(|c| c == controller).then(|| path.to_string())
    })?;
    let dir = mount.join(path.trim_start_matches('/'));
    dir.is_dir().then_some((dir, mount))
}
