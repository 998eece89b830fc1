//! A method call on a `Command` value, the own executable's (`Val::Cmd`)
//! or another program's (`Val::Prog`): std's methods are recorded on it
//! ([`super::builder`], [`super::other`]), and a method the program defines
//! itself for `Command` is followed into its body with `self` bound to that
//! value. A program with a trait of its own over env setters
//! (`impl EnvTarget for Command { fn set(..) { self.env(k, v); } }`), called
//! on the `Command` directly or through the `&mut dyn EnvTarget` or
//! `T: EnvTarget` parameter it was handed, hands `cargo` its own executable
//! as `RUSTC_WRAPPER` inside that body; read as an unknown std method, the
//! hand-over was lost (a cargo subcommand labelled guarded reported
//! `no-self-spawn`, issue 14).

use super::api;
use super::eval::Eval;
use super::index::{FnId, Program};
use super::ir::Expr;
use super::shapes::list_items;
use super::value::{Locals, Val};

/// `Command`'s own methods besides the builders (std's inherent ones, the
/// `CommandExt` ones, tokio's): Rust resolves `cmd.status()` to them before
/// any trait method of the program named the same.
const STD_METHODS: &[&str] = &[
    "spawn",
    "status",
    "output",
    "exec",
    "get_program",
    "get_args",
    "get_envs",
    "get_current_dir",
    "kill_on_drop",
    "as_std",
    "as_std_mut",
];

impl Eval<'_, '_> {
    /// `r.name(args)` when `r` is a `Command`; `None` for any other value.
    pub(super) fn command_call(
        &mut self,
        r: &Val,
        name: &str,
        args: &[Expr],
        vals: &[Val],
        locals: &mut Locals,
    ) -> Option<Val> {
        if !matches!(r, Val::Cmd(_) | Val::Prog(_)) {
            return None;
        }
        let own = own_methods(self.prog, name, vals.len());
        if !own.is_empty() {
            let all = std::iter::once(r.clone()).chain(vals.iter().cloned()).collect();
            let ret = self.call_analysed(&own, all, 0);
            // The body serves every caller and its `self` is bound to one
            // of their `Command`s: a builder-style `-> &mut Self` hands back
            // this caller's, and any other `Command` it returns is not
            // known to be this one.
            let builder = own.iter().all(|&id| self.prog.def(id).ret.as_deref() == Some("Self"));
            return Some(match ret {
                _ if builder => r.clone(),
                Val::Cmd(_) | Val::Prog(_) => Val::Unknown,
                ret => ret,
            });
        }
        // `.args([a, b])`: each item's value, unless the list is argv itself.
        let items = match (name, args.first().and_then(list_items)) {
            ("args", Some(items)) if !matches!(vals.first(), Some(Val::Argv { .. })) => {
                Some(items.iter().map(|e| self.expr(e, locals)).collect::<Vec<_>>())
            }
            _ => None,
        };
        Some(match (r, items) {
            (Val::Cmd(sites), Some(items)) => self.command_args(sites, args, items),
            (Val::Cmd(sites), None) => self.command_method(sites, name, args, vals),
            (Val::Prog(locs), items) => self.program_method(locs, name, args.first(), vals, items),
            _ => Val::Unknown,
        })
    }
}

/// The program's methods that `cmd.name(..)` with `n` arguments calls on a
/// `Command`: those of its trait impls for `Command`, or else the trait
/// defaults of a trait it implements for `Command` (`fn set(..)` written
/// once in the trait). Never one of std's: those win.
fn own_methods(prog: &Program, name: &str, n: usize) -> Vec<FnId> {
    if api::COMMAND_BUILDERS.contains(&name) || STD_METHODS.contains(&name) {
        return Vec::new();
    }
    let fits = |id: FnId| prog.is_trait_method(id) && prog.takes_args(id, n);
    let on_command = |id: FnId| prog.def(id).self_ty.as_deref() == Some("Command");
    let named = prog.methods_named(name);
    let impls: Vec<FnId> = named.iter().copied().filter(|&id| on_command(id) && fits(id)).collect();
    if !impls.is_empty() {
        return impls;
    }
    let implemented: Vec<_> =
        prog.all_methods_of("Command").into_iter().filter_map(|id| prog.def(id).of_trait).collect();
    named
        .iter()
        .copied()
        .filter(|&id| {
            let def = prog.def(id);
            def.trait_default && def.self_ty.as_ref().is_some_and(|t| implemented.contains(t)) && fits(id)
        })
        .collect()
}
