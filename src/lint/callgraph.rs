//! Who calls whom among the analysed functions: calls by path, method calls
//! by name, and functions passed as values. Used to find the spawn sites a
//! binary can run, the functions through which a site can be reached, and
//! the functions whose summaries the analysis must learn.

use super::api;
use super::index::{FnId, Program, Target};
use super::ir::{Expr, Stmt};
use super::memo::{self, Callees};
use super::receiver::StdValues;
use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

/// The part of the call graph reachable from a binary's entry points:
/// only those functions' bodies are scanned, so a program that links large
/// libraries but calls little of them pays for what it calls.
pub(crate) struct CallGraph<'p, 'a> {
    prog: &'p Program<'a>,
    /// Every function reachable from the entries.
    reachable: HashSet<FnId>,
    /// Who calls whom among them, built when a spawn site is checked.
    callers: OnceCell<HashMap<FnId, Vec<FnId>>>,
}

impl<'p, 'a> CallGraph<'p, 'a> {
    pub fn new(prog: &'p Program<'a>, entries: &[FnId]) -> CallGraph<'p, 'a> {
        let reachable = closure(entries, |id| &callees(prog, id).graph);
        CallGraph { prog, reachable, callers: OnceCell::new() }
    }

    /// Every function reachable from the entries.
    pub fn reachable(&self) -> &HashSet<FnId> {
        &self.reachable
    }

    /// Every function from which `target` can be reached (within the
    /// reachable part: paths from the entries run through nothing else).
    pub fn reaching(&self, target: FnId) -> HashSet<FnId> {
        let callers = self.callers.get_or_init(|| {
            let mut callers: HashMap<FnId, Vec<FnId>> = HashMap::new();
            for &id in &self.reachable {
                for &to in &callees(self.prog, id).graph {
                    callers.entry(to).or_default().push(id);
                }
            }
            callers
        });
        closure(&[target], |id| callers.get(&id).map(Vec::as_slice).unwrap_or(&[]))
    }
}

/// The functions whose summaries can matter to start with: everything
/// reachable from `entries`, following every method of a called name (even
/// names the call graph skips as std methods, since evaluation resolves some
/// of those by type), plus `writers` (functions that can store an
/// own-executable value where reachable code reads it). Learning adds the
/// functions that are passed such values.
pub(crate) fn summary_set(prog: &Program<'_>, entries: &[FnId], writers: &[FnId]) -> Vec<FnId> {
    let mut set = closure(entries, |id| &callees(prog, id).all);
    set.extend(writers);
    let mut list: Vec<FnId> = set.into_iter().collect();
    list.sort_unstable();
    list
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
    let (mut graph, mut all) = (HashSet::new(), HashSet::new());
    let mut visit = |e: &Expr| match e {
        Expr::Call { func, .. } => {
            if let Expr::Path(path, _) = func.peel()
                && let Target::Fns(ids) = prog.resolve_from(id, path)
            {
                graph.extend(ids.iter().copied());
                all.extend(ids);
            }
        }
        Expr::Path(path, _) => {
            if let Target::Fns(ids) = prog.resolve_from(id, path) {
                graph.extend(ids.iter().copied());
                all.extend(ids);
            }
        }
        Expr::Method { name, recv, .. } => {
            let on_self = matches!(recv.peel(), Expr::Path(p, _) if p.len() == 1 && p[0] == "self");
            if let Some(ids) = std_values.candidates(recv, name) {
                graph.extend(ids.iter().copied());
                all.extend(ids);
            } else {
                let ids = prog.methods_named(name);
                if on_self || !api::STD_METHODS.contains(&name.as_str()) {
                    graph.extend(ids.iter().copied());
                }
                all.extend(ids.iter().copied());
            }
        }
        _ => {}
    };
    for_each_expr(prog.def(id).body.get(), &mut visit);
    let sorted = |set: HashSet<FnId>| {
        let mut list: Vec<FnId> = set.into_iter().collect();
        list.sort_unstable();
        list
    };
    Callees { graph: sorted(graph), all: sorted(all) }
}

fn closure<'e>(start: &[FnId], mut edges: impl FnMut(FnId) -> &'e [FnId]) -> HashSet<FnId> {
    let mut seen: HashSet<FnId> = start.iter().copied().collect();
    let mut stack = start.to_vec();
    while let Some(id) = stack.pop() {
        for &next in edges(id) {
            if seen.insert(next) {
                stack.push(next);
            }
        }
    }
    seen
}

/// Calls `f` on every expression of a body, outermost first.
pub(crate) fn for_each_expr(stmts: &[Stmt], f: &mut dyn FnMut(&Expr)) {
    for stmt in stmts {
        match stmt {
            Stmt::Let { init, els, .. } => {
                if let Some(e) = init {
                    expr(e, f);
                }
                if let Some(b) = els {
                    for_each_expr(b, f);
                }
            }
            Stmt::Expr(e, _) => expr(e, f),
        }
    }
}

fn expr(e: &Expr, f: &mut dyn FnMut(&Expr)) {
    f(e);
    match e {
        Expr::Call { func, args, .. } => {
            expr(func, f);
            args.iter().for_each(|a| expr(a, f));
        }
        Expr::Method { recv, args, .. } => {
            expr(recv, f);
            args.iter().for_each(|a| expr(a, f));
        }
        Expr::Field(a, _) | Expr::Ref(a) | Expr::Try(a) | Expr::Not(a) | Expr::Let(_, a) | Expr::Closure(_, a) => {
            expr(a, f)
        }
        Expr::Index(a, b) | Expr::Binary(_, a, b) | Expr::Assign(a, b) => {
            expr(a, f);
            expr(b, f);
        }
        Expr::If { cond, then, els, .. } => {
            expr(cond, f);
            for_each_expr(then, f);
            if let Some(e) = els {
                expr(e, f);
            }
        }
        Expr::Match { scrut, arms, .. } => {
            expr(scrut, f);
            for arm in arms {
                if let Some(g) = &arm.guard {
                    expr(g, f);
                }
                expr(&arm.body, f);
            }
        }
        Expr::Block(b) | Expr::Loop { body: b, .. } => for_each_expr(b, f),
        Expr::While(c, b) | Expr::For(_, c, b) => {
            expr(c, f);
            for_each_expr(b, f);
        }
        Expr::Return(Some(v), _) => expr(v, f),
        Expr::Macro(m) => m.args.iter().for_each(|a| expr(a, f)),
        Expr::Struct(_, fields) => fields.iter().for_each(|(_, v)| expr(v, f)),
        Expr::Tuple(items) | Expr::Array(items) | Expr::Other(items) => items.iter().for_each(|a| expr(a, f)),
        _ => {}
    }
}
