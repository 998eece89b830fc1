//! In-place edits of a Mach-O image's load commands: how a macOS one-dir
//! bundle gets its install names and run paths without `install_name_tool`.
//! The commands are read as raw byte blocks, changed (a dylib command's
//! name replaced, `LC_RPATH`s removed or one added), and written back over
//! the same region. Nothing else in the file moves: the commands may only
//! use the header padding, the bytes between the end of the load commands
//! and the first section's data, and a list that no longer fits there is an
//! error ([`EditError::NoRoom`]), never a moved section. A shorter name
//! keeps its command's size (zeros after it), so most edits change no
//! offset at all. The order of the dylib commands is never changed: symbols
//! are bound to libraries by their ordinal in that order. One image at a
//! time (a universal file's slices are edited one by one by the caller);
//! little-endian only, as every Mach-O a Mac runs today.

/// Load commands whose payload is a dylib install name (`struct
/// dylib_command`): the image's own id and the ways of loading another.
pub const LC_LOAD_DYLIB: u32 = 0xc;
pub const LC_ID_DYLIB: u32 = 0xd;
const LC_LOAD_WEAK_DYLIB: u32 = 0x8000_0018;
const LC_REEXPORT_DYLIB: u32 = 0x8000_001f;
const LC_LAZY_LOAD_DYLIB: u32 = 0x20;
const LC_LOAD_UPWARD_DYLIB: u32 = 0x8000_0023;
const LOADS: [u32; 5] =
    [LC_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_LAZY_LOAD_DYLIB, LC_LOAD_UPWARD_DYLIB];
pub const LC_RPATH: u32 = 0x8000_001c;
pub const LC_CODE_SIGNATURE: u32 = 0x1d;
const LC_SEGMENT: u32 = 0x1;
const LC_SEGMENT_64: u32 = 0x19;
/// Section types without file contents (`S_ZEROFILL`, `S_GB_ZEROFILL`,
/// `S_THREAD_LOCAL_ZEROFILL`): their offset is not where data starts.
const ZEROFILL: [u32; 3] = [0x1, 0xc, 0x12];

/// Why an edit was not made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditError {
    /// The edited commands need `needed` bytes; the header has `available`.
    NoRoom {
        needed: usize,
        available: usize,
    },
    Malformed(String),
}

fn malformed(what: impl Into<String>) -> EditError {
    EditError::Malformed(what.into())
}

/// One image's load commands, each as its raw bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commands {
    is_64: bool,
    /// The size of the Mach-O header (28 or 32 bytes).
    header_len: usize,
    /// The old `sizeofcmds`.
    old_len: usize,
    /// Bytes the commands may fill: from the header's end to the first
    /// byte of section or segment data.
    room: usize,
    list: Vec<Vec<u8>>,
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

fn u64_at(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at.checked_add(8)?)?.try_into().ok()?))
}

impl Commands {
    /// Reads the commands of the thin image `image`.
    pub fn read(image: &[u8]) -> Result<Commands, EditError> {
        let is_64 = match u32_at(image, 0) {
            Some(0xfeed_facf) => true,
            Some(0xfeed_face) => false,
            Some(0xcffa_edfe | 0xcefa_edfe) => return Err(malformed("a big-endian (PowerPC) image is not supported")),
            _ => return Err(malformed("not a thin Mach-O image")),
        };
        let header_len: usize = if is_64 { 32 } else { 28 };
        let count = u32_at(image, 16).ok_or_else(|| malformed("truncated header"))? as usize;
        let old_len = u32_at(image, 20).ok_or_else(|| malformed("truncated header"))? as usize;
        let end = header_len.checked_add(old_len).filter(|&e| e <= image.len());
        let end = end.ok_or_else(|| malformed("the load commands run past the end of the file"))?;
        let mut list = Vec::with_capacity(count);
        let mut at = header_len;
        for _ in 0..count {
            let size = u32_at(image, at + 4).map(|s| s as usize);
            let size =
                size.filter(|&s| s >= 8 && at + s <= end).ok_or_else(|| malformed("a load command is truncated"))?;
            list.push(image[at..at + size].to_vec());
            at += size;
        }
        let mut commands = Commands { is_64, header_len, old_len, room: 0, list };
        commands.room = commands.data_start(image)?.checked_sub(header_len).ok_or_else(|| malformed("no header"))?;
        if commands.room < old_len {
            return Err(malformed("the load commands overlap the first section"));
        }
        Ok(commands)
    }

    /// The first file offset holding section or segment data (the end of
    /// the header padding), else the file's end.
    fn data_start(&self, image: &[u8]) -> Result<usize, EditError> {
        let mut first = image.len() as u64;
        let (seg_len, sect_len) = if self.is_64 { (72, 80) } else { (56, 68) };
        let bad = || malformed("a segment command is truncated");
        for c in self.list.iter().filter(|c| matches!(u32_at(c, 0), Some(LC_SEGMENT | LC_SEGMENT_64))) {
            let (fileoff, filesize) = match self.is_64 {
                true => (u64_at(c, 40).ok_or_else(bad)?, u64_at(c, 48).ok_or_else(bad)?),
                false => (u64::from(u32_at(c, 32).ok_or_else(bad)?), u64::from(u32_at(c, 36).ok_or_else(bad)?)),
            };
            if fileoff > 0 && filesize > 0 {
                first = first.min(fileoff);
            }
            let sections = u32_at(c, seg_len - 8).ok_or_else(bad)? as usize;
            for s in 0..sections {
                let at = seg_len + s * sect_len;
                let (size, offset, flags) = match self.is_64 {
                    true => (u64_at(c, at + 40), u32_at(c, at + 48), u32_at(c, at + 64)),
                    false => (u32_at(c, at + 36).map(u64::from), u32_at(c, at + 40), u32_at(c, at + 56)),
                };
                let (size, offset, flags) = (size.ok_or_else(bad)?, offset.ok_or_else(bad)?, flags.ok_or_else(bad)?);
                if size > 0 && offset > 0 && !ZEROFILL.contains(&(flags & 0xff)) {
                    first = first.min(u64::from(offset));
                }
            }
        }
        usize::try_from(first).map_err(|_| malformed("a segment offset is out of range"))
    }

    /// The commands' `cmd` values, in order.
    pub fn kinds(&self) -> impl Iterator<Item = u32> + '_ {
        self.list.iter().filter_map(|c| u32_at(c, 0))
    }

    /// The string a dylib or run-path command carries (`lc_str`).
    fn string(command: &[u8]) -> Option<&str> {
        let offset = u32_at(command, 8)? as usize;
        let rest = command.get(offset..)?;
        std::str::from_utf8(&rest[..rest.iter().position(|b| *b == 0)?]).ok()
    }

    /// The image's own install name (`LC_ID_DYLIB`), if it is a dylib.
    pub fn id(&self) -> Option<&str> {
        self.list.iter().find(|c| u32_at(c, 0) == Some(LC_ID_DYLIB)).and_then(|c| Self::string(c))
    }

    /// (index, install name) of every command that loads a dylib.
    pub fn loads(&self) -> Vec<(usize, String)> {
        let loads = self.list.iter().enumerate().filter(|(_, c)| u32_at(c, 0).is_some_and(|k| LOADS.contains(&k)));
        loads.filter_map(|(i, c)| Self::string(c).map(|s| (i, s.to_string()))).collect()
    }

    /// The `LC_RPATH` entries, in order.
    pub fn rpaths(&self) -> Vec<String> {
        let rpaths = self.list.iter().filter(|c| u32_at(c, 0) == Some(LC_RPATH));
        rpaths.filter_map(|c| Self::string(c).map(str::to_string)).collect()
    }

    /// `LC_CODE_SIGNATURE`: (offset, size) of the signature in the image.
    pub fn code_signature(&self) -> Option<(usize, usize)> {
        let c = self.list.iter().find(|c| u32_at(c, 0) == Some(LC_CODE_SIGNATURE))?;
        Some((u32_at(c, 8)? as usize, u32_at(c, 12)? as usize))
    }

    /// Commands are padded to 8 bytes in a 64-bit image, 4 in a 32-bit one.
    fn align(&self, len: usize) -> usize {
        let a = if self.is_64 { 8 } else { 4 };
        len.div_ceil(a) * a
    }

    /// Replaces the name of command `index` (a dylib command, as listed by
    /// [`Commands::loads`] or the id). A shorter name keeps the command's
    /// size; a longer one grows it.
    pub fn set_name(&mut self, index: usize, name: &str) -> Result<(), EditError> {
        let old = &self.list[index];
        let offset = u32_at(old, 8).map(|o| o as usize).filter(|&o| o >= 24 && o <= old.len());
        let offset = offset.ok_or_else(|| malformed("a dylib command's name is out of place"))?;
        let size = self.align(offset + name.len() + 1).max(old.len());
        let mut new = old[..offset].to_vec();
        new.extend_from_slice(name.as_bytes());
        new.resize(size, 0);
        new[4..8].copy_from_slice(&(size as u32).to_le_bytes());
        self.list[index] = new;
        Ok(())
    }

    /// The id of a dylib (no-op for an image without one).
    pub fn set_id(&mut self, name: &str) -> Result<(), EditError> {
        match self.list.iter().position(|c| u32_at(c, 0) == Some(LC_ID_DYLIB)) {
            Some(index) => self.set_name(index, name),
            None => Ok(()),
        }
    }

    /// Removes every `LC_RPATH` but those equal to `keep`.
    pub fn retain_rpaths(&mut self, keep: &[&str]) {
        self.list.retain(|c| u32_at(c, 0) != Some(LC_RPATH) || Self::string(c).is_some_and(|s| keep.contains(&s)));
    }

    /// Appends an `LC_RPATH` for `path`.
    pub fn push_rpath(&mut self, path: &str) {
        let size = self.align(12 + path.len() + 1);
        let mut c = Vec::with_capacity(size);
        for word in [LC_RPATH, size as u32, 12] {
            c.extend_from_slice(&word.to_le_bytes());
        }
        c.extend_from_slice(path.as_bytes());
        c.resize(size, 0);
        self.list.push(c);
    }

    /// Writes the commands back into `image` (the one they were read from):
    /// `ncmds`, `sizeofcmds`, the commands, zeros over what the old list
    /// used beyond the new one. The padding grown into must be zeros: any
    /// other byte there is data this edit knows nothing of.
    pub fn write(&self, image: &mut [u8]) -> Result<(), EditError> {
        let bytes: Vec<u8> = self.list.concat();
        if bytes.len() > self.room {
            return Err(EditError::NoRoom { needed: bytes.len(), available: self.room });
        }
        let start = self.header_len;
        if image[start + self.old_len..start + bytes.len().max(self.old_len)].iter().any(|b| *b != 0) {
            return Err(malformed("the header padding holds data"));
        }
        image[16..20].copy_from_slice(&(self.list.len() as u32).to_le_bytes());
        image[20..24].copy_from_slice(&(bytes.len() as u32).to_le_bytes());
        image[start..start + bytes.len()].copy_from_slice(&bytes);
        image[start + bytes.len()..start + bytes.len().max(self.old_len)].fill(0);
        Ok(())
    }
}

/// The byte ranges of the thin images in `bytes`: the whole file, or each
/// architecture of a universal ("fat") file.
pub fn images(bytes: &[u8]) -> Result<Vec<std::ops::Range<usize>>, EditError> {
    use goblin::mach::{Mach, MultiArch};
    match Mach::parse(bytes).map_err(|e| malformed(e.to_string()))? {
        Mach::Binary(_) => Ok(std::iter::once(0..bytes.len()).collect()),
        Mach::Fat(_) => {
            let fat = MultiArch::new(bytes).map_err(|e| malformed(e.to_string()))?;
            let mut out = Vec::new();
            for arch in fat.iter_arches() {
                let arch = arch.map_err(|e| malformed(e.to_string()))?;
                let (start, size) = (arch.offset as usize, arch.size as usize);
                let range = start
                    ..start
                        .checked_add(size)
                        .filter(|&end| end <= bytes.len())
                        .ok_or_else(|| malformed("an architecture of the universal file runs past its end"))?;
                out.push(range);
            }
            Ok(out)
        }
    }
}

#[cfg(test)]
#[path = "macho_edit_tests.rs"]
pub(crate) mod tests;
