//! Exec pacing: every `execve` and `execveat` in the probed tree waits
//! until the watchdog has scanned the tree again. A watchdog that polls
//! can be outrun. Measured with 30 busy processes beside it (a loaded CI
//! runner): a double-fork chain that relaunches itself every 1.4 ms ran
//! its 2,000 generations while the watchdog saw 9 of them, and the probe
//! said `pass` (each `setsid` puts a copy in a scheduling group of its
//! own, so the tree's niceness does not hold it back). Paced, a chain
//! moves only as fast as the watchdog looks, and every copy is seen at its
//! exec.
//!
//! How: a seccomp filter, installed in the target just before its own
//! exec and inherited by every descendant, answers exec calls with
//! `SECCOMP_RET_USER_NOTIF`. The target sends the filter's listener to
//! cargo-freeze over a socket; a thread here holds each notification until
//! the watch loop has finished a scan that began after it arrived, then
//! lets the call go on (`SECCOMP_USER_NOTIF_FLAG_CONTINUE`, Linux 5.5).
//! A process without `CAP_SYS_ADMIN` (in its user namespace) may install
//! a filter only after setting `no_new_privs`: set-user-ID programs in the
//! tree then run without their privileges, and the report says so. Where
//! the filter cannot be installed the probe polls as before and the report
//! says why. A program that installs a seccomp listener of its own (a
//! container runtime, a sandbox) cannot while paced (the kernel allows one
//! per filter chain): `CARGO_FREEZE_PROBE_NO_EXEC_PACING=1` turns pacing
//! off.

mod filter;

pub(crate) use filter::ChildEnd;
use filter::{ARCH, errno, receive};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// Set to run without exec pacing; the report says it was skipped.
pub(crate) const NO_PACING_ENV: &str = "CARGO_FREEZE_PROBE_NO_EXEC_PACING";

/// How pacing went, for the report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// The target has not sent its listener yet.
    Waiting,
    /// Every exec waits for a scan; `no_new_privs` was set for it.
    On {
        no_new_privs: bool,
    },
    Off(String),
}

#[derive(Debug)]
struct State {
    armed: bool,
    stopped: bool,
    /// Batches of notifications received, and the last batch a finished
    /// scan began after.
    received: u64,
    scanned: u64,
    status: Status,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// cargo-freeze's side: the thread that holds each exec until a scan.
pub(crate) struct Pacer {
    shared: Arc<Shared>,
    /// Written on drop to wake the thread.
    stop: std::io::PipeWriter,
}

impl Pacer {
    /// The socket pair and the serving thread, or why this host cannot
    /// pace.
    pub(crate) fn start() -> Result<(Pacer, ChildEnd), String> {
        if std::env::var_os(NO_PACING_ENV).is_some() {
            return Err(format!("disabled by {NO_PACING_ENV}"));
        }
        if ARCH.is_none() {
            return Err("not on this architecture (x86_64 and aarch64 only)".to_string());
        }
        if !kernel_at_least(5, 5) {
            return Err("Linux 5.5 or later is needed (SECCOMP_USER_NOTIF_FLAG_CONTINUE)".to_string());
        }
        let (ours, theirs) = seqpacket_pair()?;
        let (wake, stop) = std::io::pipe().map_err(|e| format!("pipe failed: {e}"))?;
        let state = State { armed: false, stopped: false, received: 0, scanned: 0, status: Status::Waiting };
        let shared = Arc::new(Shared { state: Mutex::new(state), changed: Condvar::new() });
        let serving = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("exec-pacing".to_string())
            .spawn(move || serve(&ours, &wake, &serving))
            .map_err(|e| format!("cannot start its thread: {e}"))?;
        Ok((Pacer { shared, stop }, ChildEnd::new(theirs)))
    }

    /// The watch began: from now on execs wait for scans.
    pub(crate) fn arm(&self) {
        self.shared.lock().armed = true;
    }

    /// At the start of a scan: the batches it will answer.
    pub(crate) fn owed(&self) -> u64 {
        self.shared.lock().received
    }

    /// After a scan that began when `owed` batches had arrived.
    pub(crate) fn scanned(&self, owed: u64) {
        let mut state = self.shared.lock();
        state.scanned = state.scanned.max(owed);
        self.shared.changed.notify_all();
    }

    /// Sleeps up to `poll`, less when an exec waits for a scan.
    pub(crate) fn pause(&self, poll: Duration) {
        let state = self.shared.lock();
        if state.received > state.scanned {
            return;
        }
        let _ = self.shared.changed.wait_timeout_while(state, poll, |s| s.received <= s.scanned);
    }

    pub(crate) fn status(&self) -> Status {
        self.shared.lock().status.clone()
    }
}

impl Drop for Pacer {
    fn drop(&mut self) {
        self.shared.lock().stopped = true;
        self.shared.changed.notify_all();
        // The thread polls the other end.
        let _ = std::io::Write::write_all(&mut self.stop, &[0]);
    }
}

/// The thread: receive the listener, then answer batches of exec
/// notifications once a scan has seen them. It ends when the tree is gone
/// (the listener hangs up) or the pacer is dropped.
fn serve(socket: &OwnedFd, wake: &std::io::PipeReader, shared: &Shared) {
    if !readable(socket.as_raw_fd(), wake.as_raw_fd()) {
        return;
    }
    let listener = match receive(socket.as_raw_fd()) {
        Ok((listener, no_new_privs)) => {
            shared.lock().status = Status::On { no_new_privs };
            listener
        }
        Err(why) => {
            shared.lock().status = Status::Off(why);
            return;
        }
    };
    let fd = listener.as_raw_fd();
    while readable(fd, wake.as_raw_fd()) {
        let mut batch = Vec::new();
        while let Some(id) = next_notification(fd) {
            batch.push(id);
            if batch.len() >= 64 || !ready(fd) {
                break;
            }
        }
        if batch.is_empty() {
            continue;
        }
        let mut state = shared.lock();
        state.received += 1;
        let ticket = state.received;
        shared.changed.notify_all();
        while state.armed && !state.stopped && state.scanned < ticket {
            state = shared.changed.wait(state).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        drop(state);
        for id in batch {
            let mut resp =
                libc::seccomp_notif_resp { id, val: 0, error: 0, flags: libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32 };
            // SAFETY: a filled response on a listener this thread owns;
            // ENOENT (the caller died) is fine.
            unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_SEND, &mut resp) };
        }
    }
}

/// The next exec notification's id; `None` when its caller died meanwhile.
fn next_notification(fd: RawFd) -> Option<u64> {
    // SAFETY: the kernel requires a zeroed struct and fills it.
    let mut notif: libc::seccomp_notif = unsafe { std::mem::zeroed() };
    // SAFETY: plain ioctl on a listener this thread owns.
    let ok = unsafe { libc::ioctl(fd, libc::SECCOMP_IOCTL_NOTIF_RECV, &mut notif) } == 0;
    ok.then_some(notif.id)
}

/// Waits until `fd` has data; false once it hangs up or `wake` fires.
fn readable(fd: RawFd, wake: RawFd) -> bool {
    let mut fds = [
        libc::pollfd { fd, events: libc::POLLIN, revents: 0 },
        libc::pollfd { fd: wake, events: libc::POLLIN, revents: 0 },
    ];
    loop {
        // SAFETY: plain syscall on a stack array.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if n < 0 && errno() == libc::EINTR {
            continue;
        }
        return n > 0 && fds[1].revents == 0 && fds[0].revents & libc::POLLIN != 0;
    }
}

/// `fd` has data right now.
fn ready(fd: RawFd) -> bool {
    let mut pfd = libc::pollfd { fd, events: libc::POLLIN, revents: 0 };
    // SAFETY: plain syscall on a stack value.
    unsafe { libc::poll(&mut pfd, 1, 0) == 1 && pfd.revents & libc::POLLIN != 0 }
}

/// A `SOCK_SEQPACKET` pair: message boundaries for the fd's message, and
/// a hang-up seen by `poll` once the other end is closed (std's pairs are
/// streams and datagrams only).
fn seqpacket_pair() -> Result<(OwnedFd, OwnedFd), String> {
    let mut fds = [0; 2];
    let kind = libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC;
    // SAFETY: plain syscall filling a stack array.
    if unsafe { libc::socketpair(libc::AF_UNIX, kind, 0, fds.as_mut_ptr()) } != 0 {
        return Err(format!("socketpair failed: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: both fds were just created and are owned here.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// The running kernel is at least `major.minor` (from `uname`).
fn kernel_at_least(major: u32, minor: u32) -> bool {
    // SAFETY: uname fills a zeroed struct.
    let release = unsafe {
        let mut u: libc::utsname = std::mem::zeroed();
        if libc::uname(&mut u) != 0 {
            return false;
        }
        std::ffi::CStr::from_ptr(u.release.as_ptr()).to_string_lossy().into_owned()
    };
    release_at_least(&release, major, minor)
}

fn release_at_least(release: &str, major: u32, minor: u32) -> bool {
    let mut parts = release.split(|c: char| !c.is_ascii_digit());
    let mut next = || parts.next().and_then(|p| p.parse::<u32>().ok());
    matches!((next(), next()), (Some(a), Some(b)) if (a, b) >= (major, minor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_releases_compare_by_major_and_minor() {
        assert!(release_at_least("6.18.44-fc-v1300", 5, 5));
        assert!(release_at_least("5.5.0", 5, 5));
        assert!(!release_at_least("5.4.0-150-generic", 5, 5));
        assert!(!release_at_least("4.19.0", 5, 5));
        assert!(!release_at_least("garbage", 5, 5));
    }
}
