//! Choosing the containment for one run: every layer that works, strongest
//! first, and why stronger ones were skipped. The layers: a cgroup v2 leaf
//! (a hard cap where pids is delegated; else it still adds membership and
//! `cgroup.kill`), cgroup v1 pids + freezer, the user + PID namespace
//! helper with `RLIMIT_NPROC`, `RLIMIT_NPROC` alone, the watchdog alone.

use super::cgroup::V1;
use super::cgroup2::V2;
use super::cgroups::Cgroups;
use super::{procfs, userns};

/// Set to skip the cgroup v2 layer (to compare kill methods, or where a
/// v2 hierarchy misbehaves); the report says it was skipped.
pub(crate) const NO_V2_ENV: &str = "CARGO_FREEZE_PROBE_NO_CGROUP_V2";

/// The containment in force for one run.
pub(crate) struct Containment {
    pub cgroups: Option<Cgroups>,
    pub nproc: Option<u64>,
    /// This process's threads when `nproc` was computed.
    pub rlimit_base: Option<u32>,
    /// The target runs under the user+PID namespace helper.
    pub userns: bool,
    pub name: String,
    pub skipped: Vec<String>,
}

impl Containment {
    /// Some layer bounds the number of tasks.
    pub fn capped(&self) -> bool {
        self.cgroups.as_ref().is_some_and(Cgroups::capped) || self.nproc.is_some()
    }
}

pub(crate) fn contain(cap: u32) -> Containment {
    let mut skipped = Vec::new();
    let cgroups = cgroups(cap, &mut skipped);
    let cg_capped = cgroups.as_ref().is_some_and(Cgroups::capped);
    // SAFETY: plain syscall.
    let root = unsafe { libc::geteuid() } == 0;
    let userns = match (cg_capped, root) {
        (false, false) => match userns::available() {
            Ok(()) => true,
            Err(why) => {
                skipped.push(format!("userns+pidns: {why}"));
                false
            }
        },
        (false, true) => {
            skipped.push("userns+pidns: gives root no cap (root is exempt from RLIMIT_NPROC)".to_string());
            false
        }
        (true, _) => false,
    };
    let nproc = if root {
        if !cg_capped {
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
    let name = name(cgroups.as_ref(), cap, nproc, userns);
    // Under the per-namespace count this process's own threads do not eat
    // into the tree's share.
    let rlimit_base = nproc.filter(|_| !userns).and_then(|_| procfs::stat(std::process::id())).map(|s| s.threads);
    Containment { cgroups, nproc, rlimit_base, userns, name, skipped }
}

/// The v2 leaf first; v1 pids only when the leaf has no cap (a hybrid
/// host): then both are used, v1 for the cap, v2 for the kill.
fn cgroups(cap: u32, skipped: &mut Vec<String>) -> Option<Cgroups> {
    let leaf = format!("cargo-freeze-probe-{}-{}", std::process::id(), nanos());
    let v2 = if std::env::var_os(NO_V2_ENV).is_some() {
        skipped.push(format!("cgroup-v2: disabled by {NO_V2_ENV}"));
        None
    } else {
        match V2::create(cap, &leaf) {
            Ok(v2) => {
                skipped.extend(v2.no_pids.as_ref().map(|why| format!("cgroup-v2 pids.max: {why}")));
                Some(v2)
            }
            Err(why) => {
                skipped.push(format!("cgroup-v2: {why}"));
                None
            }
        }
    };
    let v1 = if v2.as_ref().is_some_and(|v| v.pids) {
        None
    } else {
        V1::create(cap, &leaf).map_err(|why| skipped.push(format!("cgroup-v1: {why}"))).ok()
    };
    (v1.is_some() || v2.is_some()).then_some(Cgroups { v1, v2 })
}

/// The cap layer first, then what adds to it, e.g.
/// `cgroup-v1 (pids+freezer) + cgroup-v2 kill` or
/// `userns+pidns + RLIMIT_NPROC=50 + cgroup-v2 kill`.
fn name(cgroups: Option<&Cgroups>, cap: u32, nproc: Option<u64>, userns: bool) -> String {
    let cg = cgroups.map(|c| c.describe(cap));
    let cg_capped = cgroups.is_some_and(Cgroups::capped);
    let base = match (nproc, userns) {
        _ if cg_capped => {
            return cg.unwrap_or_default() + &nproc.map(|n| format!(" + RLIMIT_NPROC={n}")).unwrap_or_default();
        }
        (Some(n), true) => format!("userns+pidns + RLIMIT_NPROC={n}"),
        (Some(n), false) => format!("rlimit-only (RLIMIT_NPROC={n}, approximate)"),
        (None, _) => "watchdog only".to_string(),
    };
    match cg {
        Some(cg) => format!("{base} + {cg}"),
        None => base,
    }
}

fn nanos() -> u32 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn v1() -> V1 {
        V1 { pids: PathBuf::from("/p/x"), freezer: Some(PathBuf::from("/f/x")) }
    }

    fn v2(pids: bool, kill: bool) -> V2 {
        V2 { dir: PathBuf::from("/u/x"), pids, kill, no_pids: (!pids).then(|| "why".to_string()) }
    }

    /// The names of combinations this host can show only in part (a
    /// delegated v2 subtree for a non-root user, a v2 host with pids).
    #[test]
    fn names_put_the_cap_layer_first() {
        let hybrid = Cgroups { v1: Some(v1()), v2: Some(v2(false, true)) };
        assert_eq!(name(Some(&hybrid), 48, None, false), "cgroup-v1 (pids+freezer) + cgroup-v2 kill");
        let full = Cgroups { v1: None, v2: Some(v2(true, true)) };
        assert_eq!(name(Some(&full), 48, None, false), "cgroup-v2 (pids.max=48, cgroup.kill)");
        assert_eq!(name(Some(&full), 48, Some(60), false), "cgroup-v2 (pids.max=48, cgroup.kill) + RLIMIT_NPROC=60");
        let kill_only = Cgroups { v1: None, v2: Some(v2(false, true)) };
        assert!(!kill_only.capped());
        assert_eq!(name(Some(&kill_only), 48, Some(50), true), "userns+pidns + RLIMIT_NPROC=50 + cgroup-v2 kill");
        assert_eq!(
            name(Some(&kill_only), 48, Some(70), false),
            "rlimit-only (RLIMIT_NPROC=70, approximate) + cgroup-v2 kill"
        );
        assert_eq!(name(Some(&kill_only), 48, None, false), "watchdog only + cgroup-v2 kill");
        assert_eq!(name(None, 48, None, false), "watchdog only");
    }

    #[test]
    fn the_v2_leaf_is_joined_after_v1() {
        let hybrid = Cgroups { v1: Some(v1()), v2: Some(v2(false, true)) };
        let files: Vec<String> = hybrid.join_files().iter().map(|c| c.to_string_lossy().into_owned()).collect();
        assert_eq!(files, ["/p/x/cgroup.procs", "/f/x/cgroup.procs", "/u/x/cgroup.procs"]);
    }
}
