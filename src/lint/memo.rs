//! Answers about one function that the analysis asks many times: which
//! functions its body calls, and whether it may stop the child. Each is
//! computed on first use, once per program; for the functions of a shared
//! [`super::library::Library`], once per run for all the binaries whose own
//! crate defines no methods, since only methods (found by name or by type
//! from any crate) let a binary's own crate change what library code calls
//! ([`super::defs::Defs::defines_methods`]). Issue 18: 200 binaries over
//! one library scan its bodies once.

use super::cells::Cells;
use super::closure::Which;
use super::fnset::FnSet;
use super::index::{FnId, Program};
use super::learn::Quiet;
use super::update::Replacing;
use std::sync::OnceLock;

/// The functions a body calls, two ways (see `callgraph::scan_callees`).
#[derive(Debug, Default)]
pub(crate) struct Callees {
    /// The call graph's edges: calls by path, functions named as values,
    /// and methods by name except names std types commonly have (unless
    /// called on `self`).
    pub graph: Edges,
    /// Every method of a called name too: the functions whose summaries
    /// can matter.
    pub all: Edges,
}

/// Edges out of one function.
#[derive(Debug, Default)]
pub(crate) struct Edges {
    pub fns: Vec<FnId>,
    /// Method names called on a receiver of unknown type: an edge to every
    /// method of that name, kept as the name (a program with 100 types
    /// that have a `render` method has one such group, not 100 edges from
    /// every caller).
    pub names: Vec<NameCall>,
}

/// `recv.name(..)` with `args` arguments, `recv` of unknown type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct NameCall {
    pub name: String,
    pub args: usize,
    /// `recv` is a value of another crate's type (`ZlibDecoder::new(buf)`):
    /// only the analysed crates' trait methods can run.
    pub foreign: bool,
}

/// One cell per function, allocated in chunks as they are first asked
/// for ([`Cells`]).
#[derive(Default)]
pub(crate) struct Memo {
    callees: Cells<Callees>,
    may_stop: Cells<bool>,
    replacing: Cells<Option<Replacing>>,
    quiet: Cells<Quiet>,
    reads: Cells<Option<super::value::Val>>,
    /// The library functions reachable from a library function, through
    /// each kind of edge (see [`super::closure`]); only in the library's
    /// memo of a library that several binaries link, filled for the
    /// functions that own crates call.
    closures: [Cells<FnSet>; 2],
}

impl Memo {
    pub(super) fn new(fns: usize) -> Memo {
        Memo {
            callees: Cells::new(fns),
            may_stop: Cells::new(fns),
            replacing: Cells::new(fns),
            quiet: Cells::new(fns),
            reads: Cells::new(fns),
            closures: Default::default(),
        }
    }

    /// The library's memo: [`Memo::new`] and room for shared closures.
    pub(super) fn for_library(fns: usize) -> Memo {
        Memo { closures: [Cells::new(fns), Cells::new(fns)], ..Memo::new(fns) }
    }
}

/// `id`'s callees, computed by `compute` on first use.
pub(crate) fn callees<'p>(prog: &'p Program<'_>, id: FnId, compute: impl FnOnce() -> Callees) -> &'p Callees {
    let (memo, i) = prog.memo_of(id);
    memo.callees[i].get_or_init(compute)
}

/// Whether `id` may stop the child, computed by `compute` on first use.
pub(crate) fn may_stop(prog: &Program<'_>, id: FnId, compute: impl FnOnce() -> bool) -> bool {
    let (memo, i) = prog.memo_of(id);
    *memo.may_stop[i].get_or_init(compute)
}

/// The call through which `id` replaces the own executable, if any
/// ([`super::update`]), computed by `compute` on first use.
pub(crate) fn replacing(
    prog: &Program<'_>,
    id: FnId,
    compute: impl FnOnce() -> Option<Replacing>,
) -> Option<Replacing> {
    let (memo, i) = prog.memo_of(id);
    memo.replacing[i].get_or_init(compute).clone()
}

/// The marker source `id`'s body reads ([`super::reads`]), computed by
/// `compute` on first use.
pub(crate) fn reads(
    prog: &Program<'_>,
    id: FnId,
    compute: impl FnOnce() -> Option<super::value::Val>,
) -> Option<super::value::Val> {
    let (memo, i) = prog.memo_of(id);
    memo.reads[i].get_or_init(compute).clone()
}

/// The cell of library function `id`'s shared closure through `which`
/// edges, when the program shares the library's callees (see
/// [`Program::memo_of`]).
pub(crate) fn lib_closure<'p>(prog: &'p Program<'_>, id: FnId, which: Which) -> Option<&'p OnceLock<FnSet>> {
    let memo = prog.shared_memo(id)?;
    memo.closures[which as usize].get(id)
}

/// `id`'s evaluation with nothing learned, computed by `compute` on first
/// use; shared only when the own crate is private
/// ([`super::defs::Defs::is_private`]): evaluation also reads constants,
/// clap tokens, payloads and fields of every crate.
pub(crate) fn quiet<'p>(prog: &'p Program<'_>, id: FnId, compute: impl FnOnce() -> Quiet) -> &'p Quiet {
    let (memo, i) = prog.memo_for_eval(id);
    memo.quiet[i].get_or_init(compute)
}
