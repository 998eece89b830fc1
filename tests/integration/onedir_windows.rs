//! `cargo freeze --onedir --target x86_64-pc-windows-gnu` for real: a
//! fixture linking a DLL that MinGW builds into a private directory (and
//! that imports a second private DLL) is cross-built and bundled; both DLLs
//! land next to the exe, no system DLL does, and under Wine (inside the Linux probe, cap 64) the bundle and the
//! one-file (`NAME.exe`) run after the DLL's directory is moved away, while
//! the unbundled exe fails.
//! Skipped, with a note, where Wine, MinGW or the target is missing
//! (`tests/run.sh` installs them with ../shared/tools/setup-wine.sh).

use crate::support::require;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const WINE: &str = "/usr/lib/wine/wine64";
const TARGET: &str = "x86_64-pc-windows-gnu";

fn ready() -> bool {
    let target = Command::new("rustup").args(["target", "list", "--installed"]).output();
    let has_target = target.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l == TARGET));
    Path::new(WINE).exists() && has_target && which::which("x86_64-w64-mingw32-gcc").is_ok()
}

/// `wine64 EXE` inside the Linux probe: (exit code, stdout).
fn wine(exe: &Path) -> (Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"))
        .args(["freeze", "probe", "--cap", "64", "--max-depth", "40", "--timeout", "120", "-f", "json", "--", WINE])
        .arg(exe)
        .env("WINEDEBUG", "-all")
        .output()
        .expect("run wine under the probe");
    let report: Value = serde_json::from_slice(&out.stdout).expect("probe JSON");
    assert_eq!(report["verdict"], "pass", "{report:#}");
    (report["exit_status"]["code"].clone(), report["stdout"].as_str().unwrap_or_default().to_string())
}

/// `cargo freeze MODE --target x86_64-pc-windows-gnu` of the fixture into
/// `dist`, with `extra` flags.
fn bundle(mode: &str, dist: &Path, extra: &[&str]) -> std::process::Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    Command::new(env!("CARGO_BIN_EXE_cargo-freeze"))
        .args(["freeze", mode, "--quiet", "--target", TARGET, "--manifest-path"])
        .arg(root.join("fixtures/bundle/windows-dll/Cargo.toml"))
        .arg("--dist")
        .arg(dist)
        .args(extra)
        .env("CARGO_TARGET_DIR", root.join("target/fixtures"))
        .output()
        .expect("run cargo-freeze")
}

/// Puts a moved directory back, even when an assertion fails.
struct MovedAside(PathBuf, PathBuf);

impl Drop for MovedAside {
    fn drop(&mut self) {
        let _ = std::fs::rename(&self.1, &self.0);
    }
}

#[test]
fn windows_dll_travels_with_the_bundle() {
    if !require(ready(), "wine64, MinGW or the x86_64-pc-windows-gnu target is missing (../shared/tools/setup-wine.sh)")
    {
        return;
    }
    let dist = tempfile::tempdir().unwrap();
    let out = bundle("--onedir", dist.path(), &["--message-format", "json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let manifest: Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> = manifest["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    // greet.dll imports helper.dll: both found, by import, and placed next to the exe.
    assert_eq!(
        files,
        ["windows-dll.exe", "greet.dll", "helper.dll"],
        "the DLLs next to the exe, nothing else: {manifest:#}"
    );
    let reason = manifest["gate"]["bundle_probe_skipped"].as_str().unwrap_or_default();
    assert!(reason.contains("cannot run"), "the gate says why it did not probe: {manifest:#}");

    // The one-file of the same build (NAME.exe) carries the DLL as well.
    let out = bundle("--onefile", &dist.path().join("onefile"), &["--no-check"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let dll = PathBuf::from(manifest["files"][1]["source"].as_str().unwrap());
    let private = dll.parent().unwrap().to_path_buf();
    let build = PathBuf::from(manifest["files"][0]["source"].as_str().unwrap());
    let aside = private.with_extension("moved-away");
    std::fs::rename(&private, &aside).unwrap();
    let _restore = MovedAside(private, aside);
    // Bundling now is refused, naming the DLL and who needs it.
    let refused = bundle("--onedir", &dist.path().join("refused"), &["--no-check"]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("greet.dll (needed by ") && stderr.contains("windows-dll.exe)"), "{stderr}");
    assert!(!dist.path().join("refused/windows-dll").exists(), "nothing half-made");

    let (code, stdout) = wine(&dist.path().join("windows-dll/windows-dll.exe"));
    assert_eq!((code, stdout.as_str()), (Value::from(0), "the private DLL says 42\n"));
    let (code, stdout) = wine(&dist.path().join("onefile/windows-dll.exe"));
    assert_eq!((code, stdout.as_str()), (Value::from(0), "the private DLL says 42\n"));
    // The build next to its own dir, without the DLL: Windows cannot load it.
    let (code, stdout) = wine(&build);
    assert_ne!(code, Value::from(0), "the unbundled exe must fail without its DLL: {stdout}");
}
