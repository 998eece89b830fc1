//! Bundling a built binary for release: one-dir trees and one-file executables.
pub mod onefile;
