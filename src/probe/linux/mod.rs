//! The probe on Linux: lowers the cap below every limit cargo-freeze runs
//! under, picks the strongest containment that works here (beneath
//! cargo-freeze's own cgroups), starts a sentinel that cleans up should
//! cargo-freeze die, starts the target in the containment with its execs
//! paced (`pacing`: each waits for the watchdog's next scan), runs the
//! watchdog from this (uncontained) process as the target's child
//! subreaper, kills the tree when needed and removes everything it
//! created. Every path out (a verdict, an error, a panic, SIGINT, SIGTERM,
//! SIGHUP) kills the tree and removes the cgroups and the temporary
//! directory; SIGKILL leaves that to the sentinel, and a run whose sentinel
//! died too is reaped by the next run (`stale`).

mod cgroup;
mod contain;
mod headroom;
mod kill;
mod pacing;
mod priority;
mod procfs;
mod program;
mod run_id;
mod sentinel;
mod spawn;
mod stale;
mod tree;
pub(crate) mod userns;

use super::assemble::{self, Extra};
use super::signals;
use super::watch::{self, Outcome};
use super::{Error, Options, ProbeReport, Verdict};
use contain::Containment;
use program::Program;
use run_id::RunId;
use sentinel::{Sentinel, Teardown};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Instant;

pub(super) fn probe(options: &Options, program: &Path) -> Result<ProbeReport, Error> {
    let _signals = signals::install();
    set_subreaper();
    let run = RunId::current();
    let reaped = stale::reap(&contain::cgroup_parents(), &std::env::temp_dir());
    let (cap, cap_note) = cap_after(options.cap, !reaped.is_empty()).map_err(Error::NoRoom)?;
    let options = &Options { cap, ..options.clone() };
    let mut contain = contain::contain(cap, cap_note, run);
    if !contain.capped() && !options.allow_uncontained {
        return Err(Error::NoContainment { reasons: std::mem::take(&mut contain.skipped) });
    }
    let tmp = tempfile::Builder::new().prefix(&run.tmp_prefix()).tempdir().map_err(Error::TempDir)?;
    let tmpdir = tmp.path().to_path_buf();
    let mut sentinel = start_sentinel(&mut contain, tmp.path());
    let raised = priority::raise_watchdog();
    let nice = priority::tree_nice(raised.as_ref());
    let pacing = start_pacing(&mut contain);
    let confine = spawn::Confine { join: contain.cgroups.join_files(), nproc: contain.nproc, nice, pacing };
    let start = Instant::now();
    let started = spawn::start(program, options, tmp.path(), confine, contain.userns)
        .map_err(|source| Error::Spawn { program: program.display().to_string(), source })?;
    if let Some(pacer) = &contain.pacer {
        pacer.arm();
    }
    if let Some(s) = &mut sentinel {
        s.watch_group(started.pid);
    }
    let (mut outcome, extra) = watch_and_end(options, program, &contain, started.pid, &sentinel, start);
    drop(raised);
    let (cgroup, cgroup_v2) = contain.cgroups.paths();
    contain.cgroups.remove();
    drop(tmp);
    if let Some(s) = sentinel {
        s.dismiss();
    }
    contain.cgroups.undo_move();
    if let Some(signal) = outcome.interrupted.take().or_else(signals::caught) {
        return Err(Error::Interrupted { signal });
    }
    let name = pacing_result(&mut contain);
    let extra = Extra {
        stdout: started.stdout.text(),
        stderr: started.stderr.text(),
        tmpdir,
        cgroup,
        cgroup_v2,
        reaped,
        cap_note: contain.cap_note.clone(),
        ..extra
    };
    Ok(assemble::report(options, program, outcome, &name, contain.skipped, extra))
}

/// The pacer for this run and the target's end of it; why not, in the
/// report's skipped list.
fn start_pacing(contain: &mut Containment) -> Option<pacing::ChildEnd> {
    match pacing::Pacer::start() {
        Ok((pacer, end)) => {
            contain.pacer = Some(pacer);
            Some(end)
        }
        Err(why) => {
            contain.skipped.push(format!("exec pacing: {why}"));
            None
        }
    }
}

/// The containment's name with pacing, once the run is over: whether the
/// target installed the filter, and with `no_new_privs` or not.
fn pacing_result(contain: &mut Containment) -> String {
    let Some(pacer) = contain.pacer.take() else { return contain.name.clone() };
    match pacer.status() {
        pacing::Status::On { no_new_privs: false } => format!("{} + exec pacing", contain.name),
        pacing::Status::On { no_new_privs: true } => format!("{} + exec pacing (no_new_privs)", contain.name),
        pacing::Status::Waiting => {
            contain.skipped.push("exec pacing: the target never sent its filter's listener".to_string());
            contain.name.clone()
        }
        pacing::Status::Off(why) => {
            contain.skipped.push(format!("exec pacing: {why}"));
            contain.name.clone()
        }
    }
}

/// The cap under the caller's limits. Right after a dead run was reaped,
/// its killed processes may still be charged to the caller's cgroup as
/// zombies until their new parent (init) reaps them: wait for that, up to
/// 5 s, before giving up for lack of room (init here took up to 2.3 s).
fn cap_after(requested: u32, reaped: bool) -> Result<(u32, Option<String>), String> {
    let deadline = Instant::now() + std::time::Duration::from_secs(if reaped { 5 } else { 0 });
    loop {
        match contain::cap(requested) {
            Err(_) if Instant::now() < deadline => std::thread::sleep(std::time::Duration::from_millis(20)),
            other => return other,
        }
    }
}

/// Watches the tree until a verdict, then kills what is left of it.
fn watch_and_end(
    options: &Options,
    program: &Path,
    contain: &Containment,
    pid: u32,
    sentinel: &Option<Sentinel>,
    start: Instant,
) -> (Outcome, Extra) {
    let cgroups = (contain.cgroups.v1.is_some() || contain.cgroups.v2.is_some()).then_some(&contain.cgroups);
    let root = (!contain.userns).then_some(pid);
    let exclude = sentinel.iter().map(Sentinel::pid).collect();
    let program = Program::new(program, root);
    let mut tree = tree::Tree::new(pid, program, cgroups, contain.rlimit_base, contain.userns, exclude);
    tree.pacer = contain.pacer.as_ref();
    let mut outcome = watch::watch(&mut tree, options, start, &signals::caught);
    let mut extra = Extra::default();
    if outcome.verdict != Verdict::Pass || kill::remaining(&tree) > 0 {
        let killed = kill::kill_all(&mut tree, pid);
        extra.kill_ms = Some(killed.took.as_secs_f64() * 1000.0);
        extra.kill_method = Some(killed.method.name().to_string());
        outcome.root_status = outcome.root_status.or(killed.root_status);
    }
    extra.survivors = kill::remaining(&tree);
    extra.elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;
    extra.peak_cgroup = cgroups.and_then(cgroup::Cgroups::peak);
    (outcome, extra)
}

/// The sentinel for this run; a failure to start one is reported, not
/// fatal (the run is still contained and cleaned up by this process).
fn start_sentinel(contain: &mut Containment, tmpdir: &Path) -> Option<Sentinel> {
    let teardown = Teardown {
        tmpdir: tmpdir.to_path_buf(),
        cgroups: contain.cgroups.dirs(),
        moved: contain.cgroups.v2.as_ref().and_then(|v| v.moved.clone()),
    };
    Sentinel::start(&teardown)
        .map_err(|e| contain.skipped.push(format!("sentinel (cleans up if cargo-freeze dies): cannot start: {e}")))
        .ok()
}

fn set_subreaper() {
    // SAFETY: plain syscall; orphans of the target become this process's
    // children, so the watchdog sees and reaps them.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    }
}

pub(super) fn helper_main(args: &[std::ffi::OsString]) -> i32 {
    userns::helper_main(args)
}

pub(super) fn sentinel_main(args: &[std::ffi::OsString]) -> i32 {
    sentinel::sentinel_main(args)
}

pub(super) fn is_executable(path: &Path) -> bool {
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
