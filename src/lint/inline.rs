//! A helper function called in a guard condition (`if is_worker(&args)`),
//! evaluated in the child with its arguments bound: its early exits
//! (`if c { return x; }`, `let P = e else { return x; }`, a `for` over
//! argv whose body is such an `if`) and its tail, each under the condition
//! that reaches it. A helper is read only up to three calls deep.

use super::cond::Cond;
use super::eval::Eval;
use super::ir::{Expr, Stmt};
use super::value::{Locals, Truth, Val};
use super::visit;

/// One way out of the helper before its tail: taken when `when` holds,
/// with the result `then`.
struct Exit {
    when: Truth,
    then: Truth,
}

impl Cond<'_, '_, '_> {
    /// The truth of helper `id`'s result in the child.
    pub(super) fn inline(&mut self, id: usize, vals: Vec<Val>) -> Truth {
        if self.depth >= 3 {
            return Truth::Same;
        }
        let def = self.prog.def(id);
        let mut locals = Locals::default();
        for (p, v) in def.params.iter().zip(vals) {
            super::bind::bind(p, v, &mut locals);
        }
        let mut inner = Cond {
            prog: self.prog,
            facts: self.facts,
            child: self.child,
            fn_id: id,
            tested: Vec::new(),
            decided: false,
            depth: self.depth + 1,
        };
        let t = inner.body(id, def.body.get(), &mut locals);
        let untested = inner.tested.is_empty() && !inner.decided;
        self.tested.extend(inner.tested);
        self.decided |= inner.decided;
        // Nothing the helper tested was found, yet its body reads the
        // markers (through a `OnceLock`, a closure, `?` on an env lookup):
        // its answer is computed from them.
        match super::reads::marker_read(self.prog, id) {
            Some(source) if t == Truth::Same && untested => self.opaque(&Val::Derived(Box::new(source))),
            _ => t,
        }
    }

    fn body(&mut self, id: usize, body: &[Stmt], locals: &mut Locals) -> Truth {
        let Some((last, stmts)) = body.split_last() else { return Truth::Same };
        let mut eval = Eval::new(self.prog, self.facts, None, id);
        let mut exits = Vec::new();
        for stmt in stmts {
            if !returns(std::slice::from_ref(stmt)) {
                eval.block(std::slice::from_ref(stmt), locals);
                continue;
            }
            exits.push(self.exit(stmt, locals));
            if let Stmt::Let { pat, init, .. } = stmt {
                let val = init.as_ref().map_or(Val::Unknown, |e| eval.expr(e, locals));
                super::bind::bind(pat, val, locals);
            }
        }
        let tail = match last {
            Stmt::Expr(Expr::Return(Some(value), _), _) if !expr_returns(value) => self.truth(value, locals),
            // `if c { return a; } else { return b; }` as the last statement.
            Stmt::Expr(Expr::If { cond, then, els: Some(els), .. }, _)
                if let (Some(a), Expr::Block(other)) = (returned(then), &**els)
                    && let Some(b) = returned(other) =>
            {
                let when = self.truth(cond, &mut locals.clone());
                let (a, b) = (self.truth(a, &mut locals.clone()), self.truth(b, &mut locals.clone()));
                when.and(a).or(when.not().and(b))
            }
            Stmt::Expr(value, false) if !expr_returns(value) => self.truth(value, locals),
            // `Ok(read(STAMP)?.trim() != "sent")`: a way out where it fails,
            // then its answer.
            Stmt::Expr(value, false) if let Some(when) = self.fails(std::slice::from_ref(last), locals) => {
                exits.push(Exit { when, then: Truth::Same });
                self.truth(value, locals)
            }
            // Returns inside the last statement in a shape not read here.
            _ if returns(std::slice::from_ref(last)) => Truth::Unknown,
            _ => return Truth::Same,
        };
        // `c1 ? x1 : (c2 ? x2 : .. tail)`, from the last exit back.
        exits.iter().rev().fold(tail, |rest, exit| exit.when.and(exit.then).or(exit.when.not().and(rest)))
    }

    /// An early exit: when it is taken and what it returns. A shape not
    /// read here (a `return` in a loop, a `match` arm, an `else`) is an
    /// exit taken for reasons unknown with a result unknown.
    fn exit(&mut self, stmt: &Stmt, locals: &mut Locals) -> Exit {
        let unknown = Exit { when: Truth::Unknown, then: Truth::Unknown };
        match stmt {
            Stmt::Expr(Expr::If { cond, then, els: None, .. }, _) => {
                let Some(value) = returned(then) else { return unknown };
                let when = self.truth(cond, &mut locals.clone());
                Exit { when, then: self.truth(value, &mut locals.clone()) }
            }
            Stmt::Let { pat, init: Some(init), els: Some(els), .. } if !expr_returns(init) => {
                let Some(value) = returned(els) else { return unknown };
                let val = Eval::new(self.prog, self.facts, None, self.fn_id).expr(init, &mut locals.clone());
                let when = self.pattern(pat, &val, &mut locals.clone()).not();
                Exit { when, then: self.truth(value, &mut locals.clone()) }
            }
            // `for a in env::args() { if a == "--worker" { return true; } }`
            Stmt::Expr(Expr::For(pat, iter, body), _) => {
                let [Stmt::Expr(Expr::If { cond, then, els: None, .. }, _)] = &**body else { return unknown };
                let Some(value) = returned(then) else { return unknown };
                let mut inner = locals.clone();
                let items = Eval::new(self.prog, self.facts, None, self.fn_id).expr(iter, &mut inner);
                // Some argument passes the test: the same question as `args.any(..)`.
                let item = if matches!(items, Val::Argv { .. }) { Val::ArgvItem(None) } else { Val::Unknown };
                super::bind::bind(pat, item, &mut inner);
                Exit { when: self.truth(cond, &mut inner), then: self.truth(value, &mut inner) }
            }
            _ => match self.fails(std::slice::from_ref(stmt), locals) {
                Some(when) => Exit { when, then: Truth::Same },
                None => unknown,
            },
        }
    }

    /// `let text = fs::read_to_string(STAMP)?;`: whether `stmts`, whose
    /// only ways out are `?`, take one in the child; `None` when they also
    /// `return`. A `?` fails where the parent's failed unless what it
    /// tries is not the same in the child (a file the program writes, an
    /// env var the spawn sets). Its way out is no test of the child: the
    /// `Err` takes the caller out too (by its own `?` or `.unwrap()`), as
    /// it does the parent.
    fn fails(&mut self, stmts: &[Stmt], locals: &Locals) -> Option<Truth> {
        let mut tried = Vec::new();
        let mut returns = false;
        visit::for_each_expr(stmts, &mut |e| match e {
            Expr::Try(inner) => tried.push((**inner).clone()),
            Expr::Return(..) => returns = true,
            _ => {}
        });
        if returns || tried.is_empty() {
            return None;
        }
        let mut when = Truth::False;
        for inner in &tried {
            let val = Eval::new(self.prog, self.facts, None, self.fn_id).expr(inner, &mut locals.clone());
            when = when.or(self.present(&val).not());
        }
        Some(when)
    }
}

/// `{ ..; return x; }` with no other `return` inside: `x`.
fn returned(block: &[Stmt]) -> Option<&Expr> {
    // A `let .. else` keeps its else as one block expression.
    if let [Stmt::Expr(Expr::Block(inner), _)] = block {
        return returned(inner);
    }
    let (last, before) = block.split_last()?;
    let Stmt::Expr(Expr::Return(Some(value), _), _) = last else { return None };
    (!returns(before) && !expr_returns(value)).then_some(&**value)
}

/// Whether a `return` (or `?`, which returns early too) occurs in `stmts`.
fn returns(stmts: &[Stmt]) -> bool {
    let mut found = false;
    visit::for_each_expr(stmts, &mut |e| found |= is_exit(e));
    found
}

fn expr_returns(e: &Expr) -> bool {
    let mut found = false;
    visit::expr(e, &mut |e| found |= is_exit(e));
    found
}

fn is_exit(e: &Expr) -> bool {
    matches!(e, Expr::Return(..) | Expr::Try(_))
}
