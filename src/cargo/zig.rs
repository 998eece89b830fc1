//! Cross-building for macOS on another OS: cargo runs through
//! cargo-zigbuild, which gives it zig as the linker and as the C compiler
//! of build scripts (zstd-sys in the one-file bootloader, a fixture's
//! dylib). Apple's SDK is not needed to link (zig brings the libSystem
//! stubs; the linker's warning that no SDK is present is harmless for
//! this). On a Mac, plain cargo with Xcode's tools is used.

use super::Error;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Whether a build for `target` goes through cargo-zigbuild here.
pub fn needed(target: Option<&str>) -> bool {
    !cfg!(target_os = "macos") && target.is_some_and(|t| t.contains("-apple-"))
}

/// cargo-zigbuild, after checking that zig is there for it: `zig` on PATH
/// or the `ziglang` Python package (which cargo-zigbuild runs as
/// `python3 -m ziglang`).
pub fn program(target: &str) -> Result<PathBuf, Error> {
    let missing = |tool: &'static str| Error::NoZig { target: target.to_string(), tool };
    let program = which::which("cargo-zigbuild").map_err(|_| missing("cargo-zigbuild"))?;
    let python_zig = || {
        let mut run = Command::new("python3");
        run.args(["-m", "ziglang", "version"]).stdout(Stdio::null()).stderr(Stdio::null());
        run.status().is_ok_and(|s| s.success())
    };
    if which::which("zig").is_err() && !python_zig() {
        return Err(missing("zig"));
    }
    Ok(program)
}
