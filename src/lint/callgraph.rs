//! Who calls whom among the analysed functions: calls by path, method calls
//! by name, and functions passed as values. Used to find the spawn sites a
//! binary can run, the functions through which a site can be reached, and
//! the functions whose summaries the analysis must learn.

use super::api;
use super::closure::{Which, closure};
use super::fnset::FnSet;
use super::index::{FnId, Program, Target};
use super::ir::Expr;
use super::memo::{self, Callees, Edges, NameCall};
use super::receiver::StdValues;
use super::visit::for_each_expr;
use rustc_hash::FxHashMap as HashMap;
use std::cell::OnceCell;

/// The part of the call graph reachable from a binary's entry points:
/// only those functions' bodies are scanned, so a program that links large
/// libraries but calls little of them pays for what it calls.
pub(crate) struct CallGraph<'p, 'a> {
    prog: &'p Program<'a>,
    /// Every function reachable from the entries.
    reachable: FnSet,
    /// Who calls whom among them, built when a spawn site is checked.
    callers: OnceCell<Callers<'p>>,
}

/// The call graph's edges reversed: callers by callee, and callers of
/// method names (which reach every method of that name).
#[derive(Default)]
struct Callers<'p> {
    of_fn: HashMap<FnId, Vec<FnId>>,
    of_name: HashMap<&'p str, Vec<FnId>>,
    /// The same calls as the walk can take them ([`CallGraph::reaching`]),
    /// by name and argument count (`None`: no method of the name takes that
    /// many, which the walk reports as lost, so all of them count), and
    /// whether the receiver is of another crate's type.
    exact: HashMap<(&'p str, Option<usize>, bool), Vec<FnId>>,
}

/// The functions from which a spawn site can be reached, two ways.
pub(crate) struct Reaching {
    /// Through every edge of the call graph: which calls the walk follows.
    pub all: FnSet,
    /// Only through calls the walk itself can take: a method call reaches
    /// the methods of its name that take as many arguments (Rust has no
    /// overloading), and one on a value of another crate's type only trait
    /// methods. Where the walk stops (depth, recursion), a function outside
    /// this set cannot lead the child to the site: `child.lookup(k, w)`
    /// inside one type's two-argument `lookup` is no way to another type's
    /// three-argument `lookup`, nor `decoder.finish()` to the analysed
    /// crates' `finish`.
    pub exact: FnSet,
}

impl<'p, 'a> CallGraph<'p, 'a> {
    pub(super) fn new(prog: &'p Program<'a>, entries: &[FnId]) -> CallGraph<'p, 'a> {
        let reachable = closure(prog, entries, Which::Graph, &|id| &callees(prog, id).graph);
        CallGraph { prog, reachable, callers: OnceCell::new() }
    }

    /// Every function reachable from the entries.
    pub(super) fn reachable(&self) -> &FnSet {
        &self.reachable
    }

    /// Every function from which `target` can be reached (within the
    /// reachable part: paths from the entries run through nothing else).
    pub(super) fn reaching(&self, target: FnId) -> Reaching {
        let prog = self.prog;
        let callers = self.callers.get_or_init(|| {
            let mut callers = Callers::default();
            for id in self.reachable.iter() {
                let edges = &callees(prog, id).graph;
                for &to in &edges.fns {
                    callers.of_fn.entry(to).or_default().push(id);
                }
                for call in &edges.names {
                    callers.of_name.entry(call.name.as_str()).or_default().push(id);
                    let fits = prog.methods_named(&call.name).iter().any(|&m| prog.takes_args(m, call.args));
                    let key = (call.name.as_str(), fits.then_some(call.args), call.foreign);
                    callers.exact.entry(key).or_default().push(id);
                }
            }
            callers
        });
        let all =
            callers.walk_back(prog, target, |id| callers.of_name.get(prog.def(id).name.as_str()).into_iter().collect());
        let exact = callers.walk_back(prog, target, |id| {
            let name = prog.def(id).name.as_str();
            let args = prog.def(id).params.len().checked_sub(1).filter(|&n| prog.takes_args(id, n));
            // Calls on another crate's type reach only trait methods.
            let kinds: &[bool] = if prog.is_trait_method(id) { &[false, true] } else { &[false] };
            let keys = kinds.iter().flat_map(|&f| [args.map(|n| (name, Some(n), f)), Some((name, None, f))]);
            keys.flatten().filter_map(|k| callers.exact.get(&k)).collect()
        });
        Reaching { all, exact }
    }
}

impl Callers<'_> {
    /// Every function from which `target` can be reached, a method through
    /// the callers `by_name` gives for it.
    fn walk_back<'c>(
        &'c self,
        prog: &Program<'_>,
        target: FnId,
        by_name: impl Fn(FnId) -> Vec<&'c Vec<FnId>>,
    ) -> FnSet {
        let mut seen = FnSet::new(prog.fn_count());
        seen.insert(target);
        let mut stack = vec![target];
        while let Some(id) = stack.pop() {
            let def = prog.def(id);
            // A method is in the group of its name, for the callers that
            // can call it.
            let named = if def.self_ty.is_some() { by_name(id) } else { Vec::new() };
            let named = named.into_iter().flatten().filter(|&&from| prog.can_call(from, id));
            for &from in self.of_fn.get(&id).into_iter().flatten().chain(named) {
                if seen.insert(from) {
                    stack.push(from);
                }
            }
        }
        seen
    }
}

/// The functions whose summaries can matter to start with: everything
/// reachable from `entries`, following every method of a called name (even
/// names the call graph skips as std methods, since evaluation resolves some
/// of those by type), plus `writers` (functions that can store an
/// own-executable value where reachable code reads it). Learning adds the
/// functions that are passed such values.
pub(crate) fn summary_set(prog: &Program<'_>, entries: &[FnId], writers: &[FnId]) -> Vec<FnId> {
    let mut set = closure(prog, entries, Which::All, &|id| &callees(prog, id).all);
    set.extend(writers.iter().copied());
    set.iter().collect()
}

/// The functions `id`'s body calls (computed once, see [`super::memo`]).
fn callees<'p>(prog: &'p Program<'_>, id: FnId) -> &'p Callees {
    memo::callees(prog, id, || scan_callees(prog, id))
}

/// The functions a body calls: by path, functions named as values, and
/// methods by name; for the call graph, not names std types commonly have
/// unless called on `self`.
fn scan_callees(prog: &Program<'_>, id: FnId) -> Callees {
    let std_values = StdValues::new(prog, id);
    let (mut graph, mut all) = (Edges::default(), Edges::default());
    let mut visit = |e: &Expr| match e {
        Expr::Call { func, .. } => {
            if let Expr::Path(path, _) = func.peel()
                && let Target::Fns(ids) = prog.resolve_from(id, path)
            {
                graph.fns.extend(ids.iter().copied());
                all.fns.extend(ids);
            }
        }
        Expr::Path(path, _) => {
            if let Target::Fns(ids) = prog.resolve_from(id, path) {
                graph.fns.extend(ids.iter().copied());
                all.fns.extend(ids);
            }
        }
        Expr::Method { name, recv, args, .. } => {
            let on_self = matches!(recv.peel(), Expr::Path(p, _) if p.len() == 1 && p[0] == "self");
            if let Some(ids) = std_values.candidates(recv, name) {
                graph.fns.extend(ids.iter().copied());
                all.fns.extend(ids);
            } else if !prog.methods_named(name).is_empty() {
                let call = NameCall { name: name.clone(), args: args.len(), foreign: std_values.is_foreign(recv) };
                if on_self || !api::STD_METHODS.contains(&name.as_str()) {
                    graph.names.push(call.clone());
                }
                all.names.push(call);
            }
        }
        _ => {}
    };
    for_each_expr(prog.def(id).body.get(), &mut visit);
    for edges in [&mut graph, &mut all] {
        edges.fns.sort_unstable();
        edges.fns.dedup();
        edges.names.sort_unstable();
        edges.names.dedup();
    }
    Callees { graph, all }
}
