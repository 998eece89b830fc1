//! `cargo freeze check --fix`: turns the analysis's unguarded binaries into
//! source edits. For each one: the guard from `templates/fix/` at the top of
//! `main` (a child marked with `NAME_FREEZE_WORKER` goes to
//! `freeze_worker`, which refuses nested launches beyond a depth), the
//! matching marker on every unguarded `Command` site, and `init()` first in
//! `main` for procspawn and mitosis. Sites it cannot edit (`exec*`
//! functions) are returned as skipped with the reason. Plans only: the CLI
//! shows or writes the result.

mod locate;
mod rustfmt;
mod template;

pub use rustfmt::Formatting;

use super::{BinaryInput, BinaryReport, Verdict};
use crate::diag::Location;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Nested self-launches a fixed program allows before refusing.
pub const DEFAULT_MAX_DEPTH: u32 = 8;

/// One analysed binary to fix.
pub struct Target<'a> {
    pub input: &'a BinaryInput,
    pub report: &'a BinaryReport,
    /// The Rust edition `rustfmt` formats with.
    pub edition: &'a str,
}

/// The edited files, and what could not be fixed.
#[derive(Debug, Default)]
pub struct Plan {
    pub files: Vec<FileFix>,
    pub skipped: Vec<Skipped>,
}

#[derive(Debug)]
pub struct FileFix {
    pub path: PathBuf,
    /// The path as reports show it (relative to the workspace root).
    pub display: PathBuf,
    pub before: String,
    pub after: String,
    /// One line per change, for the summary.
    pub changes: Vec<String>,
    pub formatting: Formatting,
}

#[derive(Debug)]
pub struct Skipped {
    /// `package/bin`.
    pub binary: String,
    pub location: Option<Location>,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to read {} to fix it", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the fix of {} would not parse ({reason}); nothing was written\nhelp: please report this with the file", path.display())]
    Broken { path: PathBuf, reason: String },
}

/// One insertion: `text` at byte `at`; equal offsets keep their order.
struct Insert {
    at: usize,
    text: String,
    what: String,
}

/// A file being edited.
struct Pending {
    text: String,
    syntax: syn::File,
    edition: String,
    inserts: Vec<Insert>,
}

/// Plans the edits for every unguarded binary in `targets`.
pub fn plan(targets: &[Target], workspace_root: &Path, max_depth: u32) -> Result<Plan, Error> {
    // `syn` recurses: on a big-stack thread, like the analysis.
    crate::lint::threads::one(|| plan_here(targets, workspace_root, max_depth))
}

fn plan_here(targets: &[Target], workspace_root: &Path, max_depth: u32) -> Result<Plan, Error> {
    let mut files: BTreeMap<PathBuf, Pending> = BTreeMap::new();
    let mut skipped = Vec::new();
    for target in targets.iter().filter(|t| t.report.verdict == Verdict::Unguarded) {
        plan_binary(target, workspace_root, max_depth, &mut files, &mut skipped)?;
    }
    let mut plan = Plan { files: Vec::new(), skipped };
    for (path, pending) in files.into_iter().filter(|(_, p)| !p.inserts.is_empty()) {
        plan.files.push(finish(path, pending, workspace_root)?);
    }
    Ok(plan)
}

fn plan_binary(
    target: &Target,
    root: &Path,
    max_depth: u32,
    files: &mut BTreeMap<PathBuf, Pending>,
    skipped: &mut Vec<Skipped>,
) -> Result<(), Error> {
    let report = target.report;
    let binary = format!("{}/{}", report.package, report.name);
    let skip = |location: Option<&Location>, reason: String| Skipped {
        binary: binary.clone(),
        location: location.cloned(),
        reason,
    };
    let Some(main) = &report.main else {
        skipped.push(skip(None, "no `fn main` was found to put the guard in".to_string()));
        return Ok(());
    };
    let marker = template::marker_name(&report.name);
    let vars = template::Vars { bin: &report.name, marker: &marker, max_depth };
    let (mut libraries, mut marked) = (Vec::new(), 0);
    for site in report.spawn_sites.iter().filter(|s| s.verdict == Verdict::Unguarded) {
        if matches!(site.via.as_str(), "procspawn" | "mitosis") {
            libraries.push(site.via.clone());
            continue;
        }
        if let Some(reason) = through_another_program(&site.via) {
            skipped.push(skip(Some(&site.location), reason.to_string()));
            continue;
        }
        let path = root.join(&site.location.file);
        let pending = open(files, &path, target.edition)?;
        match locate::site(&pending.syntax, &pending.text, site.location.span.0 as usize) {
            Ok(shape) => {
                marked += 1;
                mark(pending, shape, &vars, &site.location);
            }
            Err(why) => skipped.push(skip(Some(&site.location), not_found_reason(why))),
        }
    }
    libraries.sort();
    libraries.dedup();
    let main_path = target.input.root.clone();
    let pending = open(files, &main_path, target.edition)?;
    let Some(body) = locate::main_body(&pending.syntax, &pending.text, main.span.0 as usize) else {
        skipped.push(skip(Some(main), "`fn main` was not found where the analysis saw it".to_string()));
        return Ok(());
    };
    for library in libraries {
        let text = template::library_init(&library, &body.indent);
        push(pending, body.open, text, format!("`{library}::init()` first in `main`"));
    }
    if marked > 0 && !pending.text.contains(template::WORKER_FN) {
        push(pending, body.open, vars.guard(&body.indent), format!("guard on `{marker}` at the top of `main`"));
        let end = pending.text.len();
        let sep = if pending.text.ends_with('\n') { "" } else { "\n" };
        push(pending, end, format!("{sep}{}", vars.worker()), "`freeze_worker` (the child's entry)".to_string());
    }
    Ok(())
}

/// Why a site where another program (or a framework) runs the executable
/// is not fixed.
fn through_another_program(via: &str) -> Option<&'static str> {
    match via {
        "env-wrapper" => Some(
            "another program runs the executable here (it is handed over in an env var that program runs), and \
             the child must do the job that program expects of it (run the real rustc, open the editor), which a \
             generated worker cannot: set a variable of your own beside it and route it at the top of `main` by hand",
        ),
        "launcher" => Some(
            "another program runs the executable here (a launcher such as `sudo`), which may drop the env var a \
             marker would set: give the child an argument of its own after the executable and route it at the top \
             of `main` by hand",
        ),
        "restart" => Some(
            "an application framework restarts the program here (tauri's `restart()`): there is no `Command` to \
             mark; set a variable of your own in the process's env before the restart and route it at the top of \
             `main` by hand",
        ),
        _ => None,
    }
}

fn not_found_reason(why: locate::NotFound) -> String {
    match why {
        locate::NotFound::NoCall => "the spawn call was not found where the analysis saw it".to_string(),
        locate::NotFound::FnValue(path) => format!(
            "`{path}` is passed as a function, not called; write the call out (`.map(|p| {path}(p))`) so the marker can be added to it"
        ),
        locate::NotFound::NotBuilder(function) => format!(
            "`{function}` replaces the process without a `Command` to mark; set the marker with \
             `std::env::set_var` before it and test it at the top of `main` by hand"
        ),
    }
}

/// Adds the marker to the `Command` at one site.
fn mark(pending: &mut Pending, shape: locate::SiteShape, vars: &template::Vars, at: &Location) {
    let marker = vars.marker();
    let what = format!("marker `{}` on the spawn at {}:{}", vars.marker, at.line, at.column);
    match shape {
        locate::SiteShape::Chain { end, newline_indent: Some(indent) } => {
            push(pending, end, format!("\n{indent}{marker}"), what);
        }
        locate::SiteShape::Chain { end, newline_indent: None } => push(pending, end, marker, what),
        locate::SiteShape::Let { after, var, indent } => {
            push(pending, after, format!("\n{indent}{var}{marker};"), what);
        }
        locate::SiteShape::Wrap { start, end } => {
            push(pending, start, "{ let mut freeze_command = ".to_string(), what);
            push(pending, end, format!("; freeze_command{marker}; freeze_command }}"), String::new());
        }
    }
}

/// Records an insertion unless the same text is already planned there
/// (two binaries sharing a library site).
fn push(pending: &mut Pending, at: usize, text: String, what: String) {
    if !pending.inserts.iter().any(|i| i.at == at && i.text == text) {
        pending.inserts.push(Insert { at, text, what });
    }
}

fn open<'a>(files: &'a mut BTreeMap<PathBuf, Pending>, path: &Path, edition: &str) -> Result<&'a mut Pending, Error> {
    if !files.contains_key(path) {
        let text = fs_err::read_to_string(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
        let syntax = crate::lint::nesting::parse_file(&text)
            .map_err(|e| Error::Broken { path: path.to_path_buf(), reason: format!("the original: {}", e.message) })?;
        let pending = Pending { text, syntax, edition: edition.to_string(), inserts: Vec::new() };
        files.insert(path.to_path_buf(), pending);
    }
    Ok(files.get_mut(path).expect("inserted above"))
}

/// Applies the insertions, checks the result parses, formats it.
fn finish(path: PathBuf, pending: Pending, root: &Path) -> Result<FileFix, Error> {
    // In offset order; at one offset, in the order planned (a stable sort).
    let mut order: Vec<&Insert> = pending.inserts.iter().collect();
    order.sort_by_key(|i| i.at);
    let mut after = String::with_capacity(pending.text.len() + 4096);
    let mut copied = 0;
    for insert in order {
        after.push_str(&pending.text[copied..insert.at]);
        after.push_str(&insert.text);
        copied = insert.at;
    }
    after.push_str(&pending.text[copied..]);
    crate::lint::nesting::parse_file(&after).map_err(|e| Error::Broken { path: path.clone(), reason: e.message })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let (after, formatting) = rustfmt::format_like(&pending.text, after, &pending.edition, dir);
    let changes = pending.inserts.iter().filter(|i| !i.what.is_empty()).map(|i| i.what.clone()).collect();
    let display = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
    Ok(FileFix { path, display, before: pending.text, after, changes, formatting })
}
