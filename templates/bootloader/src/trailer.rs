//! The one-file's end, read and checked before anything is written: the
//! trailer (its layout in `format`), the header (program name, runtime-dir
//! spec); and the payload, verified against the hash, which covers the
//! payload, the header and every trailer field before the hash.

use crate::format::{self, TrailerError, HASHED_TRAILER, MAX_HEADER, TRAILER_LEN};
use crate::{bad, io_fail, Fail};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The parsed trailer and its bytes as read (the marker records them).
pub struct Trailer {
    pub fields: format::Trailer,
    pub raw: [u8; TRAILER_LEN],
}

pub struct Header {
    pub name: String,
    pub spec: String,
    raw: Vec<u8>,
}

pub fn read_trailer(file: &mut File, exe: &Path) -> Result<Trailer, Fail> {
    let len = file.seek(SeekFrom::End(0)).map_err(|e| io_fail("read", exe, e))?;
    let mut raw = [0u8; TRAILER_LEN];
    if len >= TRAILER_LEN as u64 {
        file.seek(SeekFrom::Start(len - TRAILER_LEN as u64))
            .and_then(|_| file.read_exact(&mut raw))
            .map_err(|e| io_fail("read", exe, e))?;
    }
    match format::Trailer::parse(&raw, len) {
        Ok(fields) => Ok(Trailer { fields, raw }),
        Err(TrailerError::NotOneFile) => Err(bad(format!(
            "{} has no cargo-freeze trailer (wrong magic); the file is truncated or not a one-file bundle",
            exe.display()
        ))),
        Err(TrailerError::Version(v)) => {
            Err(bad(format!("format version {v} is not supported by this bootloader (supports {})", format::VERSION)))
        }
        Err(TrailerError::Offsets) => {
            Err(bad("the trailer's offsets do not match the file size (truncated or corrupted)"))
        }
    }
}

pub fn read_header(file: &mut File, t: &Trailer) -> Result<Header, Fail> {
    let t = &t.fields;
    if t.header_len > MAX_HEADER {
        return Err(bad("header too large (corrupted)"));
    }
    let mut raw = vec![0u8; t.header_len as usize];
    file.seek(SeekFrom::Start(t.payload_offset + t.payload_len))
        .and_then(|_| file.read_exact(&mut raw))
        .map_err(|e| bad(format!("cannot read header: {e}")))?;
    let (name, spec) = format::parse_header(&raw).map_err(|why| bad(format!("{why} (corrupted)")))?;
    Ok(Header { name, spec, raw })
}

pub fn hex16(hash: &[u8; 32]) -> String {
    format::hex(&hash[..8])
}

/// The compressed payload, as read: checked against the trailer's hash by
/// [`Payload::verify`], which the caller runs while the payload decodes
/// (nothing is written before it passes).
pub struct Payload {
    pub bytes: Vec<u8>,
}

pub fn read_payload(file: &mut File, t: &Trailer) -> Result<Payload, Fail> {
    let t = &t.fields;
    if t.payload_len > (1 << 40) {
        return Err(bad("payload too large (corrupted)"));
    }
    let mut bytes = vec![0u8; t.payload_len as usize];
    file.seek(SeekFrom::Start(t.payload_offset))
        .and_then(|_| file.read_exact(&mut bytes))
        .map_err(|e| bad(format!("cannot read payload: {e}")))?;
    Ok(Payload { bytes })
}

impl Payload {
    pub fn verify(&self, h: &Header, t: &Trailer) -> Result<(), Fail> {
        let mut hasher = Sha256::new();
        hasher.update(&self.bytes);
        hasher.update(&h.raw);
        hasher.update(&t.raw[..HASHED_TRAILER]);
        let got: [u8; 32] = hasher.finalize().into();
        match got == t.fields.hash {
            true => Ok(()),
            false => Err(bad("payload hash mismatch (corrupted)")),
        }
    }
}
