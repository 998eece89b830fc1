//! Self-updates: calls that replace the program's own executable with
//! another build (`self_replace::self_replace`, the `self_update` crate's
//! updater). A program that re-executes itself after one starts the build
//! it just installed, not the code being analysed: whether that child
//! updates and restarts again depends on what was installed (its version),
//! which the source does not show. The walk uses this to stop taking such
//! a child "the parent's way" past the update (issue 14: a self-updater
//! that restarts into the new release was called `unguarded`).

use super::index::{FnId, Program, Target};
use super::ir::{Expr, Loc};
use super::name::Name;
use super::visit::for_each_expr;

/// How many calls deep a function is searched for a replacing call
/// (`main` -> `auto_update` -> `install` -> `self_replace`).
const DEPTH: u8 = 3;

/// A call that replaces the own executable, and which one.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Replacing {
    pub loc: Loc,
    /// The replacing API, as the message names it.
    pub api: &'static str,
    /// The function the call is in.
    pub func: Name,
}

/// The API an external function belongs to if it replaces the program's
/// own executable.
pub(crate) fn replacing_api(canon: &[Name]) -> Option<&'static str> {
    match canon {
        [krate, .., last] if **krate == *"self_replace" && **last == *"self_replace" => {
            Some("`self_replace::self_replace`")
        }
        // `self_update::backends::github::Update::configure()...update()`:
        // the updater's builder, not its release listing.
        [krate, rest @ ..]
            if **krate == *"self_update" && rest.iter().any(|s| **s == *"Update" || **s == *"UpdateBuilder") =>
        {
            Some("the `self_update` crate's updater")
        }
        _ => None,
    }
}

/// The first call in `id`'s body, or in a function of the analysed crates
/// it calls by path (a few deep), that replaces the own executable.
pub(crate) fn replacing_call(prog: &Program<'_>, id: FnId) -> Option<Replacing> {
    super::memo::replacing(prog, id, || search(prog, id, DEPTH))
}

fn search(prog: &Program<'_>, id: FnId, depth: u8) -> Option<Replacing> {
    let mut found = None;
    for_each_expr(prog.def(id).body.get(), &mut |e| {
        if found.is_none()
            && let Expr::Call { func, loc, .. } = e
            && let Expr::Path(path, _) = func.peel()
            && let Target::External(canon) = prog.resolve_from(id, path)
        {
            found = replacing_api(&canon).map(|api| Replacing { loc: *loc, api, func: prog.def(id).name });
        }
    });
    if found.is_some() || depth == 0 {
        return found;
    }
    // The call graph's edges out of `id` (memoised for the run).
    let callees = &super::callgraph::callees(prog, id).graph.fns;
    callees.iter().filter(|&&c| c != id).find_map(|&c| search(prog, c, depth - 1))
}

#[cfg(test)]
mod tests {
    use super::replacing_api;

    fn replaces_exe(canon: &[crate::lint::name::Name]) -> bool {
        replacing_api(canon).is_some()
    }

    use crate::lint::name::path_of as path;

    #[test]
    fn the_updating_apis_are_known_and_their_neighbours_are_not() {
        assert!(replaces_exe(&path("self_replace::self_replace")));
        assert!(replaces_exe(&path("self_update::backends::github::Update::configure")));
        assert!(!replaces_exe(&path("self_replace::self_delete")));
        assert!(!replaces_exe(&path("self_update::backends::github::ReleaseList::configure")));
        assert!(!replaces_exe(&path("std::fs::rename")));
    }
}
