//! The small intermediate form the analysis runs on. `syn` trees are not
//! `Send` (proc-macro2 spans live in a thread-local source map), so each file
//! is parsed and lowered to this plain data on a worker thread, and the
//! cross-file analysis then runs on the lowered form.

pub(crate) use super::body::Body;
pub(crate) use super::name::Name;
pub(crate) use super::segments::Segments;
use std::path::PathBuf;

/// Path segments without generics: `std::process::Command::new`.
///
/// Interned segments ([`Name`], 8 bytes each), one inline or many in a
/// boxed slice ([`Segments`]): no allocation for a one-segment path and
/// one for a longer path, not one per segment (issue 18: paths as
/// `Vec<String>` were ~10% of the heap, and their small allocations more
/// of the RSS). Resolution builds longer paths as `Vec<Name>`.
pub(crate) type Path = Segments;

/// A source position: file index into the crate set, byte range within
/// the file. The line and column are computed from the file's text when
/// they are shown ([`super::lines`]): 12 bytes, not 20, in most
/// expressions (issue 18). Ordered by file, then position, as the line
/// and column ordered it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Loc {
    pub file: u32,
    pub start: u32,
    pub end: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Lit {
    Str(String),
    Bool(bool),
    Int(u64),
    Other,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinOp {
    Eq,
    Ne,
    And,
    Or,
    Lt,
    Le,
    Gt,
    Ge,
    Other,
}

#[derive(Clone, Debug)]
pub(crate) enum Expr {
    Lit(Lit, Loc),
    Path(Path, Loc),
    Call {
        func: Box<Expr>,
        args: Vec<Expr>,
        loc: Loc,
    },
    /// `args` is a boxed slice, the name interned, and `Macro` below is
    /// boxed so that an `Expr` is 56 bytes: glibc's allocator serves a
    /// `Box<Expr>` from a 64-byte chunk (it was 72 bytes and an 80-byte
    /// chunk; issue 18: boxed and listed expressions are most of the heap).
    Method {
        recv: Box<Expr>,
        name: Name,
        args: Box<[Expr]>,
        loc: Loc,
    },
    Field(Box<Expr>, Name),
    Index(Box<Expr>, Box<Expr>),
    /// `&x`, `*x`, `(x)`, `x as T`, `x.await`: the value passes through.
    Ref(Box<Expr>),
    Try(Box<Expr>),
    Not(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    If {
        cond: Box<Expr>,
        then: Block,
        els: Option<Box<Expr>>,
        loc: Loc,
    },
    /// The pattern is boxed: inline (40 bytes), it made `Let` the largest
    /// variant, and kept an `Expr` at 56 bytes once `Loc` shrank.
    Let(Box<Pat>, Box<Expr>),
    Match {
        scrut: Box<Expr>,
        arms: Vec<Arm>,
        loc: Loc,
    },
    Block(Block),
    Closure(Vec<Pat>, Box<Expr>),
    /// `loop { .. }`; `breaks` says whether a `break` can leave it.
    Loop {
        body: Block,
        breaks: bool,
    },
    While(Box<Expr>, Block),
    /// The pattern is boxed: inline, it made `For` the largest variant.
    For(Box<Pat>, Box<Expr>, Block),
    Return(Option<Box<Expr>>, Loc),
    Break,
    Continue,
    Macro(Box<Macro>),
    Struct(Path, Vec<(Name, Expr)>),
    Tuple(Vec<Expr>),
    Array(Vec<Expr>),
    Assign(Box<Expr>, Box<Expr>),
    /// `cosmic::app::run::<App>(..)`, `relm.run::<App>(..)`: a call with
    /// the types its turbofish names, when they may be the analysed
    /// crates' (another crate's code can call their trait methods there).
    /// [`Expr::peel`] sees through it.
    Handed(Box<Expr>, Box<[Name]>),
    /// Anything else: only its sub-expressions matter.
    Other(Vec<Expr>),
}

impl Expr {
    /// Strips `&`, `*`, parentheses, casts and `.await`.
    pub(super) fn peel(&self) -> &Expr {
        match self {
            Expr::Ref(inner) | Expr::Handed(inner, _) => inner.peel(),
            Expr::Block(block) if block.len() == 1 => match &block[0] {
                Stmt::Expr(e, false) => e.peel(),
                _ => self,
            },
            _ => self,
        }
    }

    pub(super) fn loc(&self) -> Option<Loc> {
        match self {
            Expr::Lit(_, loc) | Expr::Path(_, loc) | Expr::Return(_, loc) => Some(*loc),
            Expr::Call { loc, .. } | Expr::Method { loc, .. } | Expr::If { loc, .. } | Expr::Match { loc, .. } => {
                Some(*loc)
            }
            Expr::Macro(m) => Some(m.loc),
            Expr::Ref(e) | Expr::Try(e) | Expr::Not(e) | Expr::Field(e, _) | Expr::Index(e, _) | Expr::Handed(e, _) => {
                e.loc()
            }
            Expr::Binary(_, l, _) => l.loc(),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Macro {
    pub path: Path,
    /// The arguments, when they parse as comma-separated expressions.
    pub args: Vec<Expr>,
    /// The tokens did not parse as expressions (a DSL or a block body).
    pub opaque: bool,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub(crate) struct Arm {
    pub pat: Pat,
    /// Boxed: guards are rare, and an inline `Option<Expr>` made every arm
    /// 80 bytes larger (issue 18).
    pub guard: Option<Box<Expr>>,
    pub body: Expr,
}

#[derive(Clone, Debug)]
pub(crate) enum Stmt {
    Let {
        pat: Pat,
        /// The annotated type's name (`let cli: Cli = ..`), if any;
        /// interned, to keep a statement at 72 bytes.
        ty: Option<Name>,
        /// Boxed, like `els`: an inline `Expr` made every statement of
        /// every block the size of a `let` (192 bytes; issue 18).
        init: Option<Box<Expr>>,
        els: Option<Box<[Stmt]>>,
    },
    /// An expression; the flag says whether it ended in `;`.
    Expr(Expr, bool),
}

/// A boxed slice, not a `Vec`: a block never grows once lowered, and the
/// 8 bytes of capacity are in every `if`, loop and block expression.
pub(crate) type Block = Box<[Stmt]>;

/// The lists are boxed slices, to keep a `Pat` at 40 bytes: patterns are
/// in every `let` statement and match arm (issue 18).
#[derive(Clone, Debug)]
pub(crate) enum Pat {
    Bind(Name, Option<Box<Pat>>),
    Wild,
    Rest,
    Lit(Lit),
    Path(Path),
    TupleStruct(Path, Box<[Pat]>),
    Struct(Path, Box<[(Name, Pat)]>),
    Tuple(Box<[Pat]>),
    Slice(Box<[Pat]>),
    Or(Box<[Pat]>),
    Guard(Box<Pat>, Box<Expr>),
    Other,
}

impl Pat {
    /// Every name the pattern binds.
    pub(super) fn bindings(&self, out: &mut Vec<String>) {
        match self {
            Pat::Bind(name, sub) => {
                out.push(name.to_string());
                if let Some(sub) = sub {
                    sub.bindings(out);
                }
            }
            Pat::TupleStruct(_, items) | Pat::Tuple(items) | Pat::Slice(items) | Pat::Or(items) => {
                items.iter().for_each(|p| p.bindings(out));
            }
            Pat::Struct(_, fields) => fields.iter().for_each(|(_, p)| p.bindings(out)),
            Pat::Guard(p, _) => p.bindings(out),
            _ => {}
        }
    }
}

/// How a function is entered besides normal calls.
#[derive(Clone, Debug, Default)]
pub(crate) struct FnAttrs {
    /// `#[ctor]`: runs before `main`.
    pub ctor: bool,
    /// `#[tokio::main]` and friends: the runtime attribute's path.
    pub async_main: Option<String>,
    /// The initialiser of a static or constant (a table of handlers).
    pub table: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct FnDef {
    pub name: Name,
    pub module: Vec<Name>,
    /// The `impl` type, for methods.
    pub self_ty: Option<Name>,
    pub params: Vec<Pat>,
    /// Each parameter's declared type (last path segment), when it names one.
    pub param_types: Vec<Option<Name>>,
    /// The declared return type (through `Result`, `Option`, `Box`, `Arc`),
    /// when it names one.
    pub ret: Option<Name>,
    /// Declared `-> !`.
    pub never: bool,
    /// A method of an inherent `impl Type` (not a trait's): callable only
    /// on that type, which the analysed crates define.
    pub inherent: bool,
    /// A trait's default method (`self_ty` is the trait): callable only
    /// from code that can name the trait.
    pub trait_default: bool,
    /// The trait of a trait impl's method, when written as one name
    /// (`impl Command for Create`), which may be one of the analysed
    /// crates' traits.
    pub of_trait: Option<Name>,
    pub attrs: FnAttrs,
    pub body: Body,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub(crate) struct UseDef {
    pub module: Vec<Name>,
    /// The local name (`as` alias or last segment); empty for globs.
    pub alias: String,
    pub path: Path,
    pub glob: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct ModDecl {
    /// The declared module's full path in the crate.
    pub module: Vec<Name>,
    /// Inline modules between the file's own module and this declaration.
    pub inline_prefix: Vec<Name>,
    pub path_attr: Option<String>,
    /// `path`s given under `cfg_attr`, tried when the default file is absent.
    pub cfg_paths: Vec<String>,
    pub loc: Loc,
}

/// Facts about clap derive types: which argv token selects a variant or
/// sets a field.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ClapToken {
    pub type_name: String,
    /// Variant name (subcommands) or field name (flags).
    pub member: String,
    /// `worker`, `--server`, `-s`.
    pub tokens: Vec<String>,
    pub subcommand: bool,
    /// `#[arg(env = "APP_WORKER")]`: the env var clap also reads the
    /// flag from.
    pub env: Option<String>,
    /// bpaf derive: the function the derive generates for the type
    /// (`biome_command`), on an entry with no member of its own.
    pub parser: Option<String>,
}

/// The fields of an enum variant: (name, or index for tuple variants;
/// the type's last path segment, if it has one).
pub(crate) type Fields = Vec<(String, Option<String>)>;

/// Everything the analysis needs from one source file.
#[derive(Clone, Debug, Default)]
pub(crate) struct FileIr {
    pub path: PathBuf,
    pub module: Vec<Name>,
    pub fns: Vec<FnDef>,
    pub uses: Vec<UseDef>,
    pub consts: Vec<(Vec<Name>, String, String)>,
    pub mods: Vec<ModDecl>,
    /// `macro_rules!` names whose bodies mention a self-executable source.
    pub self_spawn_macros: Vec<String>,
    /// `macro_rules!` names whose bodies read the env or argv and may
    /// leave (`return`, `exit`): a guard the check cannot expand.
    pub marker_macros: Vec<String>,
    pub clap: Vec<ClapToken>,
    /// Variant field types by variant name.
    pub payloads: Vec<(String, Fields)>,
    /// Struct field types: (struct, field, the type's last path segment).
    pub fields: Vec<(String, String, String)>,
    /// The traits it defines.
    pub traits: Vec<String>,
    /// The enums it defines, and whether their derives make no values
    /// ([`super::built`]).
    pub enums: Vec<(String, bool)>,
    pub error: Option<(String, Loc)>,
    /// The text names something that can start the own executable; a
    /// program none of whose files does cannot spawn itself.
    pub mentions_self: bool,
    /// Where bodies lowered on first use come from (and their parse errors).
    pub late: Option<std::sync::Arc<super::body::Source>>,
    /// Every identifier the text puts before `::` or after `extern crate`,
    /// sorted: a superset of the crates it names (see [`super::refs`]).
    pub crate_refs: Vec<String>,
    /// The line index, built from the file on disk when a position in it
    /// is first shown (a few files of a run).
    pub lines: std::sync::OnceLock<super::lines::Lines>,
}

impl FileIr {
    /// Drops the spare capacity of the lists the lowering pushed to: the
    /// IR lives until the end of the run, and `FnDef`s are large (issue 18).
    pub(super) fn shrink(&mut self) {
        self.fns.shrink_to_fit();
        self.uses.shrink_to_fit();
        self.consts.shrink_to_fit();
        self.mods.shrink_to_fit();
        self.self_spawn_macros.shrink_to_fit();
        self.marker_macros.shrink_to_fit();
        self.clap.shrink_to_fit();
        self.payloads.shrink_to_fit();
        self.fields.shrink_to_fit();
        self.traits.shrink_to_fit();
    }

    /// The file's line index; a file that cannot be read again counts as
    /// one line.
    pub(super) fn lines(&self) -> &super::lines::Lines {
        self.lines.get_or_init(|| {
            let text = fs_err::read_to_string(&self.path).unwrap_or_default();
            super::lines::Lines::of(&text)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lowered bodies are most of the check's peak memory (issue 18):
    /// a variant that grows `Expr` or `Stmt` grows every node. Box the
    /// large payload instead of raising these.
    #[test]
    fn the_ir_nodes_stay_small() {
        assert!(std::mem::size_of::<Expr>() <= 48, "Expr is {} bytes", std::mem::size_of::<Expr>());
        assert!(std::mem::size_of::<Stmt>() <= 72, "Stmt is {} bytes", std::mem::size_of::<Stmt>());
        assert!(std::mem::size_of::<Arm>() <= 104, "Arm is {} bytes", std::mem::size_of::<Arm>());
    }
}
