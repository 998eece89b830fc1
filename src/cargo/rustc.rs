//! `rustc -vV`: part of cache keys for things built with this toolchain.

use super::Error;
use std::process::Command;

/// The verbose version of the rustc that `cargo` would use (`$RUSTC` or `rustc`).
pub fn rustc_version() -> Result<String, Error> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let out = Command::new(&rustc)
        .arg("-vV")
        .output()
        .map_err(|source| Error::Spawn { command: "rustc -vV".into(), source })?;
    if !out.status.success() {
        return Err(Error::BuildFailed { command: "rustc -vV".into(), status: out.status });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
