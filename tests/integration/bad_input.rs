//! Bad input: a clear message naming the file, exit code 2 for failures of
//! the tool, a `parse-error` finding (and the rest analysed) for files that
//! cannot be parsed, never a panic.

use crate::support::{MANIFEST, check_json, freeze, scratch_crate};
use predicates::str::contains;

#[test]
fn missing_manifest_names_the_path() {
    freeze()
        .args(["check", "--static", "--manifest-path", "/nonexistent/Cargo.toml"])
        .assert()
        .code(2)
        .stderr(contains("/nonexistent/Cargo.toml"));
}

#[test]
fn broken_manifest_is_a_failure() {
    let dir = scratch_crate(&[("Cargo.toml", b"[package\nname = 1"), ("src/main.rs", b"fn main() {}")]);
    let manifest = dir.path().join("Cargo.toml");
    freeze()
        .args(["check", "--static", "--manifest-path"])
        .arg(&manifest)
        .assert()
        .code(2)
        .stderr(contains("failed to read the cargo metadata"))
        .stderr(contains(manifest.to_string_lossy().as_ref()));
}

#[test]
fn no_binaries_is_a_failure() {
    let dir = scratch_crate(&[("Cargo.toml", MANIFEST), ("src/lib.rs", b"pub fn f() {}")]);
    freeze()
        .args(["check", "--static", "--manifest-path"])
        .arg(dir.path().join("Cargo.toml"))
        .assert()
        .code(2)
        .stderr(contains("no binary targets to check"));
}

#[test]
fn unknown_package_flag_and_code() {
    let dir = scratch_crate(&[("Cargo.toml", MANIFEST), ("src/main.rs", b"fn main() {}")]);
    let manifest = dir.path().join("Cargo.toml");
    freeze()
        .args(["check", "--static", "-p", "nope", "--manifest-path"])
        .arg(&manifest)
        .assert()
        .code(2)
        .stderr(contains("`nope`"));
    freeze().args(["check", "--no-such-flag"]).assert().code(2);
    freeze()
        .args(["check", "--static", "-D", "no-such-code", "--manifest-path"])
        .arg(&manifest)
        .assert()
        .code(2)
        .stderr(contains("unknown diagnostic code `no-such-code`"));
}

#[test]
fn unparsable_and_non_utf8_files_are_findings_and_the_rest_is_analysed() {
    let main = b"mod bad;\nmod latin;\nmod missing;\nfn main() {\n    let exe = std::env::current_exe().unwrap();\n    std::process::Command::new(exe).spawn().unwrap();\n}\n";
    let dir = scratch_crate(&[
        ("Cargo.toml", MANIFEST),
        ("src/main.rs", main),
        ("src/bad.rs", b"fn broken( {"),
        ("src/latin.rs", b"// caf\xe9\nfn f() {}"),
    ]);
    let (code, json) = check_json(&dir.path().join("Cargo.toml"), &[]);
    assert_eq!(code, 1, "the unguarded spawn in main.rs is still found");
    assert_eq!(json["binaries"][0]["verdict"], "unguarded");
    let errors: Vec<(String, String)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "parse-error")
        .map(|d| (d["file"].as_str().unwrap().to_string(), d["message"].as_str().unwrap().to_string()))
        .collect();
    assert!(errors.iter().any(|(f, m)| f == "src/bad.rs" && m.starts_with("cannot parse the file")), "{errors:?}");
    assert!(errors.iter().any(|(f, m)| f == "src/latin.rs" && m == "the file is not valid UTF-8"), "{errors:?}");
    assert!(errors.iter().any(|(f, m)| f == "src/main.rs" && m == "file not found for module `missing`"), "{errors:?}");
}

#[test]
fn huge_files_are_skipped_with_a_finding() {
    let mut huge = b"fn main() {}\n".to_vec();
    huge.resize(17 * 1024 * 1024, b' ');
    let dir =
        scratch_crate(&[("Cargo.toml", MANIFEST), ("src/main.rs", b"mod big;\nfn main() {}\n"), ("src/big.rs", &huge)]);
    let (code, json) = check_json(&dir.path().join("Cargo.toml"), &[]);
    assert_eq!(code, 0);
    let d = &json["diagnostics"][0];
    assert_eq!(d["code"], "parse-error");
    assert_eq!(d["file"], "src/big.rs");
    assert_eq!(d["message"], "file is larger than 16 MiB; skipped");
}

#[test]
fn missing_crate_root_is_a_failure_naming_it() {
    let manifest = [MANIFEST, b"\n[[bin]]\nname = \"x\"\npath = \"src/x.rs\"\n"].concat();
    let dir = scratch_crate(&[("Cargo.toml", &manifest)]);
    freeze()
        .args(["check", "--static", "--manifest-path"])
        .arg(dir.path().join("Cargo.toml"))
        .assert()
        .code(2)
        .stderr(contains("src/x.rs"));
}
