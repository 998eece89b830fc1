//! How the bootloader fails: an exit code of its own (so callers can tell
//! the launcher failed, not the program) and one line of message.

use std::io;
use std::path::Path;

/// Distinct exit codes so callers can tell the launcher failed, not the app.
pub const EXIT_BAD_BUNDLE: u8 = 120;
pub const EXIT_FUSE: u8 = 121;
pub const EXIT_IO: u8 = 122;

/// An exit code and the message printed before exiting with it.
pub type Fail = (u8, String);

pub fn bad(msg: impl Into<String>) -> Fail {
    (EXIT_BAD_BUNDLE, msg.into())
}

pub fn io_fail(what: &str, path: &Path, e: io::Error) -> Fail {
    (EXIT_IO, format!("failed to {what} {}: {e}", path.display()))
}
