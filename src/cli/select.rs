//! Package and target selection, as cargo does it: `-p`/`--workspace`/
//! `--exclude`, `--bin`/`--bins`/`--example`/`--examples`.

use super::args::{CargoArgs, TargetArgs};
use crate::cargo::{self, Package, Workspace};
use crate::error::Error;
use crate::lint;

pub(crate) fn select_packages<'w>(workspace: &'w Workspace, args: &CargoArgs) -> Result<Vec<&'w Package>, Error> {
    if !args.package.is_empty() {
        return args
            .package
            .iter()
            .map(|name| {
                workspace
                    .packages
                    .iter()
                    .find(|p| &p.name == name)
                    .ok_or_else(|| Error::NoSuchPackage { name: name.clone(), root: workspace.root.clone() })
            })
            .collect();
    }
    Ok(workspace
        .packages
        .iter()
        .filter(|p| {
            if args.workspace { !args.exclude.contains(&p.name) } else { workspace.default_members.contains(&p.name) }
        })
        .collect())
}

pub(crate) fn select_targets<'p>(
    package: &'p Package,
    args: &TargetArgs,
    all: &[&Package],
) -> Result<Vec<(&'p cargo::Target, lint::TargetKind)>, Error> {
    let explicit = !args.bin.is_empty() || !args.example.is_empty() || args.examples;
    let mut out = Vec::new();
    if !explicit || args.bins {
        out.extend(package.bins.iter().map(|t| (t, lint::TargetKind::Bin)));
    }
    if args.examples {
        out.extend(package.examples.iter().map(|t| (t, lint::TargetKind::Example)));
    }
    for (names, targets, kind, label) in [
        (&args.bin, &package.bins, lint::TargetKind::Bin, "bin"),
        (&args.example, &package.examples, lint::TargetKind::Example, "example"),
    ] {
        for name in names {
            if let Some(t) = targets.iter().find(|t| &t.name == name) {
                out.push((t, kind));
            } else if !all.iter().any(|p| p.bins.iter().chain(&p.examples).any(|t| &t.name == name)) {
                let available: Vec<_> = all.iter().flat_map(|p| targets_of(p, kind)).collect();
                return Err(Error::NoSuchTarget { kind: label, name: name.clone(), available: available.join(", ") });
            }
        }
    }
    out.dedup_by(|a, b| a.0.src_path == b.0.src_path);
    Ok(out)
}

fn targets_of(package: &Package, kind: lint::TargetKind) -> Vec<String> {
    let list = if kind == lint::TargetKind::Bin { &package.bins } else { &package.examples };
    list.iter().map(|t| t.name.clone()).collect()
}
