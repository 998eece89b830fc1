//! Integration tests: every test runs the real `cargo-freeze` binary.
//!
//! - [`fixtures`]: each crate under `fixtures/lint/` is checked; its verdicts
//!   and diagnostic codes must match its `expect.txt`, and the JSON report is
//!   snapshot-tested.
//! - [`cli`]: exit codes, level flags, config, output formats, `--help`, both
//!   invocation shapes, running as a non-root user.
//! - [`bad_input`]: broken manifests, missing and unparsable files, huge
//!   files: a clear message naming the file and the right exit code.
//! - [`onefile`]: a fixture packed as a one-file runs through the real
//!   bootloader (exec, cache, fuse, corruption, SIGKILL mid-extraction,
//!   non-root, Wine) and reads back with `inspect`.
//! - [`architecture`]: the rooms never import each other; only `report/`
//!   prints.

mod architecture;
mod bad_input;
mod cli;
mod fixtures;
mod onefile;
mod support;
