//! The probe's cgroup v2 leaf, beneath the cgroup cargo-freeze runs in
//! (see [`plan`] for what it may do here): membership
//! (`cgroup.procs`), `populated` (`cgroup.events`), an atomic `cgroup.kill`
//! (it also kills frozen tasks and children forked while it runs), and,
//! where pids is delegated, `pids.max` as the hard cap. The target joins it
//! from `pre_exec` by writing `cgroup.procs`, like the v1 layer, rather than
//! by `clone3(CLONE_INTO_CGROUP)`: std's `Command` has no clone3, and a
//! write before `exec` leaves no window either (nothing forks before it).

use super::plan::{self, Layer, Pids};
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
    /// Where this process moved itself to make room for pids; undone by
    /// [`Moved::undo`] once the leaf is gone.
    pub moved: Option<Moved>,
}

/// A delegated cgroup this process left for a leaf of its own, so that
/// pids could be enabled for the cgroup's children.
#[derive(Clone, Debug)]
pub(crate) struct Moved {
    /// The cgroup this process ran in (and returns to).
    pub home: PathBuf,
    /// The leaf it runs in meanwhile.
    pub own: PathBuf,
}

impl V2 {
    /// Finds this process's v2 cgroup and creates the leaf `leaf` beneath
    /// it (moving into `own_leaf` first where that is what makes pids
    /// usable), or says why not.
    pub(crate) fn create(cap: u32, leaf: &str, own_leaf: &str) -> Result<V2, String> {
        let mountinfo = read(Path::new("/proc/self/mountinfo"));
        let own = read(Path::new("/proc/self/cgroup"));
        let (dir, is_root) = plan::own_dir(&mountinfo, &own)?;
        if !dir.is_dir() {
            return Err(format!("{} is not a directory (hidden by another mount?)", dir.display()));
        }
        // SAFETY: plain syscall.
        let uid = unsafe { libc::geteuid() };
        let mut layer = plan::decide(&dir, &plan::facts(&dir, is_root), uid)?;
        let mut moved = None;
        match layer.pids {
            Pids::Enable => {
                // Never undone: other cgroups beneath the root may rely on
                // it by now, and it changes nothing until a pids.max is
                // written.
                if let Err(e) = enable_pids(&dir) {
                    layer.pids = Pids::No(plan::enable_refused(&dir, &e));
                }
            }
            Pids::MoveSelf => match move_self(&dir, own_leaf) {
                Ok(m) => moved = Some(m),
                Err(why) => layer.pids = Pids::No(why),
            },
            Pids::Ready | Pids::No(_) => {}
        }
        let made = Self::make(&layer, cap, leaf, moved.clone());
        if made.is_err() {
            moved.as_ref().map(Moved::undo);
        }
        made
    }

    fn make(layer: &Layer, cap: u32, leaf: &str, moved: Option<Moved>) -> Result<V2, String> {
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
        let v2 = V2 { dir, pids: no_pids.is_none(), kill, no_pids, moved };
        if !v2.pids && !v2.kill {
            let why = format!("{} (and no cgroup.kill: kernel < 5.14)", v2.no_pids.clone().unwrap_or_default());
            v2.remove_leaf();
            return Err(why);
        }
        if !v2.pids {
            return Ok(v2);
        }
        match fs_err::write(v2.dir.join("pids.max"), cap.to_string()) {
            Ok(()) => Ok(v2),
            Err(e) => {
                v2.remove_leaf();
                Err(e.to_string())
            }
        }
    }

    pub(crate) fn describe(&self, cap: u32) -> String {
        let delegated = if self.moved.is_some() { ", delegated" } else { "" };
        match (self.pids, self.kill) {
            (true, true) => format!("cgroup-v2 (pids.max={cap}, cgroup.kill{delegated})"),
            (true, false) => format!("cgroup-v2 (pids.max={cap}, cgroup.freeze{delegated})"),
            _ => "cgroup-v2 kill".to_string(),
        }
    }

    pub(crate) fn procs(&self) -> PathBuf {
        self.dir.join("cgroup.procs")
    }

    pub(crate) fn members(&self) -> Vec<u32> {
        read(&self.procs()).lines().filter_map(|l| l.trim().parse().ok()).collect()
    }

    /// `populated 1` in `cgroup.events`: a live task in the leaf.
    pub(crate) fn populated(&self) -> bool {
        read(&self.dir.join("cgroup.events")).lines().any(|l| l.trim() == "populated 1")
    }

    pub(crate) fn current(&self) -> u32 {
        if !self.pids {
            return 0;
        }
        read(&self.dir.join("pids.current")).trim().parse().unwrap_or(0)
    }

    pub(crate) fn cap_hit(&self) -> bool {
        self.pids
            && read(&self.dir.join("pids.events"))
                .lines()
                .any(|l| l.strip_prefix("max ").is_some_and(|n| n.trim() != "0"))
    }

    pub(crate) fn peak(&self) -> Option<u32> {
        if !self.pids {
            return None;
        }
        read(&self.dir.join("pids.peak")).trim().parse().ok()
    }

    /// SIGKILLs every task in the leaf at once, escapers and frozen tasks
    /// included; forks racing with it are killed too.
    pub(crate) fn kill(&self) -> bool {
        self.kill && std::fs::write(self.dir.join("cgroup.kill"), "1").is_ok()
    }

    /// v2-frozen tasks die on SIGKILL without a thaw (unlike v1).
    pub(crate) fn freeze(&self, on: bool) -> bool {
        std::fs::write(self.dir.join("cgroup.freeze"), if on { "1" } else { "0" }).is_ok()
    }

    /// Removes the leaf (it must be empty; retried briefly while the last
    /// members are being reaped); whether it is gone. A move of this
    /// process is undone separately ([`Moved::undo`]), once the sentinel,
    /// which runs in this process's leaf, has left.
    pub(crate) fn remove_leaf(&self) -> bool {
        remove_dir_retrying(&self.dir)
    }
}

impl Moved {
    /// Disables pids for the home cgroup's children again (a cgroup with a
    /// controller enabled below it may hold no process), moves this
    /// process home, and removes its own leaf. Best effort: whatever is
    /// left is reaped by a later run (see `stale`).
    pub(crate) fn undo(&self) {
        self.undo_for(std::process::id());
    }

    /// [`Moved::undo`] by another process of the leaf (the sentinel, when
    /// cargo-freeze is gone): `pid` goes home.
    pub(crate) fn undo_for(&self, pid: u32) {
        let _ = std::fs::write(self.home.join("cgroup.subtree_control"), "-pids");
        let _ = std::fs::write(self.home.join("cgroup.procs"), pid.to_string());
        remove_dir_retrying(&self.own);
    }
}

/// Moves this process into `home/own_leaf`, then enables pids for
/// `home`'s children; undone when either step fails.
fn move_self(home: &Path, own_leaf: &str) -> Result<Moved, String> {
    let moved = Moved { home: home.to_path_buf(), own: home.join(own_leaf) };
    fs_err::create_dir(&moved.own).map_err(|e| format!("cannot make a leaf for cargo-freeze itself: {e}"))?;
    let step = fs_err::write(moved.own.join("cgroup.procs"), std::process::id().to_string())
        .map_err(|e| format!("cannot move cargo-freeze into {}: {e}", moved.own.display()))
        .and_then(|()| enable_pids(home).map_err(|e| plan::enable_refused(home, &e)));
    match step {
        Ok(()) => Ok(moved),
        Err(why) => {
            moved.undo();
            Err(why)
        }
    }
}

fn enable_pids(dir: &Path) -> std::io::Result<()> {
    std::fs::write(dir.join("cgroup.subtree_control"), "+pids")
}

/// Removes an empty cgroup directory, retrying for up to 2 s while its
/// last tasks are reaped; whether it is gone.
pub(crate) fn remove_dir_retrying(dir: &Path) -> bool {
    let deadline = Instant::now() + Duration::from_secs(2);
    while dir.exists() && std::fs::remove_dir(dir).is_err() {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    true
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}
