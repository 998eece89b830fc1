//! The command line: exit codes, level flags and config, output formats,
//! `--help`, both invocation shapes, and running as a non-root user.

use crate::support::{MANIFEST, check_json, fixture_manifest, freeze, scratch_crate};
use predicates::str::contains;

#[test]
fn exit_codes_follow_the_findings() {
    freeze().args(["check", "--static", "--manifest-path"]).arg(fixture_manifest("marker-mismatch")).assert().code(1);
    freeze()
        .args(["check", "--static", "--manifest-path"])
        .arg(fixture_manifest("source-current-exe-guarded"))
        .assert()
        .code(0);
    // A warning alone does not fail the check.
    freeze().args(["check", "--static", "--manifest-path"]).arg(fixture_manifest("late-guard")).assert().code(0);
}

#[test]
fn level_flags_override_defaults() {
    let manifest = fixture_manifest("marker-mismatch");
    freeze().args(["check", "--static", "-A", "marker-mismatch", "--manifest-path"]).arg(&manifest).assert().code(0);
    let late = fixture_manifest("late-guard");
    freeze().args(["check", "--static", "-D", "late-guard", "--manifest-path"]).arg(&late).assert().code(1);
    let (_, json) = check_json(&late, &["-A", "late-guard"]);
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 0, "allowed findings are dropped");
}

#[test]
fn config_levels_apply_and_flags_win() {
    let source = std::fs::read(crate::support::fixtures_dir().join("late-guard/src/main.rs")).unwrap();
    let manifest = [MANIFEST, b"\n[package.metadata.freeze.lints]\nlate-guard = \"deny\"\n"].concat();
    let dir = scratch_crate(&[("Cargo.toml", &manifest), ("src/main.rs", &source)]);
    let path = dir.path().join("Cargo.toml");
    freeze().args(["check", "--static", "--manifest-path"]).arg(&path).assert().code(1);
    freeze().args(["check", "--static", "-W", "late-guard", "--manifest-path"]).arg(&path).assert().code(0);
}

#[test]
fn unknown_config_key_is_named() {
    let manifest = [MANIFEST, b"\n[package.metadata.freeze]\nlint = {}\n"].concat();
    let dir = scratch_crate(&[("Cargo.toml", &manifest), ("src/main.rs", b"fn main() {}")]);
    freeze()
        .args(["check", "--static", "--manifest-path"])
        .arg(dir.path().join("Cargo.toml"))
        .assert()
        .code(2)
        .stderr(contains("unknown key `lint` in [package.metadata.freeze] (did you mean `lints`?)"));
}

#[test]
fn human_output_shows_the_snippet_and_the_fix() {
    let output = freeze()
        .args(["check", "--static", "--manifest-path"])
        .arg(fixture_manifest("marker-mismatch"))
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    insta::assert_snapshot!("human_marker_mismatch", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn sarif_output_is_sarif_2_1_0() {
    let output = freeze()
        .args(["check", "--static", "--format", "sarif", "--manifest-path"])
        .arg(fixture_manifest("marker-mismatch"))
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules: Vec<&str> =
        run["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(rules.contains(&"marker-mismatch"));
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "marker-mismatch");
    assert_eq!(result["level"], "error");
    assert_eq!(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "src/main.rs");
    assert_eq!(result["locations"][0]["physicalLocation"]["region"]["startLine"], 14);
}

#[test]
fn github_output_is_workflow_commands() {
    freeze()
        .args(["check", "--static", "--format", "github", "--manifest-path"])
        .arg(fixture_manifest("marker-mismatch"))
        .assert()
        .code(1)
        .stdout(contains("::error file=src/main.rs,line=14,col=21,title=marker-mismatch::the spawn marks the child"));
}

/// Every `--help` text is a snapshot: a change shows up as a diff.
#[test]
fn help_is_stable() {
    for (args, name) in [
        (&["--help"][..], "freeze_help"),
        (&["check", "--help"], "check_help"),
        (&["probe", "--help"], "probe_help"),
        (&["inspect", "--help"], "inspect_help"),
        (&["init", "--help"], "init_help"),
        (&["cache", "--help"], "cache_help"),
        (&["cache", "prune", "--help"], "cache_prune_help"),
        (&["completions", "--help"], "completions_help"),
    ] {
        let output = freeze().args(args).env("COLUMNS", "100").output().unwrap();
        assert!(output.status.success(), "{args:?}");
        insta::assert_snapshot!(name, String::from_utf8_lossy(&output.stdout));
    }
}

/// The bash script is a snapshot, and bash itself completes with it: an
/// option of a subcommand and the subcommand names, for `cargo-freeze ...`
/// and for `cargo freeze ...` (other cargo commands go to cargo's own
/// completion function, a stand-in here).
#[test]
fn completions_complete() {
    let script = freeze().args(["completions", "bash"]).output().unwrap();
    assert!(script.status.success());
    let script = String::from_utf8(script.stdout).unwrap();
    insta::assert_snapshot!("completions_bash", script);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.bash"), &script).unwrap();
    let probe = r#"source c.bash
complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cargo__freeze cargo-freeze "${!#}" "${COMP_WORDS[COMP_CWORD-1]}"; echo "${COMPREPLY[*]}"; }
complete_words cargo-freeze check --fi
complete_words cargo-freeze in
complete_words cargo-freeze --upx-d
_cargo() { COMPREPLY=(from-cargos-own); }
cargo_words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _cargo_freeze__cargo cargo "${!#}" "${COMP_WORDS[COMP_CWORD-1]}"; echo "${COMPREPLY[*]}"; }
cargo_words cargo freeze check --fi
cargo_words cargo +stable freeze in
cargo_words cargo freeze --upx-d
cargo_words cargo bui
complete -p cargo"#;
    let output = std::process::Command::new("bash").current_dir(dir.path()).args(["-c", probe]).output().unwrap();
    let lines = String::from_utf8_lossy(&output.stdout).into_owned();
    let want = "--fix\ninspect init\n--upx-dir\n--fix\ninspect init\n--upx-dir\nfrom-cargos-own\n\
                complete -o bashdefault -o default -F _cargo_freeze__cargo cargo\n";
    assert_eq!(lines, want, "stderr: {}", String::from_utf8_lossy(&output.stderr));
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let output = freeze().args(["completions", shell]).output().unwrap();
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success() && text.contains("fuse-depth"), "{shell}: {text}");
    }
}

/// Bare `cargo freeze` prints the help with its usage as `cargo freeze`;
/// flags without a mode are an error that says what to add (exit 2).
#[test]
fn no_mode_says_what_to_do() {
    let bare = freeze().env("COLUMNS", "100").output().unwrap();
    assert_eq!(bare.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bare.stdout).contains("\nUsage: cargo freeze [OPTIONS]\n"), "{bare:?}");
    let release = freeze().arg("--release").output().unwrap();
    assert_eq!((release.status.code(), release.stdout.as_slice()), (Some(2), &b""[..]));
    insta::assert_snapshot!("no_mode", String::from_utf8_lossy(&release.stderr));
}

/// `cargo freeze probe` shows a spinner while the command runs, on a
/// terminal only (a pty from `script`); on a pipe its stderr stays empty.
#[test]
fn probe_shows_progress_on_a_terminal_only() {
    let piped = freeze().args(["probe", "--cap", "8", "--timeout", "5", "--", "/bin/true"]).output().unwrap();
    assert_eq!((piped.status.code(), piped.stderr.as_slice()), (Some(0), &b""[..]), "{piped:?}");
    let script = which::which("script");
    if !crate::support::require(script.is_ok(), "`script` (util-linux) is not installed: no terminal to test") {
        return;
    }
    let line = format!("{} freeze probe --cap 8 --timeout 5 -- /bin/true", env!("CARGO_BIN_EXE_cargo-freeze"));
    let output = std::process::Command::new(script.unwrap())
        .args(["-qec", &line, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&output.stdout).replace('\r', "\n");
    assert!(output.status.success(), "{screen}");
    assert!(screen.lines().any(|l| l.contains("Probing /bin/true (") && l.trim_end().ends_with(" s)")), "{screen}");
}

#[test]
fn both_invocation_shapes_work() {
    let manifest = fixture_manifest("neg-other-program");
    freeze().args(["check", "--static", "--manifest-path"]).arg(&manifest).assert().code(0);
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_cargo-freeze"))
        .args(["check", "--static", "--manifest-path"])
        .arg(&manifest)
        .assert()
        .code(0);
}

#[test]
fn target_selection() {
    let manifest = fixture_manifest("multi-bin");
    let (code, json) = check_json(&manifest, &["--bin", "good"]);
    assert_eq!(code, 0);
    assert_eq!(json["binaries"].as_array().unwrap().len(), 1);
    freeze()
        .args(["check", "--static", "--bin", "nope", "--manifest-path"])
        .arg(&manifest)
        .assert()
        .code(2)
        .stderr(contains("no bin target named `nope`"))
        .stderr(contains("bad, good"));
}

/// Users run cargo-freeze as non-root: run the check as uid 65534.
#[test]
fn runs_as_a_non_root_user() {
    let uid = std::process::Command::new("id").arg("-u").output().expect("id -u");
    let root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    if !crate::support::require(root, "needs root to switch to uid 65534; checked as the current user instead") {
        freeze()
            .args(["check", "--static", "--manifest-path"])
            .arg(fixture_manifest("marker-mismatch"))
            .assert()
            .code(1);
        return;
    }
    let sysroot = std::process::Command::new("rustc").args(["--print", "sysroot"]).output().expect("rustc");
    let cargo = std::path::Path::new(String::from_utf8_lossy(&sysroot.stdout).trim()).join("bin/cargo");
    let home = tempfile::tempdir().unwrap();
    std::fs::set_permissions(home.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let probe = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .args(["test", "-x"])
        .arg(&cargo)
        .output()
        .expect("setpriv (util-linux) is needed to test the non-root path");
    assert!(
        probe.status.success(),
        "uid 65534 cannot run {}: make the toolchain reachable (tests/run.sh does `chmod o+x /root` when run as root): {}",
        cargo.display(),
        String::from_utf8_lossy(&probe.stderr)
    );
    let mut cmd = assert_cmd::Command::new("setpriv");
    cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_cargo-freeze"))
        .args(["freeze", "check", "--static", "--format", "json", "--manifest-path"])
        .arg(fixture_manifest("marker-mismatch"))
        .env("CARGO", &cargo)
        .env("HOME", home.path())
        .env("CARGO_HOME", home.path());
    cmd.assert().code(1).stdout(contains("\"verdict\": \"unguarded\""));
}

/// cargo-freeze re-executes itself (the probe's namespace helper), so it
/// must pass its own check: the guard at the top of `main` is recognised.
#[test]
fn cargo_freeze_passes_its_own_check() {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
    let (code, json) = check_json(&manifest, &[]);
    let bin = &json["binaries"][0];
    assert_eq!((code, &bin["name"], &bin["verdict"]), (0, &"cargo-freeze".into(), &"guarded".into()), "{json:#}");
}
