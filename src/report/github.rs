//! GitHub Actions workflow commands (`::error file=..,line=..::message`), so
//! findings show up as annotations on the pull request.

use super::{CheckReport, slash_path};
use crate::diag::Level;
use std::io::Write;

pub(super) fn write(report: &CheckReport, out: &mut dyn Write) -> std::io::Result<()> {
    for d in &report.diagnostics {
        let command = match d.level {
            Level::Deny => "error",
            Level::Warn => "warning",
            Level::Allow => continue,
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        writeln!(
            out,
            "::{command} file={},line={},col={},title={}::{}",
            escape_property(&slash_path(&d.location.file)),
            d.location.line,
            d.location.column,
            escape_property(d.code.as_str()),
            escape_data(&message)
        )?;
    }
    Ok(())
}

/// Workflow-command escaping (actions/toolkit `escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Property values also escape `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("C:\\x,y"), "C%3A\\x%2Cy");
    }
}
