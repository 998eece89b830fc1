//! Argument lists that reach `.args(..)` through a struct's field or a
//! function's parameter: a supervisor made with `Supervisor::new(exe,
//! list)` that keeps `args: list.into_iter().map(Into::into).collect()`
//! and later runs `Command::new(&self.exe).args(&self.args)`, a job whose
//! field is assigned (`job.args = list`), a helper `launch(list)` that
//! does `.args(args)`. The list is read where it is built
//! ([`super::arglist`]); here it is followed to where it lands, as the
//! own executable is through fields and parameters. Without this the
//! child's arguments were not known at all, so a child sent to `worker`
//! by its first argument was `undecided` (issue 14: a microVM supervisor's
//! `microvm` child, a proxy's restart with `-d -u`).
//!
//! A field is known by its name; two different lists put into fields of
//! the same name (or a parameter handed two different lists) make it
//! unknown again, for the whole pass.

use super::arglist::{self, ArgList};
use super::eval::Eval;
use super::index::FnId;
use super::ir::{Expr, Pat};

/// Methods that hand on the items of a list unchanged (`.map` only with a
/// conversion that keeps the text, see [`keeps_text`]).
const PASS_ITEMS: &[&str] = &["into_iter", "iter", "cloned", "clone", "to_vec", "to_owned", "into", "collect"];

impl Eval<'_, '_> {
    /// `F: value` in a struct literal, or `x.F = value`: the list it
    /// carries, when known, is what field `F` holds.
    pub(super) fn note_list_field(&mut self, field: &str, value: &Expr) {
        if self.rec.is_none() {
            return;
        }
        let Some(list) = self.list_of(value) else { return };
        if let Some(rec) = self.rec.as_deref_mut() {
            agree(rec.list_fields.entry(field.to_string()), list);
        }
    }

    /// A call of `ids` with `args` (the receiver, if any, is parameter 0
    /// and `offset` is 1): each argument that is a known list is what the
    /// parameter at its place holds.
    pub(super) fn note_list_params(&mut self, ids: &[FnId], args: &[Expr], offset: usize) {
        if self.rec.is_none() {
            return;
        }
        for (i, arg) in args.iter().enumerate() {
            let Some(list) = self.list_of(arg) else { continue };
            if let Some(rec) = self.rec.as_deref_mut() {
                for &id in ids {
                    agree(rec.param_lists.entry((id, i + offset)), list.clone());
                }
            }
        }
    }

    /// The list `.args(arg)` hands the child when it came through a field
    /// or a parameter of this function.
    pub(super) fn carried_list(&self, arg: &Expr) -> Option<ArgList> {
        match items_of(arg) {
            Expr::Field(_, field) => self.facts.list_fields.get(field.as_str()).cloned().flatten(),
            Expr::Path(p, _) if p.len() == 1 => self.param_list(&p[0]),
            _ => None,
        }
    }

    /// A list built in this body (a local read by [`arglist`]), or one
    /// this function's parameter was handed: at least one of its items
    /// known, so that lists nobody can route by are not followed.
    fn list_of(&self, e: &Expr) -> Option<ArgList> {
        let Expr::Path(p, _) = items_of(e) else { return None };
        let [name] = &**p else { return None };
        let local =
            || self.list_lets.contains(name).then(|| arglist::local_list(self.def().body.get(), name)).flatten();
        let list = self.param_list(name).or_else(local)?;
        list.items.iter().any(Option::is_some).then_some(list)
    }

    /// The list parameter `name` of this function was handed by every
    /// call seen.
    fn param_list(&self, name: &str) -> Option<ArgList> {
        if self.facts.param_lists.is_empty() {
            return None;
        }
        let i = self.def().params.iter().position(|p| matches!(p, Pat::Bind(n, None) if n == name))?;
        self.facts.param_lists.get(&(self.fn_id, i)).cloned().flatten()
    }
}

/// `list`, `&list`, `list.iter()`, `list.into_iter().map(Into::into)
/// .collect()`: the expression whose items these are.
fn items_of(e: &Expr) -> &Expr {
    match e.peel() {
        Expr::Method { recv, name, args, .. }
            if (args.is_empty() && PASS_ITEMS.contains(&name.as_str()))
                || (name == "map" && args.len() == 1 && keeps_text(&args[0])) =>
        {
            items_of(recv)
        }
        other => other,
    }
}

/// `Into::into`, `String::from`, `ToString::to_string`, `OsString::from`:
/// a conversion that keeps each item's text.
fn keeps_text(f: &Expr) -> bool {
    matches!(f.peel(), Expr::Path(p, _) if p.last().is_some_and(|n| matches!(n.as_str(), "into" | "from" | "to_string" | "to_owned")))
}

/// One list per slot for the pass: a second, different one makes it
/// unknown (`None`) for good.
fn agree<K>(slot: std::collections::btree_map::Entry<'_, K, Option<ArgList>>, list: ArgList)
where
    K: Ord,
{
    use std::collections::btree_map::Entry;
    match slot {
        Entry::Vacant(v) => {
            v.insert(Some(list));
        }
        Entry::Occupied(mut o) => {
            if o.get().as_ref() != Some(&list) {
                o.insert(None);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::ir::Loc;

    fn path(n: &str) -> Expr {
        Expr::Path(crate::lint::ir::Segments::One(n.into()), Loc::default())
    }
    fn call(recv: Expr, name: &str, args: Vec<Expr>) -> Expr {
        Expr::Method { recv: Box::new(recv), name: name.into(), args: args.into(), loc: Loc::default() }
    }

    #[test]
    fn conversions_that_keep_the_text_pass_the_items_on() {
        let into =
            Expr::Path(crate::lint::ir::Segments::Many(vec!["Into".into(), "into".into()].into()), Loc::default());
        let chain = call(call(call(path("args"), "into_iter", vec![]), "map", vec![into]), "collect", vec![]);
        assert!(matches!(items_of(&chain), Expr::Path(p, _) if p[0] == "args"));
        // A closure may change every item: the list is not followed.
        let closure = Expr::Closure(Vec::new(), Box::new(path("x")));
        let mapped = call(call(path("args"), "iter", vec![]), "map", vec![closure]);
        assert!(matches!(items_of(&mapped), Expr::Method { .. }));
    }
}
