//! `cargo metadata --no-deps`: works offline, on a checkout whose
//! dependencies were never downloaded.

use super::{Error, Package, PathDep, Target, Workspace};
use cargo_metadata::{Metadata, MetadataCommand, TargetKind};
use std::path::{Path, PathBuf};

/// Runs `cargo metadata --no-deps` for `manifest_path` (or the current dir).
pub fn workspace(manifest_path: Option<&Path>) -> Result<Workspace, Error> {
    let mut cmd = MetadataCommand::new();
    cmd.no_deps().other_options(vec!["--offline".to_string()]);
    if let Some(path) = manifest_path {
        cmd.manifest_path(path);
    }
    let shown = manifest_path.map_or_else(|| PathBuf::from("Cargo.toml"), Path::to_path_buf);
    let metadata = cmd.exec().map_err(|err| Error::Metadata { manifest: shown, message: metadata_message(&err) })?;
    let invoked = match manifest_path {
        Some(path) => Some(path.to_path_buf()),
        None => nearest_manifest(),
    };
    Ok(convert(metadata, invoked.and_then(|p| p.canonicalize().ok())))
}

/// The manifest cargo itself would pick from the current directory.
fn nearest_manifest() -> Option<PathBuf> {
    let cwd = std::env::current_dir().ok()?;
    cwd.ancestors().map(|dir| dir.join("Cargo.toml")).find(|candidate| candidate.is_file())
}

fn metadata_message(err: &cargo_metadata::Error) -> String {
    match err {
        // cargo's own stderr already says what is wrong; keep its first
        // lines, without its `error: ` (ours comes first).
        cargo_metadata::Error::CargoMetadata { stderr } => {
            let lines = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).take(6);
            let lines: Vec<&str> = lines.map(|l| l.strip_prefix("error: ").unwrap_or(l)).collect();
            lines.join("\n  ")
        }
        other => other.to_string(),
    }
}

/// Like cargo: the package whose manifest was invoked, else the workspace's
/// default members.
fn convert(metadata: Metadata, invoked: Option<PathBuf>) -> Workspace {
    let members: Vec<_> = metadata.workspace_members.clone();
    let defaults: Vec<_> = metadata.workspace_default_members.to_vec();
    let mut packages = Vec::new();
    let mut default_members = Vec::new();
    let mut invoked_package = None;
    for pkg in metadata.packages {
        if !members.contains(&pkg.id) {
            continue;
        }
        let manifest = pkg.manifest_path.clone().into_std_path_buf();
        if invoked.is_some() && manifest.canonicalize().ok() == invoked {
            invoked_package = Some(pkg.name.to_string());
        }
        if defaults.is_empty() || defaults.contains(&pkg.id) {
            default_members.push(pkg.name.to_string());
        }
        let target = |t: &cargo_metadata::Target| Target {
            name: t.name.clone(),
            src_path: t.src_path.clone().into_std_path_buf(),
            edition: t.edition.as_str().to_string(),
        };
        let of_kind = |kind: TargetKind| -> Vec<Target> {
            pkg.targets.iter().filter(|t| t.is_kind(kind.clone())).map(target).collect()
        };
        let lib = pkg.targets.iter().find(|t| is_library(t)).map(target);
        let path_deps = pkg
            .dependencies
            .iter()
            .filter_map(|d| {
                let dir = d.path.as_ref()?.clone().into_std_path_buf();
                let rename = d.rename.as_ref().map(|r| r.replace('-', "_"));
                Some(PathDep { rename, dir, linked: d.kind == cargo_metadata::DependencyKind::Normal })
            })
            .collect();
        packages.push(Package {
            name: pkg.name.to_string(),
            manifest_dir: pkg.manifest_path.parent().map(|p| p.to_path_buf().into_std_path_buf()).unwrap_or_default(),
            bins: of_kind(TargetKind::Bin),
            examples: of_kind(TargetKind::Example),
            lib,
            path_deps,
            freeze_metadata: pkg.metadata.get("freeze").cloned(),
        });
    }
    Workspace {
        root: metadata.workspace_root.into_std_path_buf(),
        packages,
        default_members: invoked_package.map_or(default_members, |name| vec![name]),
    }
}

/// A library target of any crate type: `lib`, or what `crate-type` lists
/// (`["staticlib", "cdylib", "rlib"]`, as every Tauri app's library has;
/// `["rlib"]` alone), or a proc macro. A binary of the workspace links it
/// by its crate name whatever else it is built as.
fn is_library(t: &cargo_metadata::Target) -> bool {
    use TargetKind::{CDyLib, DyLib, Lib, ProcMacro, RLib, StaticLib};
    [Lib, RLib, DyLib, CDyLib, StaticLib, ProcMacro].into_iter().any(|kind| t.is_kind(kind))
}
