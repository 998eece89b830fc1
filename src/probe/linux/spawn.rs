//! Starting the target: its own process group, the per-run `TMPDIR`, the
//! containment joined in `pre_exec` (before `exec`, so the first fork is
//! already capped), a lower priority when the watchdog cannot have a
//! higher one (`priority`), a parent-death signal (if cargo-freeze dies, the root
//! of the tree dies with it; the sentinel does the rest), and stdout/stderr
//! captured by threads made before it starts (see `capture`).

use super::pacing::ChildEnd;
use crate::probe::capture::{self, Capture};
use std::ffi::CString;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;

pub(crate) struct Started {
    pub pid: u32,
    pub stdout: Capture,
    pub stderr: Capture,
}

/// How the child confines itself before `exec`.
pub(crate) struct Confine {
    /// `cgroup.procs` files to write itself into.
    pub join: Vec<CString>,
    /// `RLIMIT_NPROC` to set.
    pub nproc: Option<u64>,
    /// Niceness to start with (inherited by the whole tree).
    pub nice: i32,
    /// The exec-pacing filter to install (see `pacing`).
    pub pacing: Option<ChildEnd>,
}

pub(crate) fn start(
    program: &Path,
    options: &super::super::Options,
    tmpdir: &Path,
    confine: Confine,
    userns: bool,
) -> std::io::Result<Started> {
    let mut confine = confine;
    let mut cmd = if userns {
        // The helper (this executable) sets up the namespaces, then runs
        // the target as the child of the namespace's init. It sets
        // RLIMIT_NPROC itself once inside: the limit in force when the
        // namespace is made also binds the user's count outside it, which
        // includes cargo-freeze's own tasks.
        // Its init reaps at this process's priority; only the target gets
        // the tree's niceness.
        let mut helper = Command::new(std::env::current_exe()?);
        let nproc = confine.nproc.take().map_or_else(|| "-".to_string(), |n| n.to_string());
        // The namespace's init installs the pacing filter in the target;
        // the helper gets the socket's end by number.
        let pacing = confine.pacing.as_ref().map_or_else(|| "-".to_string(), |end| end.raw().to_string());
        helper.arg(crate::probe::HELPER_ARG).arg(nproc).arg(confine.nice.to_string()).arg(pacing).arg(program);
        // SAFETY: plain syscall on this thread.
        confine.nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
        helper
    } else {
        Command::new(program)
    };
    let (stdout, stderr) = capture::wire(&mut cmd, options)?;
    cmd.env("TMPDIR", tmpdir).process_group(0);
    let parent = std::process::id();
    // SAFETY: the closure runs in the forked child before exec and only
    // makes async-signal-safe calls (open, write, close, setrlimit, prctl,
    // getppid, fcntl, seccomp, sendmsg) on data prepared before the fork.
    unsafe {
        cmd.pre_exec(move || confine_self(&confine, parent, userns));
    }
    // Dropping `cmd` when this returns closes the pipes' write ends here,
    // so the readers see the end once the tree is gone.
    let child = cmd.spawn()?;
    // The watchdog reaps with waitpid(-1); `child` is not waited on.
    Ok(Started { pid: child.id(), stdout, stderr })
}

fn confine_self(confine: &Confine, parent: u32, helper: bool) -> std::io::Result<()> {
    for file in &confine.join {
        // SAFETY: a valid NUL-terminated path; plain syscalls.
        let ok = unsafe {
            let fd = libc::open(file.as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            let written = fd >= 0 && libc::write(fd, b"0".as_ptr().cast(), 1) == 1;
            if fd >= 0 {
                libc::close(fd);
            }
            written
        };
        if !ok {
            return Err(std::io::Error::last_os_error());
        }
    }
    if let Some(limit) = confine.nproc {
        let rlim = libc::rlimit { rlim_cur: limit, rlim_max: limit };
        // SAFETY: a plain syscall on a stack value.
        if unsafe { libc::setrlimit(libc::RLIMIT_NPROC, &rlim) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    // SAFETY: plain syscall; a failure only leaves the priority as is.
    unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, confine.nice) };
    die_with_parent(parent)?;
    if let Some(end) = &confine.pacing {
        if helper { end.inherit() } else { end.install() }
    }
    Ok(())
}

/// SIGKILL when the parent (cargo-freeze, or the helper for its init)
/// dies; fails when it already died before the signal was armed.
pub(crate) fn die_with_parent(parent: u32) -> std::io::Result<()> {
    // SAFETY: plain syscalls.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0);
        if libc::getppid() as u32 != parent {
            return Err(std::io::Error::other("cargo-freeze exited before the probe started"));
        }
    }
    Ok(())
}
