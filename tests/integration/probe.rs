//! The spawn-storm probe on real process trees: the fixtures in
//! `fixtures/probe/` are built once and every one runs only through
//! `cargo freeze probe` with a cap of at most 48 tasks and a timeout. Each
//! test checks the verdict, that no process of the fixture survives (by
//! scanning `/proc`), and that the probe's cgroup and TMPDIR are gone.
//!
//! A bug in the probe must never take the machine down, so every probe
//! runs under an outer backstop the test creates: its own pids cgroup of a
//! few hundred tasks when the tests run as root, else `RLIMIT_NPROC`.
//! Probe tests run one at a time (they share fixture binaries and the
//! survivor scan must not see another test's processes).

pub(crate) use crate::outer::{Outer, is_root};
use crate::support::require;
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

/// The cap every test passes (the safety rule: at most 64).
const CAP: &str = "48";
pub(crate) const BACKSTOP_TASKS: u32 = 400;

pub(crate) static SERIAL: Mutex<()> = Mutex::new(());

/// Builds `fixtures/probe` once and returns the executables by name, from
/// cargo's artifact messages. Its target directory is its own: other
/// fixture crates have binaries of the same names (a `--fix`ed `respawn`
/// built into a shared one replaced the storm, and the probe saw a
/// guarded program).
fn fixtures() -> &'static HashMap<String, PathBuf> {
    static BUILT: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    BUILT.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let out = Command::new(env!("CARGO"))
            .args(["build", "--bins", "--message-format=json", "--manifest-path"])
            .arg(root.join("fixtures/probe/Cargo.toml"))
            .env("CARGO_TARGET_DIR", root.join("target/fixtures-probe"))
            .output()
            .expect("cargo build fixtures/probe");
        assert!(out.status.success(), "building fixtures/probe failed: {}", String::from_utf8_lossy(&out.stderr));
        let mut map = HashMap::new();
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            if let (Some(name), Some(exe)) = (msg["target"]["name"].as_str(), msg["executable"].as_str()) {
                map.insert(name.to_string(), PathBuf::from(exe));
            }
        }
        map
    })
}

pub(crate) fn exe(name: &str) -> PathBuf {
    fixtures().get(name).unwrap_or_else(|| panic!("fixture binary {name} was not built")).clone()
}

/// Runs `cargo-freeze probe --cap 48 ... -- program`, optionally as uid
/// 65534, under the backstop. Returns the output and the JSON report.
pub(crate) fn probe(program: &Path, extra: &[&str], unprivileged: bool) -> (Output, serde_json::Value) {
    probe_with(program, extra, unprivileged, &[])
}

/// [`probe`] with extra environment for cargo-freeze itself.
pub(crate) fn probe_with(
    program: &Path,
    extra: &[&str],
    unprivileged: bool,
    env: &[(&str, &str)],
) -> (Output, serde_json::Value) {
    probe_in(&Outer::new(BACKSTOP_TASKS), &[program], extra, unprivileged, env)
}

/// `cargo-freeze freeze probe --cap 48 --format json EXTRA -- PROGRAM...`,
/// as uid 65534 when `unprivileged`.
pub(crate) fn probe_command(program: &[&Path], extra: &[&str], unprivileged: bool) -> Command {
    let freeze = env!("CARGO_BIN_EXE_cargo-freeze");
    let mut cmd = if unprivileged {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", freeze]);
        c
    } else {
        Command::new(freeze)
    };
    cmd.args(["freeze", "probe", "--cap", CAP, "--format", "json"]).args(extra).arg("--").args(program);
    cmd
}

/// [`probe_with`] in a given outer cgroup, which must be empty afterwards;
/// `program` is `[path, args...]`.
pub(crate) fn probe_in(
    outer: &Outer,
    program: &[&Path],
    extra: &[&str],
    unprivileged: bool,
    env: &[(&str, &str)],
) -> (Output, serde_json::Value) {
    let mut cmd = probe_command(program, extra, unprivileged);
    cmd.envs(env.iter().copied());
    outer.apply(&mut cmd);
    let out = cmd.output().expect("run cargo-freeze probe");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    if let Err(left) = outer.wait_empty(std::time::Duration::from_secs(3)) {
        panic!("{left}\nreport: {json:#}");
    }
    (out, json)
}

/// Processes running `program`'s file, found by scanning `/proc`.
pub(crate) fn running(program: &Path) -> Vec<u32> {
    let meta = std::fs::metadata(program).expect("fixture binary");
    let id = (meta.dev(), meta.ino());
    let Ok(dir) = std::fs::read_dir("/proc") else { return Vec::new() };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::metadata(format!("/proc/{pid}/exe")).is_ok_and(|m| (m.dev(), m.ino()) == id))
        .collect()
}

/// The checks every probe run must pass, whatever its verdict.
pub(crate) fn assert_clean(program: &Path, json: &serde_json::Value) {
    assert_eq!(json["survivors"], 0, "survivors reported: {json:#}");
    assert_eq!(running(program), Vec::<u32>::new(), "processes of {} left behind", program.display());
    let tmpdir = json["tmpdir"].as_str().expect("tmpdir");
    assert!(!Path::new(tmpdir).exists(), "TMPDIR {tmpdir} left behind");
    for key in ["cgroup", "cgroup_v2"] {
        if let Some(cgroup) = json[key].as_str() {
            assert!(!Path::new(cgroup).exists(), "{key} {cgroup} left behind");
        }
    }
}

pub(crate) fn expect_verdict(
    name: &str,
    extra: &[&str],
    unprivileged: bool,
    verdict: &str,
    code: i32,
) -> serde_json::Value {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let program = exe(name);
    let (out, json) = probe(&program, extra, unprivileged);
    assert_eq!(json["verdict"], verdict, "{name}: {json:#}");
    assert_eq!(out.status.code(), Some(code), "{name}: exit code; stderr: {}", String::from_utf8_lossy(&out.stderr));
    assert_clean(&program, &json);
    json
}

#[test]
fn hundred_threads_are_never_a_storm() {
    let json = expect_verdict("threads", &["--timeout", "20"], false, "capped", 0);
    assert_eq!(json["peak_processes"], 1);
    assert!(json["trigger"].as_str().unwrap().contains("--cap"), "says how to raise the cap: {json:#}");
}

#[test]
fn hundred_threads_without_root_are_never_a_storm() {
    if !require(is_root(), "needs root to switch to uid 65534") {
        return;
    }
    let json = expect_verdict("threads", &["--timeout", "20"], true, "capped", 0);
    // With the user+PID namespace layer the tree also holds its helper and init.
    assert!(json["peak_processes"].as_u64().unwrap() <= 3, "{json:#}");
}

#[test]
fn guarded_workers_pass() {
    let json = expect_verdict("workers", &["--timeout", "20"], false, "pass", 0);
    assert_eq!(json["exit_status"]["code"], 0);
    // A polling watchdog may miss short-lived workers: at most the parent
    // and its 8 workers, never nested deeper than one level.
    assert!(json["peak_processes"].as_u64().unwrap() <= 9, "{json:#}");
    assert!(json["max_depth"].as_u64().unwrap() <= 2, "{json:#}");
    assert!(json["stdout"].as_str().unwrap().contains("8 workers done"));
}

#[test]
fn guarded_server_times_out() {
    let json = expect_verdict("server", &["--timeout", "1"], false, "timeout", 0);
    assert_eq!(json["max_depth"], 2);
}

#[test]
fn exit_status_and_output_are_kept() {
    let json = expect_verdict("exit3", &["--timeout", "20"], false, "pass", 0);
    assert_eq!(json["exit_status"]["code"], 3);
    assert_eq!(json["stdout"], "hello from exit3\n");
    assert!(json["stderr"].as_str().unwrap().contains("status 3"));
}

#[test]
fn human_output_draws_the_tree() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let program = exe("workers");
    let outer = Outer::new(BACKSTOP_TASKS);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"));
    cmd.args(["freeze", "probe", "--cap", CAP, "--timeout", "20", "--color", "never", "--"]).arg(&program);
    outer.apply(&mut cmd);
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("pass: `"), "{text}");
    assert!(text.contains("tree (pid [nesting] argv):"), "{text}");
    let root = text.lines().find(|l| l.contains(" [1] ")).unwrap_or_else(|| panic!("no root line: {text}"));
    let indent = |l: &str| l.len() - l.trim_start().len();
    let workers: Vec<&str> = text.lines().filter(|l| l.contains(" [2] ")).collect();
    assert!(workers.len() <= 8, "{text}");
    assert!(workers.iter().all(|w| indent(w) > indent(root)), "workers drawn under the parent: {text}");
}

fn bad_input(args: &[&str], message: &str) {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-freeze")).args(["freeze", "probe"]).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(stderr.contains(message), "{args:?}: expected `{message}` in: {stderr}");
    assert!(out.stdout.is_empty(), "nothing reported for bad input");
}

#[test]
fn bad_input_is_refused_before_anything_starts() {
    bad_input(&["--", "no-such-program-cargo-freeze"], "`no-such-program-cargo-freeze` was not found");
    bad_input(&["--", "./Cargo.toml"], "is not executable");
    bad_input(&["--cap", "0", "--", "true"], "--cap must be at least 1");
    bad_input(&["--timeout", "0", "--", "true"], "--timeout must be between");
    bad_input(&["--timeout", "1e12", "--", "true"], "--timeout must be between");
    bad_input(&["--max-depth", "1", "--", "true"], "--max-depth must be at least 2");
}

#[test]
fn check_builds_and_probes_each_binary() {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let outer = Outer::new(BACKSTOP_TASKS);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"));
    cmd.args(["freeze", "check", "--color", "never", "--format", "json", "--manifest-path"])
        .arg(root.join("fixtures/check/Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target/fixtures"));
    outer.apply(&mut cmd);
    let out = cmd.output().expect("run check");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(out.status.code(), Some(1), "a storm is a finding: {json:#}");
    let bin = |name: &str| json["binaries"].as_array().unwrap().iter().find(|b| b["name"] == name).unwrap().clone();
    let storm = bin("storm");
    // The fixture's fuse is a counter in the environment: the static check
    // cannot bound it and says so; the probe settles it.
    assert_eq!((&storm["verdict"], &storm["probe"]["verdict"]), (&"undecided".into(), &"storm".into()), "{storm:#}");
    assert!(storm["reason"].as_str().unwrap().contains("`CHECK_FIXTURE_GEN`"), "{storm:#}");
    assert_eq!(storm["probe"]["cap"], 48, "the package's probe config applies");
    assert_clean(Path::new(storm["probe"]["command"][0].as_str().unwrap()), &storm["probe"]);
    let pool = bin("worker-pool");
    assert_eq!((&pool["verdict"], &pool["probe"]["verdict"]), (&"guarded".into(), &"pass".into()), "{pool:#}");
    assert_eq!(pool["probe"]["stdout"], "3 jobs done\n", "per-binary args from config: {pool:#}");
    assert_eq!(bin("gui")["probe"], serde_json::json!({"skipped": true, "reason": "config: skip = true"}));
    // Progress on stderr (a pipe here: one line per step).
    let stderr = String::from_utf8_lossy(&out.stderr);
    for step in ["    Building 2 binaries with cargo, to probe\n", "     Probing check-fixture/storm\n"] {
        assert!(stderr.contains(step), "missing {step:?} in:\n{stderr}");
    }
}

/// Root on a host without cgroup v1 pids (simulated: a mount namespace
/// with tmpfs over /sys/fs/cgroup) has no hard cap: RLIMIT_NPROC does not
/// bind root. The probe refuses unless told to rely on the watchdog alone.
#[test]
fn no_hard_cap_is_refused_unless_allowed() {
    if !require(is_root(), "needs root to hide the cgroup hierarchy in a mount namespace") {
        return;
    }
    let run = |extra: &str| {
        let script = format!(
            "mount -t tmpfs none /sys/fs/cgroup && exec {} freeze probe --cap 8 -f json {extra} -- /bin/true",
            env!("CARGO_BIN_EXE_cargo-freeze")
        );
        Command::new("unshare").args(["--mount", "--propagation", "private", "sh", "-c", &script]).output().unwrap()
    };
    let refused = run("");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no containment with a hard process cap") && stderr.contains("cgroup-v1"), "{stderr}");
    assert!(refused.stdout.is_empty());
    let allowed = run("--allow-uncontained");
    let json: serde_json::Value = serde_json::from_slice(&allowed.stdout).expect("report");
    assert_eq!(
        (&json["verdict"], &json["containment"]),
        (&"pass".into(), &"watchdog only + exec pacing".into()),
        "{json:#}"
    );
}
