//! `runtime-before-guard`: an async runtime (`#[tokio::main]`, a
//! `Runtime::new()` or `block_on` before the guard) starts in every child
//! before the guard can send it away.

use super::SiteContext;
use crate::diag::{Code, Diagnostic};
use crate::lint::walk::Reach;

pub(crate) fn check(ctx: &SiteContext<'_>) -> Option<Diagnostic> {
    if ctx.outcome.reach == Some(Reach::Yes) || ctx.outcome.guards.is_empty() {
        return None;
    }
    let guard = (ctx.locate)(ctx.outcome.guards[0]);
    let (loc, what) = match (ctx.async_main, ctx.outcome.runtime) {
        (Some(attr), _) => (ctx.main_loc, format!("`#[{attr}]` starts a runtime before `main`'s body runs")),
        (None, Some(loc)) => (loc, "this starts an async runtime before the guard".to_string()),
        (None, None) => return None,
    };
    Some(
        Diagnostic::new(
            Code::RuntimeBeforeGuard,
            "an async runtime starts before the child-dispatch guard runs",
            (ctx.locate)(loc),
        )
        .label(what)
        .note(guard, "the guard runs only here")
        .help("keep `main` synchronous: run the guard first, then build the runtime and `block_on` the async main"),
    )
}
