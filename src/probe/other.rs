//! Platforms without a probe implementation (not Linux, macOS or Windows):
//! every probe fails with a clear error instead of running a possibly
//! storming program uncontained.

use super::{Error, Options, ProbeReport};
use std::path::Path;

pub(super) fn probe(_options: &Options, _program: &Path) -> Result<ProbeReport, Error> {
    Err(Error::Unsupported)
}

/// The probe starts no helper on this platform.
pub(super) fn helper_main(_args: &[std::ffi::OsString]) -> i32 {
    2
}

/// Nor a sentinel.
pub(super) fn sentinel_main(_args: &[std::ffi::OsString]) -> i32 {
    2
}

pub(super) fn is_executable(path: &Path) -> bool {
    path.is_file()
}
