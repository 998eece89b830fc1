//! Choosing the containment for one run: the cap, lowered below every
//! limit cargo-freeze itself runs under (`headroom`); every layer that
//! works, strongest first, and why stronger ones were skipped. The layers:
//! a cgroup v2 leaf (a hard cap where pids is delegated; else it still adds
//! membership and `cgroup.kill`), cgroup v1 pids + freezer, the user + PID
//! namespace helper with `RLIMIT_NPROC`, `RLIMIT_NPROC` alone, the watchdog
//! alone. Every cgroup is created beneath cargo-freeze's own, so the
//! caller's limits keep applying.

use super::cgroup::Cgroups;
use super::cgroup::v1::{self, V1};
use super::cgroup::v2::V2;
use super::pacing::Pacer;
use super::run_id::RunId;
use super::{headroom, procfs, userns};
use std::path::PathBuf;

/// Set to skip the cgroup v2 layer (to compare kill methods, or where a
/// v2 hierarchy misbehaves); the report says it was skipped.
pub(crate) const NO_V2_ENV: &str = "CARGO_FREEZE_PROBE_NO_CGROUP_V2";

/// Tasks cargo-freeze still starts itself once the cap is set: the
/// sentinel, two capture threads, the exec-pacing thread, the namespace
/// helper and its init.
const OWN_TASKS: u32 = 6;

/// The smallest cap a lowered one may be; below it the probe refuses.
pub(crate) const MIN_CAP: u32 = 8;

/// The containment in force for one run.
pub(crate) struct Containment {
    pub cgroups: Cgroups,
    /// Why the cap in force is lower than asked.
    pub cap_note: Option<String>,
    pub nproc: Option<u64>,
    /// This process's threads when `nproc` was computed.
    pub rlimit_base: Option<u32>,
    /// The target runs under the user+PID namespace helper.
    pub userns: bool,
    pub name: String,
    pub skipped: Vec<String>,
    /// Holds every exec of the tree until a scan has seen it.
    pub pacer: Option<Pacer>,
}

impl Containment {
    /// Some layer bounds the number of tasks.
    pub(super) fn capped(&self) -> bool {
        self.cgroups.capped() || self.nproc.is_some()
    }
}

/// The cap under the tightest limit, and the note saying why it was
/// lowered; an error when no useful cap fits.
pub(crate) fn cap(requested: u32) -> Result<(u32, Option<String>), String> {
    let Some(mut limit) = headroom::tightest() else { return Ok((requested, None)) };
    limit.free = limit.free.saturating_sub(OWN_TASKS);
    let cap = headroom::lowered(requested, &limit);
    if cap >= requested {
        return Ok((requested, None));
    }
    if cap < MIN_CAP.min(requested) {
        return Err(format!(
            "{}: that leaves room for {} more tasks, too few to run a probe with a cap of at least {MIN_CAP}",
            limit.what, limit.free
        ));
    }
    Ok((cap, Some(format!("lowered from {requested}: {}", limit.what))))
}

pub(crate) fn contain(cap: u32, cap_note: Option<String>, run: RunId) -> Containment {
    let mut skipped = Vec::new();
    let cgroups = cgroups(cap, run, &mut skipped);
    let cg_capped = cgroups.capped();
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
    let name = name(&cgroups, cap, nproc, userns);
    // Under the per-namespace count this process's own threads do not eat
    // into the tree's share.
    let rlimit_base = nproc.filter(|_| !userns).and_then(|_| procfs::stat(std::process::id())).map(|s| s.threads);
    Containment { cgroups, cap_note, nproc, rlimit_base, userns, name, skipped, pacer: None }
}

/// Where this process's cgroups are, so leftovers of dead runs beside
/// them can be reaped before new ones are made.
pub(crate) fn cgroup_parents() -> Vec<PathBuf> {
    let mut parents: Vec<PathBuf> = ["pids", "freezer"].into_iter().filter_map(v1::own_cgroup).collect();
    let mountinfo = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    parents.extend(super::cgroup::plan::own_dir(&mountinfo, &own).ok().map(|(dir, _)| dir));
    parents
}

/// The v2 leaf first; v1 pids only when the leaf has no cap (a hybrid
/// host): then both are used, v1 for the cap, v2 for the kill.
fn cgroups(cap: u32, run: RunId, skipped: &mut Vec<String>) -> Cgroups {
    let leaf = run.next_leaf();
    let v2 = if std::env::var_os(NO_V2_ENV).is_some() {
        skipped.push(format!("cgroup-v2: disabled by {NO_V2_ENV}"));
        None
    } else {
        match V2::create(cap, &leaf, &run.own_leaf()) {
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
    Cgroups::new(v1, v2)
}

/// The cap layer first, then what adds to it, e.g.
/// `cgroup-v1 (pids+freezer) + cgroup-v2 kill` or
/// `userns+pidns + RLIMIT_NPROC=50 + cgroup-v2 kill`.
fn name(cgroups: &Cgroups, cap: u32, nproc: Option<u64>, userns: bool) -> String {
    let any = cgroups.v1.is_some() || cgroups.v2.is_some();
    let cg = any.then(|| cgroups.describe(cap));
    let base = match (nproc, userns) {
        _ if cgroups.capped() => {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn v1() -> V1 {
        V1 { pids: PathBuf::from("/p/x"), freezer: Some(PathBuf::from("/f/x")) }
    }

    fn v2(pids: bool, kill: bool) -> V2 {
        V2 { dir: PathBuf::from("/u/x"), pids, kill, no_pids: (!pids).then(|| "why".to_string()), moved: None }
    }

    /// Cgroups that were never created must not be removed on drop.
    fn unowned(c: Cgroups) {
        std::mem::forget(c);
    }

    /// The names of combinations this host can show only in part (a
    /// delegated v2 subtree for a non-root user, a v2 host with pids).
    #[test]
    fn names_put_the_cap_layer_first() {
        let hybrid = Cgroups::new(Some(v1()), Some(v2(false, true)));
        assert_eq!(name(&hybrid, 48, None, false), "cgroup-v1 (pids+freezer) + cgroup-v2 kill");
        let full = Cgroups::new(None, Some(v2(true, true)));
        assert_eq!(name(&full, 48, None, false), "cgroup-v2 (pids.max=48, cgroup.kill)");
        assert_eq!(name(&full, 48, Some(60), false), "cgroup-v2 (pids.max=48, cgroup.kill) + RLIMIT_NPROC=60");
        let kill_only = Cgroups::new(None, Some(v2(false, true)));
        assert!(!kill_only.capped());
        assert_eq!(name(&kill_only, 48, Some(50), true), "userns+pidns + RLIMIT_NPROC=50 + cgroup-v2 kill");
        assert_eq!(
            name(&kill_only, 48, Some(70), false),
            "rlimit-only (RLIMIT_NPROC=70, approximate) + cgroup-v2 kill"
        );
        assert_eq!(name(&kill_only, 48, None, false), "watchdog only + cgroup-v2 kill");
        assert_eq!(name(&Cgroups::default(), 48, None, false), "watchdog only");
        let mut delegated = v2(true, true);
        delegated.moved = Some(super::super::cgroup::v2::Moved { home: "/d".into(), own: "/d/own".into() });
        let delegated = Cgroups::new(None, Some(delegated));
        assert_eq!(name(&delegated, 48, None, false), "cgroup-v2 (pids.max=48, cgroup.kill, delegated)");
        for c in [hybrid, full, kill_only, delegated] {
            unowned(c);
        }
    }

    #[test]
    fn the_v2_leaf_is_joined_after_v1() {
        let hybrid = Cgroups::new(Some(v1()), Some(v2(false, true)));
        let files: Vec<String> = hybrid.join_files().iter().map(|c| c.to_string_lossy().into_owned()).collect();
        assert_eq!(files, ["/p/x/cgroup.procs", "/f/x/cgroup.procs", "/u/x/cgroup.procs"]);
        unowned(hybrid);
    }
}
