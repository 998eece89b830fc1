//! Which path dependencies of path dependencies a binary's check reads.
//!
//! A binary links every crate below it, but reading all of them cost 2.1x
//! the CPU on biome and nushell (issue 14, eleventh round): most deeper
//! crates are parsers, formatters and protocol types that cannot start the
//! program again. A deeper crate is read when its text, or the text of a
//! crate below it, names the program's own executable or a self-spawning
//! library: only then can a self-spawn (or a library's guard) lie there,
//! and the crates on the way down are needed to reach it. The own
//! executable handed down as a parameter into a crate that names none is
//! not followed, as for a registry dependency.

use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// Substrings without which a crate's files cannot name the own executable
/// or a self-spawning library (a narrower list than the loader's: `args()`
/// alone is any builder's method).
const NEEDLES: &[&str] = &["current_exe", "/proc/self/exe", "args_os", "env::args", "procspawn", "mitosis"];

/// Whether a library's source directory names a needle in its `.rs` files,
/// memoised per directory (one answer per run, whatever the number of
/// binaries).
#[derive(Default)]
pub(crate) struct Needles {
    seen: RefCell<FxHashMap<PathBuf, bool>>,
}

impl Needles {
    /// Whether the `.rs` files under `dir` (not those of packages nested in
    /// it, nor `target/`) name the own executable. An unreadable directory
    /// counts as naming it, so that the loader reports what it cannot read.
    pub(crate) fn named_in(&self, dir: &Path) -> bool {
        if let Some(&known) = self.seen.borrow().get(dir) {
            return known;
        }
        let found = scan(dir, true);
        self.seen.borrow_mut().insert(dir.to_path_buf(), found);
        found
    }
}

fn scan(dir: &Path, top: bool) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else { return true };
    if !top && dir.join("Cargo.toml").is_file() {
        return false;
    }
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(kind) = entry.file_type() else { continue };
        let name = entry.file_name();
        let hidden = name.to_string_lossy().starts_with('.');
        if kind.is_dir() && !hidden && name != "target" {
            if scan(&path, false) {
                return true;
            }
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "rs") {
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            if NEEDLES.iter().any(|n| text.contains(n)) {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crate_names_the_own_executable_in_its_own_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let path = dir.path().join(rel);
            fs_err::create_dir_all(path.parent().unwrap()).unwrap();
            fs_err::write(path, text).unwrap();
        };
        write("plain/Cargo.toml", "");
        write("plain/src/lib.rs", "pub fn f() { let _ = std::process::Command::new(\"ls\"); }");
        write("plain/nested/Cargo.toml", "");
        write("plain/nested/src/lib.rs", "pub fn g() { std::env::current_exe(); }");
        write("plain/target/debug/x.rs", "fn h() { std::env::current_exe(); }");
        write("spawns/Cargo.toml", "");
        write("spawns/src/deep/w.rs", "fn w() { let exe = std::env::current_exe(); }");
        let needles = Needles::default();
        assert!(!needles.named_in(&dir.path().join("plain")), "nested packages and target/ are not its own");
        assert!(needles.named_in(&dir.path().join("plain/nested")));
        assert!(needles.named_in(&dir.path().join("spawns")));
    }
}
