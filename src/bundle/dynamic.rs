//! In-place edits of an ELF object's dynamic section: how the one-dir
//! layout sets run paths without `patchelf`. Nothing moves: entries of the
//! `PT_DYNAMIC` array are rewritten, removed (the rest shift up, a
//! `DT_NULL` fills the end, as `patchelf --remove-rpath` does) or pointed at
//! a suffix of their own string, and a string of `.dynstr` is overwritten
//! only when the new one fits in its place and nothing else refers into it.
//! So the file keeps its size, its segments and its hash tables: patchelf
//! has to grow a library to add a run path (a new segment holding a moved
//! `.dynstr`), which UPX 4.2 then refuses ("DT_GNU_HASH above stub"), and
//! which the bundle no longer needs (see `onedir`: the executable's
//! `DT_RPATH` serves every library in `lib/`). Read with goblin; both ELF
//! classes and byte orders.

use goblin::elf::Elf;
use goblin::elf::dynamic::{DT_NEEDED, DT_NULL, DT_RPATH, DT_RUNPATH, DT_SONAME, DT_STRSZ, DT_STRTAB};
use goblin::elf::program_header::{PT_DYNAMIC, PT_LOAD};

/// Tags whose value is an offset into `.dynstr`, besides the run paths.
const STRING_TAGS: &[u64] = &[DT_NEEDED, DT_SONAME, 0x7fff_fffd, 0x7fff_ffff, 0x6fff_fefa, 0x6fff_fefb, 0x6fff_fefc];

/// The dynamic section of one object, as far as these edits need it.
struct Dynamic {
    little: bool,
    is_64: bool,
    /// File offset of the array and how many entries fit in it.
    offset: usize,
    slots: usize,
    /// (tag, value) up to, not including, the first `DT_NULL`.
    entries: Vec<(u64, u64)>,
    /// File offset and size of `.dynstr`.
    strtab: (usize, usize),
    /// `.dynstr` offsets used by symbols and symbol versions; `None` when
    /// the file has no section headers to find them by (then no string is
    /// overwritten).
    other_refs: Option<Vec<usize>>,
}

/// What [`set_rpath`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RpathEdit {
    /// It was a `DT_RPATH` with that directory already.
    Unchanged,
    /// A `DT_RUNPATH` with that directory became a `DT_RPATH`.
    Retagged,
    /// A run-path string was overwritten with the directory.
    Rewritten,
}

/// Makes `wanted` (one directory) the object's `DT_RPATH`, which, unlike
/// `DT_RUNPATH`, the loader also searches for the libraries that other
/// libraries need. Every other run-path entry is removed (a `DT_RUNPATH`
/// would switch `DT_RPATH` off). `Err(None)`: there is no run-path string
/// long enough to take `wanted` in place.
pub fn set_rpath(bytes: &mut [u8], wanted: &str) -> Result<RpathEdit, Option<String>> {
    let d = Dynamic::read(bytes).map_err(Some)?;
    let paths: Vec<usize> = (0..d.entries.len()).filter(|&i| is_path(d.entries[i].0)).collect();
    let has = |i: &usize| d.string(bytes, d.entries[*i].1).is_some_and(|s| s.split(':').any(|c| c == wanted));
    let (keep, edit) = match paths.iter().find(|i| has(i)) {
        Some(&i) if d.entries[i].0 == DT_RPATH && paths.len() == 1 => return Ok(RpathEdit::Unchanged),
        Some(&i) => (i, RpathEdit::Retagged),
        None => {
            let slot = paths.iter().copied().find(|&i| d.can_overwrite(bytes, d.entries[i].1, wanted.len()));
            let i = slot.ok_or(None)?;
            let at = d.strtab.0 + d.entries[i].1 as usize;
            bytes[at..at + wanted.len()].copy_from_slice(wanted.as_bytes());
            bytes[at + wanted.len()] = 0;
            (i, RpathEdit::Rewritten)
        }
    };
    let entries: Vec<(u64, u64)> = (0..d.entries.len())
        .filter(|i| *i == keep || !is_path(d.entries[*i].0))
        .map(|i| if i == keep { (DT_RPATH, d.entries[i].1) } else { d.entries[i] })
        .collect();
    d.write(bytes, &entries);
    Ok(edit)
}

/// Removes every `DT_RPATH` and `DT_RUNPATH`; returns the run paths removed.
pub fn clear_run_paths(bytes: &mut [u8]) -> Result<Vec<String>, String> {
    let d = Dynamic::read(bytes)?;
    let removed: Vec<String> =
        d.entries.iter().filter(|e| is_path(e.0)).filter_map(|e| d.string(bytes, e.1).map(str::to_string)).collect();
    if d.entries.iter().any(|e| is_path(e.0)) {
        let kept: Vec<(u64, u64)> = d.entries.iter().copied().filter(|e| !is_path(e.0)).collect();
        d.write(bytes, &kept);
    }
    Ok(removed)
}

/// Points each `DT_NEEDED` path (`/opt/x/libfoo.so`, a library linked by
/// path) whose file name is in `names` at that file name, a suffix of the
/// same string: the loader then looks for it along the run paths, as for
/// any other name. Returns the (path, file name) pairs changed.
pub fn needed_by_file_name(bytes: &mut [u8], names: &[String]) -> Result<Vec<(String, String)>, String> {
    let d = Dynamic::read(bytes)?;
    let mut entries = d.entries.clone();
    let mut changed = Vec::new();
    for entry in entries.iter_mut().filter(|e| e.0 == DT_NEEDED) {
        let Some(name) = d.string(bytes, entry.1) else { continue };
        let Some((_, file)) = name.rsplit_once('/') else { continue };
        if names.iter().any(|n| n == file) {
            entry.1 += (name.len() - file.len()) as u64;
            changed.push((name.to_string(), file.to_string()));
        }
    }
    if !changed.is_empty() {
        d.write(bytes, &entries);
    }
    Ok(changed)
}

fn is_path(tag: u64) -> bool {
    tag == DT_RPATH || tag == DT_RUNPATH
}

impl Dynamic {
    fn read(bytes: &[u8]) -> Result<Dynamic, String> {
        let elf = Elf::parse(bytes).map_err(|e| format!("malformed ELF: {e}"))?;
        let dynamic = elf.program_headers.iter().find(|p| p.p_type == PT_DYNAMIC).ok_or("no dynamic section")?;
        let entsize = if elf.is_64 { 16 } else { 8 };
        let (offset, size) = (dynamic.p_offset as usize, dynamic.p_filesz as usize);
        bytes.get(offset..offset.saturating_add(size)).ok_or("the dynamic section is outside the file")?;
        let mut d = Dynamic {
            little: elf.little_endian,
            is_64: elf.is_64,
            offset,
            slots: size / entsize,
            entries: Vec::new(),
            strtab: (0, 0),
            other_refs: None,
        };
        for slot in 0..d.slots {
            let entry = d.entry(bytes, slot);
            if entry.0 == DT_NULL {
                break;
            }
            d.entries.push(entry);
        }
        if d.entries.len() == d.slots {
            return Err("the dynamic section has no DT_NULL terminator".into());
        }
        let value = |tag| d.entries.iter().find(|e| e.0 == tag).map(|e| e.1);
        let (addr, len) = value(DT_STRTAB).zip(value(DT_STRSZ)).ok_or("no DT_STRTAB/DT_STRSZ")?;
        let load = elf.program_headers.iter().filter(|p| p.p_type == PT_LOAD);
        let seg = load.into_iter().find(|p| p.p_vaddr <= addr && addr + len <= p.p_vaddr + p.p_filesz);
        let seg = seg.ok_or("DT_STRTAB is not in a loaded segment")?;
        d.strtab = ((addr - seg.p_vaddr + seg.p_offset) as usize, len as usize);
        bytes.get(d.strtab.0..d.strtab.0 + d.strtab.1).ok_or(".dynstr is outside the file")?;
        if !elf.section_headers.is_empty() {
            let mut refs: Vec<usize> = elf.dynsyms.iter().map(|s| s.st_name).collect();
            for def in elf.verdef.iter().flat_map(goblin::elf::VerdefSection::iter) {
                refs.extend(def.iter().map(|aux| aux.vda_name));
            }
            for need in elf.verneed.iter().flat_map(goblin::elf::VerneedSection::iter) {
                refs.push(need.vn_file);
                refs.extend(need.iter().map(|aux| aux.vna_name));
            }
            d.other_refs = Some(refs);
        }
        Ok(d)
    }

    fn entry(&self, bytes: &[u8], slot: usize) -> (u64, u64) {
        let size = if self.is_64 { 8 } else { 4 };
        let at = self.offset + slot * 2 * size;
        (self.word(&bytes[at..at + size]), self.word(&bytes[at + size..at + 2 * size]))
    }

    fn word(&self, b: &[u8]) -> u64 {
        let mut buf = [0u8; 8];
        match self.little {
            true => buf[..b.len()].copy_from_slice(b),
            false => buf[8 - b.len()..].copy_from_slice(b),
        }
        if self.little { u64::from_le_bytes(buf) } else { u64::from_be_bytes(buf) }
    }

    /// Writes `entries`, then `DT_NULL`s over every slot the old list used.
    fn write(&self, bytes: &mut [u8], entries: &[(u64, u64)]) {
        let size = if self.is_64 { 8 } else { 4 };
        let nulls = self.entries.len().max(entries.len()) + 1 - entries.len();
        let all = entries.iter().copied().chain(std::iter::repeat_n((DT_NULL, 0), nulls));
        for (slot, (tag, value)) in all.enumerate().take(self.slots) {
            let at = self.offset + slot * 2 * size;
            for (i, word) in [tag, value].into_iter().enumerate() {
                let be = word.to_be_bytes();
                let le = word.to_le_bytes();
                let out = &mut bytes[at + i * size..at + (i + 1) * size];
                match self.little {
                    true => out.copy_from_slice(&le[..size]),
                    false => out.copy_from_slice(&be[8 - size..]),
                }
            }
        }
    }

    /// The NUL-terminated string at `offset` of `.dynstr`.
    fn string<'b>(&self, bytes: &'b [u8], offset: u64) -> Option<&'b str> {
        let table = &bytes[self.strtab.0..self.strtab.0 + self.strtab.1];
        let rest = table.get(usize::try_from(offset).ok()?..)?;
        std::str::from_utf8(&rest[..rest.iter().position(|b| *b == 0)?]).ok()
    }

    /// Whether the string at `offset` can be overwritten by one of `len`
    /// bytes: it is at least that long, starts a string of its own (it is
    /// not the tail of a longer one), and nothing but run paths refers to
    /// it or into it (GNU ld shares tails of strings).
    fn can_overwrite(&self, bytes: &[u8], offset: u64, len: usize) -> bool {
        let (Some(old), Some(others)) = (self.string(bytes, offset), &self.other_refs) else { return false };
        let start = offset as usize;
        let span = start..start + old.len();
        let own_start = start == 0 || bytes[self.strtab.0 + start - 1] == 0;
        let dyn_refs = self.entries.iter().filter(|e| STRING_TAGS.contains(&e.0)).map(|e| e.1 as usize);
        let clash = others.iter().copied().chain(dyn_refs).any(|r| span.contains(&r));
        let path_tails = self
            .entries
            .iter()
            .filter(|e| is_path(e.0))
            .any(|e| e.1 as usize > start && span.contains(&(e.1 as usize)));
        old.len() >= len && own_start && !clash && !path_tails
    }
}

#[cfg(test)]
#[path = "dynamic_tests.rs"]
mod tests;
