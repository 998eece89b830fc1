//! Release-script ergonomics of `cargo freeze --onedir/--onefile` on a copy
//! of `fixtures/onefile/hello`, with the real `upx`: the `upx*` keys of
//! `[package.metadata.freeze]` (flags win, `--noupx` beats both),
//! exclusions, a file UPX cannot pack, a broken UPX whose output is rolled
//! back and reported, the one JSON summary object, and progress on stderr
//! (lines on a pipe, spinners on a terminal, nothing with `-q`).

use crate::support::require;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn which_upx() -> Option<PathBuf> {
    which::which("upx").ok()
}

/// A copy of the hello fixture with `config` under [package.metadata.freeze].
fn hello(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/onefile/hello");
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::copy(fixture.join("src/main.rs"), dir.path().join("src/main.rs")).unwrap();
    let manifest = std::fs::read_to_string(fixture.join("Cargo.toml")).unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), format!("{manifest}\n[package.metadata.freeze]\n{config}\n"))
        .unwrap();
    dir
}

/// `cargo freeze --onedir --message-format json`: (exit code, manifest).
/// Built in the crate's own target dir: every test's crate is a package
/// `hello`, and in the shared one a test comparing two runs' bytes could
/// copy another test's build of it (seen once in a parallel run).
fn onedir(krate: &Path, extra: &[&str]) -> (i32, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"))
        .args(["freeze", "--onedir", "--quiet", "--clean", "--message-format", "json", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .arg("--dist")
        .arg(krate.join("dist"))
        .args(extra)
        .env("CARGO_TARGET_DIR", krate.join("target"))
        .output()
        .unwrap();
    let json = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    assert!(!json.is_null() || !output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    (output.status.code().unwrap_or(-1), json)
}

/// A fake `upx` in `DIR/fake-upx/`: `--version` says 4.2.2, `-t` runs
/// `test`, packing runs `pack` with `$f` the file.
fn fake_upx(dir: &Path, test: &str, pack: &str) -> PathBuf {
    let fake = dir.join("fake-upx");
    std::fs::create_dir(&fake).unwrap();
    let script = format!(
        "#!/bin/sh\ncase \"$1\" in\n  --version) echo 'upx 4.2.2'; exit 0 ;;\n  -t) {test} ;;\nesac\nfor f; do :; done\n{pack}\n"
    );
    std::fs::write(fake.join("upx"), script).unwrap();
    std::fs::set_permissions(fake.join("upx"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    fake
}

fn row<'a>(manifest: &'a Value, path: &str) -> Option<&'a Value> {
    manifest["upx"].as_array()?.iter().find(|r| r["path"] == path)
}

fn runs(krate: &Path) -> bool {
    let out = Command::new(krate.join("dist/hello/hello")).arg("7").output().unwrap();
    out.status.code() == Some(7) && String::from_utf8_lossy(&out.stdout).starts_with("hello pid=")
}

#[test]
fn config_keys_turn_upx_on_and_flags_win() {
    if !require(which_upx().is_some(), "upx is not installed (tests/run.sh installs it)") {
        return;
    }
    let krate = hello("upx = true\nupx-args = \"-1\"");
    let (code, manifest) = onedir(krate.path(), &[]);
    assert_eq!(code, 0, "{manifest:#}");
    assert_eq!(row(&manifest, "hello").expect("compressed by config")["outcome"], "compressed");
    assert!(runs(krate.path()));

    let (code, manifest) = onedir(krate.path(), &["--noupx"]);
    assert_eq!((code, row(&manifest, "hello")), (0, None), "--noupx beats the config");

    let krate = hello("upx = true\nupx-exclude = [\"hel*\"]");
    let (code, manifest) = onedir(krate.path(), &[]);
    assert_eq!((code, row(&manifest, "hello")), (0, None), "excluded by a config glob: {manifest:#}");
}

#[test]
fn a_file_upx_cannot_pack_is_kept_with_the_reason() {
    if !require(which_upx().is_some(), "upx is not installed (tests/run.sh installs it)") {
        return;
    }
    let krate = hello("");
    let script = krate.path().join("tool.sh");
    std::fs::write(&script, "#!/bin/sh\necho tool\n").unwrap();
    // DEST is a directory, as in PyInstaller.
    let add = format!("{}:bin", script.display());
    let (code, manifest) = onedir(krate.path(), &["--upx", "--add-binary", &add]);
    assert_eq!(code, 0, "{manifest:#}");
    let tool = row(&manifest, "bin/tool.sh").expect("the added binary went to UPX");
    assert_eq!(tool["outcome"], "skipped", "{tool:#}");
    assert!(!tool["reason"].as_str().unwrap_or_default().is_empty(), "{tool:#}");
    assert_eq!(std::fs::read(krate.path().join("dist/hello/bin/tool.sh")).unwrap(), b"#!/bin/sh\necho tool\n");
    assert_eq!(row(&manifest, "hello").unwrap()["outcome"], "compressed");
}

/// A UPX that "packs" by writing garbage and then fails its own test: the
/// original is restored (same sha256 as an uncompressed bundle), the row
/// says why, the bundle runs.
#[test]
fn a_broken_upx_is_rolled_back_and_reported() {
    let krate = hello("");
    let test = "echo \"upx: $3: CantUnpackException: header corrupted\" >&2; exit 2";
    let fake = fake_upx(krate.path(), test, "printf garbage > \"$f\"");
    let (code, plain) = onedir(krate.path(), &[]);
    assert_eq!(code, 0, "{plain:#}");
    let want = plain["files"].as_array().unwrap().iter().find(|f| f["path"] == "hello").unwrap()["sha256"].clone();

    let (code, manifest) = onedir(krate.path(), &["--upx-dir", fake.to_str().unwrap()]);
    assert_eq!(code, 0, "{manifest:#}");
    let hello_row = row(&manifest, "hello").expect("the executable went to the fake UPX");
    assert_eq!(hello_row["outcome"], "restored", "{hello_row:#}");
    assert!(hello_row["reason"].as_str().unwrap().contains("upx -t"), "{hello_row:#}");
    let file = manifest["files"].as_array().unwrap().iter().find(|f| f["path"] == "hello").unwrap();
    assert_eq!(file["sha256"], want, "the original bytes are back");
    assert!(runs(krate.path()));
    assert!(!krate.path().join("dist/hello/hello.upx-original").exists(), "no backup left behind");
}

/// A UPX whose output passes `upx -t` but crashes when run: the compressed
/// executable is run under the probe before the bundle is placed, it ends
/// differently from the uncompressed binary (SIGSEGV vs exit 0), so the
/// original is put back and the row says why.
#[test]
fn a_compressed_executable_that_runs_differently_is_rolled_back() {
    let krate = hello("[package.metadata.freeze.probe]\ncap = 16\ntimeout = 10");
    let fake = fake_upx(krate.path(), "exit 0", "printf '#!/bin/sh\\nkill -SEGV $$\\n' > \"$f\"");
    let (code, manifest) = onedir(krate.path(), &["--upx-dir", fake.to_str().unwrap()]);
    assert_eq!(code, 0, "{manifest:#}");
    let hello_row = row(&manifest, "hello").expect("the executable went to the fake UPX");
    assert_eq!(hello_row["outcome"], "restored", "{hello_row:#}");
    let reason = hello_row["reason"].as_str().unwrap();
    assert!(reason.contains("killed by signal 11") && reason.contains("uncompressed: pass, exit status 0"), "{reason}");
    assert!(runs(krate.path()), "the original executable is back and runs");
    assert_eq!(manifest["gate"]["bundle_probe"]["exit_status"]["code"], 0, "{manifest:#}");
}

/// `--onefile --message-format json` is one object a release script can
/// use: the artifact with its real sha256 and size, the UPX rows of the
/// packed tree and of the bootloader, and the gate's verdicts.
#[test]
fn onefile_summary_has_the_artifact_upx_rows_and_the_gate() {
    use sha2::Digest;
    let krate = hello("");
    let upx = require(which_upx().is_some(), "upx is not installed: the one-file summary is tested without UPX rows");
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"))
        .args(["freeze", "--onefile", "--quiet", "--message-format", "json", "--manifest-path"])
        .arg(krate.path().join("Cargo.toml"))
        .arg("--dist")
        .arg(krate.path().join("dist"))
        .args(if upx { &["--upx"][..] } else { &[] })
        .env("CARGO_TARGET_DIR", Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fixtures"))
        .env("XDG_CACHE_HOME", krate.path().join("cache"))
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!((&summary["mode"], &summary["profile"]), (&"onefile".into(), &"release".into()));
    // Paths inside the workspace are relative to its root (README, JSON output).
    assert_eq!((&summary["out"], &summary["artifacts"][0]["path"]), (&"dist/hello".into(), &"dist/hello".into()));
    let artifact = &summary["artifacts"][0];
    let bytes = std::fs::read(krate.path().join("dist/hello")).unwrap();
    let sha: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        (artifact["sha256"].as_str(), artifact["size"].as_u64()),
        (Some(sha.as_str()), Some(bytes.len() as u64))
    );
    assert_eq!(summary["gate"]["check"]["binaries"][0]["verdict"], "no-self-spawn", "{summary:#}");
    assert_eq!(summary["gate"]["bundle_probe"]["verdict"], "pass", "{summary:#}");
    if upx {
        assert_eq!(row(&summary, "hello").expect("a UPX row for the inner executable")["outcome"], "compressed");
        // The bootloader is packed before the payload is appended, and the
        // packed bootloader still finds its trailer: the bundle ran.
        let boot = row(&summary, "(bootloader)").expect("a UPX row for the bootloader");
        assert_eq!(boot["outcome"], "compressed", "{boot:#}");
        assert!(boot["after"].as_u64() < boot["before"].as_u64(), "{boot:#}");
        let ran = summary["gate"]["bundle_probe"]["stdout"].as_str().unwrap_or_default();
        assert!(ran.starts_with("hello pid="), "{summary:#}");
    }
}

/// Progress goes to stderr: one line per step on a pipe, nothing with
/// `-q`, and on a terminal (a pty from `script`) spinners that end as
/// lines with the step's duration.
#[test]
fn progress_lines_on_a_pipe_spinners_on_a_terminal_nothing_when_quiet() {
    let krate = hello("");
    let run = |quiet: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"));
        command.args(["freeze", "--onedir", "--clean", "--color", "never", "--manifest-path"]);
        command.arg(krate.path().join("Cargo.toml")).arg("--dist").arg(krate.path().join("dist"));
        command.args(if quiet { &["-q"][..] } else { &[] });
        command.env("CARGO_TARGET_DIR", Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fixtures"));
        let output = command.output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let steps = run(false);
    for step in [
        "    Building hello with cargo (release profile)\n",
        "    Checking hello: ",
        "    Bundling hello: libraries, copy\n",
        "     Probing the bundle ",
    ] {
        assert!(steps.contains(step), "missing {step:?} in:\n{steps}");
    }
    assert_eq!(run(true), "", "-q prints nothing on stderr");

    let script = which::which("script");
    if !require(script.is_ok(), "`script` (util-linux) is not installed: the terminal progress is not tested") {
        return;
    }
    let script = script.unwrap();
    let line = format!(
        "{} freeze --onedir --clean --color never --manifest-path {} --dist {}",
        env!("CARGO_BIN_EXE_cargo-freeze"),
        krate.path().join("Cargo.toml").display(),
        krate.path().join("dist").display()
    );
    let output = Command::new(script)
        .args(["-qec", &line, "/dev/null"])
        .env("CARGO_TARGET_DIR", Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fixtures"))
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&output.stdout).replace('\r', "\n");
    assert!(output.status.success(), "{screen}");
    let done = screen.lines().find(|l| l.contains("Bundling hello: libraries, copy (")).unwrap_or_default();
    assert!(done.trim_end().ends_with(" s)"), "the spinner ends as a line with the duration:\n{screen}");
}

/// One-dir and one-file bundles of one binary go to different places by
/// default (`target/freeze/onedir/NAME/`, `target/freeze/onefile/NAME`),
/// and `--clean` replaces only the kind being built: given the same
/// `--dist`, a one-file never replaces a one-dir (nor the other way), with
/// `--clean` or without, and nothing is left behind in DIST.
#[test]
fn onedir_and_onefile_never_replace_each_other() {
    let krate = hello("");
    let bundle = |mode: &str, extra: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"));
        command.args(["freeze", mode, "--quiet", "--no-check", "--manifest-path"]);
        command.arg(krate.path().join("Cargo.toml")).args(extra);
        command.env("CARGO_TARGET_DIR", Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fixtures"));
        command.output().unwrap()
    };
    for clean in [&[][..], &["--clean"]] {
        assert!(bundle("--onedir", clean).status.success());
        assert!(bundle("--onefile", clean).status.success());
    }
    let freeze_dir = krate.path().join("target/freeze");
    assert!(freeze_dir.join("onedir/hello/hello").is_file(), "the one-dir at its default place");
    assert!(freeze_dir.join("onefile/hello").is_file(), "the one-file at its own");
    let dist = krate.path().join("dist");
    let same = ["--dist", dist.to_str().unwrap()];
    assert!(bundle("--onedir", &same).status.success());
    for clean in [&[][..], &["--clean"]] {
        let refused = bundle("--onefile", &[&same[..], clean].concat());
        assert_eq!(refused.status.code(), Some(2), "{refused:?}");
        assert!(dist.join("hello/hello").is_file(), "the one-dir is intact");
    }
    let with_clean = bundle("--onefile", &[&same[..], &["--clean"]].concat());
    assert!(String::from_utf8_lossy(&with_clean.stderr).contains("is not a one-file bundle"), "{with_clean:?}");
    let names: Vec<String> =
        std::fs::read_dir(&dist).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec!["hello".to_string()], "no temp or moved-aside entries left");
}

/// `--strip` (and `strip = true`) shrinks the bundle's copies, which still
/// run; the build in `target/` is left as it was (its own target dir here,
/// so no other test rebuilds it meanwhile). A `--dev` build, which carries
/// its debug info (a release build has little left to strip).
#[test]
fn strip_shrinks_the_copies_and_leaves_the_build_alone() {
    use sha2::Digest;
    let krate = hello("");
    let target = krate.path().join("target");
    let bundle = |extra: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"))
            .args(["freeze", "--onedir", "--dev", "--quiet", "--clean", "--no-check", "--message-format", "json"])
            .arg("--manifest-path")
            .arg(krate.path().join("Cargo.toml"))
            .arg("--dist")
            .arg(krate.path().join("dist"))
            .args(extra)
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
        summary["files"][0]["size"].as_u64().unwrap()
    };
    let plain = bundle(&[]);
    let build = target.join("debug/hello");
    let digest = || -> Vec<u8> { sha2::Sha256::digest(std::fs::read(&build).unwrap()).to_vec() };
    let before = digest();
    let stripped = bundle(&["--strip"]);
    assert!(stripped < plain / 2, "stripped {stripped} bytes, unstripped {plain}");
    assert!(runs(krate.path()), "the stripped bundle runs");
    assert_eq!(digest(), before, "the build in target/ is untouched");
    let manifest = krate.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text.replace("[package.metadata.freeze]\n", "[package.metadata.freeze]\nstrip = true\n"))
        .unwrap();
    assert_eq!(bundle(&[]), stripped, "the config key does the same");
}
