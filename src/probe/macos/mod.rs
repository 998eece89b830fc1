//! The probe on macOS. There are no cgroups, no PID namespaces and no child
//! subreaper, so the layers are fewer: `RLIMIT_NPROC` = the user's
//! processes + the cap (root is exempt, so root needs
//! `--allow-uncontained`), the target in its own process group at nice
//! +19, and the watchdog, which lists the tree with libproc (descendants of
//! cargo-freeze plus the target's process group) and kills every member
//! and the group until none is left. Built and linted for
//! `x86_64-apple-darwin` and `aarch64-apple-darwin` in CI; never run there
//! (no macOS machine): README says so.

mod procs;
mod tree;

use super::assemble::{self, Extra};
use super::capture;
use super::signals;
use super::watch;
use super::{Error, Options, ProbeReport, Verdict};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// The tree's niceness: the watchdog cannot be raised without root.
const TREE_NICE: i32 = 19;

pub(super) fn probe(options: &Options, program: &Path) -> Result<ProbeReport, Error> {
    let _signals = signals::install();
    // SAFETY: plain syscalls.
    let (euid, uid) = unsafe { (libc::geteuid(), libc::getuid()) };
    let mut skipped = vec!["cgroups and PID namespaces: Linux only".to_string()];
    let nproc = if euid == 0 {
        skipped.push("RLIMIT_NPROC: root is exempt from it".to_string());
        None
    } else {
        Some(u64::from(procs::count_of_uid(uid) + options.cap))
    };
    if nproc.is_none() && !options.allow_uncontained {
        return Err(Error::NoContainment { reasons: skipped });
    }
    let tmp = tempfile::Builder::new().prefix("cargo-freeze-probe-").tempdir().map_err(Error::TempDir)?;
    let spawn_error = |source| Error::Spawn { program: program.display().to_string(), source };
    let mut cmd = Command::new(program);
    let (stdout, stderr) = capture::wire(&mut cmd, options).map_err(spawn_error)?;
    cmd.env("TMPDIR", tmp.path()).process_group(0);
    // SAFETY: async-signal-safe calls only (setrlimit, getpriority,
    // setpriority), on values prepared before the fork.
    unsafe {
        cmd.pre_exec(move || {
            if let Some(limit) = nproc {
                let rlim = libc::rlimit { rlim_cur: limit, rlim_max: limit };
                if libc::setrlimit(libc::RLIMIT_NPROC, &rlim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            let now = libc::getpriority(libc::PRIO_PROCESS, 0);
            libc::setpriority(libc::PRIO_PROCESS, 0, now + TREE_NICE);
            Ok(())
        });
    }
    let start = Instant::now();
    let child = cmd.spawn().map_err(spawn_error)?;
    drop(cmd);
    let mut tree = tree::Tree::new(child.id(), program);
    let mut outcome = watch::watch(&mut tree, options, start, &signals::caught);
    let mut extra = Extra::default();
    if outcome.verdict != Verdict::Pass || !tree::live(&tree).is_empty() {
        let begun = Instant::now();
        outcome.root_status = outcome.root_status.or(kill_all(&mut tree));
        extra.kill_ms = Some(begun.elapsed().as_secs_f64() * 1000.0);
        extra.kill_method = Some("SIGKILL each + process group".to_string());
    }
    extra.survivors = tree::live(&tree).len() as u32;
    extra.elapsed_ms = start.elapsed().as_secs_f64() * 1000.0;
    extra.tmpdir = tmp.path().to_path_buf();
    drop(tmp);
    if let Some(signal) = outcome.interrupted.take().or_else(signals::caught) {
        return Err(Error::Interrupted { signal });
    }
    extra.stdout = stdout.text();
    extra.stderr = stderr.text();
    let name = match nproc {
        Some(n) => format!("rlimit-only (RLIMIT_NPROC={n}, approximate) + process group"),
        None => "watchdog only + process group".to_string(),
    };
    Ok(assemble::report(options, program, outcome, &name, skipped, extra))
}

/// SIGKILL the group and every member until none is left (5 s at most);
/// the root's status if it was reaped meanwhile.
fn kill_all(tree: &mut tree::Tree) -> Option<super::ExitStatus> {
    use super::watch::Source;
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut root = None;
    loop {
        // SAFETY: plain syscalls on the target's group and the tree's pids.
        unsafe {
            libc::kill(-(tree.root as libc::pid_t), libc::SIGKILL);
        }
        let live = tree::live(tree);
        for pid in &live {
            // SAFETY: as above.
            unsafe { libc::kill(*pid as libc::pid_t, libc::SIGKILL) };
        }
        root = tree.reap().or(root);
        if live.is_empty() || Instant::now() > deadline {
            return root;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The probe starts no helper on macOS.
pub(super) fn helper_main(_args: &[std::ffi::OsString]) -> i32 {
    2
}

/// Nor a sentinel.
pub(super) fn sentinel_main(_args: &[std::ffi::OsString]) -> i32 {
    2
}

pub(super) fn is_executable(path: &Path) -> bool {
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}
