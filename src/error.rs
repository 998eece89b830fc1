//! Failures of the tool itself (as opposed to findings), and the exit-code
//! contract documented in README.md.

use std::path::PathBuf;

/// The exit codes of every `cargo freeze` command.
pub mod exit {
    /// Nothing at deny level was found.
    pub const CLEAN: u8 = 0;
    /// At least one finding at deny level.
    pub const FINDINGS: u8 = 1;
    /// The tool failed: bad flag, bad manifest, unreadable input.
    pub const FAILURE: u8 = 2;
    /// Stopped by a signal after cleaning up: 128 + the signal, as a shell
    /// reports a command the signal killed (130 for SIGINT).
    pub fn interrupted(signal: i32) -> u8 {
        u8::try_from(128 + signal).unwrap_or(FAILURE)
    }
}

impl Error {
    /// The exit code this failure ends the command with.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Probe(crate::probe::Error::Interrupted { signal }) => exit::interrupted(*signal),
            _ => exit::FAILURE,
        }
    }
}

/// Anything that stops a command from producing its report.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Cargo(#[from] crate::cargo::Error),
    #[error(transparent)]
    Config(#[from] crate::config::Error),
    #[error(transparent)]
    Lint(#[from] crate::lint::Error),
    #[error(transparent)]
    Probe(#[from] crate::probe::Error),
    #[error(transparent)]
    Bundle(#[from] crate::bundle::Error),
    #[error("a bundle holds one binary, and the selection has {}\nhelp: pick one with --bin NAME (or -p PACKAGE)", if found.is_empty() { "none".to_string() } else { format!("several: {found}") })]
    NotOneBinary { found: String },
    #[error(transparent)]
    Onefile(#[from] crate::bundle::onefile::Error),
    #[error("no package named `{name}` in the workspace at {}", root.display())]
    NoSuchPackage { name: String, root: PathBuf },
    #[error("no {kind} target named `{name}` in the selected packages (available: {available})")]
    NoSuchTarget { kind: &'static str, name: String, available: String },
    #[error("the workspace at {} has no package to add a [package.metadata.freeze] table to\nhelp: run it on a member's manifest (--manifest-path MEMBER/Cargo.toml), or add members first", root.display())]
    NoPackages { root: PathBuf },
    #[error("the selected packages have no binary targets to check (at {}); pass --examples or select a package with a [[bin]]", root.display())]
    NoBinaries { root: PathBuf },
    #[error("unknown diagnostic code `{name}` (run `cargo freeze check --help`; codes are listed in README.md)")]
    UnknownCode { name: String },
    #[error(transparent)]
    Fix(#[from] crate::lint::fix::Error),
    #[error("{} {} uncommitted changes; `--fix` would mix its edits with them\nhelp: commit or stash them first, or pass --allow-dirty", files, if files.contains(", ") { "have" } else { "has" })]
    DirtyFiles { files: String },
    #[error("failed to write {}\nhelp: the file is unchanged; check the directory's permissions", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Init(#[from] crate::config::template::InitError),
    #[error("failed to read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to write the report to stdout")]
    Output(#[source] std::io::Error),
}
