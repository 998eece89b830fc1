//! Merging the values of code that may produce either of two (the arms of a
//! `match`, the branches of an `if`, a function's `return`s): exactly for
//! the walk, the more informative for learning, and constants into
//! [`Val::OneOf`] (issue 14).

use super::ir::Loc;
use super::value::{Truth, Val};

impl Val {
    /// The value of code that may produce either: exact, for routing. An
    /// error path is ignored; different values give `Unknown`.
    pub(super) fn either(self, other: Val) -> Val {
        match (&self, &other) {
            (Val::Error, _) => other,
            (_, Val::Error) => self,
            _ if self == other => self,
            _ => Val::Unknown,
        }
    }

    /// The more informative of two values (for merging branches and returns
    /// while learning): the own executable wins, sites are united, an unknown
    /// side is ignored, different constants give `Unknown`.
    pub(super) fn join(self, other: Val) -> Val {
        match (&self, &other) {
            (Val::Error, _) => other,
            (_, Val::Error) => self,
            (Val::Unknown, _) => other,
            (_, Val::Unknown) => self,
            (Val::Foreign(_), _) => other,
            (_, Val::Foreign(_)) => self,
            _ if self == other => self,
            // `let (path, name) = if .. { (borrowed, "a") } else {
            // (Cow::Owned(current_exe()?), "b") }`: part by part, so the own
            // executable in one branch's tuple is not lost to the other's.
            (Val::Tuple(a), Val::Tuple(b)) if a.len() == b.len() => {
                Val::Tuple(a.iter().zip(b).map(|(x, y)| x.clone().join(y.clone())).collect())
            }
            (Val::Cmd(a), Val::Cmd(b)) => Val::Cmd(union(a, b)),
            (Val::Prog(a), Val::Prog(b)) => Val::Prog(union(a, b)),
            (Val::Exe(_) | Val::Cmd(_), _) => self,
            (_, Val::Exe(_) | Val::Cmd(_)) => other,
            // Two different constants (`Key::Quit` or `Key::Relaunch`): code
            // that may produce either produces one of them; keeping only the
            // first made a later `match` on it follow only that arm and miss
            // a spawn in the other's (a false `no-self-spawn`). A constant or
            // a value computed from a marker source stays computed from it.
            _ if self.is_constant() && other.is_constant() => {
                let mut all = self.alternatives();
                for v in other.alternatives() {
                    if !all.contains(&v) {
                        all.push(v);
                    }
                }
                Val::OneOf(all)
            }
            _ if self.is_constant() || other.is_constant() => Val::derived([&self, &other]),
            // A child's different answers (`if verbose { is_worker } else
            // { other }`): keeping the first took a guard for sure where
            // the other way spawns again.
            (Val::Truth(_), Val::Truth(_)) => Val::Truth(Truth::Unknown),
            _ => self,
        }
    }

    /// A literal the code routes on (an enum variant, a string, a bool), or
    /// one of several.
    pub(super) fn is_constant(&self) -> bool {
        matches!(self, Val::Variant(_) | Val::Str(_) | Val::Bool(_) | Val::OneOf(_))
    }

    /// The constants this value may be: those of a [`Val::OneOf`], else itself.
    pub(super) fn alternatives(&self) -> Vec<Val> {
        match self {
            Val::OneOf(all) => all.clone(),
            other => vec![other.clone()],
        }
    }
}

fn union(a: &[Loc], b: &[Loc]) -> Vec<Loc> {
    let mut sites: Vec<Loc> = a.iter().chain(b).copied().collect();
    sites.sort();
    sites.dedup();
    sites
}
