//! The mentions of one local in a body: whether each is a use the caller
//! can account for. A local list or text read as a value (an argument
//! list, an exec's env list) is known only when nothing else can change
//! it: a call given `&mut list`, a method the caller does not model.

use super::ir::{Expr, Stmt};

/// `e` is the local `name` itself.
pub(crate) fn is_local(e: &Expr, name: &str) -> bool {
    matches!(e.peel(), Expr::Path(p, _) if p.len() == 1 && p[0] == name)
}

/// Every mention of the local `name` in `body` lies in an expression that
/// `known` accounts for: `known` returns how many mentions an expression
/// (visited before its parts) uses in a way the caller understands.
pub(crate) fn all_known(body: &[Stmt], name: &str, mut known: impl FnMut(&Expr) -> usize) -> bool {
    let (mut mentions, mut accounted) = (0, 0);
    super::visit::for_each_expr(body, &mut |e| {
        if matches!(e, Expr::Path(p, _) if p.len() == 1 && p[0] == name) {
            mentions += 1;
        }
        accounted += known(e);
    });
    mentions == accounted
}
