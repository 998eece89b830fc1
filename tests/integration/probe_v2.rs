//! The probe's cgroup v2 layer on this host, with the fixtures and helpers
//! of [`crate::probe`] (same backstop, same serial lock, same survivor
//! scan). On a hybrid host (v1 pids + a `unified` v2 mount, the CI host)
//! the v2 leaf adds `cgroup.kill` and membership to the v1 cap; on a host
//! whose v2 cgroup has `pids`, the leaf is the cap itself. What this host
//! cannot show is said in a note; the decision for those cases is
//! unit-tested in `src/probe/linux/cgroup2_plan_tests.rs`.

use crate::probe::{SERIAL, assert_clean, exe, expect_verdict, is_root, probe_with};
use crate::support::{note, require};
use std::path::PathBuf;

/// This process's directory in the v2 hierarchy, read independently of
/// the code under test (first cgroup2 mount showing the whole hierarchy).
fn own_v2_dir() -> Option<PathBuf> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let path = own.lines().find_map(|l| l.strip_prefix("0::"))?.trim_start_matches('/').to_string();
    let info = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let mount = info.lines().find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        (l.contains(" - cgroup2 ") && f.get(3) == Some(&"/")).then(|| PathBuf::from(f[4]))
    })?;
    Some(mount.join(path)).filter(|d| d.is_dir())
}

/// The v2 state of this host, or why the v2 tests cannot run here.
enum Host {
    /// v2 with `cgroup.kill` but no `pids`: the hybrid combination.
    Hybrid,
    /// v2 with `pids` delegated here: the full layer.
    PidsV2,
}

fn host() -> Option<Host> {
    if !require(is_root(), "needs root: the fallback of a user without a delegated subtree is tested via setpriv") {
        return None;
    }
    let dir = own_v2_dir();
    if !require(dir.is_some(), "no cgroup v2 hierarchy visible here: the v2 layer cannot be exercised") {
        return None;
    }
    let dir = dir.unwrap();
    // The root cgroup never shows cgroup.kill; a child shows it where the
    // kernel has it.
    let probe_dir = dir.join(format!("cargo-freeze-test-kill-{}", std::process::id()));
    let has_kill = std::fs::create_dir(&probe_dir).is_ok() && probe_dir.join("cgroup.kill").exists();
    let _ = std::fs::remove_dir(&probe_dir);
    if !require(has_kill, &format!("{} has no cgroup.kill (kernel < 5.14)", dir.display())) {
        return None;
    }
    let controllers = std::fs::read_to_string(dir.join("cgroup.controllers")).unwrap_or_default();
    Some(if controllers.split_whitespace().any(|c| c == "pids") { Host::PidsV2 } else { Host::Hybrid })
}

fn skipped(json: &serde_json::Value) -> Vec<String> {
    json["skipped"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

#[test]
fn storms_are_killed_with_cgroup_kill() {
    let Some(host) = host() else { return };
    for name in ["setsid", "tree", "daemon", "respawn"] {
        let json = expect_verdict(name, &["--timeout", "20"], false, "storm", 1);
        let containment = json["containment"].as_str().unwrap();
        match host {
            Host::Hybrid => {
                assert_eq!(containment, "cgroup-v1 (pids+freezer) + cgroup-v2 kill + exec pacing", "{name}: {json:#}");
                let why = skipped(&json).join("\n");
                assert!(why.contains("cgroup-v2 pids.max: no pids controller"), "{name}: {why}");
            }
            // In the tests' outer cgroup cargo-freeze is the only process:
            // it moves into a leaf of its own and enables pids (delegated).
            Host::PidsV2 => assert!(containment.starts_with("cgroup-v2 (pids.max=48, cgroup.kill"), "{containment}"),
        }
        assert_eq!(json["kill_method"], "cgroup.kill", "{name}: {json:#}");
        assert!(json["cgroup_v2"].as_str().is_some_and(|d| d.contains("cargo-freeze-probe-")), "{json:#}");
        assert!(json["peak_tasks"].as_u64().unwrap() <= 48, "{name}: cap exceeded: {json:#}");
    }
}

#[test]
fn without_v2_the_freezer_kills() {
    let hybrid = matches!(host(), Some(Host::Hybrid));
    if !require(hybrid, "not a hybrid host as root (v1 pids + v2 unified): no v1 freezer kill to compare") {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let program = exe("setsid");
    let env = [("CARGO_FREEZE_PROBE_NO_CGROUP_V2", "1")];
    let (out, json) = probe_with(&program, &["--timeout", "20"], false, &env);
    assert_eq!((out.status.code(), &json["verdict"]), (Some(1), &"storm".into()), "{json:#}");
    assert_eq!(json["containment"], "cgroup-v1 (pids+freezer) + exec pacing");
    assert_eq!(json["kill_method"], "freeze + SIGKILL each + thaw");
    assert_eq!(json["cgroup_v2"], serde_json::Value::Null);
    assert!(skipped(&json).iter().any(|s| s.contains("disabled by CARGO_FREEZE_PROBE_NO_CGROUP_V2")), "{json:#}");
    assert_clean(&program, &json);
}

/// uid 65534 cannot write the v2 hierarchy here: the layer is skipped with
/// the reason, and the non-root layers still contain the storm.
#[test]
fn unprivileged_run_skips_v2_with_a_reason() {
    if host().is_none() {
        return;
    }
    let json = expect_verdict("chain", &["--timeout", "20"], true, "storm", 1);
    let containment = json["containment"].as_str().unwrap();
    assert!(!containment.contains("cgroup-v2"), "{containment}");
    let why = skipped(&json).join("\n");
    assert!(why.contains("cgroup-v2: ") && why.contains("is not writable for uid 65534"), "{why}");
    assert_eq!(json["cgroup_v2"], serde_json::Value::Null);
}

/// A clean program in the v2 leaf passes: the leaf empties by itself, no
/// kill runs, the leaf is removed. Where the host's v2 cgroup has no pids,
/// the full `pids.max` layer cannot run; the note says so.
#[test]
fn clean_program_passes_in_the_v2_leaf() {
    let Some(host) = host() else { return };
    let json = expect_verdict("workers", &["--timeout", "20"], false, "pass", 0);
    assert!(json["peak_processes"].as_u64().unwrap() <= 9, "{json:#}");
    assert_eq!(json["kill_method"], serde_json::Value::Null, "nothing to kill: {json:#}");
    assert!(json["cgroup_v2"].is_string(), "{json:#}");
    match host {
        Host::PidsV2 => assert_eq!(json["cgroup"], json["cgroup_v2"], "the v2 leaf holds the cap"),
        Host::Hybrid => note(
            "this host's cgroup v2 has no pids controller (it is bound to v1): the v2 pids.max cap, \
             enabling +pids and the EBUSY fallback were not run for real here, only their decision (unit tests)",
        ),
    }
}

/// Root with the v1 pids hierarchy hidden (a mount namespace with tmpfs
/// over it), as on a pure v2 host whose v2 cgroup has no pids: the v2 leaf
/// alone is no cap, so the probe refuses (exit 2, leaf removed, nothing
/// started); with `--allow-uncontained` the leaf still tracks the tree and
/// `cgroup.kill` ends it. The target is a guarded server (no storm runs
/// without a hard cap).
#[test]
fn v2_kill_without_a_cap_is_refused_unless_allowed() {
    let Some(Host::Hybrid) = host() else { return };
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let server = exe("server");
    let run = |extra: &str| {
        let script = format!(
            "mount -t tmpfs none /sys/fs/cgroup/pids && exec {} freeze probe --cap 8 --timeout 1 -f json {extra} -- {}",
            env!("CARGO_BIN_EXE_cargo-freeze"),
            server.display()
        );
        let outer = crate::probe::Outer::new(crate::probe::BACKSTOP_TASKS);
        let mut cmd = std::process::Command::new("unshare");
        cmd.args(["--mount", "--propagation", "private", "sh", "-c", &script]);
        cmd.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
        outer.apply(&mut cmd);
        let output = cmd.output().unwrap();
        // cargo-freeze makes its leaves beneath the outer cgroup.
        (outer.leftover_cgroups(), output)
    };
    let (left, refused) = run("");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("no containment with a hard process cap") && stderr.contains("cgroup-v2 pids.max"),
        "{stderr}"
    );
    assert_eq!(left, Vec::<PathBuf>::new(), "the v2 leaf of the refused run is removed");
    let (_, allowed) = run("--allow-uncontained");
    let json: serde_json::Value = serde_json::from_slice(&allowed.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {}", String::from_utf8_lossy(&allowed.stderr)));
    assert_eq!(json["containment"], "watchdog only + cgroup-v2 kill + exec pacing", "{json:#}");
    assert_eq!((&json["verdict"], &json["kill_method"]), (&"timeout".into(), &"cgroup.kill".into()), "{json:#}");
    assert_eq!(json["cgroup"], json["cgroup_v2"], "{json:#}");
    assert_clean(&server, &json);
}
