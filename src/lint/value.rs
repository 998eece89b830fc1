//! Abstract values: what the analysis knows about an expression's value
//! (the program's own executable, argv, an env lookup, a parsed clap struct,
//! a `Command` for a self-spawn site, a string).

use super::ir::Loc;
pub(crate) use super::marker::Marker;
use rustc_hash::FxHashMap as HashMap;
use serde::Serialize;

/// How the code names its own executable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Origin {
    CurrentExe,
    Argv0,
    ProcSelfExe,
    /// A self-spawning library (procspawn, mitosis) picks the executable.
    Library,
}

pub(crate) type SiteId = usize;

/// What the analysis learned about the analysed crates; recomputed until it
/// stops changing (helpers that return the executable, fields that hold it,
/// parameters it is passed to).
#[derive(Default)]
pub(crate) struct Facts {
    pub sites: Sites,
    pub returns: HashMap<usize, Val>,
    /// Struct fields (by name) that hold the own executable, with the
    /// struct types known to hold it there (`""`: a type not known).
    pub exe_fields: std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    /// Struct fields (by name) some literal fills with a value computed from
    /// a marker source (`Opts { worker: args.any(..) }`), and that source:
    /// a condition on such a field is never "the same as the parent".
    pub marker_fields: std::collections::BTreeMap<String, Val>,
    /// Struct types a function that reads the markers returns
    /// (`fn from_env() -> Opts`, filling fields in a loop over argv), with
    /// what it reads: their plain fields are computed from it.
    pub marker_types: std::collections::BTreeMap<String, Val>,
    /// Env vars the program sets or removes in its own env
    /// (`env::set_var`): a child may inherit them either way.
    pub set_vars: std::collections::BTreeSet<String>,
    pub param_vals: HashMap<(usize, usize), Val>,
    /// Argument lists carried into struct fields (by field name) and into
    /// parameters (function id, index); `None`: two different ones
    /// ([`super::carried`]).
    pub list_fields: std::collections::BTreeMap<String, Option<super::arglist::ArgList>>,
    pub param_lists: std::collections::BTreeMap<(usize, usize), Option<super::arglist::ArgList>>,
    /// The files the program writes, for the walk (empty while learning).
    pub written: super::differs::Written,
}

impl Facts {
    /// Whether two passes learned the same summaries.
    pub(super) fn same_summaries(&self, other: &Facts) -> bool {
        let spawning = |f: &Facts| -> Vec<(usize, Val)> {
            let mut v: Vec<(usize, Val)> = f
                .returns
                .iter()
                .filter(|(_, v)| v.exe_origin().is_some() || matches!(v, Val::Cmd(_) | Val::Prog(_)))
                .map(|(k, v)| (*k, v.clone()))
                .collect();
            v.sort_by_key(|(k, _)| *k);
            v
        };
        spawning(self) == spawning(other)
            && self.exe_fields == other.exe_fields
            && self.marker_fields == other.marker_fields
            && self.marker_types == other.marker_types
            && self.set_vars == other.set_vars
            && self.param_vals == other.param_vals
            && self.list_fields == other.list_fields
            && self.param_lists == other.param_lists
            && self.sites.list.len() == other.sites.list.len()
            && self.sites.list.iter().zip(&other.sites.list).all(|(a, b)| a.marker == b.marker)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    Unknown,
    Bool(bool),
    Str(String),
    /// A path to the program's own executable.
    Exe(Origin),
    /// The directory that holds the own executable (`exe.parent()`): joined
    /// with the binary's own name it is the executable again, with any
    /// other name a sibling program ([`super::own_file`]).
    ExeDir(Origin),
    /// `env::args()`/`args_os()`, iterated or collected, minus `skip` items.
    Argv {
        skip: usize,
        /// Items `push`ed onto a collected argv, after the parent's own.
        pushed: Vec<Option<String>>,
    },
    /// One argv item: `Some(i)` at a known index, `None` at an unknown one.
    ArgvItem(Option<usize>),
    /// The file name of argv item `index` (`Path::new(&argv[0]).file_name()`;
    /// `stem`: `file_stem()`), for programs that act on the name they were
    /// started by.
    ArgvName {
        index: usize,
        stem: bool,
    },
    /// The result of `env::var(K)`/`var_os(K)`; `None` when K is not a literal.
    Env(Option<String>),
    /// A `Command` whose program is the own executable, by its sites
    /// (several when bound from the arms of a branch), sorted.
    Cmd(Vec<Loc>),
    /// A `Command` of another program, by where it was made: it starts the
    /// own executable if it is handed it to run ([`super::other`]).
    Prog(Vec<Loc>),
    /// A value parsed by clap derive (`Cli::parse()`), type name if known.
    Clap(Option<String>),
    /// A field of a clap-parsed value (`cli.server`, `cli.command`).
    /// The field's declared type, when known (for resolving its methods).
    ClapField(String, Option<String>),
    /// A clap subcommand enum nested `depth` subcommands deep, bound from
    /// the payload of a matched subcommand variant
    /// (`Self::Share(share) => share.run()`): its variants are tested
    /// against the child's `depth`-th positional argument.
    ClapNested(String, usize),
    /// clap builder `ArgMatches`.
    ClapMatches,
    /// `matches.subcommand()` / `subcommand_name()`.
    ClapSub,
    /// A boolean computed from a condition (`let is_child = ...;`).
    Truth(Truth),
    /// An enum variant by name (`Command::InternalStartServer`), for code
    /// that routes on a value computed from the markers.
    Variant(String),
    /// An `Err(..)`: paths that fail do not decide where the child goes.
    Error,
    /// A tuple of values (`match (is_server, parsed) { .. }`).
    Tuple(Vec<Val>),
    /// The user id the process runs as (`geteuid()`), see [`super::user`].
    UserId,
    /// A value of a known type, for resolving its method calls.
    Typed(String),
    /// Computed from a marker source (the boxed argv item, env lookup or
    /// clap value) in a way the check does not follow
    /// (`env::var("K").map(|v| v == "1")`): a condition on it depends on
    /// that source, never "the same as in the parent" unless the source is.
    Derived(Box<Val>),
    /// What a call into code the check does not read returns
    /// (`workerlib::is_worker()`, a crate outside the analysed ones), by
    /// the path called: that code may test a marker the child gets.
    Foreign(String),
    /// A string `format!`ted at run time, its holes written `{}`
    /// (`CARGO_TARGET_{}_RUNNER`): only its shape is known, so a test of
    /// it is not decided; an env var named by it may be one another
    /// program runs.
    Format(String),
    /// A closure bound to a local, for calls of that local.
    Closure(super::local_fn::LocalFn),
    /// Not the same in a child as in its parent although the spawn gives
    /// no marker for it, in words: a process id, or a file the program
    /// itself writes ([`super::differs`]). A condition on it is not "the
    /// child goes where the parent went" (issue 14: such guards were false
    /// `unguarded`).
    Differs(String),
    /// The path a function of the program makes from nothing it is given
    /// (`fn stamp() -> PathBuf { env::temp_dir().join("x") }`), by that
    /// function: every call names the same file ([`super::differs`]).
    MadePath(usize),
    /// A literal list of `(name, value)` pairs, a dispatch table
    /// (`&[("worker", worker as fn())]`), see [`super::table`].
    Table(Vec<(String, Val)>),
    /// Functions named as a value (an entry of a [`Val::Table`]): calling
    /// it runs one of them.
    Fns(Vec<usize>),
    /// `table.iter().find(|(name, _)| *name == key)`: the entry whose name
    /// is the boxed key in the child, if any.
    Lookup(Box<Val>, Vec<(String, Val)>),
    /// An `Option` whose variant the child's markers settled: `Some` of the
    /// boxed value, or `None` (a [`Val::Lookup`] in one child).
    Opt(Option<Box<Val>>),
    /// One of several constants ([`Val::Variant`], [`Val::Str`],
    /// [`Val::Bool`]), from code that may produce any of them
    /// (`match s { "q" => Key::Quit, _ => Key::Relaunch }`): a test on it
    /// is decided only where every one answers alike.
    OneOf(Vec<Val>),
}

/// What a condition evaluates to in the child a spawn site starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Truth {
    True,
    False,
    /// Does not depend on what the spawn site changed: the child goes where
    /// the parent went, so both branches are followed.
    Same,
    /// Depends on the marker in a way the check cannot evaluate.
    Unknown,
}

impl Truth {
    pub(super) fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }

    pub(super) fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            other => other,
        }
    }

    pub(super) fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, x) | (x, Truth::True) => x,
            (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
            _ => Truth::Same,
        }
    }

    pub(super) fn or(self, other: Truth) -> Truth {
        self.not().and(other.not()).not()
    }
}

impl Val {
    /// The value of an operation on `inputs` the check does not model:
    /// derived from the first marker source among them, else unknown.
    pub(super) fn derived<'v>(inputs: impl IntoIterator<Item = &'v Val>) -> Val {
        match inputs.into_iter().find(|v| v.is_marker_source()) {
            Some(Val::Derived(source)) => Val::Derived(source.clone()),
            Some(source) => Val::Derived(Box::new(source.clone())),
            None => Val::Unknown,
        }
    }

    /// The literal text of a string value.
    pub(super) fn text(&self) -> Option<String> {
        match self {
            Val::Str(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// The result of an analysed function called with `inputs`: a function
    /// handed the raw argument list that returns nothing the check follows
    /// is an argument parser of the program's own (`let flags =
    /// args::parse(&argv[1..])?; match flags.action.as_str()`), so what it
    /// returns is computed from argv, never "the same as in the parent".
    pub(super) fn parsed_from(self, inputs: &[Val]) -> Val {
        match (&self, inputs.iter().find(|v| matches!(v, Val::Argv { .. }))) {
            (Val::Unknown, Some(argv)) => Val::Derived(Box::new(argv.clone())),
            _ => self,
        }
    }

    /// The result of an analysed function whose body reads `source` (see
    /// [`super::reads`]) when nothing more is known of it.
    pub(super) fn read_from(self, source: Option<Val>) -> Val {
        match (self, source) {
            (Val::Unknown, Some(source)) => Val::Derived(Box::new(source)),
            (other, _) => other,
        }
    }

    /// Whether this value is the program's own executable, and how.
    pub(super) fn exe_origin(&self) -> Option<Origin> {
        match self {
            Val::Exe(origin) => Some(*origin),
            Val::ArgvItem(Some(0)) => Some(Origin::Argv0),
            _ => None,
        }
    }

    /// A value parsed by clap (routed by argv through its type).
    pub(super) fn is_clap(&self) -> bool {
        matches!(self, Val::Clap(_) | Val::ClapField(..) | Val::ClapNested(..) | Val::ClapMatches | Val::ClapSub)
    }

    /// Values that a guard may test (argv, env, clap).
    pub(super) fn is_marker_source(&self) -> bool {
        matches!(
            self,
            Val::Argv { .. }
                | Val::ArgvItem(_)
                | Val::ArgvName { .. }
                | Val::Derived(_)
                | Val::Env(_)
                | Val::Clap(_)
                | Val::ClapField(..)
                | Val::ClapNested(..)
                | Val::ClapMatches
                | Val::ClapSub
                | Val::Differs(_)
        )
    }

    /// Whether this value is, or was computed from, one that differs
    /// between a parent and its child ([`Val::Differs`]).
    pub(super) fn differs(&self) -> bool {
        match self {
            Val::Differs(_) => true,
            Val::Derived(source) => source.differs(),
            _ => false,
        }
    }
}

/// Local variables of the function being evaluated.
pub(crate) type Locals = HashMap<String, Val>;

/// How a site spawns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Via {
    Command,
    Exec,
    Procspawn,
    Mitosis,
    /// Handed to another program in an env var that program runs
    /// (`RUSTC_WRAPPER`).
    EnvWrapper,
    /// Run by a launcher (`sudo <own exe>`, `systemd-run`).
    Launcher,
    /// An application framework's restart (tauri's `AppHandle::restart()`):
    /// the own executable again with the arguments it was started with.
    Restart,
}

/// A place that starts the program's own executable.
#[derive(Clone, Debug)]
pub(crate) struct Site {
    pub loc: Loc,
    pub fn_id: usize,
    pub via: Via,
    pub origin: Origin,
    pub marker: Marker,
    /// The marker the site starts with (a library's own env var).
    pub base: Marker,
}

/// Spawn sites by location; rediscovering a site reuses its id.
#[derive(Default)]
pub(crate) struct Sites {
    pub list: Vec<Site>,
    by_loc: HashMap<Loc, SiteId>,
    /// Other programs' commands this pass, for [`super::other`].
    pub others: super::other::Others,
}

impl Sites {
    /// The same sites with only their starting markers, for the next pass:
    /// markers added in functions evaluated before the site's own function
    /// are then not lost.
    pub(super) fn restart(&self) -> Sites {
        let list = self.list.iter().map(|s| Site { marker: s.base.clone(), ..s.clone() }).collect();
        Sites { list, by_loc: self.by_loc.clone(), others: Default::default() }
    }

    pub(super) fn add(&mut self, site: Site) -> SiteId {
        if let Some(&id) = self.by_loc.get(&site.loc) {
            // The site's code runs again (another call of its function): a
            // new `Command`, not yet launched.
            self.list[id].marker.launched = false;
            return id;
        }
        self.by_loc.insert(site.loc, self.list.len());
        self.list.push(site);
        self.list.len() - 1
    }

    pub(super) fn at(&self, loc: &Loc) -> Option<SiteId> {
        self.by_loc.get(loc).copied()
    }
}
