//! Bundling (in progress, issue 4): today the dependency analysis the
//! one-dir bundler is built on. An executable's shared libraries are found
//! the way the glibc loader finds them ([`resolve`]), from the facts goblin
//! reads from each ELF object ([`elf`]) and the loader's cache
//! ([`ldcache`]). The resolution is checked against `ldd` on every ELF
//! executable of `/usr/bin` (tests/integration/deps.rs).

pub mod elf;
pub mod ldcache;
pub mod resolve;

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Io(std::io::Error),
    #[error("{} is not a loadable ELF object: {reason}\nhelp: pass a binary built for Linux (PE and Mach-O are not read yet)", path.display())]
    NotElf { path: PathBuf, reason: String },
}
