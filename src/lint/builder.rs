//! Builder calls on a `Command` that starts the own executable: each one
//! records what the child gets (`.arg`, `.args`, `.env`, `.envs`,
//! `.env_remove`, `.env_clear`, `.arg0`, `.stdout` and the other streams)
//! on the spawn site's marker; a
//! local list passed to `.args(..)` is read by [`arglist`].

use super::api;
use super::arglist::{self, ArgList};
use super::eval::Eval;
use super::ir::{Expr, Loc};
use super::value::{Marker, Val};

/// The `Command` methods that start the child.
const LAUNCHES: &[&str] = &["spawn", "status", "output", "exec"];

impl Eval<'_, '_> {
    /// Builder calls on a self-spawn `Command` record the child's marker,
    /// on every site the value may come from (`let mut cmd = match .. {
    /// Ok(p) => Command::new(p), Err(_) => Command::new(arg0) };
    /// cmd.arg("--force")`: both children get `--force`).
    pub(super) fn command_method(&mut self, sites: &[Loc], name: &str, args: &[Expr], vals: &[Val]) -> Val {
        // `.args(&list)` with a local list built by pushes in this body.
        let list = match (name, args.first().map(Expr::peel), vals.first()) {
            (_, _, Some(Val::Argv { .. })) => None,
            ("args", Some(Expr::Path(p, _)), _) if p.len() == 1 => {
                arglist::local_list(self.def().body.get(), &p[0]).or_else(|| self.carried_list(&args[0]))
            }
            // Through a field or a parameter ([`super::carried`]).
            ("args", Some(_), _) => self.carried_list(&args[0]),
            _ => None,
        };
        for &site in sites {
            self.record_builder(site, name, args, vals, list.as_ref());
        }
        if api::COMMAND_BUILDERS.contains(&name) { Val::Cmd(sites.to_vec()) } else { Val::Unknown }
    }

    fn record_builder(&mut self, site: Loc, name: &str, args: &[Expr], vals: &[Val], list: Option<&ArgList>) {
        let skippable = self.skippable(site);
        // Calls in the body that made the `Command` are recorded in their
        // order; a function handed it (`wire(&mut cmd)`) may be evaluated
        // before or after that body, so a list of unknown length it adds
        // says nothing about the positions of the others.
        let made_here = self.made_here(site);
        let Some(rec) = self.rec.as_deref_mut() else { return };
        let Some(id) = rec.sites.at(&site) else { return };
        let marker = &mut rec.sites.list[id].marker;
        // For the same reason only a launch seen there orders the calls
        // after it out of the started child's marker.
        if made_here && marker.launched {
            return;
        }
        if made_here && !skippable && LAUNCHES.contains(&name) {
            marker.launched = true;
        }
        let unknown_from = marker.unknown_from;
        if skippable {
            maybe(marker, name, args, vals);
        } else {
            Self::record(marker, name, args, vals, list);
        }
        if !made_here {
            marker.unknown_from = unknown_from;
        }
    }

    /// A builder call that surely runs: what it gives the child.
    fn record(marker: &mut Marker, name: &str, args: &[Expr], vals: &[Val], list: Option<&ArgList>) {
        let text = Val::text;
        match name {
            "arg" => marker.push_args([vals.first().and_then(text)]),
            "args" => match list {
                Some(list) => {
                    // The known items come first, then what is not known.
                    marker.push_args(list.items.iter().cloned());
                    for option in &list.maybe {
                        maybe_arg(marker, option.clone().map(Val::Str).as_ref());
                    }
                    if !list.complete {
                        marker.unknown_list();
                    }
                }
                None => api::record_args(marker, args.first(), vals.first()),
            },
            // In order: a later call undoes an earlier one for its key, and
            // `env_clear` also drops the vars set before it.
            "env" => {
                let key = vals.first().and_then(text);
                marker.env_removed.retain(|k| Some(k) != key.as_ref());
                marker.env.push((key, vals.get(1).and_then(text)));
            }
            "envs" => api::record_envs(marker, args.first()),
            "env_remove" => {
                let key = vals.first().and_then(text);
                if let Some(key) = &key {
                    marker.env.retain(|(k, _)| k.as_ref() != Some(key));
                }
                marker.env_removed.extend(key);
            }
            "env_clear" => {
                marker.env.clear();
                marker.env_removed.clear();
                marker.env_clear = true;
            }
            "arg0" => marker.arg0 = Some(vals.first().and_then(text)),
            "stdin" | "stdout" | "stderr" => marker.stdio.push((name.to_string(), args.first().is_some_and(no_tty))),
            _ => {}
        }
    }

    /// `.args([..])` with a literal list: `items` are the items' values.
    pub(super) fn command_args(&mut self, sites: &[Loc], args: &[Expr], items: Vec<Val>) -> Val {
        let texts: Vec<Option<String>> = items.iter().map(Val::text).collect();
        for &site in sites {
            let skippable = self.skippable(site);
            let made_here = self.made_here(site);
            if let Some(rec) = self.rec.as_deref_mut()
                && let Some(id) = rec.sites.at(&site)
            {
                let marker = &mut rec.sites.list[id].marker;
                if made_here && marker.launched {
                    continue;
                }
                match skippable {
                    true => maybe(marker, "args", args, &items),
                    false => marker.push_args(texts.iter().cloned()),
                }
            }
        }
        Val::Cmd(sites.to_vec())
    }

    /// Whether the `Command` of `site` was made in the body evaluated now.
    fn made_here(&self, site: Loc) -> bool {
        self.made_at.iter().any(|(l, _)| *l == site)
    }

    /// A builder call in a branch the site's own code may skip (`if fast {
    /// cmd.env("W", "1"); }`): the child may or may not get what it gives.
    fn skippable(&self, site: Loc) -> bool {
        let made = self.made_at.iter().rev().find(|(l, _)| *l == site).map_or(0, |(_, depth)| *depth);
        self.branch > made
    }
}

/// A builder call that may not run: what it would give the child becomes
/// unknown (arguments, `argv[0]`, a stream), or possible (an env var set or
/// removed: [`Marker::maybe_env`]).
fn maybe(marker: &mut Marker, name: &str, args: &[Expr], vals: &[Val]) {
    match name {
        "arg" => maybe_arg(marker, vals.first()),
        "args" => match args.first().and_then(super::shapes::list_items) {
            Some(items) if !matches!(vals.first(), Some(Val::Argv { .. })) => {
                for item in items {
                    maybe_arg(marker, api::literal_text(item).map(Val::Str).as_ref());
                }
            }
            _ => marker.unknown_list(),
        },
        "env" | "env_remove" => match vals.first() {
            Some(Val::Str(key)) => marker.maybe_env.push(key.clone()),
            _ => marker.env.push((None, None)),
        },
        "envs" => {
            let mut some = Marker::default();
            api::record_envs(&mut some, args.first());
            for (key, _) in some.env {
                match key {
                    Some(key) => marker.maybe_env.push(key),
                    None => marker.env.push((None, None)),
                }
            }
        }
        "env_clear" => marker.env.push((None, None)),
        "arg0" => marker.arg0 = Some(None),
        "stdin" | "stdout" | "stderr" => marker.stdio.push((name.to_string(), false)),
        _ => {}
    }
}

/// An argument that may not be given: a flag (`--config`), or the value
/// right after such a flag, does not move the positionals that select a
/// subcommand; anything else leaves the arguments unknown.
fn maybe_arg(marker: &mut Marker, val: Option<&Val>) {
    let text = val.and_then(Val::text);
    let after_flag = marker.maybe_args.last().is_some_and(|a| a.as_deref().is_some_and(is_bare_flag));
    match text {
        Some(flag) if flag.starts_with('-') => marker.maybe_args.push(Some(flag)),
        value if after_flag => marker.maybe_args.push(value),
        _ => marker.unknown_list(),
    }
}

fn is_bare_flag(a: &str) -> bool {
    a.starts_with('-') && !a.contains('=')
}

/// `Stdio::null()` or `Stdio::piped()`: a stream that is surely not a
/// terminal in the child (anything else, a file or an inherited handle,
/// might be one).
fn no_tty(e: &Expr) -> bool {
    match e.peel() {
        Expr::Call { func, args, .. } if args.is_empty() => match func.peel() {
            Expr::Path(p, _) => {
                p.len() >= 2 && p[p.len() - 2] == "Stdio" && matches!(p[p.len() - 1].as_str(), "null" | "piped")
            }
            _ => false,
        },
        _ => false,
    }
}
