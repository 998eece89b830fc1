//! `cargo build --message-format=json-render-diagnostics`: builds the
//! selected binaries and examples and reads each executable's path from
//! cargo's artifact messages. Compiler diagnostics go to the user's stderr,
//! rendered by cargo, as in a plain `cargo build`.

use super::Error;
use cargo_metadata::Message;
use std::ffi::OsString;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The build profile, as cargo's `--release` / `--profile NAME` select it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Profile {
    #[default]
    Dev,
    Release,
    Named(String),
}

impl Profile {
    /// From cargo's flags: `--profile NAME` wins over `--release`.
    pub fn from_flags(release: bool, profile: Option<&str>) -> Self {
        match (release, profile) {
            (_, Some(name)) => Profile::Named(name.to_string()),
            (true, None) => Profile::Release,
            (false, None) => Profile::Dev,
        }
    }

    /// The profile's name, as cargo calls it (`dev`, `release`, `dist`).
    pub fn name(&self) -> &str {
        match self {
            Profile::Dev => "dev",
            Profile::Release => "release",
            Profile::Named(name) => name,
        }
    }
}

/// One executable target to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    pub package: String,
    pub name: String,
    /// `true` for `[[example]]`, `false` for `[[bin]]`.
    pub example: bool,
}

/// What to build and how.
#[derive(Clone, Debug, Default)]
pub struct BuildRequest {
    pub manifest_path: Option<PathBuf>,
    pub units: Vec<Unit>,
    /// `--target TRIPLE`.
    pub target: Option<String>,
    pub profile: Profile,
    /// Pass `--quiet` to cargo.
    pub quiet: bool,
    /// `--color` for cargo's own output.
    pub color: Option<&'static str>,
    /// `--target-dir DIR` (the one-file bootloader builds in its own cache).
    pub target_dir: Option<PathBuf>,
    /// Extra `rustc` arguments for the final crate only (`cargo rustc ...
    /// -- ARGS`, so dependencies are not rebuilt); needs exactly one unit.
    pub rustc_args: Vec<String>,
    /// Environment for cargo and the build scripts it runs.
    pub env: Vec<(String, String)>,
    /// Run cargo through cargo-zigbuild (a macOS target on another OS:
    /// [`super::zig`]).
    pub zig: bool,
}

/// A built executable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Artifact {
    pub unit: Unit,
    pub executable: PathBuf,
    /// Directories build scripts of this build linked from
    /// (`cargo:rustc-link-search`): `cargo run` puts them on the library
    /// path, so a bundler must search them too.
    pub link_dirs: Vec<PathBuf>,
}

/// Builds every unit in one cargo invocation and returns their executables,
/// in the order of `request.units`.
pub fn build(request: &BuildRequest) -> Result<Vec<Artifact>, Error> {
    let program = match request.zig {
        true => super::zig::program(request.target.as_deref().unwrap_or("the target"))?.into_os_string(),
        false => cargo_program(),
    };
    let mut cmd = Command::new(program);
    cmd.args(build_args(request))
        .envs(request.env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .stdin(Stdio::null());
    let shown = shown(&cmd);
    let mut child = cmd.spawn().map_err(|source| Error::Spawn { command: shown.clone(), source })?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut found: Vec<(String, bool, PathBuf)> = Vec::new();
    let mut link_dirs: Vec<PathBuf> = Vec::new();
    for message in Message::parse_stream(BufReader::new(stdout)) {
        if let Ok(Message::BuildScriptExecuted(script)) = &message {
            for dir in &script.linked_paths {
                // `native=/path`, `dependency=/path`, or a bare path.
                let path = dir.as_str().split_once('=').map_or(dir.as_str(), |(_, p)| p);
                link_dirs.push(PathBuf::from(path));
            }
        }
        let Ok(Message::CompilerArtifact(artifact)) = message else { continue };
        let example = artifact.target.is_example();
        if let Some(exe) = artifact.executable.filter(|_| example || artifact.target.is_bin()) {
            found.push((artifact.target.name.clone(), example, exe.into_std_path_buf()));
        }
    }
    let status = child.wait().map_err(|source| Error::Spawn { command: shown.clone(), source })?;
    if !status.success() {
        return Err(Error::BuildFailed { command: shown, status });
    }
    request
        .units
        .iter()
        .map(|unit| {
            let exe = found.iter().find(|(name, example, _)| *name == unit.name && *example == unit.example);
            match exe {
                Some((_, _, path)) => {
                    Ok(Artifact { unit: unit.clone(), executable: path.clone(), link_dirs: link_dirs.clone() })
                }
                None => Err(Error::NoArtifact {
                    command: shown.clone(),
                    kind: if unit.example { "example" } else { "bin" },
                    name: unit.name.clone(),
                }),
            }
        })
        .collect()
}

/// `$CARGO` when run as `cargo freeze` (cargo sets it), else `cargo`.
fn cargo_program() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"))
}

fn build_args(request: &BuildRequest) -> Vec<OsString> {
    let verb = match (request.rustc_args.is_empty(), request.zig) {
        (true, false) => "build",
        (true, true) => "zigbuild",
        (false, _) => "rustc",
    };
    let mut args: Vec<OsString> = vec![verb.into(), "--message-format=json-render-diagnostics".into()];
    if let Some(path) = &request.manifest_path {
        args.extend(["--manifest-path".into(), path.clone().into_os_string()]);
    }
    let mut packages: Vec<&str> = request.units.iter().map(|u| u.package.as_str()).collect();
    packages.dedup();
    for package in packages {
        args.extend(["-p".into(), package.into()]);
    }
    for unit in &request.units {
        let flag = if unit.example { "--example" } else { "--bin" };
        args.extend([flag.into(), unit.name.clone().into()]);
    }
    if let Some(target) = &request.target {
        args.extend(["--target".into(), target.into()]);
    }
    match &request.profile {
        Profile::Dev => {}
        Profile::Release => args.push("--release".into()),
        Profile::Named(name) => args.extend(["--profile".into(), name.into()]),
    }
    if let Some(dir) = &request.target_dir {
        args.extend(["--target-dir".into(), dir.clone().into_os_string()]);
    }
    if request.quiet {
        args.push("--quiet".into());
    }
    if let Some(color) = request.color {
        args.extend(["--color".into(), color.into()]);
    }
    if !request.rustc_args.is_empty() {
        args.push("--".into());
        args.extend(request.rustc_args.iter().map(OsString::from));
    }
    args
}

/// The command as the user could paste it.
fn shown(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program()).file_name().unwrap_or(cmd.get_program()).to_string_lossy();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
    format!("{program} {}", args.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_flags_follow_cargo() {
        assert_eq!(Profile::from_flags(false, None), Profile::Dev);
        assert_eq!(Profile::from_flags(true, None), Profile::Release);
        assert_eq!(Profile::from_flags(false, Some("dist")), Profile::Named("dist".into()));
    }

    #[test]
    fn args_select_each_unit_once_per_package() {
        let unit = |package: &str, name: &str, example| Unit { package: package.into(), name: name.into(), example };
        let request = BuildRequest {
            units: vec![unit("a", "x", false), unit("a", "y", true)],
            profile: Profile::Release,
            ..BuildRequest::default()
        };
        let args: Vec<_> = build_args(&request).into_iter().map(|a| a.into_string().unwrap()).collect();
        assert_eq!(
            args,
            [
                "build",
                "--message-format=json-render-diagnostics",
                "-p",
                "a",
                "--bin",
                "x",
                "--example",
                "y",
                "--release"
            ]
        );
    }
}
