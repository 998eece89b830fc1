//! The watchdog loop and the verdict, independent of how a platform lists
//! the tree: poll, record peaks and the tree, decide. Detection is by
//! same-executable ancestry depth (a chain of the target nested `max_depth`
//! deep), plus the sticky cap-hit signal; never by spawn rate, which
//! legitimate pools share with storms.

use super::{ExitStatus, Node, Options, Verdict};
use std::time::{Duration, Instant};

/// The most processes listed in a report's tree.
pub(crate) const TREE_LIMIT: usize = 64;

/// What a platform sees of the tree at one moment.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub processes: u32,
    pub tasks: u32,
    /// The deepest same-executable nesting, and the pids along it.
    pub max_depth: u32,
    pub deepest: Vec<u32>,
    /// Processes running the target's executable.
    pub same_exe: u32,
    /// Of those, orphans re-parented to the probe (double forks).
    pub orphans: u32,
    /// Processes not seen in an earlier snapshot.
    pub new_nodes: Vec<Node>,
}

/// A platform's view of the running tree.
pub(crate) trait Source {
    fn snapshot(&mut self) -> Snapshot;
    /// Forks were (or, without a counter, must have been) refused at the cap.
    fn cap_hit(&self, cap: u32) -> bool;
    /// Reaps exited children; returns the root's status once it is reaped.
    fn reap(&mut self) -> Option<ExitStatus>;
}

#[derive(Debug)]
pub(crate) struct Outcome {
    pub verdict: Verdict,
    pub trigger: Option<String>,
    pub detected_after: Option<Duration>,
    pub cap_hit: bool,
    pub peak_processes: u32,
    pub peak_tasks: u32,
    pub max_depth: u32,
    pub root_status: Option<ExitStatus>,
    pub tree: Vec<Node>,
    pub truncated: bool,
}

/// Polls `source` until a verdict; the tree is still running unless the
/// verdict is `Pass`.
pub(crate) fn watch(source: &mut dyn Source, options: &Options, start: Instant) -> Outcome {
    let mut out = Outcome {
        verdict: Verdict::Pass,
        trigger: None,
        detected_after: None,
        cap_hit: false,
        peak_processes: 0,
        peak_tasks: 0,
        max_depth: 0,
        root_status: None,
        tree: Vec::new(),
        truncated: false,
    };
    loop {
        if let Some(status) = source.reap() {
            out.root_status = Some(status);
        }
        let snap = source.snapshot();
        record(&mut out, &snap, options.cap);
        out.cap_hit |= source.cap_hit(options.cap);
        if let Some(trigger) = storm(&snap, &out, options) {
            out.verdict = Verdict::Storm;
            out.trigger = Some(trigger);
            out.detected_after = Some(start.elapsed());
            return out;
        }
        if out.root_status.is_some() && snap.processes == 0 {
            if out.cap_hit {
                out.verdict = Verdict::Capped;
                out.trigger = Some(capped_note(&out, options));
            }
            return out;
        }
        if start.elapsed() >= options.timeout {
            out.verdict = if out.cap_hit { Verdict::Capped } else { Verdict::Timeout };
            out.trigger = Some(if out.cap_hit {
                capped_note(&out, options)
            } else {
                format!(
                    "still running after {:.1} s without a storm (a server or a long job?); pass --timeout to wait longer",
                    options.timeout.as_secs_f64()
                )
            });
            return out;
        }
        std::thread::sleep(options.poll);
    }
}

fn record(out: &mut Outcome, snap: &Snapshot, cap: u32) {
    out.peak_processes = out.peak_processes.max(snap.processes);
    out.peak_tasks = out.peak_tasks.max(snap.tasks);
    out.max_depth = out.max_depth.max(snap.max_depth);
    out.cap_hit |= snap.tasks >= cap;
    for node in &snap.new_nodes {
        if out.tree.len() < TREE_LIMIT {
            out.tree.push(node.clone());
        } else {
            out.truncated = true;
        }
    }
}

/// Storm evidence: the target nested `max_depth` deep; or the cap hit with
/// the target nested at least 3 deep and most processes running it.
fn storm(snap: &Snapshot, out: &Outcome, options: &Options) -> Option<String> {
    let chain = || snap.deepest.iter().map(u32::to_string).collect::<Vec<_>>().join(" -> ");
    if snap.max_depth >= options.max_depth {
        return Some(format!(
            "the program started itself {} levels deep (limit {}): pids {}",
            snap.max_depth,
            options.max_depth,
            chain()
        ));
    }
    if out.cap_hit && snap.max_depth >= 3 && snap.same_exe * 2 > snap.processes {
        return Some(format!(
            "the task cap ({}) was hit while the program nested {} levels deep and ran {} of {} processes",
            options.cap, snap.max_depth, snap.same_exe, snap.processes
        ));
    }
    if out.cap_hit && snap.orphans >= 2 && snap.same_exe * 2 > snap.processes {
        return Some(format!(
            "the task cap ({}) was hit while {} copies of the program ran detached from their parents (double forks)",
            options.cap, snap.orphans
        ));
    }
    None
}

fn capped_note(out: &Outcome, options: &Options) -> String {
    format!(
        "the task cap ({}) was hit without storm evidence (peak {} processes, {} tasks incl. threads, nesting {}); \
         if that many workers or threads are expected, raise it with --cap",
        options.cap, out.peak_processes, out.peak_tasks, out.max_depth
    )
}
