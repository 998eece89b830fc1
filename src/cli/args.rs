//! Flags shared by every subcommand: cargo's package and target selection,
//! compilation and display options.

use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Target selection, as in `cargo build`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Target Selection")]
pub(crate) struct TargetArgs {
    /// Check only the named binary (repeatable).
    #[arg(long = "bin", value_name = "NAME")]
    pub(crate) bin: Vec<String>,
    /// Check all binaries (the default).
    #[arg(long)]
    pub(crate) bins: bool,
    /// Check the named example (repeatable).
    #[arg(long = "example", value_name = "NAME")]
    pub(crate) example: Vec<String>,
    /// Check all examples.
    #[arg(long)]
    pub(crate) examples: bool,
}

/// The cargo flags every subcommand accepts.
#[derive(Debug, Args)]
#[command(next_help_heading = "Package Selection")]
pub(crate) struct CargoArgs {
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub(crate) manifest_path: Option<PathBuf>,
    /// Package to check (repeatable).
    #[arg(short = 'p', long = "package", value_name = "SPEC")]
    pub(crate) package: Vec<String>,
    /// Check all packages in the workspace.
    #[arg(long)]
    pub(crate) workspace: bool,
    /// Exclude packages from --workspace (repeatable).
    #[arg(long, value_name = "SPEC", requires = "workspace")]
    pub(crate) exclude: Vec<String>,
    /// Target triple (used by the build steps; the static check reads all cfgs).
    #[arg(long, value_name = "TRIPLE", help_heading = "Compilation Options")]
    pub(crate) target: Option<String>,
    /// Release profile (used by the build steps).
    #[arg(long, short = 'r', conflicts_with = "profile", help_heading = "Compilation Options")]
    pub(crate) release: bool,
    /// Build profile (used by the build steps).
    #[arg(long, value_name = "NAME", help_heading = "Compilation Options")]
    pub(crate) profile: Option<String>,
    /// Coloring.
    #[arg(long, value_enum, default_value_t = Color::Auto, env = "CARGO_TERM_COLOR", help_heading = "Display Options")]
    pub(crate) color: Color,
    /// Print only errors.
    #[arg(short, long, conflicts_with = "verbose", help_heading = "Display Options")]
    pub(crate) quiet: bool,
    /// Print why each binary got its verdict.
    #[arg(short, long, help_heading = "Display Options")]
    pub(crate) verbose: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}

impl CargoArgs {
    /// Package selection only (for commands that build nothing).
    pub(crate) fn selecting(manifest_path: Option<PathBuf>, package: Vec<String>, workspace: bool) -> CargoArgs {
        CargoArgs {
            manifest_path,
            package,
            workspace,
            exclude: Vec::new(),
            target: None,
            release: false,
            profile: None,
            color: Color::Auto,
            quiet: false,
            verbose: false,
        }
    }
}
