//! Who calls whom among the analysed functions: calls by path, method calls
//! by name, and functions passed as values. Used to find the spawn sites a
//! binary can run, the functions through which a site can be reached, and
//! the functions whose summaries the analysis must learn.

use super::api;
use super::fnset::FnSet;
use super::index::{FnId, Program, Target};
use super::ir::Expr;
use super::memo::{self, Callees, Edges};
use super::receiver::StdValues;
use super::visit::for_each_expr;
use rayon::prelude::*;
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

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
}

impl<'p, 'a> CallGraph<'p, 'a> {
    pub(super) fn new(prog: &'p Program<'a>, entries: &[FnId]) -> CallGraph<'p, 'a> {
        let reachable = closure(prog, entries, |id| &callees(prog, id).graph);
        CallGraph { prog, reachable, callers: OnceCell::new() }
    }

    /// Every function reachable from the entries.
    pub(super) fn reachable(&self) -> &FnSet {
        &self.reachable
    }

    /// Every function from which `target` can be reached (within the
    /// reachable part: paths from the entries run through nothing else).
    pub(super) fn reaching(&self, target: FnId) -> FnSet {
        let prog = self.prog;
        let callers = self.callers.get_or_init(|| {
            let mut callers = Callers::default();
            for id in self.reachable.iter() {
                let edges = &callees(prog, id).graph;
                for &to in &edges.fns {
                    callers.of_fn.entry(to).or_default().push(id);
                }
                for name in &edges.names {
                    callers.of_name.entry(name.as_str()).or_default().push(id);
                }
            }
            callers
        });
        let mut seen = FnSet::new(prog.fn_count());
        seen.insert(target);
        let mut stack = vec![target];
        while let Some(id) = stack.pop() {
            let def = prog.def(id);
            // A method is in the group of its name.
            let by_name = def.self_ty.as_ref().and_then(|_| callers.of_name.get(def.name.as_str()));
            for &from in callers.of_fn.get(&id).into_iter().chain(by_name).flatten() {
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
    let mut set = closure(prog, entries, |id| &callees(prog, id).all);
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
        Expr::Method { name, recv, .. } => {
            let on_self = matches!(recv.peel(), Expr::Path(p, _) if p.len() == 1 && p[0] == "self");
            if let Some(ids) = std_values.candidates(recv, name) {
                graph.fns.extend(ids.iter().copied());
                all.fns.extend(ids);
            } else if !prog.methods_named(name).is_empty() {
                if on_self || !api::STD_METHODS.contains(&name.as_str()) {
                    graph.names.push(name.clone());
                }
                all.names.push(name.clone());
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

/// Everything reachable from `start` through `edges`; a method name is
/// expanded to its methods once. Walked wave by wave: the edges of a wave
/// are computed in parallel first (issue 18: that is where a body is parsed
/// and lowered on first use, and one binary would otherwise use one core),
/// then followed in order. The set does not depend on the order.
fn closure<'e>(prog: &Program<'_>, start: &[FnId], edges: impl Fn(FnId) -> &'e Edges + Sync) -> FnSet {
    let mut seen = FnSet::new(prog.fn_count());
    let mut names: HashSet<&'e str> = HashSet::new();
    let mut wave: Vec<FnId> = start.iter().copied().filter(|&id| seen.insert(id)).collect();
    while !wave.is_empty() {
        if wave.len() >= PARALLEL_WAVE {
            wave.par_iter().for_each(|&id| {
                edges(id);
            });
        }
        let mut next = Vec::new();
        for id in wave {
            let out = edges(id);
            let methods = out.names.iter().filter(|n| names.insert(n.as_str())).map(|n| prog.methods_named(n));
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

/// Below this many functions a wave is not worth handing to other threads.
const PARALLEL_WAVE: usize = 8;
