//! Renders a probe run: `human` (verdict, why, containment and numbers, a
//! short tree of who started whom, the program's output) or `json` (the
//! probe's contract, documented in README.md).

use super::{Style, paint};
use crate::probe::{Node, ProbeReport, Verdict};
use std::collections::HashMap;
use std::io::Write;

/// Lines of the program's output shown per stream in human output.
const OUTPUT_LINES: usize = 20;

pub(crate) fn write_json(report: &ProbeReport, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &super::doc::ProbeDoc::new(report))?;
    writeln!(out)
}

pub(crate) fn write_human(report: &ProbeReport, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    let word = verdict_word(report.verdict, style);
    let status = match report.exit_status {
        Some(s) => match (s.code, s.signal) {
            (Some(code), _) => format!("exit status {code}"),
            (_, Some(sig)) => format!("killed by signal {sig}"),
            _ => "ended".to_string(),
        },
        None => "did not exit".to_string(),
    };
    writeln!(out, "{word}: `{}` ({status}, {:.0} ms)", report.command.join(" "), report.elapsed_ms)?;
    if let Some(trigger) = &report.trigger {
        writeln!(out, "  {trigger}")?;
    }
    if style.quiet {
        return Ok(());
    }
    writeln!(out, "  containment: {}", report.containment)?;
    if style.verbose {
        for why in &report.skipped {
            writeln!(out, "    skipped {why}")?;
        }
    }
    if let Some(note) = &report.cap_note {
        writeln!(out, "  cap {} ({note})", report.cap)?;
    }
    let hit = if report.cap_hit { "hit" } else { "not hit" };
    let how = report.kill_method.as_deref().map_or(String::new(), |m| format!(" by {m}"));
    let kill = report.kill_ms.map_or(String::new(), |ms| format!(", kill {ms:.1} ms{how}"));
    writeln!(
        out,
        "  cap {} tasks ({hit}); peak {} processes, {} tasks; nesting {} (limit {}); detached relaunches {} (limit {}){kill}; survivors {}",
        report.cap,
        report.peak_processes,
        report.peak_tasks,
        report.max_depth,
        report.depth_limit,
        report.relaunches,
        report.detached_limit,
        report.survivors
    )?;
    for path in &report.reaped {
        writeln!(out, "  removed a leftover of an earlier run whose cargo-freeze died: {path}")?;
    }
    write_tree(&report.tree, report.tree_truncated, out)?;
    for (name, text) in [("stdout", &report.stdout), ("stderr", &report.stderr)] {
        if !text.trim().is_empty() {
            writeln!(out, "  {name}:")?;
            for line in text.lines().take(OUTPUT_LINES) {
                writeln!(out, "    | {line}")?;
            }
        }
    }
    Ok(())
}

/// The probe's line under a binary in `cargo freeze check`'s summary.
pub(crate) fn write_check_line(
    report: Option<&ProbeReport>,
    skipped: Option<&str>,
    style: Style,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "{:>14} probe {}", "", summary(report, skipped, style))
}

/// `pass: why [containment]`, or why there was no run.
pub(crate) fn summary(report: Option<&ProbeReport>, skipped: Option<&str>, style: Style) -> String {
    let Some(report) = report else { return format!("skipped ({})", skipped.unwrap_or("config: skip = true")) };
    let word = verdict_word(report.verdict, style);
    let why = report.trigger.as_deref().unwrap_or("the program exited and left no process behind");
    format!("{word}: {why} [{}]", report.containment)
}

fn verdict_word(verdict: Verdict, style: Style) -> String {
    let (word, look) = match verdict {
        Verdict::Storm => ("storm", paint::BAD),
        Verdict::Capped => ("capped", paint::WARN),
        Verdict::Timeout => ("timeout", paint::WARN),
        Verdict::Pass => ("pass", paint::GOOD),
    };
    paint::paint(look, word, style.color)
}

/// `pid [depth] argv`, indented under its parent.
fn write_tree(tree: &[Node], truncated: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if tree.is_empty() {
        return Ok(());
    }
    writeln!(out, "  tree (pid [nesting] argv):")?;
    let known: HashMap<u32, usize> = tree.iter().enumerate().map(|(i, n)| (n.pid, i)).collect();
    let mut indent: Vec<usize> = vec![0; tree.len()];
    for (i, node) in tree.iter().enumerate() {
        indent[i] = known.get(&node.ppid).filter(|&&p| p < i).map_or(0, |&p| indent[p] + 1);
        let argv = node.argv.join(" ");
        let argv: String = argv.chars().take(100).collect();
        writeln!(out, "    {}{} [{}] {argv}", "  ".repeat(indent[i].min(12)), node.pid, node.depth)?;
    }
    if truncated {
        writeln!(out, "    ... (more processes than listed)")?;
    }
    Ok(())
}
