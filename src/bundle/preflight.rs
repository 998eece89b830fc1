//! The external tools a bundle run will need, found (and version-checked)
//! before the build starts, so a missing one is reported in a second, not
//! after minutes of compiling. None is needed for the core job (run paths
//! and install names are set in-process: [`super::dynamic`],
//! [`super::macho_edit`]): `strip` with `--strip`, UPX with `--upx`, and a
//! C compiler for the one-file bootloader's first build
//! ([`super::onefile::bootloader_prerequisites`]). For a macOS target the
//! two options that have no tool here are refused before the build.

use super::Error;
use super::onedir::UpxOptions;
use super::strip::Strip;
use super::upx::Upx;

/// Finds what the options ask for, for a bundle built for `triple`
/// (Windows: MinGW's strip; macOS: [`macho`]).
pub fn check(strip: bool, triple: &str, upx: Option<&UpxOptions>) -> Result<(), Error> {
    if triple.contains("-apple-") {
        return macho(strip, upx.is_some());
    }
    if strip {
        Strip::find(triple.contains("-windows-"))?;
    }
    if let Some(upx) = upx {
        Upx::find(upx.dir.as_deref())?;
    }
    Ok(())
}

/// `--strip` and `--upx` for a Mach-O bundle: neither is done. Binutils'
/// `strip` does not write Mach-O, and UPX 4 refuses macOS executables
/// (its Mach-O output does not run on macOS 13 and later, so it wants
/// `--force-macos`).
pub fn macho(strip: bool, upx: bool) -> Result<(), Error> {
    if strip {
        return Err(Error::NotForMachO {
            option: "--strip",
            why: "binutils' strip does not write Mach-O files",
            hint: "let rustc strip the binary when it links it: `strip = true` in the profile ([profile.release])",
        });
    }
    if upx {
        return Err(Error::NotForMachO {
            option: "--upx",
            why: "UPX 4 refuses macOS executables (what it packs does not run on macOS 13 and later)",
            hint: "drop --upx (or pass --noupx) for this target",
        });
    }
    Ok(())
}
