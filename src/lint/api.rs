//! What the analysis knows about APIs outside the analysed crates, kept as
//! data: sources of the own executable, spawn sinks, self-spawning
//! libraries and their guards, functions that never return, and calls that
//! do work which must not run twice.

use super::ir::{Expr, Lit};
use super::value::{Marker, Val, Via};

/// What a call to an external function means to the analysis.
#[derive(Debug, PartialEq)]
pub(crate) enum Call {
    CurrentExe,
    Args,
    EnvVar,
    /// The value of the first argument passes through (`PathBuf::from(x)`).
    PassThrough,
    ReadLink,
    CommandNew,
    Exec,
    LibrarySpawn(Via),
    ClapParse,
    Other,
}

const PASS_THROUGH: &[&str] =
    &["from", "new", "canonicalize", "Some", "Ok", "to_owned", "clone", "into", "simplified", "absolute"];
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
pub(crate) fn classify_call(canon: &[String], clap_type: bool) -> Call {
    let last = canon.last().map(String::as_str).unwrap_or("");
    let prev = canon.len().checked_sub(2).map(|i| canon[i].as_str()).unwrap_or("");
    let root = canon.first().map(String::as_str).unwrap_or("");
    match last {
        "current_exe" if prev == "env" || canon.len() == 1 => Call::CurrentExe,
        "args" | "args_os" if prev == "env" || canon.len() == 1 => Call::Args,
        "var" | "var_os" if prev == "env" || canon.len() == 1 => Call::EnvVar,
        "read_link" => Call::ReadLink,
        "new" if prev == "Command" && root != "clap" => Call::CommandNew,
        _ if EXEC.contains(&last) => Call::Exec,
        "spawn" | "spawn_async" if root == "procspawn" => Call::LibrarySpawn(Via::Procspawn),
        "new" | "builder" if root == "procspawn" && matches!(prev, "Pool" | "Builder") => {
            Call::LibrarySpawn(Via::Procspawn)
        }
        "spawn" if root == "mitosis" => Call::LibrarySpawn(Via::Mitosis),
        _ if CLAP_PARSE.contains(&last) && clap_type => Call::ClapParse,
        _ if PASS_THROUGH.contains(&last)
            && matches!(
                prev,
                "PathBuf"
                    | "Path"
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

/// `procspawn::spawn!(..)`.
pub(crate) fn library_macro(canon: &[String]) -> Option<Via> {
    match (canon.first().map(String::as_str), canon.last().map(String::as_str)) {
        (Some("procspawn"), Some("spawn")) => Some(Via::Procspawn),
        _ => None,
    }
}

/// The env marker a self-spawning library sets on its children; procspawn
/// also passes the parent's arguments on by default.
pub(crate) fn library_marker(via: Via) -> Marker {
    let (key, forwards) = match via {
        Via::Procspawn => ("__PROCSPAWN_CONTENT_PROCESS_ID", true),
        Via::Mitosis => ("MITOSIS_CONTENT_PROCESS_ID", false),
        _ => return Marker::default(),
    };
    Marker { env: vec![(Some(key.to_string()), None)], forwards_args: forwards, ..Marker::default() }
}

/// The guard of a self-spawning library: its `init()`.
pub(crate) fn library_init(canon: &[String]) -> Option<Via> {
    let root = canon.first().map(String::as_str);
    let last = canon.last().map(String::as_str);
    match (root, last) {
        (Some("procspawn"), Some("init")) => Some(Via::Procspawn),
        (Some("mitosis"), Some("init")) => Some(Via::Mitosis),
        _ => None,
    }
}

/// Calls that never return.
pub(crate) fn diverges(canon: &[String]) -> bool {
    let last = canon.last().map(String::as_str).unwrap_or("");
    let prev = canon.len().checked_sub(2).map(|i| canon[i].as_str()).unwrap_or("");
    matches!(
        (prev, last),
        ("process", "exit" | "abort") | ("libc", "exit" | "_exit" | "abort") | ("", "exit" | "abort")
    ) || matches!(last, "resume_unwind")
}

/// Macros that never return.
pub(crate) fn macro_diverges(name: &str) -> bool {
    matches!(name, "panic" | "unreachable" | "todo" | "unimplemented" | "bail")
}

/// Calls whose effects must not be repeated by every child: files,
/// sockets, other processes, threads. Used for `late-guard`.
pub(crate) fn is_work(canon: &[String]) -> bool {
    let last = canon.last().map(String::as_str).unwrap_or("");
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
pub(crate) fn starts_runtime(canon: &[String]) -> bool {
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

/// Methods whose result is the receiver's value, or a known derived value.
pub(crate) fn method_value(recv: &Val, name: &str, args: &[Expr]) -> Option<Val> {
    const SAME: &[&str] = &[
        "clone",
        "to_owned",
        "to_path_buf",
        "as_path",
        "as_ref",
        "into",
        "as_os_str",
        "into_os_string",
        "to_os_string",
        "to_str",
        "to_string_lossy",
        "to_string",
        "unwrap",
        "expect",
        "unwrap_or_default",
        "ok",
        "canonicalize",
        "as_deref",
        "as_str",
        "display",
        "into_owned",
        "borrow",
        "context",
        "with_context",
        "map_err",
        "unwrap_or_else",
        "cloned",
        "as_mut_os_str",
        "as_ptr",
        "as_c_str",
        "into_path_buf",
        "as_os_str_bytes",
        // `Option` -> `Result`: the value inside passes (`?` then takes it).
        "ok_or",
        "ok_or_else",
        "unwrap_or",
        "into_string",
        // eyre / miette error adapters.
        "wrap_err",
        "wrap_err_with",
        "into_diagnostic",
        "ok_or_eyre",
    ];
    match recv {
        Val::Argv { skip, pushed } => Some(match name {
            "skip" => Val::Argv { skip: skip + int_arg(args).unwrap_or(0), pushed: pushed.clone() },
            "next" | "first" => Val::ArgvItem(Some(*skip)),
            "nth" | "get" => Val::ArgvItem(int_arg(args).map(|i| skip + i)),
            "last" => Val::ArgvItem(None),
            "collect" | "into_iter" | "iter" | "peekable" | "by_ref" | "as_slice" | "to_vec" | "clone"
            | "enumerate" => Val::Argv { skip: *skip, pushed: pushed.clone() },
            _ => Val::Unknown,
        }),
        Val::Exe(_) | Val::Str(_) | Val::Env(_) | Val::ArgvItem(_) | Val::ClapField(..) if SAME.contains(&name) => {
            Some(recv.clone())
        }
        // `.map_or_else(|e| .., Some)`, `.map(PathBuf::from)`,
        // `.map(|a| PathBuf::from(a))`: the value passes.
        Val::Exe(_) | Val::Variant(_) | Val::ArgvItem(_) | Val::Str(_)
            if matches!(name, "map_or_else" | "map" | "map_or" | "and_then")
                && args.last().is_some_and(passes_value) =>
        {
            Some(recv.clone())
        }
        Val::Variant(_) if SAME.contains(&name) => Some(recv.clone()),
        Val::Unknown
            if matches!(name, "get_matches" | "try_get_matches" | "get_matches_from" | "try_get_matches_from") =>
        {
            Some(Val::ClapMatches)
        }
        Val::ClapMatches => Some(match name {
            "subcommand" | "subcommand_name" => Val::ClapSub,
            "get_flag" | "is_present" | "contains_id" | "get_one" | "value_of" | "get_many" | "values_of"
            | "occurrences_of" => args.first().and_then(literal_text).map_or(Val::Unknown, |f| Val::ClapField(f, None)),
            _ => Val::Unknown,
        }),
        _ => None,
    }
}

/// A function argument that hands its input on unchanged as far as the
/// analysis cares: `Some`, `Ok`, a conversion (`PathBuf::from`,
/// `OsString::from`, `Into::into`), or a closure applying one to its
/// parameter (`|a| PathBuf::from(a)`, `|a| Some(a.into())`).
fn passes_value(arg: &Expr) -> bool {
    const CONVERSIONS: &[&str] = &["Some", "Ok", "from", "new", "into", "to_owned", "clone", "to_path_buf"];
    match arg.peel() {
        Expr::Path(p, _) => p.last().is_some_and(|l| CONVERSIONS.contains(&l.as_str())),
        Expr::Closure(params, body) => {
            let [crate::lint::ir::Pat::Bind(param, None)] = params.as_slice() else { return false };
            applies_to(body, param, CONVERSIONS)
        }
        _ => false,
    }
}

/// `f(x)`, `x.f()` or `x` itself, with `f` a conversion, nested.
fn applies_to(e: &Expr, param: &str, conversions: &[&str]) -> bool {
    match e.peel() {
        Expr::Path(p, _) => p.len() == 1 && p[0] == param,
        Expr::Call { func, args, .. } if args.len() == 1 => {
            matches!(func.peel(), Expr::Path(p, _) if p.last().is_some_and(|l| conversions.contains(&l.as_str())))
                && applies_to(&args[0], param, conversions)
        }
        Expr::Method { recv, name, args, .. } if args.is_empty() => {
            conversions.contains(&name.as_str()) && applies_to(recv, param, conversions)
        }
        _ => false,
    }
}

fn int_arg(args: &[Expr]) -> Option<usize> {
    match args.first().map(Expr::peel) {
        Some(Expr::Lit(Lit::Int(i), _)) => Some(*i as usize),
        _ => None,
    }
}

/// A string literal (or `"x".to_string()`-style wrapper of one).
pub(crate) fn literal_text(e: &Expr) -> Option<String> {
    match e.peel() {
        Expr::Lit(Lit::Str(s), _) => Some(s.clone()),
        Expr::Method { recv, name, .. }
            if matches!(name.as_str(), "to_string" | "to_owned" | "into" | "as_ref" | "as_ptr") =>
        {
            literal_text(recv)
        }
        Expr::Call { func, args, .. }
            if args.len() == 1
                && matches!(func.peel(), Expr::Path(p, _) if p.last().is_some_and(|l| l == "from" || l == "new")) =>
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
        Some(Expr::Array(items)) | Some(Expr::Tuple(items)) => marker.args.extend(items.iter().map(literal_text)),
        Some(Expr::Macro(m)) if m.path.last().is_some_and(|n| n == "vec") && !m.opaque => {
            marker.args.extend(m.args.iter().map(literal_text))
        }
        _ => marker.unknown_args = true,
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

    fn path(s: &str) -> Vec<String> {
        s.split("::").map(str::to_string).collect()
    }

    #[test]
    fn classifies_sources_and_sinks() {
        assert_eq!(classify_call(&path("std::env::current_exe"), false), Call::CurrentExe);
        assert_eq!(classify_call(&path("std::process::Command::new"), false), Call::CommandNew);
        assert_eq!(classify_call(&path("tokio::process::Command::new"), false), Call::CommandNew);
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
