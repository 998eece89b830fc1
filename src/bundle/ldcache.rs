//! `/etc/ld.so.cache`, the index `ldconfig` builds from `/etc/ld.so.conf`
//! and its `.d` includes: the loader reads this file, not the conf files,
//! so neither does cargo-freeze. Format `glibc-ld.so.cache1.1` (glibc >=
//! 2.32 writes only this one): a 48-byte header, then 24-byte entries whose
//! key (soname) and value (path) are offsets into the file.

use std::path::PathBuf;

const MAGIC: &[u8] = b"glibc-ld.so.cache1.1";
const HEADER: usize = 48;
const ENTRY: usize = 24;
/// `FLAG_ELF_LIBC6`.
const ELF_LIBC6: i32 = 0x0003;
/// The architecture bits of an entry's flags.
const ARCH_MASK: i32 = 0xff00;

/// One library in the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheEntry {
    pub soname: String,
    pub path: PathBuf,
    /// `FLAG_*` bits: ELF libc6, plus the architecture (`0x0300` x86-64).
    pub flags: i32,
}

/// The cache's entries in file order (the loader's order), or empty when
/// the file is missing or in a format this parser does not know.
pub fn read(path: &std::path::Path) -> Vec<CacheEntry> {
    std::fs::read(path).map(|bytes| parse(&bytes)).unwrap_or_default()
}

pub fn parse(bytes: &[u8]) -> Vec<CacheEntry> {
    if !bytes.starts_with(MAGIC) || bytes.len() < HEADER {
        return Vec::new();
    }
    let u32_at = |at: usize| bytes.get(at..at + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let Some(count) = u32_at(20) else { return Vec::new() };
    let string = |at: u32| -> Option<String> {
        let rest = bytes.get(at as usize..)?;
        let end = rest.iter().position(|&b| b == 0)?;
        Some(String::from_utf8_lossy(&rest[..end]).into_owned())
    };
    (0..count as usize)
        .filter_map(|i| {
            let at = HEADER + i * ENTRY;
            let flags = u32_at(at)? as i32;
            Some(CacheEntry { flags, soname: string(u32_at(at + 4)?)?, path: PathBuf::from(string(u32_at(at + 8)?)?) })
        })
        .collect()
}

/// The architecture flags the loader accepts for an object of this class
/// and machine (`None`: any ELF libc6 entry, checked by reading the file).
pub fn arch_flags(is_64: bool, machine: u16) -> Option<i32> {
    match (is_64, machine) {
        (true, goblin::elf::header::EM_X86_64) => Some(0x0300),
        (false, goblin::elf::header::EM_386) => Some(0),
        (true, goblin::elf::header::EM_AARCH64) => Some(0x0a00),
        _ => None,
    }
}

impl CacheEntry {
    /// Whether the loader would consider this entry for that architecture.
    pub fn fits(&self, arch: Option<i32>) -> bool {
        self.flags & 0xff == ELF_LIBC6 && arch.is_none_or(|a| self.flags & ARCH_MASK == a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_hosts_cache_lists_libc() {
        let entries = read(std::path::Path::new("/etc/ld.so.cache"));
        assert!(!entries.is_empty(), "no entries in /etc/ld.so.cache (format changed?)");
        let libc = entries.iter().find(|e| e.soname == "libc.so.6" && e.fits(Some(0x0300))).expect("libc.so.6");
        assert!(libc.path.is_file(), "{libc:?}");
    }

    #[test]
    fn unknown_formats_give_nothing() {
        assert!(parse(b"ld.so-1.7.0\0\0\0\0").is_empty());
        assert!(parse(b"glibc-ld.so.cache1.1").is_empty());
    }
}
