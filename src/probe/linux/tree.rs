//! The running tree as Linux shows it: members of the probe's cgroup when
//! there is one (cheap under a storm), else the descendants of this process
//! in `/proc` (this process is a child subreaper, so double-forked orphans
//! stay in the tree). Nesting and detached relaunches are kept by
//! [`Lineage`]; this file says what Linux knows: which processes run the
//! program, who adopts orphans, how forks refused at the cap show. Under
//! exec pacing, each scan releases the execs that were waiting for it.

use super::cgroup::Cgroups;
use super::pacing::Pacer;
use super::procfs;
use super::program::Program;
use crate::probe::ExitStatus;
use crate::probe::lineage::{Lineage, Proc, View};
use crate::probe::watch::{Snapshot, Source};

pub(crate) struct Tree<'c> {
    pub root: u32,
    pub cgroup: Option<&'c Cgroups>,
    /// Under `RLIMIT_NPROC`: this process's thread count when the limit
    /// was computed (its later threads eat into the tree's share).
    pub rlimit_base: Option<u32>,
    /// Holds each exec in the tree until a scan has seen it.
    pub pacer: Option<&'c Pacer>,
    /// This process's children that are not part of the tree (the
    /// sentinel).
    exclude: Vec<u32>,
    last_tasks: u32,
    lineage: Lineage,
    view: LinuxView,
}

/// What Linux knows about the tree's processes.
struct LinuxView {
    root: u32,
    /// Under the namespace helper (the root), whose child is the
    /// namespace's init and whose `RLIMIT_NPROC` counts the tree alone.
    helper: bool,
    /// Processes that adopt orphans: this process, and the namespace's
    /// init under the helper.
    reapers: Vec<u32>,
    program: Program,
}

impl<'c> Tree<'c> {
    pub(super) fn new(
        root: u32,
        program: Program,
        cgroup: Option<&'c Cgroups>,
        rlimit_base: Option<u32>,
        helper: bool,
        exclude: Vec<u32>,
    ) -> Self {
        let view = LinuxView { root, helper, reapers: vec![std::process::id()], program };
        Tree { root, cgroup, rlimit_base, pacer: None, exclude, last_tasks: 0, lineage: Lineage::default(), view }
    }

    /// The processes of the tree right now.
    pub(super) fn processes(&self) -> Vec<procfs::Stat> {
        match self.cgroup {
            Some(cg) => cg.members().into_iter().filter_map(procfs::stat).collect(),
            None => {
                let mut procs = procfs::all();
                procs.retain(|p| !self.exclude.contains(&p.pid));
                procfs::descendants(&procs, std::process::id())
            }
        }
    }
}

impl View for LinuxView {
    fn is_same(&mut self, p: &Proc) -> bool {
        // Under the helper, its child is the namespace's init: orphans of
        // the tree are re-parented to it, not to this process.
        if self.helper && p.ppid == self.root && !self.reapers.contains(&p.pid) {
            self.reapers.push(p.pid);
        }
        self.program.runs(p.pid)
    }

    fn is_reaper(&self, pid: u32) -> bool {
        self.reapers.contains(&pid)
    }

    /// The root, or under the helper the target its init started (pid 2
    /// of the namespace, the first process after init).
    fn is_started_by_probe(&self, p: &Proc) -> bool {
        p.pid == self.root || (self.helper && procfs::ns_pid(p.pid) == Some(2))
    }

    fn argv(&self, pid: u32) -> Vec<String> {
        procfs::argv(pid)
    }
}

impl Source for Tree<'_> {
    fn snapshot(&mut self) -> Snapshot {
        if !self.view.helper {
            // Whatever the root runs is the program (a one-file bundle's
            // bootloader execs the extracted program in place).
            self.view.program.adopt_root(self.root);
        }
        // Execs that arrived before this scan began wait until it is done.
        let owed = self.pacer.map(Pacer::owed);
        let stats = self.processes();
        let procs: Vec<Proc> =
            stats.iter().map(|s| Proc { pid: s.pid, ppid: s.ppid, start: s.start, threads: s.threads }).collect();
        self.last_tasks = procs.iter().map(|p| p.threads).sum();
        let snapshot = self.lineage.snapshot(&procs, &mut self.view);
        if let (Some(pacer), Some(owed)) = (self.pacer, owed) {
            pacer.scanned(owed);
        }
        snapshot
    }

    fn pause(&mut self, poll: std::time::Duration) {
        match self.pacer {
            Some(pacer) => pacer.pause(poll),
            None => std::thread::sleep(poll),
        }
    }

    fn cap_hit(&self, cap: u32) -> bool {
        if let Some(cg) = self.cgroup.filter(|c| c.capped()) {
            return cg.cap_hit();
        }
        if self.view.helper {
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
