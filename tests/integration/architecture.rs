//! House rules that code review alone would not keep: the rooms (`lint`,
//! `probe`, `bundle`) never import each other (data passes between them
//! through `cli.rs`), nor the tiers above them (`cli`, `config`, `report`,
//! `error`), and only `report/` prints.

use std::path::{Path, PathBuf};

const ROOMS: &[&str] = &["lint", "probe", "bundle"];

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn rooms_never_import_each_other() {
    let mut offences = Vec::new();
    for room in ROOMS {
        for file in rust_files(&src().join(room)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for other in ROOMS.iter().filter(|o| *o != room) {
                if text.contains(&format!("crate::{other}")) {
                    offences.push(format!("{} uses crate::{other}", file.display()));
                }
            }
        }
    }
    assert!(offences.is_empty(), "rooms import each other: {offences:#?}");
}

#[test]
fn rooms_never_reach_up() {
    let mut offences = Vec::new();
    for room in ROOMS {
        for file in rust_files(&src().join(room)) {
            let text = std::fs::read_to_string(&file).unwrap();
            for top in ["cli", "config", "report", "error"] {
                if text.contains(&format!("crate::{top}::")) || text.contains(&format!("crate::{top};")) {
                    offences.push(format!("{} uses crate::{top}", file.display()));
                }
            }
        }
    }
    assert!(offences.is_empty(), "rooms import the tiers above them: {offences:#?}");
}

#[test]
fn only_report_prints() {
    let mut offences = Vec::new();
    for file in rust_files(&src()) {
        if file.components().any(|c| c.as_os_str() == "report") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for mac in ["println!", "eprintln!", "print!(", "eprint!(", "dbg!("] {
            if text.contains(mac) {
                offences.push(format!("{} uses {mac}", file.display()));
            }
        }
    }
    assert!(offences.is_empty(), "printing outside src/report: {offences:#?}");
}
