//! Calls in the walk: into analysed functions (with the child's values for
//! their parameters), to functions that end the process or guard the child,
//! and to work that must not run twice.

use super::once::Once;
use super::unsure::Scope;
use super::{Flow, MAX_DEPTH, Reach, Walker, scan};
use crate::lint::api;
use crate::lint::handoff;
use crate::lint::index::{FnId, Target};
use crate::lint::ir::Name;
use crate::lint::ir::{Expr, Loc, Macro};
use crate::lint::lines::line;
use crate::lint::name::intern;
use crate::lint::receiver::GENERIC_CALLS;
use crate::lint::update;
use crate::lint::value::{Locals, Val};

/// How many times one function may be on the walk's stack.
const RECURSION: usize = 2;

/// Method names so common that a call by name alone says little about
/// which function runs.
const COMMON_METHODS: &[&str] = &[
    "run", "start", "spawn", "new", "call", "execute", "exec", "send", "recv", "wait", "join", "output", "status",
    "init", "build", "main", "handle", "process", "serve", "launch",
];

impl Walker<'_, '_, '_> {
    /// `call` is the whole call expression, `func(args)` at `loc` its parts:
    /// the call's value is settled by evaluating it as it stands (it was
    /// rebuilt from deep copies of its parts at every call walked: 5% of a
    /// large workspace's check).
    pub(super) fn call(&mut self, call: &Expr, func: &Expr, args: &[Expr], loc: Loc, locals: &mut Locals) -> Flow {
        if loc == self.site {
            return self.hit();
        }
        let once = Once::new(args, locals);
        let flow = self.seq(args.iter(), None, locals);
        if flow.stops() {
            return flow;
        }
        let Expr::Path(path, _) = func.peel() else {
            let inner = self.expr(func, locals);
            return Flow { reach: flow.reach.max(inner.reach), ..inner };
        };
        // `f()` with `f` bound to a table entry's function.
        let target = match &**path {
            [name] if let Some(Val::Fns(ids)) = locals.get(name.as_str()) => Target::Fns(ids.clone()),
            _ => self.prog.resolve_from(self.fn_id(), path),
        };
        match target {
            Target::Fns(ids) if self.is_own_library_init(&ids) => {
                self.guard(loc, self.work);
                Flow { reach: flow.reach, diverges: true, val: Val::Unknown }
            }
            Target::Fns(ids) => {
                let vals: Vec<Val> = args.iter().map(|a| once.read(self, a, locals)).collect();
                // Several functions at one path are cfg alternatives
                // (`#[cfg(unix)]`/`#[cfg(windows)]`): one of them runs.
                let certain = self.same_path(&ids);
                let called = self.call_fns(&ids, vals, certain, path.last().map_or("", Name::as_str), loc);
                // Settled by `Eval`, which also types the result
                // (declared return, a parser of the program's own).
                let val = if matches!(called.val, Val::Unknown) {
                    once.settle(self, call, locals)
                } else {
                    called.val.clone()
                };
                Flow { reach: flow.reach.max(called.reach), diverges: called.diverges, val }
            }
            Target::External(canon) => {
                if self.replaced.is_none()
                    && let Some(api) = update::replacing_api(&canon)
                {
                    let func = &self.prog.def(self.fn_id()).name;
                    self.replaced = Some(format!("{api} in `{func}`, line {}", line(self.prog.files, loc)));
                }
                let diverges = self.external(&canon, loc);
                let handed =
                    if diverges || handoff::is_wrapper(func) { Reach::No } else { self.handed_on(args, loc, locals) };
                Flow { reach: flow.reach.max(handed), diverges, val: once.settle(self, call, locals) }
            }
        }
    }

    /// An external call: does it end the child's path?
    fn external(&mut self, canon: &[Name], loc: Loc) -> bool {
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
        if self.unsure.is_none()
            && api::is_foreign(canon)
            && let Some(marker) = self.child.marker_named_after(&canon[0])
            && !self.prog.is_own_variant(canon)
        {
            let why = format!(
                "`{}` (line {}) is code the check does not read, and the child's marker `{marker}` is named after its crate: that code may send the child elsewhere",
                canon.join("::"),
                line(self.prog.files, loc)
            );
            self.unsure = Some((why, loc, Scope::Process));
        }
        if self.out.guards.is_empty() {
            if api::is_work(canon) && self.work.is_none() {
                self.work = Some(loc);
            }
            if api::starts_runtime(canon) && self.out.runtime.is_none() {
                self.out.runtime = Some(loc);
            }
        }
        false
    }

    /// `procspawn::init()` (or mitosis's) when that library's own source
    /// is analysed (its examples, a vendored copy), for a spawn through the
    /// library or inside it: the library's contract makes `init` the guard,
    /// however its body routes the child.
    fn is_own_library_init(&self, ids: &[FnId]) -> bool {
        ids.iter().all(|&id| {
            let krate = self.prog.krate(self.prog.krate_of(id));
            let via = api::library_init(&[intern(&krate.name), intern(&self.prog.def(id).name)]);
            via.is_some() && (self.child.lib == via || krate.files.contains(&self.site.file))
        })
    }

    /// `procspawn::ProcConfig::new().config_callback(..).init()` for a
    /// child of that library.
    fn configured_init(&self, recv: &Expr) -> bool {
        let Some(path) = api::chain_root(recv) else { return false };
        let Target::External(canon) = self.prog.resolve_from(self.fn_id(), path) else { return false };
        let via = api::library_config_init(&canon);
        via.is_some() && self.child.lib == via
    }

    fn same_path(&self, ids: &[FnId]) -> bool {
        let first = self.prog.def(ids[0]);
        ids.iter().all(|&id| {
            let def = self.prog.def(id);
            def.name == first.name && def.self_ty == first.self_ty
        })
    }

    pub(super) fn call_fns(&mut self, ids: &[FnId], vals: Vec<Val>, certain: bool, name: &str, loc: Loc) -> Flow {
        let mut reach = Reach::No;
        let mut diverges = !ids.is_empty();
        // What the candidates return; an error stays one (`f()?` in the
        // caller then returns it), no candidate at all is unknown.
        let mut val: Option<Val> = None;
        for &id in ids {
            let def = self.prog.def(id);
            if !self.reaches.contains(&id) && !scan::may_stop(self.prog, id) && !self.reads_markers(id) {
                // Not walked, so searched: a self-update down this call.
                if self.replaced.is_none()
                    && let Some(how) = update::replacing_call(self.prog, id)
                {
                    let how = format!(
                        "the call to `{}` on line {} reaches {} in `{}`, line {}",
                        def.name,
                        line(self.prog.files, loc),
                        how.api,
                        how.func,
                        line(self.prog.files, how.loc)
                    );
                    self.replaced = Some(how);
                }
                diverges &= def.never;
                val = Some(Val::Unknown);
                continue;
            }
            let flow = if self.repeats(id, &vals) {
                // The same function with the same arguments is being walked
                // already: the walk is a function of both, so this call can
                // reach nothing the outer one does not (the least fixpoint).
                Flow { reach: Reach::No, diverges: def.never, val: Val::Unknown }
            } else if self.stack.len() >= MAX_DEPTH || self.recursion_deep(id) {
                // Not followed further: if the site lies beyond, the check
                // does not know whether a guard on the way stops the child
                // (taking it as reached made false storms on deep CLIs).
                // Only calls the walk could take count here: beyond a
                // by-name edge it would never follow lies no way on.
                let r = if self.exact.contains(&id) { Reach::Maybe } else { Reach::No };
                if r == Reach::Maybe {
                    let why = if self.stack.contains(&id) {
                        format!(
                            "the spawn is reached through a recursive call of `{}`, which the check follows only {RECURSION} levels deep",
                            def.name
                        )
                    } else {
                        format!(
                            "the spawn lies more than {MAX_DEPTH} calls deep from `main` (through `{}`), where the check stops following",
                            def.name
                        )
                    };
                    self.maybe(why, loc);
                }
                Flow { reach: r, diverges: def.never, val: Val::Unknown }
            } else {
                self.function(id, vals.clone())
            };
            reach = reach.max(flow.reach);
            diverges &= flow.diverges;
            val = Some(match val {
                None => flow.val,
                Some(v) => v.either(flow.val),
            });
        }
        if reach == Reach::Yes && !certain {
            self.maybe(format!("the call to `{name}` may run one of several functions of that name"), loc);
            reach = Reach::Maybe;
        }
        Flow { reach, diverges, val: val.unwrap_or(Val::Unknown) }
    }

    /// `id` is on the stack [`RECURSION`] times already: a recursive call
    /// with arguments the walk under way does not cover (`update(Msg::
    /// Spawn)` inside `update(msg)`) is followed that far.
    fn recursion_deep(&self, id: FnId) -> bool {
        self.stack.iter().filter(|&&on| on == id).count() >= RECURSION
    }

    /// `id` is on the stack, entered with arguments that cover these
    /// ([`covers`]), and no way chosen by the child's markers lies between:
    /// the walk from there finds nothing the one under way does not.
    pub(super) fn repeats(&self, id: FnId, vals: &[Val]) -> bool {
        let mut on_stack = self.stack.iter().zip(&self.entered);
        on_stack.any(|(&on, (args, chosen))| {
            let n = args.len().max(vals.len());
            on == id
                && *chosen == self.chosen
                && (0..n).all(|i| covers(args.get(i).unwrap_or(&Val::Unknown), vals.get(i).unwrap_or(&Val::Unknown)))
        })
    }

    fn reads_markers(&mut self, id: FnId) -> bool {
        if self.stack.len() > 3 {
            return false;
        }
        let prog = self.prog;
        *self.reads_markers.entry(id).or_insert_with(|| scan::reads_markers(prog, id))
    }

    /// `call` is the whole method call, `recv.name(args)` at `loc` its
    /// parts (see [`Walker::call`]).
    pub(super) fn method(
        &mut self,
        call: &Expr,
        recv: &Expr,
        name: &str,
        args: &[Expr],
        loc: Loc,
        locals: &mut Locals,
    ) -> Flow {
        // A framework's restart (`handle.restart()`) is a site itself.
        if loc == self.site {
            return self.hit();
        }
        let once = Once::new(std::iter::once(recv).chain(args), locals);
        let walked = self.expr(recv, locals);
        if walked.stops() {
            return Flow { val: Val::Unknown, ..walked };
        }
        let flow = self.seq(args.iter(), None, locals);
        if flow.stops() {
            return Flow { reach: flow.reach.max(walked.reach), ..flow };
        }
        let flow = Flow { reach: flow.reach.max(walked.reach), ..flow };
        if name == "init" && self.configured_init(recv) {
            self.guard(loc, self.work);
            return Flow { reach: flow.reach, diverges: true, val: Val::Unknown };
        }
        if name == "block_on" && self.out.guards.is_empty() && self.out.runtime.is_none() {
            self.out.runtime = recv.loc();
        }
        let on_self = matches!(recv.peel(), Expr::Path(p, _) if p.len() == 1 && p[0] == "self");
        // A method call names no type: candidates are the analysed methods of
        // that name, minus those a std method of the same name would shadow,
        // narrowed to the ones that matter here.
        let recv_val = once.read(self, recv, locals);
        // `x_command().run()`: bpaf's parser gives the parsed argv.
        if let Some(val) = crate::lint::bpaf::run_method(self.prog, &recv_val, name) {
            return Flow { val, ..flow };
        }
        let typed = match &recv_val {
            Val::Typed(ty) | Val::Clap(Some(ty)) | Val::ClapField(_, Some(ty)) | Val::ClapNested(ty, _) => {
                Some(ty.clone())
            }
            // `self.get()` inside `impl EagerFutureCell`: that type's method
            // when it has one of that name.
            _ if on_self => self
                .prog
                .def(self.fn_id())
                .self_ty
                .map(|ty| ty.to_string())
                .filter(|ty| !self.prog.methods_of(ty, name).is_empty()),
            _ => None,
        };
        let mut ids = match &typed {
            Some(ty) => self.prog.methods_of(ty, name).to_vec(),
            None => self.prog.methods_named(name).to_vec(),
        };
        // A type with no such method of its own that derefs to another
        // (`impl Deref for Service { type Target = Node; }`): any method of
        // that name may run.
        let mut derefs = false;
        if let Some(ty) = &typed
            && ids.is_empty()
            && !self.prog.methods_of(ty, "deref").is_empty()
        {
            ids = self.prog.methods_named(name).to_vec();
            derefs = true;
        }
        // A std method name not defined on the receiver's (or `self`'s) own
        // type is std's (`self.get()` in `impl Trait for OnceCell<T>`).
        if typed.is_none() && (api::COMMAND_BUILDERS.contains(&name) || api::STD_METHODS.contains(&name)) {
            ids.clear();
        }
        let outside = handoff::outside_method(self.prog, name, args.len());
        let caller = self.fn_id();
        ids.retain(|&id| self.prog.takes_args(id, args.len()) && self.prog.can_call(caller, id));
        if ids.is_empty() {
            self.lost_method(name, typed.as_deref(), loc);
        }
        // A receiver built by another crate's API (`sqlx::query(..).bind(..)`)
        // is of that crate's type: the analysed crates' methods on their own
        // types cannot be called on it, only trait methods it may implement.
        if typed.is_none() && !on_self && (self.external_receiver(recv, self.fn_id(), 0) || self.foreign(recv)) {
            let possible = self.prog.trait_methods_named(name);
            ids.retain(|id| possible.contains(id));
        }
        if ids.len() > 1 {
            ids.retain(|id| self.reaches.contains(id) || scan::may_stop(self.prog, *id));
        }
        // `match self { Self::History(history) => history.run() }` inside
        // `Cmd::run`, where several types are named `Cmd`: the same-named
        // method of another type, not a recursion into this one.
        if ids.len() > 1 && ids.iter().any(|id| !self.stack.contains(id)) {
            ids.retain(|id| !self.stack.contains(id));
        }
        if ids.is_empty() {
            let val = once.settle(self, call, locals);
            // `parse().map_err(..)?` where the walk knew what `parse()`
            // returned in this child (a variant its markers chose): an
            // adapter passes it on.
            let val = match val {
                // What the walk found for this child beats a summary.
                Val::Unknown | Val::Derived(_) => {
                    crate::lint::passing::method_value(&walked.val, name, args).unwrap_or(val)
                }
                val => val,
            };
            let handed = if outside { self.handed_on(args, loc, locals) } else { Reach::No };
            return Flow { val, reach: flow.reach.max(handed), ..flow };
        }
        let mut vals = vec![recv_val];
        vals.extend(args.iter().map(|a| once.read(self, a, locals)));
        let certain = !derefs
            && (ids.len() == 1 || self.same_path(&ids))
            && (on_self || typed.is_some() || !COMMON_METHODS.contains(&name));
        let called = self.call_fns(&ids, vals, certain, name, loc);
        let val = if matches!(called.val, Val::Unknown) { once.settle(self, call, locals) } else { called.val };
        Flow { reach: flow.reach.max(called.reach), diverges: called.diverges && certain, val }
    }

    /// `decoder.finish()` with `let decoder = ZlibDecoder::new(buf)`: the
    /// receiver is of another crate's type, as the call graph's exact edges
    /// take it ([`crate::lint::receiver::StdValues::is_foreign`]).
    fn foreign(&mut self, recv: &Expr) -> bool {
        let (prog, id) = (self.prog, self.fn_id());
        self.foreign_values.entry(id).or_insert_with(|| super::StdValues::new(prog, id)).is_foreign(recv)
    }

    /// Whether `e` is a value of a type outside the analysed crates: a call
    /// of another crate's function that is not generic in what it returns,
    /// then methods no trait of the analysed crates can give it.
    fn external_receiver(&self, e: &Expr, in_fn: FnId, depth: u8) -> bool {
        const WRAPPERS: &[&str] = &["Box", "Arc", "Rc", "Mutex", "RwLock", "RefCell", "Cell", "Pin", "Some", "Ok"];
        match e.peel() {
            Expr::Call { func, .. } => match func.peel() {
                Expr::Path(path, _) => match self.prog.resolve_from(in_fn, path) {
                    Target::External(canon) => {
                        canon.len() >= 2
                            && !canon.iter().any(|s| WRAPPERS.contains(&s.as_str()))
                            && canon.last().is_some_and(|l| !GENERIC_CALLS.contains(&l.as_str()))
                    }
                    // `client_builder(..)` declared `-> reqwest::ClientBuilder`.
                    Target::Fns(ids) => ids
                        .iter()
                        .all(|&id| self.prog.def(id).ret.as_deref().is_some_and(|t| self.prog.is_external_type(t))),
                },
                _ => false,
            },
            Expr::Method { recv, name, .. } => {
                self.prog.trait_methods_named(name).is_empty()
                    && !crate::lint::receiver::TYPE_CHANGING.contains(&name.as_str())
                    && !GENERIC_CALLS.contains(&name.as_str())
                    && self.external_receiver(recv, in_fn, depth)
            }
            Expr::Try(inner) => self.external_receiver(inner, in_fn, depth),
            // `DATA_DIR.set(..)` with `static DATA_DIR: OnceLock<..> = OnceLock::new()`.
            Expr::Path(path, _) if depth < 2 => match self.prog.resolve_from(in_fn, path) {
                Target::Fns(ids) => ids.iter().all(|&id| {
                    let def = self.prog.def(id);
                    let is_static = def.name.chars().all(|c| c.is_uppercase() || c == '_' || c.is_ascii_digit());
                    matches!(&**def.body.get(), [crate::lint::ir::Stmt::Expr(init, false)]
                        if is_static && self.external_receiver(init, id, depth + 1))
                }),
                Target::External(_) => false,
            },
            _ => false,
        }
    }

    /// A method call the walk does not follow although a method of that
    /// name leads to the site: if the walk never arrives, it lost the way.
    /// (Of any arity: the call graph links by name alone, and a site it
    /// reaches only through such a link is undecided, never dead code.)
    fn lost_method(&mut self, name: &str, typed: Option<&str>, loc: Loc) {
        let caller = self.fn_id();
        let leads = |id: &FnId| self.reaches.contains(id) && self.prog.can_call(caller, *id);
        if self.out.lost.is_none() && self.prog.methods_named(name).iter().any(leads) {
            let on = typed.map_or_else(String::new, |ty| format!(" on a `{ty}`"));
            let why = format!(
                "the call `.{name}()`{on} could not be resolved to a method of the analysed crates, and a method of that name leads to this spawn"
            );
            self.out.lost = Some((why, loc));
        }
    }

    pub(super) fn macro_call(&mut self, m: &Macro, locals: &mut Locals) -> Flow {
        if m.loc == self.site {
            return self.hit();
        }
        let flow = self.seq(m.args.iter(), None, locals);
        let name = m.path.last().map_or("", Name::as_str);
        if api::macro_diverges(name) {
            return Flow { diverges: true, ..flow };
        }
        if self.prog.self_spawn_macros.contains(&name) {
            let why = format!(
                "`{name}!` is a macro_rules! macro that names the program's own executable; the check cannot see its expansion"
            );
            self.maybe(why, m.loc);
            return Flow { reach: flow.reach.max(Reach::Maybe), ..Flow::none() };
        }
        if self.unsure.is_none() && self.prog.marker_macros.contains(&name) {
            let why = format!(
                "`{name}!` (line {}) is a macro_rules! macro that reads the env or argv and may leave; the check cannot see its expansion",
                line(self.prog.files, m.loc)
            );
            self.unsure = Some((why, m.loc, Scope::Process));
        }
        // A `select!`'s branches were walked above and its value is not
        // known: evaluating them again would copy the whole loop body.
        if crate::lint::lower::select::NAMES.contains(&name) {
            return Flow { val: Val::Unknown, ..flow };
        }
        Flow { val: self.eval(&Expr::Macro(Box::new(m.clone())), locals), ..flow }
    }

    /// Functions a local holds as a value ([`Val::Fns`]) may be called.
    pub(super) fn fns_value(&mut self, ids: &[FnId], name: &str) -> Flow {
        if !ids.iter().any(|id| self.reaches.contains(id)) {
            return Flow::none();
        }
        let flow = self.call_fns(ids, Vec::new(), self.same_path(ids), name, Loc::default());
        Flow { reach: flow.reach, ..Flow::none() }
    }

    /// A value of a type with a `Drop` impl is made here: its `drop` runs
    /// on every way out of the scope, a guard's `return` included, so it is
    /// walked as a call at this point (a restart-on-exit `Drop` that
    /// spawns the program was not seen at all).
    pub(super) fn dropped(&mut self, path: &[Name], loc: Loc) -> Flow {
        let drops = self.prog.drops_of(self.fn_id(), path);
        if !drops.iter().any(|id| self.reaches.contains(id)) {
            return Flow::none();
        }
        self.call_fns(&drops, Vec::new(), true, "drop", loc)
    }

    /// A function named as a value (`thread::spawn(worker)`) may be called.
    pub(super) fn fn_value(&mut self, path: &[Name]) -> Flow {
        match self.prog.resolve_from(self.fn_id(), path) {
            // A bare name never names a method (that takes `Type::` or
            // `Self::`), though methods are indexed by their module too.
            Target::Fns(ids) if path.len() == 1 && ids.iter().all(|&id| self.prog.def(id).self_ty.is_some()) => {
                Flow::none()
            }
            Target::Fns(ids) if ids.iter().any(|id| self.reaches.contains(id)) => {
                let certain = self.same_path(&ids);
                let flow =
                    self.call_fns(&ids, Vec::new(), certain, path.last().map_or("", Name::as_str), Loc::default());
                let table = ids.iter().copied().find(|&id| self.prog.def(id).attrs.table);
                match table {
                    // Which entry of a static table the child runs depends on
                    // the lookup (`TABLE.iter().find(|m| m.name == cmd)`),
                    // which the check does not evaluate: reaching the site
                    // through it is only "maybe", never a definite storm.
                    Some(id) if flow.reach == Reach::Yes => {
                        let def = self.prog.def(id);
                        let why = format!(
                            "the static table `{}` holds a function that leads to this spawn; which of its entries the child runs depends on a lookup the check does not evaluate",
                            def.name
                        );
                        self.maybe(why, def.loc);
                        Flow { reach: Reach::Maybe, ..Flow::none() }
                    }
                    _ => Flow { reach: flow.reach, ..Flow::none() },
                }
            }
            _ => Flow::none(),
        }
    }
}

/// Whether a walk given `entry` takes every way one given `now` takes: the
/// same value, or an unknown one against a constant the walk only tests
/// (a string, a bool, a variant: a test of an unknown value goes both
/// ways, of a constant one way). Not a value that makes the walk go
/// further than an unknown one (functions to call, a typed receiver whose
/// methods resolve, a marker read from argv or env).
fn covers(entry: &Val, now: &Val) -> bool {
    entry == now || (*entry == Val::Unknown && matches!(now, Val::Str(_) | Val::Bool(_) | Val::Variant(_) | Val::Error))
}
