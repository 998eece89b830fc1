//! `cargo freeze check --fix` on copies of the lint fixtures: every
//! unguarded one is fixed, then built and run under the probe (cap 32): the
//! original storms, the fixed one passes, and the static check agrees. Also
//! idempotence, `--dry-run`, the depth fuse, sites it cannot fix, and the
//! refusal to mix edits with uncommitted changes.

use crate::support::{fixtures_dir, freeze};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// An unguarded fixture the fix repairs; `args` make the original spawn;
/// `original` is what the probe saw the original do (`storm`, `timeout`,
/// or `exit N` for a pass).
struct Case {
    name: &'static str,
    args: &'static [&'static str],
    original: &'static str,
}

const FIXABLE: &[Case] = &[
    // Under the probe argv[0] is the binary's own name, not `pretend`: the
    // original exits at once; installed as `pretend` it storms.
    Case { name: "argv0-alias-exe", args: &[], original: "exit 0" },
    // `literal-first` storms; `--quiet` after an empty run-time list is
    // argv[1], so the main binary's child works.
    Case { name: "args-after-runtime-list", args: &[], original: "storm" },
    // Only `str-helper` starts a copy at once; the others wait for keys on
    // stdin, which the probe closes.
    Case { name: "argv0-trait-method", args: &[], original: "storm" },
    Case { name: "argv0-split-first", args: &[], original: "storm" },
    // The restart flags depend on files this machine does not have, so
    // the originals exit at once; with the files they storm.
    Case { name: "assigned-flag", args: &[], original: "exit 0" },
    Case { name: "builder-across-arms", args: &[], original: "storm" },
    Case { name: "clap-builder-submatches", args: &["parse", "input.lock"], original: "storm" },
    // The path beside the executable names the built binary itself.
    Case { name: "exe-dir-own-name", args: &[], original: "storm" },
    Case { name: "exe-field-other-struct", args: &[], original: "storm" },
    Case { name: "forwarded-args-storm", args: &["--spawn"], original: "storm" },
    Case { name: "guard-appended-subcommand", args: &["status"], original: "storm" },
    Case { name: "guard-args-local-list", args: &[], original: "storm" },
    Case { name: "guard-args-pushed-flag", args: &[], original: "storm" },
    Case { name: "guard-clap-mismatch", args: &[], original: "storm" },
    Case { name: "guard-diverge-missing", args: &[], original: "storm" },
    Case { name: "guard-dispatch-table", args: &[], original: "storm" },
    // The probe's child has no terminal on stdout, so the original exits
    // at once; on a terminal it storms.
    Case { name: "guard-helper-loop", args: &[], original: "storm" },
    Case { name: "guard-match-omission", args: &["build"], original: "storm" },
    Case { name: "guard-shapes", args: &[], original: "storm" },
    Case { name: "guard-stdout-terminal", args: &[], original: "exit 0" },
    Case { name: "conversion-into", args: &[], original: "storm" },
    Case { name: "guard-env-role-arms", args: &[], original: "storm" },
    Case { name: "helper-return-not-exit", args: &[], original: "storm" },
    Case { name: "marker-undone", args: &[], original: "storm" },
    Case { name: "drop-spawn", args: &[], original: "storm" },
    Case { name: "guard-in-foreign-code", args: &[], original: "storm" },
    Case { name: "guard-let-else", args: &[], original: "storm" },
    Case { name: "guard-local-closure", args: &[], original: "storm" },
    // The lock files are under /tmp; the guarded twins remove theirs.
    Case { name: "guard-lock-file", args: &[], original: "storm" },
    Case { name: "guard-parent-pid", args: &[], original: "storm" },
    // The stamp files are under /tmp; `other-file` never writes its own.
    Case { name: "guard-stamp-file", args: &[], original: "storm" },
    Case { name: "guard-read-indirectly", args: &[], original: "storm" },
    Case { name: "handoff-on-request", args: &[], original: "storm" },
    Case { name: "hook-exit-closure", args: &[], original: "storm" },
    Case { name: "marker-mismatch", args: &[], original: "storm" },
    Case { name: "method-dispatch-same-name", args: &["share", "start", "--active"], original: "storm" },
    Case { name: "method-dispatch-workspace", args: &["daemon"], original: "storm" },
    // mitosis's child panics instead of spawning again (it sees its own
    // marker), and the parent waits for it forever: a hang, not a storm.
    Case { name: "mitosis-no-init", args: &[], original: "timeout" },
    Case { name: "mitosis-no-init-deref", args: &[], original: "timeout" },
    Case { name: "mod-glob-reexport", args: &[], original: "storm" },
    Case { name: "mod-path-attr", args: &[], original: "storm" },
    Case { name: "mod-raw-and-cfg-attr", args: &[], original: "storm" },
    Case { name: "multi-bin", args: &[], original: "storm" },
    // procspawn 1.x panics in a spawn before `init()` (exit 101).
    Case { name: "own-arg-parser", args: &[], original: "storm" },
    Case { name: "procspawn-no-init", args: &[], original: "exit 101" },
    Case { name: "procspawn-own-source", args: &[], original: "storm" },
    Case { name: "procspawn-pool-no-init", args: &[], original: "exit 101" },
    // `update-then-always-restart` restarts whatever the update did.
    // The timers fire at once; `routed` and `other-program` exit.
    Case { name: "select-branches", args: &[], original: "storm" },
    Case { name: "self-update-restart", args: &[], original: "storm" },
    Case { name: "sink-shadowed-command", args: &[], original: "storm" },
    Case { name: "sink-use-alias", args: &[], original: "storm" },
    Case { name: "source-args-os-index", args: &[], original: "storm" },
    Case { name: "source-argv0-adapters", args: &[], original: "storm" },
    Case { name: "source-clone-into", args: &[], original: "storm" },
    Case { name: "source-helper-fn", args: &[], original: "storm" },
    Case { name: "spawn-in-lib-unguarded", args: &[], original: "storm" },
    Case { name: "typed-self-return", args: &[], original: "storm" },
    // `n` picks `Key::Relaunch` in the main binary and `helper-return`.
    Case { name: "variant-from-branch", args: &["n"], original: "storm" },
    // The file is missing, so the key is `Key::Relaunch`.
    Case { name: "arm-values", args: &[], original: "storm" },
    // The stand-in bpaf's parser is never run (see `NOT_RUN`).
    Case { name: "bpaf-derive-command", args: &[], original: "skipped" },
    // `made-by-serde-like` opens a new window at once; the main binary
    // only when stdin says so (the probe's stdin is empty).
    Case { name: "turbofish-handoff", args: &[], original: "storm" },
    Case { name: "lib-crate-types", args: &[], original: "storm" },
    // `unrouted` starts a child with no subcommand, which does the same.
    Case { name: "clap-subcommand-take", args: &[], original: "storm" },
    // The marker goes on the spawn two crates down, the guard into `main`.
    Case { name: "deep-path-dep", args: &[], original: "storm" },
    // `unrouted` starts a child with `serve`, which starts another.
    Case { name: "args-carried-field", args: &[], original: "storm" },
    // `other-role` starts a child with `--role=server`, which starts another.
    Case { name: "mutated-text-arg", args: &[], original: "storm" },
    // `passes-flag` starts a copy with `--daemon`, which starts another;
    // the copies of the other two get no flag and work.
    Case { name: "guard-args-any-of", args: &["--daemon"], original: "storm" },
    // `passes-flag` starts a copy with `--background`, which starts another.
    Case { name: "guard-args-find-bound", args: &["--background"], original: "storm" },
    // The spawn's body opens with an inner attribute.
    Case { name: "inner-attr-body", args: &[], original: "storm" },
    // Only the Windows build storms: on the test host the original's
    // Unix path starts a worker, which exits.
    Case { name: "cfg-statement", args: &[], original: "exit 0" },
    Case { name: "variant-not-foreign-code", args: &[], original: "storm" },
    // Without `HOST_PROGRAM` the host is the program's own executable.
    Case { name: "source-cow-tuple", args: &[], original: "storm" },
];

/// Binaries that are not meant to run, so not probed: the stand-in
/// procspawn library's `init()` does not dispatch (it storms under the
/// probe), and the stand-in bpaf parses nothing.
const NOT_RUN: &[(&str, &str)] = &[
    ("procspawn-own-source", "with-init"),
    // A dependency-free stand-in for bpaf whose `run()` panics: the
    // fixture's binaries parse nothing when run, so none is probed.
    ("bpaf-derive-command", "bpaf-derive-command"),
    ("bpaf-derive-command", "default-name"),
    ("bpaf-derive-command", "unrouted"),
    ("bpaf-derive-command", "dynamic-word"),
];

/// Unguarded sites `--fix` leaves alone, and a word of its reason: through
/// an `exec*` function (no `Command` to mark), or through another program
/// (the child must do that program's job).
const UNFIXABLE: &[(&str, &str)] = &[
    ("env-key-through-helper", "another program runs the executable"),
    ("env-through-own-trait", "another program runs the executable"),
    ("env-wrapper", "another program runs the executable"),
    ("exe-cstring", "replaces the process"),
    ("launcher", "a launcher such as `sudo`"),
    ("exec-env-list", "replaces the process"),
    ("sink-libc-execv", "replaces the process"),
    ("sink-through-adapter", "passed as a function"),
    ("sink-nix-execv", "replaces the process"),
    ("tauri-restart", "an application framework restarts the program"),
];

fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fixtures")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("entry");
        let dest = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            if entry.file_name() != "target" {
                copy_dir(&entry.path(), &dest);
            }
        } else {
            std::fs::copy(entry.path(), dest).expect("copy");
        }
    }
}

/// A copy of fixture `name` whose probe runs with a cap of 32 and `args`.
fn copy_fixture(name: &str, args: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&fixtures_dir().join(name), dir.path());
    let manifest = dir.path().join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).expect("read manifest");
    let args: Vec<String> = args.iter().map(|a| format!("{a:?}")).collect();
    text.push_str(&format!(
        "\n[package.metadata.freeze.probe]\ncap = 32\ntimeout = 10\nargs = [{}]\n",
        args.join(", ")
    ));
    for (_, bin) in NOT_RUN.iter().filter(|(fixture, _)| *fixture == name) {
        text.push_str(&format!("\n[package.metadata.freeze.probe.bin.{bin}]\nskip = true\n"));
    }
    std::fs::write(&manifest, text).expect("write manifest");
    dir
}

/// `check --format json` (with the probe unless `extra` says `--static`).
fn check(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let output = freeze()
        .args(["check", "--format", "json", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .args(extra)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("run cargo-freeze");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {}", String::from_utf8_lossy(&output.stderr)));
    (output.status.code().expect("exit code"), json)
}

fn sources(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).expect("read source")));
            }
        }
    }
    out.sort();
    out
}

fn verdicts(json: &Value, field: &str) -> Vec<String> {
    json["binaries"]
        .as_array()
        .expect("binaries")
        .iter()
        .map(|b| {
            let value = match field {
                // A pass is told apart by its exit status.
                "probe" if b["probe"]["skipped"] == true => "skipped".to_string(),
                "probe" if b["probe"]["verdict"] == "pass" => format!("exit {}", b["probe"]["exit_status"]["code"]),
                "probe" => b["probe"]["verdict"].as_str().unwrap_or("?").to_string(),
                _ => b["verdict"].as_str().unwrap_or("?").to_string(),
            };
            format!("{}={value}", b["name"].as_str().unwrap_or("?"))
        })
        .collect()
}

#[test]
fn every_unguarded_fixture_has_a_case() {
    let mut unguarded: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures")
        .filter_map(|e| {
            let dir = e.ok()?.path();
            let expect = std::fs::read_to_string(dir.join("expect.txt")).ok()?;
            expect
                .lines()
                .any(|l| l.ends_with(" unguarded"))
                .then(|| dir.file_name().map(|n| n.to_string_lossy().into_owned()))?
        })
        .collect();
    unguarded.sort();
    let mut listed: Vec<String> =
        FIXABLE.iter().map(|c| c.name.to_string()).chain(UNFIXABLE.iter().map(|(name, _)| name.to_string())).collect();
    listed.sort();
    assert_eq!(listed, unguarded, "a new unguarded fixture needs a case in tests/integration/fix.rs");
}

/// The heart of it: storm before, fix, build, check and probe pass after,
/// and a second `--fix` changes nothing.
#[test]
fn fixed_fixtures_build_and_pass_check_and_probe() {
    for case in FIXABLE {
        let dir = copy_fixture(case.name, case.args);
        let (code, before) = check(dir.path(), &[]);
        assert_eq!(code, 1, "{}: the original must fail the check: {before:#}", case.name);
        let probed = verdicts(&before, "probe");
        let want = format!("={}", case.original);
        assert!(
            probed.iter().any(|v| v.ends_with(&want)),
            "{}: the original must {}: {probed:?}",
            case.name,
            case.original
        );

        let (code, after) = check(dir.path(), &["--fix"]);
        let fixed = &after["fix"];
        assert_eq!(fixed["applied"], true, "{}: {fixed:#}", case.name);
        assert_eq!(fixed["skipped"], serde_json::json!([]), "{}", case.name);
        assert_eq!(code, 0, "{}: the fixed crate must pass: {after:#}", case.name);
        // Every unguarded binary is now guarded, and no other verdict moved
        // (an `undecided` twin stays undecided: the fix marks only the
        // sites it proved unguarded).
        let want: Vec<String> =
            verdicts(&before, "verdict").iter().map(|v| v.replace("=unguarded", "=guarded")).collect();
        assert_eq!(verdicts(&after, "verdict"), want, "{}", case.name);
        let probes = verdicts(&after, "probe");
        assert!(probes.iter().all(|v| v.ends_with("=exit 0") || v.ends_with("=skipped")), "{}: {probes:?}", case.name);

        let fixed_sources = sources(dir.path());
        let (code, again) = check(dir.path(), &["--static", "--fix"]);
        assert_eq!((code, &again["fix"]["files"]), (0, &serde_json::json!([])), "{}: not idempotent", case.name);
        assert_eq!(sources(dir.path()), fixed_sources, "{}: a second --fix changed files", case.name);
    }
}

#[test]
fn unfixable_sites_are_reported_and_nothing_is_written() {
    for (name, why) in UNFIXABLE {
        let dir = copy_fixture(name, &[]);
        let original = sources(dir.path());
        let (code, json) = check(dir.path(), &["--static", "--fix"]);
        assert_eq!(code, 1, "{name}: still unguarded");
        assert_eq!(json["fix"]["files"], serde_json::json!([]), "{name}");
        let reason = json["fix"]["skipped"][0]["reason"].as_str().unwrap_or_default();
        assert!(reason.contains(why), "{name}: {reason}");
        assert_eq!(sources(dir.path()), original, "{name}: a file was modified");
    }
}

#[test]
fn dry_run_prints_a_diff_and_writes_nothing() {
    let dir = copy_fixture("sink-use-alias", &[]);
    let original = sources(dir.path());
    let output = freeze()
        .args(["check", "--static", "--fix", "--dry-run", "--manifest-path"])
        .arg(dir.path().join("Cargo.toml"))
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "still unguarded: {stdout}");
    assert!(stdout.contains("--- a/src/main.rs\n+++ b/src/main.rs\n"), "{stdout}");
    assert!(
        stdout.contains("+    if let Some(depth) = std::env::var_os(\"SINK_USE_ALIAS_FREEZE_WORKER\") {"),
        "{stdout}"
    );
    assert!(stdout.contains("Would fix src/main.rs"), "{stdout}");
    assert_eq!(sources(dir.path()), original);
}

#[test]
fn guarded_crates_are_not_touched() {
    let dir = copy_fixture("source-current-exe-guarded", &[]);
    let original = sources(dir.path());
    let (code, json) = check(dir.path(), &["--static", "--fix"]);
    assert_eq!((code, &json["fix"]["applied"]), (0, &Value::Bool(false)));
    assert_eq!(sources(dir.path()), original);
}

/// Runs the fixed binary (under the probe) with the marker already at
/// `depth`: a worker below the limit exits 0, one beyond it refuses.
#[test]
fn the_depth_fuse_refuses_nested_launches_beyond_the_limit() {
    let dir = copy_fixture("source-helper-fn", &[]);
    let (code, _) = check(dir.path(), &["--fix", "--fuse-depth", "3"]);
    assert_eq!(code, 0);
    let exe = target_dir().join("debug/source-helper-fn");
    for (depth, want_code, want_text) in [("3", 0, "started as a worker"), ("4", 121, "is deeper than 3")] {
        let output = freeze()
            .args(["probe", "--cap", "16", "--timeout", "10", "--format", "json", "--"])
            .arg(&exe)
            .env("SOURCE_HELPER_FN_FREEZE_WORKER", depth)
            .output()
            .expect("probe");
        let json: Value = serde_json::from_slice(&output.stdout).expect("probe JSON");
        assert_eq!(json["verdict"], "pass", "{json:#}");
        assert_eq!(json["exit_status"]["code"], want_code, "depth {depth}: {json:#}");
        let stderr = json["stderr"].as_str().unwrap_or_default();
        assert!(stderr.contains(want_text), "depth {depth}: {json:#}");
    }
}

#[test]
fn uncommitted_changes_are_not_mixed_with_the_fix() {
    let git = which::which("git");
    if !crate::support::require(git.is_ok(), "git is not installed: the dirty-tree refusal of --fix is not tested") {
        return;
    }
    let git = git.unwrap();
    let dir = copy_fixture("sink-use-alias", &[]);
    let run = |args: &[&str]| {
        let status = std::process::Command::new(&git).current_dir(dir.path()).args(args).status().expect("git");
        assert!(status.success(), "git {args:?}");
    };
    run(&["init", "-q"]);
    run(&["-c", "user.name=t", "-c", "user.email=t@t", "add", "."]);
    run(&["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "fixture"]);
    let main = dir.path().join("src/main.rs");
    let edited = format!("{}// a local edit\n", std::fs::read_to_string(&main).expect("read"));
    std::fs::write(&main, &edited).expect("write");
    let output =
        freeze().args(["check", "--static", "--fix", "--manifest-path"]).arg(dir.path().join("Cargo.toml")).output();
    let output = output.expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("has uncommitted changes") && stderr.contains("--allow-dirty"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&main).expect("read"), edited);
    let (code, _) = check(dir.path(), &["--static", "--fix", "--allow-dirty"]);
    assert_eq!(code, 0);
}
