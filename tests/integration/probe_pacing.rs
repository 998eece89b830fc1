//! Exec pacing: every exec in the probed tree waits until the watchdog has
//! scanned the tree, so a storm cannot outrun a watchdog that is slow to
//! get the CPU. `fastfork` relaunches itself through a double fork every
//! ~1.4 ms; started 24 generations short of its fuse, it ends in about
//! 35 ms, far fewer polls than its copies. Unpaced, the probe saw 3 to 10
//! of its copies and said `pass`; paced, each copy is seen at its exec and
//! the chain is a storm whatever the load (each generation adds a
//! detached relaunch or nests deeper; 16 relaunches or 4 levels suffice).
//! `CARGO_FREEZE_PROBE_NO_EXEC_PACING` turns it off, and the report says so.

use crate::outer::{Outer, is_root};
use crate::probe::{BACKSTOP_TASKS, SERIAL, assert_clean, exe, probe_in};
use crate::support::require;

fn short_chain(unprivileged: bool) {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let program = exe("fastfork");
    let env = [("PROBE_FIXTURE_GENERATION", "1976")];
    let (out, json) = probe_in(&Outer::new(BACKSTOP_TASKS), &[&program], &["--timeout", "20"], unprivileged, &env);
    let containment = json["containment"].as_str().unwrap_or_default();
    assert!(containment.ends_with(" + exec pacing"), "pacing named in the containment: {json:#}");
    assert_eq!(json["verdict"], "storm", "a 24-generation chain is seen at every exec: {json:#}");
    assert_eq!(out.status.code(), Some(1));
    assert!(!json["stderr"].as_str().unwrap_or_default().contains("fuse"), "stopped before its fuse: {json:#}");
    assert_clean(&program, &json);
}

#[test]
fn a_short_fast_chain_is_seen_at_every_exec() {
    short_chain(false);
}

#[test]
fn a_short_fast_chain_is_seen_at_every_exec_as_uid_65534() {
    if !require(is_root(), "needs root to switch to uid 65534") {
        return;
    }
    short_chain(true);
}

#[test]
fn pacing_can_be_turned_off_and_the_report_says_so() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let program = exe("exit3");
    let env = [("CARGO_FREEZE_PROBE_NO_EXEC_PACING", "1")];
    let (_, json) = probe_in(&Outer::new(BACKSTOP_TASKS), &[&program], &["--timeout", "20"], false, &env);
    assert_eq!((&json["verdict"], &json["exit_status"]["code"]), (&"pass".into(), &3.into()), "{json:#}");
    assert!(!json["containment"].as_str().unwrap_or_default().contains("exec pacing"), "{json:#}");
    let skipped: Vec<&str> = json["skipped"].as_array().unwrap().iter().filter_map(|s| s.as_str()).collect();
    assert!(skipped.contains(&"exec pacing: disabled by CARGO_FREEZE_PROBE_NO_EXEC_PACING"), "{skipped:?}");
    assert_clean(&program, &json);
}
