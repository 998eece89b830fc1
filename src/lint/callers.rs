//! The call graph's edges reversed, for finding the functions from which a
//! spawn site can be reached ([`super::callgraph::CallGraph::reaching`]).
//!
//! Issue 18: every binary that spawns built these over everything it
//! reaches, its whole library again. When the own crate defines no methods,
//! no library function calls into it and the library's edges are shared
//! ([`super::memo`]), so the library's callers are built once and shared:
//! over every library function some binary reached so far (a superset of
//! this binary's reachable library part), rebuilt only when a binary
//! reaches a library function outside it. Walking back over more functions
//! than a binary reaches, then keeping only what it reaches, gives the same
//! set: a path from a reachable function to the site runs only through
//! reachable functions (whatever a reachable function calls is reachable),
//! so every reachable function found has a path the narrower walk finds too.

use super::closure::{self, Which};
use super::fnset::FnSet;
use super::index::{FnId, Program};
use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, Mutex};

/// Callers by callee, and callers of method names (which reach every
/// method of that name). Names are keyed by a method's own name (`'a`), so
/// the library's can outlive any one program.
#[derive(Default)]
pub(crate) struct Callers<'a> {
    of_fn: HashMap<FnId, Vec<FnId>>,
    of_name: HashMap<&'a str, Vec<FnId>>,
    /// The same calls as the walk can take them
    /// ([`super::callgraph::Reaching::exact`]), by name and argument count
    /// (`None`: no method of the name takes that many, which the walk
    /// reports as lost, so all of them count), and whether the receiver is
    /// of another crate's type.
    exact: HashMap<(&'a str, Option<usize>, bool), Vec<FnId>>,
}

/// The library's shared callers, and the functions they cover.
pub(crate) struct Shared<'a> {
    covers: FnSet,
    callers: Callers<'a>,
}

/// Where a library keeps its shared callers.
pub(crate) type Slot<'a> = Mutex<Option<Arc<Shared<'a>>>>;

impl<'a> Callers<'a> {
    /// The callers among `from` (whose call-graph edges are computed).
    pub(super) fn over(prog: &Program<'a>, from: impl Iterator<Item = FnId>) -> Callers<'a> {
        let mut callers = Callers::default();
        for id in from {
            let edges = &super::callgraph::callees(prog, id).graph;
            for &to in &edges.fns {
                callers.of_fn.entry(to).or_default().push(id);
            }
            for call in &edges.names {
                // A name call is recorded only when some method has the name.
                let methods = prog.methods_named(&call.name);
                let Some(&first) = methods.first() else { continue };
                let name = prog.def(first).name.as_str();
                callers.of_name.entry(name).or_default().push(id);
                let fits = methods.iter().any(|&m| prog.takes_args(m, call.args));
                callers.exact.entry((name, fits.then_some(call.args), call.foreign)).or_default().push(id);
            }
        }
        callers
    }
}

/// The library's callers, covering every library function `reachable`
/// holds; `None` when the program does not share the library's answers.
pub(super) fn library<'a>(prog: &Program<'a>, reachable: &FnSet) -> Option<Arc<Shared<'a>>> {
    let slot = prog.shared_callers()?;
    let mut slot = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let lib_fns = prog.lib_fn_count();
    if let Some(shared) = slot.as_ref().filter(|s| s.covers.covers(reachable, lib_fns)) {
        return Some(Arc::clone(shared));
    }
    // Every library function in a shared closure computed so far (what
    // other binaries reached), and this binary's reachable library part
    // (the whole of it when the library has no shared closures).
    let mut covers = closure::computed(prog, Which::Graph);
    covers.extend(reachable.iter().take_while(|&id| id < lib_fns));
    let callers = Callers::over(prog, covers.iter());
    let shared = Arc::new(Shared { covers, callers });
    *slot = Some(Arc::clone(&shared));
    Some(shared)
}

/// Every function from which `target` can be reached through `parts`' edges
/// (a method through the callers `by_name` gives for it in each part).
pub(super) fn walk_back<'c, 'a: 'c>(
    prog: &Program<'_>,
    parts: &[&'c Callers<'a>],
    target: FnId,
    by_name: impl Fn(&'c Callers<'a>, FnId) -> Vec<&'c Vec<FnId>>,
) -> FnSet {
    let mut seen = FnSet::new(prog.fn_count());
    seen.insert(target);
    let mut stack = vec![target];
    while let Some(id) = stack.pop() {
        let def = prog.def(id);
        for &part in parts {
            // A method is in the group of its name, for the callers that
            // can call it.
            let named = if def.self_ty.is_some() { by_name(part, id) } else { Vec::new() };
            let named = named.into_iter().flatten().filter(|&&from| prog.can_call(from, id));
            for &from in part.of_fn.get(&id).into_iter().flatten().chain(named) {
                if seen.insert(from) {
                    stack.push(from);
                }
            }
        }
    }
    seen
}

impl<'a> Callers<'a> {
    /// Callers of method `id` by its name.
    pub(super) fn of_name(&self, prog: &Program<'a>, id: FnId) -> Vec<&Vec<FnId>> {
        self.of_name.get(prog.def(id).name.as_str()).into_iter().collect()
    }

    /// Callers of method `id` through calls the walk can take.
    pub(super) fn exact(&self, prog: &Program<'a>, id: FnId) -> Vec<&Vec<FnId>> {
        let name = prog.def(id).name.as_str();
        let args = prog.def(id).params.len().checked_sub(1).filter(|&n| prog.takes_args(id, n));
        // Calls on another crate's type reach only trait methods.
        let kinds: &[bool] = if prog.is_trait_method(id) { &[false, true] } else { &[false] };
        let keys = kinds.iter().flat_map(|&f| [args.map(|n| (name, Some(n), f)), Some((name, None, f))]);
        keys.flatten().filter_map(|k| self.exact.get(&k)).collect()
    }
}

impl<'a> Shared<'a> {
    pub(super) fn callers(&self) -> &Callers<'a> {
        &self.callers
    }
}
