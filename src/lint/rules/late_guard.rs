//! `late-guard`: the guard works, but work that must not run twice (files,
//! sockets, threads, other processes) runs before it, in every child too.

use super::SiteContext;
use crate::diag::{Code, Diagnostic};
use crate::lint::walk::Reach;

pub(crate) fn check(ctx: &SiteContext<'_>) -> Option<Diagnostic> {
    let (work, guard) = ctx.outcome.late?;
    if ctx.outcome.reach == Some(Reach::Yes) {
        return None;
    }
    Some(
        Diagnostic::new(
            Code::LateGuard,
            "the child-dispatch guard runs after work that every child repeats",
            (ctx.locate)(work),
        )
        .label("this runs again in every child")
        .note((ctx.locate)(guard), "the guard is only here")
        .help("move the guard above this line; only harmless setup (logging, panic hooks, reading args or env) should come first"),
    )
}
