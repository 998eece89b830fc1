//! The only module that prints. Renders a command's results in the format
//! the user asked for: `human` (rustc-style, with source snippets), `json`
//! (the documented contract), `sarif` (2.1.0, for code scanning) or `github`
//! (workflow-command annotations).

mod bundle;
mod cache;
pub(crate) use crate::diag::slash_path;
pub mod doc;
mod failure;
mod fix;
mod github;
mod human;
mod init;
pub mod inspect;
mod json;
mod paint;
mod probe;
mod progress;
mod sarif;

use crate::diag::Diagnostic;
use crate::lint::BinaryReport;
pub use init::{InitAction, InitReport};
pub use progress::Progress;
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
}

/// Everything `cargo freeze check` found, ready to render.
#[derive(Debug)]
pub struct CheckReport {
    /// Paths in the report are relative to this directory.
    pub workspace_root: PathBuf,
    pub binaries: Vec<BinaryReport>,
    pub diagnostics: Vec<Diagnostic>,
    /// The probe run of each binary (empty with `--static`).
    pub probes: Vec<ProbedBinary>,
    /// What `--fix` did (or, with `--dry-run`, would do).
    pub fix: Option<FixOutcome>,
}

/// The edits `check --fix` planned, and whether they were written.
#[derive(Debug)]
pub struct FixOutcome {
    pub plan: crate::lint::fix::Plan,
    pub applied: bool,
}

/// One binary's probe run in a check (`None`: skipped by config).
#[derive(Debug)]
pub struct ProbedBinary {
    pub package: String,
    pub name: String,
    pub report: Option<crate::probe::ProbeReport>,
    /// Why there is no report (`None` when it ran).
    pub skipped: Option<String>,
}

/// Human-output knobs; colour is a parameter, never global state.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub quiet: bool,
    pub verbose: bool,
}

/// Writes the check report to `out` in `format`.
pub fn check(report: &CheckReport, format: Format, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(report, style, out),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, out),
        Format::Github => github::write(report, out),
    }
}

/// What the check gate of a bundle run found: the check (with the probe)
/// of the built binary, and the probe of the bundle itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct Gate<'a> {
    pub check: Option<&'a CheckReport>,
    pub bundle_probe: Option<&'a crate::probe::ProbeReport>,
    /// Why the bundle was not probed.
    pub bundle_skipped: Option<&'a str>,
}

/// How a bundle was built, for its summary: the cargo profile, and the
/// workspace root its paths are shown relative to.
#[derive(Clone, Copy, Debug)]
pub struct Built<'a> {
    pub profile: &'a str,
    pub root: &'a std::path::Path,
}

impl Built<'_> {
    /// A path relative to the workspace root when it is inside it, else
    /// as is; `/`-separated.
    pub(crate) fn relative(&self, path: &std::path::Path) -> String {
        slash_path(path.strip_prefix(self.root).unwrap_or(path))
    }
}

/// The gate's lines under a bundle summary.
pub fn gate_human(gate: &Gate<'_>, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    bundle::write_gate_human(gate, style, out)
}

/// Says a bundle was refused (on stderr, after the findings).
pub fn refused(name: &str, color: bool) {
    let prefix = paint::paint(paint::BAD, "error", color);
    let _ = writeln!(
        std::io::stderr(),
        "{prefix}: refusing to bundle `{name}`: it can start a spawn storm (findings above)\nhelp: add the child-dispatch guard, or pass --no-check to bundle it anyway"
    );
}

/// Writes a one-dir bundle's summary table.
pub fn bundle_human(
    report: &crate::bundle::onedir::BundleReport,
    style: Style,
    built: &Built<'_>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    bundle::write_human(report, style, built, out)
}

/// Writes a one-dir bundle's manifest as JSON.
pub fn bundle_json(
    report: &crate::bundle::onedir::BundleReport,
    gate: &Gate<'_>,
    built: &Built<'_>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    bundle::write_json(report, gate, built, out)
}

/// Writes what a one-file pack produced.
pub fn onefile_human(
    report: &crate::bundle::onefile::PackReport,
    style: Style,
    built: &Built<'_>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    bundle::write_onefile_human(report, style, built, out)
}

/// Writes what a one-file pack produced, as JSON: `tree` is the one-dir
/// tree that was packed, `sha256` the one-file's.
pub fn onefile_json(
    report: &crate::bundle::onefile::PackReport,
    tree: &crate::bundle::onedir::BundleReport,
    sha256: &str,
    gate: &Gate<'_>,
    built: &Built<'_>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    bundle::write_onefile_json(report, tree, sha256, gate, built, out)
}

/// What `cargo freeze init` did.
pub fn init_human(report: &InitReport, root: &std::path::Path, out: &mut dyn Write) -> std::io::Result<()> {
    init::write_human(report, root, out)
}

/// Writes a probe run in human form.
pub fn probe_human(report: &crate::probe::ProbeReport, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    probe::write_human(report, style, out)
}

/// Writes a probe run as JSON (the probe's contract).
pub fn probe_json(report: &crate::probe::ProbeReport, out: &mut dyn Write) -> std::io::Result<()> {
    probe::write_json(report, out)
}

/// Writes the one-file cache's entries (`cargo freeze cache list`).
pub fn cache_list(
    root: &std::path::Path,
    entries: &[crate::bundle::onefile::cache::CacheEntry],
    json: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match json {
        true => cache::write_list_json(root, entries, out),
        false => cache::write_list_human(root, entries, out),
    }
}

/// Writes what `cargo freeze cache prune` removed and kept.
pub fn cache_pruned(
    root: &std::path::Path,
    pruned: &crate::bundle::onefile::cache::Pruned,
    dry_run: bool,
    json: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match json {
        true => cache::write_pruned_json(root, pruned, dry_run, out),
        false => cache::write_pruned_human(pruned, dry_run, out),
    }
}

/// Prints a failure of the tool itself to stderr, cargo-style.
pub fn failure(err: &dyn std::error::Error, color: bool) {
    let text = failure::render(err);
    let prefix = paint::paint(paint::BAD, "error", color);
    let _ = writeln!(std::io::stderr(), "{prefix}: {text}");
}

/// "4.2 MiB": the one helper for sizes.
pub(crate) fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 => format!("{:.1} MiB", b as f64 / f64::from(1 << 20)),
        b if b >= 1 << 10 => format!("{:.1} KiB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

/// "1 binary", "2 binaries": the one helper for plurals.
pub(crate) fn plural(count: usize, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}
