//! What the analysis knows about APIs outside the analysed crates, kept as
//! data: sources of the own executable, spawn sinks, self-spawning
//! libraries and their guards, functions that never return, and calls that
//! do work which must not run twice.

use super::ir::{Expr, Lit, Name};
use super::value::{Marker, Val, Via};

/// What a call to an external function means to the analysis.
#[derive(Debug, PartialEq)]
pub(crate) enum Call {
    CurrentExe,
    Args,
    EnvVar,
    /// `env::vars()`/`vars_os()`: every env var, read by name at run time.
    EnvVars,
    /// `env::set_var(K, ..)`/`remove_var(K)`: the program changes its own
    /// env, which a child it starts afterwards inherits.
    SetVar,
    /// The value of the first argument passes through (`PathBuf::from(x)`).
    PassThrough,
    ReadLink,
    CommandNew,
    Exec,
    LibrarySpawn(Via),
    ClapParse,
    /// The user id the process runs as (`geteuid()`).
    UserId,
    /// A process id (`process::id()`, `getppid()`), in words: a child's
    /// differs from its parent's ([`super::differs`]).
    ProcessId(&'static str),
    Other,
}

const PASS_THROUGH: &[&str] = &[
    "from",
    "new",
    "canonicalize",
    "Some",
    "Ok",
    "to_owned",
    "clone",
    "into",
    "simplified",
    "absolute",
    "from_path_buf",
    "try_from",
    // `Cow::Owned(current_exe()?)` (a path borrowed or owned by one
    // branch, `.into_owned()` later) holds the path it wraps.
    "Owned",
    "Borrowed",
];
const EXEC: &[&str] = &["execv", "execve", "execvp", "execvpe", "fexecve", "execl", "execlp", "execle", "execveat"];
const CLAP_PARSE: &[&str] = &[
    "parse",
    "try_parse",
    "parse_from",
    "try_parse_from",
    "from_args",
    "from_iter",
    "from_arg_matches",
    "from_args_safe",
];

/// Classifies a call by its canonical path.
pub(crate) fn classify_call(canon: &[Name], clap_type: bool) -> Call {
    let last = canon.last().map(Name::as_str).unwrap_or("");
    let prev = canon.len().checked_sub(2).map(|i| canon[i].as_str()).unwrap_or("");
    let root = canon.first().map(Name::as_str).unwrap_or("");
    match last {
        "current_exe" if prev == "env" || canon.len() == 1 => Call::CurrentExe,
        "args" | "args_os" if prev == "env" || canon.len() == 1 => Call::Args,
        "var" | "var_os" if prev == "env" || canon.len() == 1 => Call::EnvVar,
        "vars" | "vars_os" if prev == "env" => Call::EnvVars,
        "set_var" | "remove_var" if prev == "env" => Call::SetVar,
        "read_link" => Call::ReadLink,
        "new" if prev == "Command" && root != "clap" => Call::CommandNew,
        // axoprocess wraps `std::process::Command` with the same builders.
        "new" if prev == "Cmd" && root == "axoprocess" => Call::CommandNew,
        _ if EXEC.contains(&last) => Call::Exec,
        "spawn" | "spawn_async" if root == "procspawn" => Call::LibrarySpawn(Via::Procspawn),
        "new" | "builder" if root == "procspawn" && matches!(prev, "Pool" | "Builder") => {
            Call::LibrarySpawn(Via::Procspawn)
        }
        "spawn" if root == "mitosis" => Call::LibrarySpawn(Via::Mitosis),
        "restart" if root == "tauri" && prev == "process" => Call::LibrarySpawn(Via::Restart),
        _ if CLAP_PARSE.contains(&last) && clap_type => Call::ClapParse,
        _ if super::user::is_uid_call(canon) => Call::UserId,
        _ if let Some(what) = super::differs::process_id(canon) => Call::ProcessId(what),
        _ if super::passing::keeps_bytes_call(prev, last) => Call::PassThrough,
        _ if PASS_THROUGH.contains(&last)
            && matches!(
                prev,
                "PathBuf"
                    | "Path"
                    | "Utf8PathBuf"
                    | "Utf8Path"
                    | "OsString"
                    | "OsStr"
                    | "String"
                    | "CString"
                    | "Box"
                    | "Arc"
                    | "Rc"
                    | "Cow"
                    | "fs"
                    | "dunce"
                    | ""
            ) =>
        {
            Call::PassThrough
        }
        _ => Call::Other,
    }
}

/// A call into code the check does not read that is not the standard
/// library's: a path into a crate outside the analysed ones, or a function
/// it could not find (a glob import from one, a closure it did not follow),
/// starting at a lower-case name. A path that starts at a type
/// (`Config::load`) is not taken for one: the type may be the program's
/// own, made by a macro the check does not expand.
pub(crate) fn is_foreign(canon: &[Name]) -> bool {
    match canon {
        [root, ..] => {
            !matches!(root.as_str(), "std" | "core" | "alloc") && root.starts_with(|c: char| c.is_ascii_lowercase())
        }
        _ => false,
    }
}

/// `procspawn::spawn!(..)`.
pub(crate) fn library_macro(canon: &[Name]) -> Option<Via> {
    match (canon.first().map(Name::as_str), canon.last().map(Name::as_str)) {
        (Some("procspawn"), Some("spawn")) => Some(Via::Procspawn),
        _ => None,
    }
}

/// The env marker a self-spawning library sets on its children; procspawn
/// (and a framework's restart) also passes the parent's arguments on.
pub(crate) fn library_marker(via: Via) -> Marker {
    let (key, forwards) = match via {
        Via::Procspawn => ("__PROCSPAWN_CONTENT_PROCESS_ID", true),
        Via::Mitosis => ("MITOSIS_CONTENT_PROCESS_ID", false),
        // The restarted app gets the arguments and nothing else.
        Via::Restart => return Marker { forwards_args: true, ..Marker::default() },
        _ => return Marker::default(),
    };
    Marker { env: vec![(Some(key.to_string()), None)], forwards_args: forwards, ..Marker::default() }
}

/// The guard of a self-spawning library: its `init()`.
pub(crate) fn library_init(canon: &[Name]) -> Option<Via> {
    let root = canon.first().map(Name::as_str);
    let last = canon.last().map(Name::as_str);
    match (root, last) {
        (Some("procspawn"), Some("init")) => Some(Via::Procspawn),
        (Some("mitosis"), Some("init")) => Some(Via::Mitosis),
        _ => None,
    }
}

/// `procspawn::ProcConfig::new()...init()`: the configured form of
/// procspawn's guard, by the canonical path of the call that starts the
/// builder chain `init` is called on.
pub(crate) fn library_config_init(builder: &[Name]) -> Option<Via> {
    match builder {
        [root, .., ty, _] if root == "procspawn" && ty == "ProcConfig" => Some(Via::Procspawn),
        _ => None,
    }
}

/// The call a method chain starts from (`a::B::new().x().y()`: `a::B::new`).
pub(crate) fn chain_root(recv: &Expr) -> Option<&[Name]> {
    match recv.peel() {
        Expr::Method { recv, .. } => chain_root(recv),
        Expr::Call { func, .. } => match func.peel() {
            Expr::Path(path, _) => Some(path),
            _ => None,
        },
        _ => None,
    }
}

/// Calls that never return.
pub(crate) fn diverges(canon: &[Name]) -> bool {
    let last = canon.last().map(Name::as_str).unwrap_or("");
    let prev = canon.len().checked_sub(2).map(|i| canon[i].as_str()).unwrap_or("");
    matches!((prev, last), ("process" | "", "exit" | "abort") | ("libc", "exit" | "_exit" | "abort"))
        || matches!(last, "resume_unwind")
}

/// Macros that never return.
pub(crate) fn macro_diverges(name: &str) -> bool {
    matches!(name, "panic" | "unreachable" | "todo" | "unimplemented" | "bail")
}

/// Calls whose effects must not be repeated by every child: files,
/// sockets, other processes, threads. Used for `late-guard`.
pub(crate) fn is_work(canon: &[Name]) -> bool {
    let last = canon.last().map(Name::as_str).unwrap_or("");
    let prev = canon.len().checked_sub(2).map(|i| canon[i].as_str()).unwrap_or("");
    match prev {
        "fs" => matches!(
            last,
            "write"
                | "create_dir"
                | "create_dir_all"
                | "remove_file"
                | "remove_dir"
                | "remove_dir_all"
                | "rename"
                | "copy"
                | "hard_link"
        ),
        "File" => matches!(last, "create" | "create_new"),
        "TcpListener" | "UdpSocket" | "UnixListener" | "UnixDatagram" => last == "bind",
        "TcpStream" | "UnixStream" => last == "connect",
        "thread" => last == "spawn",
        _ => false,
    }
}

/// Calls that start an async runtime.
/// (`block_on` method calls are noted by the walk itself.)
pub(crate) fn starts_runtime(canon: &[Name]) -> bool {
    let joined = canon.join("::");
    joined.ends_with("Runtime::new") && joined.contains("tokio")
}

/// Methods of std types (iterators, Option/Result, collections, I/O,
/// formatting): a call by one of these names is taken to be std's.
pub(crate) const STD_METHODS: &[&str] = &[
    "map",
    "next",
    "and_then",
    "or_else",
    "filter",
    "filter_map",
    "for_each",
    "collect",
    "iter",
    "into_iter",
    "iter_mut",
    "get",
    "get_mut",
    "insert",
    "push",
    "pop",
    "remove",
    "write",
    "read",
    "flush",
    "clone",
    "as_ref",
    "as_mut",
    "from",
    "into",
    "fmt",
    "eq",
    "cmp",
    "partial_cmp",
    "hash",
    "drop",
    "deref",
    "len",
    "is_empty",
    "contains",
    "extend",
    "split",
    "lock",
    "borrow",
    "borrow_mut",
    "take",
    "replace",
    "write_all",
    "read_to_string",
    "read_line",
    "to_string",
    "unwrap",
    "expect",
    "ok",
    "err",
    "map_err",
    "unwrap_or",
    "unwrap_or_else",
    "unwrap_or_default",
    "find",
    "any",
    "all",
    "fold",
    "entry",
    "or_insert",
    "or_default",
    "keys",
    "values",
    "first",
    "last",
    "sort",
    "dedup",
    "retain",
    "clear",
    "chain",
    "zip",
    "rev",
    "skip",
    "enumerate",
    "peekable",
    "cloned",
    "copied",
    "as_str",
    "as_slice",
    "to_owned",
    "to_vec",
    "default",
    "parse",
    "write_fmt",
    "poll",
    "try_from",
    "try_into",
    "display",
    "with_context",
    "context",
];

/// `Command` methods that return the builder itself.
pub(crate) const COMMAND_BUILDERS: &[&str] = &[
    "arg",
    "args",
    "env",
    "envs",
    "env_remove",
    "env_clear",
    "arg0",
    "current_dir",
    "stdin",
    "stdout",
    "stderr",
    "uid",
    "gid",
    "pre_exec",
    "process_group",
    "kill_on_drop",
    "creation_flags",
    "as_mut",
    "borrow_mut",
];

/// A string literal (or `"x".to_string()`-style wrapper of one).
pub(crate) fn literal_text(e: &Expr) -> Option<String> {
    match e.peel() {
        Expr::Lit(Lit::Str(s), _) => Some(s.clone()),
        // `CString::new("--worker")?`, as `.unwrap()` below.
        Expr::Try(inner) => literal_text(inner),
        // `OsString::from_str("-c").unwrap()` too.
        Expr::Method { recv, name, .. }
            if matches!(
                name.as_str(),
                "to_string" | "to_owned" | "into" | "as_ref" | "as_ptr" | "unwrap" | "expect"
            ) =>
        {
            literal_text(recv)
        }
        Expr::Call { func, args, .. }
            if args.len() == 1
                && matches!(func.peel(), Expr::Path(p, _) if p.last().is_some_and(|l| matches!(l.as_str(), "from" | "new" | "from_str"))) =>
        {
            literal_text(&args[0])
        }
        _ => None,
    }
}

/// `.args([...])`: literal lists are recorded item by item; argv itself
/// means the parent's arguments are forwarded.
pub(crate) fn record_args(marker: &mut Marker, expr: Option<&Expr>, val: Option<&Val>) {
    if let Some(Val::Argv { pushed, .. }) = val {
        marker.forwards_args = true;
        marker.appended.extend(pushed.iter().cloned());
        return;
    }
    match expr.map(Expr::peel) {
        Some(Expr::Array(items) | Expr::Tuple(items)) => marker.push_args(items.iter().map(literal_text)),
        Some(Expr::Macro(m)) if m.path.last().is_some_and(|n| n == "vec") && !m.opaque => {
            marker.push_args(m.args.iter().map(literal_text));
        }
        _ => marker.unknown_list(),
    }
}

/// `.envs([("K", "V")])`.
pub(crate) fn record_envs(marker: &mut Marker, expr: Option<&Expr>) {
    let items = match expr.map(Expr::peel) {
        Some(Expr::Array(items)) => items.as_slice(),
        Some(Expr::Macro(m)) if m.path.last().is_some_and(|n| n == "vec") => m.args.as_slice(),
        _ => {
            marker.env.push((None, None));
            return;
        }
    };
    for item in items {
        match item.peel() {
            Expr::Tuple(kv) if kv.len() == 2 => marker.env.push((literal_text(&kv[0]), literal_text(&kv[1]))),
            _ => marker.env.push((None, None)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::lint::name::path_of as path;

    #[test]
    fn foreign_code_starts_at_a_crate_outside_std() {
        assert!(is_foreign(&path("workerlib::is_worker")));
        assert!(is_foreign(&path("nix::unistd::getppid")));
        assert!(!is_foreign(&path("std::fs::read_to_string")));
        assert!(!is_foreign(&path("core::mem::take")));
        // A type's path may be the program's own type, made by a macro.
        assert!(!is_foreign(&path("Config::load")));
        assert!(is_foreign(&path("is_worker")), "a glob import's function, or a closure not followed");
    }

    #[test]
    fn classifies_sources_and_sinks() {
        assert_eq!(classify_call(&path("std::env::current_exe"), false), Call::CurrentExe);
        assert_eq!(classify_call(&path("std::process::Command::new"), false), Call::CommandNew);
        assert_eq!(classify_call(&path("tokio::process::Command::new"), false), Call::CommandNew);
        assert_eq!(classify_call(&path("axoprocess::Cmd::new"), false), Call::CommandNew);
        assert_eq!(classify_call(&path("other::Cmd::new"), false), Call::Other);
        assert_eq!(classify_call(&path("std::env::vars"), false), Call::EnvVars);
        assert_eq!(classify_call(&path("camino::Utf8PathBuf::from_path_buf"), false), Call::PassThrough);
        assert_eq!(classify_call(&path("std::borrow::Cow::Owned"), false), Call::PassThrough);
        assert_eq!(classify_call(&path("clap::Command::new"), false), Call::Other);
        assert_eq!(classify_call(&path("nix::unistd::execv"), false), Call::Exec);
        assert_eq!(classify_call(&path("procspawn::spawn"), false), Call::LibrarySpawn(Via::Procspawn));
        assert_eq!(classify_call(&path("Cli::parse"), true), Call::ClapParse);
        assert_eq!(classify_call(&path("Config::parse"), false), Call::Other);
    }

    #[test]
    fn divergence_and_work() {
        assert!(diverges(&path("std::process::exit")));
        assert!(!diverges(&path("my::exit_code")));
        assert!(is_work(&path("std::fs::write")));
        assert!(!is_work(&path("std::fs::read_to_string")));
    }
}
