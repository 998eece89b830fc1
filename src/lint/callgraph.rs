//! Who calls whom among the analysed functions: calls by path, method calls
//! by name, and functions passed as values. Used to find the spawn sites a
//! binary can run and the functions through which a site can be reached.

use super::api;
use super::index::{FnId, Program, Target};
use super::ir::{Expr, Stmt};
use std::collections::HashSet;

pub(crate) struct CallGraph {
    pub callees: Vec<Vec<FnId>>,
    callers: Vec<Vec<FnId>>,
}

impl CallGraph {
    pub fn new(prog: &Program<'_>) -> CallGraph {
        let mut callees = Vec::with_capacity(prog.fns.len());
        for id in 0..prog.fns.len() {
            let def = prog.def(id);
            let mut out = HashSet::new();
            let mut visit = |e: &Expr| match e {
                Expr::Call { func, .. } => {
                    if let Expr::Path(path, _) = func.peel()
                        && let Target::Fns(ids) = prog.resolve_from(id, path)
                    {
                        out.extend(ids);
                    }
                }
                Expr::Path(path, _) => {
                    if let Target::Fns(ids) = prog.resolve_from(id, path) {
                        out.extend(ids);
                    }
                }
                Expr::Method { name, recv, .. } => {
                    let on_self = matches!(recv.peel(), Expr::Path(p, _) if p.len() == 1 && p[0] == "self");
                    if on_self || !api::STD_METHODS.contains(&name.as_str()) {
                        out.extend(prog.methods_named(name).iter().copied());
                    }
                }
                _ => {}
            };
            for_each_expr(&def.body, &mut visit);
            let mut list: Vec<FnId> = out.into_iter().collect();
            list.sort_unstable();
            callees.push(list);
        }
        let mut callers = vec![Vec::new(); callees.len()];
        for (from, list) in callees.iter().enumerate() {
            for &to in list {
                callers[to].push(from);
            }
        }
        CallGraph { callees, callers }
    }

    /// Every function reachable from `entries`.
    pub fn reachable_from(&self, entries: &[FnId]) -> HashSet<FnId> {
        closure(entries, &self.callees)
    }

    /// Every function from which `target` can be reached.
    pub fn reaching(&self, target: FnId) -> HashSet<FnId> {
        closure(&[target], &self.callers)
    }
}

fn closure(start: &[FnId], edges: &[Vec<FnId>]) -> HashSet<FnId> {
    let mut seen: HashSet<FnId> = start.iter().copied().collect();
    let mut stack = start.to_vec();
    while let Some(id) = stack.pop() {
        for &next in &edges[id] {
            if seen.insert(next) {
                stack.push(next);
            }
        }
    }
    seen
}

/// Calls `f` on every expression of a body, outermost first.
pub(crate) fn for_each_expr(stmts: &[Stmt], f: &mut dyn FnMut(&Expr)) {
    for stmt in stmts {
        match stmt {
            Stmt::Let { init, els, .. } => {
                if let Some(e) = init {
                    expr(e, f);
                }
                if let Some(b) = els {
                    for_each_expr(b, f);
                }
            }
            Stmt::Expr(e, _) => expr(e, f),
        }
    }
}

fn expr(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Call { func, args, .. } => {
            expr(func, f);
            args.iter().for_each(|a| expr(a, f));
        }
        Expr::Method { recv, args, .. } => {
            expr(recv, f);
            args.iter().for_each(|a| expr(a, f));
        }
        Expr::Field(a, _) | Expr::Ref(a) | Expr::Try(a) | Expr::Not(a) | Expr::Let(_, a) | Expr::Closure(_, a) => {
            expr(a, f)
        }
        Expr::Index(a, b) | Expr::Binary(_, a, b) | Expr::Assign(a, b) => {
            expr(a, f);
            expr(b, f);
        }
        Expr::If { cond, then, els, .. } => {
            expr(cond, f);
            for_each_expr(then, f);
            if let Some(e) = els {
                expr(e, f);
            }
        }
        Expr::Match { scrut, arms, .. } => {
            expr(scrut, f);
            for arm in arms {
                if let Some(g) = &arm.guard {
                    expr(g, f);
                }
                expr(&arm.body, f);
            }
        }
        Expr::Block(b) | Expr::Loop { body: b, .. } => for_each_expr(b, f),
        Expr::While(c, b) | Expr::For(_, c, b) => {
            expr(c, f);
            for_each_expr(b, f);
        }
        Expr::Return(Some(v), _) => expr(v, f),
        Expr::Macro(m) => m.args.iter().for_each(|a| expr(a, f)),
        Expr::Struct(_, fields) => fields.iter().for_each(|(_, v)| expr(v, f)),
        Expr::Tuple(items) | Expr::Array(items) | Expr::Other(items) => items.iter().for_each(|a| expr(a, f)),
        _ => {}
    }
}
