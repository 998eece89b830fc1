//! The command line: clap derive in the cargo-subcommand shape (`cargo freeze
//! check` runs `cargo-freeze freeze check`). Turns flags and
//! `[package.metadata.freeze]` into each room's options, calls the room,
//! hands the result to `report`, and picks the exit code.

use crate::cargo::{self, Package, Workspace};
use crate::config::Config;
use crate::diag::{Code, Diagnostic, Level};
use crate::error::{Error, exit};
use crate::lint;
use crate::report::{self, Format, Style};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo", styles = clap_cargo_styles())]
enum CargoCli {
    Freeze(FreezeArgs),
}

/// Check that self-spawning binaries install their child-dispatch guard.
#[derive(Debug, Args)]
#[command(version, about, long_about = None)]
struct FreezeArgs {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Find binaries that spawn themselves without a child-dispatch guard.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// Only the static analysis (no build, no run). Today the check is static only.
    #[arg(long = "static")]
    static_only: bool,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Set a diagnostic code to allow (repeatable).
    #[arg(short = 'A', long = "allow", value_name = "CODE")]
    allow: Vec<String>,
    /// Set a diagnostic code to warn (repeatable).
    #[arg(short = 'W', long = "warn", value_name = "CODE")]
    warn: Vec<String>,
    /// Set a diagnostic code to deny (repeatable).
    #[arg(short = 'D', long = "deny", value_name = "CODE")]
    deny: Vec<String>,
    #[command(flatten)]
    targets: TargetArgs,
    #[command(flatten)]
    cargo: CargoArgs,
}

/// Target selection, as in `cargo build`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Target Selection")]
struct TargetArgs {
    /// Check only the named binary (repeatable).
    #[arg(long = "bin", value_name = "NAME")]
    bin: Vec<String>,
    /// Check all binaries (the default).
    #[arg(long)]
    bins: bool,
    /// Check the named example (repeatable).
    #[arg(long = "example", value_name = "NAME")]
    example: Vec<String>,
    /// Check all examples.
    #[arg(long)]
    examples: bool,
}

/// The cargo flags every subcommand accepts.
#[derive(Debug, Args)]
#[command(next_help_heading = "Package Selection")]
struct CargoArgs {
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    manifest_path: Option<PathBuf>,
    /// Package to check (repeatable).
    #[arg(short = 'p', long = "package", value_name = "SPEC")]
    package: Vec<String>,
    /// Check all packages in the workspace.
    #[arg(long)]
    workspace: bool,
    /// Exclude packages from --workspace (repeatable).
    #[arg(long, value_name = "SPEC", requires = "workspace")]
    exclude: Vec<String>,
    /// Target triple (used by the build steps; the static check reads all cfgs).
    #[arg(long, value_name = "TRIPLE", help_heading = "Compilation Options")]
    target: Option<String>,
    /// Release profile (used by the build steps).
    #[arg(long, short = 'r', conflicts_with = "profile", help_heading = "Compilation Options")]
    release: bool,
    /// Build profile (used by the build steps).
    #[arg(long, value_name = "NAME", help_heading = "Compilation Options")]
    profile: Option<String>,
    /// Coloring.
    #[arg(long, value_enum, default_value_t = Color::Auto, env = "CARGO_TERM_COLOR", help_heading = "Display Options")]
    color: Color,
    /// Print only errors.
    #[arg(short, long, conflicts_with = "verbose", help_heading = "Display Options")]
    quiet: bool,
    /// Print why each binary got its verdict.
    #[arg(short, long, help_heading = "Display Options")]
    verbose: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn clap_cargo_styles() -> clap::builder::Styles {
    use clap::builder::styling::{AnsiColor, Effects};
    clap::builder::Styles::styled()
        .header(AnsiColor::Green.on_default().effects(Effects::BOLD))
        .usage(AnsiColor::Green.on_default().effects(Effects::BOLD))
        .literal(AnsiColor::Cyan.on_default().effects(Effects::BOLD))
        .placeholder(AnsiColor::Cyan.on_default())
}

/// Entry point: parses `args` (argv including argv[0]) and runs the command.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args = with_subcommand_name(args.into_iter().collect());
    let cli = match CargoCli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { exit::FAILURE } else { exit::CLEAN });
        }
    };
    let CargoCli::Freeze(freeze) = cli;
    let (result, color) = match freeze.command {
        Command::Check(check_args) => {
            let color = use_color(check_args.cargo.color, std::io::stderr().is_terminal());
            (check(&check_args), color)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            report::failure(&err, color);
            ExitCode::from(exit::FAILURE)
        }
    }
}

/// `cargo freeze x` runs `cargo-freeze freeze x`; accept `cargo-freeze x` too.
fn with_subcommand_name(mut args: Vec<OsString>) -> Vec<OsString> {
    if args.get(1).is_none_or(|a| a != "freeze") {
        args.insert(1.min(args.len()), OsString::from("freeze"));
    }
    args
}

fn use_color(choice: Color, is_terminal: bool) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => is_terminal && std::env::var_os("NO_COLOR").is_none(),
    }
}

fn check(args: &CheckArgs) -> Result<u8, Error> {
    let overrides = level_flags(args)?;
    let workspace = cargo::workspace(args.cargo.manifest_path.as_deref())?;
    let packages = select_packages(&workspace, &args.cargo)?;
    let mut binaries = Vec::new();
    let mut configs = Vec::new();
    for package in &packages {
        let config = Config::from_metadata(package.freeze_metadata.as_ref(), package.manifest_dir.join("Cargo.toml"))?;
        for (target, kind) in select_targets(package, &args.targets, &packages)? {
            binaries.push(binary_input(&workspace, package, target, kind, &config));
        }
        configs.push((package.name.clone(), config));
    }
    if binaries.is_empty() {
        return Err(Error::NoBinaries { root: workspace.root.clone() });
    }
    let options = lint::Options { workspace_root: workspace.root.clone(), binaries };
    let output = lint::run(&options)?;
    let diagnostics = apply_levels(output.diagnostics, &configs, &overrides);
    let denied = diagnostics.iter().any(|d| d.level == Level::Deny);
    let report = report::CheckReport { workspace_root: workspace.root, binaries: output.binaries, diagnostics };
    let style = Style {
        color: use_color(args.cargo.color, std::io::stdout().is_terminal()),
        quiet: args.cargo.quiet,
        verbose: args.cargo.verbose,
    };
    match report::check(&report, args.format, style, &mut std::io::stdout().lock()) {
        // `cargo freeze check | head` is not a failure.
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.map_err(Error::Output)?,
    }
    Ok(if denied { exit::FINDINGS } else { exit::CLEAN })
}

/// `-A/-W/-D CODE`, validated before any work starts.
fn level_flags(args: &CheckArgs) -> Result<Vec<(Code, Level)>, Error> {
    let mut out = Vec::new();
    for (names, level) in [(&args.allow, Level::Allow), (&args.warn, Level::Warn), (&args.deny, Level::Deny)] {
        for name in names {
            let code = Code::parse(name).ok_or_else(|| Error::UnknownCode { name: name.clone() })?;
            out.push((code, level));
        }
    }
    Ok(out)
}

fn select_packages<'w>(workspace: &'w Workspace, args: &CargoArgs) -> Result<Vec<&'w Package>, Error> {
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

fn select_targets<'p>(
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

/// The binary plus every crate its code can call: its own package's library
/// and its path dependencies' libraries.
fn binary_input(
    workspace: &Workspace,
    package: &Package,
    target: &cargo::Target,
    kind: lint::TargetKind,
    config: &Config,
) -> lint::BinaryInput {
    let mut crates = Vec::new();
    if let Some(lib) = &package.lib {
        crates.push(lint::CrateInput { name: lib.name.replace('-', "_"), root: lib.src_path.clone() });
    }
    for (rename, dir) in &package.path_deps {
        if let Some((lib_name, root)) = path_dep_lib(workspace, dir) {
            let name = rename.clone().unwrap_or(lib_name).replace('-', "_");
            crates.push(lint::CrateInput { name, root });
        }
    }
    lint::BinaryInput {
        package: package.name.clone(),
        name: target.name.clone(),
        kind,
        root: target.src_path.clone(),
        crates,
        guards: config.guards.clone(),
    }
}

/// A path dependency's library (name, root): from the workspace metadata
/// when it is a member, else cargo's default `src/lib.rs` named after the
/// directory (metadata ran with `--no-deps`, so outside packages are not
/// described).
fn path_dep_lib(workspace: &Workspace, dir: &Path) -> Option<(String, PathBuf)> {
    let member = workspace.packages.iter().find(|p| same_dir(&p.manifest_dir, dir));
    match member {
        Some(p) => p.lib.as_ref().map(|l| (l.name.clone(), l.src_path.clone())),
        None => {
            let root = dir.join("src/lib.rs");
            let name = dir.file_name()?.to_string_lossy().into_owned();
            root.is_file().then_some((name, root))
        }
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a == b || a.canonicalize().ok().zip(b.canonicalize().ok()).is_some_and(|(a, b)| a == b)
}

/// Package config first, then the command-line flags, which win.
fn apply_levels(
    diagnostics: Vec<Diagnostic>,
    configs: &[(String, Config)],
    overrides: &[(Code, Level)],
) -> Vec<Diagnostic> {
    diagnostics
        .into_iter()
        .filter_map(|mut d| {
            let package = d.binary.as_deref().and_then(|b| b.split('/').next()).unwrap_or("");
            let config = configs.iter().find(|(name, _)| name == package).map(|(_, c)| c);
            for (code, level) in config.map(|c| c.lints.as_slice()).unwrap_or_default().iter().chain(overrides) {
                if *code == d.code {
                    d.level = *level;
                }
            }
            (d.level != Level::Allow).then_some(d)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_invocation_shapes_parse() {
        for argv in [&["cargo-freeze", "freeze", "check"][..], &["cargo-freeze", "check"][..]] {
            let args = with_subcommand_name(argv.iter().map(OsString::from).collect());
            assert!(CargoCli::try_parse_from(args).is_ok(), "{argv:?}");
        }
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        CargoCli::command().debug_assert();
    }
}
