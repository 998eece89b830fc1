//! How far the doubt of a branch that may leave reaches. A child that may
//! or may not leave at a branch the check cannot decide arrives at what
//! follows only "maybe"; but a `return` leaves only its function, and a
//! `break` or `continue` only its loop: the caller's code after the call,
//! and the code after the loop, run either way. Kept to the end of the
//! program, the doubt of a helper's early `return` (a config migration's
//! `if suffix == "yml" { return .. }`) or of a loop's `break` (`if arg ==
//! "-e" { break }` while copying argv) made a later self-spawn
//! `undecided` (issue 14).

use super::Walker;
use super::scan;
use crate::lint::index::Target;
use crate::lint::ir::{Expr, Name, Stmt};
use crate::lint::visit::for_each_expr;

/// Where the doubt ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scope {
    /// Never: the way out may end the process (an exit, a panic, a call
    /// that may stop), or the doubt has another cause.
    Process,
    /// When the function walked at this stack depth returns.
    Function(usize),
    /// When the loop at this depth of the walk's loops ends.
    Loop(usize),
}

impl Walker<'_, '_, '_> {
    /// The scope of the doubt of a branch that leaves by `code`.
    pub(super) fn leaving_scope(&self, code: &[Stmt]) -> Scope {
        let (mut stops, mut returns) = (false, false);
        for_each_expr(code, &mut |e| match e {
            Expr::Return(..) | Expr::Try(_) => returns = true,
            Expr::Macro(m) => stops |= m.path.last().is_none_or(|n| crate::lint::api::macro_diverges(n)),
            Expr::Method { name, .. } => stops |= *name == "exit",
            Expr::Call { func, .. } => stops |= self.call_may_stop(func),
            _ => {}
        });
        match (stops, returns) {
            (true, _) => Scope::Process,
            (false, true) => Scope::Function(self.stack.len()),
            (false, false) => Scope::Loop(self.breaks.len()),
        }
    }

    fn call_may_stop(&self, func: &Expr) -> bool {
        let Expr::Path(path, _) = func.peel() else { return true };
        if path.last().is_some_and(|n: &Name| matches!(n.as_str(), "exit" | "abort" | "init" | "resume_unwind")) {
            return true;
        }
        match self.prog.resolve_from(self.fn_id(), path) {
            Target::Fns(ids) => ids.iter().any(|&id| self.prog.def(id).never || scan::may_stop(self.prog, id)),
            Target::External(canon) => crate::lint::api::diverges(&canon),
        }
    }

    /// The function or loop `scope` names ended: its doubt ends with it.
    pub(super) fn end_scope(&mut self, scope: Scope) {
        if self.unsure.as_ref().is_some_and(|(_, _, s)| *s == scope) {
            self.unsure = None;
        }
    }
}
