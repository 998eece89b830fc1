//! Who calls whom among the analysed functions: calls by path, method calls
//! by name, and functions passed as values. Used to find the spawn sites a
//! binary can run, the functions through which a site can be reached, and
//! the functions whose summaries the analysis must learn.

use super::api;
use super::callers::{self, Callers};
use super::closure::{Which, closure};
use super::fnset::FnSet;
use super::handoff::{self, Typing};
use super::index::{FnId, Program, Target};
use super::ir::Expr;
use super::memo::{self, Callees, Edges, NameCall};
use super::receiver::StdValues;
use super::visit::for_each_expr;
use std::cell::OnceCell;

/// The part of the call graph reachable from a binary's entry points:
/// only those functions' bodies are scanned, so a program that links large
/// libraries but calls little of them pays for what it calls.
pub(crate) struct CallGraph<'p, 'a> {
    prog: &'p Program<'a>,
    /// Every function reachable from the entries.
    reachable: FnSet,
    /// Who calls whom among them (its own functions only when the
    /// library's callers are shared), built when a spawn site is checked.
    callers: OnceCell<Callers<'a>>,
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
    /// When the library's callers are shared ([`super::callers`]), this
    /// binary's own callers are built over its own functions only, and
    /// the walk's result is cut back to what it reaches.
    pub(super) fn reaching(&self, target: FnId) -> Reaching {
        let prog = self.prog;
        let lib = callers::library(prog, &self.reachable);
        let own = self.callers.get_or_init(|| {
            let first_own = if lib.is_some() { prog.lib_fn_count() } else { 0 };
            Callers::over(prog, self.reachable.iter().filter(|&id| id >= first_own))
        });
        let parts: Vec<&Callers<'a>> =
            std::iter::once(own).chain(lib.as_deref().map(callers::Shared::callers)).collect();
        let mut all = callers::walk_back(prog, &parts, target, |c, id| c.of_name(prog, id));
        let mut exact = callers::walk_back(prog, &parts, target, |c, id| c.exact(prog, id));
        if lib.is_some() {
            all.intersect(&self.reachable);
            exact.intersect(&self.reachable);
        }
        Reaching { all, exact }
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
pub(super) fn callees<'p>(prog: &'p Program<'_>, id: FnId) -> &'p Callees {
    memo::callees(prog, id, || scan_callees(prog, id))
}

/// The functions a body calls: by path, functions named as values, and
/// methods by name; for the call graph, not names std types commonly have
/// unless called on `self`.
fn scan_callees(prog: &Program<'_>, id: FnId) -> Callees {
    let std_values = StdValues::new(prog, id);
    let typing = Typing::new(prog, id);
    let (mut graph, mut all) = (Edges::default(), Edges::default());
    let mut visit = |e: &Expr| match e {
        Expr::Call { func, args, .. } => {
            let ids = match func.peel() {
                Expr::Path(path, _) => match prog.resolve_from(id, path) {
                    Target::Fns(ids) => ids,
                    Target::External(_) if !handoff::is_wrapper(func) => typing.handed(args),
                    Target::External(_) => Vec::new(),
                },
                _ => Vec::new(),
            };
            graph.fns.extend(ids.iter().copied());
            all.fns.extend(ids);
        }
        Expr::Path(path, _) => match prog.resolve_from(id, path) {
            Target::Fns(ids) => {
                graph.fns.extend(ids.iter().copied());
                all.fns.extend(ids);
            }
            // A unit struct's value (`let _restart = Restarter;`).
            _ => {
                let drops = prog.drops_of(id, path);
                graph.fns.extend(drops.iter().copied());
                all.fns.extend(drops);
            }
        },
        // `cosmic::app::run::<App>(..)`: another crate's code may call the
        // trait methods of the types its turbofish names.
        Expr::Handed(call, types) if handoff::runs_outside(prog, id, call, &std_values) => {
            let handed: Vec<FnId> = types.iter().flat_map(|ty| handoff::type_methods(prog, ty)).collect();
            graph.fns.extend(handed.iter().copied());
            all.fns.extend(handed);
        }
        Expr::Struct(path, _) => {
            let drops = prog.drops_of(id, path);
            graph.fns.extend(drops.iter().copied());
            all.fns.extend(drops);
        }
        Expr::Method { name, recv, args, .. } => {
            if handoff::outside_method(prog, name, args.len()) {
                let handed = typing.handed(args);
                graph.fns.extend(handed.iter().copied());
                all.fns.extend(handed);
            }
            let on_self = matches!(recv.peel(), Expr::Path(p, _) if p.len() == 1 && p[0] == "self");
            if let Some(ids) = std_values.candidates(recv, name) {
                graph.fns.extend(ids.iter().copied());
                all.fns.extend(ids);
            } else if !prog.methods_named(name).is_empty() {
                let call = NameCall { name: name.to_string(), args: args.len(), foreign: std_values.is_foreign(recv) };
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
        // Memoised for the whole run, one pair per reached function.
        edges.fns.shrink_to_fit();
        edges.names.shrink_to_fit();
    }
    Callees { graph, all }
}
