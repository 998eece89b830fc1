//! Helpers shared by the integration tests.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// `cargo-freeze freeze ...`, as cargo runs it.
pub(crate) fn freeze() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"));
    cmd.arg("freeze").env_remove("CARGO_TERM_COLOR").env("NO_COLOR", "1");
    cmd
}

pub(crate) fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lint")
}

pub(crate) fn fixture_manifest(name: &str) -> PathBuf {
    fixtures_dir().join(name).join("Cargo.toml")
}

/// Runs `check --format json` on a manifest; returns (exit code, JSON).
pub(crate) fn check_json(manifest: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let output = freeze()
        .args(["check", "--static", "--format", "json", "--manifest-path"])
        .arg(manifest)
        .args(extra)
        .output()
        .expect("run cargo-freeze");
    let code = output.status.code().expect("exit code");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let json = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}\nstderr: {}", String::from_utf8_lossy(&output.stderr)));
    (code, json)
}

/// A scratch crate: `files` are (relative path, contents).
pub(crate) fn scratch_crate(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, contents) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write");
    }
    dir
}

pub(crate) const MANIFEST: &[u8] =
    b"[package]\nname = \"scratch\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n";

/// Whether this run is CI: `CI` set to anything but empty, `0` or `false`
/// (CI runs the suite with `CI=true`).
pub(crate) fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false"))
}

/// A test's prerequisite (a tool, a privilege, a kernel feature). When it
/// holds, returns `true`. When it is missing under CI, the test fails with
/// `why`: CI installs everything the suite needs, so a missing piece there
/// is a broken set-up, never a pass. Locally the test is skipped loudly:
/// `SKIP <test>: <why>` on stderr and one line in [`SKIP_LOG`], which
/// `tests/run.sh` prints at the end of the run. Returns `false` then; the
/// caller returns (or does the lesser thing it says it does).
#[track_caller]
pub(crate) fn require(ok: bool, why: &str) -> bool {
    if ok {
        return true;
    }
    let test = std::thread::current().name().map_or_else(|| std::panic::Location::caller().to_string(), str::to_string);
    assert!(!under_ci(), "{test}: prerequisite missing under CI: {why}");
    let line = format!("SKIP {test}: {why}\n");
    #[expect(clippy::disallowed_macros, reason = "a skipped test says so on stderr")]
    {
        eprint!("{line}");
    }
    let log = std::fs::OpenOptions::new().create(true).append(true).open(SKIP_LOG);
    if let Ok(mut log) = log {
        let _ = std::io::Write::write_all(&mut log, line.as_bytes());
    }
    false
}

/// Where skipped prerequisites are recorded (one line each, appended).
pub(crate) const SKIP_LOG: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/skips.log");

/// Prints a measured fact next to a passing test (shown with `--nocapture`).
#[expect(clippy::disallowed_macros, reason = "tests report what they measured on stderr")]
pub(crate) fn note(message: &str) {
    eprintln!("note: {message}");
}

/// A `PATH` holding every program of the current one except `tool`: a
/// directory of symlinks, the first of each name winning, as for the shell.
/// Returns the directory (keep it alive) and the `PATH` value.
pub(crate) fn path_without(tool: &str) -> (tempfile::TempDir, std::ffi::OsString) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = std::env::var_os("PATH").unwrap_or_default();
    for bin in std::env::split_paths(&path) {
        let Ok(entries) = std::fs::read_dir(&bin) else { continue };
        for entry in entries.flatten() {
            let link = dir.path().join(entry.file_name());
            if entry.file_name() != tool && !link.exists() {
                let _ = std::os::unix::fs::symlink(entry.path(), link);
            }
        }
    }
    let value = dir.path().as_os_str().to_owned();
    (dir, value)
}

/// `cmd.output()`, again while Linux refuses to run the file with ETXTBSY:
/// another thread of this test process may be between its fork and exec
/// while it holds the descriptor a test just wrote the executable through
/// (close-on-exec closes it only at that exec), for a moment.
pub(crate) fn output_of(cmd: &mut std::process::Command) -> std::io::Result<std::process::Output> {
    text_busy_retry(|| cmd.output())
}

/// `cmd.spawn()`, likewise.
pub(crate) fn spawn_of(cmd: &mut std::process::Command) -> std::io::Result<std::process::Child> {
    text_busy_retry(|| cmd.spawn())
}

fn text_busy_retry<T>(mut run: impl FnMut() -> std::io::Result<T>) -> std::io::Result<T> {
    for _ in 0..200 {
        match run() {
            Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => return other,
        }
    }
    run()
}
