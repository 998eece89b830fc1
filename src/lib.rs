//! cargo-freeze: checks that self-spawning Rust binaries install their
//! child-dispatch guard, and (in later rooms) probes and bundles them.
//!
//! The architecture, top to bottom:
//! - [`cli`]: clap flags -> validated options for each room; calls the rooms;
//!   hands their results to [`report`]; picks the exit code.
//! - [`config`]: `[package.metadata.freeze]` -> the same options.
//! - [`cargo`]: the only place that runs cargo (metadata now, builds later).
//! - [`report`]: the only module that prints (human, json, sarif, github).
//! - [`error`]: failures of the tool (not findings) and the exit codes.
//! - [`diag`]: the shared vocabulary of findings (no I/O).
//! - Rooms, which never import each other:
//!   - [`lint`]: static analysis of the source with `syn`.

pub mod bundle;
pub mod cargo;
pub mod cli;
pub mod config;
pub mod diag;
pub mod error;
pub mod lint;
pub mod report;

pub use cli::run;
