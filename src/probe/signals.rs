//! SIGINT, SIGTERM and SIGHUP while a probe runs: a Ctrl-C, a CI job being
//! cancelled or a closed terminal must not leave the probed tree running,
//! its cgroups or its temporary directory behind. The handler only records
//! the signal (an atomic store is all a handler may safely do); the watch
//! and kill loops look at it every poll, kill the tree, clean up, and the
//! probe then fails with [`Error::Interrupted`](crate::probe::Error). The
//! previous handlers come back when the probe ends, so a Ctrl-C during a
//! build still ends cargo-freeze the usual way.

use std::sync::atomic::{AtomicI32, Ordering};

const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The last signal caught while handlers are installed (0: none).
static CAUGHT: AtomicI32 = AtomicI32::new(0);

extern "C" fn record(signal: libc::c_int) {
    CAUGHT.store(signal, Ordering::SeqCst);
}

/// Installed handlers; dropping restores the previous ones.
pub(crate) struct Handlers {
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

/// Installs the recording handler for the three signals.
pub(crate) fn install() -> Handlers {
    CAUGHT.store(0, Ordering::SeqCst);
    let mut previous = Vec::new();
    for signal in SIGNALS {
        // SAFETY: sigaction with a zeroed struct, a handler that only does
        // an atomic store, and an empty mask; the old action is kept.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = record as extern "C" fn(libc::c_int) as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            // Restarted, so the capture threads' reads go on undisturbed.
            action.sa_flags = libc::SA_RESTART;
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signal, &action, &mut old) == 0 {
                previous.push((signal, old));
            }
        }
    }
    Handlers { previous }
}

/// The signal caught since [`install`], if any.
pub(crate) fn caught() -> Option<i32> {
    Some(CAUGHT.load(Ordering::SeqCst)).filter(|s| *s != 0)
}

impl Drop for Handlers {
    fn drop(&mut self) {
        for (signal, old) in &self.previous {
            // SAFETY: restores an action read by sigaction above.
            unsafe {
                libc::sigaction(*signal, old, std::ptr::null_mut());
            }
        }
    }
}
