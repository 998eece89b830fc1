//! The running tree as Linux shows it: members of the probe's cgroup when
//! there is one (cheap under a storm), else the descendants of this process
//! in `/proc` (this process is a child subreaper, so double-forked orphans
//! stay in the tree). Depth counts ancestors running the target's file.

use super::cgroups::Cgroups;
use super::procfs::{self, Stat};
use crate::probe::watch::{Snapshot, Source};
use crate::probe::{ExitStatus, Node};
use std::collections::HashMap;

pub(crate) struct Tree<'c> {
    pub root: u32,
    pub cgroup: Option<&'c Cgroups>,
    /// Under `RLIMIT_NPROC`: this process's thread count when the limit
    /// was computed (its later threads eat into the tree's share).
    pub rlimit_base: Option<u32>,
    /// Under the namespace helper, whose `RLIMIT_NPROC` counts the tree
    /// alone (the tree includes the helper and init).
    helper: bool,
    last_tasks: u32,
    /// (device, inode) of the target's executable.
    pub exe: Option<(u64, u64)>,
    /// Whether each process ((pid, start time): pids are recycled) runs it.
    same: HashMap<(u32, u64), bool>,
    /// Each process's nesting and parent, fixed when first seen: a parent
    /// that exits later (a double fork) does not break the chain.
    born: HashMap<(u32, u64), Birth>,
}

struct Birth {
    depth: u32,
    parent: Option<(u32, u64)>,
}

impl<'c> Tree<'c> {
    /// `program` identifies the target when the root is already gone or is
    /// the namespace helper; a script's processes run its interpreter,
    /// which `/proc` of the root shows.
    pub fn new(
        root: u32,
        program: &std::path::Path,
        cgroup: Option<&'c Cgroups>,
        rlimit_base: Option<u32>,
        helper: bool,
    ) -> Self {
        let by_path = std::fs::metadata(program).ok().map(|m| {
            use std::os::unix::fs::MetadataExt;
            (m.dev(), m.ino())
        });
        // The root is the namespace helper when there is one.
        let exe = if helper { by_path } else { procfs::exe_id(root).or(by_path) };
        Tree { root, cgroup, rlimit_base, helper, last_tasks: 0, exe, same: HashMap::new(), born: HashMap::new() }
    }

    /// The processes of the tree right now.
    pub fn processes(&self) -> Vec<Stat> {
        match self.cgroup {
            Some(cg) => cg.members().into_iter().filter_map(procfs::stat).collect(),
            None => procfs::descendants(&procfs::all(), std::process::id()),
        }
    }

    /// Records processes seen for the first time, parents before children;
    /// returns them as report nodes.
    fn record_births(&mut self, procs: &[Stat]) -> Vec<Node> {
        let by_pid: HashMap<u32, &Stat> = procs.iter().map(|p| (p.pid, p)).collect();
        let mut fresh: Vec<&Stat> = procs.iter().filter(|p| !self.born.contains_key(&(p.pid, p.start))).collect();
        let mut nodes = Vec::new();
        while !fresh.is_empty() {
            let before = fresh.len();
            let mut waiting = Vec::new();
            for p in fresh {
                let parent = by_pid.get(&p.ppid).map(|q| (q.pid, q.start)).filter(|k| k.0 != p.pid);
                let parent_fresh = parent.is_some_and(|k| !self.born.contains_key(&k));
                if parent_fresh && waiting.len() + 1 < before {
                    waiting.push(p);
                    continue;
                }
                let same = self.is_same(p);
                let depth = parent.and_then(|k| self.born.get(&k)).map_or(0, |b| b.depth) + u32::from(same);
                self.born.insert((p.pid, p.start), Birth { depth, parent: parent.filter(|_| !parent_fresh) });
                let argv = procfs::argv(p.pid);
                nodes.push(Node { pid: p.pid, ppid: p.ppid, depth, same_exe: same, argv });
            }
            fresh = waiting;
        }
        nodes
    }

    /// Pids from the top of the recorded lineage down to `key`.
    fn lineage(&self, key: (u32, u64)) -> Vec<u32> {
        let mut out = vec![key.0];
        let mut cur = key;
        while let Some(parent) = self.born.get(&cur).and_then(|b| b.parent) {
            if out.len() > self.born.len() {
                break;
            }
            out.push(parent.0);
            cur = parent;
        }
        out.reverse();
        out
    }

    fn is_same(&mut self, p: &Stat) -> bool {
        let exe = self.exe;
        *self.same.entry((p.pid, p.start)).or_insert_with(|| exe.is_some() && procfs::exe_id(p.pid) == exe)
    }
}

impl Source for Tree<'_> {
    fn snapshot(&mut self) -> Snapshot {
        let procs = self.processes();
        let mut snap = Snapshot { processes: procs.len() as u32, ..Snapshot::default() };
        self.last_tasks = procs.iter().map(|p| p.threads).sum();
        let me = std::process::id();
        for p in &procs {
            snap.tasks += p.threads;
            if self.is_same(p) {
                snap.same_exe += 1;
                snap.orphans += u32::from(p.ppid == me && p.pid != self.root);
            }
        }
        snap.new_nodes = self.record_births(&procs);
        for p in &procs {
            let depth = self.born.get(&(p.pid, p.start)).map_or(0, |b| b.depth);
            if depth > snap.max_depth {
                snap.max_depth = depth;
                snap.deepest = self.lineage((p.pid, p.start));
            }
        }
        snap
    }

    fn cap_hit(&self, cap: u32) -> bool {
        if let Some(cg) = self.cgroup.filter(|c| c.capped()) {
            return cg.cap_hit();
        }
        if self.helper {
            // Refused forks leave no count without a cgroup; a tree one
            // task short of the cap is taken to be at it.
            return self.last_tasks + 1 >= cap;
        }
        let Some(base) = self.rlimit_base else { return false };
        let own = procfs::stat(std::process::id()).map_or(base, |s| s.threads);
        self.last_tasks + own.saturating_sub(base) >= cap
    }

    fn reap(&mut self) -> Option<ExitStatus> {
        let mut root = None;
        loop {
            let mut status = 0;
            // SAFETY: plain syscall; this process reaps all its children
            // (it is their subreaper).
            let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
            if pid <= 0 {
                return root;
            }
            if pid as u32 == self.root {
                root = Some(exit_status(status));
            }
        }
    }
}

pub(crate) fn exit_status(status: i32) -> ExitStatus {
    if libc::WIFEXITED(status) {
        ExitStatus { code: Some(libc::WEXITSTATUS(status)), signal: None }
    } else {
        ExitStatus { code: None, signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)) }
    }
}
