//! Source discovery: reads each crate root, follows `mod` declarations
//! (including `#[path]` and inline modules), and parses and lowers every
//! file in parallel. Each file is parsed exactly once, even when several
//! binaries share a library.

use super::Error;
use super::body::Source;
use super::ir::{FileIr, Loc, ModDecl, Name};
use super::lower;
use super::nesting;
use crate::diag::Location;
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are reported and skipped (generated tables).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// All parsed files, indexed by their `Loc::file`.
pub(crate) struct Loaded {
    pub files: Vec<FileIr>,
    /// Crate root path -> ids of the crate's files (root first).
    pub crates: HashMap<PathBuf, Vec<u32>>,
}

impl Loaded {
    /// Where `loc` is, for a finding: the file relative to `root`.
    pub(super) fn location(&self, root: &Path, loc: Loc) -> Location {
        let path = &self.files[loc.file as usize].path;
        let (line, column) = super::lines::line_col(&self.files, loc);
        Location {
            file: path.strip_prefix(root).unwrap_or(path).to_path_buf(),
            line: line.max(1),
            column: column.max(1),
            span: (loc.start, loc.end),
        }
    }
}

/// Loads every distinct crate root. A root that cannot be read is a failure
/// of the tool; a module file that cannot be read or parsed becomes a
/// `FileIr` with an `error`, reported as a finding.
///
/// Files are loaded level by level (roots, then the modules they declare,
/// ...): each level is parsed in parallel, and ids are handed out in a
/// fixed order, so results do not depend on thread scheduling.
pub(crate) fn load(roots: &[PathBuf]) -> Result<Loaded, Error> {
    for root in roots {
        if let Err(source) = fs_err::metadata(root) {
            return Err(Error::Unreadable { path: root.clone(), source });
        }
    }
    let mut files: Vec<FileIr> = Vec::new();
    let mut crates: HashMap<PathBuf, Vec<u32>> = HashMap::default();
    let mut seen: HashSet<PathBuf> = HashSet::default();
    // (crate root, file, module path, owns a directory like mod.rs)
    let mut level: Vec<(PathBuf, PathBuf, Vec<Name>, bool)> =
        roots.iter().map(|r| (r.clone(), r.clone(), Vec::new(), true)).collect();
    while !level.is_empty() {
        level.retain(|(_, path, _, _)| seen.insert(path.clone()));
        let first = files.len() as u32;
        let parsed: Vec<FileIr> = level
            .par_iter()
            .enumerate()
            .map(|(i, (_, path, module, _))| {
                let mut ir = parse(path, module.clone(), first + i as u32);
                ir.path = path.clone();
                ir
            })
            .collect();
        let mut next = Vec::new();
        for ((root, path, _, mod_rs), mut ir) in level.into_iter().zip(parsed) {
            for decl in &ir.mods {
                if let Some((child, child_mod_rs)) = module_file(&path, mod_rs, decl) {
                    next.push((root.clone(), child, decl.module.clone(), child_mod_rs));
                }
            }
            if ir.error.is_none()
                && let Some(decl) = ir.mods.iter().find(|d| module_file(&path, mod_rs, d).is_none())
            {
                let name = decl.module.last().map_or("", Name::as_str);
                ir.error = Some((format!("file not found for module `{name}`"), decl.loc));
            }
            crates.entry(root).or_default().push(files.len() as u32);
            files.push(ir);
        }
        level = next;
    }
    Ok(Loaded { files, crates })
}

/// Reads, parses and lowers one file on this thread, then frees the
/// thread's span table (spans are not needed once lowered).
fn parse(path: &Path, module: Vec<Name>, id: u32) -> FileIr {
    let failed = |message: String| FileIr {
        module: module.clone(),
        error: Some((message, Loc { file: id, ..Loc::default() })),
        ..FileIr::default()
    };
    match fs_err::metadata(path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => {
            return failed(format!("file is larger than {} MiB; skipped", MAX_FILE_BYTES >> 20));
        }
        Err(err) => return failed(format!("cannot read the file: {err}")),
        Ok(_) => {}
    }
    let bytes = match fs_err::read(path) {
        Ok(bytes) => bytes,
        Err(err) => return failed(format!("cannot read the file: {err}")),
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return failed("the file is not valid UTF-8".to_string());
    };
    let source = Source::new(path.to_path_buf(), id);
    parse_text(&text, module, id, Some(&source))
}

/// Substrings without which a file cannot name the program's own
/// executable, a self-spawning library or a framework's restart
/// ([`super::framework`]: `handle.restart()`, `tauri::process::restart`).
const SELF_NEEDLES: &[&str] = &[
    "current_exe",
    "/proc/self/exe",
    "args()",
    "args_os",
    "env::args",
    "procspawn",
    "mitosis",
    "restart()",
    "process::restart",
];

/// Parses and lowers source text as file `id`. With a `late` source, the
/// bodies of a file that names no own-executable source are lowered on
/// first use (most library code is never called by the binary).
pub(crate) fn parse_text(text: &str, module: Vec<Name>, id: u32, late: Option<&Arc<Source>>) -> FileIr {
    let mentions_self = SELF_NEEDLES.iter().any(|n| text.contains(n));
    let late = late.filter(|_| !mentions_self);
    let mut ir = parse_source(text, module, id, late);
    ir.mentions_self = mentions_self;
    ir.late = late.cloned();
    ir.crate_refs = super::refs::crate_refs(text);
    ir
}

fn parse_source(text: &str, module: Vec<Name>, id: u32, late: Option<&Arc<Source>>) -> FileIr {
    if late.is_none()
        && text.len() >= BY_BODY_BYTES
        && let Some(ir) = parse_by_body(text, module.clone(), id)
    {
        return ir;
    }
    let ctx = lower::Ctx { file: id, base: lower::Base::default() };
    // Bounded before `syn` recurses into it: a hostile file is refused, not
    // a stack overflow (issue 14).
    let parsed = match late {
        Some(late) => lower::file_by_item(module.clone(), &ctx, late, |each| nesting::parse_items(text, each)),
        None => nesting::parse_file(text).map(|file| lower::file(&file, module.clone(), &ctx, None)),
    };
    let ir = match parsed {
        Ok(ir) => ir,
        Err(err) => FileIr { module, error: Some((err.message, ctx.loc(err.span))), ..FileIr::default() },
    };
    proc_macro2::extra::invalidate_current_thread_spans();
    ir
}

/// A file lowered whole at least this large is parsed body by body
/// ([`parse_by_body`]).
const BY_BODY_BYTES: usize = 128 * 1024;

/// A file lowered whole (it names an own-executable source), parsed
/// without holding its whole syntax tree: its items with the bodies
/// skipped, as a file lowered late is, then each body alone, at once. A
/// syntax tree takes ~100 bytes per byte of source, so one 1.6 MB generated
/// file that happens to call `.args()` took ~150 MiB at once, biome's peak
/// (issue 18). The IR is the same ([`super::body`]'s late bodies are).
/// `None`, for the whole parse to find and report the error, when the text
/// does not lex or is past the nesting bounds as a whole (what that parse
/// checks), or its items or a body do not parse.
fn parse_by_body(text: &str, module: Vec<Name>, id: u32) -> Option<FileIr> {
    if !nesting::file_fits(text) {
        return None;
    }
    let source = Source::new(PathBuf::new(), id);
    let ctx = lower::Ctx { file: id, base: lower::Base::default() };
    let items = lower::file_by_item(module, &ctx, &source, |each| nesting::parse_items(text, each));
    proc_macro2::extra::invalidate_current_thread_spans();
    let mut ir = items.ok()?;
    for f in &mut ir.fns {
        f.body = f.body.lowered_from(text)?;
    }
    Some(ir)
}

/// Where rustc looks for an out-of-line module, and whether that file owns
/// a directory of its own (`mod.rs`-style) for its children.
fn module_file(current: &Path, current_is_mod_rs: bool, decl: &ModDecl) -> Option<(PathBuf, bool)> {
    match &decl.path_attr {
        Some(attr) => path_attr_file(current, current_is_mod_rs, decl, attr),
        None => default_module_file(current, current_is_mod_rs, decl)
            .or_else(|| decl.cfg_paths.iter().find_map(|p| path_attr_file(current, current_is_mod_rs, decl, p))),
    }
}

/// `#[path = ".."]`: relative to the current file's directory (inside
/// inline modules, to their directory). Such files nest like mod.rs.
fn path_attr_file(current: &Path, current_is_mod_rs: bool, decl: &ModDecl, attr: &str) -> Option<(PathBuf, bool)> {
    let dir = current.parent()?;
    let file = if decl.inline_prefix.is_empty() {
        dir.join(attr)
    } else {
        let base = if current_is_mod_rs { dir.to_path_buf() } else { dir.join(current.file_stem()?) };
        decl.inline_prefix.iter().fold(base, |b, seg| b.join(seg)).join(attr)
    };
    file.is_file().then_some((file, true))
}

/// `name.rs` or `name/mod.rs` next to (or under) the current file.
fn default_module_file(current: &Path, current_is_mod_rs: bool, decl: &ModDecl) -> Option<(PathBuf, bool)> {
    let dir = current.parent()?;
    let mut base = if current_is_mod_rs { dir.to_path_buf() } else { dir.join(current.file_stem()?) };
    for seg in &decl.inline_prefix {
        base = base.join(seg);
    }
    let name = decl.module.last()?;
    let flat = base.join(format!("{name}.rs"));
    if flat.is_file() {
        return Some((flat, false));
    }
    let nested = base.join(name).join("mod.rs");
    nested.is_file().then_some((nested, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parsed body by body, a file lowered whole is the same IR as parsed
    /// whole; a body that does not parse leaves the error to the whole
    /// parse.
    #[test]
    fn a_file_parsed_body_by_body_is_the_same_ir() {
        let text = "#![allow(dead_code)]\nuse std::process::Command;\n\
            fn exe() -> std::path::PathBuf { std::env::current_exe().unwrap() }\n\
            impl T { fn m(&self) { fn inner() {} let c = Command::new(exe()); c.args(); } }\n\
            mod m { pub fn f() { if g() { h(\"ünï\") } } }\n";
        let whole = parse_source(text, Vec::new(), 2, None);
        let by_body = parse_by_body(text, Vec::new(), 2).expect("it parses");
        assert_eq!(format!("{whole:?}"), format!("{by_body:?}"));
        let bad = "fn ok() {}\nfn bad() {\n    let = 1;\n}\n";
        assert!(parse_by_body(bad, Vec::new(), 2).is_none());
        assert!(parse_by_body("fn f() { (((( }", Vec::new(), 2).is_none(), "does not lex");
    }
}
