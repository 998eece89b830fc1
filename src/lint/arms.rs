//! Merging, while learning, the values of the ways code may go (an `if`'s
//! branches, a `match`'s arms, a function's `return`s and tail): a way
//! that never produces a value (it returns, breaks, panics or exits) is
//! left out, and a way whose value the check does not know makes a merged
//! routing constant unknown too (issue 14: `if quit { Key::Quit } else {
//! KEYS[n] }` was taken as `Key::Quit` for sure, so a later `match` on it
//! followed only the `Quit` arm and missed a spawn in the other's).

use super::eval::Eval;
use super::index::Target;
use super::ir::{Expr, Name, Stmt};
use super::value::{Truth, Val};

impl Eval<'_, '_> {
    /// The merged value of ways that each evaluated to a value, with
    /// whether the code of each never finishes (`None` for no such code,
    /// as a missing `else`, which produces `()`).
    pub(super) fn merge_ways(&self, ways: Vec<(Val, bool)>) -> Val {
        ways.into_iter().filter(|(_, never)| !never).map(|(v, _)| v).reduce(Val::join_produced).unwrap_or(Val::Unknown)
    }

    /// Notes a `return` of `v`.
    pub(super) fn note_return(&mut self, v: Val) {
        self.ret = Some(match self.ret.take() {
            None => v,
            Some(r) => r.join_produced(v),
        });
    }

    /// Whether code ending in `stmts` never finishes: its last statement
    /// leaves (a block ending `return;` or `process::exit(1);`, whose `()`
    /// is not a value the arm produces).
    pub(super) fn stmts_never(&self, stmts: &[Stmt]) -> bool {
        match stmts.last() {
            Some(Stmt::Expr(e, _)) => self.never(e),
            _ => false,
        }
    }

    /// Whether evaluating `e` never finishes (syntactically; a call of a
    /// function of the analysed crates declared `-> !` counts).
    pub(super) fn never(&self, e: &Expr) -> bool {
        match e.peel() {
            Expr::Return(..) | Expr::Break | Expr::Continue => true,
            Expr::Macro(m) => m.path.last().is_some_and(|n| super::api::macro_diverges(n)),
            Expr::Block(stmts) => self.stmts_never(stmts),
            Expr::If { then, els: Some(els), .. } => self.stmts_never(then) && self.never(els),
            Expr::Call { func, .. } => match func.peel() {
                Expr::Path(p, _) if matches!(p.last().map(Name::as_str), Some("exit" | "abort")) => true,
                Expr::Path(p, _) => match self.target(p) {
                    Target::Fns(ids) => !ids.is_empty() && ids.iter().all(|&id| self.prog.def(id).never),
                    Target::External(_) => false,
                },
                _ => false,
            },
            _ => false,
        }
    }
}

impl Val {
    /// A function's (or closure's) result: the values of its `return`s
    /// (`ret`, if any) merged with its tail's, unless its body `never`
    /// finishes.
    pub(super) fn returned(ret: Option<Val>, tail: Val, never: bool) -> Val {
        let val = match ret {
            None => tail,
            Some(ret) if never => ret,
            Some(ret) => ret.join_produced(tail),
        };
        // A function that only fails returns nothing the check follows.
        if val == Val::Error { Val::Unknown } else { val }
    }

    /// `join` of the values of two ways that both produce one: a routing
    /// constant or a child's truth merged with a value the check does not
    /// know is not known either.
    pub(super) fn join_produced(self, other: Val) -> Val {
        match (&self, &other) {
            (Val::Unknown, v) | (v, Val::Unknown) if v.is_constant() => Val::Unknown,
            (Val::Unknown, Val::Truth(t)) | (Val::Truth(t), Val::Unknown) if *t != Truth::Same => {
                Val::Truth(Truth::Unknown)
            }
            _ => self.join(other),
        }
    }
}
