//! The user a process runs as (`geteuid()`, `Uid::effective()`): a
//! launcher that elevates (`sudo <own exe>`) starts a child that is root
//! whatever its parent was, so a program that re-runs itself through `sudo`
//! when it is not root has its guard in such a test. In any other child
//! the user is the parent's.

use super::ir::{Expr, Lit, Name};

/// Calls that return the current real or effective user id (`libc`,
/// `nix::unistd` and its `Uid`, `rustix::process`, `users`/`uzers`).
pub(crate) fn is_uid_call(canon: &[Name]) -> bool {
    let last = canon.last().map(Name::as_str).unwrap_or("");
    let prev = canon.len().checked_sub(2).map(|i| canon[i].as_str()).unwrap_or("");
    match last {
        "getuid" | "geteuid" | "get_current_uid" | "get_effective_uid" => true,
        "effective" | "current" => prev == "Uid",
        _ => false,
    }
}

/// Methods on a user id that keep it one (`Uid::effective().as_raw()`).
pub(crate) const KEEPS_UID: &[&str] = &["as_raw", "clone", "into"];

/// `0`, the root user's id.
pub(crate) fn is_zero(e: &Expr) -> bool {
    matches!(e.peel(), Expr::Lit(Lit::Int(0), _))
}

#[cfg(test)]
mod tests {
    use super::is_uid_call;

    use crate::lint::name::path_of as path;

    #[test]
    fn user_id_calls() {
        for p in [
            "nix::unistd::Uid::effective",
            "rustix::process::geteuid",
            "libc::getuid",
            "geteuid",
            "uzers::get_effective_uid",
        ] {
            assert!(is_uid_call(&path(p)), "{p}");
        }
        for p in ["current", "thread::current", "std::process::id", "libc::getpid", "effective"] {
            assert!(!is_uid_call(&path(p)), "{p}");
        }
    }
}
