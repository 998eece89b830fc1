//! Another program that runs the own executable: a `Command` of some other
//! program handed the executable in an env var that program runs
//! (`cargo` with `RUSTC_WRAPPER=<own exe>`, [`env_var`]) or as the command
//! line it runs (`sudo <own exe> args`, [`launcher`]). Either way the
//! executable starts again: a self-spawn through another program.
//!
//! The `Command` is made before it is known to start the executable, so
//! what is done to it is kept for the whole pass ([`Others`]) and turned
//! into the site's marker at the end ([`Others::finish`]). A change is
//! certain for the child when it runs whenever the hand-over runs: in the
//! same function, in a branch that encloses the hand-over's. Any other
//! change (in a sibling branch, in a called function) may or may not reach
//! the child.

mod env_var;
mod launcher;

pub(crate) use env_var::{passes_executable, passes_rustc, runs_value};

use super::api;
use super::eval::Eval;
use super::index::FnId;
use super::ir::Loc;
use super::value::{Marker, Origin, Site, Sites, Val, Via};
use launcher::Launcher;
use rustc_hash::FxHashMap as HashMap;

/// What is done to another program's `Command`, in order.
#[derive(Clone, Debug)]
enum Change {
    Set(Option<String>, Option<String>),
    Remove(Option<String>),
    Clear,
    /// An argument (`None`: not a literal).
    Arg(Option<String>),
    /// Arguments of a number not known statically.
    Args,
    /// The parent's own arguments after `argv[0]`, then ones pushed on.
    Forward(Vec<Option<String>>),
    /// The own executable, as an argument.
    Exe,
}

/// Where a change or a hand-over ran: the function, and the branches open
/// around it (ids unique within one evaluation of that function).
#[derive(Clone, Debug)]
struct At {
    fn_id: FnId,
    open: Vec<u32>,
}

impl At {
    /// Whether something at `self` runs whenever `other` runs.
    fn encloses(&self, other: &At) -> bool {
        self.fn_id == other.fn_id && other.open.starts_with(&self.open)
    }
}

/// How the own executable was handed over.
#[derive(Clone, Debug)]
enum How {
    EnvVar(String),
    /// As argument `index` of the changes of a launcher's `Command`.
    Launch(Launcher, String, usize),
}

/// Other programs' commands seen in one pass: where each was made (and the
/// program, when a literal), what was done to it, and the ones handed the
/// own executable.
#[derive(Default)]
pub(crate) struct Others {
    made: HashMap<Loc, (FnId, Option<String>)>,
    changes: HashMap<Loc, Vec<(Change, At)>>,
    handed: Vec<(Loc, At, How)>,
}

impl Others {
    /// Every site handed over this pass gets its marker.
    pub(crate) fn finish(sites: &mut Sites) {
        let others = std::mem::take(&mut sites.others);
        let none = Vec::new();
        for (loc, at, how) in &others.handed {
            let Some(id) = sites.at(loc) else { continue };
            let site = &mut sites.list[id];
            if let Some((fn_id, _)) = others.made.get(loc) {
                site.fn_id = *fn_id;
            }
            let changes = others.changes.get(loc).unwrap_or(&none);
            let mut marker = site.base.clone();
            match how {
                How::EnvVar(_) => env_changes(&mut marker, changes, at),
                How::Launch(launcher, _, index) => launcher::marker(&mut marker, *launcher, changes, *index, at),
            }
            site.marker = marker;
        }
    }
}

/// The env changes of `changes`, certain where they enclose `at`.
fn env_changes(marker: &mut Marker, changes: &[(Change, At)], at: &At) {
    for (change, change_at) in changes {
        let certain = change_at.encloses(at);
        match (change, certain) {
            (Change::Arg(_) | Change::Args | Change::Forward(_) | Change::Exe, _) => {}
            (Change::Set(key, value), true) => marker.env.push((key.clone(), value.clone())),
            (Change::Remove(Some(key)), true) => marker.env_removed.push(key.clone()),
            (Change::Clear, true) => marker.env_clear = true,
            (Change::Set(Some(key), _) | Change::Remove(Some(key)), false) => marker.maybe_env.push(key.clone()),
            _ => marker.env.push((None, None)),
        }
    }
}

impl Eval<'_, '_> {
    /// `Command::new(program)` where `program` is not the own executable.
    pub(super) fn other_program(&mut self, loc: Loc, program: &Val) -> Val {
        if let Some(rec) = self.rec.as_deref_mut() {
            rec.sites.others.made.insert(loc, (self.fn_id, program.text()));
        }
        Val::Prog(vec![loc])
    }

    /// A method call on another program's `Command`: what it does is kept,
    /// and handing it the own executable makes a spawn site. `items`: the
    /// values of a literal list passed to `.args`.
    pub(super) fn program_method(
        &mut self,
        locs: &[Loc],
        name: &str,
        first: Option<&super::ir::Expr>,
        vals: &[Val],
        items: Option<Vec<Val>>,
    ) -> Val {
        let at = At { fn_id: self.fn_id, open: self.open.clone() };
        if let Some(rec) = self.rec.as_deref_mut() {
            let (changes, exe) = changes(name, first, vals, items);
            for &loc in locs {
                let program = rec.sites.others.made.get(&loc).and_then(|(_, p)| p.clone());
                let list = rec.sites.others.changes.entry(loc).or_default();
                let start = list.len();
                list.extend(changes.iter().map(|c| (c.clone(), at.clone())));
                let how = match (&exe, program.as_deref().and_then(launcher::launcher)) {
                    (Some((Handed::Var(var), _)), _) => How::EnvVar(var.clone()),
                    (Some((Handed::Arg(i), _)), Some(launcher))
                        if launcher::runs_next(program.as_deref().unwrap_or_default(), &list[..start + i]) =>
                    {
                        How::Launch(launcher, program.clone().unwrap_or_default(), start + i)
                    }
                    _ => continue,
                };
                let origin = exe.as_ref().map_or(Origin::CurrentExe, |(_, o)| *o);
                hand_over(&mut rec.sites, loc, at.clone(), how, origin);
            }
        }
        if api::COMMAND_BUILDERS.contains(&name) { Val::Prog(locs.to_vec()) } else { Val::Unknown }
    }
}

/// Where a method call handed over the own executable.
enum Handed {
    Var(String),
    /// As the `i`-th of the call's changes.
    Arg(usize),
}

/// What a method call does to the `Command`, and whether (and how) it hands
/// over the own executable.
fn changes(
    name: &str,
    first: Option<&super::ir::Expr>,
    vals: &[Val],
    items: Option<Vec<Val>>,
) -> (Vec<Change>, Option<(Handed, Origin)>) {
    let key = vals.first().and_then(Val::text);
    let mut origin = None;
    let mut arg = |v: &Val| match v.exe_origin() {
        Some(o) => {
            origin.get_or_insert(o);
            Change::Exe
        }
        None => Change::Arg(v.text()),
    };
    let list: Vec<Change> = match (name, items, vals.first()) {
        ("env", ..) => vec![Change::Set(key.clone(), vals.get(1).and_then(Val::text))],
        ("env_remove", ..) => vec![Change::Remove(key.clone())],
        ("env_clear", ..) => vec![Change::Clear],
        ("envs", ..) => {
            let mut set = Marker::default();
            api::record_envs(&mut set, first);
            set.env.into_iter().map(|(k, v)| Change::Set(k, v)).collect()
        }
        ("arg", _, Some(v)) => vec![arg(v)],
        ("args", Some(items), _) => items.iter().map(&mut arg).collect(),
        // `env::args()` itself starts with `argv[0]`, the own executable.
        ("args", None, Some(Val::Argv { skip: 0, pushed })) => {
            origin = Some(Origin::Argv0);
            vec![Change::Exe, Change::Forward(pushed.clone())]
        }
        ("args", None, Some(Val::Argv { pushed, .. })) => vec![Change::Forward(pushed.clone())],
        ("args", ..) => vec![Change::Args],
        _ => Vec::new(),
    };
    // An env var named by a formatted string of a known shape
    // (`format!("CARGO_TARGET_{host}_RUNNER")`) may be one another program runs.
    let var = match vals.first() {
        Some(Val::Format(shape)) => Some(shape.clone()),
        _ => key,
    };
    let by_var = match (name, var, vals.get(1).and_then(Val::exe_origin)) {
        ("env", Some(var), Some(o)) if env_var::runs_value(&var) => Some((Handed::Var(var), o)),
        _ => None,
    };
    let by_arg = list.iter().position(|c| matches!(c, Change::Exe)).zip(origin).map(|(i, o)| (Handed::Arg(i), o));
    (list, by_var.or(by_arg))
}

/// Records the site where another program is handed the executable.
fn hand_over(sites: &mut Sites, loc: Loc, at: At, how: How, origin: Origin) {
    if sites.others.handed.iter().any(|(l, ..)| *l == loc) {
        return;
    }
    let (via, base) = match &how {
        How::EnvVar(var) => (
            Via::EnvWrapper,
            Marker { unknown_args: true, unknown_from: Some(0), run_by: Some(var.clone()), ..Marker::default() },
        ),
        How::Launch(launcher, program, _) => (Via::Launcher, launcher::base(*launcher, program)),
    };
    let fn_id = at.fn_id;
    sites.add(Site { loc, fn_id, via, origin, base: base.clone(), marker: base });
    sites.others.handed.push((loc, at, how));
}
