//! The baseline that `benches/check.sh` compares `cargo freeze check --static`
//! against: read every `.rs` file under a directory and `syn::parse_file` it,
//! one file after another on one thread, with nothing skipped.
//!
//! `parse_baseline DIR` prints one line, `files=.. lines=.. bytes=.. failed=..
//! seconds=..`. `parse_baseline --reachable MANIFEST` instead does what the
//! check's loader does, single-threaded: start from the library and binary
//! targets of the workspace's members (`cargo metadata --no-deps`), follow
//! `mod` declarations, and parse each file reached once. Run through
//! `cargo bench --bench parse_baseline` it measures `benches/corpus`; run with
//! no arguments (as `cargo test --benches` does) it only prints its usage.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

const USAGE: &str = "usage: parse_baseline DIR | parse_baseline --reachable CARGO_TOML\n\
                     (build the corpus first: bash benches/corpus.sh)";

#[derive(Default)]
struct Tally {
    files: u64,
    lines: u64,
    bytes: u64,
    failed: u64,
    first_failure: Option<PathBuf>,
}

impl Tally {
    /// Reads and parses one file; returns the parsed file when it parsed.
    fn parse(&mut self, path: &Path) -> Option<syn::File> {
        self.files += 1;
        let Ok(text) = fs_err::read_to_string(path) else {
            self.fail(path);
            return None;
        };
        self.bytes += text.len() as u64;
        self.lines += count_lines(&text);
        let parsed = syn::parse_file(&text).ok();
        if parsed.is_none() {
            self.fail(path);
        }
        parsed
    }

    fn fail(&mut self, path: &Path) {
        self.failed += 1;
        self.first_failure.get_or_insert_with(|| path.to_path_buf());
    }

    fn report(&self, what: &str, started: Instant) -> std::io::Result<()> {
        let Tally { files, lines, bytes, failed, first_failure } = self;
        let seconds = started.elapsed().as_secs_f64();
        let first = first_failure.as_ref().map(|p| format!(" (first: {})", p.display())).unwrap_or_default();
        writeln!(
            std::io::stdout(),
            "{what}: files={files} lines={lines} bytes={bytes} failed={failed}{first} seconds={seconds:.3}"
        )
    }
}

/// proc-macro2 (built with `span-locations` for the check) keeps every parsed
/// text in a thread-local table until told otherwise; the check frees it after
/// each file, so the baseline does too rather than hold the whole corpus.
fn forget_spans() {
    proc_macro2::extra::invalidate_current_thread_spans();
}

fn count_lines(text: &str) -> u64 {
    text.bytes().filter(|&b| b == b'\n').count() as u64
}

fn main() -> ExitCode {
    // `cargo bench` appends `--bench`; it is not an argument of ours.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let benched = std::env::args().any(|a| a == "--bench");
    let result = match args.as_slice() {
        [flag, manifest] if flag == "--reachable" => reachable(Path::new(manifest)),
        [dir] if !dir.starts_with('-') => baseline(Path::new(dir)),
        [] if benched => baseline(&Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/corpus")),
        [] => writeln!(std::io::stdout(), "{USAGE}").map_err(|e| e.to_string()),
        _ => Err(USAGE.to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "parse_baseline: {message}");
            ExitCode::from(2)
        }
    }
}

/// Every `.rs` file under `dir`, parsed in path order on this thread.
fn baseline(dir: &Path) -> Result<(), String> {
    if !dir.is_dir() {
        return Err(format!("{} is not a directory\n{USAGE}", dir.display()));
    }
    let started = Instant::now();
    let mut files = Vec::new();
    collect_rs(dir, &mut files).map_err(|e| e.to_string())?;
    let mut tally = Tally::default();
    for file in &files {
        drop(tally.parse(file));
        forget_spans();
    }
    tally.report("baseline", started).map_err(|e| e.to_string())
}

fn collect_rs(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = fs_err::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(fs_err::DirEntry::file_name);
    for entry in entries {
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            // A build directory is not source (cargo tags its `target/`).
            if !path.join("CACHEDIR.TAG").is_file() {
                collect_rs(&path, out)?;
            }
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    Ok(())
}

/// The files the check can reach from the members' targets, parsed once each.
fn reachable(manifest: &Path) -> Result<(), String> {
    let started = Instant::now();
    let roots = target_roots(manifest)?;
    let mut seen = BTreeSet::new();
    let mut tally = Tally::default();
    let mut queue: Vec<(PathBuf, bool)> = roots.into_iter().map(|root| (root, true)).collect();
    while let Some((path, mod_rs)) = queue.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        if let Some(file) = tally.parse(&path) {
            let dir = path.parent().unwrap_or(Path::new(""));
            let base = if mod_rs { dir.to_path_buf() } else { dir.join(path.file_stem().unwrap_or_default()) };
            modules(&file.items, dir, &base, &mut queue);
        }
        forget_spans();
    }
    tally.report("reachable", started).map_err(|e| e.to_string())
}

/// Queues the files of the out-of-line `mod` items in `items` (rustc's rules:
/// `#[path]`, `name.rs`, `name/mod.rs`, inline modules nest the directory).
fn modules(items: &[syn::Item], dir: &Path, base: &Path, queue: &mut Vec<(PathBuf, bool)>) {
    for item in items {
        let syn::Item::Mod(m) = item else { continue };
        let path_attr = m.attrs.iter().find(|a| a.path().is_ident("path")).and_then(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        });
        let name = m.ident.to_string();
        match (&m.content, path_attr) {
            (Some((_, inner)), _) => modules(inner, dir, &base.join(&name), queue),
            (None, Some(attr)) => queue.push((dir.join(attr), true)),
            (None, None) => {
                let flat = base.join(format!("{name}.rs"));
                let nested = base.join(&name).join("mod.rs");
                if flat.is_file() {
                    queue.push((flat, false));
                } else if nested.is_file() {
                    queue.push((nested, true));
                }
            }
        }
    }
}

/// Library and binary crate roots of the workspace members.
fn target_roots(manifest: &Path) -> Result<Vec<PathBuf>, String> {
    let output = Command::new("cargo")
        .args(["metadata", "--no-deps", "--offline", "--format-version", "1", "--manifest-path"])
        .arg(manifest)
        .output()
        .map_err(|e| format!("failed to run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed:\n{}", String::from_utf8_lossy(&output.stderr)));
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata printed bad JSON: {e}"))?;
    let members: BTreeSet<&str> =
        metadata["workspace_members"].as_array().into_iter().flatten().filter_map(|m| m.as_str()).collect();
    const KINDS: [&str; 7] = ["lib", "rlib", "dylib", "cdylib", "staticlib", "proc-macro", "bin"];
    let mut roots = Vec::new();
    for package in metadata["packages"].as_array().into_iter().flatten() {
        if !package["id"].as_str().is_some_and(|id| members.contains(id)) {
            continue;
        }
        for target in package["targets"].as_array().into_iter().flatten() {
            let kinds = target["kind"].as_array().into_iter().flatten().filter_map(|k| k.as_str());
            if kinds.into_iter().any(|k| KINDS.contains(&k))
                && let Some(src) = target["src_path"].as_str()
            {
                roots.push(PathBuf::from(src));
            }
        }
    }
    Ok(roots)
}
