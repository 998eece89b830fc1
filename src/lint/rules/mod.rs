//! One file per finding. Each rule looks at what the walk found for one
//! spawn site and pushes diagnostics; none of them prints.

pub(crate) mod argv0_self_spawn;
pub(crate) mod late_guard;
pub(crate) mod marker_mismatch;
pub(crate) mod parse_error;
pub(crate) mod runtime_before_guard;
pub(crate) mod undecided_self_spawn;
pub(crate) mod unguarded_self_spawn;

use super::ir::Loc;
use super::value::Site;
use super::walk::Outcome;
use crate::diag::{Diagnostic, Location};

/// What the rules see about one spawn site.
pub(crate) struct SiteContext<'a> {
    pub site: &'a Site,
    pub outcome: &'a Outcome,
    pub locate: &'a dyn Fn(Loc) -> Location,
    /// `#[tokio::main]`-style attribute on `main`, if any.
    pub async_main: Option<&'a str>,
    pub main_loc: Loc,
}

/// Runs every site rule, most important first; a mismatch replaces the
/// plain "unguarded" finding because it says more.
pub(crate) fn check_site(ctx: &SiteContext<'_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    match marker_mismatch::check(ctx) {
        Some(d) => out.push(d),
        None => out.extend(unguarded_self_spawn::check(ctx)),
    }
    out.extend(undecided_self_spawn::check(ctx));
    out.extend(late_guard::check(ctx));
    out.extend(runtime_before_guard::check(ctx));
    out.extend(argv0_self_spawn::check(ctx));
    out
}

/// The label under a spawn site: what it starts and what the child gets.
pub(crate) fn site_label(site: &Site) -> String {
    let what = match site.via {
        super::value::Via::EnvWrapper | super::value::Via::Launcher => {
            "starts a program that runs the program's own executable"
        }
        _ => "starts the program's own executable",
    };
    format!("{what} ({})", site.marker.describe())
}
