//! The loader oracle: for every dynamically linked ELF executable in
//! `/usr/bin` and every 8th shared library in `/usr/lib/<multiarch>`, the
//! libraries cargo-freeze resolves (compared by real path) must be exactly
//! those `ldd` prints. `ldd` only asks the loader to trace; it runs none of
//! these programs.

use cargo_freeze::bundle::elf::ElfInfo;
use cargo_freeze::bundle::resolve::{SearchEnv, resolve};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The real paths `ldd` says `file` loads (`None`: not dynamic, or ldd
/// could not say).
fn ldd(file: &Path) -> Option<BTreeSet<PathBuf>> {
    let out = Command::new("ldd").arg(file).env_remove("LD_LIBRARY_PATH").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || text.contains("not a dynamic executable") {
        return None;
    }
    let mut set = BTreeSet::new();
    for line in text.lines() {
        let Some((_, rest)) = line.split_once(" => ") else { continue };
        let path = rest.split(" (").next().unwrap_or_default().trim();
        if path.starts_with('/') {
            set.insert(Path::new(path).canonicalize().unwrap_or_else(|_| PathBuf::from(path)));
        } else {
            set.insert(PathBuf::from(format!("<not found: {}>", line.trim())));
        }
    }
    Some(set)
}

fn ours(file: &Path, env: &SearchEnv) -> BTreeSet<PathBuf> {
    let res = resolve(file, env).expect("resolve");
    let mut set: BTreeSet<PathBuf> = res.libraries.iter().map(|l| l.real.clone()).collect();
    for (name, _) in res.missing {
        set.insert(PathBuf::from(format!("<not found: {name} => not found>")));
    }
    set
}

fn candidates() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("/usr/bin").unwrap().flatten().map(|e| e.path()).collect();
    let lib = Path::new("/usr/lib").join(format!("{}-linux-gnu", std::env::consts::ARCH));
    if let Ok(dir) = std::fs::read_dir(&lib) {
        let mut libs: Vec<PathBuf> =
            dir.flatten().map(|e| e.path()).filter(|p| p.to_string_lossy().contains(".so")).collect();
        libs.sort();
        files.extend(libs.into_iter().step_by(8));
    }
    files.sort();
    files
        .into_iter()
        .filter(|p| !p.is_symlink() && p.is_file())
        .filter(|p| ElfInfo::read(p).is_ok_and(|i| !i.needed.is_empty()))
        .collect()
}

#[test]
fn resolution_matches_ldd() {
    let env = SearchEnv::host(Vec::new());
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for file in candidates() {
        let Some(want) = ldd(&file) else { continue };
        compared += 1;
        let got = ours(&file, &env);
        if got != want {
            let extra: Vec<_> = got.difference(&want).collect();
            let lacking: Vec<_> = want.difference(&got).collect();
            mismatches.push(format!("{}: ours only {extra:?}; ldd only {lacking:?}", file.display()));
        }
    }
    crate::support::note(&format!(
        "loader oracle: {compared} files compared with ldd, {} mismatches",
        mismatches.len()
    ));
    assert!(compared >= 50, "too few ELF files to compare ({compared})");
    assert!(mismatches.is_empty(), "{} of {compared} differ from ldd:\n{}", mismatches.len(), mismatches.join("\n"));
}
