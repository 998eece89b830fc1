//! Layer 3, for users without a cgroup: a user + PID namespace around the
//! target. cargo-freeze re-executes itself as a helper (`main` routes it
//! here first thing: the child-dispatch guard this project asks of
//! others) that unshares both namespaces, maps its own uid and gid, and
//! forks the namespace's init; init starts the target and reaps. Killing
//! init kills everything in the namespace, `setsid` escapers included, and
//! inside a fresh user namespace `RLIMIT_NPROC` counts only the tree.

use super::pacing::ChildEnd;
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::process::Command;

/// Exit status of the helper when the namespaces cannot be set up.
const SETUP_FAILED: i32 = 121;

/// Whether this user may create a user namespace here, tried in a
/// throwaway child (Ubuntu's AppArmor policy and hardened hosts refuse).
pub(crate) fn available() -> Result<(), String> {
    // SAFETY: the child only calls unshare and _exit.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        // SAFETY: async-signal-safe calls in the forked child.
        unsafe {
            let ok = libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWPID) == 0;
            libc::_exit(if ok { 0 } else { 1 });
        }
    }
    if pid < 0 {
        return Err(format!("fork failed: {}", std::io::Error::last_os_error()));
    }
    let mut status = 0;
    // SAFETY: waiting for the child just forked.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        Ok(())
    } else {
        Err("user namespaces are not allowed for this user here (unshare(CLONE_NEWUSER) failed)".to_string())
    }
}

/// The helper: `cargo-freeze __cargo-freeze-probe-init NPROC NICE PACING
/// PROGRAM [ARGS...]` (`NPROC` is `RLIMIT_NPROC` inside the namespace, or
/// `-`; `NICE` the target's niceness; `PACING` the fd of the exec-pacing
/// socket, or `-`). Returns the exit code to leave with (the target's, or
/// 128 + signal).
pub(crate) fn helper_main(args: &[OsString]) -> i32 {
    let [nproc, nice, pacing, program, rest @ ..] = args else { return SETUP_FAILED };
    let nproc = nproc.to_str().and_then(|n| n.parse::<u64>().ok());
    let Some(nice) = nice.to_str().and_then(|n| n.parse::<i32>().ok()) else { return SETUP_FAILED };
    // SAFETY: cargo-freeze handed this process the fd by that number.
    let pacing = pacing.to_str().and_then(|n| n.parse().ok()).map(|fd| unsafe { ChildEnd::from_raw(fd) });
    if let Err(err) = enter_namespaces().and_then(|()| limit_tasks(nproc)) {
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!("cargo-freeze probe: cannot set up the user+PID namespace: {err}\n").as_bytes(),
        );
        return SETUP_FAILED;
    }
    // SAFETY: this process is single-threaded (a fresh exec); the child
    // becomes PID 1 of the new namespace.
    let init = unsafe { libc::fork() };
    if init == 0 {
        // The helper dies with cargo-freeze (its parent-death signal), and
        // init with the helper: then the whole namespace goes.
        // SAFETY: plain syscall.
        unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) };
        let code = init_main(program, rest, nice, pacing);
        // SAFETY: leaving the forked init without running atexit handlers.
        unsafe { libc::_exit(code) };
    }
    // Only init's copy of the pacing socket stays open.
    drop(pacing);
    wait_code(init)
}

/// `RLIMIT_NPROC` inside the fresh namespace counts the tree alone.
fn limit_tasks(nproc: Option<u64>) -> std::io::Result<()> {
    let Some(limit) = nproc else { return Ok(()) };
    let rlim = libc::rlimit { rlim_cur: limit, rlim_max: limit };
    // SAFETY: a plain syscall on a stack value.
    if unsafe { libc::setrlimit(libc::RLIMIT_NPROC, &rlim) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

fn enter_namespaces() -> std::io::Result<()> {
    // SAFETY: plain syscalls.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    // SAFETY: plain syscall.
    if unsafe { libc::unshare(libc::CLONE_NEWUSER | libc::CLONE_NEWPID) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // Identity maps: the tree keeps its uid (and so stays bound by
    // RLIMIT_NPROC); setgroups must be denied before an unprivileged
    // gid_map.
    fs_err::write("/proc/self/setgroups", "deny")?;
    fs_err::write("/proc/self/uid_map", format!("{uid} {uid} 1"))?;
    fs_err::write("/proc/self/gid_map", format!("{gid} {gid} 1"))?;
    Ok(())
}

/// PID 1 of the namespace: starts the target, reaps every orphan, and
/// leaves with the target's status once the namespace is empty.
fn init_main(program: &OsString, args: &[OsString], nice: i32, pacing: Option<ChildEnd>) -> i32 {
    let mut cmd = Command::new(program);
    cmd.args(args);
    // SAFETY: async-signal-safe calls in the forked child (setpriority;
    // `install`'s seccomp, prctl and sendmsg). init itself keeps its
    // priority, so it reaps (zombies count against RLIMIT_NPROC) promptly.
    // The target installs the pacing filter with init's capabilities in
    // the namespace, so it needs no `no_new_privs`.
    unsafe {
        cmd.pre_exec(move || {
            libc::setpriority(libc::PRIO_PROCESS, 0, nice);
            if let Some(end) = &pacing {
                end.install();
            }
            Ok(())
        });
    }
    let spawned = cmd.spawn();
    drop(cmd);
    let target = match spawned {
        Ok(child) => child.id() as libc::pid_t,
        Err(_) => return SETUP_FAILED,
    };
    let mut code = 0;
    loop {
        let mut status = 0;
        // SAFETY: reaping this init's children.
        let pid = unsafe { libc::waitpid(-1, &mut status, 0) };
        if pid < 0 {
            return code;
        }
        if pid == target {
            code = status_code(status);
        }
    }
}

fn wait_code(pid: libc::pid_t) -> i32 {
    let mut status = 0;
    // SAFETY: waiting for this process's own child.
    if unsafe { libc::waitpid(pid, &mut status, 0) } < 0 {
        return SETUP_FAILED;
    }
    status_code(status)
}

fn status_code(status: i32) -> i32 {
    if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { 128 + libc::WTERMSIG(status) }
}
