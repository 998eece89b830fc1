//! The test a closure passed to a search of argv makes of each item
//! (`args.any(|a| a == "-d")`, `find`, `position`): the literals it
//! compares the item with, and how. A search for any of several flags
//! (`|a| a == "-d" || a == "--daemon"`, `matches!(a.as_str(), "-d" |
//! "--daemon")`) finds an item when one of them does, so the child's argv
//! is tested for each; before, only a closure with one literal was read
//! and the search was not known (held-out-15: a daemon's `-d` guard).
//! A search kept in a local (`let found = args.find(..)`) is that truth,
//! which a later `Some(_)`/`None`/`is_some()` reads.

use super::cond::literal_of;
use super::ir::{BinOp, Expr, Lit, Pat};
use super::text::TextTest;
use super::value::Val;

/// `find`/`position` given a closure, on a value that is not a table the
/// check reads entry by entry: a search of items, found when `any` with the
/// same closure is true. (`str::find("x")` takes a pattern, not a closure,
/// and tests a substring.)
pub(crate) fn searches_by_closure(args: &[Expr], val: &Val) -> bool {
    matches!(args, [a] if matches!(a.peel(), Expr::Closure(..))) && !matches!(val, Val::Table(_))
}

/// The literals `e`, a closure, tests its item against, when every part of
/// its body is such a test: one for `|a| a == "x"` or `|a|
/// a.starts_with("x")`, several for tests joined by `||`.
pub(crate) fn closure_tests(e: &Expr) -> Option<Vec<(String, TextTest)>> {
    let Expr::Closure(_, body) = e.peel() else { return None };
    let mut out = Vec::new();
    body_tests(body, &mut out).then_some(out)
}

fn body_tests(body: &Expr, out: &mut Vec<(String, TextTest)>) -> bool {
    let one = match body.peel() {
        Expr::Binary(BinOp::Or, l, r) => return body_tests(l, out) && body_tests(r, out),
        Expr::Binary(BinOp::Eq, l, r) => literal_of(r).or_else(|| literal_of(l)).map(|l| (l, TextTest::Exact)),
        Expr::Method { name, args, .. } if let Some(test) = TextTest::of_method(name) => {
            args.first().and_then(literal_of).map(|l| (l, test))
        }
        // `matches!(a.as_str(), "x" | "y")` lowers to a `match` whose first
        // arm holds the pattern.
        Expr::Macro(m) => match m.args.first().map(Expr::peel) {
            Some(Expr::Match { arms, .. }) => return arms.first().is_some_and(|arm| pattern_tests(&arm.pat, out)),
            _ => None,
        },
        _ => None,
    };
    one.map(|t| out.push(t)).is_some()
}

/// A pattern of string literals, alone or joined by `|`.
fn pattern_tests(pat: &Pat, out: &mut Vec<(String, TextTest)>) -> bool {
    match pat {
        Pat::Lit(Lit::Str(s)) => {
            out.push((s.clone(), TextTest::Exact));
            true
        }
        Pat::Or(items) => items.iter().all(|p| pattern_tests(p, out)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::ir::{Loc, Segments};

    fn path(n: &str) -> Expr {
        Expr::Path(Segments::One(n.into()), Loc::default())
    }

    fn eq_a(s: &str) -> Expr {
        let lit = Expr::Lit(Lit::Str(s.to_string()), Loc::default());
        Expr::Binary(BinOp::Eq, Box::new(path("a")), Box::new(lit))
    }

    fn closure(body: Expr) -> Expr {
        Expr::Closure(Vec::new(), Box::new(body))
    }

    fn texts(e: &Expr) -> Option<Vec<String>> {
        closure_tests(e).map(|tests| tests.into_iter().map(|(s, _)| s).collect())
    }

    #[test]
    fn one_literal_is_one_test() {
        assert_eq!(texts(&closure(eq_a("-d"))), Some(vec!["-d".to_string()]));
    }

    #[test]
    fn tests_joined_by_or_are_each_read() {
        let body = Expr::Binary(BinOp::Or, Box::new(eq_a("-d")), Box::new(eq_a("--daemon")));
        assert_eq!(texts(&closure(body)), Some(vec!["-d".to_string(), "--daemon".to_string()]));
    }

    #[test]
    fn a_part_that_is_not_a_literal_test_leaves_the_search_unknown() {
        let other = path("flag");
        let body = Expr::Binary(BinOp::Or, Box::new(eq_a("-d")), Box::new(other));
        assert_eq!(texts(&closure(body)), None);
        let and = Expr::Binary(BinOp::And, Box::new(eq_a("-d")), Box::new(eq_a("--daemon")));
        assert_eq!(texts(&closure(and)), None);
    }
}
