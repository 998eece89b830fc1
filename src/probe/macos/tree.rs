//! The running tree on macOS, which has no cgroups, no child subreaper and
//! no PID namespaces: the descendants of cargo-freeze (by parent links)
//! plus every process still in the target's process group (a double-forked
//! orphan is adopted by launchd but keeps its group). A `setsid` escaper
//! whose parent exits is out of sight: README says so.

use super::procs::{self, Info};
use crate::probe::ExitStatus;
use crate::probe::lineage::{Lineage, Proc, View};
use crate::probe::watch::{Snapshot, Source};
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

pub(crate) struct Tree {
    pub root: u32,
    last: Vec<Info>,
    lineage: Lineage,
    view: MacView,
}

struct MacView {
    root: u32,
    ids: Vec<(u64, u64)>,
}

impl Tree {
    pub(super) fn new(root: u32, program: &Path) -> Tree {
        let by_path = std::fs::metadata(program).ok().map(|m| (m.dev(), m.ino()));
        let ids = by_path.into_iter().chain(procs::exe_id(root)).collect();
        Tree { root, last: Vec::new(), lineage: Lineage::default(), view: MacView { root, ids } }
    }

    /// The processes of the tree right now.
    pub(super) fn processes(&self) -> Vec<Info> {
        let me = std::process::id();
        let all: Vec<Info> = procs::all_pids().into_iter().filter_map(procs::info).collect();
        let parent: HashMap<u32, u32> = all.iter().map(|i| (i.proc.pid, i.proc.ppid)).collect();
        let descends = |mut pid: u32| {
            for _ in 0..all.len() {
                match parent.get(&pid) {
                    Some(&p) if p == me => return true,
                    Some(&p) if p > 1 && p != pid => pid = p,
                    _ => return false,
                }
            }
            false
        };
        all.iter().filter(|i| i.proc.pid != me && (i.pgid == self.root || descends(i.proc.pid))).copied().collect()
    }
}

impl View for MacView {
    fn is_same(&mut self, p: &Proc) -> bool {
        procs::exe_id(p.pid).is_some_and(|id| self.ids.contains(&id))
    }

    /// launchd adopts every orphan, cargo-freeze none but its own.
    fn is_reaper(&self, pid: u32) -> bool {
        pid == 1 || pid == std::process::id()
    }

    fn is_started_by_probe(&self, p: &Proc) -> bool {
        p.pid == self.root
    }

    fn argv(&self, pid: u32) -> Vec<String> {
        procs::path(pid).map(|p| vec![p.display().to_string()]).unwrap_or_default()
    }
}

impl Source for Tree {
    fn snapshot(&mut self) -> Snapshot {
        self.last = self.processes();
        let procs: Vec<Proc> = self.last.iter().map(|i| i.proc).collect();
        self.lineage.snapshot(&procs, &mut self.view)
    }

    /// No count of refused forks: a tree one process short of the cap is
    /// taken to be at it (RLIMIT_NPROC counts processes on macOS).
    fn cap_hit(&self, cap: u32) -> bool {
        self.last.len() as u32 + 1 >= cap
    }

    fn reap(&mut self) -> Option<ExitStatus> {
        let mut status = 0;
        // SAFETY: plain syscall on this process's own child.
        let pid = unsafe { libc::waitpid(self.root as libc::pid_t, &mut status, libc::WNOHANG) };
        (pid == self.root as libc::pid_t).then(|| {
            if libc::WIFEXITED(status) {
                ExitStatus { code: Some(libc::WEXITSTATUS(status)), signal: None }
            } else {
                ExitStatus { code: None, signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)) }
            }
        })
    }
}

/// Live (not zombie) pids of the tree, for the kill.
pub(crate) fn live(tree: &Tree) -> Vec<u32> {
    tree.processes().into_iter().filter(|i| !i.zombie).map(|i| i.proc.pid).collect()
}
