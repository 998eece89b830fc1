//! The one-file's end: the trailer (magic, version, offsets, the payload
//! hash) and the header (program name, runtime-dir spec), read and checked
//! before anything is written; and the payload, verified against the hash.

use crate::{bad, io_fail, Fail};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

const MAGIC: &[u8; 8] = b"CFRZ1FIL";
const VERSION: u32 = 1;
const TRAILER_LEN: u64 = 80;

pub struct Trailer {
    pub fuse: u32,
    pub payload_offset: u64,
    pub payload_len: u64,
    pub unpacked: u64,
    pub header_len: u64,
    pub hash: [u8; 32],
}

pub struct Header {
    pub name: String,
    pub spec: String,
}

pub fn read_trailer(file: &mut File, exe: &Path) -> Result<Trailer, Fail> {
    let len = file.seek(SeekFrom::End(0)).map_err(|e| io_fail("read", exe, e))?;
    if len < TRAILER_LEN {
        return Err(bad(format!("{} is not a cargo-freeze one-file (too short)", exe.display())));
    }
    let mut t = [0u8; TRAILER_LEN as usize];
    file.seek(SeekFrom::Start(len - TRAILER_LEN))
        .and_then(|_| file.read_exact(&mut t))
        .map_err(|e| io_fail("read", exe, e))?;
    if &t[0..8] != MAGIC {
        return Err(bad(format!(
            "{} has no cargo-freeze trailer (wrong magic); the file is truncated or not a one-file bundle",
            exe.display()
        )));
    }
    let u32_at = |i: usize| crate::unpack::le(&t[i..i + 4]) as u32;
    let u64_at = |i: usize| crate::unpack::le(&t[i..i + 8]);
    let version = u32_at(8);
    if version != VERSION {
        return Err(bad(format!("format version {version} is not supported by this bootloader (supports {VERSION})")));
    }
    let trailer = Trailer {
        fuse: u32_at(12),
        payload_offset: u64_at(16),
        payload_len: u64_at(24),
        unpacked: u64_at(32),
        header_len: u64_at(40),
        hash: {
            let mut hash = [0u8; 32];
            hash.copy_from_slice(&t[48..80]);
            hash
        },
    };
    let end = trailer.payload_offset.checked_add(trailer.payload_len).and_then(|e| e.checked_add(trailer.header_len));
    if end != Some(len - TRAILER_LEN) {
        return Err(bad("the trailer's offsets do not match the file size (truncated or corrupted)"));
    }
    Ok(trailer)
}

pub fn read_header(file: &mut File, t: &Trailer) -> Result<Header, Fail> {
    if t.header_len > 64 * 1024 {
        return Err(bad("header too large (corrupted)"));
    }
    let mut buf = vec![0u8; t.header_len as usize];
    file.seek(SeekFrom::Start(t.payload_offset + t.payload_len))
        .and_then(|_| file.read_exact(&mut buf))
        .map_err(|e| bad(format!("cannot read header: {e}")))?;
    let text = String::from_utf8(buf).map_err(|_| bad("header is not UTF-8 (corrupted)"))?;
    let mut lines = text.splitn(2, '\n');
    let name = lines.next().unwrap_or_default().to_string();
    let spec = lines.next().unwrap_or_default().to_string();
    if name.is_empty() || name.contains('/') || name.contains('\\') || name.starts_with('.') {
        return Err(bad("header has an invalid program name (corrupted)"));
    }
    Ok(Header { name, spec })
}

pub fn hex16(hash: &[u8; 32]) -> String {
    hash[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The compressed payload and the header bytes after it, as read: checked
/// against the trailer's hash by [`Payload::verify`], which the caller runs
/// while the payload decodes (nothing is written before it passes).
pub struct Payload {
    pub bytes: Vec<u8>,
    header: Vec<u8>,
}

pub fn read_payload(file: &mut File, t: &Trailer) -> Result<Payload, Fail> {
    if t.payload_len > (1 << 40) || t.header_len > 64 * 1024 {
        return Err(bad("payload too large (corrupted)"));
    }
    let mut bytes = vec![0u8; t.payload_len as usize];
    let mut header = vec![0u8; t.header_len as usize];
    file.seek(SeekFrom::Start(t.payload_offset))
        .and_then(|_| file.read_exact(&mut bytes))
        .and_then(|()| file.read_exact(&mut header))
        .map_err(|e| bad(format!("cannot read payload: {e}")))?;
    Ok(Payload { bytes, header })
}

impl Payload {
    pub fn verify(&self, t: &Trailer) -> Result<(), Fail> {
        let mut hasher = Sha256::new();
        hasher.update(&self.bytes);
        hasher.update(&self.header);
        let got: [u8; 32] = hasher.finalize().into();
        match got == t.hash {
            true => Ok(()),
            false => Err(bad("payload hash mismatch (corrupted)")),
        }
    }
}
