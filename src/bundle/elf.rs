//! What the dynamic loader reads from an ELF object: its class and
//! machine (a candidate library must match), `DT_NEEDED`, `DT_RPATH`,
//! `DT_RUNPATH`, `DT_SONAME` and the interpreter. Parsed with goblin.

use super::Error;
use goblin::elf::Elf;
use std::path::Path;

/// The loader-relevant facts of one ELF file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfInfo {
    pub is_64: bool,
    pub machine: u16,
    pub needed: Vec<String>,
    pub rpath: Vec<String>,
    pub runpath: Vec<String>,
    pub soname: Option<String>,
    pub interpreter: Option<String>,
}

impl ElfInfo {
    /// Reads `path`; an error names the file and says what is wrong.
    pub fn read(path: &Path) -> Result<ElfInfo, Error> {
        let bytes = fs_err::read(path).map_err(Error::Io)?;
        Self::parse(&bytes).map_err(|reason| Error::NotLoadable { path: path.to_path_buf(), reason })
    }

    pub fn parse(bytes: &[u8]) -> Result<ElfInfo, String> {
        if bytes.get(..4) != Some(b"\x7fELF") {
            return Err("not an ELF file (no \\x7fELF magic)".to_string());
        }
        let elf = Elf::parse(bytes).map_err(|e| format!("malformed or truncated ELF: {e}"))?;
        let split = |list: &[&str]| -> Vec<String> {
            list.iter().flat_map(|s| s.split(':')).filter(|s| !s.is_empty()).map(str::to_string).collect()
        };
        Ok(ElfInfo {
            is_64: elf.is_64,
            machine: elf.header.e_machine,
            needed: elf.libraries.iter().map(std::string::ToString::to_string).collect(),
            rpath: split(&elf.rpaths),
            runpath: split(&elf.runpaths),
            soname: elf.soname.map(str::to_string),
            interpreter: elf.interpreter.map(str::to_string),
        })
    }

    /// Whether `other` could be loaded into this object's process.
    pub fn compatible(&self, other: &ElfInfo) -> bool {
        self.is_64 == other.is_64 && self.machine == other.machine
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_this_test_binary() {
        let info = ElfInfo::read(&std::env::current_exe().unwrap()).unwrap();
        assert!(info.is_64 && info.needed.iter().any(|n| n.starts_with("libc.so")), "{info:?}");
        assert!(info.interpreter.is_some_and(|i| i.contains("ld-linux")));
    }

    #[test]
    fn rejects_non_elf_and_truncated_files() {
        assert!(ElfInfo::parse(b"#!/bin/sh\n").unwrap_err().contains("not an ELF"));
        let bytes = fs_err::read(std::env::current_exe().unwrap()).unwrap();
        assert!(ElfInfo::parse(&bytes[..100]).unwrap_err().contains("truncated"));
    }
}
