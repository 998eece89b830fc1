//! `cargo freeze cache`: the one-file extractions (size, last use, whether
//! a program holds them, whether they are whole) and what a prune removed.

use super::{plural, size};
use crate::bundle::onefile::cache::{CacheEntry, EntryState, Pruned};
use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

pub(super) fn write_list_human(root: &Path, entries: &[CacheEntry], out: &mut dyn Write) -> std::io::Result<()> {
    let total: u64 = entries.iter().map(|e| e.size).sum();
    let count = plural(entries.len(), "entry", "entries");
    writeln!(out, "{:>12} {} ({count}, {})", "Cache", root.display(), size(total))?;
    for entry in entries {
        writeln!(out, "  {:<40} {:>10}  {}", label(entry), size(entry.size), state(entry))?;
    }
    Ok(())
}

pub(super) fn write_pruned_human(pruned: &Pruned, dry_run: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let verb = if dry_run { "Would remove" } else { "Removed" };
    for entry in &pruned.removed {
        writeln!(out, "{verb:>12} {} ({}, {})", label(entry), size(entry.size), state(entry))?;
    }
    for entry in &pruned.in_use {
        writeln!(out, "{:>12} {} (in use by a running program)", "Kept", label(entry))?;
    }
    let what = plural(pruned.removed.len(), "entry", "entries");
    let freed = if dry_run { "would be freed" } else { "freed" };
    writeln!(out, "{:>12} {what}, {} {freed}", if dry_run { "Would prune" } else { "Pruned" }, size(pruned.freed))
}

pub(super) fn write_list_json(root: &Path, entries: &[CacheEntry], out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &super::doc::CacheListDoc::new(root, entries))?;
    writeln!(out)
}

pub(super) fn write_pruned_json(
    root: &Path,
    pruned: &Pruned,
    dry_run: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &super::doc::CachePrunedDoc::new(root, pruned, dry_run))?;
    writeln!(out)
}

/// The dir's name as it is on disk (`hello-0123456789abcdef`).
fn label(entry: &CacheEntry) -> String {
    entry.path.file_name().unwrap_or_default().to_string_lossy().into_owned()
}

/// "used 3 days ago, in use", "damaged (extracted again on its next start)".
fn state(entry: &CacheEntry) -> String {
    let mut parts = vec![match entry.state {
        EntryState::Whole => used(entry.last_used),
        EntryState::Damaged => "damaged (extracted again on its next start)".to_string(),
        EntryState::Leftover => "leftover of an extraction or a removal".to_string(),
    }];
    if entry.in_use {
        parts.push("in use".to_string());
    }
    parts.join(", ")
}

fn used(last: Option<u64>) -> String {
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    match last.map(|t| now.saturating_sub(t)) {
        None => "never used".to_string(),
        Some(s) if s < 3600 => "used within the hour".to_string(),
        Some(s) if s < 2 * 86400 => format!("used {} ago", plural((s / 3600) as usize, "hour", "hours")),
        Some(s) => format!("used {} ago", plural((s / 86400) as usize, "day", "days")),
    }
}
