//! The check gate of `cargo freeze --onedir/--onefile`: before bundling,
//! the static check and the probe run on the built binary, and a finding at
//! deny level (`unguarded-self-spawn`, `marker-mismatch`) or a `storm`
//! refuses the bundle (exit 1, with the findings) unless `--no-check`.
//! After bundling, the bundle itself is probed: the frozen artifact is what
//! users run, and freezing can change how a program finds itself.

use super::check::apply_levels;
use super::probe_step;
use super::reach::Members;
use crate::cargo::{Package, Target, Workspace};
use crate::config::Config;
use crate::diag::Level;
use crate::error::Error;
use crate::lint;
use crate::probe::{self, ProbeReport, Verdict};
use crate::report::{CheckReport, ProbedBinary};
use std::path::Path;

/// The built binary the probe runs, or why it cannot run here.
#[derive(Clone, Copy)]
pub(crate) enum Run<'a> {
    Exe(&'a Path),
    Cannot(&'a str),
}

/// The static check and probe of one built binary, and whether they refuse it.
pub(crate) fn before(
    workspace: &Workspace,
    package: &Package,
    target: &Target,
    kind: lint::TargetKind,
    config: &Config,
    run: Run<'_>,
) -> Result<(CheckReport, bool), Error> {
    let input = Members::new(workspace).binary_input(package, target, kind, config);
    let output = lint::run(&lint::Options { workspace_root: workspace.root.clone(), binaries: vec![input] })?;
    let diagnostics = apply_levels(output.diagnostics, &[(package.name.clone(), config.clone())], &[]);
    let settings = config.probe.for_bin(&target.name);
    let (probed, skipped) = match run {
        _ if settings.skip == Some(true) => (None, Some("config: skip = true".to_string())),
        Run::Cannot(why) => (None, Some(why.to_string())),
        Run::Exe(exe) => (Some(probe::run(&probe_step::options(exe.as_os_str().to_owned(), &settings)?)?), None),
    };
    let refused = diagnostics.iter().any(|d| d.level == Level::Deny)
        || probed.as_ref().is_some_and(|p| p.verdict == Verdict::Storm);
    let probes =
        vec![ProbedBinary { package: package.name.clone(), name: target.name.clone(), report: probed, skipped }];
    let report = CheckReport {
        workspace_root: workspace.root.clone(),
        binaries: output.binaries,
        diagnostics,
        probes,
        fix: None,
    };
    Ok((report, refused))
}

/// The bundle's own executable under the probe, with the binary's settings.
pub(crate) fn after(bundled: &Path, config: &Config, name: &str) -> Result<Option<ProbeReport>, Error> {
    let settings = config.probe.for_bin(name);
    if settings.skip == Some(true) {
        return Ok(None);
    }
    Ok(Some(probe::run(&probe_step::options(bundled.as_os_str().to_owned(), &settings)?)?))
}

/// How a UPX-compressed executable is compared with the uncompressed one
/// (both in the bundle's stage, libraries beside them): its ending under
/// the probe with the binary's settings. `None` when the binary has no
/// probe run (`--no-check` or `skip = true`).
pub(crate) fn upx_verifier<'a>(
    config: &'a Config,
    name: &'a str,
) -> Option<impl Fn(&Path) -> Result<String, String> + 'a> {
    (config.probe.for_bin(name).skip != Some(true)).then_some(move |exe: &Path| match after(exe, config, name) {
        Ok(Some(report)) => Ok(ending(&report)),
        Ok(None) => Err("no probe run".to_string()),
        Err(e) => Err(e.to_string()),
    })
}

/// "pass, exit status 0", "pass, killed by signal 11".
fn ending(report: &ProbeReport) -> String {
    let status = match report.exit_status {
        Some(probe::ExitStatus { code: Some(code), .. }) => format!("exit status {code}"),
        Some(probe::ExitStatus { signal: Some(signal), .. }) => format!("killed by signal {signal}"),
        _ => "no exit status".to_string(),
    };
    format!("{}, {status}", format!("{:?}", report.verdict).to_lowercase())
}
