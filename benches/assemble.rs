//! `cargo bench --bench assemble`: one-dir assembly without the cargo build.
//! Builds `fixtures/bundle/system-lib` (links the system's libsqlite3) and
//! `fixtures/bundle/private-lib` once, then, in the same run, RUNS times
//! each: `onedir::assemble` (resolve the libraries, copy, edit run paths
//! in place, check the result with the loader's search, hash, rename into
//! place) and a baseline that only copies the same files with
//! `std::fs::copy`. Prints a table: milliseconds per bundle and the ratio
//! to the copy baseline. The fixtures are built as `cargo freeze` builds
//! them, with the bundle's run path linked in.

use cargo_freeze::bundle::onedir::{OnedirOptions, assemble};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

const RUNS: u32 = 20;

fn build(fixture: &str) -> (PathBuf, Vec<PathBuf>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new(env!("CARGO"))
        .args(["rustc", "--release", "--message-format=json", "--manifest-path"])
        .arg(root.join("fixtures/bundle").join(fixture).join("Cargo.toml"))
        .arg("--")
        .args(cargo_freeze::bundle::runpath::link_args())
        .env("CARGO_TARGET_DIR", root.join("target/fixtures"))
        .output()
        .expect("cargo build");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut exe = None;
    let mut link_dirs = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else { continue };
        if let Some(path) = msg["executable"].as_str() {
            exe = Some(PathBuf::from(path));
        }
        for path in msg["linked_paths"].as_array().into_iter().flatten().filter_map(|p| p.as_str()) {
            link_dirs.push(PathBuf::from(path.trim_start_matches("native=")));
        }
    }
    (exe.expect("an executable"), link_dirs)
}

fn main() {
    let dist = tempfile::tempdir().expect("tempdir");
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "| fixture | files | bytes | copy only, ms | assemble, ms | ratio |");
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: |");
    for fixture in ["system-lib", "private-lib"] {
        let (binary, search_dirs) = build(fixture);
        let options = OnedirOptions {
            binary,
            name: fixture.to_string(),
            dist: dist.path().to_path_buf(),
            clean: true,
            search_dirs,
            ..OnedirOptions::default()
        };
        let report = assemble(&options).expect("assemble");
        let sources: Vec<PathBuf> = report.files.iter().map(|f| f.source.clone()).collect();
        let bytes: u64 = report.files.iter().map(|f| f.size).sum();
        let copy_dir = dist.path().join("copy");
        let start = Instant::now();
        for _ in 0..RUNS {
            let _ = std::fs::remove_dir_all(&copy_dir);
            std::fs::create_dir_all(&copy_dir).expect("mkdir");
            for (i, source) in sources.iter().enumerate() {
                std::fs::copy(source, copy_dir.join(i.to_string())).expect("copy");
            }
        }
        let copy_ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(RUNS);
        let start = Instant::now();
        for _ in 0..RUNS {
            assemble(&options).expect("assemble");
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0 / f64::from(RUNS);
        let files = sources.len();
        let _ = writeln!(out, "| {fixture} | {files} | {bytes} | {copy_ms:.2} | {ms:.2} | {:.1}x |", ms / copy_ms);
    }
}
