//! Every user-facing failure message, as exact text (insta snapshots, as
//! nextest and just test theirs): what the user reads on stderr when a
//! command fails, with its exit code. Temporary paths read `[TMP]`; a
//! change to any message shows up as a snapshot diff. None of these runs a
//! build or a program.

use crate::support::{MANIFEST, freeze, scratch_crate};

/// Runs `args` in a scratch crate made of `files`; returns
/// `exit N` + stderr with the crate's path as `[TMP]`.
fn failure(files: &[(&str, &[u8])], args: &[&str]) -> String {
    let dir = scratch_crate(files);
    let root = dir.path().to_str().unwrap().to_string();
    let args: Vec<String> = args.iter().map(|a| a.replace("[TMP]", &root)).collect();
    let out = freeze().args(&args).current_dir(dir.path()).env("CARGO_TERM_COLOR", "never").output().unwrap();
    assert!(out.stdout.is_empty(), "nothing on stdout for a failure: {}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&root, "[TMP]");
    format!("exit {}\n{stderr}", out.status.code().unwrap_or(-1))
}

const MAIN: (&str, &[u8]) = ("src/main.rs", b"fn main() {}\n");

/// A case: its snapshot name, the scratch crate's files, the arguments.
type Case<'a> = (&'a str, Vec<(&'a str, &'a [u8])>, &'a [&'a str]);

fn with_metadata(extra: &str) -> Vec<u8> {
    [MANIFEST, b"\n[package.metadata.freeze]\n", extra.as_bytes()].concat()
}

#[test]
fn check_failures() {
    let cases: &[Case] = &[
        ("missing_manifest", vec![MAIN], &["check", "--static", "--manifest-path", "[TMP]/nope/Cargo.toml"]),
        ("broken_manifest", vec![("Cargo.toml", b"[package\nname = 1"), MAIN], &["check", "--static"]),
        (
            "missing_crate_root",
            vec![("Cargo.toml", b"[package]\nname = \"x\"\nversion = \"0.1.0\"\nedition = \"2021\"\n[[bin]]\nname = \"x\"\npath = \"src/nope.rs\"\n[workspace]\n")],
            &["check", "--static"],
        ),
        ("no_binaries", vec![("Cargo.toml", MANIFEST), ("src/lib.rs", b"")], &["check", "--static"]),
        ("unknown_code", vec![("Cargo.toml", MANIFEST), MAIN], &["check", "--static", "-A", "no-such-code"]),
        ("unknown_package", vec![("Cargo.toml", MANIFEST), MAIN], &["check", "--static", "-p", "nope"]),
        ("unknown_bin", vec![("Cargo.toml", MANIFEST), MAIN], &["check", "--static", "--bin", "nope"]),
    ];
    for (name, files, args) in cases {
        insta::assert_snapshot!(format!("check_{name}"), failure(files, args));
    }
}

#[test]
fn config_failures() {
    let unknown = with_metadata("lintz = {}\n");
    let bad = with_metadata("[package.metadata.freeze.probe]\ncap = 0\n");
    let cases: &[(&str, &[u8])] = &[("unknown_key", &unknown), ("bad_value", &bad)];
    for (name, manifest) in cases {
        insta::assert_snapshot!(
            format!("config_{name}"),
            failure(&[("Cargo.toml", manifest), MAIN], &["check", "--static"])
        );
    }
}

#[test]
fn probe_failures() {
    let cases: &[(&str, &[&str])] = &[
        ("not_found", &["probe", "--", "no-such-program-cargo-freeze"]),
        ("not_executable", &["probe", "--", "./Cargo.toml"]),
        ("zero_cap", &["probe", "--cap", "0", "--", "true"]),
        ("small_depth", &["probe", "--max-depth", "1", "--", "true"]),
        ("small_detached", &["probe", "--max-detached", "1", "--", "true"]),
        ("zero_timeout", &["probe", "--timeout", "0", "--", "true"]),
    ];
    for (name, args) in cases {
        insta::assert_snapshot!(format!("probe_{name}"), failure(&[("Cargo.toml", MANIFEST), MAIN], args));
    }
}

#[test]
fn bundle_failures() {
    let files: Vec<(&str, &[u8])> = vec![("Cargo.toml", MANIFEST), MAIN, ("src/keep.txt", b"")];
    let cases: &[(&str, &[&str])] = &[
        ("missing_add_data", &["--onedir", "--add-data", "[TMP]/nope.txt:data"]),
        ("bad_add_data_spec", &["--onedir", "--add-data", "nodest"]),
        ("not_a_bundle", &["--onedir", "--clean", "--dist", "[TMP]", "--name", "src"]),
        ("missing_upx", &["--onedir", "--upx-dir", "[TMP]/no-upx-here"]),
        ("no_mode", &["--release"]),
    ];
    for (name, args) in cases {
        insta::assert_snapshot!(format!("bundle_{name}"), failure(&files, args));
    }
}

#[test]
fn other_failures() {
    let virtual_manifest: &[u8] = b"[workspace]\nmembers = []\n";
    insta::assert_snapshot!("init_virtual_manifest", failure(&[("Cargo.toml", virtual_manifest)], &["init"]));
    let not_a_bundle = failure(&[("Cargo.toml", MANIFEST), MAIN], &["inspect", "[TMP]/src/main.rs"]);
    insta::assert_snapshot!("inspect_not_a_bundle", not_a_bundle);
}
