//! Ending the whole tree: with a cgroup v2 leaf, one write to `cgroup.kill`
//! (atomic, escapers included); else freeze (so nothing forks while the
//! kill runs), SIGKILL every member, signal the process group, thaw (v1
//! frozen tasks die only once thawed). Then reap until membership and
//! charge are zero.
//! Without a cgroup: SIGKILL every process of the tree, again and again,
//! until `/proc` shows none. A process group alone is not enough: `setsid`
//! escapes it.

use super::cgroup::KillMethod;
use super::tree::Tree;
use crate::probe::ExitStatus;
use crate::probe::watch::Source;
use std::time::{Duration, Instant};

/// How long the kill keeps trying before it reports survivors.
const KILL_DEADLINE: Duration = Duration::from_secs(5);

pub(crate) struct Killed {
    pub took: Duration,
    pub root_status: Option<ExitStatus>,
    pub method: KillMethod,
}

pub(crate) fn kill_all(tree: &mut Tree<'_>, pgid: u32) -> Killed {
    let start = Instant::now();
    let mut root_status = None;
    let mut method = KillMethod::Signal;
    if let Some(cg) = tree.cgroup {
        method = cg.kill(signal_each);
    }
    signal_group(pgid);
    loop {
        if let Some(status) = tree.reap() {
            root_status = Some(status);
        }
        let left = remaining(tree);
        if left == 0 || start.elapsed() > KILL_DEADLINE {
            return Killed { took: start.elapsed(), root_status, method };
        }
        let live: Vec<u32> = tree.processes().iter().filter(|p| !p.zombie).map(|p| p.pid).collect();
        signal_each(&live);
        signal_group(pgid);
        if let Some(cg) = tree.cgroup {
            cg.kill_again();
        }
        std::thread::sleep(Duration::from_micros(500));
    }
}

/// Processes (and, with a cgroup, charged tasks) still in the tree.
pub(crate) fn remaining(tree: &Tree<'_>) -> u32 {
    match tree.cgroup {
        Some(cg) => cg.remaining(),
        None => tree.processes().len() as u32,
    }
}

pub(crate) fn signal_each(pids: &[u32]) {
    for &pid in pids {
        // SAFETY: plain syscall; the pids come from this run's tree (a
        // recycled pid is possible only after its reaping, which this
        // process controls for its subtree).
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGKILL);
        }
    }
}

/// Reaps every exited child of this process (they stay charged to the
/// cgroup as zombies until reaped), without waiting.
pub(crate) fn reap_any() {
    // SAFETY: plain syscall; this process reaps its own children.
    while unsafe { libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) } > 0 {}
}

fn signal_group(pgid: u32) {
    // SAFETY: plain syscall on the target's own process group.
    unsafe {
        libc::kill(-(pgid as libc::pid_t), libc::SIGKILL);
    }
}
