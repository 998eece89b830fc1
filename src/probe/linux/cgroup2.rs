//! The probe's cgroup v2 leaf, beneath the cgroup cargo-freeze runs in
//! (see `cgroup2_plan` for what it may do here): membership
//! (`cgroup.procs`), `populated` (`cgroup.events`), an atomic `cgroup.kill`
//! (it also kills frozen tasks and children forked while it runs), and,
//! where pids is delegated, `pids.max` as the hard cap. The target joins it
//! from `pre_exec` by writing `cgroup.procs`, like the v1 layer, rather than
//! by `clone3(CLONE_INTO_CGROUP)`: std's `Command` has no clone3, and a
//! write before `exec` leaves no window either (nothing forks before it).

use super::cgroup2_plan::{self, Layer, Pids};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub(crate) struct V2 {
    pub dir: PathBuf,
    /// `pids.max` is set (the leaf is a hard cap).
    pub pids: bool,
    pub kill: bool,
    /// Why the leaf has no `pids.max`, when it has none.
    pub no_pids: Option<String>,
}

impl V2 {
    /// Finds this process's v2 cgroup and creates the leaf beneath it, or
    /// says why not.
    pub fn create(cap: u32, leaf: &str) -> Result<V2, String> {
        let mountinfo = read(Path::new("/proc/self/mountinfo"));
        let own = read(Path::new("/proc/self/cgroup"));
        let (dir, is_root) = cgroup2_plan::own_dir(&mountinfo, &own)?;
        if !dir.is_dir() {
            return Err(format!("{} is not a directory (hidden by another mount?)", dir.display()));
        }
        // SAFETY: plain syscall.
        let uid = unsafe { libc::geteuid() };
        let mut layer = cgroup2_plan::decide(&dir, &cgroup2_plan::facts(&dir, is_root), uid)?;
        if layer.pids == Pids::Enable {
            // Never undone: other cgroups beneath the root may rely on it
            // by now, and it changes nothing until a pids.max is written.
            if let Err(e) = std::fs::write(dir.join("cgroup.subtree_control"), "+pids") {
                layer.pids = Pids::No(cgroup2_plan::enable_refused(&dir, &e));
            }
        }
        Self::make(&layer, cap, leaf)
    }

    fn make(layer: &Layer, cap: u32, leaf: &str) -> Result<V2, String> {
        let no_pids = match &layer.pids {
            Pids::No(why) => Some(why.clone()),
            _ => None,
        };
        if no_pids.is_some() && !layer.kill {
            return Err(no_pids.unwrap_or_default());
        }
        let dir = layer.parent.join(leaf);
        fs_err::create_dir(&dir).map_err(|e| e.to_string())?;
        let kill = layer.kill && dir.join("cgroup.kill").exists();
        let v2 = V2 { dir, pids: no_pids.is_none(), kill, no_pids };
        if !v2.pids && !v2.kill {
            v2.remove();
            return Err(format!("{} (and no cgroup.kill: kernel < 5.14)", v2.no_pids.unwrap_or_default()));
        }
        if !v2.pids {
            return Ok(v2);
        }
        match fs_err::write(v2.dir.join("pids.max"), cap.to_string()) {
            Ok(()) => Ok(v2),
            Err(e) => {
                v2.remove();
                Err(e.to_string())
            }
        }
    }

    pub fn describe(&self, cap: u32) -> String {
        match (self.pids, self.kill) {
            (true, true) => format!("cgroup-v2 (pids.max={cap}, cgroup.kill)"),
            (true, false) => format!("cgroup-v2 (pids.max={cap}, cgroup.freeze)"),
            _ => "cgroup-v2 kill".to_string(),
        }
    }

    pub fn procs(&self) -> PathBuf {
        self.dir.join("cgroup.procs")
    }

    pub fn members(&self) -> Vec<u32> {
        read(&self.procs()).lines().filter_map(|l| l.trim().parse().ok()).collect()
    }

    /// `populated 1` in `cgroup.events`: a live task in the leaf.
    pub fn populated(&self) -> bool {
        read(&self.dir.join("cgroup.events")).lines().any(|l| l.trim() == "populated 1")
    }

    pub fn current(&self) -> u32 {
        if !self.pids {
            return 0;
        }
        read(&self.dir.join("pids.current")).trim().parse().unwrap_or(0)
    }

    pub fn cap_hit(&self) -> bool {
        self.pids
            && read(&self.dir.join("pids.events"))
                .lines()
                .any(|l| l.strip_prefix("max ").is_some_and(|n| n.trim() != "0"))
    }

    pub fn peak(&self) -> Option<u32> {
        if !self.pids {
            return None;
        }
        read(&self.dir.join("pids.peak")).trim().parse().ok()
    }

    /// SIGKILLs every task in the leaf at once, escapers and frozen tasks
    /// included; forks racing with it are killed too.
    pub fn kill(&self) -> bool {
        self.kill && std::fs::write(self.dir.join("cgroup.kill"), "1").is_ok()
    }

    /// v2-frozen tasks die on SIGKILL without a thaw (unlike v1).
    pub fn freeze(&self, on: bool) -> bool {
        std::fs::write(self.dir.join("cgroup.freeze"), if on { "1" } else { "0" }).is_ok()
    }

    /// Removes the leaf (it must be empty); retried briefly while the last
    /// members are being reaped.
    pub fn remove(&self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.dir.exists() && std::fs::remove_dir(&self.dir).is_err() {
            if Instant::now() > deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        true
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}
