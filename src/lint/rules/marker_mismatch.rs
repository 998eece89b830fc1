//! `marker-mismatch`: the site marks its child (env var or argument) and a
//! guard exists, but the guard tests a different marker, so the child
//! passes through it.

use super::SiteContext;
use crate::diag::{Code, Diagnostic};
use crate::lint::cond::{DIFFERS, UNREAD};
use crate::lint::walk::Reach;

pub(crate) fn check(ctx: &SiteContext<'_>) -> Option<Diagnostic> {
    let marker = &ctx.site.marker;
    if marker.is_empty() || ctx.outcome.tested.is_empty() {
        return None;
    }
    let mut given: Vec<String> = marker.env.iter().filter_map(|(k, _)| k.clone()).collect();
    given.extend(marker.args.iter().chain(&marker.appended).flatten().cloned());
    if given.is_empty() {
        return None;
    }
    let mut tested: Vec<&(String, _)> = ctx
        .outcome
        .tested
        .iter()
        .filter(|(t, _)| !given.contains(t) && !t.starts_with(UNREAD) && !t.starts_with(DIFFERS))
        .collect();
    // A subcommand pattern tests its token twice (some subcommand, then this one).
    tested.dedup();
    // The site's marker is tested somewhere on the way: not a mismatch.
    let matched = ctx.outcome.seen.iter().any(|t| given.contains(t));
    // Only when the child got past every guard and no condition on its way
    // looked for anything the site gives.
    if matched || tested.is_empty() || ctx.outcome.reach != Some(Reach::Yes) {
        return None;
    }
    let (first, guard_loc) = tested[0];
    let mut d = Diagnostic::new(
        Code::MarkerMismatch,
        format!("the spawn marks the child with {} but the guard tests `{first}`", marker.describe()),
        (ctx.locate)(ctx.site.loc),
    )
    .label("the child gets this marker")
    .note((ctx.locate)(*guard_loc), format!("this guard tests `{first}`, which the child does not get"))
    .help("use one shared `const` for the marker at the spawn site and in the guard");
    if ctx.outcome.path.len() > 1 {
        d = d.note((ctx.locate)(ctx.main_loc), super::unguarded_self_spawn::through(&ctx.outcome.path));
    }
    for (other, loc) in tested.iter().skip(1).take(2) {
        d = d.note((ctx.locate)(*loc), format!("this also tests `{other}`"));
    }
    Some(d)
}
