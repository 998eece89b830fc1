//! CPU for the watchdog. A storm saturates the cores, and a machine that
//! is busy anyway (a CI job, a parallel test suite) can keep a watchdog of
//! ordinary priority off the CPU for long enough that a chain grows to the
//! cap and unwinds between two polls, leaving only `capped` to report
//! (seen: under a load of 8 on 2 cores). So, as root, the watching thread
//! runs at nice -20 for the probe's duration (it sleeps most of the time:
//! a poll costs well under a millisecond); without root, which may not
//! raise its own priority, the tree runs at nice +19 instead: the same
//! ratio of CPU shares (about 70 to 1) from the other side. An idle machine
//! runs the tree as fast as ever; a busy one slows it, not the watchdog
//! (seen at nice +10: a chain that grew and unwound in 270 ms while a
//! loaded machine kept the watchdog away, reported `pass`).

/// The niceness added to the tree when the watchdog cannot be raised
/// (the kernel clamps the result at 19).
const TREE_NICE: i32 = 19;

/// The watching thread's previous niceness, restored on drop.
pub(crate) struct Raised {
    tid: libc::id_t,
    previous: i32,
}

/// Raises the calling thread (Linux niceness is per thread) to -20 when
/// allowed; `None` otherwise (then the tree gets [`TREE_NICE`] more).
pub(crate) fn raise_watchdog() -> Option<Raised> {
    // SAFETY: plain syscalls on this thread.
    unsafe {
        let tid = libc::gettid() as libc::id_t;
        *libc::__errno_location() = 0;
        let previous = libc::getpriority(libc::PRIO_PROCESS, tid);
        if *libc::__errno_location() != 0 || libc::setpriority(libc::PRIO_PROCESS, tid, -20) != 0 {
            return None;
        }
        Some(Raised { tid, previous })
    }
}

impl Drop for Raised {
    fn drop(&mut self) {
        // SAFETY: plain syscall on the thread raised above.
        unsafe {
            libc::setpriority(libc::PRIO_PROCESS, self.tid, self.previous);
        }
    }
}

/// The niceness the tree starts with. A child forked from the raised
/// thread would inherit -20: it gets the thread's previous niceness back
/// (or that plus [`TREE_NICE`] when the watchdog could not be raised).
pub(crate) fn tree_nice(raised: Option<&Raised>) -> i32 {
    match raised {
        Some(r) => r.previous,
        // SAFETY: plain syscall on this thread.
        None => TREE_NICE + unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) },
    }
}
