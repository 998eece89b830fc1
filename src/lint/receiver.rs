//! Receivers of a fixed std type. The call graph resolves `x.name()` by
//! name, which links a call like `Command::new(exe).status()` to every
//! method named `status` in every analysed crate and, through them, to most
//! of a large program. A receiver whose value is known to be of a std type
//! (it starts at a non-generic std constructor or a literal and passes only
//! through methods that keep std types) can only reach the analysed crates'
//! methods through extension traits, so only those stay candidates.

use super::api;
use super::index::{FnId, Program, Target};
use super::ir::{Expr, Lit, Name, Pat, Stmt};
use super::visit::for_each_expr;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Non-generic std functions: what they return is a std type.
const STD_ROOTS: &[&[&str]] = &[
    &["std", "process", "Command", "new"],
    &["tokio", "process", "Command", "new"],
    &["std", "env", "current_exe"],
    &["std", "env", "var"],
    &["std", "env", "var_os"],
    &["std", "env", "args"],
    &["std", "env", "args_os"],
    &["std", "env", "current_dir"],
    &["std", "env", "temp_dir"],
    &["std", "path", "Path", "new"],
    &["std", "path", "PathBuf", "new"],
    &["std", "process", "id"],
    &["std", "time", "Instant", "now"],
    &["String", "new"],
];

/// Methods whose result type depends on a type parameter (a closure's
/// return, a target of a conversion, a container's element): after them the
/// value may be of an analysed crate's type.
pub(crate) const TYPE_CHANGING: &[&str] = &[
    "into",
    "try_into",
    "from",
    "parse",
    "collect",
    "map",
    "and_then",
    "map_or",
    "map_or_else",
    "fold",
    "then",
    "downcast",
    "downcast_ref",
    "downcast_mut",
    "get",
    "get_mut",
    "deref",
    "borrow",
    "borrow_mut",
];

/// Inherent methods of the std types a chain from [`STD_ROOTS`] meets
/// (`Command`, `Child`, `ExitStatus`, `Output`, `Option`, `Result`, paths
/// and strings), besides [`api::STD_METHODS`] and the `Command` builders:
/// Rust picks an inherent method before any trait's, so on such a receiver
/// these names never reach the analysed crates.
const STD_INHERENT: &[&str] = &[
    "status",
    "output",
    "spawn",
    "exec",
    "wait",
    "try_wait",
    "wait_with_output",
    "kill",
    "id",
    "code",
    "success",
    "is_some",
    "is_none",
    "is_ok",
    "is_err",
    "as_deref",
    "to_str",
    "to_string_lossy",
    "to_path_buf",
    "file_name",
    "parent",
    "join",
    "exists",
    "is_file",
    "is_dir",
    "with_file_name",
    "set_file_name",
    "trim",
    "starts_with",
    "ends_with",
    "elapsed",
];

/// Other crates' functions whose result may hold, or deref to, a value of
/// the caller's choosing (`Arc::new(x).run()` calls `x`'s method through
/// `Deref`): not roots of a foreign value.
pub(crate) const GENERIC_CALLS: &[&str] = &[
    "from",
    "into",
    "default",
    "parse",
    "from_str",
    "from_slice",
    "from_value",
    "from_reader",
    "deserialize",
    "take",
    "replace",
    "swap",
    "block_on",
    "identity",
    "unwrap",
    "expect",
    "clone",
    "spawn",
    "scope",
];
/// Whether another crate's function `name` may return a type its caller
/// picks (`bincode::deserialize`, `ron::from_bytes`, `config.get()`).
fn generic_call(name: &str) -> bool {
    const PREFIXES: &[&str] = &["from", "deserialize", "decode", "parse", "load", "read", "get", "into", "try_"];
    GENERIC_CALLS.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Types that hand their contents' methods on (`Deref`) or hold one value.
pub(crate) const WRAPPERS: &[&str] = &[
    "Box",
    "Arc",
    "Rc",
    "Mutex",
    "RwLock",
    "RefCell",
    "Cell",
    "Pin",
    "Some",
    "Ok",
    "Lazy",
    "LazyLock",
    "LazyCell",
    "OnceCell",
    "OnceLock",
    "ManuallyDrop",
    "Cow",
];

/// Which expressions of one function have a fixed std type.
pub(crate) struct StdValues<'p, 'a> {
    prog: &'p Program<'a>,
    id: FnId,
    /// Locals every `let` of which binds a std value (and no parameter
    /// shares the name).
    locals: HashSet<String>,
    /// Locals every `let` of which binds a foreign value ([`Self::is_foreign`]).
    foreign: HashSet<String>,
}

impl<'p, 'a> StdValues<'p, 'a> {
    pub(super) fn new(prog: &'p Program<'a>, id: FnId) -> Self {
        let mut this = StdValues { prog, id, locals: HashSet::default(), foreign: HashSet::default() };
        // A `let` can name an earlier std local; a few rounds settle it.
        for _ in 0..4 {
            let locals = this.std_locals(|e| this.is_std(e));
            if locals == this.locals {
                break;
            }
            this.locals = locals;
        }
        for _ in 0..4 {
            let foreign = this.std_locals(|e| this.is_foreign(e));
            if foreign == this.foreign {
                break;
            }
            this.foreign = foreign;
        }
        this
    }

    /// Locals all of whose bindings pass `test` (a std value given the
    /// current `locals`, or a foreign one). Scopes are ignored: a name counts
    /// only if every binding of it in the body (and no parameter) passes,
    /// so a shadowing binding elsewhere can never hide a call edge.
    fn std_locals(&self, test: impl Fn(&Expr) -> bool) -> HashSet<String> {
        let def = self.prog.def(self.id);
        let mut lets: HashMap<String, bool> = HashMap::default();
        let mut bind = |pat: &Pat, std: bool| {
            let mut names = Vec::new();
            pat.bindings(&mut names);
            for name in names {
                *lets.entry(name).or_insert(true) &= std && matches!(pat, Pat::Bind(_, None));
            }
        };
        def.params.iter().for_each(|p| bind(p, false));
        let direct = |stmts: &[Stmt], bind: &mut dyn FnMut(&Pat, bool)| {
            for stmt in stmts {
                if let Stmt::Let { pat, ty, init, .. } = stmt {
                    // `let cfg: Config = ron::from_bytes(..)`: the annotation wins.
                    let typed_away = ty.as_deref().is_none_or(|t| self.prog.is_external_type(t));
                    bind(pat, typed_away && init.as_deref().is_some_and(&test));
                }
            }
        };
        direct(def.body.get(), &mut bind);
        for_each_expr(def.body.get(), &mut |e| match e {
            Expr::Block(b) | Expr::Loop { body: b, .. } | Expr::While(_, b) => direct(b, &mut bind),
            Expr::If { then, .. } => direct(then, &mut bind),
            Expr::For(pat, _, b) => {
                bind(pat, false);
                direct(b, &mut bind);
            }
            Expr::Let(pat, _) => bind(pat, false),
            Expr::Closure(params, _) => params.iter().for_each(|p| bind(p, false)),
            Expr::Match { arms, .. } => arms.iter().for_each(|a| bind(&a.pat, false)),
            _ => {}
        });
        lets.into_iter().filter_map(|(name, std)| std.then_some(name)).collect()
    }

    /// The analysed crates' methods a call `recv.name()` can reach.
    pub(super) fn candidates(&self, recv: &Expr, name: &str) -> Option<Vec<FnId>> {
        if !self.is_std(recv) {
            return None;
        }
        let inherent = [api::STD_METHODS, api::COMMAND_BUILDERS, STD_INHERENT].iter().any(|l| l.contains(&name));
        Some(if inherent { Vec::new() } else { self.prog.trait_methods_named(name) })
    }

    /// Whether `recv.name()` is a call on a value of another crate's type,
    /// which only the analysed crates' trait methods can receive
    /// ([`Program::trait_methods_named`]).
    pub(super) fn foreign_receiver(&self, recv: &Expr) -> bool {
        self.is_std(recv) || self.is_foreign(recv)
    }

    /// `e`'s value is of a type of another crate, and holds no value of
    /// the analysed crates' choosing: a call of a non-generic function of
    /// another crate given only such values or literals
    /// (`ZlibDecoder::new(buf)`), or another crate's macro given only
    /// literals (`sqlx::migrate!("./migrations")`). Unlike [`Self::is_std`]
    /// no method chain on a local is followed: a container's methods can
    /// hand out an element of an analysed type pushed into it earlier.
    pub(super) fn is_foreign(&self, e: &Expr) -> bool {
        match e.peel() {
            Expr::Path(p, _) => p.len() == 1 && self.foreign.contains(p[0].as_str()),
            Expr::Try(inner) => self.is_foreign(inner),
            Expr::Call { .. } | Expr::Method { .. } => self.foreign_built(e),
            Expr::Macro(m) => {
                let own = |first: &Name| {
                    matches!(first.as_str(), "crate" | "self" | "super") || self.prog.crates().any(|c| &c.name == first)
                };
                m.path.len() >= 2
                    && !m.path.first().is_some_and(own)
                    && !m.opaque
                    && m.args.iter().all(|a| matches!(a.peel(), Expr::Lit(..)))
            }
            _ => false,
        }
    }

    /// A call of another crate's non-generic function, or a builder chain on
    /// one, given only literals, std or foreign values at every step
    /// (`MultiSelect::new(&title).filterable(true)`, pitchfork's picker whose
    /// `.run()` is not one of its own subcommands' `run`): no value of the
    /// analysed crates went in, so none can come out. The chain starts at the
    /// call, never at a local, which earlier pushes may have filled.
    fn foreign_built(&self, e: &Expr) -> bool {
        let inert = |a: &Expr| match a.peel() {
            Expr::Lit(..) => true,
            Expr::Index(base, _) => self.foreign_receiver(base),
            other => self.foreign_receiver(other),
        };
        match e.peel() {
            Expr::Call { func, args, .. } => match func.peel() {
                Expr::Path(path, _) => match self.prog.resolve_from(self.id, path) {
                    Target::External(canon) => self.foreign_call(&canon) && args.iter().all(inert),
                    Target::Fns(_) => false,
                },
                _ => false,
            },
            Expr::Method { recv, name, args, .. } => {
                !TYPE_CHANGING.contains(&name.as_str())
                    && !generic_call(name)
                    && args.iter().all(inert)
                    && self.foreign_built(recv)
            }
            Expr::Try(inner) => self.foreign_built(inner),
            _ => false,
        }
    }

    /// Whether `canon` names another crate's function returning its own
    /// type: not generic in what it returns, not a wrapper's, not a variant
    /// or tuple struct (`Msg::Start(..)`, CamelCase), and not an associated
    /// function of a type the analysed crates give methods (a derived
    /// `Point::new`).
    fn foreign_call(&self, canon: &[Name]) -> bool {
        let [.., ty, last] = canon else { return false };
        let camel = last.chars().next().is_some_and(char::is_uppercase);
        !camel
            && !generic_call(last)
            && !canon.iter().any(|s| WRAPPERS.contains(&s.as_str()))
            && !self.prog.has_methods(ty)
            && !matches!(canon[0].as_str(), "crate" | "self" | "super" | "Self")
    }

    /// `e`'s value is of a std type.
    pub(super) fn is_std(&self, e: &Expr) -> bool {
        match e.peel() {
            Expr::Lit(Lit::Str(_) | Lit::Int(_) | Lit::Bool(_), _) => true,
            Expr::Path(p, _) => p.len() == 1 && self.locals.contains(p[0].as_str()),
            Expr::Call { func, .. } => match func.peel() {
                Expr::Path(path, _) => match self.prog.resolve_from(self.id, path) {
                    Target::External(full) => STD_ROOTS.iter().any(|root| full.iter().eq(root.iter())),
                    _ => false,
                },
                _ => false,
            },
            Expr::Method { recv, name, args, .. } => {
                !TYPE_CHANGING.contains(&name.as_str())
                    && !args.iter().any(|a| matches!(a.peel(), Expr::Closure(..)))
                    && self.is_std(recv)
            }
            Expr::Try(inner) => self.is_std(inner),
            Expr::Macro(m) => m.path.last().is_some_and(|n| n == "format"),
            _ => false,
        }
    }
}
