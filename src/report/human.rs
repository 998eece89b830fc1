//! rustc-style output: each finding with its source snippet (rendered by
//! annotate-snippets, rustc's own emitter), then one line per binary.

use super::{CheckReport, Style, paint, plural, slash_path};
use crate::diag::{Diagnostic, Level, Location};
use annotate_snippets::{AnnotationKind, Group, Level as ALevel, Renderer, Snippet};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

pub(super) fn write(report: &CheckReport, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    if let Some(fix) = &report.fix {
        super::fix::write_human(fix, style, out)?;
    }
    let renderer = if style.color { Renderer::styled() } else { Renderer::plain() };
    let mut sources = Sources::new(report.workspace_root.clone());
    for d in &report.diagnostics {
        if d.level == Level::Allow || (style.quiet && d.level != Level::Deny) {
            continue;
        }
        let text = render(d, &mut sources, &renderer);
        writeln!(out, "{text}\n")?;
    }
    if style.quiet {
        return Ok(());
    }
    summary(report, style, out)
}

fn render(d: &Diagnostic, sources: &mut Sources, renderer: &Renderer) -> String {
    let level = match d.level {
        Level::Deny => ALevel::ERROR,
        _ => ALevel::WARNING,
    };
    let path = slash_path(&d.location.file);
    let mut title = level.clone().primary_title(d.message.as_str()).id(d.code.as_str());
    let mut group_elements = Vec::new();
    sources.load(&d.location.file);
    for note in &d.notes {
        sources.load(&note.location.file);
    }
    let sources = &*sources;
    match sources.get(&d.location.file) {
        Some(source) => {
            let mut snippet = Snippet::source(source).path(path.clone()).line_start(1).fold(true);
            snippet = snippet.annotation(annotation(AnnotationKind::Primary, &d.location, &d.label, source));
            for note in d.notes.iter().filter(|n| n.location.file == d.location.file) {
                snippet =
                    snippet.annotation(annotation(AnnotationKind::Context, &note.location, &note.message, source));
            }
            group_elements.push(snippet);
        }
        None => title = level.primary_title(format!("{} ({path}:{})", d.message, d.location.line)).id(d.code.as_str()),
    }
    for note in d.notes.iter().filter(|n| n.location.file != d.location.file) {
        if let Some(source) = sources.get(&note.location.file) {
            group_elements.push(
                Snippet::source(source)
                    .path(slash_path(&note.location.file))
                    .line_start(1)
                    .fold(true)
                    .annotation(annotation(AnnotationKind::Context, &note.location, &note.message, source)),
            );
        }
    }
    let mut group = Group::with_title(title).elements(group_elements);
    if let Some(binary) = &d.binary {
        group = group.element(ALevel::NOTE.message(format!("in binary `{binary}`")));
    }
    if let Some(help) = &d.help {
        group = group.element(ALevel::HELP.message(help.as_str()));
    }
    renderer.render(&[group])
}

fn annotation<'a>(
    kind: AnnotationKind,
    loc: &Location,
    label: &'a str,
    source: &str,
) -> annotate_snippets::Annotation<'a> {
    let len = source.len();
    let start = (loc.span.0 as usize).min(len);
    let end = (loc.span.1 as usize).clamp(start, len);
    // Keep the caret on the first line of a long expression.
    // A span off a char boundary (the file changed since it was read)
    // renders as an empty caret instead of panicking.
    let end = source.get(start..end).map_or(start, |text| text.find('\n').map_or(end, |nl| start + nl));
    let annotation = kind.span(start..end.max(start));
    if label.is_empty() { annotation } else { annotation.label(label) }
}

fn summary(report: &CheckReport, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    for bin in &report.binaries {
        let look = match bin.verdict.as_str() {
            "unguarded" => paint::BAD,
            "undecided" => paint::WARN,
            _ => paint::GOOD,
        };
        let verdict = paint::paint(look, &format!("{:>14}", bin.verdict.as_str()), style.color);
        let place = bin.main.as_ref().map(|m| format!("{}:{}", slash_path(&m.file), m.line)).unwrap_or_default();
        let sites = if bin.spawn_sites.is_empty() {
            String::new()
        } else {
            format!(" ({})", plural(bin.spawn_sites.len(), "self-spawn site", "self-spawn sites"))
        };
        writeln!(out, "{verdict} {}/{} {place}{sites}", bin.package, bin.name)?;
        if style.verbose
            && let Some(reason) = &bin.reason
        {
            writeln!(out, "{:>14} {reason}", "")?;
        }
        if let Some(p) = report.probes.iter().find(|p| p.package == bin.package && p.name == bin.name) {
            super::probe::write_check_line(p.report.as_ref(), p.skipped.as_deref(), style, out)?;
        }
    }
    let deny = report.diagnostics.iter().filter(|d| d.level == Level::Deny).count();
    let warn = report.diagnostics.iter().filter(|d| d.level == Level::Warn).count();
    let storms = report
        .probes
        .iter()
        .filter(|p| p.report.as_ref().is_some_and(|r| r.verdict == crate::probe::Verdict::Storm))
        .count();
    let storms = if report.probes.is_empty() {
        String::new()
    } else {
        format!(
            ", {} in {}",
            plural(storms, "storm", "storms"),
            plural(report.probes.iter().filter(|p| p.report.is_some()).count(), "probe run", "probe runs")
        )
    };
    writeln!(
        out,
        "{} {}: {}, {}{storms}",
        paint::paint(paint::BOLD, &format!("{:>14}", "Checked"), style.color),
        plural(report.binaries.len(), "binary", "binaries"),
        plural(deny, "error", "errors"),
        plural(warn, "warning", "warnings"),
    )
}

/// Source files read once each, for snippets; unreadable ones render without.
struct Sources {
    root: PathBuf,
    cache: HashMap<PathBuf, Option<String>>,
}

impl Sources {
    fn new(root: PathBuf) -> Sources {
        Sources { root, cache: HashMap::new() }
    }

    fn load(&mut self, file: &std::path::Path) {
        let root = &self.root;
        self.cache.entry(file.to_path_buf()).or_insert_with(|| fs_err::read_to_string(root.join(file)).ok());
    }

    fn get(&self, file: &std::path::Path) -> Option<&str> {
        self.cache.get(file).and_then(|s| s.as_deref())
    }
}
