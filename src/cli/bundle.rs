//! `cargo freeze --onedir`: builds one binary with cargo (artifact path and
//! build-script link directories from `--message-format=json`), then lays
//! it out with the shared libraries it needs (the `bundle` room) and prints
//! the summary or the JSON manifest.

use super::args::{CargoArgs, TargetArgs};
use super::gate;
use super::select::{select_packages, select_targets};
use super::use_color;
use crate::bundle::Verify;
use crate::bundle::data::Extra;
use crate::bundle::onedir::{self, OnedirOptions, UpxOptions};
use crate::bundle::onefile::{PackOptions, PackReport, pack};
use crate::cargo::{self, BuildRequest, Profile, Unit};
use crate::config::{Config, UpxConfig};
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
    /// Build the binary and lay it out as DIST/NAME/ with the shared libraries it needs.
    #[arg(long)]
    pub(crate) onedir: bool,
    /// Like --onedir, packed behind a self-extracting bootloader into the single file DIST/NAME.
    #[arg(long)]
    pub(crate) onefile: bool,
    /// One-file extraction root: {cache}, {tmp}, {name}, {hash} (default {cache}/cargo-freeze/{name}-{hash}).
    #[arg(long, value_name = "SPEC", requires = "onefile")]
    runtime_dir: Option<String>,
    /// Bundle name (default: the binary's name).
    #[arg(long, value_name = "NAME", requires = "mode")]
    name: Option<String>,
    /// Where bundles go (default: target/freeze under the workspace root).
    #[arg(long, value_name = "DIR", requires = "mode")]
    dist: Option<PathBuf>,
    /// Copy a file or directory into the bundle: SRC:DEST, DEST relative to the bundle (repeatable).
    #[arg(long = "add-data", value_name = "SRC:DEST", requires = "mode")]
    add_data: Vec<String>,
    /// Like --add-data, for executables and libraries the program loads itself (repeatable).
    #[arg(long = "add-binary", value_name = "SRC:DEST", requires = "mode")]
    add_binary: Vec<String>,
    /// Leave libraries matching this glob to the host, on top of the built-in policy (repeatable).
    #[arg(long = "exclude-lib", value_name = "GLOB", requires = "mode")]
    exclude_lib: Vec<String>,
    /// Replace an existing bundle of the same name.
    #[arg(long, requires = "mode")]
    clean: bool,
    /// Strip the bundle's copies of the executable and libraries (debug info, static symbols).
    #[arg(long, requires = "mode")]
    strip: bool,
    /// Compress executables with UPX found on PATH.
    #[arg(long, requires = "mode")]
    upx: bool,
    /// Compress with DIR/upx (implies --upx).
    #[arg(long, value_name = "DIR", requires = "mode")]
    upx_dir: Option<PathBuf>,
    /// Do not compress, whatever else says so.
    #[arg(long, requires = "mode", conflicts_with_all = ["upx", "upx_dir"])]
    noupx: bool,
    /// Leave files matching this glob (bundle-relative path) uncompressed (repeatable).
    #[arg(long = "upx-exclude", value_name = "GLOB", requires = "mode")]
    upx_exclude: Vec<String>,
    /// UPX's arguments (default "--best --lzma").
    #[arg(long, value_name = "ARGS", requires = "mode", allow_hyphen_values = true)]
    upx_args: Option<String>,
    /// Compress shared libraries too (packed .so files are known to crash when loaded on Linux).
    #[arg(long, requires = "mode")]
    upx_libs: bool,
    /// Bundle even if the static check or the probe finds a spawn storm.
    #[arg(long, requires = "mode")]
    no_check: bool,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = MessageFormat::Human, requires = "mode")]
    message_format: MessageFormat,
    #[command(flatten)]
    targets: TargetArgs,
    #[command(flatten)]
    pub(crate) cargo: CargoArgs,
}

/// Nested launches of one bundle allowed before the bootloader's storm
/// fuse refuses (a guarded program's workers come back through it once).
const FUSE_LIMIT: u32 = 8;

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
    let mut progress =
        report::Progress::stderr(args.cargo.quiet, use_color(args.cargo.color, std::io::stderr().is_terminal()));
    progress.plain_step("Building", &format!("{} with cargo", unit.name));
    let artifact = build(args, unit)?;
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
    let options = settings.into_options(&unit.name, &artifact, &workspace.root);
    let what = if options.upx.is_some() { "libraries, copy, UPX" } else { "libraries, copy" };
    progress.step("Bundling", &format!("{}: {what}", unit.name));
    let made =
        Made { args, config: &config, bin: &unit.name, check: check.as_ref(), foreign: foreign.as_deref(), style };
    made.bundle(&options, runtime_dir, &workspace.root, &mut progress)
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
}

impl Made<'_> {
    /// Assembles (and packs), probes the bundle, prints the summary.
    fn bundle(
        &self,
        options: &OnedirOptions,
        runtime_dir: Option<String>,
        root: &Path,
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
        let (json, style, mut out) =
            (self.args.message_format == MessageFormat::Json, self.style, std::io::stdout().lock());
        let written = if self.args.onefile {
            let (packed, tree) = onefile(options, self.args, runtime_dir, verify, root, progress)?;
            let after = probe(&packed.out, progress)?;
            progress.finish();
            let gate = report::Gate { check: self.check, bundle_probe: after.as_ref(), bundle_skipped: self.foreign };
            match json {
                true => report::onefile_json(&packed, &tree, &sha256_of(&packed.out)?, &gate, &mut out),
                false => report::onefile_human(&packed, style, &mut out)
                    .and_then(|()| report::gate_human(&gate, style, &mut out)),
            }
        } else {
            let result = onedir::assemble_verified(options, verify)?;
            let after = probe(&options.dist.join(name).join(name), progress)?;
            progress.finish();
            let gate = report::Gate { check: self.check, bundle_probe: after.as_ref(), bundle_skipped: self.foreign };
            match json {
                true => report::bundle_json(&result, &gate, &mut out),
                false => report::bundle_human(&result, style, &mut out)
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
        for (target, kind) in select_targets(package, &args.targets, &packages)? {
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

/// Builds the one binary, with the bundle's run path linked in: no
/// patching of the executable afterwards, which UPX could not pack.
fn build(args: &BundleArgs, unit: &Unit) -> Result<cargo::Artifact, Error> {
    let mut built = cargo::build(&BuildRequest {
        manifest_path: args.cargo.manifest_path.clone(),
        units: vec![unit.clone()],
        target: args.cargo.target.clone(),
        profile: Profile::from_flags(args.cargo.release, args.cargo.profile.as_deref()),
        quiet: args.cargo.quiet,
        color: None,
        target_dir: None,
        // ELF only: a Windows program finds its DLLs beside itself.
        rustc_args: match args.cargo.target.as_deref().is_none_or(|t| t.contains("-linux-")) {
            true => vec!["-C".to_string(), format!("link-arg=-Wl,-rpath,{}", onedir::EXE_RUNPATH)],
            false => Vec::new(),
        },
        env: Vec::new(),
    })?;
    Ok(built.remove(0))
}

/// The one-dir tree staged beside the destination, then packed into the
/// single file `DIST/NAME` (written atomically; the stage is removed).
fn onefile(
    options: &OnedirOptions,
    args: &BundleArgs,
    runtime_dir: Option<String>,
    verify: Option<&Verify<'_>>,
    root: &std::path::Path,
    progress: &mut report::Progress,
) -> Result<(PackReport, onedir::BundleReport), Error> {
    let windows = args.cargo.target.as_deref().is_some_and(|t| t.contains("-windows-"));
    let dest = options.dist.join(if windows { onedir::exe_name(&options.name) } else { options.name.clone() });
    if dest.exists() && !options.clean {
        return Err(crate::bundle::Error::Exists { path: dest }.into());
    }
    let stage = options.dist.join(format!(".{}.onefile-{}", options.name, std::process::id()));
    let staged = OnedirOptions { dist: stage.clone(), clean: true, ..options.clone() };
    let packed = onedir::assemble_verified(&staged, verify).map_err(Error::from).and_then(|tree| {
        let target = match &args.cargo.target {
            Some(t) => t.clone(),
            None => host_triple()?,
        };
        let target_dir = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
        progress.step("Packing", &format!("{} behind the bootloader ({target})", options.name));
        let packed = pack(&PackOptions {
            tree_dir: stage.join(&options.name),
            name: options.name.clone(),
            target,
            runtime_dir,
            fuse_limit: FUSE_LIMIT,
            cache_dir: target_dir.join("cargo-freeze"),
            out: dest,
            upx: options.upx.clone(),
        })?;
        Ok((packed, tree))
    });
    let _ = fs_err::remove_dir_all(&stage);
    packed
}

/// The sha256 of a written artifact, for the JSON summary.
fn sha256_of(path: &Path) -> Result<String, Error> {
    use sha2::Digest;
    let bytes = fs_err::read(path).map_err(|source| Error::Read { path: path.to_path_buf(), source })?;
    Ok(sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect())
}

/// The host's target triple, from `rustc -vV`.
fn host_triple() -> Result<String, Error> {
    let version = cargo::rustc_version()?;
    Ok(version.lines().find_map(|l| l.strip_prefix("host: ")).unwrap_or("x86_64-unknown-linux-gnu").to_string())
}

/// Flags over `[package.metadata.freeze]`: a flag given wins; paths from
/// the manifest are relative to the package's directory.
struct Settings {
    name: Option<String>,
    dist: Option<PathBuf>,
    data: Vec<Extra>,
    binaries: Vec<Extra>,
    exclude_lib: Vec<String>,
    clean: bool,
    runtime_dir: Option<String>,
    upx: Option<UpxOptions>,
    strip: bool,
}

impl Settings {
    fn into_options(self, bin: &str, artifact: &cargo::Artifact, root: &Path) -> OnedirOptions {
        OnedirOptions {
            binary: artifact.executable.clone(),
            name: self.name.unwrap_or_else(|| bin.to_string()),
            dist: self.dist.unwrap_or_else(|| root.join("target/freeze")),
            data: self.data,
            binaries: self.binaries,
            exclude_lib: self.exclude_lib,
            clean: self.clean,
            search_dirs: artifact.link_dirs.clone(),
            upx: self.upx,
            strip: self.strip,
        }
    }

    fn merge(args: &BundleArgs, full: &Config, package_dir: &Path) -> Result<Settings, Error> {
        let config = &full.bundle;
        let extras = |flags: &[String], keys: &[String]| -> Result<Vec<Extra>, Error> {
            if !flags.is_empty() {
                return flags.iter().map(|s| Extra::parse(s).map_err(Error::from)).collect();
            }
            keys.iter()
                .map(|s| {
                    Extra::parse(s).map(|e| Extra { src: package_dir.join(&e.src), dest: e.dest }).map_err(Error::from)
                })
                .collect()
        };
        let mut exclude_lib = config.exclude_lib.clone();
        exclude_lib.extend(args.exclude_lib.iter().cloned());
        Ok(Settings {
            name: args.name.clone().or_else(|| config.name.clone()),
            dist: args.dist.clone().or_else(|| config.dist.as_ref().map(|d| package_dir.join(d))),
            data: extras(&args.add_data, &config.add_data)?,
            binaries: extras(&args.add_binary, &config.add_binary)?,
            exclude_lib,
            clean: args.clean || config.clean == Some(true),
            runtime_dir: args.runtime_dir.clone().or_else(|| config.runtime_dir.clone()),
            upx: upx_options(args, &full.upx, package_dir),
            strip: args.strip || config.strip == Some(true),
        })
    }
}

/// `--upx`/`--upx-dir` and friends over the `upx*` keys; `--noupx` wins.
fn upx_options(args: &BundleArgs, config: &UpxConfig, package_dir: &Path) -> Option<UpxOptions> {
    let dir = args.upx_dir.clone().or_else(|| config.dir.as_ref().map(|d| package_dir.join(d)));
    let wanted = args.upx || dir.is_some() || config.enabled == Some(true);
    if args.noupx || !wanted {
        return None;
    }
    let upx_args = args.upx_args.as_deref().or(config.args.as_deref());
    let mut exclude = config.exclude.clone();
    exclude.extend(args.upx_exclude.iter().cloned());
    Some(UpxOptions {
        dir,
        args: upx_args.map(|a| a.split_whitespace().map(str::to_string).collect()).unwrap_or_default(),
        libs: args.upx_libs || config.libs == Some(true),
        exclude,
    })
}
