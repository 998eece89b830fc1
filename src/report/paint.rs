//! The few styles the human output uses, named by what they mean, and the
//! one helper that applies them (colour is a parameter, never global).

use anstyle::{AnsiColor, Style};

/// Failures, storms, `unguarded`, removed diff lines.
pub(crate) const BAD: Style = AnsiColor::Red.on_default().bold();
/// Warnings, `undecided`, `capped`, `timeout`.
pub(crate) const WARN: Style = AnsiColor::Yellow.on_default().bold();
/// Success, `guarded`, `pass`, added diff lines, summary verbs.
pub(crate) const GOOD: Style = AnsiColor::Green.on_default().bold();
/// Progress verbs and notes.
pub(crate) const NOTE: Style = AnsiColor::Cyan.on_default().bold();
/// Diff lines: added, removed, hunk headers.
pub(crate) const ADDED: Style = AnsiColor::Green.on_default();
pub(crate) const REMOVED: Style = AnsiColor::Red.on_default();
pub(crate) const HUNK: Style = AnsiColor::Cyan.on_default();
/// Emphasis without a meaning of its own.
pub(crate) const BOLD: Style = Style::new().bold();

/// `text` in `style` when `color`, else as it is.
pub(crate) fn paint(style: Style, text: &str, color: bool) -> String {
    if color { format!("{}{text}{}", style.render(), style.render_reset()) } else { text.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_when_asked() {
        assert_eq!(paint(BAD, "error", false), "error");
        assert_eq!(paint(BAD, "error", true), "\x1b[1m\x1b[31merror\x1b[0m");
    }
}
