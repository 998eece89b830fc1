//! Everything reachable from some functions through the call graph's
//! edges ([`super::memo::Callees`]), and the closures of library functions
//! that every binary linking the library shares.
//!
//! Issue 18: with 200 binaries over one library, each binary's closure
//! walked the reachable library again (twice: the call graph's edges and
//! the summaries' edges), 200 walks of the same functions. When a binary's
//! own crate defines no methods, no library function can call into it and
//! a library function's edges are shared ([`super::memo`]), so the library
//! functions reachable from a library function are the same in every such
//! binary: they are computed once per run, for the library functions that
//! own crates call, and a binary's closure takes them whole. A shared
//! closure, while computed, takes in the shared closures already computed
//! of the library functions it reaches, so the library is walked about
//! once, not once per entry into it. Reachability is a union over the
//! start functions, so the set is the same as walking everything. A library
//! that one binary links has no shared closures: walks from each library
//! function its crate calls would cover the same code again.

use super::fnset::FnSet;
use super::index::{FnId, Program};
use super::memo::{self, Edges};
use rayon::prelude::*;
use rustc_hash::FxHashSet as HashSet;

/// Which edges a closure follows.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Which {
    /// The call graph's ([`super::memo::Callees::graph`]).
    Graph,
    /// The summaries' ([`super::memo::Callees::all`]).
    All,
}

/// Everything reachable from `start` through the `which` edges `edges`
/// gives (which compute a function's edges on first use).
pub(crate) fn closure<'e>(
    prog: &Program<'_>,
    start: &[FnId],
    which: Which,
    edges: &(impl Fn(FnId) -> &'e Edges + Sync),
) -> FnSet {
    walk(prog, start, which, None, edges)
}

/// A walk from `start`; `computing` is the library function whose shared
/// closure this walk computes (it reads other shared closures, but starts
/// none: see [`shared`]).
fn walk<'e>(
    prog: &Program<'_>,
    start: &[FnId],
    which: Which,
    computing: Option<FnId>,
    edges: &(impl Fn(FnId) -> &'e Edges + Sync),
) -> FnSet {
    let mut seen = FnSet::new(prog.fn_count());
    let mut names: HashSet<&'e str> = HashSet::default();
    let mut wave: Vec<FnId> = start.iter().copied().filter(|&id| seen.insert(id)).collect();
    while !wave.is_empty() {
        // A function whose shared closure is known is taken whole: what it
        // reaches is in that closure, so it is not followed.
        wave.retain(|&id| match shared(prog, id, which, computing, edges) {
            Some(set) => {
                seen.union_with(set);
                false
            }
            None => true,
        });
        if wave.len() >= PARALLEL_WAVE {
            wave.par_iter().for_each(|&id| {
                edges(id);
            });
        }
        let mut next = Vec::new();
        for id in wave {
            let out = edges(id);
            let methods =
                out.names.iter().filter(|c| names.insert(c.name.as_str())).map(|c| prog.methods_named(&c.name));
            for to in out.fns.iter().copied().chain(methods.flat_map(std::borrow::Cow::into_owned)) {
                if seen.insert(to) {
                    next.push(to);
                }
            }
        }
        wave = next;
    }
    seen
}

/// The shared closure of library function `id`, when the program shares
/// the library's answers: computed on first use by a binary's walk, read
/// only by a walk that computes another one. It is computed outside its
/// cell (two threads may both compute it; they find the same set): the
/// walk hands waves to rayon, and a rayon thread waiting inside a cell's
/// initialisation could pick up another binary's task that waits for the
/// same cell.
fn shared<'p, 'e>(
    prog: &'p Program<'_>,
    id: FnId,
    which: Which,
    computing: Option<FnId>,
    edges: &(impl Fn(FnId) -> &'e Edges + Sync),
) -> Option<&'p FnSet> {
    let cell = memo::lib_closure(prog, id, which)?;
    if let Some(set) = cell.get() {
        return Some(set);
    }
    if computing.is_some() {
        return None;
    }
    let set = walk(prog, &[id], which, Some(id), edges);
    Some(cell.get_or_init(|| set))
}

/// Every library function in a shared closure through `which` edges
/// computed so far (each has its edges computed).
pub(crate) fn computed(prog: &Program<'_>, which: Which) -> FnSet {
    let mut all = FnSet::new(prog.lib_fn_count());
    for id in 0..prog.lib_fn_count() {
        if let Some(set) = memo::lib_closure(prog, id, which).and_then(|cell| cell.get()) {
            all.union_with(set);
        }
    }
    all
}

/// Below this many functions a wave is not worth handing to other threads.
const PARALLEL_WAVE: usize = 8;
