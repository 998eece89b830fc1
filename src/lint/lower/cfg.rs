//! `#[cfg(..)]` on items and statements.
//!
//! The check speaks about a program on every target it is built for (a
//! self-spawn that exists only on Windows counts), so code under a `cfg` is
//! read, except `test` code, which is never part of a binary. But an
//! expression statement under a `cfg` runs only in the builds where that
//! cfg holds: read as if it always ran, `#[cfg(windows)] cmd.env("W", "1");`
//! gave the child of every build the marker (a storm on the other targets
//! called `guarded`), and `#[cfg(unix)] return a(); #[cfg(windows)] return
//! b();` left `b()` behind a certain `return`. Such a statement is lowered
//! as `if cfg!(..) { stmt }`: a test the walk cannot
//! decide but that answers alike in parent and child (one build runs both),
//! so a builder call there gives a "maybe" marker and each `return` may be
//! taken. `let` statements stay as they are: a binding inside a block would
//! not outlive it. Only target cfgs make a statement conditional: features
//! are read as enabled (see [`conditional`]).

use super::expr::Ctx;
use super::span;
use crate::lint::ir::{Expr, Loc, Macro, Stmt};
use crate::lint::name::intern;
use syn::punctuated::Punctuated;

impl Ctx {
    /// A statement under `#[cfg(..)]` runs in some builds only: `test`
    /// code is dropped, an expression statement under a target cfg
    /// becomes `if cfg!(..) { stmt }`.
    pub(super) fn stmt_in_builds(&self, stmt: &syn::Stmt) -> Option<Stmt> {
        let attrs = stmt_attrs(stmt);
        if compiled_out(attrs) {
            return None;
        }
        let lowered = self.stmt(stmt)?;
        if matches!(stmt, syn::Stmt::Local(_)) || !conditional(attrs) {
            return Some(lowered);
        }
        let loc = match stmt {
            syn::Stmt::Expr(e, _) => self.loc(span::of(e)),
            syn::Stmt::Macro(m) => self.loc(span::of_macro(&m.mac)),
            _ => Loc::default(),
        };
        let cfg = Macro { path: [intern("cfg")].into(), args: Vec::new(), opaque: false, loc };
        let cond = Box::new(Expr::Macro(Box::new(cfg)));
        Some(Stmt::Expr(Expr::If { cond, then: Box::new([lowered]), els: None, loc }, true))
    }
}

/// Whether `attrs` hold `#[test]` or a `#[cfg(..)]` that holds in no build
/// of a binary (only `test` is known: it never does).
pub(crate) fn compiled_out(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| a.path().is_ident("test") || predicate(a).is_some_and(|m| holds(&m) == Some(false)))
}

/// Whether `attrs` hold a `#[cfg(..)]` on the target that holds in some
/// builds only: the code runs only there. A feature alone is read as
/// enabled, as before: the check reads the default build of a package,
/// where a guard under `#[cfg(feature = "workers")]` of a default feature
/// runs (issue 14, cause 1).
pub(crate) fn conditional(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| predicate(a).is_some_and(|m| holds(&m).is_none() && on_target(&m)))
}

/// Whether a predicate names the target (`unix`, `windows`, `target_*`).
fn on_target(meta: &syn::Meta) -> bool {
    let target = |p: &syn::Path| {
        p.get_ident().is_some_and(|i| i == "unix" || i == "windows" || i.to_string().starts_with("target_"))
    };
    match meta {
        syn::Meta::Path(p) => target(p),
        syn::Meta::NameValue(nv) => target(&nv.path),
        syn::Meta::List(list) => list
            .parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated)
            .is_ok_and(|parts| parts.iter().any(on_target)),
    }
}

/// A statement's outer attributes (for an expression statement, its
/// expression's: `#[cfg(windows)] if .. {}` puts them on the `if`).
pub(crate) fn stmt_attrs(stmt: &syn::Stmt) -> &[syn::Attribute] {
    use syn::Expr as E;
    match stmt {
        syn::Stmt::Local(l) => &l.attrs,
        syn::Stmt::Macro(m) => &m.attrs,
        syn::Stmt::Item(_) => &[],
        syn::Stmt::Expr(e, _) => match e {
            E::If(x) => &x.attrs,
            E::Match(x) => &x.attrs,
            E::Block(x) => &x.attrs,
            E::Unsafe(x) => &x.attrs,
            E::Call(x) => &x.attrs,
            E::MethodCall(x) => &x.attrs,
            E::Macro(x) => &x.attrs,
            E::Assign(x) => &x.attrs,
            E::Binary(x) => &x.attrs,
            E::ForLoop(x) => &x.attrs,
            E::While(x) => &x.attrs,
            E::Loop(x) => &x.attrs,
            E::Return(x) => &x.attrs,
            E::Try(x) => &x.attrs,
            E::Await(x) => &x.attrs,
            E::Path(x) => &x.attrs,
            _ => &[],
        },
    }
}

/// The predicate of a `#[cfg(..)]` attribute.
fn predicate(attr: &syn::Attribute) -> Option<syn::Meta> {
    attr.path().is_ident("cfg").then(|| attr.parse_args::<syn::Meta>().ok()).flatten()
}

/// Whether a cfg predicate holds in every build of a binary (`Some(true)`),
/// in none (`Some(false)`), or in some only (`None`). Only `test` is
/// decided (false), through `not`, `all` and `any`.
fn holds(meta: &syn::Meta) -> Option<bool> {
    match meta {
        syn::Meta::Path(p) if p.is_ident("test") => Some(false),
        syn::Meta::List(list) => {
            let parts = list.parse_args_with(Punctuated::<syn::Meta, syn::Token![,]>::parse_terminated).ok()?;
            let each: Vec<Option<bool>> = parts.iter().map(holds).collect();
            match list.path.get_ident()?.to_string().as_str() {
                "not" if each.len() == 1 => each[0].map(|b| !b),
                "all" if each.contains(&Some(false)) => Some(false),
                "all" => each.iter().all(Option::is_some).then_some(true),
                "any" if each.contains(&Some(true)) => Some(true),
                "any" => each.iter().all(Option::is_some).then_some(false),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(text: &str) -> Vec<syn::Attribute> {
        syn::parse_str::<syn::ItemFn>(&format!("{text} fn f() {{}}")).unwrap().attrs
    }

    #[test]
    fn test_code_is_out() {
        for text in ["#[cfg(test)]", "#[test]", "#[cfg(all(test, unix))]", "#[cfg(not(any(not(test), windows)))]"] {
            assert!(compiled_out(&attrs(text)), "{text}");
            assert!(!conditional(&attrs(text)), "{text}");
        }
    }

    #[test]
    fn target_code_runs_in_some_builds() {
        for text in [
            "#[cfg(windows)]",
            "#[cfg(target_os = \"linux\")]",
            "#[cfg(all(feature = \"x\", unix))]",
            "#[cfg(any(test, unix))]",
        ] {
            assert!(!compiled_out(&attrs(text)), "{text}");
            assert!(conditional(&attrs(text)), "{text}");
        }
    }

    #[test]
    fn other_attributes_are_plain() {
        for text in [
            "#[cfg(not(test))]",
            "#[cfg(feature = \"x\")]",
            "#[cfg(debug_assertions)]",
            "#[allow(unused)]",
            "#[cfg_attr(windows, path = \"w.rs\")]",
            "",
        ] {
            assert!(!compiled_out(&attrs(text)), "{text}");
            assert!(!conditional(&attrs(text)), "{text}");
        }
    }
}
