//! Walking a lowered body: every expression, outermost first. Shared by the
//! call graph, the receiver typing, the walk's scans and the verdict's
//! settling, so that none of them imports another for it.

use super::ir::{Expr, Stmt};

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

/// Calls `f` on `e` and every expression inside it, outermost first.
pub(crate) fn expr(e: &Expr, f: &mut dyn FnMut(&Expr)) {
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
        Expr::Field(a, _)
        | Expr::Ref(a)
        | Expr::Try(a)
        | Expr::Not(a)
        | Expr::Let(_, a)
        | Expr::Closure(_, a)
        | Expr::Handed(a, _) => {
            expr(a, f);
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
