//! Static analysis of the child-dispatch guard with `syn`.
//!
//! For each binary: load its crate and the crates it can call ([`load`]),
//! lower every file to a small IR ([`lower`], [`ir`]), learn which values
//! are the program's own executable and find the spawn sites that start it
//! ([`eval`], [`api`]), then follow the child each site starts from the top
//! of `main` ([`walk`], [`cond`], [`child`]) and turn what happened into
//! findings ([`rules`]) and a verdict ([`analyze`]).
//!
//! Hash maps and sets here use `rustc-hash`'s Fx hasher, not std's SipHash
//! (issue 18: SipHash was a leading entry of every profile). SipHash resists
//! collision attacks by chosen keys; the keys here are names, paths and ids
//! from the user's own source, read by a local tool, where a crafted
//! collision could at worst slow down its own check.

mod analyze;
mod api;
mod arglist;
mod arms;
mod bind;
mod body;
mod bpaf;
mod builder;
mod built;
mod callers;
mod callgraph;
mod carried;
mod cells;
mod child;
mod clap_cond;
mod clap_names;
mod closure;
mod command_call;
mod cond;
#[cfg(test)]
mod corpus;
mod defs;
mod differs;
mod edited;
mod envp;
mod eval;
pub mod fix;
mod flat;
mod fnset;
mod formatted;
mod framework;
mod group;
mod handoff;
mod index;
mod inline;
mod ir;
mod item_test;
mod learn;
mod library;
mod lines;
mod load;
mod local_fn;
mod lower;
mod made_path;
mod marker;
mod memo;
mod mentions;
mod merge;
mod name;
pub(crate) mod nesting;
mod one_of;
mod other;
mod own_file;
mod params;
mod passing;
mod pattern;
mod reads;
mod receiver;
mod refs;
mod returned;
mod rules;
mod segments;
mod shapes;
mod skip;
mod table;
mod text;
pub(crate) mod threads;
mod unproven;
mod unwrapped;
mod update;
mod user;
mod value;
mod visible;
mod visit;
mod walk;

use crate::diag::{Diagnostic, Location};
use rayon::prelude::*;
use serde::Serialize;
use std::path::PathBuf;

/// Everything the lint needs; built by the CLI from flags and config.
#[derive(Debug, Clone)]
pub struct Options {
    /// Paths in findings are made relative to this directory.
    pub workspace_root: PathBuf,
    pub binaries: Vec<BinaryInput>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TargetKind {
    Bin,
    Example,
}

/// One binary target and the crates its code can call.
#[derive(Debug, Clone)]
pub struct BinaryInput {
    pub package: String,
    pub name: String,
    pub kind: TargetKind,
    /// The binary's crate root (`src/main.rs`).
    pub root: PathBuf,
    /// Its package's library and path dependencies, by the name code uses.
    pub crates: Vec<CrateInput>,
    /// Extra guard functions (`[package.metadata.freeze] guards`).
    pub guards: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CrateInput {
    pub name: String,
    pub root: PathBuf,
    /// The crate roots this crate's code can name (its path dependencies,
    /// theirs, and so on); `None` when not known, taken as all of them.
    /// No crate sees the binary's own, nor one that depends on it (Cargo
    /// has no cycles), so none can call their inherent methods.
    pub sees: Option<Vec<PathBuf>>,
}

/// A failure of the analysis itself (findings are diagnostics).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to read crate root {}\nhelp: check the target's `path` in Cargo.toml", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to start the analysis threads ({} MiB of stack each)\nhelp: check the process's limits on threads and memory (ulimit -u, ulimit -v)", nesting::STACK_BYTES >> 20)]
    Threads {
        #[source]
        source: rayon::ThreadPoolBuildError,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    NoSelfSpawn,
    Guarded,
    Undecided,
    Unguarded,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::NoSelfSpawn => "no-self-spawn",
            Verdict::Guarded => "guarded",
            Verdict::Undecided => "undecided",
            Verdict::Unguarded => "unguarded",
        }
    }
}

/// One spawn site of the program's own executable.
#[derive(Debug, Clone, Serialize)]
pub struct SiteReport {
    pub location: Location,
    /// `command`, `exec`, `procspawn`, `mitosis`.
    pub via: String,
    /// `current-exe`, `argv0`, `proc-self-exe`, `library`.
    pub exe: String,
    pub verdict: Verdict,
    pub marker: serde_json::Value,
}

/// The result for one binary.
#[derive(Debug, Clone)]
pub struct BinaryReport {
    pub package: String,
    pub name: String,
    pub kind: TargetKind,
    pub main: Option<Location>,
    pub verdict: Verdict,
    /// Why the verdict is `undecided` (or other short context).
    pub reason: Option<String>,
    pub spawn_sites: Vec<SiteReport>,
    pub guards: Vec<Location>,
}

/// What the lint found across all binaries.
#[derive(Debug)]
pub struct Output {
    pub binaries: Vec<BinaryReport>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Analyses every binary in `options`.
pub fn run(options: &Options) -> Result<Output, Error> {
    threads::install(|| run_here(options))?
}

fn run_here(options: &Options) -> Result<Output, Error> {
    let mut roots: Vec<PathBuf> = Vec::new();
    // A set beside the list: with 200 binaries sharing a library,
    // `roots.contains` was quadratic.
    let mut seen: rustc_hash::FxHashSet<&PathBuf> = Default::default();
    for bin in &options.binaries {
        for root in std::iter::once(&bin.root).chain(bin.crates.iter().map(|c| &c.root)) {
            if seen.insert(root) {
                roots.push(root.clone());
            }
        }
    }
    let loaded = load::load(&roots)?;
    // One library per distinct list of linked crates, shared by the
    // binaries that link it, and alive only while they are analysed: built
    // all before the analysis and kept to its end, the libraries of a
    // workspace whose binaries link different crates were held together
    // (issue 18: ~50 MiB of biome's peak).
    let keys: Vec<library::LibraryKey> = options.binaries.iter().map(|bin| library::key(bin, &loaded)).collect();
    let mut distinct: Vec<&library::LibraryKey> = keys.iter().collect();
    distinct.sort();
    distinct.dedup();
    let groups: Vec<(&library::LibraryKey, Vec<usize>)> =
        distinct.iter().map(|&key| (key, (0..keys.len()).filter(|&i| keys[i] == *key).collect())).collect();
    let mut results: Vec<_> = groups
        .par_iter()
        .map(|(key, members)| {
            let lib = library::build(key, &loaded, members.len());
            group::analyze(members, &options.binaries, &loaded, &lib, &options.workspace_root)
        })
        .flatten()
        .collect();
    // The reports in the order of the binaries.
    results.sort_unstable_by_key(|(i, _)| *i);
    // After the analysis: a body that does not parse is found when it is
    // first reached (the load's parse skips bodies).
    let mut output =
        Output { binaries: Vec::new(), diagnostics: rules::parse_error::check(&loaded, &options.workspace_root) };
    for (_, (report, diagnostics)) in results {
        output.binaries.push(report);
        output.diagnostics.extend(diagnostics);
    }
    output.diagnostics.sort_by(|a, b| (&a.location, a.code).cmp(&(&b.location, b.code)));
    output.diagnostics.dedup();
    Ok(output)
}

/// Analyses one in-memory source file as a binary's `main.rs` and returns
/// its verdict and findings. For fuzzing and tests: no files are read.
pub fn analyze_source(text: &str) -> (Verdict, Vec<Diagnostic>) {
    threads::one(|| analyze_source_here(text))
}

fn analyze_source_here(text: &str) -> (Verdict, Vec<Diagnostic>) {
    let root = PathBuf::from("main.rs");
    let ir = load::parse_text(text, Vec::new(), 0, None);
    // No file to read the lines from again.
    let _ = ir.lines.set(lines::Lines::of(text));
    let loaded = load::Loaded { files: vec![ir], crates: [(root.clone(), vec![0])].into_iter().collect() };
    let bin = BinaryInput {
        package: "source".to_string(),
        name: "source".to_string(),
        kind: TargetKind::Bin,
        root,
        crates: Vec::new(),
        guards: Vec::new(),
    };
    let lib = library::Library::empty();
    let ((report, diagnostics), ()) = analyze::binary(&bin, &loaded, &lib, std::path::Path::new(""), || ());
    (report.verdict, diagnostics)
}
