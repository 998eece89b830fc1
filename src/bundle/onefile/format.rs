//! Writing and reading whole one-files: `bootloader | payload | header |
//! trailer`. The trailer's and header's layout is the one the bootloader
//! compiles too ([`super::layout`]); FORMAT.md describes the bytes.

use super::layout::{self, HASHED_TRAILER, TRAILER_LEN, Trailer, TrailerError};
use super::{Error, payload};
use fs_err as fs;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// One file of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Relative, `/`-separated.
    pub path: String,
    pub executable: bool,
    pub data: Vec<u8>,
}

/// A verified one-file, as `inspect` shows it.
#[derive(Clone, Debug)]
pub struct Bundle {
    pub path: PathBuf,
    pub version: u32,
    pub fuse_limit: u32,
    pub name: String,
    pub runtime_dir: String,
    pub bootloader_size: u64,
    pub payload_size: u64,
    pub unpacked_size: u64,
    pub hash: String,
    pub entries: Vec<Entry>,
}

pub(crate) struct Written {
    pub total: u64,
    pub hash: String,
}

/// The trailer for these parts, its hash over payload ‖ header ‖ the
/// trailer's own fields: no byte after the bootloader is outside the hash.
pub(crate) fn trailer(boot_len: u64, encoded: &payload::Encoded, header: &[u8], fuse: u32) -> [u8; TRAILER_LEN] {
    let mut trailer = Trailer {
        fuse,
        payload_offset: boot_len,
        payload_len: encoded.compressed.len() as u64,
        unpacked: encoded.unpacked,
        header_len: header.len() as u64,
        hash: [0; 32],
    };
    let mut hasher = Sha256::new();
    hasher.update(&encoded.compressed);
    hasher.update(header);
    hasher.update(&trailer.encode()[..HASHED_TRAILER]);
    trailer.hash = hasher.finalize().into();
    trailer.encode()
}

/// Writes the file beside `out` and renames it into place.
pub(crate) fn write(
    out: &Path,
    boot: &[u8],
    encoded: &payload::Encoded,
    header: &[u8],
    fuse: u32,
) -> Result<Written, Error> {
    let trailer = trailer(boot.len() as u64, encoded, header, fuse);
    let total = (boot.len() + encoded.compressed.len() + header.len() + TRAILER_LEN) as u64;
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(Error::io("create the output dir"))?;
    // Removed on any failure: nothing half-written is left beside `out`.
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", out.file_name().unwrap_or_default().to_string_lossy()))
        .tempfile_in(dir)
        .map_err(Error::io(format!("create a temp file in {}", dir.display())))?;
    for part in [boot, &encoded.compressed, header, &trailer] {
        tmp.write_all(part).map_err(Error::io("write the one-file"))?;
    }
    tmp.as_file().sync_all().map_err(Error::io("write the one-file"))?;
    set_executable(tmp.path())?;
    place(tmp, out)?;
    Ok(Written { total, hash: layout::hex(&trailer[HASHED_TRAILER..]) })
}

/// Renames `tmp` over `out`, an earlier one-file (the caller checked
/// `--clean` and that `out` is not a directory).
fn place(tmp: tempfile::NamedTempFile, out: &Path) -> Result<(), Error> {
    tmp.persist(out).map(drop).map_err(|e| Error::io(format!("move the one-file to {}", out.display()))(e.error))
}

#[cfg(unix)]
fn set_executable(path: &Path) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(Error::io("make the one-file executable"))
}

#[cfg(not(unix))]
fn set_executable(_path: &Path) -> Result<(), Error> {
    Ok(())
}

/// Reads the trailer, verifies the hash, and decodes every entry.
pub fn read_bundle(path: &Path) -> Result<Bundle, Error> {
    let bytes = fs::read(path).map_err(Error::io("read the one-file"))?;
    let not = |reason: &str| Error::NotABundle { path: path.to_path_buf(), reason: reason.to_string() };
    let bad = |reason: &str| Error::Corrupted { path: path.to_path_buf(), reason: reason.to_string() };
    let len = bytes.len() as u64;
    let raw: [u8; TRAILER_LEN] = bytes
        .get(bytes.len().saturating_sub(TRAILER_LEN)..)
        .and_then(|t| t.try_into().ok())
        .ok_or_else(|| not("shorter than a trailer"))?;
    let t = Trailer::parse(&raw, len).map_err(|e| match e {
        TrailerError::NotOneFile => not("no cargo-freeze trailer at the end (wrong magic, or truncated)"),
        TrailerError::Version(v) => {
            not(&format!("format version {v} is not supported (this cargo-freeze reads {})", layout::VERSION))
        }
        TrailerError::Offsets => bad("the trailer's offsets do not match the file size (truncated?)"),
    })?;
    let payload = &bytes[t.payload_offset as usize..(t.payload_offset + t.payload_len) as usize];
    let head = &bytes[(t.payload_offset + t.payload_len) as usize..bytes.len() - TRAILER_LEN];
    let mut hasher = Sha256::new();
    hasher.update(payload);
    hasher.update(head);
    hasher.update(&raw[..HASHED_TRAILER]);
    let hash: [u8; 32] = hasher.finalize().into();
    if hash != t.hash {
        return Err(bad("the payload hash does not match the trailer"));
    }
    // One or more frames; read one byte past the stated size to see a lie.
    let mut decoded = Vec::new();
    zstd::stream::Decoder::with_buffer(payload)
        .map_err(|e| bad(&format!("the payload is not zstd ({e})")))?
        .take(t.unpacked.saturating_add(1))
        .read_to_end(&mut decoded)
        .map_err(|e| bad(&format!("the payload does not decompress ({e})")))?;
    if decoded.len() as u64 != t.unpacked {
        return Err(bad("the unpacked size differs from the trailer"));
    }
    let entries = payload::decode(&decoded).map_err(|e| bad(&e))?;
    let (name, spec) = layout::parse_header(head).map_err(bad)?;
    Ok(Bundle {
        path: path.to_path_buf(),
        version: layout::VERSION,
        fuse_limit: t.fuse,
        name,
        runtime_dir: if spec.is_empty() { layout::DEFAULT_SPEC.into() } else { spec },
        bootloader_size: t.payload_offset,
        payload_size: t.payload_len,
        unpacked_size: t.unpacked,
        hash: layout::hex(&hash),
        entries,
    })
}
