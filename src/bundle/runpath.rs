//! How a one-dir bundle's programs find `lib/`, with no external tool.
//! The executable carries the one run path, `$ORIGIN/lib`, as `DT_RPATH`:
//! `cargo freeze` links it in (`-Wl,--disable-new-dtags,-rpath,...`), and
//! for an executable built otherwise it is set in place when a run-path
//! string has room ([`super::dynamic`]). Unlike `DT_RUNPATH`, the loader
//! searches the executable's `DT_RPATH` for every library's needs, not only
//! the executable's own, so the copied libraries need no run path of their
//! own: a copy without one is left byte for byte as it was (UPX packs it as
//! it would the original), and run paths a library brought along (pointing
//! at its build machine) are removed. Last, the loader's search is run on
//! the result ([`super::resolve`], the `ldd` oracle's model): every copied
//! library must be found in `lib/`.

use super::Error;
use super::dynamic;
use super::resolve::{SearchEnv, resolve};
use std::path::Path;

/// Where the bundled executable finds its libraries.
pub const EXE_RUNPATH: &str = "$ORIGIN/lib";

/// The link arguments that give an executable [`EXE_RUNPATH`] as `DT_RPATH`.
pub fn link_args() -> Vec<String> {
    vec!["-C".to_string(), format!("link-arg=-Wl,--disable-new-dtags,-rpath,{EXE_RUNPATH}")]
}

/// The bundle's executable: `DT_NEEDED` paths of bundled libraries become
/// file names; with libraries in `lib/`, the run path is [`EXE_RUNPATH`].
pub fn executable(exe: &Path, bundled: &[String]) -> Result<(), Error> {
    edit(exe, |bytes| {
        dynamic::needed_by_file_name(bytes, bundled).map_err(Failed::Elf)?;
        if !bundled.is_empty() {
            dynamic::set_rpath(bytes, EXE_RUNPATH).map_err(|e| e.map_or(Failed::NoRoom, Failed::Elf))?;
        }
        Ok(())
    })
}

/// A copied library: its own run paths go, `DT_NEEDED` paths of bundled
/// libraries become file names.
pub fn library(lib: &Path, bundled: &[String]) -> Result<(), Error> {
    edit(lib, |bytes| {
        dynamic::clear_run_paths(bytes).map_err(Failed::Elf)?;
        dynamic::needed_by_file_name(bytes, bundled).map(drop).map_err(Failed::Elf)
    })
}

/// Runs the loader's search on the staged executable (no LD_LIBRARY_PATH):
/// each library of `bundled` must come from `lib_dir`.
pub fn verify(exe: &Path, lib_dir: &Path, bundled: &[String]) -> Result<(), Error> {
    let resolution = resolve(exe, &SearchEnv::host(Vec::new()))?;
    let lib_dir = fs_err::canonicalize(lib_dir).map_err(Error::Io)?;
    for name in bundled {
        let found = resolution.libraries.iter().find(|l| file_name(&l.name) == name);
        match found {
            Some(lib) if lib.real.parent() == Some(lib_dir.as_path()) => {}
            other => {
                return Err(Error::NotFromBundle {
                    library: name.clone(),
                    found: other.map_or("nowhere".into(), |l| l.real.display().to_string()),
                });
            }
        }
    }
    Ok(())
}

/// The name a library is copied under: its `DT_NEEDED` name, or the file
/// name of a `DT_NEEDED` path.
pub fn file_name(needed: &str) -> &str {
    needed.rsplit('/').next().unwrap_or(needed)
}

/// Why an edit was not made.
enum Failed {
    Elf(String),
    /// No run-path string with room for [`EXE_RUNPATH`].
    NoRoom,
}

/// Applies `change` to the file's bytes and writes them back if they
/// changed (in place: the bundle's own copy).
fn edit(path: &Path, change: impl FnOnce(&mut Vec<u8>) -> Result<(), Failed>) -> Result<(), Error> {
    let before = fs_err::read(path).map_err(Error::Io)?;
    let mut bytes = before.clone();
    change(&mut bytes).map_err(|failed| match failed {
        Failed::Elf(reason) => Error::Elf { path: path.to_path_buf(), reason },
        Failed::NoRoom => Error::NoRunPath { path: path.to_path_buf() },
    })?;
    if bytes != before {
        fs_err::write(path, &bytes).map_err(Error::Io)?;
    }
    Ok(())
}
