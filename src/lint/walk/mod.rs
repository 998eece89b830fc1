//! Follows the child from the top of `main` (and pre-main constructors)
//! through the code, a few calls deep, with the argv and env one spawn site
//! gives it, and answers: can the child reach that spawn site again?
//!
//! Conditions are evaluated in the child ([`super::cond`]): a branch the
//! child takes is followed alone, one it cannot take is skipped, one that
//! does not depend on the spawn's marker is followed both ways (the child
//! goes where the parent went), and one that depends on the marker in a way
//! the check cannot evaluate makes any later arrival only "maybe".

mod assign;
mod branch;
mod calls;
mod handoff;
mod once;
mod scan;
mod unsure;

use super::bind::receiver_type;
use super::child::Child;
use super::cond::Cond;
use super::eval::{Eval, bind};
use super::fnset::FnSet;
use super::index::{FnId, Program};
use super::ir::{Expr, Loc, Stmt};
use super::receiver::StdValues;
use super::value::{Facts, Locals, Truth, Val};
use assign::{Code, carry_out};
use rustc_hash::FxHashMap as HashMap;
use unsure::Scope;

/// How far calls are followed from `main`.
const MAX_DEPTH: usize = 12;
/// Expressions visited per site before giving up as "undecided".
const BUDGET: usize = 200_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Reach {
    No,
    Maybe,
    Yes,
}

/// What walking an expression found.
#[derive(Clone, Debug)]
struct Flow {
    reach: Reach,
    /// Every path through it leaves the function (return, exit, `!`).
    diverges: bool,
    /// Its value in the child, when it matters for routing.
    val: Val,
}

impl Flow {
    fn none() -> Flow {
        Flow { reach: Reach::No, diverges: false, val: Val::Unknown }
    }

    fn stops(&self) -> bool {
        self.reach == Reach::Yes || self.diverges
    }

    /// This, then `next` (when this does not stop).
    fn then(self, next: Flow) -> Flow {
        Flow { reach: self.reach.max(next.reach), diverges: self.diverges || next.diverges, val: next.val }
    }
}

/// What one walk found.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub reach: Option<Reach>,
    /// Why the answer is "maybe", and where.
    pub reason: Option<(String, Loc)>,
    /// Conditions and calls that sent the child away from the site.
    pub guards: Vec<Loc>,
    /// Work done before the first guard (late guard), and that guard.
    pub late: Option<(Loc, Loc)>,
    /// A runtime started before the first guard.
    pub runtime: Option<Loc>,
    /// Markers the guards looked for.
    pub tested: Vec<(String, Loc)>,
    /// The functions the child passes through to reach the site.
    pub path: Vec<String>,
    /// Every marker any condition on the way looked at.
    pub seen: Vec<String>,
    /// A call toward the site that the walk could not follow, and where.
    pub lost: Option<(String, Loc)>,
    /// Matches on a value computed earlier (an enum variant) that kept the
    /// child from an arm leading to the site: its guards when the parent
    /// can get there ([`crate::lint::analyze`]'s `routed_away`).
    pub routed: Vec<Loc>,
}

pub(crate) struct Walker<'w, 'p, 'a> {
    prog: &'p Program<'a>,
    facts: &'p Facts,
    child: &'w Child<'w>,
    site: Loc,
    /// Functions from which the site can be reached.
    reaches: &'w FnSet,
    /// Those from which calls the walk can take reach it
    /// ([`crate::lint::callgraph::Reaching::exact`]).
    exact: &'w FnSet,
    /// Extra guard functions from the config (`guards = [..]`).
    extra_guards: &'w [String],
    out: Outcome,
    stack: Vec<FnId>,
    /// The arguments each function on the stack was entered with, and
    /// [`Walker::chosen`] then.
    entered: Vec<(Vec<Val>, usize)>,
    /// How many ways the walk is inside that the child takes or not by
    /// its markers (a routed branch, or one it cannot decide).
    chosen: usize,
    /// Values returned so far by each function (or closure) on the stack,
    /// and whether a `return` was reached in it at all.
    returns: Vec<(Val, bool)>,
    work: Option<Loc>,
    budget: usize,
    /// Set once a branch taken under an undecidable condition left the
    /// function: from there on, reaching the site is only "maybe".
    unsure: Option<(String, Loc, Scope)>,
    /// The branch on the way that sent the child to code of its own (a
    /// test of its markers), while the walk is inside it.
    /// And the function it is in, to name it.
    dispatched: Option<(Loc, FnId)>,
    /// The first call on the way that replaced the own executable (a
    /// self-update), described: from there on the child is another build
    /// ([`crate::lint::update`]).
    replaced: Option<String>,
    /// The locals at each `break`/`continue` of the loops being walked,
    /// innermost last ([`assign`]).
    breaks: Vec<Vec<Locals>>,
    /// Functions that read argv, env or clap (their results may route).
    reads_markers: HashMap<FnId, bool>,
    /// Which receivers are of another crate's type, per function walked.
    foreign_values: HashMap<FnId, StdValues<'p, 'a>>,
}

impl<'w, 'p, 'a> Walker<'w, 'p, 'a> {
    pub(super) fn new(
        prog: &'p Program<'a>,
        facts: &'p Facts,
        child: &'w Child<'w>,
        site: Loc,
        reaches: &'w FnSet,
        exact: &'w FnSet,
        extra_guards: &'w [String],
    ) -> Self {
        Walker {
            prog,
            facts,
            child,
            site,
            reaches,
            exact,
            extra_guards,
            out: Outcome::default(),
            stack: Vec::new(),
            entered: Vec::new(),
            chosen: 0,
            returns: Vec::new(),
            work: None,
            budget: BUDGET,
            unsure: None,
            dispatched: None,
            replaced: None,
            breaks: Vec::new(),
            reads_markers: HashMap::default(),
            foreign_values: HashMap::default(),
        }
    }

    /// Walks the entry points in order (constructors, then `main`).
    pub(super) fn run(mut self, entries: &[FnId]) -> Outcome {
        let mut reach = Reach::No;
        for &entry in entries {
            let flow = self.function(entry, Vec::new());
            reach = reach.max(flow.reach);
            if flow.stops() {
                break;
            }
        }
        self.out.reach = Some(reach);
        self.out
    }

    /// The walk arrived at the site.
    fn hit(&mut self) -> Flow {
        if self.out.path.is_empty() {
            self.out.path = self.stack.iter().map(|&id| self.prog.def(id).name.to_string()).collect();
        }
        match self.unsure.clone() {
            Some((reason, loc, _)) => {
                self.maybe(reason, loc);
                Flow { reach: Reach::Maybe, ..Flow::none() }
            }
            None => Flow { reach: Reach::Yes, ..Flow::none() },
        }
    }

    fn maybe(&mut self, reason: String, loc: Loc) {
        if self.out.reason.is_none() {
            self.out.reason = Some((reason, loc));
        }
    }

    fn function(&mut self, id: FnId, args: Vec<Val>) -> Flow {
        let def = self.prog.def(id);
        let mut locals = Locals::default();
        self.entered.push((args.clone(), self.chosen));
        for (i, p) in def.params.iter().enumerate() {
            let val = args.get(i).cloned().unwrap_or(Val::Unknown);
            // `fn f(database: &Sqlite)`: the declared type resolves its methods.
            let ty = def.param_types.get(i).and_then(Option::as_deref).or(receiver_type(def, p));
            bind(p, crate::lint::bind::annotated(self.prog, ty, val), &mut locals);
        }
        self.stack.push(id);
        self.returns.push((Val::Error, false));
        let flow = self.block(def.body.get(), &mut locals);
        self.end_scope(Scope::Function(self.stack.len()));
        self.stack.pop();
        self.entered.pop();
        let (returned, any_return) = self.returns.pop().unwrap_or((Val::Unknown, true));
        let val = if flow.diverges { returned } else { returned.either(flow.val) };
        // A `return` ends the function, not its caller: the call diverges
        // only when no way through it returns (every way exits or panics).
        Flow { reach: flow.reach, diverges: (flow.diverges && !any_return) || def.never, val }
    }

    fn fn_id(&self) -> FnId {
        *self.stack.last().expect("walking inside a function")
    }

    pub(super) fn eval(&self, e: &Expr, locals: &mut Locals) -> Val {
        Eval::new(self.prog, self.facts, None, self.fn_id()).expr(e, locals)
    }

    /// Records what a condition looked at.
    fn saw(&mut self, tested: &[String]) {
        for t in tested {
            if !self.out.seen.contains(t) {
                self.out.seen.push(t.clone());
            }
        }
    }

    fn cond(&self) -> Cond<'w, 'p, 'a> {
        Cond {
            prog: self.prog,
            facts: self.facts,
            child: self.child,
            fn_id: self.fn_id(),
            tested: Vec::new(),
            decided: false,
            depth: 0,
        }
    }

    fn block(&mut self, stmts: &[Stmt], locals: &mut Locals) -> Flow {
        let mut reach = Reach::No;
        let mut val = Val::Unknown;
        for (i, stmt) in stmts.iter().enumerate() {
            let flow = match stmt {
                Stmt::Let { pat, ty, init, els } => {
                    self.let_stmt(pat, ty.as_deref(), init.as_deref(), els.as_deref(), locals)
                }
                Stmt::Expr(e, _) => self.expr(e, locals),
            };
            reach = reach.max(flow.reach);
            if flow.stops() {
                return Flow { reach, diverges: flow.diverges, val: Val::Unknown };
            }
            if i + 1 == stmts.len() && matches!(stmt, Stmt::Expr(_, false)) {
                val = flow.val;
            }
        }
        Flow { reach, diverges: false, val }
    }

    fn expr(&mut self, e: &Expr, locals: &mut Locals) -> Flow {
        if self.budget == 0 {
            let loc = e.loc().unwrap_or_default();
            self.maybe("the program is too large to follow completely".to_string(), loc);
            return Flow { reach: Reach::Maybe, ..Flow::none() };
        }
        self.budget -= 1;
        match e {
            Expr::If { cond, then, els, loc } => self.if_expr(cond, then, els.as_deref(), *loc, locals),
            Expr::Match { scrut, arms, loc } => self.match_expr(scrut, arms, *loc, locals),
            Expr::Call { func, args, loc } => self.call(e, func, args, *loc, locals),
            Expr::Method { recv, name, args, loc } => self.method(e, recv, name, args, *loc, locals),
            Expr::Macro(m) => self.macro_call(m, locals),
            Expr::Handed(call, types) => self.handed_types(call, types, locals),
            Expr::Return(value, _) => {
                let flow = value.as_ref().map_or_else(Flow::none, |v| self.valued(v, locals));
                if let Some((slot, any)) = self.returns.last_mut() {
                    *slot = std::mem::replace(slot, Val::Error).either(flow.val);
                    *any = true;
                }
                Flow { reach: flow.reach, diverges: true, val: Val::Unknown }
            }
            Expr::Break | Expr::Continue => {
                if let Some(exits) = self.breaks.last_mut() {
                    exits.push(locals.clone());
                }
                Flow { diverges: true, ..Flow::none() }
            }
            Expr::Loop { body, breaks } => {
                let flow = self.loop_body(body, locals.clone(), locals, false);
                Flow { reach: flow.reach, diverges: !breaks, val: Val::Unknown }
            }
            Expr::While(cond, body) => {
                let flow = self.seq([&**cond], None, locals);
                if flow.stops() {
                    return flow;
                }
                let walked = self.loop_body(body, locals.clone(), locals, true);
                Flow { reach: flow.reach.max(walked.reach), ..Flow::none() }
            }
            Expr::For(pat, iter, body) => {
                let flow = self.valued(iter, locals);
                let mut inner = locals.clone();
                // `for a in env::args()`: each item is an argv item; argv is
                // never empty, so the body runs.
                let argv = matches!(flow.val, Val::Argv { .. });
                bind(pat, if argv { Val::ArgvItem(None) } else { Val::Unknown }, &mut inner);
                let body_flow = self.loop_body(body, inner, locals, !argv);
                Flow { reach: flow.reach.max(body_flow.reach), diverges: flow.diverges, val: Val::Unknown }
            }
            Expr::Closure(params, body) => {
                let mut inner = locals.clone();
                for p in params {
                    bind(p, Val::Unknown, &mut inner);
                }
                self.returns.push((Val::Error, false));
                let saved = self.unsure.clone();
                let reach = self.expr(body, &mut inner).reach;
                self.returns.pop();
                // It may run now, later or never.
                carry_out(locals, &[Code::Expr(body)], &[Some(&inner)], true, Truth::Same, false);
                // The closure may run now, later or never (a panic hook):
                // an exit in it is not where the code after it stops (its
                // divergence is not passed on either), so a branch in it
                // that may exit leaves that code certain.
                if reach == Reach::No {
                    self.unsure = saved;
                }
                Flow { reach, ..Flow::none() }
            }
            Expr::Block(stmts) => {
                let mut inner = locals.clone();
                let flow = self.block(stmts, &mut inner);
                carry_out(
                    locals,
                    &[Code::Block(stmts)],
                    &[(!flow.diverges).then_some(&inner)],
                    false,
                    Truth::Same,
                    false,
                );
                flow
            }
            // `current_exe().map(Command::new)`: the site is the path.
            Expr::Path(_, loc) if *loc == self.site => self.hit(),
            Expr::Path(path, loc) => {
                // A name bound in this body is that local (`lines.push(..)`
                // inside `fn lines`), never a function of the same name.
                let local = path.len() == 1 && locals.contains_key(path[0].as_str());
                let flow = match path.first().and_then(|p| locals.get(p.as_str())) {
                    // A table entry's function handed on (`pool.run(*f)`)
                    // may be called, as a function named there would be.
                    Some(Val::Fns(ids)) if local => self.fns_value(&ids.clone(), path[0].as_str()),
                    _ if local => Flow::none(),
                    _ => self.fn_value(path),
                };
                let flow = if local || flow.stops() { flow } else { flow.then(self.dropped(path, *loc)) };
                Flow { val: self.eval(e, locals), ..flow }
            }
            Expr::Try(inner) => self.try_expr(inner, locals),
            Expr::Ref(inner) => self.valued(inner, locals),
            Expr::Let(_, inner) | Expr::Not(inner) | Expr::Field(inner, _) => {
                let flow = self.expr(inner, locals);
                Flow { val: self.eval(e, locals), ..flow }
            }
            Expr::Assign(lhs, rhs) => self.assign(lhs, rhs, locals),
            Expr::Index(a, b) | Expr::Binary(_, a, b) => self.seq([&**a, &**b], None, locals),
            Expr::Struct(path, fields) => {
                let flow = self.seq(fields.iter().map(|(_, e)| e), None, locals);
                let flow = if flow.stops() { flow } else { flow.then(self.dropped(path, Loc::default())) };
                Flow { val: self.eval(e, locals), ..flow }
            }
            Expr::Tuple(items) | Expr::Array(items) | Expr::Other(items) => self.seq(items.iter(), None, locals),
            Expr::Lit(..) => Flow { val: self.eval(e, locals), ..Flow::none() },
        }
    }

    /// `f()?`: where `f` returned an error in this child, the function
    /// returns it here.
    fn try_expr(&mut self, inner: &Expr, locals: &mut Locals) -> Flow {
        let flow = self.valued(inner, locals);
        if flow.val != Val::Error || flow.stops() {
            return flow;
        }
        if let Some((slot, any)) = self.returns.last_mut() {
            *slot = std::mem::replace(slot, Val::Error).either(Val::Error);
            *any = true;
        }
        Flow { reach: flow.reach, diverges: true, val: Val::Unknown }
    }

    /// Walks `e`, and evaluates it when the walk found no value.
    fn valued(&mut self, e: &Expr, locals: &mut Locals) -> Flow {
        let flow = self.expr(e, locals);
        if matches!(flow.val, Val::Unknown) && !flow.stops() {
            return Flow { val: self.eval(e, locals), ..flow };
        }
        flow
    }

    /// Sub-expressions in order, then an optional body that may not run.
    fn seq<'e>(
        &mut self,
        items: impl IntoIterator<Item = &'e Expr>,
        body: Option<&[Stmt]>,
        locals: &mut Locals,
    ) -> Flow {
        let mut reach = Reach::No;
        for item in items {
            let flow = self.expr(item, locals);
            reach = reach.max(flow.reach);
            if flow.stops() {
                return Flow { reach, diverges: flow.diverges, val: Val::Unknown };
            }
        }
        if let Some(body) = body {
            reach = reach.max(self.block(body, &mut locals.clone()).reach);
        }
        Flow { reach, ..Flow::none() }
    }
}
