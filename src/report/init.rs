//! What `cargo freeze init` wrote or left alone.

use super::slash_path;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitAction {
    Added,
    /// It was there already: left exactly as it was.
    Kept,
}

#[derive(Debug, Default)]
pub struct InitReport {
    pub manifests: Vec<(PathBuf, InitAction)>,
    pub workflow: Option<(PathBuf, InitAction)>,
    /// The branch a written workflow runs on pushes to, and why that one.
    pub branch: Option<(String, &'static str)>,
}

pub(super) fn write_human(report: &InitReport, root: &Path, out: &mut dyn Write) -> std::io::Result<()> {
    let show = |path: &Path| slash_path(path.strip_prefix(root).unwrap_or(path));
    for (manifest, action) in &report.manifests {
        match action {
            InitAction::Added => writeln!(out, "{:>12} [package.metadata.freeze] to {}", "Added", show(manifest))?,
            InitAction::Kept => {
                writeln!(out, "{:>12} {}: it already has [package.metadata.freeze]", "Kept", show(manifest))?;
            }
        }
    }
    if let Some((path, action)) = &report.workflow {
        match action {
            InitAction::Added => {
                writeln!(out, "{:>12} {}", "Wrote", show(path))?;
                if let Some((branch, why)) = &report.branch {
                    writeln!(out, "{:>12} on pushes to `{branch}` ({why})", "")?;
                }
            }
            InitAction::Kept => {
                writeln!(out, "{:>12} {}: it exists (remove it to write a new one)", "Kept", show(path))?;
            }
        }
    }
    Ok(())
}
