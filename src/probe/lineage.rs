//! Who started whom, kept across polls, for platforms where orphans are
//! re-parented (Linux, macOS): each process's nesting (the ancestors on its
//! path that run the program, itself included) and parent are fixed when it
//! is first seen, so a parent that exits later (a double fork) does not
//! break the chain; a copy of the program first seen without its parent
//! (adopted by a reaper, or its parent already gone from the listing) is a
//! detached relaunch. A process is keyed by (pid, start time): a storm
//! recycles pids fast. Under exec pacing a process is often first seen
//! blocked in its exec, still running its parent's executable: one that
//! did not run the program is asked again at each snapshot, and once it
//! does it nests one level deeper (and counts as a detached relaunch if a
//! reaper adopted it), as if it had been first seen after its exec.

use super::Node;
use super::watch::Snapshot;
use std::collections::HashMap;

/// One process as a platform lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Proc {
    pub pid: u32,
    pub ppid: u32,
    pub start: u64,
    pub threads: u32,
}

impl Proc {
    fn key(&self) -> (u32, u64) {
        (self.pid, self.start)
    }
}

/// What a platform knows about the processes it lists.
pub(crate) trait View {
    /// The process runs the program (called once per process).
    fn is_same(&mut self, p: &Proc) -> bool;
    /// A process that adopts orphans (the probe itself, a namespace init).
    fn is_reaper(&self, pid: u32) -> bool;
    /// The process was started by the probe itself (the root), not by the
    /// program.
    fn is_started_by_probe(&self, p: &Proc) -> bool;
    fn argv(&self, pid: u32) -> Vec<String>;
}

struct Birth {
    depth: u32,
    parent: Option<(u32, u64)>,
}

#[derive(Default)]
pub(crate) struct Lineage {
    same: HashMap<(u32, u64), bool>,
    born: HashMap<(u32, u64), Birth>,
}

impl Lineage {
    /// The snapshot of `procs` (the tree now): counts, births, nesting.
    pub(super) fn snapshot(&mut self, procs: &[Proc], view: &mut dyn View) -> Snapshot {
        let mut snap = Snapshot { processes: procs.len() as u32, ..Snapshot::default() };
        let (execs, mut detached) = self.record_execs(procs, view);
        let (nodes, born_detached) = self.record_births(procs, view);
        detached.extend(born_detached);
        snap.exec_nodes = execs;
        for p in procs {
            snap.tasks += p.threads;
            if self.is_same(p, view) {
                snap.same_exe += 1;
                snap.orphans += u32::from(view.is_reaper(p.ppid) && !view.is_started_by_probe(p));
            }
            let depth = self.born.get(&p.key()).map_or(0, |b| b.depth);
            if depth > snap.max_depth {
                snap.max_depth = depth;
                snap.deepest = self.lineage(p.key());
            }
        }
        snap.new_nodes = nodes;
        snap.relaunched = detached;
        snap
    }

    /// Records processes seen for the first time, parents before children;
    /// returns them as report nodes, and the pids of detached relaunches.
    fn record_births(&mut self, procs: &[Proc], view: &mut dyn View) -> (Vec<Node>, Vec<u32>) {
        let by_pid: HashMap<u32, &Proc> = procs.iter().map(|p| (p.pid, p)).collect();
        let mut fresh: Vec<&Proc> = procs.iter().filter(|p| !self.born.contains_key(&p.key())).collect();
        let (mut nodes, mut detached) = (Vec::new(), Vec::new());
        while !fresh.is_empty() {
            let before = fresh.len();
            let mut waiting = Vec::new();
            for p in fresh {
                let parent = by_pid.get(&p.ppid).map(|q| q.key()).filter(|k| k.0 != p.pid);
                let parent_fresh = parent.is_some_and(|k| !self.born.contains_key(&k));
                if parent_fresh && waiting.len() + 1 < before {
                    waiting.push(p);
                    continue;
                }
                let same = self.is_same(p, view);
                let orphan = view.is_reaper(p.ppid) || parent.is_none();
                if same && orphan && !view.is_started_by_probe(p) {
                    detached.push(p.pid);
                }
                let depth = parent.and_then(|k| self.born.get(&k)).map_or(0, |b| b.depth) + u32::from(same);
                self.born.insert(p.key(), Birth { depth, parent: parent.filter(|_| !parent_fresh) });
                nodes.push(Node { pid: p.pid, ppid: p.ppid, depth, same_exe: same, argv: view.argv(p.pid) });
            }
            fresh = waiting;
        }
        (nodes, detached)
    }

    /// Processes seen before, not running the program then, that run it
    /// now (they exec'd it): one level deeper. Returns them as report
    /// nodes (they replace the ones first recorded), and the pids of those
    /// a reaper had adopted (detached relaunches).
    fn record_execs(&mut self, procs: &[Proc], view: &mut dyn View) -> (Vec<Node>, Vec<u32>) {
        let (mut nodes, mut detached) = (Vec::new(), Vec::new());
        for p in procs {
            if self.same.get(&p.key()) != Some(&false) || !view.is_same(p) {
                continue;
            }
            self.same.insert(p.key(), true);
            let Some(birth) = self.born.get_mut(&p.key()) else { continue };
            birth.depth += 1;
            if view.is_reaper(p.ppid) && !view.is_started_by_probe(p) {
                detached.push(p.pid);
            }
            nodes.push(Node { pid: p.pid, ppid: p.ppid, depth: birth.depth, same_exe: true, argv: view.argv(p.pid) });
        }
        (nodes, detached)
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

    fn is_same(&mut self, p: &Proc, view: &mut dyn View) -> bool {
        if let Some(same) = self.same.get(&p.key()) {
            return *same;
        }
        let same = view.is_same(p);
        self.same.insert(p.key(), same);
        same
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything runs the program; pid 1 is the probe, 10 the root. The
    /// `late` pids run it only from the second time they are asked (first
    /// seen blocked in their exec).
    #[derive(Default)]
    struct All {
        late: &'static [u32],
        asked: Vec<u32>,
    }
    impl View for All {
        fn is_same(&mut self, p: &Proc) -> bool {
            let before = self.asked.contains(&p.pid);
            self.asked.push(p.pid);
            !self.late.contains(&p.pid) || before
        }
        fn is_reaper(&self, pid: u32) -> bool {
            pid == 1
        }
        fn is_started_by_probe(&self, p: &Proc) -> bool {
            p.pid == 10
        }
        fn argv(&self, _: u32) -> Vec<String> {
            Vec::new()
        }
    }

    fn p(pid: u32, ppid: u32) -> Proc {
        Proc { pid, ppid, start: u64::from(pid), threads: 1 }
    }

    #[test]
    fn nesting_survives_a_parent_that_exits_later() {
        let mut l = Lineage::default();
        assert_eq!(l.snapshot(&[p(10, 1), p(11, 10)], &mut All::default()).max_depth, 2);
        // 11 exits; its child, first seen with the probe as its parent, is a
        // detached relaunch, nested 1 deep.
        let snap = l.snapshot(&[p(10, 1), p(12, 1)], &mut All::default());
        assert_eq!((snap.relaunched, snap.max_depth), (vec![12], 1));
        // A child seen with its live parent nests under it, even when the
        // parent is listed after it.
        let snap = l.snapshot(&[p(14, 13), p(13, 12), p(12, 1), p(10, 1)], &mut All::default());
        assert_eq!((snap.max_depth, snap.deepest), (3, vec![12, 13, 14]));
    }

    #[test]
    fn a_process_first_seen_before_its_exec_nests_once_it_runs_the_program() {
        let mut l = Lineage::default();
        let mut view = All { late: &[20, 21], asked: Vec::new() };
        // 20 (child of the root) and 21 (adopted by the reaper) are seen
        // blocked in their exec, still another executable.
        let snap = l.snapshot(&[p(10, 1), p(20, 10), p(21, 1)], &mut view);
        assert_eq!((snap.max_depth, snap.same_exe, snap.relaunched.len()), (1, 1, 0));
        let snap = l.snapshot(&[p(10, 1), p(20, 10), p(21, 1)], &mut view);
        assert_eq!((snap.max_depth, snap.deepest.clone()), (2, vec![10, 20]), "20 now nests under the root");
        assert_eq!((snap.same_exe, snap.relaunched), (3, vec![21]), "21 is a detached relaunch");
        let execs: Vec<(u32, u32, bool)> = snap.exec_nodes.iter().map(|n| (n.pid, n.depth, n.same_exe)).collect();
        assert_eq!(execs, vec![(20, 2, true), (21, 1, true)], "their report nodes are redone");
        let snap = l.snapshot(&[p(10, 1), p(20, 10), p(21, 1), p(22, 20)], &mut view);
        assert_eq!(snap.max_depth, 3, "a child born after the exec nests under it");
        assert!(snap.relaunched.is_empty(), "each counted once");
    }

    #[test]
    fn a_parent_gone_from_the_listing_makes_a_detached_copy() {
        let mut l = Lineage::default();
        let snap = l.snapshot(&[p(10, 1), p(21, 20)], &mut All::default());
        assert_eq!(snap.relaunched, vec![21], "20 exited between the listing and reading 21");
        assert_eq!(snap.orphans, 0, "the root is not an orphan");
    }
}
