//! `undecided-self-spawn`: the program spawns itself, but whether the child
//! is guarded depends on something the static check cannot see (a marker
//! computed at run time, a macro's expansion, an ambiguous call).

use super::SiteContext;
use crate::diag::{Code, Diagnostic, Location};
use crate::lint::walk::Reach;

const HELP: &str = "run the built binary under the spawn-storm probe to check it for real, or make the marker a literal (or a `const`) tested at the top of `main`";

pub(crate) fn check(ctx: &SiteContext<'_>) -> Option<Diagnostic> {
    if ctx.outcome.reach != Some(Reach::Maybe) {
        return None;
    }
    let (reason, at) = ctx
        .outcome
        .reason
        .clone()
        .unwrap_or_else(|| ("the path from `main` to this spawn could not be followed".to_string(), ctx.site.loc));
    let message = format!("cannot decide whether this self-spawn is guarded: {reason}");
    let mut d = Diagnostic::new(Code::UndecidedSelfSpawn, message, (ctx.locate)(ctx.site.loc))
        .label(super::site_label(ctx.site))
        .help(HELP);
    if at != ctx.site.loc {
        d = d.note((ctx.locate)(at), "the check could not decide here");
    }
    Some(d)
}

/// A self-spawn hidden in a `macro_rules!` expansion.
pub(crate) fn from_macro(location: Location, reason: &str) -> Diagnostic {
    Diagnostic::new(
        Code::UndecidedSelfSpawn,
        format!("cannot decide whether this program spawns itself unguarded: {reason}"),
        location,
    )
    .label("this macro may start the program's own executable")
    .help(HELP)
}
