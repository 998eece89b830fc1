//! The only module that runs cargo: `cargo metadata --no-deps` to discover
//! packages and targets, `cargo build --message-format=json` to build them
//! and learn where the artifacts are (never hand-built `target/` paths).

mod build;
mod metadata;
mod rustc;
pub mod zig;

pub use build::{Artifact, BuildRequest, Profile, Unit, build};
pub use metadata::workspace;
pub use rustc::rustc_version;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to run `{command}`\nhelp: is cargo installed and on PATH (or $CARGO set)?")]
    Spawn { command: String, source: std::io::Error },
    #[error("`{command}` failed ({status})\nhelp: fix the build error above, then run again")]
    BuildFailed { command: String, status: std::process::ExitStatus },
    #[error("`{command}` succeeded but reported no executable for {kind} `{name}`")]
    NoArtifact { command: String, kind: &'static str, name: String },
    #[error(
        "building for {target} on this host needs cargo-zigbuild and zig (the linker and C compiler for macOS), and `{tool}` was not found\nhelp: `cargo install cargo-zigbuild` and `pip install ziglang` (or zig on PATH); `bash tests/apple.sh` in cargo-freeze's repository installs both"
    )]
    NoZig { target: String, tool: &'static str },
    #[error("failed to read the cargo metadata of {}: {message}\nhelp: check that the manifest exists and is valid (`cargo metadata --no-deps` shows the same error)", manifest.display())]
    Metadata { manifest: PathBuf, message: String },
}

/// A workspace as the rooms need it: plain paths and names, no cargo types.
#[derive(Debug)]
pub struct Workspace {
    pub root: PathBuf,
    pub packages: Vec<Package>,
    /// The packages cargo selects when no `-p`/`--workspace` is given.
    pub default_members: Vec<String>,
}

#[derive(Debug)]
pub struct Package {
    pub name: String,
    pub manifest_dir: PathBuf,
    pub bins: Vec<Target>,
    pub examples: Vec<Target>,
    pub lib: Option<Target>,
    /// Path dependencies, of every kind.
    pub path_deps: Vec<PathDep>,
    /// `[package.metadata.freeze]`, if present.
    pub freeze_metadata: Option<serde_json::Value>,
}

/// A dependency given by `path`.
#[derive(Debug)]
pub struct PathDep {
    /// The `rename` in Cargo.toml, if any: code names a dependency by its
    /// rename, else by its library target's name.
    pub rename: Option<String>,
    pub dir: PathBuf,
    /// A normal dependency, linked into whatever links the package (not a
    /// dev- or build-dependency).
    pub linked: bool,
}

#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    pub src_path: PathBuf,
    /// The Rust edition (`2021`), for `rustfmt`.
    pub edition: String,
}
