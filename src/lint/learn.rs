//! Learning the summaries: which functions return the program's own
//! executable (or argv, an env lookup, a command), which parameters are
//! passed one, which fields hold one, and the spawn sites with their
//! markers. Every function whose summary can matter is evaluated, pass
//! after pass, until the summaries stop changing.
//!
//! Most functions of a large program never touch such a value, and
//! evaluating them again in every pass, for every binary, was most of the
//! analysis (issue 18). So each function is first evaluated once with
//! nothing learned ([`Quiet`]): if that records nothing, the function is
//! skipped in every pass in which nothing it read in that evaluation has
//! been learned since. This is exact, not a heuristic: the evaluation is a
//! deterministic function of the program and of what it reads of the
//! summaries, and it reads them only through [`Reads`] (a parameter's
//! value, a function's return summary, whether a field holds the
//! executable). If every read gives what it gave with nothing learned, the
//! evaluation takes the same steps and again records nothing. (It reads the
//! pass's own records only to add markers to a command, and a command
//! exists only after something was recorded or read.)

use super::eval::Eval;
use super::fnset::FnSet;
use super::index::{FnId, Program};
use super::memo;
use super::name::{Name, intern};
use super::value::{Facts, Locals, Val};

/// Summaries are recomputed until stable; a few passes suffice for helper
/// chains of that depth.
const MAX_PASSES: usize = 5;

/// What a function's evaluation read of the summaries.
#[derive(Debug, Default)]
pub(crate) struct Reads {
    /// Functions whose return summary it looked up.
    returns: Vec<FnId>,
    /// How many of `returns` were distinct when last compacted.
    distinct: usize,
    /// Method names called on a receiver of unknown type: it looked up the
    /// return summary of every method of the name. Kept as the name, not
    /// as those methods: a name that many types define (`fmt`) has
    /// thousands, and copied into every quiet caller's reads they were
    /// ~40 MiB of biome's peak (issue 18).
    methods: Vec<Name>,
    /// Field names it asked about.
    pub fields: Vec<String>,
}

/// The reads are only ever asked "was any of these learned", and they are
/// kept for every quiet function until the end of the run. A call of a
/// method that many types define (`x.render()`) reads every candidate's
/// return, at every call: kept with their repeats, those lists were ~40%
/// of the peak heap of the synthetic workspace (issue 18). So they are
/// deduplicated as they grow, and kept without spare capacity.
impl Reads {
    /// Notes that the evaluation looked up the return summaries of `ids`.
    pub(crate) fn returns_of(&mut self, ids: &[FnId]) {
        self.returns.extend_from_slice(ids);
        // Sorting when the list has doubled keeps the cost amortised.
        if self.returns.len() > 2 * self.distinct + 64 {
            self.dedup();
        }
    }

    /// Notes that the evaluation looked up the return summaries of every
    /// method named `name` ([`Program::methods_named`]).
    pub(crate) fn methods_named(&mut self, name: &str) {
        let name = intern(name);
        if !self.methods.contains(&name) {
            self.methods.push(name);
        }
    }

    fn dedup(&mut self) {
        self.returns.sort_unstable();
        self.returns.dedup();
        self.distinct = self.returns.len();
    }

    fn compact(&mut self) {
        self.dedup();
        self.returns.shrink_to_fit();
        self.methods.shrink_to_fit();
        self.fields.sort_unstable();
        self.fields.dedup();
        self.fields.shrink_to_fit();
    }
}

/// A function's evaluation with nothing learned.
#[derive(Debug)]
pub(crate) enum Quiet {
    /// It recorded something: evaluate it in every pass.
    Active,
    /// It recorded nothing, reading these.
    Inert(Reads),
}

/// Evaluates `fns` (the functions whose summaries can matter), and every
/// function found to be passed an own-executable value or a command, until
/// the summaries stop changing.
pub(crate) fn learn(prog: &Program<'_>, fns: &[FnId]) -> Facts {
    learn_skipping(prog, fns, true)
}

/// [`learn`], skipping quiet functions or not (the tests compare both).
fn learn_skipping(prog: &Program<'_>, fns: &[FnId], skip_quiet: bool) -> Facts {
    // In the program's order (own crate first), which decides the order in
    // which spawn sites are found and reported. A bitset over that order,
    // not a `BTreeSet` (issue 18: built once per binary over the whole
    // reachable library).
    let mut fns_in_order = FnSet::new(prog.fn_count());
    let mut count = 0;
    for &id in fns {
        count += usize::from(fns_in_order.insert(prog.order_of(id)));
    }
    let mut facts = Facts::default();
    for _ in 0..MAX_PASSES {
        let mut rec = Facts { sites: facts.sites.restart(), ..Facts::default() };
        let learned = Learned::new(prog, &facts);
        for id in fns_in_order.iter().map(|n| prog.at_order(n)) {
            if skip_quiet
                && let Quiet::Inert(reads) = quiet(prog, id)
                && !learned.any_read(id, reads, &facts)
            {
                continue;
            }
            let val = Eval::new(prog, &facts, Some(&mut rec), id).function(&mut Locals::default());
            if summarised(&val) {
                rec.returns.insert(id, val);
            }
        }
        super::other::Others::finish(&mut rec.sites);
        let before = count;
        for &(id, _) in rec.param_vals.keys() {
            count += usize::from(fns_in_order.insert(prog.order_of(id)));
        }
        let stable = count == before && rec.same_summaries(&facts);
        facts = rec;
        if stable {
            break;
        }
    }
    facts
}

/// The values a function's return summary keeps.
fn summarised(val: &Val) -> bool {
    matches!(
        val,
        Val::Exe(_)
            | Val::Cmd(_)
            | Val::Prog(_)
            | Val::Argv { .. }
            | Val::ArgvItem(_)
            | Val::ArgvName { .. }
            | Val::Env(_)
            | Val::Clap(_)
            | Val::ClapField(..)
            // A static dispatch table, for lookups in it.
            | Val::Table(_)
    )
}

/// `id`'s evaluation with nothing learned (computed once, see [`memo`]).
fn quiet<'p>(prog: &'p Program<'_>, id: FnId) -> &'p Quiet {
    memo::quiet(prog, id, || {
        let nothing = Facts::default();
        let mut rec = Facts::default();
        let mut reads = Reads::default();
        let val = Eval::new(prog, &nothing, Some(&mut rec), id).reading(&mut reads).function(&mut Locals::default());
        let recorded = summarised(&val)
            || !rec.sites.list.is_empty()
            || !rec.param_vals.is_empty()
            || !rec.exe_fields.is_empty()
            || !rec.marker_fields.is_empty()
            || !rec.marker_types.is_empty()
            || !rec.set_vars.is_empty()
            || !rec.list_fields.is_empty()
            || !rec.param_lists.is_empty()
            || !rec.returns.is_empty();
        reads.compact();
        if recorded { Quiet::Active } else { Quiet::Inert(reads) }
    })
}

/// What has been learned, in the form the check of every quiet function
/// asks about it: built once per pass from the few learned facts, so that
/// the check (each binary over a shared library checks its whole reachable
/// library, every pass) is bit tests, not hash lookups (issue 18).
struct Learned {
    /// Nothing at all: every first pass.
    nothing: bool,
    /// Functions with a learned return summary.
    returns: FnSet,
    /// Functions with a learned parameter value or argument list.
    params: FnSet,
    /// The names of the methods with a learned return summary: a read of
    /// every method of a name ([`Reads::methods_named`]) has learned
    /// something exactly when its name is one of these (a name that 100
    /// types define was 100 lookups at each reader).
    methods: Vec<Name>,
}

impl Learned {
    fn new(prog: &Program<'_>, facts: &Facts) -> Learned {
        let mut returns = FnSet::new(prog.fn_count());
        let mut params = FnSet::new(prog.fn_count());
        let mut methods = Vec::new();
        for &f in facts.returns.keys() {
            returns.insert(f);
            let name = prog.def(f).name;
            if prog.methods_named(&name).contains(&f) {
                methods.push(name);
            }
        }
        for &(f, _) in facts.param_vals.keys().chain(facts.param_lists.keys()) {
            params.insert(f);
        }
        methods.sort_unstable();
        methods.dedup();
        let nothing = facts.returns.is_empty()
            && facts.param_vals.is_empty()
            && facts.exe_fields.is_empty()
            && facts.marker_fields.is_empty()
            && facts.list_fields.is_empty()
            && facts.param_lists.is_empty();
        Learned { nothing, returns, params, methods }
    }

    /// Whether anything `id` read with nothing learned has been learned in
    /// `facts`: its parameters' values, a return summary, a field.
    fn any_read(&self, id: FnId, reads: &Reads, facts: &Facts) -> bool {
        !self.nothing
            && (self.params.contains(&id)
                || reads.returns.iter().any(|f| self.returns.contains(f))
                || reads.methods.iter().any(|name| self.methods.binary_search(name).is_ok())
                || reads.fields.iter().any(|name| {
                    facts.exe_fields.contains_key(name)
                        || facts.marker_fields.contains_key(name)
                        || facts.list_fields.contains_key(name)
                }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::library::Library;
    use crate::lint::load::{Loaded, parse_text};

    /// Learns over every function of `text`, with and without skipping
    /// quiet functions: the facts must be the same.
    fn same_both_ways(text: &str) {
        let loaded = Loaded { files: vec![parse_text(text, Vec::new(), 0, None)], crates: Default::default() };
        let lib = Library::empty();
        let own = crate::lint::index::CrateView { name: "crate".into(), files: vec![0], sees: None };
        let prog = Program::new(&loaded.files, own, &lib);
        let all: Vec<FnId> = (0..prog.fn_count()).collect();
        let skipping = learn(&prog, &all);
        let everything = learn_skipping(&prog, &all, false);
        assert_eq!(format!("{:?}", skipping.sites.list), format!("{:?}", everything.sites.list));
        let sorted = |f: &Facts| {
            let mut r: Vec<_> = f.returns.iter().map(|(k, v)| format!("{k}:{v:?}")).collect();
            let mut p: Vec<_> = f.param_vals.iter().map(|(k, v)| format!("{k:?}:{v:?}")).collect();
            r.sort();
            p.sort();
            (r, p, f.exe_fields.clone())
        };
        assert_eq!(sorted(&skipping), sorted(&everything));
        assert!(!everything.sites.list.is_empty(), "the text has a spawn site to learn");
    }

    #[test]
    fn values_passed_through_quiet_looking_helpers_are_learned() {
        // `spawn` and `run` look quiet until `exe` is learned to return the
        // executable and `run` to be passed it; `Holder.path` is learned to
        // hold it from `store`.
        same_both_ways(
            "use std::process::Command;\n\
             struct Holder { path: std::path::PathBuf }\n\
             fn exe() -> std::path::PathBuf { std::env::current_exe().unwrap() }\n\
             fn store() -> Holder { Holder { path: exe() } }\n\
             fn run(p: std::path::PathBuf) { spawn(p) }\n\
             fn spawn(p: std::path::PathBuf) { Command::new(p).arg(\"--child\").status().unwrap(); }\n\
             fn from_field(h: &Holder) { Command::new(&h.path).arg(\"--field\").spawn().unwrap(); }\n\
             fn build() -> Command { let mut c = Command::new(exe()); c.env(\"ROLE\", \"w\"); c }\n\
             fn marker() { let mut c = build(); c.arg(\"--late\"); c.spawn().unwrap(); }\n\
             fn main() { run(exe()); from_field(&store()); marker(); }\n",
        );
    }

    #[test]
    fn another_programs_command_through_helpers_is_learned() {
        // `cargo()` returns cargo's `Command`, `wrap` hands it the
        // executable (learned from `exe`), `route` marks it: one site,
        // the same with or without skipping quiet functions.
        same_both_ways(
            "use std::process::Command;\n\
             fn exe() -> std::path::PathBuf { std::env::current_exe().unwrap() }\n\
             fn cargo() -> Command { let mut c = Command::new(\"cargo\"); c.arg(\"build\"); c }\n\
             fn route(c: &mut Command) { c.env(\"ROUTE\", \"1\"); }\n\
             fn wrap(c: &mut Command) { c.env(\"RUSTC_WRAPPER\", exe()); }\n\
             fn main() { let mut c = cargo(); route(&mut c); wrap(&mut c); c.status().unwrap(); }\n",
        );
    }
}
