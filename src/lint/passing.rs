//! Methods on values the analysis tracks (the own executable, argv, env
//! lookups, clap matches): which pass the value on (`.clone()`, `?`-style
//! adapters, `.map(PathBuf::from)`), and which derive a known one
//! (`args.skip(1)`, `args.nth(0)`, `matches.subcommand()`).

use super::api::literal_text;
use super::ir::{Expr, Lit};
use super::value::Val;

/// `Result`/`Option` adapters (eyre and miette's too) that leave the value
/// inside as it was, its type too: a typed value goes through them, and
/// so does any value [`method_value`] passes on (`?` then takes it out).
pub(crate) const KEEPS_TYPE: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or_default",
    "unwrap_or_else",
    "ok",
    "map_err",
    "context",
    "with_context",
    "wrap_err",
    "wrap_err_with",
    "into_diagnostic",
    "ok_or",
    "ok_or_else",
    "ok_or_eyre",
];

/// Methods whose result is the receiver's value (besides [`KEEPS_TYPE`]).
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
    "canonicalize",
    "as_deref",
    "as_str",
    "display",
    "into_owned",
    "borrow",
    "cloned",
    "as_mut_os_str",
    "as_ptr",
    "as_c_str",
    "into_path_buf",
    "as_os_str_bytes",
    "unwrap_or",
    "into_string",
];

/// Conversions that keep a path's bytes, the shape a raw exec wants:
/// `CString::new(current_exe()?.into_os_string().into_vec())` still names
/// the own executable, so `execv(&exe, ..)` re-executes it.
const KEEPS_BYTES: &[&str] = &[
    "as_bytes",
    "into_vec",
    "to_vec",
    "into_bytes",
    "as_encoded_bytes",
    "into_encoded_bytes",
    "as_bytes_with_nul",
    "into_bytes_with_nul",
    "to_bytes",
    "to_bytes_with_nul",
    "into_raw",
];

/// Whether `.name()` passes its receiver's value on.
pub(crate) fn passes_on(name: &str) -> bool {
    SAME.contains(&name) || KEEPS_TYPE.contains(&name) || KEEPS_BYTES.contains(&name)
}

/// Whether `Ty::name(x)` hands `x`'s bytes on: the extension traits called
/// as functions (`OsStrExt::as_bytes(p)`, `OsStringExt::into_vec(p)`) and
/// the constructors from bytes (`OsStr::from_bytes`, `OsString::from_vec`,
/// `CStr::from_bytes_with_nul`). Only on the path and C-string types, so a
/// `from_vec` of another type makes nothing look like the executable.
pub(crate) fn keeps_bytes_call(ty: &str, name: &str) -> bool {
    const TYPES: &[&str] = &["OsStrExt", "OsStringExt", "OsStr", "OsString", "CStr", "CString"];
    const FROM_BYTES: &[&str] = &[
        "from_bytes",
        "from_vec",
        "from_encoded_bytes_unchecked",
        "from_bytes_with_nul",
        "from_bytes_until_nul",
        "from_bytes_with_nul_unchecked",
        "from_vec_unchecked",
        "from_vec_with_nul",
        "from_vec_with_nul_unchecked",
    ];
    TYPES.contains(&ty) && (FROM_BYTES.contains(&name) || KEEPS_BYTES.contains(&name) || SAME.contains(&name))
}

/// Methods whose result is the receiver's value, or a known derived value.
pub(crate) fn method_value(recv: &Val, name: &str, args: &[Expr]) -> Option<Val> {
    if *recv == Val::UserId && super::user::KEEPS_UID.contains(&name) {
        return Some(Val::UserId);
    }
    // `opt.take()` (no argument: `Option::take`, not an iterator's
    // `take(n)`) gives the value that was inside: `match
    // args.command.take()` routes like `match args.command`.
    let same = passes_on(name) || (name == "take" && args.is_empty());
    match recv {
        Val::Argv { skip, pushed } => Some(match name {
            "skip" => Val::Argv { skip: skip + int_arg(args).unwrap_or(0), pushed: pushed.clone() },
            "next" | "first" => Val::ArgvItem(Some(*skip)),
            "nth" | "get" => Val::ArgvItem(int_arg(args).map(|i| skip + i)),
            // `let (exe, rest) = args.split_first().unwrap()`: argv[0] and
            // the arguments after it (the `Option` is read as its content,
            // as `first` is; its presence is the head's, see `cond`).
            "split_first" => {
                Val::Tuple(vec![Val::ArgvItem(Some(*skip)), Val::Argv { skip: skip + 1, pushed: pushed.clone() }])
            }
            // Which item is last depends on how many the child has.
            "last" => Val::Derived(Box::new(recv.clone())),
            "collect" | "into_iter" | "iter" | "peekable" | "by_ref" | "as_slice" | "to_vec" | "clone"
            | "enumerate" => Val::Argv { skip: *skip, pushed: pushed.clone() },
            // `args.any(..)`, `args.len()`: computed from argv.
            _ => Val::Derived(Box::new(recv.clone())),
        }),
        Val::ArgvItem(Some(index)) if matches!(name, "file_name" | "file_stem") => {
            Some(Val::ArgvName { index: *index, stem: name == "file_stem" })
        }
        Val::Exe(_)
        | Val::Str(_)
        | Val::Env(_)
        | Val::ArgvItem(_)
        | Val::ArgvName { .. }
        | Val::ClapField(..)
        | Val::Derived(_)
        | Val::Tuple(_)
            if same =>
        {
            Some(recv.clone())
        }
        // `.map_or_else(|e| .., Some)`, `.map(PathBuf::from)`,
        // `.map(|a| PathBuf::from(a))`: the value passes.
        Val::Exe(_) | Val::Variant(_) | Val::ArgvItem(_) | Val::ArgvName { .. } | Val::Str(_)
            if matches!(name, "map_or_else" | "map" | "map_or" | "and_then")
                && args.last().is_some_and(passes_value) =>
        {
            Some(recv.clone())
        }
        // `Cli::try_parse().expect(..)`, `matches.subcommand().unwrap()`:
        // still the parsed arguments, the subcommand.
        Val::Variant(_) | Val::Clap(_) | Val::ClapSub if same => Some(recv.clone()),
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
    const CONVERSIONS: &[&str] = &[
        "Some",
        "Ok",
        "from",
        "new",
        "into",
        "to_owned",
        "clone",
        "to_path_buf",
        "to_str",
        "to_string_lossy",
        "to_string",
        "as_str",
        "as_ref",
        "as_path",
        "as_os_str",
        "into_vec",
        "as_bytes",
        "from_vec",
        "from_bytes",
    ];
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::api::{Call, classify_call};
    use crate::lint::name::path_of as path;
    use crate::lint::value::Origin;

    #[test]
    fn byte_conversions_keep_the_executable() {
        let exe = Val::Exe(Origin::CurrentExe);
        for name in ["into_vec", "as_bytes", "to_vec", "as_encoded_bytes", "as_c_str", "as_ptr"] {
            assert_eq!(method_value(&exe, name, &[]), Some(exe.clone()), "{name}");
        }
        assert_eq!(method_value(&exe, "len", &[]), None);
    }

    #[test]
    fn byte_conversions_called_as_functions() {
        let pass = |p: &str| classify_call(&path(p), false) == Call::PassThrough;
        assert!(pass("std::os::unix::ffi::OsStrExt::as_bytes"));
        assert!(pass("std::os::unix::ffi::OsStringExt::into_vec"));
        assert!(pass("std::ffi::OsStr::from_bytes"));
        assert!(pass("std::ffi::CStr::from_bytes_with_nul"));
        assert!(!pass("bytes::Bytes::from_vec"));
        assert!(!pass("std::ffi::OsStr::len"));
    }
}
