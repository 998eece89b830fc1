//! `guarded` must name the guard that makes it so (issue 14). A walk that
//! never arrived at the spawn site and saw no guard on the way either lost
//! the parent's path (a call it could not resolve: a `Deref` wrapper, a
//! trait object), and then the site is `undecided` with the reason, or
//! found that the parent never gets there (the call graph links methods by
//! name, so it over-approximates), and then the site is dead code. For a
//! self-spawning library whose `init()` the program never calls the answer
//! is `unguarded`: only `init()` sends that library's child away, and
//! without it the child goes wherever the parent went, back to the site.

use super::api;
use super::fnset::FnSet;
use super::index::{Program, Target};
use super::ir::Expr;
use super::name::intern;
use super::value::{Site, Via};
use super::visit::for_each_expr;
use super::walk::{Outcome, Reach};

/// Settles a guard-less answer: a library whose `init()` is never called
/// is `Yes` once the walk may have arrived or lost its way; a site the walk
/// never arrived at is `Maybe` when it lost its way (a call it could not
/// resolve), and otherwise stays `No`: the parent itself never gets there
/// (the call graph's by-name edges over-approximate), see [`is_dead`].
pub(crate) fn settle(outcome: &mut Outcome, site: &Site, prog: &Program<'_>, reachable: &FnSet) {
    if outcome.reach == Some(Reach::Yes) || !outcome.guards.is_empty() {
        return;
    }
    let lib = matches!(site.via, Via::Procspawn | Via::Mitosis).then_some(site.via);
    let lost_or_maybe = outcome.lost.is_some() || outcome.reach == Some(Reach::Maybe);
    if let Some(via) = lib
        && lost_or_maybe
        && !calls_library_init(prog, reachable, via)
    {
        // Whatever the walk could not follow, the child follows the parent.
        outcome.reach = Some(Reach::Yes);
        outcome.reason = None;
        return;
    }
    if outcome.reach == Some(Reach::No)
        && let Some((why, loc)) = outcome.lost.clone()
    {
        outcome.reach = Some(Reach::Maybe);
        outcome.reason.get_or_insert((why, loc));
    }
}

/// A site the walk from `main` never arrived at, with no guard on the way
/// and no call it could not follow: the parent never runs it, so the
/// program does not spawn itself there (it is left out of the report).
pub(crate) fn is_dead(outcome: &Outcome) -> bool {
    outcome.reach == Some(Reach::No) && outcome.guards.is_empty()
}

/// Whether any function `main` can reach calls `via`'s `init()` (the
/// library's, or the library's own when its source is analysed).
fn calls_library_init(prog: &Program<'_>, reachable: &FnSet, via: Via) -> bool {
    reachable.iter().any(|id| {
        let mut found = false;
        for_each_expr(prog.def(id).body.get(), &mut |e| {
            if let Expr::Method { recv, name, .. } = e
                && name == "init"
                && let Some(path) = api::chain_root(recv)
                && let Target::External(canon) = prog.resolve_from(id, path)
            {
                found |= api::library_config_init(&canon) == Some(via);
            }
            let Expr::Call { func, .. } = e else { return };
            let Expr::Path(path, _) = func.peel() else { return };
            found |= match prog.resolve_from(id, path) {
                Target::External(canon) => api::library_init(&canon) == Some(via),
                Target::Fns(ids) => ids.iter().any(|&f| {
                    let krate = &prog.krate(prog.krate_of(f)).name;
                    api::library_init(&[intern(krate), intern(&prog.def(f).name)]) == Some(via)
                }),
            };
        });
        found
    })
}
