//! The storm-shape matrix: every storm shape the probe must stop, and the
//! busy but well-behaved programs it must let be, each run through
//! `cargo freeze probe --cap 48` inside an outer cgroup whose own limit (40
//! tasks) is below that cap, as root and as uid 65534. Whatever the shape:
//! the verdict, the cap lowered below the caller's limit and never
//! exceeded, no process of the program left, nothing left in the outer
//! cgroup (cargo-freeze's cgroups nest in it), no temporary directory. A
//! one-file bundle of an unguarded program storms as one program. Then
//! cargo-freeze itself is killed mid-probe (SIGKILL: its sentinel cleans
//! up; SIGKILL of both: the next run reaps the leftovers; SIGINT: it
//! cleans up and exits 130).

use crate::outer::{Outer, is_root};
use crate::probe::{SERIAL, assert_clean, exe, probe_in, running};
use crate::support::require;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CAP: u64 = 48;
/// The outer cgroup's limit: below the cap, so the probe must lower it.
const OUTER_TASKS: u32 = 40;

/// Storm shapes (fixture, arguments).
const STORMS: &[&str] = &[
    "chain",       // each copy starts one and waits
    "tree",        // each copy starts two
    "respawn",     // keeps one copy alive, retries at the cap
    "setsid",      // each copy leaves its process group and session
    "shexec",      // through `sh -c`
    "daemon",      // double forks, parents linger 20 ms
    "daemonchain", // double forks, middle exits at once, copies linger 5 s
    "fastfork",    // double forks, at most two processes at any moment
    "bomb",        // fork() without exec
    "stubborn",    // ignores SIGTERM, SIGHUP, SIGINT
    "exit0",       // exits 0 at the cap
    "slowchain",   // one copy every 200 ms
    "latechain",   // starts after 2 s
];

/// Well-behaved programs: (fixture, arguments, verdicts allowed).
const CALM: &[(&str, &[&str], &[&str])] = &[
    ("fanout", &[], &["pass", "capped"]), // 50 `/bin/true` at once
    ("threads", &["200"], &["capped"]),   // 200 threads in one process
    ("workers", &[], &["pass"]),          // 8 guarded workers of itself
    ("helperd", &[], &["pass"]),          // one daemonized helper of itself
];

fn check_case(name: &str, args: &[&str], unprivileged: bool, verdicts: &[&str]) {
    let program = exe(name);
    let outer = Outer::new(OUTER_TASKS);
    let mut command = vec![program.as_path()];
    command.extend(args.iter().map(Path::new));
    let (out, json) = probe_in(&outer, &command, &["--timeout", "20"], unprivileged, &[]);
    let verdict = json["verdict"].as_str().unwrap_or_default();
    assert!(verdicts.contains(&verdict), "{name}: {verdict} not in {verdicts:?}: {json:#}");
    let code = if verdict == "storm" { 1 } else { 0 };
    assert_eq!(out.status.code(), Some(code), "{name}: exit code: {json:#}");
    let cap = json["cap"].as_u64().unwrap();
    assert!(cap < u64::from(OUTER_TASKS), "{name}: cap {cap} not lowered below the outer limit: {json:#}");
    let note = json["cap_note"].as_str().unwrap_or_default();
    assert!(note.starts_with(&format!("lowered from {CAP}: pids.max={OUTER_TASKS} in ")), "{name}: {note}");
    // Under the namespace helper the tree also holds the helper and init.
    let most = if unprivileged { cap + 2 } else { cap };
    assert!(json["peak_tasks"].as_u64().unwrap() <= most, "{name}: cap exceeded: {json:#}");
    let containment = json["containment"].as_str().unwrap();
    let layer = if unprivileged { containment.contains("RLIMIT_NPROC=") } else { containment.starts_with("cgroup-") };
    assert!(layer, "{name} (uid 65534: {unprivileged}) used {containment}");
    assert_clean(&program, &json);
}

fn matrix(unprivileged: bool) {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for name in STORMS {
        check_case(name, &[], unprivileged, &["storm"]);
    }
    for (name, args, verdicts) in CALM {
        check_case(name, args, unprivileged, verdicts);
    }
}

#[test]
fn storm_shapes_as_root() {
    if !require(is_root(), "needs root (the outer cgroup; uid 65534 runs via setpriv)") {
        return;
    }
    matrix(false);
}

#[test]
fn storm_shapes_as_uid_65534() {
    if !require(is_root(), "needs root to switch to uid 65534") {
        return;
    }
    matrix(true);
}

/// `cargo freeze --onefile --no-check` of the unguarded `chain` fixture:
/// its children exec the extracted program directly, never the bundle.
fn onefile_chain(dist: &Path) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"))
        .args(["freeze", "--onefile", "--no-check", "--dev", "--quiet", "--bin", "chain", "--name", "chain-onefile"])
        .arg("--manifest-path")
        .arg(root.join("fixtures/probe/Cargo.toml"))
        .arg("--dist")
        .arg(dist)
        .env("CARGO_TARGET_DIR", root.join("target/fixtures"))
        .output()
        .expect("run cargo freeze --onefile");
    assert!(out.status.success(), "bundling failed: {}", String::from_utf8_lossy(&out.stderr));
    dist.join("chain-onefile")
}

#[test]
fn a_one_file_bundle_storms_as_one_program() {
    if !require(is_root(), "needs root for the outer cgroup and uid 65534") {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dist = tempfile::tempdir().unwrap();
    let bundle = onefile_chain(dist.path());
    for unprivileged in [false, true] {
        let cache = tempfile::tempdir().unwrap();
        std::fs::set_permissions(cache.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
        let outer = Outer::new(OUTER_TASKS);
        let cache_env = [("XDG_CACHE_HOME", cache.path().to_str().unwrap())];
        let (out, json) = probe_in(&outer, &[bundle.as_path()], &["--timeout", "20"], unprivileged, &cache_env);
        assert_eq!((out.status.code(), json["verdict"].as_str()), (Some(1), Some("storm")), "{json:#}");
        let extracted = json["tree"].as_array().unwrap().iter().filter(|n| n["same_exe"] == true).count();
        assert!(extracted >= 4, "the extracted program's copies are the program: {json:#}");
        assert_clean(&bundle, &json);
    }
}

/// A probe started in the background, to be killed mid-run.
struct Running {
    child: Child,
    tmp: tempfile::TempDir,
}

fn start_probe(outer: &Outer, program: &Path, unprivileged: bool) -> Running {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::set_permissions(tmp.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    // Limits the storm never reaches: it runs (at the cap) until killed.
    let extra = ["--timeout", "30", "--max-depth", "64", "--max-detached", "1000"];
    let mut cmd = crate::probe::probe_command(&[program], &extra, unprivileged);
    cmd.env("TMPDIR", tmp.path()).stdout(Stdio::piped()).stderr(Stdio::piped());
    outer.apply(&mut cmd);
    let child = cmd.spawn().expect("start cargo-freeze probe");
    // Running once the program's copies show in the outer cgroup.
    let deadline = Instant::now() + Duration::from_secs(10);
    while running(program).len() < 3 {
        assert!(Instant::now() < deadline, "the storm never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    Running { child, tmp }
}

fn kill(pid: u32, signal: i32) {
    // SAFETY: plain syscall on a process this test started.
    unsafe { libc::kill(pid as libc::pid_t, signal) };
}

/// The sentinel: cargo-freeze's child running with the sentinel argument.
fn sentinel_of(tool: u32) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|e| {
        let pid: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let ppid: u32 = stat[stat.rfind(')')? + 2..].split_whitespace().nth(1)?.parse().ok()?;
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
        (ppid == tool && cmdline.split(|b| *b == 0).nth(1) == Some(b"__cargo-freeze-probe-sentinel")).then_some(pid)
    })
}

fn probe_dirs_in(tmp: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(tmp).unwrap().flatten();
    entries
        .map(|e| e.path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("cargo-freeze-probe-"))
        .collect()
}

fn killed_mid_probe(unprivileged: bool) {
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let program = exe("respawn");
    let outer = Outer::new(OUTER_TASKS);
    let mut probe = start_probe(&outer, &program, unprivileged);
    kill(probe.child.id(), libc::SIGKILL);
    let _ = probe.child.wait();
    outer.wait_empty(Duration::from_secs(5)).expect("the sentinel empties and removes everything");
    assert_eq!(running(&program), Vec::<u32>::new());
    assert_eq!(probe_dirs_in(probe.tmp.path()), Vec::<PathBuf>::new(), "temporary directory left");
}

#[test]
fn sigkill_of_cargo_freeze_leaves_nothing() {
    if !require(is_root(), "needs root for the outer cgroup and uid 65534") {
        return;
    }
    killed_mid_probe(false);
    killed_mid_probe(true);
}

/// cargo-freeze and its sentinel both SIGKILLed: the storm goes on in its
/// capped cgroup until the next run reaps it.
#[test]
fn leftovers_of_a_dead_run_are_reaped_by_the_next() {
    if !require(is_root(), "needs root for the outer cgroup") {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let program = exe("respawn");
    let outer = Outer::new(OUTER_TASKS);
    let mut probe = start_probe(&outer, &program, false);
    let tool = probe.child.id();
    let sentinel = sentinel_of(tool).expect("a sentinel runs beside the probe");
    kill(sentinel, libc::SIGKILL);
    kill(tool, libc::SIGKILL);
    let _ = probe.child.wait();
    std::thread::sleep(Duration::from_millis(200));
    assert!(!outer.leftover_cgroups().is_empty(), "the dead run's cgroups stay");
    assert!(!probe_dirs_in(probe.tmp.path()).is_empty(), "the dead run's temporary directory stays");
    let mut cmd = crate::probe::probe_command(&[Path::new("/bin/true")], &[], false);
    cmd.env("TMPDIR", probe.tmp.path());
    outer.apply(&mut cmd);
    let out = cmd.output().unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(json["verdict"], "pass", "{json:#}");
    let reaped: Vec<&str> = json["reaped"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(reaped.iter().any(|r| r.contains(&format!("cargo-freeze-probe-{tool}-"))), "{reaped:?}");
    outer.wait_empty(Duration::from_secs(3)).expect("reaped");
    assert_eq!(running(&program), Vec::<u32>::new());
    assert_eq!(probe_dirs_in(probe.tmp.path()), Vec::<PathBuf>::new());
}

#[test]
fn sigint_kills_the_tree_and_exits_130() {
    if !require(is_root(), "needs root for the outer cgroup") {
        return;
    }
    let _serial = SERIAL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let program = exe("stubborn");
    let outer = Outer::new(OUTER_TASKS);
    let probe = start_probe(&outer, &program, false);
    kill(probe.child.id(), libc::SIGINT);
    let out = probe.child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted by signal 2") && stderr.contains("killed"), "{stderr}");
    outer.wait_empty(Duration::from_secs(3)).expect("cleaned up before exiting");
    assert_eq!(running(&program), Vec::<u32>::new());
    assert_eq!(probe_dirs_in(probe.tmp.path()), Vec::<PathBuf>::new());
}
