//! Handing off to the extracted program: the storm fuse (nested launches
//! of one bundle counted in the environment), then on Unix `execve` (same
//! pid, the program's own signals and exit status, no lingering parent),
//! or, for the read-only-cache fallback, a child that is waited for (signals
//! forwarded, its exit status or signal passed on). On Windows the program
//! runs as a child in a kill-on-close Job Object, its exit code forwarded.

use crate::entry::Lock;
use crate::trailer::Trailer;
use crate::{io_fail, Fail, EXIT_FUSE};
use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Counts nested launches of this same bundle. A child that comes back via
/// argv[0] inherits the counter and adds one; an unguarded program that
/// relaunches itself forever is stopped at the limit.
pub fn fuse(exe: &Path, t: &Trailer) -> Result<u32, Fail> {
    let same = env::var_os("CARGO_FREEZE_BUNDLE").map(PathBuf::from).as_deref() == Some(exe);
    let depth =
        if same { env::var("CARGO_FREEZE_DEPTH").ok().and_then(|d| d.parse::<u32>().ok()).unwrap_or(0) } else { 0 };
    if depth >= t.fields.fuse {
        return Err((
            EXIT_FUSE,
            format!("refusing to launch: {} nested launches of this bundle reached the storm fuse limit ({}); the program keeps re-running itself (add a child-dispatch guard, see `cargo freeze check`)", depth, t.fields.fuse),
        ));
    }
    Ok(depth + 1)
}

/// The program's path, and the variables it gets on top of ours.
fn program(exe: &Path, dir: &Path, name: &str, depth: u32) -> (PathBuf, [(&'static str, OsString); 3]) {
    let program = if cfg!(windows) { dir.join(format!("{name}.exe")) } else { dir.join(name) };
    let vars = [
        ("CARGO_FREEZE_BUNDLE", exe.as_os_str().to_owned()),
        ("CARGO_FREEZE_DIR", dir.as_os_str().to_owned()),
        ("CARGO_FREEZE_DEPTH", OsString::from(depth.to_string())),
    ];
    (program, vars)
}

/// How a waited-for program ended.
pub enum Ended {
    Code(i32),
    #[cfg(unix)]
    Signal(i32),
}

#[cfg(unix)]
mod unix {
    use super::*;
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::sync::atomic::{AtomicI32, Ordering};

    fn c_string(bytes: &[u8]) -> Result<CString, Fail> {
        CString::new(bytes).map_err(|_| crate::bad("an argument or variable holds a NUL byte"))
    }

    /// argv (argv[0] stays the user's, so children that re-run argv[0] come
    /// back through this bootloader and take the warm path) and envp.
    fn argv_envp(vars: &[(&str, OsString)]) -> Result<(Vec<CString>, Vec<CString>), Fail> {
        let argv = env::args_os().map(|a| c_string(a.as_bytes())).collect::<Result<Vec<_>, _>>()?;
        let mut envp = Vec::new();
        for (key, value) in env::vars_os().filter(|(k, _)| !vars.iter().any(|(name, _)| k == name)) {
            envp.push(c_string(&[key.as_bytes(), b"=", value.as_bytes()].concat())?);
        }
        for (key, value) in vars {
            envp.push(c_string(&[key.as_bytes(), b"=", value.as_bytes()].concat())?);
        }
        Ok((argv, envp))
    }

    fn pointers(strings: &[CString]) -> Vec<*const libc::c_char> {
        strings.iter().map(|s| s.as_ptr()).chain(std::iter::once(std::ptr::null())).collect()
    }

    /// Replaces this process with the program; returns only on failure.
    pub fn exec(program: &Path, vars: &[(&str, OsString)]) -> Fail {
        let (argv, envp) = match argv_envp(vars) {
            Ok(both) => both,
            Err(fail) => return fail,
        };
        let Ok(path) = c_string(program.as_os_str().as_bytes()) else {
            return crate::bad("NUL in the program path");
        };
        // SAFETY: NUL-terminated strings and NULL-terminated arrays that
        // outlive the call.
        unsafe { libc::execve(path.as_ptr(), pointers(&argv).as_ptr(), pointers(&envp).as_ptr()) };
        io_fail("execute", program, std::io::Error::last_os_error())
    }

    static CHILD: AtomicI32 = AtomicI32::new(0);

    extern "C" fn forward(signal: i32) {
        let child = CHILD.load(Ordering::SeqCst);
        if child > 0 {
            // SAFETY: kill is async-signal-safe.
            unsafe { libc::kill(child, signal) };
        }
    }

    /// Runs the program as a child and waits, passing on SIGINT, SIGTERM,
    /// SIGHUP and SIGQUIT to it.
    pub fn run_and_wait(program: &Path, vars: &[(&str, OsString)]) -> Result<Ended, Fail> {
        let (argv, envp) = argv_envp(vars)?;
        let path = c_string(program.as_os_str().as_bytes())?;
        let (argv, envp) = (pointers(&argv), pointers(&envp));
        // SAFETY: the child only calls execve and _exit (async-signal-safe).
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(io_fail("start", program, std::io::Error::last_os_error()));
        }
        if pid == 0 {
            unsafe {
                libc::execve(path.as_ptr(), argv.as_ptr(), envp.as_ptr());
                libc::_exit(127);
            }
        }
        CHILD.store(pid, Ordering::SeqCst);
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
            // SAFETY: `forward` only calls kill.
            unsafe { libc::signal(signal, forward as *const () as libc::sighandler_t) };
        }
        let mut status = 0;
        // SAFETY: waits for our own child; retried when a signal interrupts.
        while unsafe { libc::waitpid(pid, &mut status, 0) } < 0 {
            if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                return Err(io_fail("wait for", program, std::io::Error::last_os_error()));
            }
        }
        Ok(if libc::WIFSIGNALED(status) {
            Ended::Signal(libc::WTERMSIG(status))
        } else {
            Ended::Code(libc::WEXITSTATUS(status))
        })
    }

    /// Ends this process the way the program ended: its exit code, or the
    /// same signal (default action restored first).
    pub fn exit_like(ended: Ended) -> i32 {
        match ended {
            Ended::Code(code) => code,
            Ended::Signal(signal) => unsafe {
                libc::signal(signal, libc::SIG_DFL);
                libc::raise(signal);
                128 + signal
            },
        }
    }
}

/// Hands off to the extracted program (the lock stays held by it).
#[cfg(unix)]
pub fn exec(exe: &Path, dir: &Path, name: &str, depth: u32, _lock: Lock) -> Result<i32, Fail> {
    let (program, vars) = program(exe, dir, name, depth);
    Err(unix::exec(&program, &vars))
}

#[cfg(unix)]
pub fn run_and_wait(exe: &Path, dir: &Path, name: &str, depth: u32) -> Result<Ended, Fail> {
    let (program, vars) = program(exe, dir, name, depth);
    unix::run_and_wait(&program, &vars)
}

#[cfg(unix)]
pub fn exit_like(ended: Ended) -> i32 {
    unix::exit_like(ended)
}

#[cfg(windows)]
pub fn exec(exe: &Path, dir: &Path, name: &str, depth: u32, _lock: Lock) -> Result<i32, Fail> {
    run_and_wait(exe, dir, name, depth).map(exit_like)
}

#[cfg(windows)]
pub fn run_and_wait(exe: &Path, dir: &Path, name: &str, depth: u32) -> Result<Ended, Fail> {
    let (program, vars) = program(exe, dir, name, depth);
    job::kill_on_close();
    let mut cmd = std::process::Command::new(&program);
    cmd.args(env::args_os().skip(1)).envs(vars.iter().map(|(k, v)| (k, v)));
    let status = cmd.status().map_err(|e| io_fail("execute", &program, e))?;
    Ok(Ended::Code(status.code().unwrap_or(1)))
}

#[cfg(windows)]
pub fn exit_like(ended: Ended) -> i32 {
    let Ended::Code(code) = ended;
    code
}

#[cfg(windows)]
mod job {
    //! A Job Object with kill-on-close, so the child dies with us.
    use windows_sys::Win32::System::JobObjects::*;
    use windows_sys::Win32::System::Threading::GetCurrentProcess;

    pub fn kill_on_close() {
        unsafe {
            let job = CreateJobObjectW(std::ptr::null(), std::ptr::null());
            if job.is_null() {
                return;
            }
            let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = std::mem::zeroed();
            info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            SetInformationJobObject(
                job,
                JobObjectExtendedLimitInformation,
                &info as *const _ as *const _,
                std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            );
            AssignProcessToJobObject(job, GetCurrentProcess());
            // The handle is deliberately leaked: it closes when we exit.
        }
    }
}
