//! Turns the watch loop's outcome and the platform's numbers into the
//! report every platform returns.

use super::watch::Outcome;
use super::{Options, ProbeReport};
use std::path::{Path, PathBuf};

/// What the platform adds to the watch loop's outcome.
#[derive(Debug, Default)]
pub(crate) struct Extra {
    pub kill_ms: Option<f64>,
    pub survivors: u32,
    pub elapsed_ms: f64,
    pub peak_cgroup: Option<u32>,
    pub stdout: String,
    pub stderr: String,
    pub tmpdir: PathBuf,
    pub cgroup: Option<PathBuf>,
    pub cgroup_v2: Option<PathBuf>,
    pub kill_method: Option<String>,
    pub cap_note: Option<String>,
    pub reaped: Vec<String>,
}

pub(crate) fn report(
    options: &Options,
    program: &Path,
    o: Outcome,
    containment: &str,
    skipped: Vec<String>,
    x: Extra,
) -> ProbeReport {
    let mut command = vec![program.display().to_string()];
    command.extend(options.args.iter().map(|a| a.to_string_lossy().into_owned()));
    ProbeReport {
        verdict: o.verdict,
        trigger: o.trigger,
        containment: containment.to_string(),
        skipped,
        cap: options.cap,
        cap_note: x.cap_note,
        cap_hit: o.cap_hit,
        peak_processes: o.peak_processes,
        peak_tasks: o.peak_tasks.max(x.peak_cgroup.unwrap_or(0)),
        max_depth: o.max_depth,
        depth_limit: options.max_depth,
        relaunches: o.relaunches,
        detached_limit: options.max_detached,
        detected_after_ms: o.detected_after.map(|d| d.as_secs_f64() * 1000.0),
        kill_ms: x.kill_ms,
        kill_method: x.kill_method,
        elapsed_ms: x.elapsed_ms,
        survivors: x.survivors,
        exit_status: o.root_status,
        stdout: x.stdout,
        stderr: x.stderr,
        tree: o.tree,
        tree_truncated: o.truncated,
        command,
        tmpdir: x.tmpdir,
        cgroup: x.cgroup,
        cgroup_v2: x.cgroup_v2,
        reaped: x.reaped,
    }
}
