//! bpaf's generated parser functions and the `OptionParser` methods that run
//! them: `biome_command().fallback_to_usage().run()` is the parsed argv, as
//! `Cli::parse()` is for clap, so a `match` on it tests the child's argv.

use super::index::Program;
use super::ir::Name;
use super::value::Val;

/// Methods of bpaf's `Parser`/`OptionParser` that keep the parser or give
/// the parsed value (`run_inner` parses the argv it is handed; like clap's
/// `parse_from`, it is taken for the process's own).
const RUNS: &[&str] = &[
    "run",
    "run_inner",
    "try_run",
    "fallback_to_usage",
    "to_options",
    "descr",
    "header",
    "footer",
    "version",
    "usage",
    "with_usage",
    "max_width",
];

/// `x_command()` (or `commands::x_command()`), a function that a
/// `#[derive(Bpaf)]` on type `XCommand` generates: the parsed `XCommand`.
pub(crate) fn parser_call(prog: &Program<'_>, canon: &[Name]) -> Option<Val> {
    let last = canon.last()?;
    let ty = prog.clap_names.parser_type(last.as_str())?;
    Some(Val::Clap(Some(ty.to_string())))
}

/// `.fallback_to_usage()`, `.run()` on a bpaf-derived type's parser: still
/// the parsed value. Only for types bpaf derives, so a clap type's own
/// `run` method is never skipped.
pub(crate) fn run_method(prog: &Program<'_>, recv: &Val, name: &str) -> Option<Val> {
    let Val::Clap(Some(ty)) = recv else { return None };
    (RUNS.contains(&name) && prog.clap_names.has_parser(ty)).then(|| recv.clone())
}
