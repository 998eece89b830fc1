//! The probe on Linux: picks the strongest containment that works here,
//! starts the target in it, runs the watchdog from this (uncontained)
//! process as the target's child subreaper, kills the tree when needed and
//! removes everything it created.

mod cgroup;
mod kill;
mod procfs;
mod spawn;
mod tree;
pub(crate) mod userns;

use super::assemble::{self, Extra};
use super::capture;
use super::watch;
use super::{Error, Options, ProbeReport, Verdict};
use cgroup::V1;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Instant;

/// The containment in force for one run.
struct Containment {
    cgroup: Option<V1>,
    nproc: Option<u64>,
    /// This process's threads when `nproc` was computed.
    rlimit_base: Option<u32>,
    /// The target runs under the user+PID namespace helper.
    userns: bool,
    name: String,
    skipped: Vec<String>,
}

pub(super) fn probe(options: &Options, program: &Path) -> Result<ProbeReport, Error> {
    set_subreaper();
    let tmp = tempfile::Builder::new().prefix("cargo-freeze-probe-").tempdir().map_err(Error::TempDir)?;
    let tmpdir = tmp.path().to_path_buf();
    let contain = contain(options.cap);
    if contain.cgroup.is_none() && contain.nproc.is_none() && !options.allow_uncontained {
        return Err(Error::NoContainment { reasons: contain.skipped });
    }
    let confine =
        spawn::Confine { join: contain.cgroup.as_ref().map(V1::join_files).unwrap_or_default(), nproc: contain.nproc };
    let start = Instant::now();
    let started = match spawn::start(program, options, &tmpdir, confine, contain.userns) {
        Ok(started) => started,
        Err(source) => {
            if let Some(cg) = &contain.cgroup {
                cg.remove();
            }
            return Err(Error::Spawn { program: program.display().to_string(), source });
        }
    };
    let mut tree = tree::Tree::new(started.pid, program, contain.cgroup.as_ref(), contain.rlimit_base, contain.userns);
    let mut outcome = watch::watch(&mut tree, options, start);
    let mut kill_ms = None;
    if outcome.verdict != Verdict::Pass || kill::remaining(&tree) > 0 {
        let killed = kill::kill_all(&mut tree, started.pid);
        kill_ms = Some(killed.took.as_secs_f64() * 1000.0);
        outcome.root_status = outcome.root_status.or(killed.root_status);
    }
    let survivors = kill::remaining(&tree);
    let elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;
    let cgroup = contain.cgroup.as_ref().map(|c| c.pids.clone());
    let peak_cgroup = contain.cgroup.as_ref().and_then(V1::peak);
    if let Some(cg) = &contain.cgroup {
        cg.remove();
    }
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
        },
    ))
}

/// Strongest first; every layer that works is used, and the report says
/// why stronger ones were skipped.
fn contain(cap: u32) -> Containment {
    let mut skipped = vec![cgroup_v2_reason()];
    let cgroup = match V1::create(cap) {
        Ok(cg) => Some(cg),
        Err(why) => {
            skipped.push(format!("cgroup-v1: {why}"));
            None
        }
    };
    // SAFETY: plain syscall.
    let root = unsafe { libc::geteuid() } == 0;
    let userns = match (&cgroup, root) {
        (None, false) => match userns::available() {
            Ok(()) => true,
            Err(why) => {
                skipped.push(format!("userns+pidns: {why}"));
                false
            }
        },
        (None, true) => {
            skipped.push("userns+pidns: gives root no cap (root is exempt from RLIMIT_NPROC)".to_string());
            false
        }
        (Some(_), _) => false,
    };
    let nproc = if root {
        if cgroup.is_none() {
            skipped.push("RLIMIT_NPROC: root is exempt from it".to_string());
        }
        None
    } else {
        // SAFETY: plain syscall.
        let uid = unsafe { libc::getuid() };
        // In a fresh user namespace the count is the tree's own (plus the
        // helper and init); otherwise it counts every process of the user,
        // so leave room for what already runs (approximate: racy, shared).
        Some(u64::from(if userns { cap + 2 } else { procfs::count_of_uid(uid) + cap }))
    };
    let mut name = cgroup.as_ref().map(V1::describe).unwrap_or_else(|| "watchdog only".to_string());
    if let Some(limit) = nproc {
        name = match (&cgroup, userns) {
            (Some(_), _) => format!("{name} + RLIMIT_NPROC={limit}"),
            (None, true) => format!("userns+pidns + RLIMIT_NPROC={limit}"),
            (None, false) => format!("rlimit-only (RLIMIT_NPROC={limit}, approximate)"),
        };
    }
    // Under the per-namespace count this process's own threads do not eat
    // into the tree's share.
    let rlimit_base = nproc.filter(|_| !userns).and_then(|_| procfs::stat(std::process::id())).map(|s| s.threads);
    Containment { cgroup, nproc, rlimit_base, userns, name, skipped }
}

/// Why the cgroup v2 layer is not in use.
fn cgroup_v2_reason() -> String {
    let unified = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|t| t.lines().find_map(|l| l.strip_prefix("0::").map(str::to_string)));
    let Some(path) = unified else { return "cgroup-v2: this process is in no cgroup v2 hierarchy".to_string() };
    let controllers = ["/sys/fs/cgroup/unified", "/sys/fs/cgroup"]
        .iter()
        .map(|m| Path::new(m).join(path.trim_start_matches('/')).join("cgroup.controllers"))
        .find_map(|f| std::fs::read_to_string(f).ok());
    match controllers {
        Some(c) if !c.split_whitespace().any(|x| x == "pids") => {
            format!("cgroup-v2: no pids controller in this process's cgroup (cgroup.controllers: {})", c.trim())
        }
        _ => "cgroup-v2: delegated subtrees are not used by this build yet".to_string(),
    }
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
