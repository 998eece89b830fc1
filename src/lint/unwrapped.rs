//! Conditions on a helper that answers in a `Result` or an `Option`:
//! `if due()? {`, `if due().unwrap() {`, `if due().expect("..") {`, with
//! `fn due() -> io::Result<bool>` ending in `Ok(t.trim() != "later")`.
//!
//! The test is the `bool` inside, so the helper is read as for a plain
//! `bool` ([`super::inline`]), and its `Ok(x)` or `Some(x)` is the truth of
//! `x`. Before, the `?` or `.unwrap()` hid the helper: the condition was
//! evaluated as a value the check does not follow, "the same as in the
//! parent", and a child kept from the spawn by a file its parent wrote
//! (issue 14: a telemetry child that writes its send time) was a false
//! `unguarded`. An `Err(..)` way out is not a test of the child: it keeps
//! the parent's answer, as any value the check does not follow.

use super::cond::{Cond, is_some_ok};
use super::ir::Expr;
use super::value::{Locals, Truth};

/// `.unwrap()` and `.expect(..)` take the `Ok` or `Some` out, or stop.
const UNWRAPS: &[&str] = &["unwrap", "expect"];

impl Cond<'_, '_, '_> {
    /// The truth of `e` when it takes a helper's answer out of a `Result`
    /// or an `Option`, or is `Ok(x)`/`Some(x)` (a helper's answer read
    /// inline); `None` for any other shape.
    pub(super) fn unwrapped(&mut self, e: &Expr, locals: &mut Locals) -> Option<Truth> {
        let inner = match e.peel() {
            Expr::Try(inner) => inner,
            Expr::Method { recv, name, .. } if UNWRAPS.contains(&name.as_str()) => recv,
            Expr::Call { func, args, .. } if args.len() == 1 => {
                let Expr::Path(path, _) = func.peel() else { return None };
                return (path.len() == 1 && is_some_ok(path)).then(|| self.truth(&args[0], locals));
            }
            _ => return None,
        };
        answered(inner).then(|| self.truth(inner, locals))
    }
}

/// A call of a function or a method, whose answer is what is unwrapped:
/// not an adapter (`env::var(K).map(|v| v == "1").unwrap()` keeps the
/// reading of its closure elsewhere).
fn answered(e: &Expr) -> bool {
    match e.peel() {
        Expr::Call { .. } => true,
        Expr::Method { name, .. } => !matches!(name.as_str(), "map" | "and_then" | "map_or" | "map_or_else"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::lint::{Verdict, analyze_source};

    /// `main` writes the stamp file in the child it starts, then asks
    /// `due` (`DUE`) whether to start it, with the test `TEST`.
    fn stamp(due: &str, test: &str) -> Verdict {
        stamp_findings(due, test).0
    }

    fn stamp_findings(due: &str, test: &str) -> (Verdict, String) {
        let text = r#"
            const STAMP: &str = "/tmp/app-stamp";
            fn due() -> std::io::Result<bool> { DUE }
            fn run() -> std::io::Result<()> {
                if TEST {
                    std::process::Command::new(std::env::current_exe()?).arg("send").spawn()?;
                }
                Ok(())
            }
            fn main() {
                if std::env::args().nth(1).as_deref() == Some("send") {
                    std::fs::write(STAMP, "later").unwrap();
                }
                run().unwrap();
            }
        "#;
        let (verdict, diagnostics) = analyze_source(&text.replace("DUE", due).replace("TEST", test));
        (verdict, format!("{diagnostics:?}"))
    }

    #[test]
    fn a_helper_answer_taken_out_of_a_result_is_read() {
        let read = "Ok(std::fs::read_to_string(STAMP)?.trim() != \"later\")";
        assert_eq!(stamp(read, "due()?"), Verdict::Undecided);
        assert_eq!(stamp(read, "due().unwrap()"), Verdict::Undecided);
        assert_eq!(stamp(read, "!due().expect(\"stamp\")"), Verdict::Undecided);
        let matched = "match std::fs::read_to_string(STAMP) { Ok(t) => Ok(t != \"later\"), Err(_) => Ok(true) }";
        assert_eq!(stamp(matched, "due()?"), Verdict::Undecided);
        // A helper that does not look at the file: the child goes the
        // parent's way and starts itself again.
        assert_eq!(stamp("Ok(std::path::Path::new(\"/etc/app.conf\").exists())", "due()?"), Verdict::Unguarded);
        assert_eq!(stamp("Ok(true)", "due().unwrap()"), Verdict::Unguarded);
    }

    #[test]
    fn a_way_out_by_question_mark_is_the_parents_unless_what_it_tries_differs() {
        // The read fails in the parent (no stamp yet), not in the child:
        // named, not "a value computed at run time".
        let tried = "let t = std::fs::read_to_string(STAMP)?; let sent: u64 = t.parse().unwrap_or(0); Ok(sent < 9)";
        let (verdict, findings) = stamp_findings(tried, "due()?");
        assert_eq!(verdict, Verdict::Undecided);
        assert!(findings.contains("the file `/tmp/app-stamp`"), "{findings}");
        // A `?` on a file nobody writes fails in the child as in the parent.
        let config = "let _c = std::fs::read_to_string(\"/etc/app.conf\")?; Ok(true)";
        assert_eq!(stamp(config, "due()?"), Verdict::Unguarded);
    }
}
