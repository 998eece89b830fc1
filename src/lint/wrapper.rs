//! Another program that runs the own executable: a `Command` of some other
//! program (cargo, git) handed the executable in an env var that program
//! runs (`cmd.env("RUSTC_WRAPPER", env::current_exe()?)`). Every compile
//! then starts the executable again, with arguments cargo chooses and with
//! the env this `Command` sets: a self-spawn through another program.
//!
//! The `Command` is made before it is known to start the executable, so
//! its env changes are kept for the whole pass ([`Others`]) and turned into
//! the site's marker at the end ([`Others::finish`]). A change is certain
//! for the child when it runs whenever the hand-over runs: in the same
//! function, in a branch that encloses the hand-over's. Any other change
//! (in a sibling branch, in a called function) may or may not reach the
//! child.

use super::api;
use super::eval::Eval;
use super::index::FnId;
use super::ir::Loc;
use super::value::{Marker, Origin, Site, Sites, Val, Via};
use rustc_hash::FxHashMap as HashMap;

/// Env vars whose value another program runs as a program, on its own
/// (not only when a user asks): cargo's and rustc's wrappers, linkers and
/// runners (also per target: `CARGO_TARGET_<TRIPLE>_LINKER`,
/// `CC_<target>`), and the helpers git, ssh and sudo start (editors,
/// pagers, askpass programs). Not `SHELL`: a shell that sets it to itself
/// for the programs it runs is started again only when a user asks.
const RUNS_VALUE: &[&str] = &[
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTC",
    "RUSTDOC",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    "CARGO_BUILD_RUSTC",
    "CARGO_BUILD_RUSTDOC",
    "CC",
    "CXX",
    "AR",
    "TARGET_CC",
    "HOST_CC",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_SSH",
    "GIT_ASKPASS",
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
    "SSH_ASKPASS",
    "SUDO_ASKPASS",
    "EDITOR",
    "VISUAL",
    "PAGER",
];

/// Whether another program runs the value of env var `key`.
pub(crate) fn runs_value(key: &str) -> bool {
    let per_target = (key.starts_with("CARGO_TARGET_") && (key.ends_with("_LINKER") || key.ends_with("_RUNNER")))
        || ["CC_", "CXX_", "AR_"].iter().any(|p| key.starts_with(p));
    per_target || RUNS_VALUE.contains(&key)
}

/// An env change on another program's `Command`.
#[derive(Clone, Debug)]
enum Change {
    Set(Option<String>, Option<String>),
    Remove(Option<String>),
    Clear,
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

/// Other programs' commands seen in one pass: where each was made, its env
/// changes, and the ones handed the own executable.
#[derive(Default)]
pub(crate) struct Others {
    made: HashMap<Loc, FnId>,
    changes: HashMap<Loc, Vec<(Change, At)>>,
    handed: Vec<(Loc, At)>,
}

impl Others {
    /// Every site handed over this pass gets its marker: the site's base,
    /// then each env change, certain or maybe.
    pub(crate) fn finish(sites: &mut Sites) {
        let others = std::mem::take(&mut sites.others);
        for (loc, at) in &others.handed {
            let Some(id) = sites.at(loc) else { continue };
            let site = &mut sites.list[id];
            if let Some(&fn_id) = others.made.get(loc) {
                site.fn_id = fn_id;
            }
            let mut marker = site.base.clone();
            for (change, change_at) in others.changes.get(loc).into_iter().flatten() {
                apply(&mut marker, change, change_at.encloses(at));
            }
            site.marker = marker;
        }
    }
}

fn apply(marker: &mut Marker, change: &Change, certain: bool) {
    match (change, certain) {
        (Change::Set(key, value), true) => marker.env.push((key.clone(), value.clone())),
        (Change::Remove(Some(key)), true) => marker.env_removed.push(key.clone()),
        (Change::Clear, true) => marker.env_clear = true,
        (Change::Set(Some(key), _) | Change::Remove(Some(key)), false) => marker.maybe_env.push(key.clone()),
        _ => marker.env.push((None, None)),
    }
}

impl Eval<'_, '_> {
    /// `Command::new(x)` where `x` is not the own executable.
    pub(super) fn other_program(&mut self, loc: Loc) -> Val {
        if let Some(rec) = self.rec.as_deref_mut() {
            rec.sites.others.made.insert(loc, self.fn_id);
        }
        Val::Prog(vec![loc])
    }

    /// A method call on another program's `Command`: env changes are kept;
    /// `.env(VAR, exe)` with a [`runs_value`] var makes it a spawn site.
    pub(super) fn program_method(&mut self, locs: &[Loc], name: &str, args: &[super::ir::Expr], vals: &[Val]) -> Val {
        let key = vals.first().and_then(Val::text);
        let changes: Vec<Change> = match name {
            "env" => vec![Change::Set(key.clone(), vals.get(1).and_then(Val::text))],
            "env_remove" => vec![Change::Remove(key.clone())],
            "env_clear" => vec![Change::Clear],
            "envs" => {
                let mut set = Marker::default();
                api::record_envs(&mut set, args.first());
                set.env.into_iter().map(|(k, v)| Change::Set(k, v)).collect()
            }
            _ => Vec::new(),
        };
        let handed = match (name, key.as_deref(), vals.get(1).and_then(Val::exe_origin)) {
            ("env", Some(var), Some(origin)) if runs_value(var) => Some((var.to_string(), origin)),
            _ => None,
        };
        let at = At { fn_id: self.fn_id, open: self.open.clone() };
        if let Some(rec) = self.rec.as_deref_mut() {
            for &loc in locs {
                let list = rec.sites.others.changes.entry(loc).or_default();
                list.extend(changes.iter().map(|c| (c.clone(), at.clone())));
                if let Some((var, origin)) = &handed {
                    hand_over(&mut rec.sites, loc, at.clone(), var, *origin);
                }
            }
        }
        if api::COMMAND_BUILDERS.contains(&name) { Val::Prog(locs.to_vec()) } else { Val::Unknown }
    }
}

/// Records the site where another program is handed the executable in
/// `var`: the child gets arguments the program chooses.
fn hand_over(sites: &mut Sites, loc: Loc, at: At, var: &str, origin: Origin) {
    if sites.others.handed.iter().any(|(l, _)| *l == loc) {
        return;
    }
    let base = Marker { unknown_args: true, run_by: Some(var.to_string()), ..Marker::default() };
    let fn_id = at.fn_id;
    sites.add(Site { loc, fn_id, via: Via::EnvWrapper, origin, base: base.clone(), marker: base });
    sites.others.handed.push((loc, at));
}

#[cfg(test)]
mod tests {
    use super::runs_value;

    #[test]
    fn vars_that_name_a_program() {
        for var in [
            "RUSTC_WRAPPER",
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER",
            "CC_aarch64_unknown_linux_gnu",
            "GIT_EDITOR",
        ] {
            assert!(runs_value(var), "{var}");
        }
        for var in ["CARGO_EXPAND_RUSTC_WRAPPER", "PATH", "CARGO_TARGET_DIR", "RUST_LOG", "CCACHE_DIR", "SHELL"] {
            assert!(!runs_value(var), "{var}");
        }
    }
}
