//! The Windows probe (Job Object + watchdog) for real, under Wine: the
//! tool and the probe fixtures are cross-built for x86_64-pc-windows-gnu
//! and run by `wine64`. Wine 8 accepts the Job Object's active-process
//! limit but does not enforce it, so the watchdog alone must stop the
//! storm; the whole Wine run therefore sits inside the Linux probe (cap 64)
//! as its backstop. Skipped, with a note, where Wine or the target is
//! missing (`tests/run.sh` installs both with ../shared/tools/setup-wine.sh).

use crate::support::require;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const WINE: &str = "/usr/lib/wine/wine64";
const TARGET: &str = "x86_64-pc-windows-gnu";

fn wine_ready() -> bool {
    let target = Command::new("rustup").args(["target", "list", "--installed"]).output();
    let has_target = target.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).lines().any(|l| l == TARGET));
    Path::new(WINE).exists() && has_target
}

/// Cross-builds `manifest`'s binaries for Windows; executables by name.
fn cross_build(manifest: &Path, extra: &[&str]) -> HashMap<String, PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO"))
        .args(["build", "--target", TARGET, "--message-format=json", "--manifest-path"])
        .arg(manifest)
        .args(extra)
        .env("CARGO_TARGET_DIR", root.join("target/fixtures"))
        .output()
        .expect("cargo build for windows");
    assert!(out.status.success(), "cross build failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut map = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if let (Some(name), Some(exe)) = (msg["target"]["name"].as_str(), msg["executable"].as_str()) {
            map.insert(name.to_string(), PathBuf::from(exe));
        }
    }
    map
}

/// Runs the Windows probe on `fixture` under Wine, inside the Linux
/// probe; returns (outer report, inner report).
fn wine_probe(tool: &Path, fixture: &Path) -> (serde_json::Value, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-freeze"))
        .args(["freeze", "probe", "--cap", "64", "--max-depth", "40", "--timeout", "120", "-f", "json", "--", WINE])
        .arg(tool)
        .args(["freeze", "probe", "--cap", "16", "--timeout", "60", "-f", "json", "--"])
        .arg(fixture)
        .env("WINEDEBUG", "-all")
        .output()
        .expect("run the Linux probe around wine");
    let outer: serde_json::Value = serde_json::from_slice(&out.stdout).expect("outer report");
    let inner_text = outer["stdout"].as_str().unwrap_or_default();
    let inner = serde_json::from_str(inner_text).unwrap_or_else(|e| panic!("inner report ({e}): {outer:#}"));
    (outer, inner)
}

#[test]
fn windows_probe_under_wine() {
    if !require(wine_ready(), "wine64 or the x86_64-pc-windows-gnu target is missing (../shared/tools/setup-wine.sh)") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tool = cross_build(&root.join("Cargo.toml"), &["--bin", "cargo-freeze"])["cargo-freeze"].clone();
    let fixtures = cross_build(&root.join("fixtures/probe/Cargo.toml"), &["--bin", "chain", "--bin", "exit3"]);

    let (outer, inner) = wine_probe(&tool, &fixtures["chain"]);
    assert_eq!(inner["verdict"], "storm", "{inner:#}");
    assert_eq!(inner["survivors"], 0, "{inner:#}");
    assert!(inner["containment"].as_str().unwrap().starts_with("job-object"), "{inner:#}");
    assert_ne!(outer["verdict"], "storm", "the Windows watchdog, not the Linux backstop, stopped it: {outer:#}");
    assert_eq!(outer["survivors"], 0);

    let (_, inner) = wine_probe(&tool, &fixtures["exit3"]);
    assert_eq!(inner["verdict"], "pass", "{inner:#}");
    assert_eq!(inner["exit_status"]["code"], 3);
    assert_eq!(inner["stdout"], "hello from exit3\n");
}
