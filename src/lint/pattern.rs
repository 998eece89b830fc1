//! Whether a `match` arm's or an `if let`'s pattern matches a value in the
//! child: literals, `Some`/`Ok`/`Err` wrappers, enum variants routed by clap,
//! tuples and argv slices (`[_, cmd, ..]`).

use super::cond::{Cond, is_err, is_some_ok};
use super::eval::bind;
use super::ir::{Lit, Name, Pat};
use super::value::{Locals, Truth, Val};

impl Cond<'_, '_, '_> {
    /// Whether a `match` arm or `if let` pattern matches `val` in the child.
    pub(super) fn pattern(&mut self, pat: &Pat, val: &Val, locals: &mut Locals) -> Truth {
        match pat {
            Pat::Wild | Pat::Rest | Pat::Bind(_, None) => Truth::True,
            Pat::Bind(_, Some(sub)) => self.pattern(sub, val, locals),
            Pat::Or(items) => items.iter().fold(Truth::False, |acc, p| acc.or(self.pattern(p, val, locals))),
            Pat::Guard(p, guard) => {
                let t = self.pattern(p, val, locals);
                bind(p, val.clone(), locals);
                t.and(self.truth(guard, locals))
            }
            Pat::Lit(Lit::Str(s)) => self.val_equals(val, s, crate::lint::text::TextTest::Exact),
            Pat::Lit(Lit::Bool(b)) => {
                let t = self.value(val);
                if *b { t } else { t.not() }
            }
            Pat::Slice(items) => self.slice(items, val, locals),
            Pat::TupleStruct(path, items) if is_some_ok(path) || is_err(path) => {
                self.wrapped(path, items.first(), val, locals)
            }
            Pat::Path(path) if path.last().is_some_and(|l| l == "None") => self.present(val).not(),
            Pat::TupleStruct(path, items) if self.is_flattened(path, val) => match &**items {
                // `Command::Sessions(Sessions::Run { .. })` with `#[command(flatten)]
                // Sessions(Sessions)`: the inner variant is the subcommand.
                [inner @ (Pat::Path(_) | Pat::TupleStruct(..) | Pat::Struct(..))] => self.pattern(inner, val, locals),
                _ => self.flattened_any(path),
            },
            Pat::Path(path) | Pat::TupleStruct(path, _) | Pat::Struct(path, _) => self.variant(path, val),
            Pat::Tuple(items) => match (val, items.first()) {
                (Val::ClapSub, Some(first)) => self.pattern(first, val, locals),
                (Val::Tuple(vals), _) if vals.len() == items.len() => {
                    items.iter().zip(vals).fold(Truth::True, |acc, (p, v)| acc.and(self.pattern(p, v, locals)))
                }
                _ => self.opaque(val),
            },
            _ => self.opaque(val),
        }
    }

    fn wrapped(&mut self, path: &[Name], inner: Option<&Pat>, val: &Val, locals: &mut Locals) -> Truth {
        let present = match val {
            Val::ClapSub | Val::Clap(_) | Val::Variant(_) => Truth::True,
            Val::Error => Truth::False,
            _ => self.present(val),
        };
        let present = if is_err(path) { present.not() } else { present };
        // `Some((_, f))` on a table entry the child's markers chose.
        let val = match val {
            Val::Opt(Some(found)) => &**found,
            _ => val,
        };
        match inner {
            Some(p) if !is_err(path) => present.and(self.pattern(p, val, locals)),
            _ => present,
        }
    }

    fn slice(&mut self, items: &[Pat], val: &Val, locals: &mut Locals) -> Truth {
        let Val::Argv { skip, .. } = val else { return self.opaque(val) };
        let mut t = Truth::True;
        let has_rest = items.iter().any(is_rest);
        let fixed = items.iter().filter(|p| !is_rest(p)).count();
        if let Some(argc) = self.child.argc() {
            let len = argc.saturating_sub(*skip);
            t = t.and(Truth::from_bool(if has_rest { len >= fixed } else { len == fixed }));
        } else if fixed > 0 {
            t = t.and(self.child.arg_present(skip + fixed - 1));
        }
        for (i, item) in items.iter().enumerate() {
            if is_rest(item) {
                break;
            }
            if let Pat::Lit(Lit::Str(s)) = item {
                self.tested.push(s.clone());
                t = t.and(self.child.arg_equals(skip + i, s));
            }
        }
        bind(&Pat::Slice(items.into()), val.clone(), locals);
        t
    }
}

/// `..` or `rest @ ..`: any number of items.
fn is_rest(p: &Pat) -> bool {
    match p {
        Pat::Rest => true,
        Pat::Bind(_, Some(sub)) => matches!(**sub, Pat::Rest),
        _ => false,
    }
}
