//! `cargo freeze init`: the commented section is appended with every byte
//! of the manifest kept (comments, odd spacing), every key it documents is
//! a real one, a second run changes nothing, and `--ci github` writes the
//! workflow for the package's binaries.

use crate::support::{fixtures_dir, freeze};

/// A manifest with comments and formatting a TOML serializer would lose.
const MANIFEST: &str = "[package]\nname    = \"multi-bin\"   # aligned, on purpose\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n# a comment that must survive\n[workspace]\n\n[dependencies]\n";

fn crate_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("src/bin");
    std::fs::create_dir_all(&bin).unwrap();
    for name in ["bad.rs", "good.rs"] {
        std::fs::copy(fixtures_dir().join("multi-bin/src/bin").join(name), bin.join(name)).unwrap();
    }
    std::fs::write(dir.path().join("Cargo.toml"), MANIFEST).unwrap();
    dir
}

#[test]
fn init_appends_the_section_and_keeps_every_byte() {
    let dir = crate_dir();
    let manifest = dir.path().join("Cargo.toml");
    freeze().arg("init").arg("--manifest-path").arg(&manifest).assert().success();
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.starts_with(MANIFEST), "the original bytes must come first, unchanged:\n{text}");
    assert!(text.contains("\n[package.metadata.freeze]\n") && text.contains("# upx-dir ="), "{text}");

    let output = freeze().arg("init").arg("--manifest-path").arg(&manifest).output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains("already has [package.metadata.freeze]"));
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), text, "a second init must change nothing");
}

/// Uncommenting every `# key = value` line of the section gives a config
/// `check` accepts: the template documents only real keys.
#[test]
fn every_documented_key_is_accepted() {
    let dir = crate_dir();
    let manifest = dir.path().join("Cargo.toml");
    freeze().arg("init").arg("--manifest-path").arg(&manifest).assert().success();
    let text = std::fs::read_to_string(&manifest).unwrap();
    let (head, section) = text.split_at(MANIFEST.len());
    let mut uncommented = 0;
    let section: Vec<String> = section
        .lines()
        .map(|line| {
            let key = line.strip_prefix("# ").filter(|rest| {
                let name = rest.split(" = ").next().unwrap_or("");
                let key = rest.contains(" = ") && name.chars().all(|c| c.is_ascii_lowercase() || c == '-');
                key || rest.starts_with("[package.metadata.freeze")
            });
            match key {
                Some(rest) => {
                    uncommented += 1;
                    rest.split(" #").next().unwrap().to_string()
                }
                None => line.to_string(),
            }
        })
        .collect();
    assert!(uncommented >= 25, "only {uncommented} keys found");
    std::fs::write(&manifest, format!("{head}{}\n", section.join("\n"))).unwrap();
    let output = freeze().args(["check", "--static", "--manifest-path"]).arg(&manifest).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // `bad` is unguarded (exit 1); a config error would be exit 2.
    assert_eq!(output.status.code(), Some(1), "{stderr}\n{}", section.join("\n"));
}

#[test]
fn ci_github_writes_a_workflow_for_the_binaries() {
    let dir = crate_dir();
    let manifest = dir.path().join("Cargo.toml");
    freeze().args(["init", "--ci", "github", "--manifest-path"]).arg(&manifest).assert().success();
    let workflow = std::fs::read_to_string(dir.path().join(".github/workflows/cargo-freeze.yml")).unwrap();
    assert!(workflow.contains("bin: [\"bad\", \"good\"]"), "{workflow}");
    assert!(workflow.contains("cargo freeze check --workspace --format sarif"), "{workflow}");
    assert!(workflow.contains("github/codeql-action/upload-sarif"), "{workflow}");
    assert!(!workflow.contains('@') || !workflow.contains("@BINS@"), "unrendered placeholder");
    // Never overwritten.
    std::fs::write(dir.path().join(".github/workflows/cargo-freeze.yml"), "mine\n").unwrap();
    freeze().args(["init", "--ci", "github", "--manifest-path"]).arg(&manifest).assert().success();
    assert_eq!(std::fs::read_to_string(dir.path().join(".github/workflows/cargo-freeze.yml")).unwrap(), "mine\n");
}

#[test]
fn a_virtual_manifest_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("Cargo.toml");
    std::fs::write(&manifest, "[workspace]\nmembers = []\nresolver = \"2\"\n").unwrap();
    // cargo metadata accepts an empty workspace; init has no package to
    // edit, and says so (tests/integration/messages.rs has the text).
    let output = freeze().arg("init").arg("--manifest-path").arg(&manifest).output().unwrap();
    assert_eq!(std::fs::read_to_string(&manifest).unwrap(), "[workspace]\nmembers = []\nresolver = \"2\"\n");
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("has no package"));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "");
}
