//! Starting the target: its own process group, the per-run `TMPDIR`, the
//! containment joined in `pre_exec` (before `exec`, so the first fork is
//! already capped), and stdout/stderr captured by threads that keep
//! draining (a storm's children share the pipes) but keep only the start.

use crate::probe::capture::{Capture, drain};
use std::ffi::CString;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};

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
}

pub(crate) fn start(
    program: &Path,
    options: &super::super::Options,
    tmpdir: &Path,
    confine: Confine,
    userns: bool,
) -> std::io::Result<Started> {
    let mut cmd = if userns {
        // The helper (this executable) sets up the namespaces, then runs
        // the target as the child of the namespace's init.
        let mut helper = Command::new(std::env::current_exe()?);
        helper.arg(crate::probe::HELPER_ARG).arg(program);
        helper
    } else {
        Command::new(program)
    };
    cmd.args(&options.args)
        .envs(options.env.iter().map(|(k, v)| (k, v)))
        .env("TMPDIR", tmpdir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    // SAFETY: the closure runs in the forked child before exec and only
    // makes async-signal-safe calls (open, write, close, setrlimit) on data
    // prepared before the fork.
    unsafe {
        cmd.pre_exec(move || confine_self(&confine));
    }
    let mut child = cmd.spawn()?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    // The watchdog reaps with waitpid(-1); `child` is not waited on.
    Ok(Started { pid: child.id(), stdout, stderr })
}

fn confine_self(confine: &Confine) -> std::io::Result<()> {
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
    Ok(())
}
