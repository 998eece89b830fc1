//! `cargo freeze check`: the static analysis (the `lint` room) over the
//! selected binaries, levels from config then flags, the report, the exit code.

use super::args::{CargoArgs, TargetArgs};
use super::reach::Members;
use super::select::{select_packages, select_targets};
use super::use_color;
use crate::cargo;
use crate::config::Config;
use crate::diag::{Code, Diagnostic, Level};
use crate::error::{Error, exit};
use crate::lint;
use crate::probe;
use crate::report::{self, Format, Style};
use clap::Args;
use std::io::IsTerminal;

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Only the static analysis: no build, no probe run.
    #[arg(long = "static")]
    pub(crate) static_only: bool,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub(crate) format: Format,
    /// Set a diagnostic code to allow (repeatable).
    #[arg(short = 'A', long = "allow", value_name = "CODE")]
    pub(crate) allow: Vec<String>,
    /// Set a diagnostic code to warn (repeatable).
    #[arg(short = 'W', long = "warn", value_name = "CODE")]
    pub(crate) warn: Vec<String>,
    /// Set a diagnostic code to deny (repeatable).
    #[arg(short = 'D', long = "deny", value_name = "CODE")]
    pub(crate) deny: Vec<String>,
    #[command(flatten)]
    pub(crate) fix: super::fix::FixArgs,
    #[command(flatten)]
    pub(crate) targets: TargetArgs,
    #[command(flatten)]
    pub(crate) cargo: CargoArgs,
}

pub(crate) fn run(args: &CheckArgs) -> Result<u8, Error> {
    let overrides = level_flags(args)?;
    let workspace = cargo::workspace(args.cargo.manifest_path.as_deref())?;
    let packages = select_packages(&workspace, &args.cargo)?;
    let members = Members::new(&workspace);
    let mut binaries = Vec::new();
    let mut units = Vec::new();
    let mut configs = Vec::new();
    let mut editions = Vec::new();
    for package in &packages {
        let config = Config::from_metadata(package.freeze_metadata.as_ref(), package.manifest_dir.join("Cargo.toml"))?;
        for (target, kind) in select_targets(package, &args.targets, &packages)? {
            binaries.push(members.binary_input(package, target, kind, &config));
            editions.push(target.edition.clone());
            let example = kind == lint::TargetKind::Example;
            let unit = cargo::Unit { package: package.name.clone(), name: target.name.clone(), example };
            units.push((unit, config.probe.for_bin(&target.name)));
        }
        configs.push((package.name.clone(), config));
    }
    if binaries.is_empty() {
        return Err(Error::NoBinaries { root: workspace.root.clone() });
    }
    let options = lint::Options { workspace_root: workspace.root.clone(), binaries };
    let mut output = lint::run(&options)?;
    let fix = match args.fix.fix {
        true => Some(super::fix::run(&args.fix, &options, &output, &editions)?),
        false => None,
    };
    if fix.as_ref().is_some_and(|f| f.applied) {
        // What the fix left: the report and the exit code are about the
        // sources as they are now.
        output = lint::run(&options)?;
    }
    let diagnostics = apply_levels(output.diagnostics, &configs, &overrides);
    let probes = match args.static_only {
        true => Vec::new(),
        false => {
            let color = use_color(args.cargo.color, std::io::stderr().is_terminal());
            let mut progress = report::Progress::stderr(args.cargo.quiet, color);
            super::probe_step::run(&units, &args.cargo, &mut progress)?
        }
    };
    let stormed = probes.iter().any(|p| p.report.as_ref().is_some_and(|r| r.verdict == probe::Verdict::Storm));
    let denied = stormed || diagnostics.iter().any(|d| d.level == Level::Deny);
    let report =
        report::CheckReport { workspace_root: workspace.root, binaries: output.binaries, diagnostics, probes, fix };
    let style = Style {
        color: use_color(args.cargo.color, std::io::stdout().is_terminal()),
        quiet: args.cargo.quiet,
        verbose: args.cargo.verbose,
    };
    // Buffered: stdout is line-buffered, and a report of 200 binaries was
    // ~4,600 writes (issue 18).
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match report::check(&report, args.format, style, &mut out).and_then(|()| std::io::Write::flush(&mut out)) {
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

/// Package config first, then the command-line flags, which win.
pub(crate) fn apply_levels(
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
