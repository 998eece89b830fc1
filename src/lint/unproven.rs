//! A walk that never arrived at the spawn site and saw no guard on the way
//! proves nothing: the call graph says `main` can reach the site, so the
//! walk lost the parent's path (a call it could not resolve: a `Deref`
//! wrapper, a trait object). `guarded` must name the guard that makes it so
//! (issue 14), so such a site is `undecided`, with the reason, or, for a
//! self-spawning library whose `init()` the program never calls,
//! `unguarded`: only `init()` sends that library's child away, and without
//! it the child goes wherever the parent went, back to the site.

use super::api;
use super::callgraph::for_each_expr;
use super::index::{FnId, Program, Target};
use super::ir::Expr;
use super::value::{Site, Via};
use super::walk::{Outcome, Reach};
use std::collections::HashSet;

/// Turns a guard-less "not reached" into `Maybe`, and any guard-less
/// answer for a library whose `init()` is never called into `Yes`.
pub(crate) fn settle(outcome: &mut Outcome, site: &Site, prog: &Program<'_>, reachable: &HashSet<FnId>) {
    if outcome.reach == Some(Reach::Yes) || !outcome.guards.is_empty() {
        return;
    }
    let lib = matches!(site.via, Via::Procspawn | Via::Mitosis).then_some(site.via);
    if let Some(via) = lib
        && !calls_library_init(prog, reachable, via)
    {
        // Whatever the walk could not follow, the child follows the parent.
        outcome.reach = Some(Reach::Yes);
        outcome.reason = None;
        return;
    }
    if outcome.reach != Some(Reach::No) {
        return;
    }
    outcome.reach = Some(Reach::Maybe);
    if outcome.reason.is_none() {
        let why = "the check could not follow the calls from `main` to this spawn (reachable by a method's name only) and saw no guard on the way";
        outcome.reason = Some((why.to_string(), site.loc));
    }
}

/// Whether any function `main` can reach calls `via`'s `init()` (the
/// library's, or the library's own when its source is analysed).
fn calls_library_init(prog: &Program<'_>, reachable: &HashSet<FnId>, via: Via) -> bool {
    reachable.iter().any(|&id| {
        let mut found = false;
        for_each_expr(prog.def(id).body.get(), &mut |e| {
            let Expr::Call { func, .. } = e else { return };
            let Expr::Path(path, _) = func.peel() else { return };
            found |= match prog.resolve_from(id, path) {
                Target::External(canon) => api::library_init(&canon) == Some(via),
                Target::Fns(ids) => ids.iter().any(|&f| {
                    let krate = &prog.crates[prog.krate_of(f)].name;
                    api::library_init(&[krate.clone(), prog.def(f).name.clone()]) == Some(via)
                }),
            };
        });
        found
    })
}
