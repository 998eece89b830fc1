//! Paths the program makes with a function of its own, called with
//! nothing (`fn stamp() -> PathBuf { env::temp_dir().join("x") }`): every
//! call names the same file, so a write through one call and a query
//! through another are of one file ([`super::differs`], issue 14: a stamp
//! file whose path came from such a function was not seen as written, and
//! the child kept from a second spawn by it was a false `unguarded`).

use super::differs::process_id;
use super::index::{FnId, Program, Target};
use super::ir::{Expr, Name};
use super::visit::for_each_expr;

/// The types a function that makes a path declares it returns.
const PATH_TYPES: &[&str] = &["PathBuf", "Path", "Utf8PathBuf", "Utf8Path"];

/// Whether `id` makes a path from nothing it is given, the same at every
/// call: no parameters (so no `self`), a path type declared, and nothing
/// asked in its body that changes from call to call (a process id, the
/// clock, a random source), as a temporary name would.
pub(crate) fn makes_path(prog: &Program<'_>, id: FnId) -> bool {
    let def = prog.def(id);
    if !def.params.is_empty() || !def.ret.as_deref().is_some_and(|ty| PATH_TYPES.contains(&ty)) {
        return false;
    }
    let mut varies = false;
    for_each_expr(def.body.get(), &mut |e| {
        if let Expr::Call { func, .. } = e
            && let Expr::Path(path, _) = func.peel()
            && let Target::External(canon) = prog.resolve_from(id, path)
        {
            varies |= varies_per_call(&canon);
        }
    });
    !varies
}

fn varies_per_call(canon: &[Name]) -> bool {
    process_id(canon).is_some()
        || canon.last().is_some_and(|l| l == "now")
        || canon.iter().any(|s| matches!(s.as_str(), "rand" | "fastrand" | "getrandom" | "uuid" | "tempfile"))
}

#[cfg(test)]
mod tests {
    use crate::lint::{Verdict, analyze_source};

    #[test]
    fn a_path_made_anew_at_each_call_is_not_one_file() {
        let text = r#"
            fn scratch() -> std::path::PathBuf { std::env::temp_dir().join(std::process::id().to_string()) }
            fn main() {
                if std::env::args().nth(1).is_some() { std::fs::write(scratch(), b"1").unwrap(); }
                if !scratch().exists() { std::process::Command::new(std::env::current_exe().unwrap()).spawn().unwrap(); }
            }
        "#;
        assert_eq!(analyze_source(text).0, Verdict::Unguarded);
    }
}
