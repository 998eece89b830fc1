//! Quick syntactic questions about function bodies that decide whether the
//! walk enters a call at all.

use super::Walker;
use crate::lint::api;
use crate::lint::index::{FnId, Program, Target};
use crate::lint::ir::Name;
use crate::lint::ir::{Expr, FnDef, Stmt};
use crate::lint::visit::for_each_expr;

/// How many calls deep [`may_stop`] looks for a stop through wrappers
/// (`fn setup_workers() { pool::install() }` -> `mitosis::init()`).
const STOP_DEPTH: u8 = 3;

/// Whether a body can end the process or the child's path: directly, or
/// through functions of the analysed crates it calls by path, a few deep.
pub(super) fn may_stop(prog: &Program<'_>, id: FnId) -> bool {
    crate::lint::memo::may_stop(prog, id, || may_stop_within(prog, id, STOP_DEPTH))
}

fn may_stop_within(prog: &Program<'_>, id: FnId, depth: u8) -> bool {
    let def = prog.def(id);
    if stops_here(def) {
        return true;
    }
    if depth == 0 {
        return false;
    }
    let mut callees = Vec::new();
    for_each_expr(def.body.get(), &mut |e| {
        if let Expr::Call { func, .. } = e
            && let Expr::Path(path, _) = func.peel()
            && let Target::Fns(ids) = prog.resolve_from(id, path)
        {
            callees.extend(ids.into_iter().filter(|&c| c != id));
        }
    });
    callees.into_iter().any(|c| may_stop_within(prog, c, depth - 1))
}

/// Whether a body can end the process or the child's path directly: exit,
/// abort, `-> !`, a library `init`, a panic.
fn stops_here(def: &FnDef) -> bool {
    if def.never {
        return true;
    }
    let mut found = false;
    for_each_expr(def.body.get(), &mut |e| {
        found |= match e {
            Expr::Call { func, .. } => {
                matches!(func.peel(), Expr::Path(p, _) if matches!(p.last().map(Name::as_str), Some("exit" | "abort" | "init")))
            }
            Expr::Macro(m) => m.path.last().is_some_and(|n| api::macro_diverges(n)),
            _ => false,
        }
    });
    found
}

/// Whether a block ends by leaving: `return`, `exit`, a `-> !`-looking
/// call, a panic, `bail!`, or a call whose name says it runs the worker
/// and is the block's tail (`run_worker()` as the tail of a guard branch).
pub(super) fn block_leaves(stmts: &[Stmt]) -> bool {
    let Some(last) = stmts.last() else { return false };
    let e = match last {
        Stmt::Expr(e, _) => e,
        Stmt::Let { .. } => return false,
    };
    match e.peel() {
        Expr::Return(..) | Expr::Break | Expr::Continue => true,
        Expr::Call { func, .. } => {
            matches!(func.peel(), Expr::Path(p, _) if matches!(p.last().map(Name::as_str), Some("exit" | "abort")))
        }
        Expr::Macro(m) => m.path.last().is_some_and(|n| api::macro_diverges(n)),
        Expr::Block(b) => block_leaves(b),
        _ => false,
    }
}

/// Whether a body reads argv, env vars or parses a clap struct: its result
/// may decide where the child goes.
pub(super) fn reads_markers(prog: &Program<'_>, id: FnId) -> bool {
    const READS: &[&str] = &[
        "var",
        "var_os",
        "args",
        "args_os",
        "parse",
        "try_parse",
        "get_matches",
        "try_get_matches",
        "try_get_matches_from",
        "parse_from",
        "try_parse_from",
    ];
    let mut found = false;
    for_each_expr(prog.def(id).body.get(), &mut |e| {
        found |= match e {
            Expr::Call { func, .. } => {
                matches!(func.peel(), Expr::Path(p, _) if p.last().is_some_and(|n| READS.contains(&n.as_str())))
            }
            Expr::Method { name, .. } => READS.contains(&name.as_str()),
            _ => false,
        }
    });
    found
}

impl Walker<'_, '_, '_> {
    /// Whether a branch can lead to the site (syntactically, or through a
    /// call): its tests are then the parent's trigger, not a guard.
    pub(super) fn block_reaches_site(&self, stmts: &[Stmt]) -> bool {
        let mut found = false;
        for_each_expr(stmts, &mut |e| found |= self.leads_to_site(e));
        found
    }

    pub(super) fn expr_reaches_site(&self, e: &Expr) -> bool {
        self.block_reaches_site(std::slice::from_ref(&Stmt::Expr(e.clone(), false)))
    }

    fn leads_to_site(&self, e: &Expr) -> bool {
        let id = self.fn_id();
        match e {
            Expr::Call { loc, .. } if *loc == self.site => true,
            Expr::Macro(m) => m.loc == self.site,
            Expr::Call { func, .. } => match func.peel() {
                Expr::Path(path, _) => matches!(
                    self.prog.resolve_from(id, path),
                    Target::Fns(ids) if ids.iter().any(|i| self.reaches.contains(i))
                ),
                _ => false,
            },
            Expr::Method { name, .. } => self.prog.methods_named(name).iter().any(|i| self.reaches.contains(i)),
            _ => false,
        }
    }
}
