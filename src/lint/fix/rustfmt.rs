//! Keeps a fixed file formatted: when `rustfmt` finds the original already
//! formatted (with the project's own `rustfmt.toml`, found from the file's
//! directory), the fixed text is formatted too. A file that was not
//! formatted is left as it was around the inserted lines: the fix never
//! reformats code it did not write.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `rustfmt` over `text` (stdin to stdout); `None` when it is missing
/// or fails.
fn run(text: &str, edition: &str, dir: &Path, check: bool) -> Option<(bool, String)> {
    let rustfmt = which::which("rustfmt").ok()?;
    let mut command = Command::new(rustfmt);
    command.args(["--edition", edition]);
    // rustfmt reading stdin looks for the project's `rustfmt.toml` from its
    // working directory up: run it where the file is.
    command.current_dir(dir);
    if check {
        command.arg("--check");
    }
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().ok()?;
    let mut stdin = child.stdin.take()?;
    // Written from a thread: rustfmt may fill the stdout pipe before it has
    // read all of its input.
    let input = text.to_string();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().ok()?;
    writer.join().ok()?.ok()?;
    Some((output.status.success(), String::from_utf8(output.stdout).ok()?))
}

/// How the fixed file is formatted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Formatting {
    /// The original was formatted; so is the result.
    Rustfmt,
    /// The original was not formatted (or rustfmt is missing): only the
    /// inserted lines follow the surrounding indentation.
    Untouched,
}

/// `fixed`, formatted when `original` was.
pub(super) fn format_like(original: &str, fixed: String, edition: &str, dir: &Path) -> (String, Formatting) {
    let was_formatted = matches!(run(original, edition, dir, true), Some((true, _)));
    if was_formatted && let Some((true, formatted)) = run(&fixed, edition, dir, false) {
        return (formatted, Formatting::Rustfmt);
    }
    (fixed, Formatting::Untouched)
}
