//! Platforms without a probe implementation yet (Windows Job Objects and a
//! macOS rlimit watchdog are planned): every probe fails with a clear error
//! instead of running a possibly storming program uncontained.

use super::{Error, Options, ProbeReport};
use std::path::Path;

pub(super) fn probe(_options: &Options, _program: &Path) -> Result<ProbeReport, Error> {
    Err(Error::Unsupported)
}

pub(super) fn is_executable(path: &Path) -> bool {
    path.is_file()
}
