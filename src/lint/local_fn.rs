//! Closures bound to locals (`let is_child = || env::args().nth(1) ==
//! Some("worker".into());`): a call of the local runs the closure's body,
//! so a guard written as one is read like a helper function.

use super::eval::bind;
use super::ir::{Expr, Pat};
use super::value::{Locals, Val};
use std::sync::Arc;

/// A closure's parameters and body, shared by every copy of the locals.
#[derive(Clone, Debug)]
pub(crate) struct LocalFn(Arc<(Vec<Pat>, Expr)>);

/// Copies of one binding are the same closure; two bindings never are.
impl PartialEq for LocalFn {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

/// The value `let name = init` gives `name` when `init` is a closure.
pub(crate) fn bound(init: &Expr) -> Option<Val> {
    match init {
        Expr::Closure(params, body) => Some(Val::Closure(LocalFn(Arc::new((params.clone(), (**body).clone()))))),
        _ => None,
    }
}

/// A call `name(args)` of a closure held in local `name`: its body, and the
/// locals it runs with: its parameters bound to `args`, and `name` no
/// longer visible (a closure cannot name itself; an earlier binding of the
/// same name is shadowed), so evaluating it cannot recurse.
pub(crate) fn call(path: &[super::ir::Name], locals: &Locals, args: Vec<Val>) -> Option<(LocalFn, Locals)> {
    let [name] = path else { return None };
    let Some(Val::Closure(f)) = locals.get(name.as_str()) else { return None };
    let f = f.clone();
    let mut inner = locals.clone();
    inner.remove(name.as_str());
    let mut args = args.into_iter();
    for param in &f.0.0 {
        bind(param, args.next().unwrap_or(Val::Unknown), &mut inner);
    }
    Some((f, inner))
}

impl LocalFn {
    pub(crate) fn body(&self) -> &Expr {
        &self.0.1
    }
}
