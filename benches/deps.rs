//! `cargo bench --bench deps`: resolves the shared libraries of every
//! dynamically linked ELF executable in /usr/bin with cargo-freeze's
//! loader model, and runs `ldd` on each, in the same run; prints a table
//! (wall time, files, ratio) and how many results differ. Target (issue 4):
//! at most 0.2x ldd's time with identical results.

use cargo_freeze::bundle::elf::ElfInfo;
use cargo_freeze::bundle::resolve::{SearchEnv, resolve};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let mut files: Vec<PathBuf> = std::fs::read_dir("/usr/bin").unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    files.retain(|p| !p.is_symlink() && p.is_file() && ElfInfo::read(p).is_ok_and(|i| i.interpreter.is_some()));
    let start = Instant::now();
    let env = SearchEnv::host(Vec::new());
    let ours: Vec<BTreeSet<PathBuf>> = files
        .iter()
        .map(|f| resolve(f, &env).map(|r| r.libraries.into_iter().map(|l| l.real).collect()).unwrap_or_default())
        .collect();
    let ours_s = start.elapsed().as_secs_f64();
    let start = Instant::now();
    let theirs: Vec<BTreeSet<PathBuf>> = files.iter().map(|f| ldd(f)).collect();
    let ldd_s = start.elapsed().as_secs_f64();
    let differ = ours.iter().zip(&theirs).filter(|(a, b)| a != b).count();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "| what | files | wall s | ratio to ldd | results differing |");
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: |");
    let _ = writeln!(out, "| `ldd` on each file | {} | {ldd_s:.2} | 1.00x | |", files.len());
    let ratio = ours_s / ldd_s;
    let _ = writeln!(out, "| cargo-freeze resolution | {} | {ours_s:.2} | {ratio:.3}x | {differ} |", files.len());
}

fn ldd(file: &Path) -> BTreeSet<PathBuf> {
    let Ok(out) = std::process::Command::new("ldd").arg(file).env_remove("LD_LIBRARY_PATH").output() else {
        return BTreeSet::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(" => ").map(|(_, r)| r.split(" (").next().unwrap_or_default().trim().to_string()))
        .filter(|p| p.starts_with('/'))
        .map(|p| Path::new(&p).canonicalize().unwrap_or_else(|_| PathBuf::from(p)))
        .collect()
}
