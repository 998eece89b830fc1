//! The external tools a bundle run will need, found (and version-checked)
//! before the build starts, so a missing one is reported in a second, not
//! after minutes of compiling. None is needed for the core job (run paths
//! are set in-process, [`super::dynamic`]): `strip` with `--strip`, UPX
//! with `--upx`, and a C compiler for the one-file bootloader's first
//! build ([`super::onefile::bootloader_prerequisites`]).

use super::Error;
use super::onedir::UpxOptions;
use super::strip::Strip;
use super::upx::Upx;

/// Finds what the options ask for; `windows`: the bundle is for a Windows
/// target (MinGW's strip).
pub fn check(strip: bool, windows: bool, upx: Option<&UpxOptions>) -> Result<(), Error> {
    if strip {
        Strip::find(windows)?;
    }
    if let Some(upx) = upx {
        Upx::find(upx.dir.as_deref())?;
    }
    Ok(())
}
