//! `cargo freeze check --fix`: plans the edits with `lint::fix`, refuses to
//! mix them with uncommitted changes, writes each file atomically (or, with
//! `--dry-run`, only shows them), and hands the outcome to the report.

use crate::error::Error;
use crate::lint::{self, fix};
use crate::report::FixOutcome;
use clap::Args;
use std::path::Path;

#[derive(Debug, Args)]
#[command(next_help_heading = "Fixing")]
pub(crate) struct FixArgs {
    /// Insert the child-dispatch guard (templates/fix/) at the top of `main` and a marker at each
    /// unguarded self-spawn site; the check then runs on the fixed sources.
    #[arg(long)]
    pub(crate) fix: bool,
    /// With --fix: print the edits as a unified diff and write nothing.
    #[arg(long, requires = "fix")]
    pub(crate) dry_run: bool,
    /// With --fix: also edit files that have uncommitted changes in git.
    #[arg(long, requires = "fix")]
    pub(crate) allow_dirty: bool,
    /// With --fix: nested self-launches the inserted depth fuse allows before refusing.
    #[arg(long, value_name = "N", requires = "fix", default_value_t = fix::DEFAULT_MAX_DEPTH)]
    pub(crate) fuse_depth: u32,
}

/// Plans the fix of every unguarded binary in `output` and, unless
/// `--dry-run`, writes it.
pub(crate) fn run(
    args: &FixArgs,
    options: &lint::Options,
    output: &lint::Output,
    editions: &[String],
) -> Result<FixOutcome, Error> {
    let targets: Vec<fix::Target> = options
        .binaries
        .iter()
        .zip(&output.binaries)
        .zip(editions)
        .map(|((input, report), edition)| fix::Target { input, report, edition })
        .collect();
    let plan = fix::plan(&targets, &options.workspace_root, args.fuse_depth)?;
    if args.dry_run || plan.files.is_empty() {
        return Ok(FixOutcome { plan, applied: false });
    }
    if !args.allow_dirty {
        refuse_dirty(&plan.files.iter().map(|f| f.path.as_path()).collect::<Vec<_>>())?;
    }
    for file in &plan.files {
        super::write::atomically(&file.path, &file.after)?;
    }
    Ok(FixOutcome { plan, applied: true })
}

/// Errors when any of `files` has uncommitted changes in its git work tree
/// (as `cargo fix` does). Files outside git, or without git installed,
/// pass: the summary still lists every edit.
fn refuse_dirty(files: &[&Path]) -> Result<(), Error> {
    let Ok(git) = which::which("git") else { return Ok(()) };
    let mut dirty = Vec::new();
    for file in files {
        let Some(dir) = file.parent() else { continue };
        let output = std::process::Command::new(&git)
            .current_dir(dir)
            .args(["status", "--porcelain", "--"])
            .arg(file)
            .stderr(std::process::Stdio::null())
            .output();
        // Not a repository (exit 128) or git failed: nothing to protect.
        if let Ok(output) = output
            && output.status.success()
            && !output.stdout.is_empty()
        {
            dirty.push(file.display().to_string());
        }
    }
    match dirty.is_empty() {
        true => Ok(()),
        false => Err(Error::DirtyFiles { files: dirty.join(", ") }),
    }
}
