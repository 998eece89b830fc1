//! Dispatch tables: a literal list of `(name, handler)` pairs looked up by
//! a value the child gets (`table.iter().find(|(n, _)| *n == argv1)`), and
//! the handler of the entry found called (`Some((_, f)) => f()`). The
//! lookup is evaluated in the child like a `match` on that value: the entry
//! its argument names, or none (issue 14: the lookup was not read, so the
//! `None` arm, which spawns, was taken for the child's way too).

use super::cond::Cond;
use super::eval::Eval;
use super::index::Target;
use super::ir::{BinOp, Expr, Lit, Pat, Stmt};
use super::text::TextTest;
use super::value::{Locals, Truth, Val};
use super::visit::for_each_expr;

/// Methods that hand a table on as it is (`table.iter()`).
const KEEPS_TABLE: &[&str] = &["iter", "into_iter", "copied", "cloned", "as_slice", "to_vec", "clone"];

impl Eval<'_, '_> {
    /// `[("worker", worker), ..]` with `vals` the items' values: a table
    /// when every item is a pair whose first part is a known string. A
    /// function in the second part is that function, as a value.
    pub(super) fn table(&self, items: &[Expr], vals: Vec<Val>) -> Option<Val> {
        let mut entries = Vec::with_capacity(items.len());
        for (item, val) in items.iter().zip(vals) {
            let (Expr::Tuple(parts), Val::Tuple(mut pair)) = (item.peel(), val) else { return None };
            let ([_, handler], 2) = (&parts[..], pair.len()) else { return None };
            let value = pair.pop().unwrap_or(Val::Unknown);
            let Some(Val::Str(name)) = pair.pop() else { return None };
            entries.push((name, self.fn_value(handler).unwrap_or(value)));
        }
        (!entries.is_empty()).then_some(Val::Table(entries))
    }

    /// A path naming analysed functions (`worker`, `Self::serve`).
    fn fn_value(&self, e: &Expr) -> Option<Val> {
        let Expr::Path(path, _) = e.peel() else { return None };
        match self.target(path) {
            // A bare name never names a method (see the walk's `fn_value`).
            Target::Fns(ids) if path.len() > 1 || ids.iter().all(|&id| self.prog.def(id).self_ty.is_none()) => {
                Some(Val::Fns(ids))
            }
            _ => None,
        }
    }

    /// `table.iter()` is the table; `.find(|(name, _)| *name == key)` on
    /// it the entry named `key`, a [`Val::Lookup`].
    pub(super) fn table_method(&mut self, r: &Val, name: &str, args: &[Expr], locals: &Locals) -> Option<Val> {
        let Val::Table(entries) = r else { return None };
        if KEEPS_TABLE.contains(&name) {
            return Some(r.clone());
        }
        let [Expr::Closure(params, body)] = args else { return None };
        if name != "find" {
            return None;
        }
        let [param] = params.as_slice() else { return None };
        let Expr::Binary(BinOp::Eq, l, r) = body.peel() else { return None };
        let key = match (names_entry(param, l), names_entry(param, r)) {
            (true, false) => r,
            (false, true) => l,
            _ => return None,
        };
        let mut inner = locals.clone();
        let mut names = Vec::new();
        param.bindings(&mut names);
        for n in names {
            inner.insert(n, Val::Unknown);
        }
        match self.expr(key, &mut inner) {
            Val::Unknown => None,
            key => Some(Val::Lookup(Box::new(key), entries.clone())),
        }
    }
}

/// Whether `let name = init;` in `body` builds a table of named functions
/// (`&[("worker", worker)]`) that `body` only looks up by name, in the
/// scrutinee of a `match` or an `if let` (`name.iter().find(..)`, see
/// [`Eval::table_method`]): its functions run where such a lookup finds
/// them and binds one (`Some((_, f)) => f()`), not where it is built. Any
/// other use (a loop over it, a call it is passed to, a lookup whose
/// result goes to `.map(|(_, f)| f())`) may run any of them.
pub(crate) fn only_looked_up(body: &[Stmt], name: &str, init: &Expr) -> bool {
    let Expr::Array(items) = init.peel() else { return false };
    let named_fn = |item: &Expr| match item.peel() {
        Expr::Tuple(parts) => {
            matches!(&parts[..], [Expr::Lit(Lit::Str(_), _), f] if matches!(f.peel(), Expr::Path(..)))
        }
        _ => false,
    };
    if items.is_empty() || !items.iter().all(named_fn) {
        return false;
    }
    let is_name = |e: &Expr| matches!(e.peel(), Expr::Path(p, _) if matches!(&p[..], [n] if n == name));
    let looked_up = |e: &Expr| {
        let Expr::Method { recv, name: method, .. } = e.peel() else { return false };
        let mut recv = &**recv;
        while let Expr::Method { recv: inner, name: m, args, .. } = recv.peel()
            && args.is_empty()
            && KEEPS_TABLE.contains(&m.as_str())
        {
            recv = inner;
        }
        method == "find" && is_name(recv)
    };
    let (mut uses, mut lookups) = (0, 0);
    for_each_expr(body, &mut |e| match e {
        Expr::Match { scrut: looked, .. } | Expr::Let(_, looked) => lookups += usize::from(looked_up(looked)),
        _ => uses += usize::from(is_name(e)),
    });
    uses == lookups
}

/// Whether `e` is the name part of the entry bound by `param`: `n` for
/// `|(n, _)|` (references peeled), `e.0` for `|e|`.
fn names_entry(param: &Pat, e: &Expr) -> bool {
    match (param, e.peel()) {
        (Pat::Tuple(items), Expr::Path(p, _)) => {
            matches!((items.first(), &p[..]), (Some(Pat::Bind(n, None)), [m]) if n == m)
        }
        (Pat::Bind(n, None), Expr::Field(base, field)) if field == "0" => {
            matches!(base.peel(), Expr::Path(p, _) if matches!(&p[..], [m] if m == n))
        }
        _ => false,
    }
}

impl Cond<'_, '_, '_> {
    /// A [`Val::Lookup`] in this child: `Some` of the first entry whose name
    /// its key equals, `None` when it equals none; left as it is when that
    /// is not known (an entry before the one found may match too).
    pub(crate) fn settle(&mut self, val: &Val) -> Val {
        let Val::Lookup(key, entries) = val else { return val.clone() };
        let mut open = false;
        for (name, handler) in entries {
            match self.val_equals(key, name, TextTest::Exact) {
                Truth::False => {}
                Truth::True if !open => {
                    let entry = Val::Tuple(vec![Val::Str(name.clone()), handler.clone()]);
                    return Val::Opt(Some(Box::new(entry)));
                }
                _ => open = true,
            }
        }
        if open { val.clone() } else { Val::Opt(None) }
    }

    /// Whether a lookup finds an entry: whether the key equals any name.
    pub(crate) fn found(&mut self, key: &Val, entries: &[(String, Val)]) -> Truth {
        entries.iter().fold(Truth::False, |acc, (name, _)| acc.or(self.val_equals(key, name, TextTest::Exact)))
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::{Verdict, analyze_source};

    /// `main` with a table `TABLE` and the child's argument `ARG`.
    fn dispatch(table: &str, arg: &str, lookup: &str) -> Verdict {
        let text = r#"
            use std::process::Command;
            fn worker() {}
            fn parent() { Command::new(std::env::current_exe().unwrap()).arg("ARG").status().unwrap(); }
            fn main() {
                let table: &[(&str, fn())] = &TABLE;
                let a1 = std::env::args().nth(1).unwrap_or_default();
                LOOKUP
            }
        "#;
        analyze_source(&text.replace("TABLE", table).replace("ARG", arg).replace("LOOKUP", lookup)).0
    }

    const MATCH: &str = "match table.iter().find(|(n, _)| *n == a1) { Some((_, f)) => f(), None => parent() }";

    #[test]
    fn the_entry_the_child_names_runs() {
        assert_eq!(dispatch(r#"[("worker", worker)]"#, "worker", MATCH), Verdict::Guarded);
        assert_eq!(dispatch(r#"[("worker", worker)]"#, "work", MATCH), Verdict::Unguarded);
        // `e.0`, the key on the left, through `iter().copied()`.
        let field = "match table.iter().copied().find(|e| a1 == e.0) { Some((_, f)) => f(), None => parent() }";
        assert_eq!(dispatch(r#"[("worker", worker)]"#, "worker", field), Verdict::Guarded);
    }

    #[test]
    fn a_table_holding_the_spawner_runs_it_only_when_found() {
        let table = r#"[("worker", worker), ("run", parent)]"#;
        let usage = "match table.iter().find(|(n, _)| *n == a1) { Some((_, f)) => f(), None => {} }";
        assert_eq!(dispatch(table, "worker", usage), Verdict::Guarded);
        assert_eq!(dispatch(table, "run", usage), Verdict::Unguarded);
        // A loop over it, or a lookup whose entry is not bound by a
        // pattern, may run any entry: the functions count where the table
        // is built, as before.
        let looped = "for (n, f) in table { if *n == a1 { f(); } }";
        assert_eq!(dispatch(table, "worker", looped), Verdict::Unguarded);
        let mapped = "table.iter().find(|(n, _)| *n == a1).map(|(_, f)| f());";
        assert_eq!(dispatch(table, "run", mapped), Verdict::Unguarded);
        // The entry found handed on: it may be called there.
        let handed = "match table.iter().find(|(n, _)| *n == a1) { Some((_, f)) => std::thread::spawn(*f).join().unwrap(), None => {} }";
        assert_eq!(dispatch(table, "run", handed), Verdict::Unguarded);
        assert_eq!(dispatch(table, "worker", handed), Verdict::Guarded);
    }
}
