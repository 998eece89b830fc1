//! Names of what one probe run creates (cgroups, a leaf for cargo-freeze
//! itself, the temporary directory), tagged with the running cargo-freeze's
//! pid and start time: a later run can tell from a name alone whether its
//! owner is still alive (pids are recycled; a pid with the same start time
//! is the same process) and reap it if not (see `stale`).

use super::procfs;
use std::sync::atomic::{AtomicU32, Ordering};

/// Prefixes of the names; `stale` looks for them.
pub(crate) const PROBE_PREFIX: &str = "cargo-freeze-probe-";
pub(crate) const SELF_PREFIX: &str = "cargo-freeze-self-";

/// A cargo-freeze process: its pid and start time (clock ticks since boot).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RunId {
    pub pid: u32,
    pub start: u64,
}

impl RunId {
    pub(super) fn current() -> RunId {
        let pid = std::process::id();
        RunId { pid, start: procfs::stat(pid).map_or(0, |s| s.start) }
    }

    /// `PID-START`.
    pub(super) fn tag(self) -> String {
        format!("{}-{}", self.pid, self.start)
    }

    /// The probe cgroup leaf of this process's next run (`check` probes
    /// several binaries, one after the other).
    pub(super) fn next_leaf(self) -> String {
        static SEQ: AtomicU32 = AtomicU32::new(0);
        format!("{PROBE_PREFIX}{}-{}", self.tag(), SEQ.fetch_add(1, Ordering::Relaxed))
    }

    /// The leaf this process moves itself into in a delegated v2 cgroup.
    pub(super) fn own_leaf(self) -> String {
        format!("{SELF_PREFIX}{}", self.tag())
    }

    /// The prefix of this run's temporary directory (a random suffix
    /// follows).
    pub(super) fn tmp_prefix(self) -> String {
        format!("{PROBE_PREFIX}{}-", self.tag())
    }

    /// The owner named by `name` (`PREFIX` + `PID-START-...`).
    pub(super) fn parse(name: &str) -> Option<RunId> {
        let rest = name.strip_prefix(PROBE_PREFIX).or_else(|| name.strip_prefix(SELF_PREFIX))?;
        let mut parts = rest.split('-');
        let pid = parts.next()?.parse().ok()?;
        let start = parts.next()?.parse().ok()?;
        Some(RunId { pid, start })
    }

    /// The process still runs (same pid, same start time).
    pub(super) fn alive(self) -> bool {
        procfs::stat(self.pid).is_some_and(|s| s.start == self.start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_tell_the_owner() {
        let me = RunId::current();
        assert!(me.alive());
        assert_eq!(RunId::parse(&me.next_leaf()), Some(me));
        assert_eq!(RunId::parse(&me.own_leaf()), Some(me));
        assert_eq!(RunId::parse(&format!("{}abc123", me.tmp_prefix())), Some(me));
        assert_ne!(me.next_leaf(), me.next_leaf(), "each run its own leaf");
        assert!(!RunId { start: me.start + 1, ..me }.alive(), "a recycled pid is another process");
        assert_eq!(RunId::parse("cargo-freeze-tests-1-2"), None);
        assert_eq!(RunId::parse("cargo-freeze-probe-x-2"), None);
    }
}
