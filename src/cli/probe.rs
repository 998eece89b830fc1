//! `cargo freeze probe -- CMD [ARGS...]`: runs any command under the
//! spawn-storm probe and reports what happened. Exit 1 on a storm.

use super::args::Color;
use super::use_color;
use crate::error::{Error, exit};
use crate::probe::{self, Verdict};
use crate::report::{self, Style};
use clap::{Args, ValueEnum};
use std::ffi::OsString;
use std::io::IsTerminal;
use std::time::Duration;

/// Probe defaults, shared with `check`'s probe step and the config.
pub(crate) const DEFAULT_CAP: u32 = 512;
pub(crate) const DEFAULT_DEPTH: u32 = 4;
/// Detached relaunches of the program that make a storm: a daemon forks
/// itself away once or twice; a double-fork chain does it hundreds of
/// times a second.
pub(crate) const DEFAULT_DETACHED: u32 = 16;
pub(crate) const DEFAULT_TIMEOUT_SECS: f64 = 10.0;
/// The watchdog polls at least this often (measured: storms fill a
/// 64-task cap in 40-160 ms; depth 4 shows in ~10-25 ms).
pub(crate) const POLL: Duration = Duration::from_millis(2);

#[derive(Debug, Args)]
pub(crate) struct ProbeArgs {
    /// Hard cap on tasks (processes and threads) in the tree.
    #[arg(long, default_value_t = DEFAULT_CAP, value_name = "TASKS")]
    cap: u32,
    /// Same-executable nesting that counts as a storm.
    #[arg(long, default_value_t = DEFAULT_DEPTH, value_name = "D")]
    max_depth: u32,
    /// Copies of the program started detached from their parent (double forks) that count as a storm.
    #[arg(long, default_value_t = DEFAULT_DETACHED, value_name = "N")]
    max_detached: u32,
    /// Seconds to let the command run before ending it (`timeout` verdict).
    #[arg(long, default_value_t = DEFAULT_TIMEOUT_SECS, value_name = "SECS")]
    timeout: f64,
    /// Run with the watchdog alone when no hard cap (cgroup, RLIMIT_NPROC) is available.
    #[arg(long)]
    allow_uncontained: bool,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = ProbeFormat::Human)]
    format: ProbeFormat,
    /// Coloring.
    #[arg(long, value_enum, default_value_t = Color::Auto, env = "CARGO_TERM_COLOR")]
    color: Color,
    /// Print only the verdict.
    #[arg(short, long, conflicts_with = "verbose")]
    quiet: bool,
    /// Also say why stronger containment layers were skipped.
    #[arg(short, long)]
    verbose: bool,
    /// The command to probe, after `--`.
    #[arg(required = true, last = true, value_name = "CMD")]
    command: Vec<OsString>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ProbeFormat {
    Human,
    Json,
}

pub(crate) fn color(args: &ProbeArgs) -> Color {
    args.color
}

/// A `--timeout` in seconds as a duration, or the error naming it.
pub(crate) fn timeout(secs: f64) -> Result<Duration, probe::Error> {
    Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero() && *d <= probe::MAX_TIMEOUT)
        .ok_or(probe::Error::BadTimeout { secs })
}

pub(crate) fn run(args: &ProbeArgs) -> Result<u8, Error> {
    let (program, rest) = args.command.split_first().expect("clap requires a command");
    let options = probe::Options {
        program: program.clone(),
        args: rest.to_vec(),
        env: Vec::new(),
        cap: args.cap,
        max_depth: args.max_depth,
        max_detached: args.max_detached,
        timeout: timeout(args.timeout)?,
        poll: POLL,
        allow_uncontained: args.allow_uncontained,
    };
    let mut progress =
        report::Progress::terminal_only(args.quiet, use_color(args.color, std::io::stderr().is_terminal()));
    progress.step("Probing", &program.to_string_lossy());
    let result = probe::run(&options);
    progress.finish();
    let result = result?;
    let style = Style {
        color: use_color(args.color, std::io::stdout().is_terminal()),
        quiet: args.quiet,
        verbose: args.verbose,
    };
    let mut stdout = std::io::stdout().lock();
    let written = match args.format {
        ProbeFormat::Human => report::probe_human(&result, style, &mut stdout),
        ProbeFormat::Json => report::probe_json(&result, &mut stdout),
    };
    match written {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.map_err(Error::Output)?,
    }
    Ok(if result.verdict == Verdict::Storm { exit::FINDINGS } else { exit::CLEAN })
}
