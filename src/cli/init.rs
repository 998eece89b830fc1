//! `cargo freeze init`: adds the commented `[package.metadata.freeze]`
//! section to each selected package's Cargo.toml (every other byte kept)
//! and, with `--ci github`, writes a workflow (`workflow`) that installs
//! this tool, runs the check as SARIF for code scanning and bundles each
//! binary per target. Existing sections and workflows are never
//! overwritten.

use super::write;
use crate::cargo;
use crate::config::template;
use crate::error::{Error, exit};
use crate::report::{self, InitAction, InitReport};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Also write a CI workflow for this service.
    #[arg(long, value_enum, value_name = "SERVICE")]
    ci: Option<Ci>,
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// Package to add the section to (repeatable; default: as `cargo build` selects).
    #[arg(short = 'p', long = "package", value_name = "SPEC")]
    package: Vec<String>,
    /// All packages in the workspace.
    #[arg(long)]
    workspace: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Ci {
    /// .github/workflows/cargo-freeze.yml
    Github,
}

pub(crate) fn run(args: &InitArgs) -> Result<u8, Error> {
    let workspace = cargo::workspace(args.manifest_path.as_deref())?;
    let selection = super::args::CargoArgs::selecting(args.manifest_path.clone(), args.package.clone(), args.workspace);
    let packages = super::select::select_packages(&workspace, &selection)?;
    if packages.is_empty() {
        return Err(Error::NoPackages { root: workspace.root.clone() });
    }
    let mut report = InitReport::default();
    for package in &packages {
        let manifest = package.manifest_dir.join("Cargo.toml");
        let text =
            fs_err::read_to_string(&manifest).map_err(|source| Error::Read { path: manifest.clone(), source })?;
        let action = match template::add_section(&manifest, &text)? {
            Some(added) => {
                write::atomically(&manifest, &added)?;
                InitAction::Added
            }
            None => InitAction::Kept,
        };
        report.manifests.push((manifest, action));
    }
    if args.ci == Some(Ci::Github) {
        let bins: Vec<&str> = packages.iter().flat_map(|p| p.bins.iter().map(|b| b.name.as_str())).collect();
        if bins.is_empty() {
            return Err(Error::NoBinaries { root: workspace.root.clone() });
        }
        let path = workspace.root.join(".github/workflows/cargo-freeze.yml");
        let action = if path.exists() {
            InitAction::Kept
        } else {
            let dir = path.parent().expect("a workflow path has a parent");
            fs_err::create_dir_all(dir).map_err(|source| Error::Write { path: dir.to_path_buf(), source })?;
            let (text, branch, source) = super::workflow::github(&bins, &workspace.root);
            write::atomically(&path, &text)?;
            report.branch = Some((branch, branch_source(source)));
            InitAction::Added
        };
        report.workflow = Some((path, action));
    }
    report::init_human(&report, &workspace.root, &mut std::io::stdout().lock()).map_err(Error::Output)?;
    Ok(exit::CLEAN)
}

fn branch_source(source: super::workflow::BranchSource) -> &'static str {
    use super::workflow::BranchSource;
    match source {
        BranchSource::OriginHead => "origin's default branch",
        BranchSource::Current => "the current branch; no origin/HEAD",
        BranchSource::Fallback => "not a git branch here: edit `branches:` if yours differs",
    }
}
