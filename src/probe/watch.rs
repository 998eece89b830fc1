//! The watchdog loop and the verdict, independent of how a platform lists
//! the tree: poll, record peaks and the tree, decide. The storm evidence,
//! none of which depends on timing or on the tree keeping its shape:
//! same-executable ancestry depth (a chain of the program nested
//! `max_depth` deep, each process's nesting fixed when first seen), copies
//! of the program relaunched detached from their parent (double forks and
//! parents that exit at once break every chain; `max_detached` of them is a
//! storm), and the cap hit while the program dominates the tree. Never
//! spawn rate, which legitimate pools share with storms.

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
    /// Of those, orphans re-parented to a reaper (double forks).
    pub orphans: u32,
    /// Processes not seen in an earlier snapshot.
    pub new_nodes: Vec<Node>,
    /// Processes seen before that have since exec'd the program: their
    /// nodes as they are now.
    pub exec_nodes: Vec<Node>,
    /// Of those, copies of the program whose parent was already gone.
    pub relaunched: Vec<u32>,
}

/// A platform's view of the running tree.
pub(crate) trait Source {
    fn snapshot(&mut self) -> Snapshot;
    /// Forks were (or, without a counter, must have been) refused at the cap.
    fn cap_hit(&self, cap: u32) -> bool;
    /// Reaps exited children; returns the root's status once it is reaped.
    fn reap(&mut self) -> Option<ExitStatus>;
    /// The kernel's own peak task count, where it keeps one.
    fn peak_tasks(&self) -> Option<u32> {
        None
    }
    /// Waits until the next poll (sooner where a platform holds a process
    /// until it is seen).
    fn pause(&mut self, poll: Duration) {
        std::thread::sleep(poll);
    }
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
    /// Detached relaunches seen, and the first pids.
    pub relaunches: u32,
    pub relaunched: Vec<u32>,
    pub root_status: Option<ExitStatus>,
    pub tree: Vec<Node>,
    pub truncated: bool,
    /// A signal that stopped the watch (SIGINT, SIGTERM, SIGHUP).
    pub interrupted: Option<i32>,
}

/// Polls `source` until a verdict, a signal (`interrupted` returns it) or
/// the deadline; the tree is still running unless the verdict is `Pass`.
pub(crate) fn watch(
    source: &mut dyn Source,
    options: &Options,
    start: Instant,
    interrupted: &dyn Fn() -> Option<i32>,
) -> Outcome {
    let mut out = Outcome {
        verdict: Verdict::Pass,
        trigger: None,
        detected_after: None,
        cap_hit: false,
        peak_processes: 0,
        peak_tasks: 0,
        max_depth: 0,
        relaunches: 0,
        relaunched: Vec::new(),
        root_status: None,
        tree: Vec::new(),
        truncated: false,
        interrupted: None,
    };
    loop {
        if let Some(status) = source.reap() {
            out.root_status = Some(status);
        }
        let snap = source.snapshot();
        record(&mut out, &snap, options.cap);
        out.cap_hit |= source.cap_hit(options.cap);
        if let Some(trigger) = storm(&snap, &out, source.peak_tasks(), options) {
            out.verdict = Verdict::Storm;
            out.trigger = Some(trigger);
            out.detected_after = Some(start.elapsed());
            return out;
        }
        if out.root_status.is_some() && snap.processes == 0 {
            if out.cap_hit {
                out.verdict = Verdict::Capped;
                out.trigger = Some(capped_note(&out, source.peak_tasks(), options));
            }
            return out;
        }
        if let Some(signal) = interrupted() {
            out.interrupted = Some(signal);
            out.verdict = Verdict::Timeout;
            return out;
        }
        if start.elapsed() >= options.timeout {
            out.verdict = if out.cap_hit { Verdict::Capped } else { Verdict::Timeout };
            out.trigger = Some(if out.cap_hit {
                capped_note(&out, source.peak_tasks(), options)
            } else {
                format!(
                    "still running after {:.1} s without a storm (a server or a long job?); pass --timeout to wait longer",
                    options.timeout.as_secs_f64()
                )
            });
            return out;
        }
        source.pause(options.poll);
    }
}

fn record(out: &mut Outcome, snap: &Snapshot, cap: u32) {
    out.peak_processes = out.peak_processes.max(snap.processes);
    out.peak_tasks = out.peak_tasks.max(snap.tasks);
    out.max_depth = out.max_depth.max(snap.max_depth);
    out.cap_hit |= snap.tasks >= cap;
    out.relaunches += snap.relaunched.len() as u32;
    let room = 8usize.saturating_sub(out.relaunched.len());
    out.relaunched.extend(snap.relaunched.iter().take(room));
    for node in &snap.exec_nodes {
        if let Some(seen) = out.tree.iter_mut().rev().find(|n| n.pid == node.pid) {
            *seen = node.clone();
        }
    }
    for node in &snap.new_nodes {
        if out.tree.len() < TREE_LIMIT {
            out.tree.push(node.clone());
        } else {
            out.truncated = true;
        }
    }
}

/// Storm evidence: the program nested `max_depth` deep; relaunched
/// detached `max_detached` times; or the cap hit with the program nested at
/// least 3 deep (or detached copies running) and most processes running it.
fn storm(snap: &Snapshot, out: &Outcome, kernel_peak: Option<u32>, options: &Options) -> Option<String> {
    let pids = |list: &[u32]| list.iter().map(u32::to_string).collect::<Vec<_>>().join(" -> ");
    if snap.max_depth >= options.max_depth {
        return Some(format!(
            "the program started itself {} levels deep (limit {}): pids {}",
            snap.max_depth,
            options.max_depth,
            pids(&snap.deepest)
        ));
    }
    if out.relaunches >= options.max_detached {
        let shown: Vec<String> = out.relaunched.iter().map(u32::to_string).collect();
        return Some(format!(
            "the program relaunched itself {} times detached from its parent (double forks or parents that exit \
             at once; limit {}): pids {}, ...",
            out.relaunches,
            options.max_detached,
            shown.join(", ")
        ));
    }
    // A chain of detached copies that met the cap stalls there and may
    // leave nothing to see: its relaunches so far are the evidence.
    if out.cap_hit && out.relaunches >= (options.max_detached / 4).max(4) {
        return Some(format!(
            "{} after the program relaunched itself {} times detached from its parent (double forks or parents \
             that exit at once)",
            limit_hit(out, kernel_peak, options),
            out.relaunches
        ));
    }
    let dominated = snap.same_exe * 2 > snap.processes;
    if out.cap_hit && snap.max_depth >= 3 && dominated {
        return Some(format!(
            "{} while the program nested {} levels deep and ran {} of {} processes",
            limit_hit(out, kernel_peak, options),
            snap.max_depth,
            snap.same_exe,
            snap.processes
        ));
    }
    if out.cap_hit && snap.orphans >= 2 && dominated {
        return Some(format!(
            "{} while {} copies of the program ran detached from their parents (double forks)",
            limit_hit(out, kernel_peak, options),
            snap.orphans
        ));
    }
    None
}

/// Which limit refused forks: the cap, or (the kernel's peak stayed
/// below it) one outside the probe.
fn limit_hit(out: &Outcome, kernel_peak: Option<u32>, options: &Options) -> String {
    match kernel_peak.map(|k| k.max(out.peak_tasks)) {
        Some(peak) if peak < options.cap => {
            format!("forks were refused at {peak} tasks, below the cap ({}), by a limit outside the probe", options.cap)
        }
        _ => format!("the task cap ({}) was hit", options.cap),
    }
}

/// Why `capped`: the cap itself, or (the peak stayed below it) a limit
/// outside the probe that refused forks first.
fn capped_note(out: &Outcome, kernel_peak: Option<u32>, options: &Options) -> String {
    let peak = out.peak_tasks.max(kernel_peak.unwrap_or(0));
    let numbers =
        format!("peak {} processes, {} tasks incl. threads, nesting {}", out.peak_processes, peak, out.max_depth);
    if kernel_peak.is_some() && peak < options.cap {
        return format!(
            "forks were refused at {peak} tasks, below the cap ({}): a limit outside the probe was reached \
             (the caller's pids.max, RLIMIT_NPROC or the kernel's; {numbers})",
            options.cap
        );
    }
    format!(
        "the task cap ({}) was hit without storm evidence ({numbers}); \
         if that many workers or threads are expected, raise it with --cap",
        options.cap
    )
}
