//! `argv0-self-spawn`: the program re-executes `argv[0]`, which may be a
//! relative path (breaks after `chdir`), a symlink, or a one-file launcher.

use super::SiteContext;
use crate::diag::{Code, Diagnostic};
use crate::lint::value::Origin;

pub(crate) fn check(ctx: &SiteContext<'_>) -> Option<Diagnostic> {
    if ctx.site.origin != Origin::Argv0 {
        return None;
    }
    Some(
        Diagnostic::new(
            Code::Argv0SelfSpawn,
            "the program re-executes itself through argv[0]",
            (ctx.locate)(ctx.site.loc),
        )
        .label("argv[0] may be relative, a symlink or a one-file launcher")
        .help("use `std::env::current_exe()` to find the program's own executable"),
    )
}
