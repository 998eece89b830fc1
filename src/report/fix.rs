//! What `cargo freeze check --fix` did: a unified diff per file with
//! `--dry-run`, one `Fixed` line per written file, and every site it could
//! not fix with the reason; the same as JSON under `fix`.

use super::{FixOutcome, Style, paint, slash_path};
use crate::lint::fix::{FileFix, Formatting};
use std::io::Write;

pub(super) fn write_human(fix: &FixOutcome, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    let paint = |s: anstyle::Style, text: &str| paint::paint(s, text, style.color);
    if !fix.applied {
        for file in &fix.plan.files {
            for line in diff(file).lines() {
                let kind = match line.as_bytes().first() {
                    Some(b'+') if !line.starts_with("+++") => paint::ADDED,
                    Some(b'-') if !line.starts_with("---") => paint::REMOVED,
                    Some(b'@') => paint::HUNK,
                    _ => anstyle::Style::new(),
                };
                writeln!(out, "{}", paint(kind, line))?;
            }
        }
    }
    let verb = if fix.applied { "Fixed" } else { "Would fix" };
    for file in fix.plan.files.iter().filter(|_| !style.quiet) {
        let formatted = match file.formatting {
            Formatting::Rustfmt => " (formatted with rustfmt)",
            Formatting::Untouched => "",
        };
        let path = slash_path(&file.display);
        writeln!(out, "{:>14} {path}: {}{formatted}", paint(paint::GOOD, verb), file.changes.join("; "))?;
    }
    for skipped in &fix.plan.skipped {
        let place = skipped.location.as_ref().map(|l| format!(" at {}:{}", slash_path(&l.file), l.line));
        let warning = paint(paint::WARN, "warning");
        writeln!(out, "{warning}: cannot fix {}{}: {}", skipped.binary, place.unwrap_or_default(), skipped.reason)?;
    }
    if style.quiet {
        return Ok(());
    }
    if fix.plan.files.is_empty() && fix.plan.skipped.is_empty() {
        writeln!(out, "{:>14} nothing: no binary is unguarded", paint(paint::GOOD, "Fixed"))?;
    } else if !fix.applied && !fix.plan.files.is_empty() {
        writeln!(out, "{:>14} --dry-run: nothing was written", paint(paint::NOTE, "Note"))?;
    }
    Ok(())
}

/// The unified diff of one file, paths as `a/..` and `b/..`.
pub(crate) fn diff(file: &FileFix) -> String {
    let path = slash_path(&file.display);
    similar::TextDiff::from_lines(&file.before, &file.after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
