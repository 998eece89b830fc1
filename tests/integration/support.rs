//! Helpers shared by the integration tests.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// `cargo-freeze freeze ...`, as cargo runs it.
pub fn freeze() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"));
    cmd.arg("freeze").env_remove("CARGO_TERM_COLOR").env("NO_COLOR", "1");
    cmd
}

pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lint")
}

pub fn fixture_manifest(name: &str) -> PathBuf {
    fixtures_dir().join(name).join("Cargo.toml")
}

/// Runs `check --format json` on a manifest; returns (exit code, JSON).
pub fn check_json(manifest: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
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
pub fn scratch_crate(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, contents) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, contents).expect("write");
    }
    dir
}

pub const MANIFEST: &[u8] = b"[package]\nname = \"scratch\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n";

/// Says on the test output why a test did less than it could (a missing
/// privilege or kernel feature), so a skip never passes silently.
#[expect(clippy::disallowed_macros, reason = "tests report their skips on stderr")]
pub fn note(message: &str) {
    eprintln!("note: {message}");
}
