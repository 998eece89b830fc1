//! The command line: clap derive in the cargo-subcommand shape (`cargo freeze
//! check` runs `cargo-freeze freeze check`). Turns flags and
//! `[package.metadata.freeze]` into each room's options, calls the room,
//! hands the result to `report`, and picks the exit code. One file per
//! subcommand; the rooms meet only here.

mod args;
mod bundle;
mod bundle_onefile;
mod bundle_settings;
mod cache;
mod check;
mod completions;
mod deeper;
mod fix;
mod gate;
mod init;
mod inspect;
mod probe;
mod probe_step;
mod reach;
mod select;
mod workflow;
mod write;

use crate::error::exit;
use crate::report;
use args::Color;
use clap::{Args, Parser, Subcommand};
use std::ffi::OsString;
use std::io::IsTerminal;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo", styles = clap_cargo_styles())]
enum CargoCli {
    Freeze(FreezeArgs),
}

/// Check that self-spawning binaries install their child-dispatch guard, probe them for spawn
/// storms, and bundle them (`cargo freeze --onedir`).
#[derive(Debug, Args)]
#[command(version, about, long_about = None, args_conflicts_with_subcommands = true)]
// The shared cargo flags, described for bundles (`check` has its own words).
#[command(
    mut_arg("package", |a| a.help("Package of the binary to bundle")),
    mut_arg("workspace", |a| a.help("Select from all packages in the workspace")),
    mut_arg("release", |a| a.help("Release profile (the default for bundles)")),
    mut_arg("profile", |a| a.help("Build profile (default: release)")),
    mut_arg("verbose", |a| a.help("Print more")),
)]
struct FreezeArgs {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    bundle: Box<bundle::BundleArgs>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Find binaries that spawn themselves without a child-dispatch guard.
    Check(Box<check::CheckArgs>),
    /// Run any command under a process cap; detect and kill spawn storms.
    Probe(probe::ProbeArgs),
    /// Show (and verify, optionally extract) a one-file bundle.
    Inspect(inspect::InspectArgs),
    /// Add a commented [package.metadata.freeze] section to Cargo.toml (and a CI workflow).
    Init(init::InitArgs),
    /// List the one-file extractions on this machine, or prune them.
    Cache(cache::CacheArgs),
    /// Print a shell completion script for the cargo-freeze executable.
    Completions(completions::CompletionsArgs),
}

fn clap_cargo_styles() -> clap::builder::Styles {
    use clap::builder::styling::{AnsiColor, Effects};
    clap::builder::Styles::styled()
        .header(AnsiColor::Green.on_default().effects(Effects::BOLD))
        .usage(AnsiColor::Green.on_default().effects(Effects::BOLD))
        .literal(AnsiColor::Cyan.on_default().effects(Effects::BOLD))
        .placeholder(AnsiColor::Cyan.on_default())
}

/// Entry point: parses `args` (argv including `argv[0]`) and runs the command.
pub fn run(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args = with_subcommand_name(args.into_iter().collect());
    // What came after `freeze`, to tell a bare `cargo freeze` from flags
    // that need a mode.
    let args_given: Vec<String> = args.iter().skip(2).map(|a| a.to_string_lossy().into_owned()).collect();
    let cli = match CargoCli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { exit::FAILURE } else { exit::CLEAN });
        }
    };
    let CargoCli::Freeze(freeze) = cli;
    let (result, color) = match freeze.command {
        None if freeze.bundle.onedir || freeze.bundle.onefile => {
            let color = use_color(freeze.bundle.cargo.color, std::io::stderr().is_terminal());
            (bundle::run(&freeze.bundle), color)
        }
        None => return usage(&args_given),
        Some(Command::Check(check_args)) => {
            let color = use_color(check_args.cargo.color, std::io::stderr().is_terminal());
            (check::run(&check_args), color)
        }
        Some(Command::Probe(probe_args)) => {
            let color = use_color(probe::color(&probe_args), std::io::stderr().is_terminal());
            (probe::run(&probe_args), color)
        }
        Some(Command::Inspect(inspect_args)) => (inspect::run(&inspect_args), false),
        Some(Command::Init(init_args)) => (init::run(&init_args), std::io::stderr().is_terminal()),
        Some(Command::Cache(cache_args)) => (cache::run(&cache_args), std::io::stderr().is_terminal()),
        Some(Command::Completions(completions_args)) => (completions::run(&completions_args), false),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            report::failure(&err, color);
            ExitCode::from(err.exit_code())
        }
    }
}

/// No subcommand and no `--onedir`/`--onefile`: bare, the help (with its
/// usage as `cargo freeze`); with flags, an error that says what they need.
fn usage(given: &[String]) -> ExitCode {
    use clap::CommandFactory;
    let mut cmd = CargoCli::command();
    // Building propagates the bin name: "Usage: cargo freeze ...".
    cmd.build();
    let freeze = cmd.find_subcommand_mut("freeze").expect("the freeze subcommand");
    if given.is_empty() {
        let _ = freeze.print_help();
        return ExitCode::from(exit::FAILURE);
    }
    let message = format!(
        "`cargo freeze {}` needs a mode: add --onedir or --onefile to bundle the binary\n\n\
         tip: `cargo freeze check` builds and probes instead (it takes --release, --bin and cargo's other flags)",
        given.join(" ")
    );
    let _ = clap::Error::raw(clap::error::ErrorKind::MissingRequiredArgument, message).format(freeze).print();
    ExitCode::from(exit::FAILURE)
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
