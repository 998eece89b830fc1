//! Syntactic shapes with a fixed meaning: `Enum::Variant`, `Type::new(..)`,
//! literal lists (`[a, b]`, `vec![..]`) and the argv of an `exec*` call.

use super::api;
use super::ir::{Expr, Name, Stmt};
use super::value::{Marker, Val};

/// `Type::new(..)`-style calls of the analysed crates make a `Type`.
pub(crate) fn constructed_type(path: &[Name]) -> Val {
    let [.., ty, func] = path else { return Val::Unknown };
    let camel = ty.chars().next().is_some_and(char::is_uppercase) && ty.chars().any(char::is_lowercase);
    let ctor = matches!(func.as_str(), "new" | "default" | "parse" | "load" | "open" | "build")
        || func.starts_with("from")
        || func.starts_with("with_")
        || func.starts_with("new_");
    if camel && ctor && ty != "Self" { Val::Typed(ty.to_string()) } else { Val::Unknown }
}

/// `Enum::Variant` (two or more segments, the last one CamelCase) names a
/// variant; constants are SCREAMING_CASE and functions snake_case.
/// `Cow::Owned(x)` and `Cow::Borrowed(x)` are not values of their own: they
/// hold `x` (a path owned in one branch, borrowed in the other), which the
/// call passes on ([`api::classify_call`]).
pub(crate) fn variant(path: &[Name]) -> Option<Val> {
    let last = path.last()?;
    let mut chars = last.chars();
    let camel = chars.next().is_some_and(char::is_uppercase) && chars.any(char::is_lowercase);
    let cow = path.len() >= 2 && path[path.len() - 2] == "Cow" && matches!(last.as_str(), "Owned" | "Borrowed");
    (path.len() >= 2 && camel && !cow && !matches!(last.as_str(), "Some" | "Ok" | "Err" | "None"))
        .then(|| Val::Variant(last.to_string()))
}

/// The items of a literal list: `[a, b]`, `&[a, b]`, `vec![a, b]`.
pub(crate) fn list_items(e: &Expr) -> Option<&[Expr]> {
    match e.peel() {
        Expr::Array(items) | Expr::Tuple(items) => Some(items),
        Expr::Macro(m) if m.path.last().is_some_and(|n| n == "vec") && !m.opaque => Some(&m.args),
        _ => None,
    }
}

/// `execv(path, &[argv0, a, b])`: the arguments after `argv[0]`; for
/// `execve(path, argv, envp)` and the like, also the env ([`super::envp`]).
pub(crate) fn exec_marker(canon: &[Name], args: &[Expr], body: &[Stmt]) -> Marker {
    let mut marker = Marker::default();
    let func = canon.last().map(Name::as_str).unwrap_or("");
    super::envp::record_exec_env(func, args, body, &mut marker);
    match args.get(1).map(Expr::peel) {
        Some(Expr::Array(items) | Expr::Tuple(items)) => {
            for item in items.iter().skip(1) {
                marker.args.push(api::literal_text(item));
            }
        }
        Some(Expr::Macro(m)) if m.path.last().is_some_and(|n| n == "vec") => {
            for item in m.args.iter().skip(1) {
                marker.args.push(api::literal_text(item));
            }
        }
        _ => marker.unknown_list(),
    }
    marker
}
