//! The one-file format, shared: the bootloader compiles this file as its
//! `format` module and cargo-freeze includes the same file with `#[path]`
//! (`bundle::onefile::layout`), so the packer, `inspect`, `cargo freeze
//! cache` and the bootloader cannot disagree on the trailer's layout, the
//! header, the extraction marker or where extractions go. Only `std`: both
//! crates compile it. The bytes are described in FORMAT.md.

use std::path::{Path, PathBuf};

pub const MAGIC: &[u8; 8] = b"CFRZ1FIL";
/// 2: the hash covers the trailer too; the marker records the trailer.
pub const VERSION: u32 = 2;
pub const TRAILER_LEN: usize = 80;
/// The trailer's bytes the hash covers: every field before the hash.
pub const HASHED_TRAILER: usize = 48;
/// A header is a name and a runtime-dir spec: a few hundred bytes at most.
pub const MAX_HEADER: u64 = 64 * 1024;
/// The extraction root used when the bundle names none.
pub const DEFAULT_SPEC: &str = "{cache}/cargo-freeze/{name}-{hash}";
/// Written last into a finished extraction (see [`marker_text`]).
pub const MARKER: &str = ".cargo-freeze-complete";

/// The fixed-size end of a one-file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trailer {
    /// Nested launches of this bundle allowed before the storm fuse trips.
    pub fuse: u32,
    pub payload_offset: u64,
    pub payload_len: u64,
    pub unpacked: u64,
    pub header_len: u64,
    /// sha256 of payload ‖ header ‖ the trailer's first [`HASHED_TRAILER`] bytes.
    pub hash: [u8; 32],
}

/// Why the last bytes of a file are not a trailer this code reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrailerError {
    /// Shorter than a trailer, or no magic: not a one-file (or truncated).
    NotOneFile,
    Version(u32),
    /// The offsets and lengths do not add up to the file's size.
    Offsets,
}

impl Trailer {
    /// The trailer of a file of `file_len` bytes whose last bytes are `t`.
    pub fn parse(t: &[u8; TRAILER_LEN], file_len: u64) -> Result<Trailer, TrailerError> {
        if &t[..8] != MAGIC || file_len < TRAILER_LEN as u64 {
            return Err(TrailerError::NotOneFile);
        }
        let version = le(&t[8..12]) as u32;
        if version != VERSION {
            return Err(TrailerError::Version(version));
        }
        let mut hash = [0u8; 32];
        hash.copy_from_slice(&t[HASHED_TRAILER..]);
        let trailer = Trailer {
            fuse: le(&t[12..16]) as u32,
            payload_offset: le(&t[16..24]),
            payload_len: le(&t[24..32]),
            unpacked: le(&t[32..40]),
            header_len: le(&t[40..48]),
            hash,
        };
        let end =
            trailer.payload_offset.checked_add(trailer.payload_len).and_then(|e| e.checked_add(trailer.header_len));
        match end == Some(file_len - TRAILER_LEN as u64) {
            true => Ok(trailer),
            false => Err(TrailerError::Offsets),
        }
    }

    /// The 80 bytes, little-endian; the packer hashes the first
    /// [`HASHED_TRAILER`] of them (the hash field does not cover itself).
    pub fn encode(&self) -> [u8; TRAILER_LEN] {
        let mut t = [0u8; TRAILER_LEN];
        t[..8].copy_from_slice(MAGIC);
        t[8..12].copy_from_slice(&VERSION.to_le_bytes());
        t[12..16].copy_from_slice(&self.fuse.to_le_bytes());
        let fields = [self.payload_offset, self.payload_len, self.unpacked, self.header_len];
        for (i, n) in fields.iter().enumerate() {
            t[16 + 8 * i..24 + 8 * i].copy_from_slice(&n.to_le_bytes());
        }
        t[HASHED_TRAILER..].copy_from_slice(&self.hash);
        t
    }
}

/// A little-endian integer of up to 8 bytes (no panicking conversions:
/// every panic site costs the bootloader size).
pub fn le(bytes: &[u8]) -> u64 {
    bytes.iter().rev().fold(0, |n, b| n << 8 | u64::from(*b))
}

/// `NAME\nSPEC`: the program's name and the runtime-dir spec ("" = default).
pub fn header(name: &str, spec: &str) -> Vec<u8> {
    format!("{name}\n{spec}").into_bytes()
}

/// The name and spec of a header; `Err` says what is wrong.
pub fn parse_header(bytes: &[u8]) -> Result<(String, String), &'static str> {
    let text = std::str::from_utf8(bytes).map_err(|_| "header is not UTF-8")?;
    let (name, spec) = text.split_once('\n').unwrap_or((text, ""));
    if name.is_empty() || name.bytes().any(|b| b == b'/' || b == b'\\') || name.starts_with('.') {
        return Err("header has an invalid program name");
    }
    Ok((name.to_string(), spec.to_string()))
}

/// The user's cache root: `$XDG_CACHE_HOME` (absolute), else `$HOME/.cache`
/// (`~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows) when HOME is
/// an existing directory. `None` otherwise: a missing HOME is never created.
pub fn cache_root() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).map(PathBuf::from).filter(|p| p.is_absolute());
    if cfg!(windows) {
        return var("LOCALAPPDATA").filter(|d| d.is_dir());
    }
    let home = || var("HOME").filter(|h| h.is_dir());
    if cfg!(target_os = "macos") {
        return home().map(|h| h.join("Library/Caches"));
    }
    var("XDG_CACHE_HOME").or_else(|| home().map(|h| h.join(".cache")))
}

/// Where extractions of the default spec live: `{cache}/cargo-freeze`.
pub fn default_extraction_root() -> Option<PathBuf> {
    cache_root().map(|c| c.join("cargo-freeze"))
}

/// `NAME-HASH16` (the default layout's dir name) split in two.
pub fn split_version(dir_name: &str) -> Option<(&str, &str)> {
    let at = dir_name.len().checked_sub(17).filter(|&at| at > 0 && dir_name.as_bytes()[at] == b'-')?;
    let (name, hash) = (&dir_name[..at], &dir_name[at + 1..]);
    let hex = hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (hex && !name.starts_with('.')).then_some((name, hash))
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digits = bytes.iter().flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]]);
    digits.map(char::from).collect()
}

/// The marker's text: the trailer the extraction was verified against and
/// the program's size. A warm start compares it with the text its own
/// trailer and the program's size give (one read, one stat): a changed
/// trailer (the fuse limit, say) or a missing, truncated or non-executable
/// program sends it down the cold path again.
pub fn marker_text(trailer: &[u8; TRAILER_LEN], program_size: u64) -> String {
    format!("cargo-freeze extraction\ntrailer {}\nprogram {program_size}\n", hex(trailer))
}

/// What a marker records: (the trailer as hex, the program's size).
pub fn parse_marker(text: &str) -> Option<(&str, u64)> {
    let mut lines = text.lines();
    if lines.next()? != "cargo-freeze extraction" {
        return None;
    }
    let trailer = lines.next()?.strip_prefix("trailer ")?;
    let size = lines.next()?.strip_prefix("program ")?.parse().ok()?;
    Some((trailer, size))
}

/// The program inside an extraction dir.
pub fn program_path(dir: &Path, name: &str, windows: bool) -> PathBuf {
    match windows {
        true => dir.join(format!("{name}.exe")),
        false => dir.join(name),
    }
}
