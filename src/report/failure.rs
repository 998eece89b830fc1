//! A failure of the tool itself, cargo-style, on stderr: the error's first
//! line, then each cause the error chain adds (`caused by:`), then the
//! `help:` and other lines of every message, last. A cause whose text is
//! already in what was printed (an `fs-err` error names the path and then
//! carries the bare OS error as its source) is not repeated.

use std::fmt::Write as _;

/// The whole text of `err` as printed after `error: `.
pub(crate) fn render(err: &dyn std::error::Error) -> String {
    let top = err.to_string();
    let (first, rest) = split(&top);
    let mut text = first.to_string();
    let mut tail: Vec<String> = rest.map(str::to_string).into_iter().collect();
    let mut source = err.source();
    while let Some(cause) = source {
        let shown = cause.to_string();
        let (line, more) = split(&shown);
        if !text.contains(line) {
            let _ = write!(text, "\n  caused by: {line}");
        }
        tail.extend(more.map(str::to_string).filter(|m| !tail.contains(m)));
        source = cause.source();
    }
    for more in tail {
        text.push('\n');
        text.push_str(&more);
    }
    text
}

fn split(message: &str) -> (&str, Option<&str>) {
    match message.split_once('\n') {
        Some((first, rest)) => (first, Some(rest)),
        None => (message, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("failed to read {path}\nhelp: check the path")]
    struct Outer {
        path: String,
        #[source]
        source: std::io::Error,
    }

    #[test]
    fn causes_come_once_and_help_comes_last() {
        let inner = fs_err::read("/nonexistent/cargo-freeze-test").unwrap_err();
        let err = Outer { path: "/nonexistent/cargo-freeze-test".into(), source: inner };
        let text = render(&err);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "failed to read /nonexistent/cargo-freeze-test");
        assert!(lines[1].starts_with("  caused by: failed to open file `/nonexistent/"), "{text}");
        assert_eq!(lines.len(), 3, "the bare OS error is already in the fs-err line: {text}");
        assert_eq!(lines[2], "help: check the path");
    }
}
