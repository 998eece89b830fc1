//! Real Rust sources for tests that hold a property on real code: this
//! crate's own files and, when the named environment variable is set, any
//! other tree (a registry cache, a checkout).

use std::path::{Path, PathBuf};

/// The `.rs` files under this crate's source, test, bench, template and
/// fixture directories, then under `$var` if it is set.
pub(crate) fn rust_files(var: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "templates", "fixtures"] {
        collect(&root.join(dir), &mut files);
    }
    // Not this crate's files: `benches/corpus.sh` downloads ~200 crates
    // there (git-ignored). Walked, the tests' outcome depended on whether
    // the benchmark had run on this checkout (one of them nests deeper
    // than a test thread's stack holds syn's recursion, in a debug build).
    // `$var` can name it.
    let generated = root.join("benches").join("corpus");
    files.retain(|path| !path.starts_with(&generated));
    if let Some(dir) = std::env::var_os(var) {
        collect(Path::new(&dir), &mut files);
    }
    files
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs_err::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|x| x == "rs") {
            files.push(path);
        }
    }
}
