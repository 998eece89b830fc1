//! Paths made beside the own executable that name it again:
//! `current_exe()?.parent().unwrap().join("<own bin name>")` or
//! `.with_file_name("<own bin name>")` is the same file as `current_exe()`
//! (bbqsrc/cargo-ndk hands such a path to cargo as its linker). Any other
//! file name is a sibling program, never the own executable
//! (`fixtures/lint/neg-sibling-binary`), so the name decides.

use super::api::literal_text;
use super::index::Program;
use super::ir::Expr;
use super::passing::passes_on;
use super::value::Val;

/// What `recv.name(args)` gives when `recv` is the own executable or its
/// directory; `vals` are the evaluated arguments.
pub(crate) fn method(prog: &Program<'_>, recv: &Val, name: &str, args: &[Expr], vals: &[Val]) -> Option<Val> {
    match (recv, name) {
        (Val::ExeDir(origin), "join") => {
            Some(if names_own(prog, args, vals) { Val::Exe(*origin) } else { Val::Unknown })
        }
        // `.unwrap()`, `.expect(..)`, `.to_path_buf()`: still the directory.
        (Val::ExeDir(_), _) if passes_on(name) => Some(recv.clone()),
        (_, "parent") => recv.exe_origin().map(Val::ExeDir),
        (_, "with_file_name") if names_own(prog, args, vals) => recv.exe_origin().map(Val::Exe),
        _ => None,
    }
}

/// Whether the single argument is the binary's own file name, with or
/// without `.exe`: a literal or constant, or `format!` of literal parts
/// and `EXE_SUFFIX` (`format!("{}{}", "app", env::consts::EXE_SUFFIX)`).
fn names_own(prog: &Program<'_>, args: &[Expr], vals: &[Val]) -> bool {
    let ([arg], [val]) = (args, vals) else { return false };
    let text = match val {
        Val::Str(s) => Some(s.clone()),
        _ => formatted_text(arg),
    };
    let own = prog.bin_name.as_str();
    !own.is_empty() && text.is_some_and(|t| t == own || t.strip_suffix(".exe") == Some(own))
}

/// The text of `format!` whose holes are all filled by literals or by
/// `EXE_SUFFIX` (taken as empty: the name with or without `.exe` is the
/// same program); `None` when any part is known only at run time.
fn formatted_text(e: &Expr) -> Option<String> {
    let Expr::Macro(m) = e.peel() else { return None };
    if m.path.last().is_none_or(|l| l != "format") {
        return None;
    }
    let (template, fills) = m.args.split_first()?;
    let template = literal_text(template)?;
    let mut fills = fills.iter().map(|f| match f.peel() {
        Expr::Path(p, _) if p.last().is_some_and(|l| l == "EXE_SUFFIX") => Some(String::new()),
        f => literal_text(f),
    });
    let mut out = String::new();
    let mut rest = template.as_str();
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}')?;
        let hole = &rest[open + 1..close];
        if !hole.is_empty() {
            // Escaped braces, positions, captured names, formats: not followed.
            return None;
        }
        out.push_str(&fills.next()??);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use crate::lint::{Verdict, analyze_source};

    /// `analyze_source` names the binary `source`.
    fn beside(file: &str) -> Verdict {
        let text = format!(
            r#"fn main() {{
                let p = dunce::canonicalize(std::env::args().next().unwrap()).expect("path")
                    .parent().unwrap().join({file});
                std::process::Command::new(p).spawn().unwrap();
            }}"#
        );
        analyze_source(&text).0
    }

    #[test]
    fn the_own_name_beside_argv0_is_the_own_executable() {
        assert_eq!(beside(r#""source""#), Verdict::Unguarded);
        assert_eq!(beside(r#""source.exe""#), Verdict::Unguarded);
        assert_eq!(beside(r#"format!("{}{}", "source", std::env::consts::EXE_SUFFIX)"#), Verdict::Unguarded);
    }

    #[test]
    fn another_name_beside_it_is_a_sibling() {
        assert_eq!(beside(r#""source-runner""#), Verdict::NoSelfSpawn);
        assert_eq!(beside(r#"format!("{}-{}", "source", "runner")"#), Verdict::NoSelfSpawn);
        assert_eq!(beside(r#"format!("{}{}", "source", std::env::var("X").unwrap())"#), Verdict::NoSelfSpawn);
    }
}
