//! Abstract evaluation of function bodies: computes [`Val`]s for expressions
//! and, in a recording pass, discovers spawn sites, the markers set on them,
//! and the summaries that let values cross function boundaries.

use super::api;
pub(crate) use super::bind::{bind, type_payloads};
use super::edited::text_change;
use super::index::{FnId, Program, Target};
use super::ir::{BinOp, Expr, FnDef, Lit, Loc, Name, Pat, Stmt};
use super::learn::Reads;
use super::shapes::{constructed_type, exec_marker, variant};
use super::value::{Facts, Locals, Marker, Origin, Site, Val, Via};
use super::{own_file::method as own_file, passing};

pub(crate) struct Eval<'p, 'a> {
    pub prog: &'p Program<'a>,
    /// What earlier passes learned (read-only).
    pub facts: &'p Facts,
    /// Where this pass records what it learns; `None` when only evaluating.
    pub rec: Option<&'p mut Facts>,
    pub fn_id: FnId,
    /// Join of the values this function returns, if it has a `return`.
    pub ret: Option<Val>,
    /// Where to note what is read of `facts`, when asked.
    reads: Option<&'p mut Reads>,
    /// How many branches (an `if` arm, a loop body, a closure, the right
    /// side of `&&`) enclose the expression being evaluated.
    pub(super) branch: u32,
    /// The branch depth at which each spawn site of this body was made: a
    /// builder call deeper than that may not run (see [`super::builder`]).
    pub(super) made_at: Vec<(Loc, u32)>,
    /// Ids of the branches around the expression being evaluated, and the
    /// next id (see [`super::other`]).
    pub(super) open: Vec<u32>,
    next_branch: u32,
    /// Locals of this body bound to a new list (`vec![..]`, `Vec::new()`),
    /// as the evaluation passes their `let`: only those are read as
    /// argument lists by [`super::carried`], which is not cheap.
    pub(super) list_lets: Vec<Name>,
}

impl<'p, 'a> Eval<'p, 'a> {
    pub(super) fn new(prog: &'p Program<'a>, facts: &'p Facts, rec: Option<&'p mut Facts>, fn_id: FnId) -> Self {
        Eval {
            prog,
            facts,
            rec,
            fn_id,
            ret: None,
            reads: None,
            branch: 0,
            made_at: Vec::new(),
            open: Vec::new(),
            next_branch: 0,
            list_lets: Vec::new(),
        }
    }

    /// Notes in `reads` the return summaries and fields this evaluation
    /// looks up (see [`super::learn`]; parameters are always read).
    pub(super) fn reading(mut self, reads: &'p mut Reads) -> Self {
        self.reads = Some(reads);
        self
    }

    pub(super) fn def(&self) -> &'a FnDef {
        self.prog.def(self.fn_id)
    }

    pub(super) fn canonical(&self, path: &[Name]) -> Vec<Name> {
        let def = self.def();
        self.prog.canonical(self.prog.krate_of(self.fn_id), &def.module, path)
    }

    pub(super) fn target(&self, path: &[Name]) -> Target {
        self.prog.resolve_from(self.fn_id, path)
    }

    /// Evaluates a whole function body with its parameters bound.
    pub(super) fn function(&mut self, locals: &mut Locals) -> Val {
        let def = self.def();
        for (i, p) in def.params.iter().enumerate() {
            let val = super::params::bound(self.facts.param_vals.get(&(self.fn_id, i)));
            let ty = def.param_types.get(i).and_then(Option::as_deref).or(super::bind::receiver_type(def, p));
            bind(p, super::bind::annotated(self.prog, ty, val), locals);
        }
        let tail = self.block(def.body.get(), locals);
        Val::returned(self.ret.take(), tail, self.stmts_never(def.body.get()))
    }

    pub(super) fn block(&mut self, stmts: &[Stmt], locals: &mut Locals) -> Val {
        let mut last = Val::Unknown;
        for stmt in stmts {
            last = match stmt {
                Stmt::Let { pat, ty, init, els } => {
                    if let (Pat::Bind(name, None), Some(init)) = (pat, init)
                        && super::arglist::is_new_list(init)
                    {
                        self.list_lets.push(*name);
                    }
                    let val = init.as_ref().map_or(Val::Unknown, |e| self.expr(e, locals));
                    let val = init.as_ref().and_then(|e| super::local_fn::bound(e.peel())).unwrap_or(val);
                    let val = super::bind::annotated(self.prog, ty.as_deref(), val);
                    if let Some(els) = els {
                        self.block(els, &mut locals.clone());
                    }
                    bind(pat, val, locals);
                    Val::Unknown
                }
                Stmt::Expr(e, semi) => {
                    let val = self.expr(e, locals);
                    if *semi { Val::Unknown } else { val }
                }
            };
        }
        last
    }

    pub(super) fn expr(&mut self, e: &Expr, locals: &mut Locals) -> Val {
        match e {
            Expr::Lit(Lit::Str(s), _) if s == "/proc/self/exe" => Val::Exe(Origin::ProcSelfExe),
            Expr::Lit(Lit::Str(s), _) => Val::Str(s.clone()),
            Expr::Lit(Lit::Bool(b), _) => Val::Bool(*b),
            Expr::Lit(..) => Val::Unknown,
            Expr::Path(path, _) => self.path(path, locals),
            Expr::Call { func, args, loc } => self.call(func, args, *loc, locals),
            Expr::Method { recv, name, args, loc } => self.method(recv, name, args, *loc, locals),
            Expr::Field(base, name) => {
                let base = self.expr(base, locals);
                self.field(base, name)
            }
            Expr::Index(base, index) => {
                let base = self.expr(base, locals);
                self.expr(index, locals);
                match (base, index.peel()) {
                    (Val::Argv { skip, .. }, Expr::Lit(Lit::Int(i), _)) => Val::ArgvItem(Some(skip + *i as usize)),
                    (Val::Argv { skip, pushed }, Expr::Other(range)) => match range.first().map(Expr::peel) {
                        Some(Expr::Lit(Lit::Int(i), _)) => Val::Argv { skip: skip + *i as usize, pushed },
                        _ => Val::Argv { skip, pushed },
                    },
                    _ => Val::Unknown,
                }
            }
            Expr::Ref(inner) | Expr::Try(inner) | Expr::Handed(inner, _) => self.expr(inner, locals),
            Expr::Not(inner) => {
                self.expr(inner, locals);
                Val::Unknown
            }
            Expr::Binary(op, l, r) => {
                self.expr(l, locals);
                if matches!(op, BinOp::And | BinOp::Or) {
                    self.branched(|this| this.expr(r, locals));
                } else {
                    self.expr(r, locals);
                }
                Val::Unknown
            }
            Expr::If { cond, then, els, .. } => {
                let mut inner = locals.clone();
                self.expr(cond, &mut inner);
                self.branched(|this| {
                    let a = (this.block(then, &mut inner), this.stmts_never(then));
                    let b = els.as_ref().map(|e| (this.expr(e, &mut locals.clone()), this.never(e)));
                    this.merge_ways(std::iter::once(a).chain(b).collect())
                })
            }
            Expr::Let(pat, value) => {
                let val = self.expr(value, locals);
                bind(pat, val, locals);
                Val::Unknown
            }
            Expr::Match { scrut, arms, .. } => {
                let val = self.expr(scrut, locals);
                let mut out = Vec::new();
                for arm in arms {
                    let mut inner = locals.clone();
                    bind(&arm.pat, val.clone(), &mut inner);
                    type_payloads(self.prog, self.def().self_ty.as_deref(), &arm.pat, &val, &mut inner);
                    if let Some(guard) = &arm.guard {
                        self.expr(guard, &mut inner);
                    }
                    out.push((self.branched(|this| this.expr(&arm.body, &mut inner)), self.never(&arm.body)));
                }
                self.merge_ways(out)
            }
            Expr::Block(stmts) => self.block(stmts, &mut locals.clone()),
            Expr::Closure(params, body) => {
                let mut inner = locals.clone();
                for p in params {
                    bind(p, Val::Unknown, &mut inner);
                }
                self.branched(|this| this.closure_body(body, &mut inner));
                Val::Unknown
            }
            Expr::Loop { body, .. } => {
                self.branched(|this| this.block(body, &mut locals.clone()));
                Val::Unknown
            }
            Expr::While(cond, body) => {
                let mut inner = locals.clone();
                self.expr(cond, &mut inner);
                self.branched(|this| this.block(body, &mut inner));
                Val::Unknown
            }
            Expr::For(pat, iter, body) => {
                let it = self.expr(iter, locals);
                let mut inner = locals.clone();
                let item = if matches!(it, Val::Argv { .. }) { Val::ArgvItem(None) } else { Val::Unknown };
                bind(pat, item, &mut inner);
                self.branched(|this| this.block(body, &mut inner));
                Val::Unknown
            }
            Expr::Return(value, _) => {
                if let Some(value) = value {
                    let v = self.expr(value, locals);
                    self.note_return(v);
                }
                Val::Unknown
            }
            Expr::Break | Expr::Continue => Val::Unknown,
            Expr::Macro(m) => self.macro_call(m, locals),
            Expr::Struct(path, fields) => {
                let owner = match path.last().map(Name::as_str) {
                    Some("Self") => self.def().self_ty.map(|ty| ty.to_string()),
                    other => other.map(str::to_string),
                };
                for (name, value) in fields {
                    let v = self.expr(value, locals);
                    self.note_field(name, &v, owner.as_deref());
                    self.note_list_field(name, value);
                }
                variant(path)
                    .or_else(|| (path.len() == 1).then(|| constructed_type(&[path[0], "new".into()])))
                    .unwrap_or(Val::Unknown)
            }
            Expr::Tuple(items) => {
                let vals: Vec<Val> = items.iter().map(|item| self.expr(item, locals)).collect();
                if vals.iter().all(|v| matches!(v, Val::Unknown)) { Val::Unknown } else { Val::Tuple(vals) }
            }
            Expr::Array(items) => {
                let vals: Vec<Val> = items.iter().map(|item| self.expr(item, locals)).collect();
                self.table(items, vals).unwrap_or(Val::Unknown)
            }
            Expr::Other(items) => {
                for item in items {
                    self.expr(item, locals);
                }
                Val::Unknown
            }
            Expr::Assign(lhs, rhs) => {
                let v = self.expr(rhs, locals);
                match lhs.peel() {
                    Expr::Path(p, _) if p.len() == 1 => {
                        locals.insert(p[0].to_string(), v);
                    }
                    Expr::Field(base, name) => {
                        let owner = match self.expr(base, locals) {
                            Val::Typed(ty) => Some(ty),
                            _ => None,
                        };
                        self.note_field(name, &v, owner.as_deref());
                        self.note_list_field(name, rhs);
                    }
                    _ => {}
                }
                Val::Unknown
            }
        }
    }

    fn path(&mut self, path: &[Name], locals: &Locals) -> Val {
        if path.len() == 1
            && let Some(v) = locals.get(path[0].as_str())
        {
            return v.clone();
        }
        if let Some(v) = variant(path) {
            return v;
        }
        let def = self.def();
        match self.prog.const_str(self.prog.krate_of(self.fn_id), &def.module, path) {
            Some("/proc/self/exe") => Val::Exe(Origin::ProcSelfExe),
            Some(s) => Val::Str(s.to_string()),
            // A static whose initialiser is a function of the program
            // (`static EXE: Lazy<PathBuf> = Lazy::new(|| current_exe()..)`).
            None if path
                .last()
                .is_some_and(|n| n.chars().all(|c| c.is_uppercase() || c == '_' || c.is_ascii_digit())) =>
            {
                match self.target(path) {
                    Target::Fns(ids) => self
                        .call_analysed(&ids, Vec::new(), 0)
                        .read_from(ids.iter().find_map(|&id| super::reads::marker_read(self.prog, id))),
                    Target::External(_) => Val::Unknown,
                }
            }
            None => Val::Unknown,
        }
    }

    fn field(&mut self, base: Val, name: &str) -> Val {
        match base {
            Val::Clap(ty) | Val::ClapField(_, ty) => {
                let field_ty = ty.and_then(|t| self.prog.field_type(&t, name)).map(str::to_string);
                Val::ClapField(name.to_string(), field_ty)
            }
            Val::ClapNested(ty, _) => {
                Val::ClapField(name.to_string(), self.prog.field_type(&ty, name).map(str::to_string))
            }
            _ if self.exe_field(name, &base) => Val::Exe(Origin::CurrentExe),
            // A clap-derived payload bound from a subcommand variant
            // (`Command::Web(web_opts) => web_opts.daemonize`): argv decides it.
            Val::Typed(ty) if self.prog.clap_names.is_type(&ty) => {
                let field_ty = self.prog.field_type(&ty, name).map(str::to_string);
                Val::ClapField(name.to_string(), field_ty)
            }
            Val::Unknown | Val::Typed(_) if let Some(source) = self.facts.marker_fields.get(name) => {
                Val::Derived(Box::new(source.clone()))
            }
            // A plain field of a struct a function that reads the markers
            // returned (`Opts::from_env().worker`).
            Val::Typed(ty)
                if let Some(source) = self.facts.marker_types.get(&ty)
                    && !self.prog.field_type(&ty, name).is_some_and(|f| self.prog.has_methods(f)) =>
            {
                Val::Derived(Box::new(source.clone()))
            }
            Val::Typed(ty) if let Some(field_ty) = self.prog.field_type(&ty, name) => Val::Typed(field_ty.to_string()),
            // A field of what a parser of the program's own returned.
            Val::Derived(source) => Val::Derived(source),
            _ => Val::Unknown,
        }
    }

    /// Field `name` of `base` holds the own executable: some struct's field
    /// of that name does, and `base` is not known to be of another type
    /// (`RunOptions.command` is not `Request.command`).
    fn exe_field(&mut self, name: &str, base: &Val) -> bool {
        if let Some(reads) = self.reads.as_deref_mut() {
            reads.fields.push(name.to_string());
        }
        let Some(owners) = self.facts.exe_fields.get(name) else { return false };
        match base {
            Val::Typed(ty) => owners.contains(ty) || owners.contains(""),
            _ => true,
        }
    }

    /// `owner`: the struct type whose field is set, when known.
    fn note_field(&mut self, name: &str, v: &Val, owner: Option<&str>) {
        let Some(rec) = self.rec.as_deref_mut() else { return };
        if v.exe_origin().is_some() {
            rec.exe_fields.entry(name.to_string()).or_default().insert(owner.unwrap_or_default().to_string());
        } else if v.is_marker_source() && !v.is_clap() {
            // Clap values keep their type through fields (`self.args.command`).
            let Val::Derived(source) = Val::derived([v]) else { return };
            rec.marker_fields.entry(name.to_string()).or_insert(*source);
        }
    }

    fn call(&mut self, func: &Expr, args: &[Expr], loc: Loc, locals: &mut Locals) -> Val {
        if let Some(v) = self.lazy_init(func, args, locals) {
            return v;
        }
        let vals: Vec<Val> = args.iter().map(|a| self.expr(a, locals)).collect();
        let Expr::Path(path, _) = func.peel() else {
            self.expr(func, locals);
            return Val::Unknown;
        };
        if let Some((f, mut inner)) = super::local_fn::call(path, locals, vals.clone()) {
            return self.closure_body(f.body(), &mut inner);
        }
        if path.len() == 1 && path[0] == "Err" {
            return Val::Error;
        }
        // `Ok(x)`, `Some(x)`: the value inside, as `Some(x)` binds it.
        if let ([name], [_]) = (&**path, vals.as_slice())
            && matches!(name.as_str(), "Ok" | "Some")
        {
            return vals.into_iter().next().unwrap_or(Val::Unknown);
        }
        if let Some(v) = variant(path) {
            return v;
        }
        match self.target(path) {
            Target::Fns(ids) => {
                self.note_list_params(&ids, args, 0);
                let read = ids.iter().find_map(|&id| super::reads::marker_read(self.prog, id));
                let val = match self.call_analysed(&ids, vals.clone(), 0) {
                    Val::Unknown => self.unsummarised(&ids, path, &vals, read.clone()),
                    other => other,
                };
                // A value of the program's own type made by a function that
                // reads the markers (`App::from_args()`): see `marker_types`.
                if let (Val::Typed(ty), Some(source), Some(rec)) = (&val, read, self.rec.as_deref_mut()) {
                    rec.marker_types.entry(ty.clone()).or_insert(source);
                }
                val
            }
            Target::External(canon) => self.call_external(&canon, args, vals, loc),
        }
    }

    /// `Lazy::new(|| v)`, `LazyLock::new(|| v)`: the static holds `v`;
    /// `Lazy::new(Cli::parse)`: what the function returns.
    fn lazy_init(&mut self, func: &Expr, args: &[Expr], locals: &Locals) -> Option<Val> {
        let Expr::Path(path, _) = func.peel() else { return None };
        let [.., ty, new] = &**path else { return None };
        if !matches!(ty.as_str(), "Lazy" | "LazyLock" | "LazyCell") || new != "new" {
            return None;
        }
        let init = args.first().map(Expr::peel)?;
        Some(match init {
            Expr::Closure(_, body) => self.expr(body, &mut locals.clone()),
            Expr::Path(_, loc) => {
                let call = Expr::Call { func: Box::new(init.clone()), args: Vec::new(), loc: *loc };
                self.expr(&call, &mut locals.clone())
            }
            _ => Val::Unknown,
        })
    }

    /// A call into the analysed crates: record argument values for the
    /// callee's parameters; the result is the callee's summary.
    pub(super) fn call_analysed(&mut self, ids: &[FnId], vals: Vec<Val>, offset: usize) -> Val {
        if let Some(reads) = self.reads.as_deref_mut() {
            reads.returns_of(ids);
        }
        self.summaries(ids, vals, offset)
    }

    /// [`Eval::call_analysed`] without noting the reads.
    fn summaries(&mut self, ids: &[FnId], vals: Vec<Val>, offset: usize) -> Val {
        if let Some(rec) = self.rec.as_deref_mut() {
            for &id in ids {
                for (i, v) in vals.iter().enumerate() {
                    super::params::record(&self.facts.param_vals, &mut rec.param_vals, (id, i + offset), v);
                }
            }
        }
        // Several candidates (cfg alternatives, same-named methods): what
        // any of them returns, so the executable is not lost.
        ids.iter().filter_map(|id| self.facts.returns.get(id).cloned()).fold(Val::Unknown, Val::join)
    }

    fn call_external(&mut self, canon: &[Name], args: &[Expr], vals: Vec<Val>, loc: Loc) -> Val {
        if let Some(parsed) = super::bpaf::parser_call(self.prog, canon) {
            return parsed;
        }
        let first = vals.first().cloned().unwrap_or(Val::Unknown);
        match api::classify_call(canon, self.is_clap_type(canon)) {
            api::Call::CurrentExe => Val::Exe(Origin::CurrentExe),
            api::Call::Args => Val::Argv { skip: 0, pushed: Vec::new() },
            api::Call::EnvVar => Val::Env(match first {
                Val::Str(s) => Some(s),
                _ => None,
            }),
            // `env::vars().any(|(k, _)| k == "APP_WORKER")`: a test of the
            // env, of a var not named where it is read.
            api::Call::EnvVars => Val::Derived(Box::new(Val::Env(None))),
            api::Call::SetVar => {
                if let (Some(rec), Val::Str(key)) = (self.rec.as_deref_mut(), first) {
                    rec.set_vars.insert(key);
                }
                Val::Unknown
            }
            api::Call::PassThrough => first,
            api::Call::ReadLink => match first {
                Val::Exe(o) => Val::Exe(o),
                // `read_link(format!("/proc/{}/exe", parent_id()))`.
                other if other.differs() => Val::derived([&other]),
                _ => Val::Unknown,
            },
            api::Call::CommandNew => match first.exe_origin() {
                Some(origin) => self.site(loc, Via::Command, origin, Marker::default()),
                None => self.other_program(loc, &first),
            },
            api::Call::Exec => match first.exe_origin() {
                Some(origin) => {
                    let marker = exec_marker(canon, args, self.def().body.get());
                    self.site(loc, Via::Exec, origin, marker);
                    Val::Unknown
                }
                None => Val::Unknown,
            },
            api::Call::LibrarySpawn(via) => {
                self.site(loc, via, Origin::Library, api::library_marker(via));
                Val::Unknown
            }
            api::Call::ClapParse => Val::Clap(canon.get(canon.len().wrapping_sub(2)).map(Name::to_string)),
            api::Call::UserId => Val::UserId,
            api::Call::ProcessId(what) => Val::Differs(what.to_string()),
            api::Call::Other if let Some(v) = self.facts.written.call(self.prog, canon, &vals) => v,
            api::Call::Other => match Val::derived(&vals) {
                Val::Unknown if api::is_foreign(canon) => Val::Foreign(canon.join("::")),
                other => other,
            },
        }
    }

    fn is_clap_type(&self, canon: &[Name]) -> bool {
        canon.len() >= 2 && self.prog.clap_names.is_type(canon[canon.len() - 2].as_str())
    }

    /// Evaluates a part that may not run (see `branch`).
    fn branched<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        self.branch += 1;
        self.open.push(self.next_branch);
        self.next_branch += 1;
        let out = f(self);
        self.open.pop();
        self.branch -= 1;
        out
    }

    fn site(&mut self, loc: Loc, via: Via, origin: Origin, marker: Marker) -> Val {
        self.made_at.push((loc, self.branch));
        if let Some(rec) = self.rec.as_deref_mut() {
            rec.sites.add(Site { loc, fn_id: self.fn_id, via, origin, base: marker.clone(), marker });
        }
        Val::Cmd(vec![loc])
    }

    fn method(&mut self, recv: &Expr, name: &str, args: &[Expr], loc: Loc, locals: &mut Locals) -> Val {
        let r = self.expr(recv, locals);
        // What foreign code returned passes through adapters (`.ok()`,
        // `.as_deref()`); any other method is first read as one on an
        // unknown value (clap's builder chain `clap::Command::new(..)
        // .get_matches()`), and what that leaves unknown is foreign too
        // (`parser().run()` of a parser a derive macro made).
        match r {
            Val::Foreign(path) if super::framework::restarts(&path, name, args.len()) => {
                let via = Via::Restart;
                self.site(loc, via, Origin::Library, api::library_marker(via));
                Val::Unknown
            }
            Val::Foreign(_) if passing::passes_on(name) => {
                args.iter().for_each(|a| drop(self.expr(a, locals)));
                r
            }
            Val::Foreign(path) => match self.method_on(Val::Unknown, recv, name, args, locals) {
                Val::Unknown => Val::Foreign(path),
                v => v,
            },
            r => self.method_on(r, recv, name, args, locals),
        }
    }

    fn method_on(&mut self, r: Val, recv: &Expr, name: &str, args: &[Expr], locals: &mut Locals) -> Val {
        if let Some(parsed) = super::bpaf::run_method(self.prog, &r, name) {
            args.iter().for_each(|a| drop(self.expr(a, locals)));
            return parsed;
        }
        if let Some(v) = self.exe_adapter(&r, name, args, locals) {
            return v;
        }
        if let Some(v) = self.table_method(&r, name, args, locals) {
            return v;
        }
        let vals: Vec<Val> = args.iter().map(|a| self.expr(a, locals)).collect();
        // `path.set_file_name("miri")`: the variable now names another file.
        if matches!(name, "set_file_name" | "set_extension" | "push" | "pop" | "clear")
            && r.exe_origin().is_some()
            && let Expr::Path(p, _) = recv.peel()
            && p.len() == 1
        {
            locals.insert(p[0].to_string(), Val::Unknown);
            return Val::Unknown;
        }
        if let Some(v) = text_change(&r, recv, name, &vals, locals) {
            return v;
        }
        // `args.next()` on an argv iterator held in a local moves it on:
        // `args.next(); let rustc = args.next()` is argv[1], not argv[0].
        if let (Val::Argv { skip, pushed }, "next" | "nth", Expr::Path(p, _)) = (&r, name, recv.peel())
            && p.len() == 1
        {
            let step = match (name, args.first().map(Expr::peel)) {
                ("next", _) => Some(0),
                (_, Some(Expr::Lit(Lit::Int(n), _))) => Some(*n as usize),
                _ => None,
            };
            let Some(step) = step else { return Val::ArgvItem(None) };
            locals.insert(p[0].to_string(), Val::Argv { skip: skip + step + 1, pushed: pushed.clone() });
            return Val::ArgvItem(Some(skip + step));
        }
        // `args.push("--wait")` on a collected argv: passed on later, the
        // child gets the parent's arguments and then this one.
        if let (Val::Argv { skip, pushed }, "push", Expr::Path(p, _)) = (&r, name, recv.peel())
            && p.len() == 1
        {
            let mut pushed = pushed.clone();
            pushed.push(match vals.first() {
                Some(Val::Str(s)) => Some(s.clone()),
                _ => None,
            });
            locals.insert(p[0].to_string(), Val::Argv { skip: *skip, pushed });
            return Val::Unknown;
        }
        if let Some(v) = self.command_call(&r, name, args, &vals, locals) {
            return v;
        }
        if let Some(v) = self.facts.written.method(self.prog, &r, recv, name, &vals) {
            return v;
        }
        if let Some(v) = passing::method_value(&r, name, args).or_else(|| own_file(self.prog, &r, name, args, &vals)) {
            return v;
        }
        // `Server::try_new(..).map_err(..)?`: still a `Server`, unless the
        // type has a method of that name itself.
        if let Val::Typed(ty) = &r
            && passing::KEEPS_TYPE.contains(&name)
            && self.prog.methods_of(ty, name).is_empty()
        {
            return r;
        }
        let (ids, by_name) = match &r {
            Val::Typed(ty) | Val::Clap(Some(ty)) | Val::ClapField(_, Some(ty)) | Val::ClapNested(ty, _) => {
                (self.prog.methods_of(ty, name), false)
            }
            _ => (self.prog.methods_named(name), true),
        };
        if !ids.is_empty() {
            self.note_list_params(&ids, args, 1);
            let mut all = vec![r];
            all.extend(vals);
            if !by_name {
                return self.call_analysed(&ids, all, 0);
            }
            if let Some(reads) = self.reads.as_deref_mut() {
                reads.methods_named(name);
            }
            return self.summaries(&ids, all, 0);
        }
        Val::derived(std::iter::once(&r).chain(&vals))
    }

    /// A closure's body: what it returns, by `return` or its tail (a
    /// closure's `return` is not the enclosing function's).
    fn closure_body(&mut self, body: &Expr, inner: &mut Locals) -> Val {
        let saved = self.ret.take();
        let tail = self.expr(body, inner);
        Val::returned(std::mem::replace(&mut self.ret, saved), tail, self.never(body))
    }

    /// `current_exe().map(Command::new)`, `.and_then(|p| Command::new(p)
    /// .status())`: an adapter hands the own executable to a function or a
    /// closure, which is evaluated with it (a spawn there is a site).
    fn exe_adapter(&mut self, r: &Val, name: &str, args: &[Expr], locals: &mut Locals) -> Option<Val> {
        if r.exe_origin().is_none() || !matches!(name, "map" | "and_then" | "map_or" | "map_or_else" | "inspect") {
            return None;
        }
        // The other arguments (`map_or(default, f)`'s default) as usual.
        let (f, defaults) = args.split_last()?;
        match f.peel() {
            Expr::Closure(params, body) if !params.is_empty() => {
                defaults.iter().for_each(|d| drop(self.expr(d, locals)));
                let mut inner = locals.clone();
                bind(&params[0], r.clone(), &mut inner);
                Some(self.branched(|this| this.closure_body(body, &mut inner)))
            }
            Expr::Path(path, loc) => {
                defaults.iter().for_each(|d| drop(self.expr(d, locals)));
                Some(match self.target(path) {
                    Target::External(canon) => self.call_external(&canon, &[], vec![r.clone()], *loc),
                    Target::Fns(ids) => self.call_analysed(&ids, vec![r.clone()], 0),
                })
            }
            _ => None,
        }
    }

    fn macro_call(&mut self, m: &super::ir::Macro, locals: &mut Locals) -> Val {
        let vals: Vec<Val> = m.args.iter().map(|a| self.expr(a, locals)).collect();
        let canon = self.canonical(&m.path);
        if let Some(via) = api::library_macro(&canon) {
            return self.site(m.loc, via, Origin::Library, api::library_marker(via));
        }
        match canon.last().map(Name::as_str) {
            Some("matches") => vals.into_iter().next().unwrap_or(Val::Unknown),
            // A path or text made from a process id is not the child's
            // either (`format!("/proc/{ppid}/exe")`, the hole a local).
            Some("format") if let Some(v) = super::formatted::differing(m, &vals, locals) => v,
            Some("format") => match m.args.first() {
                Some(Expr::Lit(Lit::Str(template), _)) => super::formatted::shape(template),
                _ => Val::Unknown,
            },
            _ => Val::Unknown,
        }
    }
}
