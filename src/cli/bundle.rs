//! `cargo freeze --onedir/--onefile`: checks the tools and the destination
//! it will need, builds one binary with cargo (release by default; artifact
//! path and build-script link directories from `--message-format=json`),
//! runs the check gate, then lays it out with the shared libraries it needs
//! (the `bundle` room; the one-file half in `bundle_onefile`) and prints the
//! summary or the JSON manifest.

use super::args::{CargoArgs, TargetArgs};
use super::bundle_onefile::{self as onefile_step, host_triple};
use super::bundle_settings::{self as settings, Settings};
use super::gate;
use super::select::{select_packages, select_targets};
use super::use_color;
use crate::bundle::Verify;
use crate::bundle::onedir::{self, OnedirOptions};
use crate::cargo::{self, BuildRequest, Unit};
use crate::config::Config;
use crate::error::{Error, exit};
use crate::lint::TargetKind;
use crate::probe::ProbeReport;
use crate::report::{self, Style};
use clap::{Args, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
#[command(next_help_heading = "Bundle Options")]
#[group(id = "mode", multiple = false, args = ["onedir", "onefile"])]
pub(crate) struct BundleArgs {
    /// Build the binary (release) and lay it out as DIST/NAME/ with the shared libraries it needs.
    #[arg(long)]
    pub(crate) onedir: bool,
    /// Like --onedir, packed behind a self-extracting bootloader into the single file DIST/NAME.
    #[arg(long)]
    pub(crate) onefile: bool,
    /// One-file extraction root: {cache}, {tmp}, {name}, {hash} (default {cache}/cargo-freeze/{name}-{hash}).
    #[arg(long, value_name = "SPEC", requires = "onefile")]
    pub(crate) runtime_dir: Option<String>,
    /// Bundle name (default: the binary's name).
    #[arg(long, value_name = "NAME", requires = "mode")]
    pub(crate) name: Option<String>,
    /// Where bundles go (default: target/freeze/onedir or target/freeze/onefile under the workspace root).
    #[arg(long, value_name = "DIR", requires = "mode")]
    pub(crate) dist: Option<PathBuf>,
    /// Copy a file or directory into the bundle: SRC:DEST, DEST relative to the bundle (repeatable).
    #[arg(long = "add-data", value_name = "SRC:DEST", requires = "mode")]
    pub(crate) add_data: Vec<String>,
    /// Like --add-data, for executables and libraries the program loads itself (repeatable).
    #[arg(long = "add-binary", value_name = "SRC:DEST", requires = "mode")]
    pub(crate) add_binary: Vec<String>,
    /// Leave libraries matching this glob to the host, on top of the built-in policy (repeatable).
    #[arg(long = "exclude-lib", value_name = "GLOB", requires = "mode")]
    pub(crate) exclude_lib: Vec<String>,
    /// Replace an existing bundle of the same name and kind.
    #[arg(long, requires = "mode")]
    pub(crate) clean: bool,
    /// Strip the bundle's copies of the executable and libraries (debug info, static symbols).
    #[arg(long, requires = "mode")]
    pub(crate) strip: bool,
    /// Compress executables with UPX found on PATH.
    #[arg(long, requires = "mode")]
    pub(crate) upx: bool,
    /// Compress with DIR/upx (implies --upx).
    #[arg(long, value_name = "DIR", requires = "mode")]
    pub(crate) upx_dir: Option<PathBuf>,
    /// Do not compress, whatever else says so.
    #[arg(long, requires = "mode", conflicts_with_all = ["upx", "upx_dir"])]
    pub(crate) noupx: bool,
    /// Leave files matching this glob (bundle-relative path) uncompressed (repeatable).
    #[arg(long = "upx-exclude", value_name = "GLOB", requires = "mode")]
    pub(crate) upx_exclude: Vec<String>,
    /// UPX's arguments (default "--best --lzma").
    #[arg(long, value_name = "ARGS", requires = "mode", allow_hyphen_values = true)]
    pub(crate) upx_args: Option<String>,
    /// Compress shared libraries too (packed .so files are known to crash when loaded on Linux).
    #[arg(long, requires = "mode")]
    pub(crate) upx_libs: bool,
    /// Bundle even if the static check or the probe finds a spawn storm.
    #[arg(long, requires = "mode")]
    pub(crate) no_check: bool,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human, requires = "mode")]
    message_format: MessageFormat,
    #[command(flatten)]
    pub(crate) target: BundleTarget,
    #[command(flatten)]
    pub(crate) cargo: CargoArgs,
    /// Build with the dev profile instead of release.
    #[arg(long, requires = "mode", conflicts_with_all = ["release", "profile"], help_heading = "Compilation Options")]
    pub(crate) dev: bool,
}

/// The one binary or example a bundle holds.
#[derive(Debug, Args)]
#[command(next_help_heading = "Target Selection")]
pub(crate) struct BundleTarget {
    /// Bundle the named binary (needed when the package has several).
    #[arg(long = "bin", value_name = "NAME", conflicts_with = "example")]
    bin: Option<String>,
    /// Bundle the named example.
    #[arg(long = "example", value_name = "NAME")]
    example: Option<String>,
}

impl BundleTarget {
    /// As cargo's target flags, for the shared selection.
    fn as_target_args(&self) -> TargetArgs {
        TargetArgs {
            bin: self.bin.iter().cloned().collect(),
            bins: false,
            example: self.example.iter().cloned().collect(),
            examples: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum MessageFormat {
    Human,
    Json,
}

pub(crate) fn run(args: &BundleArgs) -> Result<u8, Error> {
    let workspace = cargo::workspace(args.cargo.manifest_path.as_deref())?;
    let (package, target, kind) = select_one(&workspace, args)?;
    let unit = &Unit { package: package.name.clone(), name: target.name.clone(), example: kind == TargetKind::Example };
    let config = Config::from_metadata(package.freeze_metadata.as_ref(), package.manifest_dir.join("Cargo.toml"))?;
    let settings = Settings::merge(args, &config, &package.manifest_dir)?;
    let triple = match &args.cargo.target {
        Some(t) => t.clone(),
        None => host_triple()?,
    };
    let dist = settings.dist(&workspace.root, settings::mode(args));
    let cache = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| workspace.root.join("target"), PathBuf::from);
    preflight(args, &settings, &dist, &settings.name(&unit.name), &triple, &cache.join("cargo-freeze"))?;
    let mut progress =
        report::Progress::stderr(args.cargo.quiet, use_color(args.cargo.color, std::io::stderr().is_terminal()));
    let profile = settings::profile(args);
    progress.plain_step("Building", &format!("{} with cargo ({} profile)", unit.name, profile.name()));
    let artifact = build(args, unit, profile.clone())?;
    let style = Style {
        color: use_color(args.cargo.color, std::io::stdout().is_terminal()),
        quiet: args.cargo.quiet,
        verbose: args.cargo.verbose,
    };
    let foreign = foreign_target(args.cargo.target.as_deref())?;
    let check = if args.no_check {
        None
    } else {
        progress.step("Checking", &format!("{}: the static check and a probe run", unit.name));
        let run = foreign.as_deref().map_or(gate::Run::Exe(&artifact.executable), gate::Run::Cannot);
        let (check, refused) = gate::before(&workspace, package, target, kind, &config, run)?;
        progress.finish();
        if refused {
            return refuse(&check, &unit.name, args.message_format == MessageFormat::Json, style);
        }
        Some(check)
    };
    let runtime_dir = settings.runtime_dir.clone();
    let options = settings.into_options(&unit.name, &artifact, dist);
    let what = if options.upx.is_some() { "libraries, copy, UPX" } else { "libraries, copy" };
    progress.step("Bundling", &format!("{}: {what}", unit.name));
    let made = Made {
        args,
        config: &config,
        bin: &unit.name,
        check: check.as_ref(),
        foreign: foreign.as_deref(),
        style,
        built: report::Built { profile: profile.name(), root: &workspace.root },
    };
    let onefile = onefile_step::Target { triple: &triple, runtime_dir, cache: &cache.join("cargo-freeze") };
    made.bundle(&options, &onefile, &mut progress)
}

/// Everything that can be known to fail before the build starts: the
/// destination (taken without --clean, or by another kind of bundle), the
/// tools the options ask for (strip, UPX; neither for macOS), cargo-zigbuild
/// and zig for a macOS target on another OS, the `--add-data`/`--add-binary`
/// sources, and for a one-file, a C compiler for the bootloader unless it
/// is cached.
fn preflight(
    args: &BundleArgs,
    settings: &Settings,
    dist: &Path,
    name: &str,
    triple: &str,
    cache: &Path,
) -> Result<(), Error> {
    let onefile_out = onefile_step::out_path(dist, name, triple);
    match args.onefile {
        true => crate::bundle::onefile::check_destination(&onefile_out, settings.clean)?,
        false => onedir::check_destination(&dist.join(name), name, settings.clean)?,
    }
    crate::bundle::preflight::check(settings.strip, triple, settings.upx.as_ref())?;
    if cargo::zig::needed(Some(triple)) {
        cargo::zig::program(triple)?;
    }
    if args.onefile {
        crate::bundle::onefile::bootloader_prerequisites(triple, cache)?;
    }
    settings.check_sources()
}

/// Why a binary built for `target` cannot run on this host (`None`: it can).
fn foreign_target(target: Option<&str>) -> Result<Option<String>, Error> {
    let Some(target) = target else { return Ok(None) };
    let host = host_triple()?;
    Ok((target != host).then(|| format!("built for {target}, which this {host} host cannot run")))
}

/// What the bundling step needs once the gate has passed.
struct Made<'a> {
    args: &'a BundleArgs,
    config: &'a Config,
    /// The binary's name (its probe settings are keyed by it).
    bin: &'a str,
    check: Option<&'a report::CheckReport>,
    foreign: Option<&'a str>,
    style: Style,
    built: report::Built<'a>,
}

impl Made<'_> {
    /// Assembles (and packs), probes the bundle, prints the summary.
    fn bundle(
        &self,
        options: &OnedirOptions,
        target: &onefile_step::Target<'_>,
        progress: &mut report::Progress,
    ) -> Result<u8, Error> {
        let name = &options.name;
        let runnable = self.check.is_some() && self.foreign.is_none();
        let verifier = runnable.then(|| gate::upx_verifier(self.config, self.bin)).flatten();
        let verify = verifier.as_ref().map(|v| v as &Verify<'_>);
        let probe = |bundled: &Path, progress: &mut report::Progress| -> Result<Option<ProbeReport>, Error> {
            if !runnable {
                return Ok(None);
            }
            progress.step("Probing", &format!("the bundle {}", bundled.display()));
            let probed = gate::after(bundled, self.config, self.bin);
            progress.finish();
            probed
        };
        let (json, style, built) = (self.args.message_format == MessageFormat::Json, self.style, &self.built);
        let mut out = std::io::stdout().lock();
        let written = if self.args.onefile {
            let (packed, tree) = onefile_step::make(options, target, verify, progress)?;
            let after = probe(&packed.out, progress)?;
            progress.finish();
            let gate = report::Gate { check: self.check, bundle_probe: after.as_ref(), bundle_skipped: self.foreign };
            match json {
                true => report::onefile_json(&packed, &tree, &sha256_of(&packed.out)?, &gate, built, &mut out),
                false => report::onefile_human(&packed, style, built, &mut out)
                    .and_then(|()| report::gate_human(&gate, style, &mut out)),
            }
        } else {
            let result = onedir::assemble_verified(options, verify)?;
            let after = probe(&options.dist.join(name).join(name), progress)?;
            progress.finish();
            let gate = report::Gate { check: self.check, bundle_probe: after.as_ref(), bundle_skipped: self.foreign };
            match json {
                true => report::bundle_json(&result, &gate, built, &mut out),
                false => report::bundle_human(&result, style, built, &mut out)
                    .and_then(|()| report::gate_human(&gate, style, &mut out)),
            }
        };
        written.map_err(Error::Output)?;
        Ok(exit::CLEAN)
    }
}

/// Prints why the gate refused (the check's findings) and says so.
fn refuse(check: &report::CheckReport, name: &str, json: bool, style: Style) -> Result<u8, Error> {
    let format = if json { report::Format::Json } else { report::Format::Human };
    report::check(check, format, style, &mut std::io::stdout().lock()).map_err(Error::Output)?;
    report::refused(name, style.color);
    Ok(exit::FINDINGS)
}

/// The one binary a bundle holds, from the package and target flags.
fn select_one<'w>(
    workspace: &'w cargo::Workspace,
    args: &BundleArgs,
) -> Result<(&'w cargo::Package, &'w cargo::Target, TargetKind), Error> {
    let packages = select_packages(workspace, &args.cargo)?;
    let mut selected = Vec::new();
    for package in &packages {
        for (target, kind) in select_targets(package, &args.target.as_target_args(), &packages)? {
            selected.push((*package, target, kind));
        }
    }
    match selected.as_slice() {
        [one] => Ok(*one),
        _ => {
            let names: Vec<_> = selected.iter().map(|(_, t, _)| t.name.clone()).collect();
            Err(Error::NotOneBinary { found: names.join(", ") })
        }
    }
}

/// Builds the one binary, with the bundle's run path linked in (ELF: no
/// editing of the executable afterwards, which UPX could not pack; macOS:
/// `@executable_path/lib` and header room for install names). A macOS
/// target on another OS is built through cargo-zigbuild.
fn build(args: &BundleArgs, unit: &Unit, profile: cargo::Profile) -> Result<cargo::Artifact, Error> {
    let target = args.cargo.target.as_deref();
    let mut built = cargo::build(&BuildRequest {
        manifest_path: args.cargo.manifest_path.clone(),
        units: vec![unit.clone()],
        target: args.cargo.target.clone(),
        profile,
        quiet: args.cargo.quiet,
        color: None,
        target_dir: None,
        // A Windows program finds its DLLs beside itself: no run path.
        rustc_args: match target {
            Some(t) if t.contains("-apple-") => crate::bundle::install_name::link_args(),
            None if cfg!(target_os = "macos") => crate::bundle::install_name::link_args(),
            None => crate::bundle::runpath::link_args(),
            Some(t) if t.contains("-linux-") => crate::bundle::runpath::link_args(),
            Some(_) => Vec::new(),
        },
        env: Vec::new(),
        zig: cargo::zig::needed(target),
    })?;
    Ok(built.remove(0))
}

/// The sha256 of a written artifact, for the JSON summary.
fn sha256_of(path: &Path) -> Result<String, Error> {
    use sha2::Digest;
    let bytes = fs_err::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    Ok(sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect())
}
