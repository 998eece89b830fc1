//! The running tree as Linux shows it: members of the probe's cgroup when
//! there is one (cheap under a storm), else the descendants of this process
//! in `/proc` (this process is a child subreaper, so double-forked orphans
//! stay in the tree). Depth counts ancestors running the target's program;
//! a copy of the program first seen with a reaper for parent (its own
//! parent had already exited) is a detached relaunch.

use super::cgroup::Cgroups;
use super::procfs::{self, Stat};
use super::program::Program;
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
    /// This process's children that are not part of the tree (the
    /// sentinel).
    exclude: Vec<u32>,
    /// Processes that adopt orphans: this process, and the namespace's
    /// init under the helper.
    reapers: Vec<u32>,
    last_tasks: u32,
    program: Program,
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
    pub fn new(
        root: u32,
        program: Program,
        cgroup: Option<&'c Cgroups>,
        rlimit_base: Option<u32>,
        helper: bool,
        exclude: Vec<u32>,
    ) -> Self {
        let reapers = vec![std::process::id()];
        Tree {
            root,
            cgroup,
            rlimit_base,
            helper,
            exclude,
            reapers,
            last_tasks: 0,
            program,
            same: HashMap::new(),
            born: HashMap::new(),
        }
    }

    /// The processes of the tree right now.
    pub fn processes(&self) -> Vec<Stat> {
        match self.cgroup {
            Some(cg) => cg.members().into_iter().filter_map(procfs::stat).collect(),
            None => {
                let mut procs = procfs::all();
                procs.retain(|p| !self.exclude.contains(&p.pid));
                procfs::descendants(&procs, std::process::id())
            }
        }
    }

    /// Records processes seen for the first time, parents before children;
    /// returns them as report nodes, and the pids of detached relaunches.
    fn record_births(&mut self, procs: &[Stat]) -> (Vec<Node>, Vec<u32>) {
        let by_pid: HashMap<u32, &Stat> = procs.iter().map(|p| (p.pid, p)).collect();
        let mut fresh: Vec<&Stat> = procs.iter().filter(|p| !self.born.contains_key(&(p.pid, p.start))).collect();
        let (mut nodes, mut detached) = (Vec::new(), Vec::new());
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
                self.note_init(p);
                let same = self.is_same(p);
                if same && self.detached(p, by_pid.contains_key(&p.ppid)) {
                    detached.push(p.pid);
                }
                let depth = parent.and_then(|k| self.born.get(&k)).map_or(0, |b| b.depth) + u32::from(same);
                self.born.insert((p.pid, p.start), Birth { depth, parent: parent.filter(|_| !parent_fresh) });
                let argv = procfs::argv(p.pid);
                nodes.push(Node { pid: p.pid, ppid: p.ppid, depth, same_exe: same, argv });
            }
            fresh = waiting;
        }
        (nodes, detached)
    }

    /// Under the helper, its child is the namespace's init: orphans of the
    /// tree are re-parented to it, not to this process.
    fn note_init(&mut self, p: &Stat) {
        if self.helper && p.ppid == self.root && !self.reapers.contains(&p.pid) {
            self.reapers.push(p.pid);
        }
    }

    /// A process whose parent had exited: a reaper adopted it, or its
    /// parent is gone from the tree already (it exited between the listing
    /// and the read of the child's parent). Not the root, nor, under the
    /// helper, the target init started (pid 2 of the namespace, the first
    /// process after init).
    fn detached(&self, p: &Stat, parent_listed: bool) -> bool {
        let orphan = self.reapers.contains(&p.ppid) || !parent_listed;
        p.pid != self.root && orphan && !(self.helper && procfs::ns_pid(p.pid) == Some(2))
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
        if let Some(same) = self.same.get(&(p.pid, p.start)) {
            return *same;
        }
        let same = self.program.runs(p.pid);
        self.same.insert((p.pid, p.start), same);
        same
    }
}

impl Source for Tree<'_> {
    fn snapshot(&mut self) -> Snapshot {
        if !self.helper {
            // Whatever the root runs is the program (a one-file bundle's
            // bootloader execs the extracted program in place).
            self.program.adopt_root(self.root);
        }
        let procs = self.processes();
        let mut snap = Snapshot { processes: procs.len() as u32, ..Snapshot::default() };
        self.last_tasks = procs.iter().map(|p| p.threads).sum();
        let (nodes, detached) = self.record_births(&procs);
        for p in &procs {
            snap.tasks += p.threads;
            if self.is_same(p) {
                snap.same_exe += 1;
                snap.orphans += u32::from(self.reapers.contains(&p.ppid) && p.pid != self.root);
            }
        }
        snap.new_nodes = nodes;
        snap.relaunched = detached;
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

    fn peak_tasks(&self) -> Option<u32> {
        self.cgroup.and_then(Cgroups::peak)
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
