//! `cargo freeze --onedir`: builds one binary with cargo (artifact path and
//! build-script link directories from `--message-format=json`), then lays
//! it out with the shared libraries it needs (the `bundle` room) and prints
//! the summary or the JSON manifest.

use super::args::{CargoArgs, TargetArgs};
use super::select::{select_packages, select_targets};
use super::use_color;
use crate::bundle::data::Extra;
use crate::bundle::onedir::{self, OnedirOptions};
use crate::cargo::{self, BuildRequest, Profile, Unit};
use crate::error::{Error, exit};
use crate::lint::TargetKind;
use crate::report::{self, Style};
use clap::{Args, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Debug, Args)]
#[command(next_help_heading = "Bundle Options")]
pub(crate) struct BundleArgs {
    /// Build the binary and lay it out as DIST/NAME/ with the shared libraries it needs.
    #[arg(long)]
    pub(crate) onedir: bool,
    /// Bundle name (default: the binary's name).
    #[arg(long, value_name = "NAME", requires = "onedir")]
    name: Option<String>,
    /// Where bundles go (default: target/freeze under the workspace root).
    #[arg(long, value_name = "DIR", requires = "onedir")]
    dist: Option<PathBuf>,
    /// Copy a file or directory into the bundle: SRC:DEST, DEST relative to the bundle (repeatable).
    #[arg(long = "add-data", value_name = "SRC:DEST", requires = "onedir")]
    add_data: Vec<String>,
    /// Like --add-data, for executables and libraries the program loads itself (repeatable).
    #[arg(long = "add-binary", value_name = "SRC:DEST", requires = "onedir")]
    add_binary: Vec<String>,
    /// Leave libraries matching this glob to the host, on top of the built-in policy (repeatable).
    #[arg(long = "exclude-lib", value_name = "GLOB", requires = "onedir")]
    exclude_lib: Vec<String>,
    /// Replace an existing bundle of the same name.
    #[arg(long, requires = "onedir")]
    clean: bool,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human, requires = "onedir")]
    message_format: MessageFormat,
    #[command(flatten)]
    targets: TargetArgs,
    #[command(flatten)]
    pub(crate) cargo: CargoArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    Human,
    Json,
}

pub(crate) fn run(args: &BundleArgs) -> Result<u8, Error> {
    let parse = |specs: &[String]| -> Result<Vec<Extra>, Error> {
        specs.iter().map(|s| Extra::parse(s).map_err(Error::from)).collect()
    };
    let (data, binaries) = (parse(&args.add_data)?, parse(&args.add_binary)?);
    let workspace = cargo::workspace(args.cargo.manifest_path.as_deref())?;
    let packages = select_packages(&workspace, &args.cargo)?;
    let mut units = Vec::new();
    for package in &packages {
        for (target, kind) in select_targets(package, &args.targets, &packages)? {
            let example = kind == TargetKind::Example;
            units.push(Unit { package: package.name.clone(), name: target.name.clone(), example });
        }
    }
    let [unit] = units.as_slice() else {
        let names: Vec<_> = units.iter().map(|u| u.name.clone()).collect();
        return Err(Error::NotOneBinary { found: names.join(", ") });
    };
    let built = cargo::build(&BuildRequest {
        manifest_path: args.cargo.manifest_path.clone(),
        units: vec![unit.clone()],
        target: args.cargo.target.clone(),
        profile: Profile::from_flags(args.cargo.release, args.cargo.profile.as_deref()),
        quiet: args.cargo.quiet,
        color: None,
    })?;
    let artifact = &built[0];
    let options = OnedirOptions {
        binary: artifact.executable.clone(),
        name: args.name.clone().unwrap_or_else(|| unit.name.clone()),
        dist: args.dist.clone().unwrap_or_else(|| workspace.root.join("target/freeze")),
        data,
        binaries,
        exclude_lib: args.exclude_lib.clone(),
        clean: args.clean,
        search_dirs: artifact.link_dirs.clone(),
    };
    let result = onedir::assemble(&options)?;
    let style = Style {
        color: use_color(args.cargo.color, std::io::stdout().is_terminal()),
        quiet: args.cargo.quiet,
        verbose: args.cargo.verbose,
    };
    let mut out = std::io::stdout().lock();
    let written = match args.message_format {
        MessageFormat::Human => report::bundle_human(&result, style, &mut out),
        MessageFormat::Json => report::bundle_json(&result, &mut out),
    };
    written.map_err(Error::Output)?;
    Ok(exit::CLEAN)
}
