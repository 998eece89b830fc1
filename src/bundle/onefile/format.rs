//! The one-file layout: `bootloader | payload | header | trailer`. The
//! trailer is a fixed 80 bytes at the very end (see FORMAT.md).

use super::{Error, payload};
use fs_err as fs;
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

pub const MAGIC: &[u8; 8] = b"CFRZ1FIL";
pub const VERSION: u32 = 1;
pub const TRAILER_LEN: u64 = 80;

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

/// `NAME\nSPEC`: what the bootloader needs to place the extraction dir.
pub(crate) fn header(name: &str, runtime_dir: Option<&str>) -> Vec<u8> {
    format!("{name}\n{}", runtime_dir.unwrap_or("")).into_bytes()
}

/// Writes the file beside `out` and renames it into place.
pub(crate) fn write(
    out: &Path,
    boot: &[u8],
    encoded: &payload::Encoded,
    header: &[u8],
    fuse: u32,
) -> Result<Written, Error> {
    let mut hasher = Sha256::new();
    hasher.update(&encoded.compressed);
    hasher.update(header);
    let hash: [u8; 32] = hasher.finalize().into();
    let mut bytes = Vec::with_capacity(boot.len() + encoded.compressed.len() + header.len() + 80);
    bytes.extend_from_slice(boot);
    bytes.extend_from_slice(&encoded.compressed);
    bytes.extend_from_slice(header);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&VERSION.to_le_bytes());
    bytes.extend_from_slice(&fuse.to_le_bytes());
    for n in [boot.len() as u64, encoded.compressed.len() as u64, encoded.unpacked, header.len() as u64] {
        bytes.extend_from_slice(&n.to_le_bytes());
    }
    bytes.extend_from_slice(&hash);
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(Error::io("create the output dir"))?;
    let tmp =
        dir.join(format!(".{}.tmp-{}", out.file_name().unwrap_or_default().to_string_lossy(), std::process::id()));
    let written = fs::File::create(&tmp)
        .and_then(|mut file| file.write_all(&bytes).and_then(|()| file.sync_all()))
        .map_err(Error::io("write the one-file"))
        .and_then(|()| set_executable(&tmp))
        .and_then(|()| place(&tmp, out));
    if written.is_err() {
        // Nothing half-written is left beside the destination.
        let _ = fs::remove_file(&tmp);
    }
    written?;
    Ok(Written { total: bytes.len() as u64, hash: hex(&hash) })
}

/// Renames `tmp` over `out`. An existing directory there (a one-dir
/// bundle of the same name; the caller checked `--clean`) is moved aside
/// first and removed only once the file is in place, else put back.
fn place(tmp: &Path, out: &Path) -> Result<(), Error> {
    if !out.is_dir() {
        return fs::rename(tmp, out).map_err(Error::io("move the one-file into place"));
    }
    let aside = out.with_file_name(format!(
        ".{}.old-{}",
        out.file_name().unwrap_or_default().to_string_lossy(),
        std::process::id()
    ));
    fs::rename(out, &aside).map_err(Error::io("move the earlier bundle aside"))?;
    match fs::rename(tmp, out) {
        Ok(()) => {
            let _ = fs::remove_dir_all(&aside);
            Ok(())
        }
        Err(err) => {
            let _ = fs::rename(&aside, out);
            Err(Error::io("move the one-file into place")(err))
        }
    }
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

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the trailer, verifies the hash, and decodes every entry.
pub fn read_bundle(path: &Path) -> Result<Bundle, Error> {
    let bytes = fs::read(path).map_err(Error::io("read the one-file"))?;
    let not = |reason: &str| Error::NotABundle { path: path.to_path_buf(), reason: reason.to_string() };
    let bad = |reason: &str| Error::Corrupted { path: path.to_path_buf(), reason: reason.to_string() };
    let len = bytes.len() as u64;
    if len < TRAILER_LEN {
        return Err(not("shorter than a trailer"));
    }
    let t = &bytes[(len - TRAILER_LEN) as usize..];
    if &t[..8] != MAGIC {
        return Err(not("no cargo-freeze trailer at the end (wrong magic, or truncated)"));
    }
    let u32_at = |i: usize| u32::from_le_bytes(t[i..i + 4].try_into().unwrap_or_default());
    let u64_at = |i: usize| u64::from_le_bytes(t[i..i + 8].try_into().unwrap_or_default());
    let version = u32_at(8);
    if version != VERSION {
        return Err(not(&format!("format version {version} is not supported (this cargo-freeze reads {VERSION})")));
    }
    let (offset, plen, unpacked, hlen) = (u64_at(16), u64_at(24), u64_at(32), u64_at(40));
    let end = offset.checked_add(plen).and_then(|e| e.checked_add(hlen));
    if end != Some(len - TRAILER_LEN) {
        return Err(bad("the trailer's offsets do not match the file size (truncated?)"));
    }
    let payload = &bytes[offset as usize..(offset + plen) as usize];
    let head = &bytes[(offset + plen) as usize..(len - TRAILER_LEN) as usize];
    let mut hasher = Sha256::new();
    hasher.update(payload);
    hasher.update(head);
    let hash: [u8; 32] = hasher.finalize().into();
    if hash[..] != t[48..80] {
        return Err(bad("the payload hash does not match the trailer"));
    }
    // One or more frames; read one byte past the stated size to see a lie.
    let mut raw = Vec::new();
    zstd::stream::Decoder::with_buffer(payload)
        .map_err(|e| bad(&format!("the payload is not zstd ({e})")))?
        .take(unpacked.saturating_add(1))
        .read_to_end(&mut raw)
        .map_err(|e| bad(&format!("the payload does not decompress ({e})")))?;
    if raw.len() as u64 != unpacked {
        return Err(bad("the unpacked size differs from the trailer"));
    }
    let entries = payload::decode(&raw).map_err(|e| bad(&e))?;
    let head = String::from_utf8_lossy(head);
    let (name, spec) = head.split_once('\n').unwrap_or((&head, ""));
    Ok(Bundle {
        path: path.to_path_buf(),
        version,
        fuse_limit: u32_at(12),
        name: name.to_string(),
        runtime_dir: if spec.is_empty() { "{cache}/cargo-freeze/{name}-{hash}".into() } else { spec.to_string() },
        bootloader_size: offset,
        payload_size: plen,
        unpacked_size: unpacked,
        hash: hex(&hash),
        entries,
    })
}
