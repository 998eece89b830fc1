//! Tests of the user a process runs as (`geteuid() == 0`,
//! `Uid::effective().is_root()`): a launcher that elevates (`sudo <own
//! exe>`) starts a child that is root whatever its parent was, so a
//! program that re-runs itself through `sudo` when it is not root has its
//! guard here.

use super::ir::{BinOp, Expr, Lit};

/// Functions that return the current real or effective user id (`libc`,
/// `nix::unistd` and its `Uid`, `rustix::process`, `users`/`uzers`).
const UID_FNS: &[&str] = &["getuid", "geteuid", "effective", "current", "get_current_uid", "get_effective_uid"];

/// Whether `e` asks "is this process root?".
pub(crate) fn is_root_test(e: &Expr) -> bool {
    match e.peel() {
        Expr::Method { recv, name, args, .. } => name == "is_root" && args.is_empty() && is_uid(recv),
        Expr::Binary(BinOp::Eq, l, r) => (is_uid(l) && is_zero(r)) || (is_zero(l) && is_uid(r)),
        _ => false,
    }
}

fn is_uid(e: &Expr) -> bool {
    match e.peel() {
        Expr::Call { func, args, .. } if args.is_empty() => match func.peel() {
            Expr::Path(p, _) => {
                p.last().is_some_and(|n| UID_FNS.contains(&n.as_str())) && (p.len() > 1 || bare_uid_call(p))
            }
            _ => false,
        },
        // `Uid::effective().as_raw()`
        Expr::Method { recv, name, args, .. } => name == "as_raw" && args.is_empty() && is_uid(recv),
        _ => false,
    }
}

/// A bare `geteuid()` (imported with `use`) still names the system call;
/// a bare `current()` or `effective()` could be anything.
fn bare_uid_call(p: &[String]) -> bool {
    p.len() == 1 && p[0].contains("uid")
}

fn is_zero(e: &Expr) -> bool {
    matches!(e.peel(), Expr::Lit(Lit::Int(0), _))
}

#[cfg(test)]
mod tests {
    use super::is_root_test;
    use crate::lint::ir::{Expr, Stmt};
    use crate::lint::load::parse_text;

    fn lower(text: &str) -> Expr {
        let file = parse_text(&format!("fn f() -> bool {{ ({text}) }}"), Vec::new(), 0, None);
        assert!(file.error.is_none(), "{text}: {:?}", file.error);
        match file.fns[0].body.get().last() {
            Some(Stmt::Expr(e, false)) => e.clone(),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn root_tests() {
        for text in [
            "nix::unistd::Uid::effective().is_root()",
            "Uid::current().is_root()",
            "rustix::process::geteuid().is_root()",
            "unsafe { libc::geteuid() } == 0",
            "0 == geteuid()",
            "Uid::effective().as_raw() == 0",
        ] {
            assert!(is_root_test(&lower(text)), "{text}");
        }
        for text in ["geteuid() == 1000", "is_root()", "current().is_root()", "user.is_root()", "libc::getpid() == 0"] {
            assert!(!is_root_test(&lower(text)), "{text}");
        }
    }
}
