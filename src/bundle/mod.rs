//! Bundling a built binary for release. The one-dir layout ([`onedir`])
//! stands on the dependency analysis: an executable's shared libraries are
//! found the way the glibc loader finds them ([`resolve`]), from the facts
//! goblin reads from each ELF object ([`elf`]) and the loader's cache
//! ([`ldcache`]), filtered by a policy kept as data ([`policy`]). A one-dir
//! tree packed behind the bootloader is a one-file executable
//! ([`onefile`]). Windows PE imports are resolved by [`pe`] (DLLs go beside
//! the exe); Mach-O load commands are read by [`macho`] for the report that
//! refuses a macOS bundle.

pub mod data;
pub mod elf;
pub mod ldcache;
pub mod macho;
pub mod onedir;
pub mod onefile;
pub mod patchelf;
pub mod pe;
pub mod policy;
pub mod resolve;
pub mod strip;
pub mod upx;

use std::path::{Path, PathBuf};

/// How an executable ends when run, given by the caller (the CLI runs it
/// under the probe: "pass, exit status 0"). UPX compares the ending of the
/// file before and after compression, in place in the bundle's stage; a
/// different ending puts the original back. `Err`: it could not be run.
pub type Verify<'a> = dyn Fn(&Path) -> Result<String, String> + 'a;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Io(std::io::Error),
    #[error("{} is not a loadable ELF object: {reason}\nhelp: pass a binary built for Linux or Windows (Mach-O is not read yet)", path.display())]
    NotElf { path: PathBuf, reason: String },
    #[error("{} needs libraries the loader would not find:\n  {list}\nhelp: install them, or add their directory to LD_LIBRARY_PATH (or, for a library a build script makes, to its link-search path)", binary.display())]
    MissingLibraries { binary: PathBuf, list: String },
    #[error("{} already exists\nhelp: pass --clean to replace it (the new bundle is assembled first; the old one stays if anything fails)", path.display())]
    Exists { path: PathBuf },
    #[error("`{spec}`: {why}")]
    BadSpec { spec: String, why: String },
    #[error("{} does not exist (given to --add-data/--add-binary)", path.display())]
    MissingSource { path: PathBuf },
    #[error("`{tool}` was not found on PATH\nhelp: {hint}")]
    MissingTool { tool: &'static str, hint: &'static str },
    #[error("{} is a Mach-O (macOS) binary: its libraries are read, but macOS bundles are not made yet (their install names would need rewriting)\n{libraries}\nhelp: bundle a Linux or Windows build (--target)", path.display())]
    MachO { path: PathBuf, libraries: String },
    #[error("`{command}` failed: {message}")]
    Tool { command: String, message: String },
    #[error(
        "UPX was not found: looked for {looked}\nhelp: {hint}; or pass --upx-dir DIR (the directory holding `upx`)"
    )]
    MissingUpx { looked: String, hint: &'static str },
}
