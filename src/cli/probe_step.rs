//! The probe step of `cargo freeze check`: builds the selected binaries in
//! one cargo invocation (paths from cargo's artifact messages) and runs each
//! under the probe with its `[package.metadata.freeze.probe]` settings. The
//! static analysis cannot see macros or unusual spawn paths; this runs the
//! real thing.

use super::args::CargoArgs;
use super::probe::{DEFAULT_CAP, DEFAULT_DEPTH, DEFAULT_DETACHED, POLL, timeout};
use crate::cargo::{self, BuildRequest, Profile, Unit};
use crate::config::ProbeSettings;
use crate::error::Error;
use crate::probe;
use crate::report::{ProbedBinary, Progress, plural};
use std::ffi::OsString;

/// A check's probe waits less than `cargo freeze probe` by default: a
/// binary that is still running after it is most likely a server.
const CHECK_TIMEOUT_SECS: f64 = 5.0;

/// Builds and probes `units`, in order; skipped ones are reported as such.
pub(crate) fn run(
    units: &[(Unit, ProbeSettings)],
    cargo_args: &CargoArgs,
    progress: &mut Progress,
) -> Result<Vec<ProbedBinary>, Error> {
    let wanted: Vec<Unit> = units.iter().filter(|(_, s)| s.skip != Some(true)).map(|(u, _)| u.clone()).collect();
    let artifacts = if wanted.is_empty() {
        Vec::new()
    } else {
        progress
            .plain_step("Building", &format!("{} with cargo, to probe", plural(wanted.len(), "binary", "binaries")));
        cargo::build(&BuildRequest {
            manifest_path: cargo_args.manifest_path.clone(),
            units: wanted,
            target: cargo_args.target.clone(),
            profile: Profile::from_flags(cargo_args.release, cargo_args.profile.as_deref()),
            quiet: cargo_args.quiet,
            color: None,
            target_dir: None,
            rustc_args: Vec::new(),
            env: Vec::new(),
            zig: cargo::zig::needed(cargo_args.target.as_deref()),
        })?
    };
    let mut out = Vec::new();
    for (unit, settings) in units {
        let artifact = artifacts.iter().find(|a| &a.unit == unit);
        let result = match artifact {
            None => None,
            Some(artifact) => {
                progress.step("Probing", &format!("{}/{}", unit.package, unit.name));
                let probed = probe::run(&options(artifact.executable.clone().into_os_string(), settings)?)?;
                progress.finish();
                Some(probed)
            }
        };
        let skipped = result.is_none().then(|| "config: skip = true".to_string());
        out.push(ProbedBinary { package: unit.package.clone(), name: unit.name.clone(), report: result, skipped });
    }
    Ok(out)
}

pub(crate) fn options(program: OsString, settings: &ProbeSettings) -> Result<probe::Options, Error> {
    Ok(probe::Options {
        program,
        args: settings.args.iter().flatten().map(OsString::from).collect(),
        env: settings.env.iter().flatten().map(|(k, v)| (OsString::from(k), OsString::from(v))).collect(),
        cap: settings.cap.unwrap_or(DEFAULT_CAP),
        max_depth: settings.max_depth.unwrap_or(DEFAULT_DEPTH),
        max_detached: settings.max_detached.unwrap_or(DEFAULT_DETACHED),
        timeout: timeout(settings.timeout.unwrap_or(CHECK_TIMEOUT_SECS))?,
        poll: POLL,
        allow_uncontained: false,
    })
}
