//! The probe on Linux: picks the strongest containment that works here,
//! starts the target in it, runs the watchdog from this (uncontained)
//! process as the target's child subreaper, kills the tree when needed and
//! removes everything it created.

mod cgroup;
mod cgroup2;
mod cgroup2_plan;
mod cgroups;
mod contain;
mod kill;
mod procfs;
mod spawn;
mod tree;
pub(crate) mod userns;

use super::assemble::{self, Extra};
use super::capture;
use super::watch;
use super::{Error, Options, ProbeReport, Verdict};
use cgroups::Cgroups;
use contain::contain;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Instant;

pub(super) fn probe(options: &Options, program: &Path) -> Result<ProbeReport, Error> {
    set_subreaper();
    let tmp = tempfile::Builder::new().prefix("cargo-freeze-probe-").tempdir().map_err(Error::TempDir)?;
    let tmpdir = tmp.path().to_path_buf();
    let contain = contain(options.cap);
    if !contain.capped() && !options.allow_uncontained {
        contain.cgroups.as_ref().map(Cgroups::remove);
        return Err(Error::NoContainment { reasons: contain.skipped });
    }
    let join = contain.cgroups.as_ref().map(Cgroups::join_files).unwrap_or_default();
    let confine = spawn::Confine { join, nproc: contain.nproc };
    let start = Instant::now();
    let started = match spawn::start(program, options, &tmpdir, confine, contain.userns) {
        Ok(started) => started,
        Err(source) => {
            contain.cgroups.as_ref().map(Cgroups::remove);
            return Err(Error::Spawn { program: program.display().to_string(), source });
        }
    };
    let mut tree = tree::Tree::new(started.pid, program, contain.cgroups.as_ref(), contain.rlimit_base, contain.userns);
    let mut outcome = watch::watch(&mut tree, options, start);
    let (mut kill_ms, mut kill_method) = (None, None);
    if outcome.verdict != Verdict::Pass || kill::remaining(&tree) > 0 {
        let killed = kill::kill_all(&mut tree, started.pid);
        kill_ms = Some(killed.took.as_secs_f64() * 1000.0);
        kill_method = Some(killed.method.name().to_string());
        outcome.root_status = outcome.root_status.or(killed.root_status);
    }
    let survivors = kill::remaining(&tree);
    let elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;
    let cgroups = contain.cgroups.as_ref();
    let v2 = cgroups.and_then(|c| c.v2.as_ref());
    let cgroup = cgroups.and_then(|c| c.v1.as_ref().map(|v1| v1.pids.clone())).or_else(|| v2.map(|v| v.dir.clone()));
    let cgroup_v2 = v2.map(|v| v.dir.clone());
    let peak_cgroup = cgroups.and_then(Cgroups::peak);
    cgroups.map(Cgroups::remove);
    drop(tmp);
    Ok(assemble::report(
        options,
        program,
        outcome,
        &contain.name,
        contain.skipped,
        Extra {
            kill_ms,
            survivors,
            elapsed_ms,
            peak_cgroup,
            stdout: capture::text(&started.stdout),
            stderr: capture::text(&started.stderr),
            tmpdir,
            cgroup,
            cgroup_v2,
            kill_method,
        },
    ))
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

pub(super) fn is_executable(path: &Path) -> bool {
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
