//! Values a child does not share with its parent although the spawn gives
//! it no marker for them (issue 14: guards on them were false `unguarded`,
//! read as "the child goes where the parent went"):
//!
//! - process ids: `std::process::id()`, `parent_id()`, `getpid()`,
//!   `getppid()`. A child has its own, and its parent is the program
//!   (`/proc/<parent pid>/exe` is the own executable only in a child).
//! - files the program itself creates, writes or removes: a lock file the
//!   parent writes before the spawn is there when the child asks. Only a
//!   path the program changes counts, by its constant value: a config file
//!   nobody writes is the same in the child, and real storms test those.
//!   A path made by a function of the program from nothing it is given
//!   (`fn stamp() -> PathBuf { env::temp_dir().join("x") }`) is known by
//!   that function: every call of it names the same file
//!   ([`super::made_path`]).
//!
//! Such a value is [`Val::Differs`]; a condition on it is unknown in the
//! child ([`super::cond`]), which names it.

use super::fnset::FnSet;
use super::index::{FnId, Program, Target};
use super::ir::{Expr, Name, Stmt};
use super::made_path::makes_path;
use super::value::Val;
use super::visit::for_each_expr;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// What a call returns that differs in the child, in words, if anything.
pub(crate) fn process_id(canon: &[Name]) -> Option<&'static str> {
    let last = canon.last().map(Name::as_str).unwrap_or("");
    let prev = canon.len().checked_sub(2).map(|i| canon[i].as_str()).unwrap_or("");
    match (prev, last) {
        // std, libc, nix::unistd, rustix::process.
        (_, "getppid") | ("process" | "", "parent_id") | ("Pid", "parent") => Some("the parent's process id"),
        (_, "getpid" | "get_current_pid") | ("process", "id") | ("Pid", "this") => Some("the process id"),
        _ => None,
    }
}

/// A file by how the program names it: a constant path, or the function
/// that makes it ([`makes_path`]).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum FileKey {
    Const(String),
    Made(FnId),
}

impl FileKey {
    /// The file a value names, if the check knows which.
    fn of(val: &Val) -> Option<FileKey> {
        match val {
            Val::Str(path) => Some(FileKey::Const(path.clone())),
            Val::MadePath(id) => Some(FileKey::Made(*id)),
            _ => None,
        }
    }

    /// The words for a file the program writes, as a [`Val::Differs`].
    fn differs(&self, prog: &Program<'_>) -> Val {
        let file = match self {
            FileKey::Const(path) => format!("the file `{path}`"),
            FileKey::Made(id) => {
                let def = prog.def(*id);
                let owner = def.self_ty.as_ref().map(|ty| format!("{ty}::")).unwrap_or_default();
                format!("the file at the path `{owner}{}()` returns", def.name)
            }
        };
        Val::Differs(format!("{file}, which the program itself creates or changes"))
    }
}

/// Functions that create, write or remove the file named by an argument,
/// and which argument (`fs::rename(from, to)` changes `to`, and `from`).
fn write_call(canon: &[Name]) -> Option<&'static [usize]> {
    let last = canon.last().map(Name::as_str).unwrap_or("");
    let prev = canon.len().checked_sub(2).map(|i| canon[i].as_str()).unwrap_or("");
    let fs = canon.iter().any(|s| matches!(s.as_str(), "fs" | "fs_err"));
    match last {
        "create" | "create_new" if prev == "File" => Some(&[0]),
        "write" | "create_dir" | "create_dir_all" | "remove_file" | "remove_dir" | "remove_dir_all" if fs => Some(&[0]),
        "rename" if fs => Some(&[0, 1]),
        "copy" | "hard_link" | "symlink" | "symlink_file" | "symlink_dir" if fs => Some(&[1]),
        _ => None,
    }
}

/// Functions whose answer depends on the file named by their first
/// argument (its existence, metadata or content).
fn query_call(canon: &[Name]) -> bool {
    let last = canon.last().map(Name::as_str).unwrap_or("");
    let prev = canon.len().checked_sub(2).map(|i| canon[i].as_str()).unwrap_or("");
    let fs = canon.iter().any(|s| matches!(s.as_str(), "fs" | "fs_err"));
    match last {
        "open" => prev == "File",
        "metadata" | "symlink_metadata" | "read" | "read_to_string" | "read_dir" | "try_exists" | "exists" => {
            fs || prev == "Path"
        }
        _ => false,
    }
}

/// Methods on a path whose answer depends on that file.
const QUERY_METHODS: &[&str] =
    &["exists", "try_exists", "is_file", "is_dir", "is_symlink", "metadata", "symlink_metadata", "read_dir"];

/// `OpenOptions` builders after which `open(path)` may create or change
/// the file (`create_new(true)` is the lock file idiom: the open is also
/// the test).
const OPEN_WRITES: &[&str] = &["create", "create_new", "write", "append", "truncate"];

/// Whether `recv` is a chain of `OpenOptions` builders.
fn open_options(recv: &Expr) -> bool {
    super::api::chain_root(recv).is_some_and(|p| p.iter().any(|s| s == "OpenOptions"))
}

/// Whether the receiver chain of `.open(..)` turns an option on that may
/// create or change the file (`OpenOptions::new().create_new(true)`).
fn open_writes(recv: &Expr) -> bool {
    open_options(recv) && turns_on_write(recv)
}

fn turns_on_write(recv: &Expr) -> bool {
    match recv.peel() {
        Expr::Method { recv, name, args, .. } => {
            let on = !matches!(args.first().map(Expr::peel), Some(Expr::Lit(super::ir::Lit::Bool(false), _)));
            (OPEN_WRITES.contains(&name.as_str()) && on) || turns_on_write(recv)
        }
        _ => false,
    }
}

/// The files the program (every function `main` can reach) creates,
/// changes or removes, by constant path or by the function that makes the
/// path; computed when a condition first asks.
#[derive(Default)]
pub(crate) struct Written {
    fns: FnSet,
    paths: OnceLock<BTreeSet<FileKey>>,
}

impl Written {
    /// The paths written by `fns` (empty while the facts are learned: the
    /// summaries never depend on it).
    pub(crate) fn new(fns: FnSet) -> Written {
        Written { fns, paths: OnceLock::new() }
    }

    /// The value of a query of the file `val` names: [`Val::Differs`] when
    /// the program writes it.
    fn query(&self, prog: &Program<'_>, val: &Val) -> Option<Val> {
        let key = FileKey::of(val)?;
        let written = self.paths.get_or_init(|| self.fns.iter().flat_map(|id| writes(prog, id)).collect());
        written.contains(&key).then(|| key.differs(prog))
    }

    /// The value of a call of `canon` with `vals`: a query of a file the
    /// program writes differs in the child.
    pub(crate) fn call(&self, prog: &Program<'_>, canon: &[Name], vals: &[Val]) -> Option<Val> {
        if !query_call(canon) {
            return None;
        }
        self.query(prog, vals.first()?)
    }

    /// The value of `recv.name(args)` with `recv` evaluating to `r`:
    /// `Path::new(LOCK).exists()`, `OpenOptions::new()..open(LOCK)`.
    pub(crate) fn method(&self, prog: &Program<'_>, r: &Val, recv: &Expr, name: &str, vals: &[Val]) -> Option<Val> {
        match (name, vals.first()) {
            _ if QUERY_METHODS.contains(&name) => self.query(prog, r),
            ("open", Some(path)) if open_options(recv) => self.query(prog, path),
            _ => None,
        }
    }
}

/// The files `id`'s body writes: arguments of [`write_call`]s and of
/// `open` after a writing [`OPEN_WRITES`] option, when they are a literal,
/// a constant or a call of a function that [`makes_path`], directly or
/// through a `let` of the body.
fn writes(prog: &Program<'_>, id: FnId) -> Vec<FileKey> {
    let body = prog.def(id).body.get();
    let mut lets: Vec<(String, FileKey)> = Vec::new();
    collect_lets(prog, id, body, &mut lets);
    let path_of = |e: &Expr| const_path(prog, id, e).or_else(|| local_path(e, &lets));
    let mut out = Vec::new();
    for_each_expr(body, &mut |e| match e {
        Expr::Call { func, args, .. } => {
            let Expr::Path(path, _) = func.peel() else { return };
            let Target::External(canon) = prog.resolve_from(id, path) else { return };
            for &i in write_call(&canon).unwrap_or(&[]) {
                out.extend(args.get(i).and_then(path_of));
            }
        }
        Expr::Method { recv, name, args, .. } if name == "open" && open_writes(recv) => {
            out.extend(args.first().and_then(path_of));
        }
        _ => {}
    });
    out
}

/// `let lock = Path::new(LOCK);` anywhere in the body (by name: a
/// shadowing `let` of another path adds that one too, which can only make
/// more conditions unknown).
fn collect_lets(prog: &Program<'_>, id: FnId, stmts: &[Stmt], out: &mut Vec<(String, FileKey)>) {
    let mut scan = |stmts: &[Stmt]| {
        for stmt in stmts {
            if let Stmt::Let { pat: super::ir::Pat::Bind(name, None), init: Some(init), .. } = stmt
                && let Some(path) = const_path(prog, id, init)
            {
                out.push((name.to_string(), path));
            }
        }
    };
    scan(stmts);
    for_each_expr(stmts, &mut |e| match e {
        Expr::Block(b) | Expr::Loop { body: b, .. } | Expr::While(_, b) | Expr::For(_, _, b) => scan(b),
        Expr::If { then, .. } => scan(then),
        _ => {}
    });
}

fn local_path(e: &Expr, lets: &[(String, FileKey)]) -> Option<FileKey> {
    let Expr::Path(p, _) = e.peel() else { return None };
    let [name] = &**p else { return None };
    lets.iter().find(|(n, _)| n == name.as_str()).map(|(_, path)| path.clone())
}

/// A literal or a constant, through `Path::new`, `PathBuf::from` and
/// references, or a call of a function that [`makes_path`].
fn const_path(prog: &Program<'_>, id: FnId, e: &Expr) -> Option<FileKey> {
    match e.peel() {
        Expr::Lit(super::ir::Lit::Str(s), _) => Some(FileKey::Const(s.clone())),
        Expr::Path(path, _) => {
            let def = prog.def(id);
            prog.const_str(prog.krate_of(id), &def.module, path).map(|s| FileKey::Const(s.to_string()))
        }
        Expr::Call { func, args, .. } if args.len() == 1 => match func.peel() {
            Expr::Path(p, _) if p.last().is_some_and(|l| matches!(l.as_str(), "new" | "from")) => {
                const_path(prog, id, &args[0])
            }
            _ => None,
        },
        Expr::Call { func, args, .. } if args.is_empty() => match func.peel() {
            Expr::Path(p, _) => match prog.resolve_from(id, p) {
                Target::Fns(ids)
                    if let [made] = ids[..]
                        && makes_path(prog, made) =>
                {
                    Some(FileKey::Made(made))
                }
                _ => None,
            },
            _ => None,
        },
        Expr::Try(inner) => const_path(prog, id, inner),
        Expr::Method { recv, name, args, .. } if args.is_empty() && super::passing::passes_on(name) => {
            const_path(prog, id, recv)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::lint::name::path_of as path;

    #[test]
    fn process_id_calls() {
        for p in ["std::process::id", "std::os::unix::process::parent_id", "libc::getppid", "nix::unistd::getpid"] {
            assert!(process_id(&path(p)).is_some(), "{p}");
        }
        assert_eq!(process_id(&path("nix::unistd::Pid::parent")), Some("the parent's process id"));
        for p in ["std::thread::current", "uuid::Uuid::new_v4", "id", "std::process::exit", "Config::id"] {
            assert_eq!(process_id(&path(p)), None, "{p}");
        }
    }

    #[test]
    fn writes_and_queries() {
        assert_eq!(write_call(&path("std::fs::write")), Some(&[0][..]));
        assert_eq!(write_call(&path("fs_err::rename")), Some(&[0, 1][..]));
        assert_eq!(write_call(&path("std::fs::File::create")), Some(&[0][..]));
        assert_eq!(write_call(&path("std::fs::read_to_string")), None);
        assert_eq!(write_call(&path("std::io::Write::write")), None, "not a file system call");
        assert!(query_call(&path("std::fs::metadata")));
        assert!(query_call(&path("std::fs::File::open")));
        assert!(!query_call(&path("std::fs::write")));
    }
}

#[cfg(test)]
mod verdicts {
    use crate::lint::{Verdict, analyze_source};

    fn lock(query: &str, write: &str) -> Verdict {
        let text = r#"
            const LOCK: &str = "/tmp/app.lock";
            fn main() {
                if QUERY { return; }
                WRITE;
                std::process::Command::new(std::env::current_exe().unwrap()).status().unwrap();
            }
        "#;
        analyze_source(&text.replace("QUERY", query).replace("WRITE", write)).0
    }

    #[test]
    fn a_file_the_program_writes_is_unknown_in_the_child() {
        let exists = "std::path::Path::new(LOCK).exists()";
        assert_eq!(lock(exists, "std::fs::write(LOCK, b\"1\").unwrap()"), Verdict::Undecided);
        assert_eq!(lock("std::fs::metadata(LOCK).is_ok()", "std::fs::File::create(LOCK).unwrap()"), Verdict::Undecided);
        // Through a local, and the same value spelt as a literal.
        let local = "let lock = std::path::PathBuf::from(\"/tmp/app.lock\"); std::fs::create_dir_all(&lock).unwrap()";
        assert_eq!(lock(exists, local), Verdict::Undecided);
        // Another file written, or none: the child sees what its parent saw.
        assert_eq!(lock(exists, "std::fs::write(\"/tmp/other.log\", b\"1\").unwrap()"), Verdict::Unguarded);
        assert_eq!(lock(exists, "std::fs::read(LOCK).ok()"), Verdict::Unguarded);
    }

    #[test]
    fn a_path_made_by_a_function_is_one_file() {
        let text = r#"
            fn stamp() -> std::path::PathBuf { std::env::temp_dir().join("app-stamp") }
            fn other() -> std::path::PathBuf { std::env::temp_dir().join("app-other") }
            fn main() {
                if std::env::args().nth(1).is_some() { WRITE; }
                if !QUERY { std::process::Command::new(std::env::current_exe().unwrap()).arg("x").spawn().unwrap(); }
            }
        "#;
        let run = |write: &str, query: &str| analyze_source(&text.replace("WRITE", write).replace("QUERY", query));
        let (verdict, diagnostics) = run("std::fs::write(stamp(), b\"1\").unwrap()", "stamp().exists()");
        assert_eq!(verdict, Verdict::Undecided);
        assert!(format!("{diagnostics:?}").contains("the path `stamp()` returns"), "{diagnostics:?}");
        let local = "let p = stamp(); std::fs::File::create(&p).unwrap()";
        assert_eq!(run(local, "{ let s = stamp(); std::fs::metadata(&s).is_ok() }").0, Verdict::Undecided);
        // Another function's file, or the same one only read.
        assert_eq!(run("std::fs::write(other(), b\"1\").unwrap()", "stamp().exists()").0, Verdict::Unguarded);
        assert_eq!(run("std::fs::read(stamp()).ok()", "stamp().exists()").0, Verdict::Unguarded);
    }

    #[test]
    fn a_process_id_is_unknown_in_the_child() {
        let text = r#"
            fn main() {
                let me = std::process::id();
                if TEST { BODY }
                std::process::Command::new(std::env::current_exe().unwrap()).status().unwrap();
            }
        "#;
        let run = |test: &str, body: &str| analyze_source(&text.replace("TEST", test).replace("BODY", body));
        let pid_file = "std::fs::read_to_string(\"/run/app.pid\").ok() != Some(format!(\"{me}\"))";
        let (verdict, diagnostics) = run(pid_file, "return;");
        assert_eq!(verdict, Verdict::Undecided, "{diagnostics:?}");
        assert_eq!(run("std::os::unix::process::parent_id() > 1", "return;").0, Verdict::Undecided);
        // Tested, but not to leave: the spawn is reached either way.
        assert_eq!(run("me == 1", "let _ = me;").0, Verdict::Unguarded);
    }
}
