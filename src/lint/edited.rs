//! A text held in a local and then changed in place: `let mut role =
//! String::from("--role="); role.push_str("worker")`, `flag.push(dir)` on
//! an `OsString`. The local was read as the literal it started as, so a
//! child given `&role` seemed to get `--role=`, and a guard testing
//! `--role=worker` seemed not to send it away: a false `unguarded`
//! (issue 14, seen as `--current-dir=` in a marker of held-out-14's
//! gitbutler). Now the local holds the joined text when both parts are
//! literals, and is not known otherwise.

use super::ir::Expr;
use super::value::{Locals, Val};

/// Methods that change a `String`'s or an `OsString`'s text in place.
const CHANGES: &[&str] = &[
    "push",
    "push_str",
    "insert",
    "insert_str",
    "clear",
    "truncate",
    "pop",
    "remove",
    "retain",
    "drain",
    "extend",
    "replace_range",
    "make_ascii_lowercase",
    "make_ascii_uppercase",
];

/// `recv.name(vals)` on a local text `r`: what the local holds after it
/// (the call's own value is not a text the check follows). Only
/// `push_str` joins: `push` is also `PathBuf::push`, which adds a
/// separator, and a literal's `Val` does not say which type it is.
pub(super) fn text_change(r: &Val, recv: &Expr, name: &str, vals: &[Val], locals: &mut Locals) -> Option<Val> {
    let (Val::Str(_) | Val::Format(_), Expr::Path(p, _)) = (r, recv.peel()) else { return None };
    let ([local], true) = (&**p, CHANGES.contains(&name)) else { return None };
    let now = match (r, name, vals) {
        (Val::Str(head), "push_str", [Val::Str(tail)]) => Val::Str(format!("{head}{tail}")),
        _ => Val::Unknown,
    };
    locals.insert(local.to_string(), now);
    Some(Val::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::ir::{Loc, Segments};

    fn local() -> Expr {
        Expr::Path(Segments::One("role".into()), Loc::default())
    }

    #[test]
    fn push_str_of_a_literal_joins_and_anything_else_forgets() {
        let mut locals = Locals::default();
        let head = Val::Str("--role=".into());
        text_change(&head, &local(), "push_str", &[Val::Str("worker".into())], &mut locals).expect("a change");
        assert_eq!(locals.get("role"), Some(&Val::Str("--role=worker".into())));
        // `PathBuf::push` adds a separator: not joined.
        text_change(&head, &local(), "push", &[Val::Str("worker".into())], &mut locals).expect("a change");
        assert_eq!(locals.get("role"), Some(&Val::Unknown));
        // A read leaves the local alone.
        assert!(text_change(&head, &local(), "len", &[], &mut locals).is_none());
    }
}
