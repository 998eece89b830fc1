//! Bundling a built binary for release. The one-dir layout ([`onedir`])
//! stands on the dependency analysis: an executable's shared libraries are
//! found the way the glibc loader finds them ([`resolve`]), from the facts
//! goblin reads from each ELF object ([`elf`]) and the loader's cache
//! ([`ldcache`]), filtered by a policy kept as data ([`policy`]). A one-dir
//! tree packed behind the bootloader is a one-file executable
//! ([`onefile`]). Windows PE imports are resolved by [`pe`] (DLLs go beside
//! the exe). Mach-O dylibs are resolved the way dyld would ([`macho`]) and
//! the copies found through `@rpath` ([`install_name`]): load commands
//! edited in place ([`macho_edit`]), code signatures kept valid
//! ([`macho_sign`]).

pub mod data;
pub mod dynamic;
pub mod elf;
pub mod install_name;
pub mod ldcache;
pub mod macho;
pub mod macho_edit;
pub mod macho_sign;
pub mod onedir;
pub mod onefile;
pub mod pe;
pub mod policy;
pub mod preflight;
pub mod resolve;
pub mod runpath;
pub mod stage;
pub mod strip;
pub mod upx;

use std::path::{Path, PathBuf};

/// How an executable ends when run, given by the caller (the CLI runs it
/// under the probe: "pass, exit status 0"). UPX compares the ending of the
/// file before and after compression, in place in the bundle's stage; a
/// different ending puts the original back. `Err`: it could not be run.
pub type Verify<'a> = dyn Fn(&Path) -> Result<String, String> + 'a;

/// The first `N` bytes of a file, or `None` when it is shorter: enough to
/// tell an executable's format by its magic.
fn head<const N: usize>(path: &Path) -> Result<Option<[u8; N]>, Error> {
    let mut head = [0u8; N];
    let mut file = fs_err::File::open(path).map_err(Error::Io)?;
    match std::io::Read::read_exact(&mut file, &mut head) {
        Ok(()) => Ok(Some(head)),
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(Error::Io(e)),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Io(std::io::Error),
    #[error("{} is not an executable or library cargo-freeze can read: {reason}\nhelp: pass a binary built for Linux (ELF), Windows (PE) or macOS (Mach-O)", path.display())]
    NotLoadable { path: PathBuf, reason: String },
    #[error("{} needs libraries the loader would not find:\n  {list}\nhelp: install them, or add their directory to LD_LIBRARY_PATH (or, for a library a build script makes, to its link-search path)", binary.display())]
    MissingLibraries { binary: PathBuf, list: String },
    #[error("{} already exists\nhelp: pass --clean to replace it (the new bundle is assembled first; the old one stays if anything fails)", path.display())]
    Exists { path: PathBuf },
    #[error("{} exists and is not a {kind} bundle: --clean replaces only a {kind} bundle of the same name\nhelp: pass another --dist or --name", path.display())]
    NotABundle { path: PathBuf, kind: &'static str },
    #[error("failed to edit the dynamic section of {}: {reason}", path.display())]
    Elf { path: PathBuf, reason: String },
    #[error("{} has no run path and no room to set `$ORIGIN/lib` in place\nhelp: link it with `-C link-arg=-Wl,--disable-new-dtags,-rpath,$ORIGIN/lib` (`cargo freeze --onedir` does this for the binary it builds)", path.display())]
    NoRunPath { path: PathBuf },
    #[error(
        "the bundle's copy of {library} would not be loaded: the loader finds it at {found} first\nhelp: this is a bug in cargo-freeze's run paths; please report it with the binary's `readelf -d` output (macOS: `otool -l`)"
    )]
    NotFromBundle { library: String, found: String },
    #[error("two libraries {} needs are both named {name}; a bundle's lib/ holds one file per name\nhelp: leave one of them to the host with --exclude-lib", binary.display())]
    SameFileName { name: String, binary: PathBuf },
    #[error("`{spec}`: {why}")]
    BadSpec { spec: String, why: String },
    #[error("{} does not exist (given to --add-data/--add-binary)", path.display())]
    MissingSource { path: PathBuf },
    #[error("`{tool}` was not found on PATH\nhelp: {hint}")]
    MissingTool { tool: &'static str, hint: &'static str },
    #[error("failed to edit the load commands of {}: {reason}", path.display())]
    MachOEdit { path: PathBuf, reason: String },
    #[error("{} has no room for its new load commands: they need {needed} bytes, and its header has {available} before the first section\nhelp: {hint}", path.display())]
    NoHeaderRoom { path: PathBuf, needed: usize, available: usize, hint: &'static str },
    #[error("{option} is not available for a macOS (Mach-O) bundle: {why}\nhelp: {hint}")]
    NotForMachO { option: &'static str, why: &'static str, hint: &'static str },
    #[error("`{command}` failed: {message}")]
    Tool { command: String, message: String },
    #[error(
        "UPX was not found: looked for {looked}\nhelp: {hint}; or pass --upx-dir DIR (the directory holding `upx`)"
    )]
    MissingUpx { looked: String, hint: &'static str },
}
