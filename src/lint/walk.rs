//! Follows the child from the top of `main` (and pre-main constructors)
//! through the code, a few calls deep, with the argv and env one spawn site
//! gives it, and answers: can the child reach that spawn site again?

use super::api;
use super::callgraph::for_each_expr;
use super::child::Child;
use super::cond::Cond;
use super::eval::{Eval, bind};
use super::index::{FnId, Program, Target};
use super::ir::{Arm, Expr, Loc, Pat, Stmt};
use super::value::{Facts, Locals, Truth, Val};
use std::collections::HashSet;

/// How far calls are followed from `main`.
const MAX_DEPTH: usize = 8;
/// Expressions visited per site before giving up as "undecided".
const BUDGET: usize = 200_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Reach {
    No,
    Maybe,
    Yes,
}

#[derive(Clone, Copy, Debug)]
struct Flow {
    reach: Reach,
    /// Every path through it leaves the function (return, exit, `!`).
    diverges: bool,
}

const NONE: Flow = Flow { reach: Reach::No, diverges: false };

/// What one walk found.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub reach: Option<Reach>,
    /// Why the answer is "maybe".
    pub reason: Option<String>,
    /// Conditions and calls that sent the child away from the site.
    pub guards: Vec<Loc>,
    /// Work done before the first guard (late guard), and that guard.
    pub late: Option<(Loc, Loc)>,
    /// A runtime started before the first guard.
    pub runtime: Option<Loc>,
    /// Markers the guards looked for.
    pub tested: Vec<(String, Loc)>,
}

pub(crate) struct Walker<'w, 'p, 'a> {
    pub prog: &'p Program<'a>,
    pub facts: &'p Facts,
    pub child: &'w Child<'w>,
    pub site: Loc,
    /// Functions from which the site can be reached.
    pub reaches: &'w HashSet<FnId>,
    /// Extra guard functions from the config (`guards = [..]`).
    pub extra_guards: &'w [String],
    pub out: Outcome,
    stack: Vec<FnId>,
    work: Option<Loc>,
    budget: usize,
    /// Set once a branch taken under an undecidable condition left the
    /// function: from there on, reaching the site is only "maybe".
    unsure: Option<String>,
}

impl<'w, 'p, 'a> Walker<'w, 'p, 'a> {
    pub fn new(
        prog: &'p Program<'a>,
        facts: &'p Facts,
        child: &'w Child<'w>,
        site: Loc,
        reaches: &'w HashSet<FnId>,
        extra_guards: &'w [String],
    ) -> Self {
        Walker {
            prog,
            facts,
            child,
            site,
            reaches,
            extra_guards,
            out: Outcome::default(),
            stack: Vec::new(),
            work: None,
            budget: BUDGET,
            unsure: None,
        }
    }

    /// Walks the entry points in order; returns the final reach.
    pub fn run(mut self, entries: &[FnId]) -> Outcome {
        let mut reach = Reach::No;
        for &entry in entries {
            let flow = self.function(entry, Vec::new());
            reach = reach.max(flow.reach);
            if flow.reach == Reach::Yes || flow.diverges {
                break;
            }
        }
        self.out.reach = Some(reach);
        self.out
    }

    /// The walk arrived at the site.
    fn hit(&mut self) -> Flow {
        match self.unsure.clone() {
            Some(reason) => {
                self.maybe(reason);
                Flow { reach: Reach::Maybe, diverges: false }
            }
            None => Flow { reach: Reach::Yes, diverges: false },
        }
    }

    fn maybe(&mut self, reason: String) {
        if self.out.reason.is_none() {
            self.out.reason = Some(reason);
        }
    }

    fn function(&mut self, id: FnId, args: Vec<Val>) -> Flow {
        let def = self.prog.def(id);
        let mut locals = Locals::new();
        for (i, p) in def.params.iter().enumerate() {
            bind(p, args.get(i).cloned().unwrap_or(Val::Unknown), &mut locals);
        }
        self.stack.push(id);
        let flow = self.block(&def.body, &mut locals);
        self.stack.pop();
        Flow { reach: flow.reach, diverges: flow.diverges || def.never }
    }

    fn fn_id(&self) -> FnId {
        *self.stack.last().expect("walking inside a function")
    }

    fn eval(&self, e: &Expr, locals: &mut Locals) -> Val {
        Eval::new(self.prog, self.facts, None, self.fn_id()).expr(e, locals)
    }

    fn cond(&self) -> Cond<'w, 'p, 'a> {
        Cond {
            prog: self.prog,
            facts: self.facts,
            child: self.child,
            fn_id: self.fn_id(),
            tested: Vec::new(),
            depth: 0,
        }
    }

    fn block(&mut self, stmts: &[Stmt], locals: &mut Locals) -> Flow {
        let mut reach = Reach::No;
        for stmt in stmts {
            let flow = match stmt {
                Stmt::Let { pat, init, els } => self.let_stmt(pat, init.as_ref(), els.as_deref(), locals),
                Stmt::Expr(e, _) => self.expr(e, locals),
            };
            reach = reach.max(flow.reach);
            if flow.reach == Reach::Yes || flow.diverges {
                return Flow { reach, diverges: flow.diverges };
            }
        }
        Flow { reach, diverges: false }
    }

    fn let_stmt(&mut self, pat: &Pat, init: Option<&Expr>, els: Option<&[Stmt]>, locals: &mut Locals) -> Flow {
        let Some(init) = init else { return NONE };
        let flow = self.expr(init, locals);
        if flow.reach == Reach::Yes || flow.diverges {
            return flow;
        }
        let mut val = self.eval(init, locals);
        if matches!(val, Val::Unknown) && matches!(pat, Pat::Bind(_, None)) {
            let t = self.cond().truth(init, &mut locals.clone());
            if t != Truth::Same {
                val = Val::Truth(t);
            }
        }
        let Some(els) = els else {
            bind(pat, val, locals);
            return flow;
        };
        let mut cond = self.cond();
        let t = cond.pattern(pat, &val, locals);
        bind(pat, val, locals);
        match t {
            Truth::True => flow,
            Truth::False => Flow { reach: flow.reach.max(self.block(els, &mut locals.clone()).reach), diverges: true },
            _ => Flow { reach: flow.reach.max(self.block(els, &mut locals.clone()).reach), diverges: false },
        }
    }

    fn expr(&mut self, e: &Expr, locals: &mut Locals) -> Flow {
        if self.budget == 0 {
            self.maybe("the program is too large to follow completely".to_string());
            return Flow { reach: Reach::Maybe, diverges: false };
        }
        self.budget -= 1;
        match e {
            Expr::If { cond, then, els, loc } => self.if_expr(cond, then, els.as_deref(), *loc, locals),
            Expr::Match { scrut, arms, loc } => self.match_expr(scrut, arms, *loc, locals),
            Expr::Call { func, args, loc } => self.call(func, args, *loc, locals),
            Expr::Method { recv, name, args, loc } => self.method(recv, name, args, *loc, locals),
            Expr::Macro(m) => self.macro_call(m, locals),
            Expr::Return(value, _) => {
                let flow = value.as_ref().map_or(NONE, |v| self.expr(v, locals));
                Flow { reach: flow.reach, diverges: true }
            }
            Expr::Break | Expr::Continue => Flow { reach: Reach::No, diverges: true },
            Expr::Loop { body, breaks } => {
                let flow = self.block(body, &mut locals.clone());
                Flow { reach: flow.reach, diverges: !breaks }
            }
            Expr::While(cond, body) => self.seq([&**cond], Some(body), locals),
            Expr::For(pat, iter, body) => {
                let flow = self.expr(iter, locals);
                let mut inner = locals.clone();
                bind(pat, Val::Unknown, &mut inner);
                let body = self.block(body, &mut inner);
                Flow { reach: flow.reach.max(body.reach), diverges: flow.diverges }
            }
            Expr::Closure(params, body) => {
                let mut inner = locals.clone();
                for p in params {
                    bind(p, Val::Unknown, &mut inner);
                }
                Flow { reach: self.expr(body, &mut inner).reach, diverges: false }
            }
            Expr::Block(stmts) => self.block(stmts, &mut locals.clone()),
            Expr::Path(path, _) => self.fn_value(path),
            Expr::Let(_, inner) | Expr::Ref(inner) | Expr::Try(inner) | Expr::Not(inner) | Expr::Field(inner, _) => {
                self.expr(inner, locals)
            }
            Expr::Index(a, b) | Expr::Binary(_, a, b) | Expr::Assign(a, b) => self.seq([&**a, &**b], None, locals),
            Expr::Struct(fields) => self.seq(fields.iter().map(|(_, e)| e), None, locals),
            Expr::Tuple(items) | Expr::Array(items) | Expr::Other(items) => self.seq(items.iter(), None, locals),
            Expr::Lit(..) => NONE,
        }
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
            if flow.reach == Reach::Yes || flow.diverges {
                return Flow { reach, diverges: flow.diverges };
            }
        }
        if let Some(body) = body {
            reach = reach.max(self.block(body, &mut locals.clone()).reach);
        }
        Flow { reach, diverges: false }
    }

    fn if_expr(&mut self, cond: &Expr, then: &[Stmt], els: Option<&Expr>, loc: Loc, locals: &mut Locals) -> Flow {
        let flow = self.expr(cond, &mut locals.clone());
        if flow.reach == Reach::Yes || flow.diverges {
            return flow;
        }
        let mut inner = locals.clone();
        let mut c = self.cond();
        let t = c.truth(cond, &mut inner);
        let tested = c.tested;
        if !self.block_reaches_site(then) {
            self.note_tested(&tested, loc);
        }
        let work_before = self.work;
        let branch_then = |w: &mut Self, inner: &mut Locals| w.block(then, inner);
        let result = match t {
            Truth::True => {
                let a = branch_then(self, &mut inner);
                if a.diverges && !tested.is_empty() {
                    self.guard(loc, work_before);
                }
                a
            }
            Truth::False => {
                if !tested.is_empty() {
                    self.guard(loc, work_before);
                }
                els.map_or(NONE, |e| self.expr(e, locals))
            }
            Truth::Same | Truth::Unknown => {
                let saved = self.unsure.clone();
                let a = branch_then(self, &mut inner);
                let after_a = std::mem::replace(&mut self.unsure, saved.clone());
                let b = els.map_or(NONE, |e| self.expr(e, &mut locals.clone()));
                self.unsure = self.unsure.take().or(after_a);
                if t == Truth::Unknown && a.diverges != b.diverges && self.unsure.is_none() {
                    self.unsure = Some(format!(
                        "whether the child leaves at the branch at line {} depends on a value the check cannot know statically",
                        loc.line
                    ));
                }
                let reach = self.uncertain(a.reach.max(b.reach), t, loc);
                Flow { reach, diverges: a.diverges && b.diverges && els.is_some() }
            }
        };
        Flow { reach: result.reach.max(flow.reach), diverges: result.diverges }
    }

    fn match_expr(&mut self, scrut: &Expr, arms: &[Arm], loc: Loc, locals: &mut Locals) -> Flow {
        let flow = self.expr(scrut, locals);
        if flow.reach == Reach::Yes || flow.diverges {
            return flow;
        }
        let val = self.eval(scrut, locals);
        let work_before = self.work;
        let mut reach = flow.reach;
        let mut all_diverge = true;
        let mut any_ran = false;
        for arm in arms {
            let mut inner = locals.clone();
            let mut c = self.cond();
            let t = c.pattern(&arm.pat, &val, &mut inner);
            let tested = c.tested;
            if !self.expr_reaches_site(&arm.body) {
                self.note_tested(&tested, loc);
            }
            if t == Truth::False {
                continue;
            }
            any_ran = true;
            let body = self.expr(&arm.body, &mut inner);
            reach = reach.max(self.uncertain(body.reach, t, loc));
            all_diverge &= body.diverges;
            if t == Truth::True {
                if !tested.is_empty() && body.diverges {
                    self.guard(loc, work_before);
                } else if !tested.is_empty() && body.reach == Reach::No {
                    self.guard(loc, work_before);
                }
                return Flow { reach, diverges: body.diverges };
            }
            if reach == Reach::Yes {
                break;
            }
        }
        Flow { reach, diverges: !any_ran || all_diverge }
    }

    /// A site reached only through an undecidable condition is "maybe".
    fn uncertain(&mut self, reach: Reach, t: Truth, loc: Loc) -> Reach {
        if reach == Reach::Yes && t == Truth::Unknown {
            self.maybe(format!(
                "whether the child takes the branch at line {} depends on a value the check cannot know statically",
                loc.line
            ));
            return Reach::Maybe;
        }
        reach
    }

    /// Whether a branch can lead to the site (syntactically, or through a
    /// call): its tests are then the parent's trigger, not a guard.
    fn block_reaches_site(&self, stmts: &[Stmt]) -> bool {
        let mut found = false;
        for_each_expr(stmts, &mut |e| found |= self.leads_to_site(e));
        found
    }

    fn expr_reaches_site(&self, e: &Expr) -> bool {
        self.block_reaches_site(std::slice::from_ref(&Stmt::Expr(e.clone(), false)))
    }

    fn leads_to_site(&self, e: &Expr) -> bool {
        let id = self.fn_id();
        let def = self.prog.def(id);
        match e {
            Expr::Call { loc, .. } if *loc == self.site => true,
            Expr::Macro(m) => m.loc == self.site,
            Expr::Call { func, .. } => match func.peel() {
                Expr::Path(path, _) => matches!(
                    self.prog.resolve(self.prog.krate_of(id), &def.module, path),
                    Target::Fns(ids) if ids.iter().any(|i| self.reaches.contains(i))
                ),
                _ => false,
            },
            Expr::Method { name, .. } => self.prog.methods_named(name).iter().any(|i| self.reaches.contains(i)),
            _ => false,
        }
    }

    fn note_tested(&mut self, tested: &[String], loc: Loc) {
        self.out.tested.extend(tested.iter().map(|t| (t.clone(), loc)));
    }

    fn guard(&mut self, loc: Loc, work_before: Option<Loc>) {
        if self.out.guards.is_empty()
            && let Some(work) = work_before
        {
            self.out.late = Some((work, loc));
        }
        if !self.out.guards.contains(&loc) {
            self.out.guards.push(loc);
        }
    }

    fn call(&mut self, func: &Expr, args: &[Expr], loc: Loc, locals: &mut Locals) -> Flow {
        if loc == self.site {
            return self.hit();
        }
        let flow = self.seq(args.iter(), None, locals);
        if flow.reach == Reach::Yes || flow.diverges {
            return flow;
        }
        let Expr::Path(path, _) = func.peel() else {
            return self.expr(func, locals);
        };
        let def = self.prog.def(self.fn_id());
        match self.prog.resolve(self.prog.krate_of(self.fn_id()), &def.module, path) {
            Target::Fns(ids) => {
                let vals: Vec<Val> = args.iter().map(|a| self.eval(a, locals)).collect();
                let certain = ids.len() == 1;
                self.call_fns(&ids, vals, certain, path.last().map_or("", String::as_str))
            }
            Target::External(canon) => Flow { reach: flow.reach, diverges: self.external(&canon, loc) },
        }
    }

    /// An external call: does it end the child's path?
    fn external(&mut self, canon: &[String], loc: Loc) -> bool {
        if api::diverges(canon) {
            return true;
        }
        if let Some(via) = api::library_init(canon)
            && self.child.lib == Some(via)
        {
            self.guard(loc, self.work);
            return true;
        }
        let joined = canon.join("::");
        if self.extra_guards.iter().any(|g| joined.ends_with(g.as_str()) || g.ends_with(&joined)) {
            self.guard(loc, self.work);
            return true;
        }
        if self.out.guards.is_empty() {
            if api::is_work(canon) && self.work.is_none() {
                self.work = Some(loc);
            }
            if api::starts_runtime(canon, None) && self.out.runtime.is_none() {
                self.out.runtime = Some(loc);
            }
        }
        false
    }

    fn call_fns(&mut self, ids: &[FnId], vals: Vec<Val>, certain: bool, name: &str) -> Flow {
        let mut reach = Reach::No;
        let mut diverges = !ids.is_empty();
        for &id in ids {
            let def = self.prog.def(id);
            if !self.reaches.contains(&id) && !self.may_stop(id) {
                diverges &= def.never;
                continue;
            }
            let flow = if self.stack.len() >= MAX_DEPTH || self.stack.contains(&id) {
                let r = if self.reaches.contains(&id) { Reach::Yes } else { Reach::No };
                Flow { reach: r, diverges: def.never }
            } else {
                self.function(id, vals.clone())
            };
            reach = reach.max(flow.reach);
            diverges &= flow.diverges;
        }
        if reach == Reach::Yes && !certain {
            self.maybe(format!("the call to `{name}` may run one of several functions of that name"));
            reach = Reach::Maybe;
        }
        Flow { reach, diverges }
    }

    /// Functions worth entering although they cannot reach the site: they
    /// may end the child (a guard helper, `-> !`, exit).
    fn may_stop(&self, id: FnId) -> bool {
        let def = self.prog.def(id);
        def.never || body_may_stop(&def.body)
    }

    fn method(&mut self, recv: &Expr, name: &str, args: &[Expr], _loc: Loc, locals: &mut Locals) -> Flow {
        let flow = self.seq(std::iter::once(recv).chain(args.iter()), None, locals);
        if flow.reach == Reach::Yes || flow.diverges {
            return flow;
        }
        if name == "block_on" && self.out.guards.is_empty() && self.out.runtime.is_none() {
            self.out.runtime = recv.loc();
        }
        let ids = self.prog.methods_named(name).to_vec();
        if ids.is_empty() || api::COMMAND_BUILDERS.contains(&name) {
            return flow;
        }
        let on_self = matches!(recv.peel(), Expr::Path(p, _) if p.len() == 1 && p[0] == "self");
        let mut vals = vec![self.eval(recv, locals)];
        vals.extend(args.iter().map(|a| self.eval(a, locals)));
        let certain = ids.len() == 1 && (on_self || !COMMON_METHODS.contains(&name));
        let called = self.call_fns(&ids, vals, certain, name);
        Flow { reach: flow.reach.max(called.reach), diverges: called.diverges && certain }
    }

    fn macro_call(&mut self, m: &super::ir::Macro, locals: &mut Locals) -> Flow {
        if m.loc == self.site {
            return self.hit();
        }
        let flow = self.seq(m.args.iter(), None, locals);
        let name = m.path.last().map_or("", String::as_str);
        if api::macro_diverges(name) {
            return Flow { reach: flow.reach, diverges: true };
        }
        if self.prog.self_spawn_macros.contains(&name) {
            self.maybe(format!("`{name}!` is a macro_rules! macro that names the program's own executable; the check cannot see its expansion"));
            return Flow { reach: flow.reach.max(Reach::Maybe), diverges: false };
        }
        flow
    }

    /// A function named as a value (`thread::spawn(worker)`) may be called.
    fn fn_value(&mut self, path: &[String]) -> Flow {
        if path.len() == 1 && self.stack.is_empty() {
            return NONE;
        }
        let def = self.prog.def(self.fn_id());
        match self.prog.resolve(self.prog.krate_of(self.fn_id()), &def.module, path) {
            Target::Fns(ids) if ids.iter().any(|id| self.reaches.contains(id)) => {
                let flow = self.call_fns(&ids, Vec::new(), ids.len() == 1, path.last().map_or("", String::as_str));
                Flow { reach: flow.reach, diverges: false }
            }
            _ => NONE,
        }
    }
}

/// Method names so common that a call by name alone says little about
/// which function runs.
const COMMON_METHODS: &[&str] = &[
    "run", "start", "spawn", "new", "call", "execute", "exec", "send", "recv", "wait", "join", "output", "status",
    "init", "build", "main", "handle", "process", "serve", "launch",
];

/// Whether a body contains a call that can end the process or the child's
/// path directly (exit, abort, `-> !`, a library init, a panic).
fn body_may_stop(body: &[Stmt]) -> bool {
    fn expr(e: &Expr) -> bool {
        match e {
            Expr::Call { func, args, .. } => {
                let stops = matches!(func.peel(), Expr::Path(p, _) if matches!(p.last().map(String::as_str), Some("exit" | "abort" | "init")));
                stops || args.iter().any(expr)
            }
            Expr::Macro(m) => m.path.last().is_some_and(|n| api::macro_diverges(n)) || m.args.iter().any(expr),
            Expr::Method { recv, args, .. } => expr(recv) || args.iter().any(expr),
            Expr::If { cond, then, els, .. } => expr(cond) || block(then) || els.as_deref().is_some_and(expr),
            Expr::Match { scrut, arms, .. } => expr(scrut) || arms.iter().any(|a| expr(&a.body)),
            Expr::Block(b) | Expr::Loop { body: b, .. } => block(b),
            Expr::While(c, b) | Expr::For(_, c, b) => expr(c) || block(b),
            Expr::Ref(e) | Expr::Try(e) | Expr::Not(e) | Expr::Let(_, e) | Expr::Field(e, _) => expr(e),
            Expr::Binary(_, a, b) | Expr::Index(a, b) | Expr::Assign(a, b) => expr(a) || expr(b),
            Expr::Tuple(items) | Expr::Array(items) | Expr::Other(items) => items.iter().any(expr),
            _ => false,
        }
    }
    fn block(stmts: &[Stmt]) -> bool {
        stmts.iter().any(|s| match s {
            Stmt::Let { init, .. } => init.as_ref().is_some_and(expr),
            Stmt::Expr(e, _) => expr(e),
        })
    }
    block(body)
}
