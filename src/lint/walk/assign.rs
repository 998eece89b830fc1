//! Bindings in the walk: `let`, assignments, and what nested code
//! assigns to the locals around it. Nested code (a branch, a loop body,
//! a block) is walked on a copy of the locals, so what it assigns to a
//! local of the enclosing code (`restart = true;` inside `if updated {..}`)
//! must be carried back out: without that, `let mut restart = false; ..
//! if restart { respawn() }` read `restart` as the constant it started as
//! and took the spawn for dead code, and a flag set from argv in a loop
//! (`for a in args() { if a == "--worker" { worker = true } }`) stayed
//! `false` in the child, a false `unguarded`.

use super::branch::chosen_by;
use super::{Flow, Reach, Walker};
use crate::lint::eval::bind;
use crate::lint::ir::{Expr, Pat, Stmt};
use crate::lint::table;
use crate::lint::value::{Locals, Truth, Val};
use crate::lint::visit::for_each_expr;

impl Walker<'_, '_, '_> {
    pub(super) fn let_stmt(
        &mut self,
        pat: &Pat,
        ty: Option<&str>,
        init: Option<&Expr>,
        els: Option<&[Stmt]>,
        locals: &mut Locals,
    ) -> Flow {
        let Some(init) = init else { return Flow::none() };
        // A dispatch table only looked up by name: its functions are
        // walked where a lookup finds them, not here.
        let table = match pat {
            Pat::Bind(name, None) => table::only_looked_up(self.prog.def(self.fn_id()).body.get(), name, init),
            _ => false,
        };
        let flow = if table { Flow::none() } else { self.expr(init, locals) };
        if flow.stops() {
            return flow;
        }
        let val = self.bound_value(init, ty, flow.val.clone(), matches!(pat, Pat::Bind(_, None)), locals);
        let Some(els) = els else {
            bind(pat, val, locals);
            return Flow { val: Val::Unknown, ..flow };
        };
        let work_before = self.work;
        let mut c = self.cond();
        let val = c.settle(&val);
        let t = c.pattern(pat, &val, locals);
        let routes = c.routes();
        let tested = c.tested;
        self.saw(&tested);
        // `let Ok(v) = env::var(M) else { respawn(); return };`: the child's
        // marker keeps it from the `else` that leads to the site: a guard.
        if routes
            && t == Truth::True
            && self.block_reaches_site(els)
            && let Some(loc) = init.loc()
        {
            self.guard(loc, work_before);
        }
        bind(pat, val, locals);
        let other = self.block(els, &mut locals.clone());
        let reach = flow.reach.max(if t == Truth::True { Reach::No } else { other.reach });
        Flow { reach, diverges: t == Truth::False, val: Val::Unknown }
    }

    /// The value a `let` (or an assignment) gives a name, from what the
    /// walk found (`walked`): a boolean computed from a test of the
    /// markers (`let wait = args.any(..)`) is that test's truth for the
    /// child when it binds one plain name.
    fn bound_value(&mut self, init: &Expr, ty: Option<&str>, walked: Val, plain: bool, locals: &mut Locals) -> Val {
        let val = if matches!(walked, Val::Unknown) { self.eval(init, locals) } else { walked };
        if plain && let Some(f) = crate::lint::local_fn::bound(init.peel()) {
            return f;
        }
        let mut val = crate::lint::bind::annotated(self.prog, ty, val);
        if matches!(val, Val::Unknown | Val::Derived(_)) && plain {
            let mut c = self.cond();
            let t = c.truth(init, &mut locals.clone());
            let tested = c.tested;
            self.saw(&tested);
            // A derived value the condition could not decide keeps its source,
            // which names what the check could not know; one it found the
            // same in the child as in the parent is no longer unknown.
            let derived = matches!(val, Val::Derived(_));
            if (t != Truth::Same || derived) && !(t == Truth::Unknown && derived) {
                val = Val::Truth(t);
            }
        }
        val
    }

    /// `name = value`: the local holds the value from here on.
    pub(super) fn assign(&mut self, lhs: &Expr, rhs: &Expr, locals: &mut Locals) -> Flow {
        let flow = self.seq([lhs], None, locals);
        if flow.stops() {
            return flow;
        }
        let value = self.expr(rhs, locals);
        if !value.stops()
            && let Expr::Path(p, _) = lhs.peel()
            && let [name] = &p[..]
            && locals.contains_key(name.as_str())
        {
            let val = self.bound_value(rhs, None, value.val.clone(), true, locals);
            locals.insert(name.to_string(), val);
        }
        Flow { reach: flow.reach.max(value.reach), diverges: value.diverges, val: Val::Unknown }
    }

    /// Walks a loop's body on `inner` (a copy of `locals` with the loop's
    /// bindings) and carries out what it assigned, as the body's end and
    /// each `break` or `continue` left it (`restart = true; break;`).
    pub(super) fn loop_body(&mut self, body: &[Stmt], mut inner: Locals, locals: &mut Locals, may_skip: bool) -> Flow {
        self.breaks.push(Vec::new());
        let flow = self.block(body, &mut inner);
        self.end_scope(super::unsure::Scope::Loop(self.breaks.len()));
        let exits = self.breaks.pop().unwrap_or_default();
        let ways: Vec<Way<'_>> = std::iter::once(&inner).chain(&exits).map(Some).collect();
        carry_out(locals, &[Code::Block(body)], &ways, may_skip, Truth::Same, false);
        flow
    }
}

/// One way out of nested code walked on a copy of the locals: the copy as
/// it ended, or `None` when that way diverged (its assignments never reach
/// the code after it).
pub(super) type Way<'l> = Option<&'l Locals>;

/// Carries the assignments of nested code `code` back into `outer`: each
/// local of `outer` that `code` assigns holds, after it, the value every
/// way out agrees on (with the value before when `code` may not run), or
/// an unknown one; chosen by a test of the child's markers the check could
/// not decide (`t`), never "the same as in the parent". A flag set in a
/// branch a test of the markers sent the child into (`routed`) routes the
/// child as much as that test: `if worker { return }` is its guard.
pub(super) fn carry_out(
    outer: &mut Locals,
    code: &[Code<'_>],
    ways: &[Way<'_>],
    may_skip: bool,
    t: Truth,
    routed: bool,
) {
    // Cheap first: only a local some way changed can have been assigned.
    let changed: Vec<String> = outer
        .iter()
        .filter(|(name, old)| ways.iter().flatten().any(|w| w.get(*name).is_some_and(|v| v != *old)))
        .map(|(name, _)| name.clone())
        .collect();
    if changed.is_empty() {
        return;
    }
    // A `let` of the same name inside `code` shadows; only an assignment
    // changes the outer local.
    let assigned: Vec<String> = changed.into_iter().filter(|n| code.iter().any(|c| c.assigns(n))).collect();
    for name in assigned {
        let old = outer.get(&name).cloned().unwrap_or(Val::Unknown);
        let start = if may_skip { old.clone() } else { Val::Error };
        let joined = ways.iter().fold(start, |acc, way| match way {
            Some(l) => acc.either(l.get(&name).cloned().unwrap_or(Val::Unknown)),
            None => acc,
        });
        match chosen_by(t, joined) {
            Val::Error => {}
            Val::Bool(b) if routed => {
                outer.insert(name, Val::Truth(Truth::from_bool(b)));
            }
            v => {
                outer.insert(name, v);
            }
        }
    }
}

/// Nested code: a block, or one expression (an `else`, a match arm).
#[derive(Clone, Copy)]
pub(super) enum Code<'a> {
    Block(&'a [Stmt]),
    Expr(&'a Expr),
}

impl Code<'_> {
    /// Whether the code assigns the outer local `name` (`name = ..`,
    /// `name |= ..`): never when it binds a `name` of its own (`let`, a
    /// pattern, a closure parameter), whose assignments are to that one.
    fn assigns(self, name: &str) -> bool {
        let binds = |pat: &Pat| {
            let mut names = Vec::new();
            pat.bindings(&mut names);
            names.iter().any(|n| n == name)
        };
        let lets = |stmts: &[Stmt]| stmts.iter().any(|s| matches!(s, Stmt::Let { pat, .. } if binds(pat)));
        let (mut assigned, mut shadowed) = (false, false);
        let mut test = |e: &Expr| match e {
            Expr::Assign(lhs, _) => {
                assigned |= matches!(lhs.peel(), Expr::Path(p, _) if p.len() == 1 && p[0] == name);
            }
            Expr::Block(b) | Expr::Loop { body: b, .. } | Expr::While(_, b) | Expr::If { then: b, .. } => {
                shadowed |= lets(b);
            }
            Expr::For(pat, _, b) => shadowed |= binds(pat) || lets(b),
            Expr::Closure(params, _) => shadowed |= params.iter().any(binds),
            Expr::Match { arms, .. } => shadowed |= arms.iter().any(|a| binds(&a.pat)),
            Expr::Let(pat, _) => shadowed |= binds(pat),
            _ => {}
        };
        let top = match self {
            Code::Block(stmts) => {
                for_each_expr(stmts, &mut test);
                lets(stmts)
            }
            Code::Expr(e) => {
                crate::lint::visit::expr(e, &mut test);
                false
            }
        };
        assigned && !shadowed && !top
    }
}
