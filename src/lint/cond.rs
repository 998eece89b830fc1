//! Evaluates a branch condition or a `match` pattern in the child: env
//! lookups, argv tests, clap-parsed flags and subcommands, and helper
//! functions that wrap them (`if is_worker() { .. }`).

use super::api::literal_text;
use super::child::Child;
use super::eval::{Eval, bind};
use super::index::{Program, Target};
use super::ir::Name;
use super::ir::{BinOp, Expr, Lit, Pat};
use super::item_test::{closure_tests, searches_by_closure};
use super::text::TextTest;
use super::value::{Facts, Locals, Truth, Val};

/// How [`Cond::tested`] names the answer of code the check does not read,
/// beside the markers it names as they are.
pub(crate) const UNREAD: &str = "what is returned by ";

/// How [`Cond::tested`] names a value the child does not share with its
/// parent although it gets no marker for it ([`Val::Differs`]).
pub(crate) const DIFFERS: &str = "what differs in a child: ";

/// A condition evaluator for one function of one walk.
pub(crate) struct Cond<'c, 'p, 'a> {
    pub prog: &'p Program<'a>,
    pub facts: &'p Facts,
    pub child: &'c Child<'c>,
    pub fn_id: usize,
    /// Markers the conditions looked for (env keys, argv tokens), for
    /// explaining mismatches.
    pub tested: Vec<String>,
    /// A value computed earlier from a marker test (`let wait = args.any(..)`)
    /// decided a condition: it routes the child as much as a direct test.
    pub decided: bool,
    pub depth: u8,
}

impl Cond<'_, '_, '_> {
    /// Whether what was evaluated so far depends on the child's markers.
    pub(super) fn routes(&self) -> bool {
        !self.tested.is_empty() || self.decided
    }

    fn eval(&self, e: &Expr, locals: &mut Locals) -> Val {
        Eval::new(self.prog, self.facts, None, self.fn_id).expr(e, locals)
    }

    /// The truth of `e` in the child; binds `if let` names into `locals`.
    pub(super) fn truth(&mut self, e: &Expr, locals: &mut Locals) -> Truth {
        if let Some(t) = self.unwrapped(e, locals) {
            return t;
        }
        match e.peel() {
            Expr::Lit(Lit::Bool(b), _) => Truth::from_bool(*b),
            Expr::Not(inner) => self.truth(inner, locals).not(),
            Expr::Binary(BinOp::And, l, r) => {
                let a = self.truth(l, locals);
                a.and(self.truth(r, locals))
            }
            Expr::Binary(BinOp::Or, l, r) => {
                let a = self.truth(l, locals);
                a.or(self.truth(r, &mut locals.clone()))
            }
            Expr::Binary(BinOp::Eq, l, r) => self.equals(l, r, locals),
            Expr::Binary(BinOp::Ne, l, r) => self.equals(l, r, locals).not(),
            Expr::Binary(op @ (BinOp::Gt | BinOp::Ge | BinOp::Lt | BinOp::Le), l, r) => {
                self.compare_len(*op, l, r, locals)
            }
            Expr::Let(pat, value) => {
                // `if let Some(i) = args.iter().position(|a| a == "--job")`
                if let Expr::Method { recv, name, args, .. } = value.peel()
                    && matches!(name.as_str(), "position" | "find")
                    && let Pat::TupleStruct(wrapper, _) = &**pat
                    && is_some_ok(wrapper)
                    && !matches!(self.eval(recv, locals), Val::Table(_))
                {
                    let t = self.method(recv, "any", args, locals);
                    bind(pat, Val::Unknown, locals);
                    return t;
                }
                let val = self.eval(value, locals);
                let val = self.settle(&val);
                let t = self.pattern(pat, &val, locals);
                bind(pat, val.clone(), locals);
                // `if let Some(Command::Web(web_opts)) = ..`: the payload's type.
                let self_ty = self.prog.def(self.fn_id).self_ty.as_deref();
                super::bind::type_payloads(self.prog, self_ty, pat, &val, locals);
                t
            }
            Expr::Method { recv, name, args, .. } => self.method(recv, name, args, locals),
            Expr::Call { func, args, .. } => self.call(func, args, locals),
            Expr::Macro(m) if m.path.last().is_some_and(|n| n == "matches") && m.args.len() == 1 => {
                self.truth(&m.args[0], locals)
            }
            Expr::Match { scrut, arms, .. } => {
                // `matches!(x, P)` lowers to `match x { P => true, _ => false }`.
                let val = self.eval(scrut, locals);
                match arms.first() {
                    Some(arm) if matches!(arm.body, Expr::Lit(Lit::Bool(true), _)) => {
                        self.pattern(&arm.pat, &val, locals)
                    }
                    _ => self.opaque(&val),
                }
            }
            other => {
                let val = self.eval(other, locals);
                self.value(&val)
            }
        }
    }

    /// A value used as a condition.
    pub(super) fn value(&mut self, val: &Val) -> Truth {
        match val {
            Val::Bool(b) => Truth::from_bool(*b),
            Val::Truth(t) => {
                self.decided |= matches!(t, Truth::True | Truth::False);
                *t
            }
            Val::ClapField(field, _) => self.flag(field),
            other => self.opaque(other),
        }
    }

    pub(super) fn opaque(&mut self, val: &Val) -> Truth {
        match val {
            // Whatever is computed from an argv item the child inherits, it
            // computes the same.
            Val::ArgvItem(Some(index)) | Val::ArgvName { index, .. } => self.child.arg_opaque(*index),
            Val::Derived(source) => {
                let t = self.opaque(source);
                if t == Truth::Unknown {
                    // Name what the unknown value was computed from.
                    self.tested.extend(match &**source {
                        Val::Env(Some(key)) => Some(key.clone()),
                        Val::ArgvItem(Some(i)) | Val::ArgvName { index: i, .. } => Some(format!("argv[{i}]")),
                        Val::ClapField(field, _) => Some(format!("--{}", super::lower::kebab(field))),
                        _ => None,
                    });
                }
                t
            }
            // Another user id than root's, or a use the check does not
            // read: unknown in a child a launcher made root.
            Val::UserId => {
                let t = if self.child.is_root() == Truth::True { Truth::Unknown } else { Truth::Same };
                if t == Truth::Unknown {
                    self.tested.push("user id 0".to_string());
                }
                t
            }
            // A local computed from a marker test, used as a value.
            Val::Truth(Truth::Same) => Truth::Same,
            Val::Truth(_) => Truth::Unknown,
            Val::Foreign(path) => self.foreign(path),
            Val::Differs(what) => {
                self.tested.push(format!("{DIFFERS}{what}"));
                Truth::Unknown
            }
            // A value of a type a function that reads the markers returns.
            Val::Typed(ty) if let Some(source) = self.facts.marker_types.get(ty) => {
                self.opaque(&Val::Derived(Box::new(source.clone())))
            }
            Val::Argv { .. } if self.child.same_argv() => Truth::Same,
            // An env var the spawn leaves alone has the parent's value.
            Val::Env(Some(key)) if self.child.env_present(Some(key)) == Truth::Same => Truth::Same,
            _ if val.is_marker_source() => Truth::Unknown,
            _ => Truth::Same,
        }
    }

    /// What code the check does not read returns: the parent's answer in a
    /// child that gets nothing its parent did not have; otherwise that
    /// code may test what the child gets (a library reading its own env
    /// var, `workerlib::is_worker()`), so it is not known.
    fn foreign(&mut self, path: &str) -> Truth {
        if !self.child.gets_marker() {
            return Truth::Same;
        }
        self.tested.push(format!("{UNREAD}`{path}`"));
        Truth::Unknown
    }

    fn equals(&mut self, l: &Expr, r: &Expr, locals: &mut Locals) -> Truth {
        let (lv, rv) = (self.eval(l, locals), self.eval(r, locals));
        // `geteuid() == 0`: is the child root?
        match (&lv, &rv) {
            (Val::UserId, _) if super::user::is_zero(r) => return self.root(),
            (_, Val::UserId) if super::user::is_zero(l) => return self.root(),
            (Val::UserId, _) | (_, Val::UserId) => return self.opaque(&Val::UserId),
            _ => {}
        }
        let (val, lit) = match (literal_of(r), literal_of(l)) {
            (Some(text), _) => (lv, text),
            (None, Some(text)) => (rv, text),
            (None, None) => {
                return match (&lv, &rv) {
                    (Val::Str(a), Val::Str(b)) => Truth::from_bool(a == b),
                    // Constants propagated through locals (`let kind = Kind::A;
                    // if kind == Kind::A`): the child computes the same.
                    (Val::Variant(a), Val::Variant(b)) => Truth::from_bool(a == b),
                    (Val::Bool(a), Val::Bool(b)) => Truth::from_bool(a == b),
                    (Val::OneOf(all), one) | (one, Val::OneOf(all))
                        if matches!(one, Val::Variant(_) | Val::Str(_) | Val::Bool(_)) =>
                    {
                        let one = one.clone();
                        self.alike(all, |_, v| if *v == one { Truth::True } else { Truth::False })
                    }
                    (Val::Foreign(_) | Val::Typed(_), _) => self.opaque(&lv),
                    (_, Val::Foreign(_) | Val::Typed(_)) => self.opaque(&rv),
                    _ if lv.differs() => self.opaque(&lv),
                    _ if rv.differs() => self.opaque(&rv),
                    _ if lv.is_marker_source() || rv.is_marker_source() => Truth::Unknown,
                    _ => Truth::Same,
                };
            }
        };
        self.val_equals(&val, &lit, TextTest::Exact)
    }

    pub(super) fn val_equals(&mut self, val: &Val, lit: &str, test: TextTest) -> Truth {
        match val {
            Val::ArgvItem(Some(i)) => {
                self.tested.push(lit.to_string());
                self.child.arg_test(*i, |a| test.holds(a, lit))
            }
            Val::ArgvName { index, stem } => {
                self.tested.push(format!("argv[{index}] named {lit}"));
                self.child.name_test(*index, *stem, |n| test.holds(n, lit))
            }
            Val::ArgvItem(_) | Val::Argv { .. } => {
                self.tested.push(lit.to_string());
                self.child.has_token(lit, test)
            }
            Val::Env(key) => {
                self.tested.extend(key.clone());
                self.child.env_test(key.as_deref(), |v| test.holds(v, lit))
            }
            Val::ClapSub => {
                self.tested.push(lit.to_string());
                self.child.subcommand_is(&[lit.to_string()])
            }
            Val::Str(s) => Truth::from_bool(test.holds(s, lit)),
            Val::OneOf(all) => self.alike(all, |c, v| c.val_equals(v, lit, test)),
            other => self.opaque(other),
        }
    }

    fn compare_len(&mut self, op: BinOp, l: &Expr, r: &Expr, locals: &mut Locals) -> Truth {
        let (Expr::Method { recv, name, .. }, Expr::Lit(Lit::Int(n), _)) = (l.peel(), r.peel()) else {
            // `n > 1` with `n` computed from argv: what that gives is unknown.
            let (lv, rv) = (self.eval(l, locals), self.eval(r, locals));
            if lv == Val::UserId || rv == Val::UserId {
                return self.opaque(&Val::UserId);
            }
            return self.opaque(&Val::derived([&lv, &rv]));
        };
        let val = self.eval(recv, locals);
        let Val::Argv { skip, .. } = val else {
            return self.opaque(&val);
        };
        if name != "len" && name != "count" {
            return Truth::Unknown;
        }
        let Some(argc) = self.child.argc() else {
            return if self.child.same_argv() { Truth::Same } else { Truth::Unknown };
        };
        // The argument count routes the child like a marker would.
        self.decided = true;
        let len = argc.saturating_sub(skip) as u64;
        Truth::from_bool(match op {
            BinOp::Gt => len > *n,
            BinOp::Ge => len >= *n,
            BinOp::Lt => len < *n,
            _ => len <= *n,
        })
    }

    fn method(&mut self, recv: &Expr, name: &str, args: &[Expr], locals: &mut Locals) -> Truth {
        // `args.iter().position(|a| a == "x").is_some()`
        if matches!(name, "is_some" | "is_ok")
            && let Expr::Method { recv: inner, name: search, args: search_args, .. } = recv.peel()
            && matches!(search.as_str(), "position" | "find")
        {
            return self.method(inner, "any", search_args, locals);
        }
        if name == "is_terminal"
            && let Some(stream) = std_stream(recv)
        {
            return self.terminal(stream);
        }
        // `env::var("K").map(|v| v == "1").unwrap_or(false)`: `is_ok_and`.
        if (name == "unwrap_or_default" || name == "unwrap_or" && matches!(args, [Expr::Lit(Lit::Bool(false), _)]))
            && let Expr::Method { recv: inner, name: map, args: test, .. } = recv.peel()
            && map == "map"
        {
            return self.method(inner, "is_some_and", test, locals);
        }
        let val = self.eval(recv, locals);
        // `Path::new(LOCK).exists()` on a file the program writes.
        let path_arg = if name == "open" { args.first().map(|a| self.eval(a, locals)) } else { None };
        if let Some(file) = self.facts.written.method(self.prog, &val, recv, name, path_arg.as_slice()) {
            return self.opaque(&file);
        }
        if name == "is_root" && val == Val::UserId {
            return self.root();
        }
        match name {
            "is_ok" | "is_some" => self.present(&val),
            "is_err" | "is_none" => self.present(&val).not(),
            // `env::var("ROLE").unwrap_or_default().is_empty()`
            "is_empty" if matches!(val, Val::Env(_) | Val::ArgvItem(_)) => self.val_equals(&val, "", TextTest::Exact),
            "any" | "is_ok_and" | "is_some_and" | "map_or" | "contains" | "starts_with" | "eq" | "ends_with" => {
                self.any_of(&val, name, args, locals)
            }
            // `args.iter().find(|a| ..)`: found when `any` would be true.
            "find" | "position" if searches_by_closure(args, &val) => self.any_of(&val, name, args, locals),
            _ => match &val {
                Val::Unknown => self.helper_method(name),
                // `cfg.is_child()` on a value of a known type: its method.
                Val::Typed(ty) if let [id] = *self.prog.methods_of(ty, name) => {
                    let mut vals = vec![val.clone()];
                    vals.extend(args.iter().map(|a| self.eval(a, locals)));
                    self.inline(id, vals)
                }
                // `matches.get_flag("skip")`: the flag, not the matches.
                Val::ClapMatches => {
                    let flag = super::passing::method_value(&val, name, args).unwrap_or(Val::Unknown);
                    self.value(&flag)
                }
                other => self.value(&other.clone()),
            },
        }
    }

    /// A test of `val` by a method that compares it with literals (`any`,
    /// `contains`, `starts_with`, ..): true when one of them holds.
    fn any_of(&mut self, val: &Val, name: &str, args: &[Expr], locals: &mut Locals) -> Truth {
        // The method's own test on a string (`v.starts_with("w")`);
        // `args.contains(&x)` on argv is membership, an exact test.
        let own = match (val, TextTest::of_method(name)) {
            (Val::Argv { .. }, _) | (_, None) => TextTest::Exact,
            (_, Some(test)) => test,
        };
        let tests = args.iter().rev().find_map(|a| closure_tests(a).or_else(|| literal_of(a).map(|l| vec![(l, own)])));
        match tests.or_else(|| args.iter().rev().find_map(|a| self.closure_const(a, locals)).map(|t| vec![t])) {
            // A search for any of several literals finds one when
            // one of them is there.
            Some(tests) => tests.iter().fold(Truth::False, |acc, (lit, test)| acc.or(self.val_equals(val, lit, *test))),
            None => self.opaque(val),
        }
    }

    /// `|a| a == NAME` with `NAME` a constant (or any value that evaluates
    /// to a string): that string.
    fn closure_const(&mut self, e: &Expr, locals: &mut Locals) -> Option<(String, TextTest)> {
        let Expr::Closure(_, body) = e.peel() else { return None };
        let Expr::Binary(BinOp::Eq, l, r) = body.peel() else { return None };
        [r, l].into_iter().find_map(|side| match self.eval(side, locals) {
            Val::Str(s) => Some((s, TextTest::Exact)),
            _ => None,
        })
    }

    pub(super) fn present(&mut self, val: &Val) -> Truth {
        match val {
            Val::Env(key) => {
                self.tested.extend(key.clone());
                self.child.env_present(key.as_deref())
            }
            Val::ArgvItem(Some(i)) => self.child.arg_present(*i),
            Val::ClapField(field, _) => self.flag(field),
            Val::Opt(found) => Truth::from_bool(found.is_some()),
            // `let found = args.iter().find(..)`: bound to the truth of the
            // search, which is whether it is `Some`.
            Val::Truth(_) => self.value(val),
            // `args.split_first()` is `Some` when its head, an argv item, is.
            Val::Tuple(parts) if matches!(parts.first(), Some(Val::ArgvItem(_))) => self.present(&parts[0]),
            Val::Lookup(key, entries) => self.found(key, entries),
            other => self.opaque(other),
        }
    }

    /// Whether the child is root (`Uid::effective().is_root()`).
    fn root(&mut self) -> Truth {
        let t = self.child.is_root();
        self.decided |= t == Truth::True;
        t
    }

    /// Whether `stream` is a terminal in the child: the spawn may have
    /// redirected it, so a parent that sees a terminal has a child that
    /// does not (a detached re-spawn with `Stdio::null()`).
    fn terminal(&mut self, stream: &str) -> Truth {
        let t = self.child.stream_is_terminal(stream);
        match t {
            Truth::True | Truth::False => self.decided = true,
            Truth::Unknown => self.tested.push(format!("a terminal on {stream}")),
            Truth::Same => {}
        }
        t
    }

    /// A call in a condition: an analysed helper is evaluated inline.
    fn call(&mut self, func: &Expr, args: &[Expr], locals: &mut Locals) -> Truth {
        let Expr::Path(path, _) = func.peel() else {
            return Truth::Same;
        };
        // `let is_child = || ..; if is_child() {..}`: the closure's body.
        let vals: Vec<Val> = args.iter().map(|a| self.eval(a, locals)).collect();
        if let Some((f, mut inner)) = super::local_fn::call(path, locals, vals) {
            return self.truth(f.body(), &mut inner);
        }
        // `atty::is(Stream::Stdout)`: the same test as `is_terminal`.
        if path.len() >= 2
            && path[path.len() - 2] == "atty"
            && path[path.len() - 1] == "is"
            && let Some(Expr::Path(arg, _)) = args.first().map(Expr::peel)
            && let Some(stream) = arg.last().and_then(|a| stream_name(&a.to_lowercase()))
        {
            return self.terminal(stream);
        }
        match self.prog.resolve_from(self.fn_id, path) {
            Target::Fns(ids) if ids.len() == 1 => {
                let vals: Vec<Val> = args.iter().map(|a| self.eval(a, locals)).collect();
                self.inline(ids[0], vals)
            }
            _ => {
                let val = self.eval(
                    &Expr::Call { func: Box::new(func.clone()), args: args.to_vec(), loc: Default::default() },
                    locals,
                );
                self.value(&val)
            }
        }
    }

    fn helper_method(&mut self, name: &str) -> Truth {
        match *self.prog.methods_named(name) {
            [id] => self.inline(id, Vec::new()),
            _ => Truth::Same,
        }
    }
}

/// `std::io::stdout()` (or `io::stdin()`, `stderr()`, with `.lock()`):
/// the stream's name.
fn std_stream(e: &Expr) -> Option<&'static str> {
    match e.peel() {
        Expr::Call { func, args, .. } if args.is_empty() => match func.peel() {
            Expr::Path(p, _) => p.last().and_then(|n| stream_name(n)),
            _ => None,
        },
        Expr::Method { recv, name, .. } if name == "lock" => std_stream(recv),
        _ => None,
    }
}

fn stream_name(name: &str) -> Option<&'static str> {
    ["stdin", "stdout", "stderr"].into_iter().find(|s| *s == name)
}

pub(super) fn is_some_ok(path: &[Name]) -> bool {
    matches!(path.last().map(Name::as_str), Some("Some" | "Ok"))
}

pub(super) fn is_err(path: &[Name]) -> bool {
    path.last().is_some_and(|l| l == "Err")
}

/// `"x"`, `Some("x")`, `Ok("x")`, `&"x".to_string()`.
pub(super) fn literal_of(e: &Expr) -> Option<String> {
    if let Some(text) = literal_text(e) {
        return Some(text);
    }
    match e.peel() {
        Expr::Call { func, args, .. } if args.len() == 1 => match func.peel() {
            Expr::Path(p, _) if is_some_ok(p) => literal_of(&args[0]),
            _ => None,
        },
        _ => None,
    }
}
