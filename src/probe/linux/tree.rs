//! The running tree as Linux shows it: members of the probe's cgroup when
//! there is one (cheap under a storm), else the descendants of this process
//! in `/proc` (this process is a child subreaper, so double-forked orphans
//! stay in the tree). Depth counts ancestors running the target's file.

use super::cgroup::V1;
use super::procfs::{self, Stat};
use crate::probe::watch::{Snapshot, Source};
use crate::probe::{ExitStatus, Node};
use std::collections::{HashMap, HashSet};

pub(crate) struct Tree<'c> {
    pub root: u32,
    pub cgroup: Option<&'c V1>,
    /// Under `RLIMIT_NPROC`: this process's thread count when the limit
    /// was computed (its later threads eat into the tree's share).
    pub rlimit_base: Option<u32>,
    last_tasks: u32,
    /// (device, inode) of the target's executable.
    pub exe: Option<(u64, u64)>,
    /// Whether each process ((pid, start time): pids are recycled) runs it.
    same: HashMap<(u32, u64), bool>,
    seen: HashSet<(u32, u64)>,
}

impl<'c> Tree<'c> {
    /// `program` identifies the target when the root is already gone; a
    /// script's processes run its interpreter, which `/proc` shows.
    pub fn new(root: u32, program: &std::path::Path, cgroup: Option<&'c V1>, rlimit_base: Option<u32>) -> Self {
        let by_path = std::fs::metadata(program).ok().map(|m| {
            use std::os::unix::fs::MetadataExt;
            (m.dev(), m.ino())
        });
        let exe = procfs::exe_id(root).or(by_path);
        Tree { root, cgroup, rlimit_base, last_tasks: 0, exe, same: HashMap::new(), seen: HashSet::new() }
    }

    /// The processes of the tree right now.
    pub fn processes(&self) -> Vec<Stat> {
        match self.cgroup {
            Some(cg) => cg.members().into_iter().filter_map(procfs::stat).collect(),
            None => procfs::descendants(&procfs::all(), std::process::id()),
        }
    }

    fn is_same(&mut self, p: &Stat) -> bool {
        let exe = self.exe;
        *self.same.entry((p.pid, p.start)).or_insert_with(|| exe.is_some() && procfs::exe_id(p.pid) == exe)
    }
}

impl Source for Tree<'_> {
    fn snapshot(&mut self) -> Snapshot {
        let procs = self.processes();
        let by_pid: HashMap<u32, &Stat> = procs.iter().map(|p| (p.pid, p)).collect();
        let mut snap = Snapshot { processes: procs.len() as u32, ..Snapshot::default() };
        let total: u32 = procs.iter().map(|p| p.threads).sum();
        self.last_tasks = total;
        let mut depth: HashMap<u32, u32> = HashMap::new();
        let me = std::process::id();
        for p in &procs {
            snap.tasks += p.threads;
            if self.is_same(p) {
                snap.same_exe += 1;
                snap.orphans += u32::from(p.ppid == me && p.pid != self.root);
            }
        }
        for p in &procs {
            let d = depth_of(p.pid, &by_pid, &mut depth, &self.same);
            if d > snap.max_depth {
                snap.max_depth = d;
                snap.deepest = chain(p.pid, &by_pid);
            }
            if self.seen.insert((p.pid, p.start)) {
                let same_exe = self.same.get(&(p.pid, p.start)).copied().unwrap_or(false);
                let argv = procfs::argv(p.pid);
                snap.new_nodes.push(Node { pid: p.pid, ppid: p.ppid, depth: d, same_exe, argv });
            }
        }
        snap
    }

    fn cap_hit(&self, cap: u32) -> bool {
        if let Some(cg) = self.cgroup {
            return cg.cap_hit();
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

/// Same-exe processes on the path from the tree's top to `pid`, inclusive.
fn depth_of(
    pid: u32,
    by_pid: &HashMap<u32, &Stat>,
    memo: &mut HashMap<u32, u32>,
    same: &HashMap<(u32, u64), bool>,
) -> u32 {
    let mut path = Vec::new();
    let mut cur = pid;
    let mut base = 0;
    while let Some(p) = by_pid.get(&cur) {
        if let Some(&d) = memo.get(&cur) {
            base = d;
            break;
        }
        path.push(*p);
        if path.len() > by_pid.len() {
            break; // a ppid cycle cannot happen, but never loop forever
        }
        cur = p.ppid;
    }
    let mut d = base;
    for p in path.iter().rev() {
        d += u32::from(same.get(&(p.pid, p.start)).copied().unwrap_or(false));
        memo.insert(p.pid, d);
    }
    memo.get(&pid).copied().unwrap_or(d)
}

fn chain(pid: u32, by_pid: &HashMap<u32, &Stat>) -> Vec<u32> {
    let mut out = vec![pid];
    let mut cur = pid;
    while let Some(p) = by_pid.get(&cur) {
        if !by_pid.contains_key(&p.ppid) || out.len() > by_pid.len() {
            break;
        }
        out.push(p.ppid);
        cur = p.ppid;
    }
    out.reverse();
    out
}

pub(crate) fn exit_status(status: i32) -> ExitStatus {
    if libc::WIFEXITED(status) {
        ExitStatus { code: Some(libc::WEXITSTATUS(status)), signal: None }
    } else {
        ExitStatus { code: None, signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)) }
    }
}
