//! Source discovery: reads each crate root, follows `mod` declarations
//! (including `#[path]` and inline modules), and parses and lowers every
//! file in parallel. Each file is parsed exactly once, even when several
//! binaries share a library.

use super::Error;
use super::ir::{FileIr, Loc, ModDecl};
use super::lower;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// Files larger than this are reported and skipped (generated tables).
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// All parsed files, indexed by their `Loc::file`.
pub(crate) struct Loaded {
    pub files: Vec<FileIr>,
    /// Crate root path -> ids of the crate's files (root first).
    pub crates: HashMap<PathBuf, Vec<u32>>,
}

struct Shared {
    next_id: AtomicU32,
    done: Mutex<Vec<(u32, PathBuf, FileIr)>>,
}

/// Loads every distinct crate root. A root that cannot be read is a failure
/// of the tool; a module file that cannot be read or parsed becomes a
/// `FileIr` with an `error`, reported as a finding.
pub(crate) fn load(roots: &[PathBuf]) -> Result<Loaded, Error> {
    for root in roots {
        if let Err(source) = fs_err::metadata(root) {
            return Err(Error::Unreadable { path: root.clone(), source });
        }
    }
    let shared = Shared { next_id: AtomicU32::new(0), done: Mutex::new(Vec::new()) };
    rayon::scope(|scope| {
        for root in roots {
            let shared = &shared;
            scope.spawn(move |scope| load_file(scope, shared, root.clone(), root.clone(), Vec::new(), true));
        }
    });
    let mut done = shared.done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(id, _, _)| *id);
    let mut crates: HashMap<PathBuf, Vec<u32>> = HashMap::new();
    let mut files = Vec::with_capacity(done.len());
    for (id, root, file) in done {
        crates.entry(root).or_default().push(id);
        files.push(file);
    }
    Ok(Loaded { files, crates })
}

fn load_file<'s>(
    scope: &rayon::Scope<'s>,
    shared: &'s Shared,
    crate_root: PathBuf,
    path: PathBuf,
    module: Vec<String>,
    mod_rs: bool,
) {
    let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
    let mut ir = parse(&path, module, id);
    ir.path = path.clone();
    let children: Vec<(PathBuf, Vec<String>, bool)> = ir
        .mods
        .iter()
        .filter_map(|decl| module_file(&path, mod_rs, decl).map(|(p, is_mod_rs)| (p, decl.module.clone(), is_mod_rs)))
        .collect();
    let missing: Vec<&ModDecl> = ir.mods.iter().filter(|d| module_file(&path, mod_rs, d).is_none()).collect();
    if ir.error.is_none()
        && let Some(decl) = missing.first()
    {
        let name = decl.module.last().cloned().unwrap_or_default();
        ir.error = Some((format!("file not found for module `{name}`"), decl.loc));
    }
    shared.done.lock().unwrap_or_else(|e| e.into_inner()).push((id, crate_root.clone(), ir));
    for (child, module, is_mod_rs) in children {
        let crate_root = crate_root.clone();
        scope.spawn(move |scope| load_file(scope, shared, crate_root, child, module, is_mod_rs));
    }
}

/// Reads, parses and lowers one file on this thread, then frees the
/// thread's span table (spans are not needed once lowered).
fn parse(path: &Path, module: Vec<String>, id: u32) -> FileIr {
    let failed = |message: String| FileIr {
        module: module.clone(),
        error: Some((message, Loc { file: id, line: 1, col: 1, ..Loc::default() })),
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
    parse_text(&text, module, id)
}

/// Parses and lowers source text as file `id`.
pub(crate) fn parse_text(text: &str, module: Vec<String>, id: u32) -> FileIr {
    let ctx = lower::Ctx { file: id };
    let ir = match syn::parse_file(text) {
        Ok(file) => lower::file(&file, module, &ctx),
        Err(err) => FileIr {
            module,
            error: Some((format!("cannot parse the file: {err}"), ctx.loc(err.span()))),
            ..FileIr::default()
        },
    };
    proc_macro2::extra::invalidate_current_thread_spans();
    ir
}

/// Where rustc looks for an out-of-line module, and whether that file owns
/// a directory of its own (`mod.rs`-style) for its children.
fn module_file(current: &Path, current_is_mod_rs: bool, decl: &ModDecl) -> Option<(PathBuf, bool)> {
    let dir = current.parent()?;
    let mut base = if current_is_mod_rs { dir.to_path_buf() } else { dir.join(current.file_stem()?) };
    if let Some(attr) = &decl.path_attr {
        let file = if decl.inline_prefix.is_empty() {
            dir.join(attr)
        } else {
            decl.inline_prefix.iter().fold(base, |b, seg| b.join(seg)).join(attr)
        };
        // Files reached through `#[path]` nest their children like mod.rs.
        return file.is_file().then_some((file, true));
    }
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
