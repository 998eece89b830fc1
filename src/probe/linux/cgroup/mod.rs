//! The probe's cgroups for one run, v1 and v2 together: on a hybrid host
//! the hard cap comes from the v1 `pids` cgroup while the v2 leaf adds
//! membership and the atomic `cgroup.kill`; on a v2 host with pids
//! delegated, the v2 leaf alone is cap and kill. The target joins every one
//! of them before `exec`. Membership is read from v2 when there is a leaf
//! (it holds every task whatever v1 has), the charge from whichever has
//! `pids`.
//!
//! [`Cgroups`] owns them: dropped (a panic, an early error return), it
//! kills whatever still runs in them, removes them and moves cargo-freeze
//! back where it was, so no path out of the probe leaves a populated or
//! empty probe cgroup behind.

pub(crate) mod plan;
pub(crate) mod v1;
pub(crate) mod v2;

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use v1::V1;
use v2::V2;

#[derive(Debug, Default)]
pub(crate) struct Cgroups {
    pub v1: Option<V1>,
    pub v2: Option<V2>,
    /// A move of this process into a leaf of its own, left to undo once
    /// the leaves are gone ([`Cgroups::undo_move`]).
    moved: Option<v2::Moved>,
}

/// How `kill` stopped the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KillMethod {
    /// cgroup v2 `cgroup.kill`: one write, no freeze or thaw needed.
    CgroupKill,
    /// Freeze (v1 freezer or v2 `cgroup.freeze`), SIGKILL each member, thaw.
    FreezeAndSignal,
    /// SIGKILL each member (nothing to freeze with).
    Signal,
}

impl KillMethod {
    pub(super) fn name(self) -> &'static str {
        match self {
            KillMethod::CgroupKill => "cgroup.kill",
            KillMethod::FreezeAndSignal => "freeze + SIGKILL each + thaw",
            KillMethod::Signal => "SIGKILL each",
        }
    }
}

impl Cgroups {
    pub(super) fn new(v1: Option<V1>, v2: Option<V2>) -> Cgroups {
        Cgroups { v1, v2, moved: None }
    }

    /// Whether a cgroup holds the hard cap.
    pub(super) fn capped(&self) -> bool {
        self.v1.is_some() || self.v2.as_ref().is_some_and(|v| v.pids)
    }

    /// e.g. `cgroup-v1 (pids+freezer) + cgroup-v2 kill`.
    pub(super) fn describe(&self, cap: u32) -> String {
        let parts: Vec<String> =
            self.v1.iter().map(V1::describe).chain(self.v2.iter().map(|v| v.describe(cap))).collect();
        parts.join(" + ")
    }

    /// The cgroup holding the cap (v1 `pids`, or the v2 leaf when it has
    /// `pids.max`), and the v2 leaf; for the report.
    pub(super) fn paths(&self) -> (Option<PathBuf>, Option<PathBuf>) {
        let v2 = self.v2.as_ref().map(|v| v.dir.clone());
        let cap = self.v1.as_ref().map(|v1| v1.pids.clone()).or_else(|| v2.clone());
        (cap, v2)
    }

    /// Every directory of the run, for the sentinel.
    pub(super) fn dirs(&self) -> Vec<PathBuf> {
        let v1 = self.v1.iter().flat_map(|v| std::iter::once(v.pids.clone()).chain(v.freezer.clone()));
        v1.chain(self.v2.iter().map(|v| v.dir.clone())).collect()
    }

    /// `cgroup.procs` files the target writes itself into before `exec`.
    pub(super) fn join_files(&self) -> Vec<CString> {
        let mut files = self.v1.as_ref().map(V1::join_files).unwrap_or_default();
        files.extend(self.v2.iter().filter_map(|v| CString::new(v.procs().as_os_str().as_bytes()).ok()));
        files
    }

    pub(super) fn members(&self) -> Vec<u32> {
        match (&self.v2, &self.v1) {
            (Some(v2), _) => v2.members(),
            (None, Some(v1)) => v1.members(),
            (None, None) => Vec::new(),
        }
    }

    /// Tasks still charged or alive: zombies stay charged to `pids.current`
    /// until reaped, and a populated leaf with no listed process still has
    /// a task on its way out.
    pub(super) fn remaining(&self) -> u32 {
        let charged = self.v1.as_ref().map_or(0, V1::current).max(self.v2.as_ref().map_or(0, V2::current));
        let listed = self.members().len() as u32;
        let populated = u32::from(self.v2.as_ref().is_some_and(V2::populated));
        listed.max(charged).max(populated)
    }

    pub(super) fn cap_hit(&self) -> bool {
        self.v1.as_ref().is_some_and(V1::cap_hit) || self.v2.as_ref().is_some_and(V2::cap_hit)
    }

    pub(super) fn peak(&self) -> Option<u32> {
        self.v1.as_ref().and_then(V1::peak).max(self.v2.as_ref().and_then(V2::peak))
    }

    /// The first blow of the kill: `cgroup.kill` when the v2 leaf has it
    /// (no freeze: v1-frozen tasks would not die before a thaw), else
    /// freeze, SIGKILL every member via `signal`, thaw.
    pub(super) fn kill(&self, signal: impl Fn(&[u32])) -> KillMethod {
        if self.v2.as_ref().is_some_and(V2::kill) {
            return KillMethod::CgroupKill;
        }
        let v1_frozen = self.v1.as_ref().is_some_and(V1::freeze);
        let v2_frozen = !v1_frozen && self.v2.as_ref().is_some_and(|v| v.freeze(true));
        signal(&self.members());
        if let Some(v1) = &self.v1 {
            v1.thaw();
        }
        if let Some(v2) = self.v2.as_ref().filter(|_| v2_frozen) {
            v2.freeze(false);
        }
        if v1_frozen || v2_frozen { KillMethod::FreezeAndSignal } else { KillMethod::Signal }
    }

    /// Repeated while the kill loop waits for the tree to empty.
    pub(super) fn kill_again(&self) {
        if let Some(v2) = &self.v2 {
            v2.kill();
        }
    }

    /// Removes every cgroup of the run; whether all are gone. A move of
    /// this process waits for [`Cgroups::undo_move`].
    pub(super) fn remove(&mut self) -> bool {
        let v1 = self.v1.take().is_none_or(|v| v.remove());
        let v2 = self.v2.take().is_none_or(|mut v| {
            self.moved = v.moved.take();
            v.remove_leaf()
        });
        v1 && v2
    }

    /// Moves this process back into the cgroup it left for a leaf of its
    /// own (after the sentinel, which started in that leaf, has left it).
    pub(super) fn undo_move(&mut self) {
        if let Some(moved) = self.moved.take() {
            moved.undo();
        }
    }
}

impl Drop for Cgroups {
    /// The path out of a panic or an early return: kill what still runs,
    /// reap this process's children (zombies stay charged), remove.
    fn drop(&mut self) {
        if self.v1.is_none() && self.v2.is_none() {
            self.undo_move();
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.remaining() > 0 && Instant::now() < deadline {
            self.kill(super::kill::signal_each);
            super::kill::reap_any();
            std::thread::sleep(Duration::from_millis(1));
        }
        self.remove();
        self.undo_move();
    }
}
