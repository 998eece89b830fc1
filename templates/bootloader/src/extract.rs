//! The cold path: the payload verified, decompressed and written into a
//! sibling temp dir, synced, completed with the marker, renamed into place
//! (concurrent first starts: one rename wins, the others use its result).
//! Entry names are checked so nothing is written outside the dir.

use crate::dirs::{check_safe, create_private_dirs, sync_dir};
use crate::trailer::{read_verified, Header, Trailer};
use crate::{bad, io_fail, Fail};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Written last into a finished extraction: its presence proves the dir is
/// complete, so warm starts check nothing else.
pub const MARKER: &str = ".cargo-freeze-complete";

pub enum ColdError {
    /// The cache cannot be written here (read-only, another user's parent):
    /// the caller falls back to a private temp dir.
    Unwritable(String),
    Fail(Fail),
}

impl From<Fail> for ColdError {
    fn from(fail: Fail) -> Self {
        ColdError::Fail(fail)
    }
}

/// Permission refused or a read-only file system: not an error of the
/// bundle, a reason to extract elsewhere.
fn unwritable(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::PermissionDenied || e.raw_os_error() == Some(30 /* EROFS */)
}

fn create(dir: &Path) -> Result<(), ColdError> {
    create_private_dirs(dir).map_err(|e| match unwritable(&e) {
        true => ColdError::Unwritable(format!("cannot create {}: {e}", dir.display())),
        false => ColdError::Fail(io_fail("create", dir, e)),
    })
}

pub fn extract_cold(file: &mut File, t: &Trailer, h: &Header, dir: &Path) -> Result<(), ColdError> {
    let parent = dir
        .parent()
        .ok_or_else(|| bad("runtime dir has no parent"))?;
    create(parent)?;
    check_safe(parent)?;
    let payload = read_verified(file, t)?;
    let base = dir
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    crate::housekeeping::clean_stale(parent, &h.name);
    let tmp = parent.join(format!(".{base}.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    create(&tmp)?;
    let result = unpack(&payload, t, &tmp).and_then(|()| {
        let marker = tmp.join(MARKER);
        let mut m = File::create(&marker).map_err(|e| io_fail("write", &marker, e))?;
        m.write_all(b"complete\n")
            .and_then(|()| m.sync_all())
            .map_err(|e| io_fail("write", &marker, e))?;
        sync_dir(&tmp);
        Ok(())
    });
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e.into());
    }
    match fs::rename(&tmp, dir) {
        Ok(()) => {
            sync_dir(parent);
            Ok(())
        }
        // Another first start won the race: use its result.
        Err(_) if dir.join(MARKER).exists() => {
            let _ = fs::remove_dir_all(&tmp);
            Ok(())
        }
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            Err(io_fail("rename into place", dir, e).into())
        }
    }
}

/// The fallback: verify and unpack straight into `dir` (a fresh private
/// temp dir; nobody else uses it, so no marker and no rename).
pub fn unpack_into(file: &mut File, t: &Trailer, dir: &Path) -> Result<(), Fail> {
    let payload = read_verified(file, t)?;
    unpack(&payload, t, dir)
}

fn unpack(payload: &[u8], t: &Trailer, root: &Path) -> Result<(), Fail> {
    let mut dec = ruzstd::decoding::StreamingDecoder::new(payload)
        .map_err(|e| bad(format!("payload is not zstd: {e}")))?;
    let mut raw = Vec::with_capacity(t.unpacked.min(1 << 32) as usize);
    dec.read_to_end(&mut raw)
        .map_err(|e| bad(format!("payload does not decompress: {e}")))?;
    if raw.len() as u64 != t.unpacked {
        return Err(bad("unpacked size differs from the trailer (corrupted)"));
    }
    let mut pos = 0usize;
    let mut take = |n: usize| -> Result<&[u8], Fail> {
        let end = pos
            .checked_add(n)
            .filter(|e| *e <= raw.len())
            .ok_or_else(|| bad("payload entry list is truncated"))?;
        let s = &raw[pos..end];
        pos = end;
        Ok(s)
    };
    let count = le(take(4)?) as u32;
    for _ in 0..count {
        let path_len = le(take(4)?) as usize;
        let path = std::str::from_utf8(take(path_len)?)
            .map_err(|_| bad("entry name is not UTF-8"))?
            .to_string();
        let mode = le(take(4)?) as u32;
        let size = le(take(8)?);
        let data = take(usize::try_from(size).map_err(|_| bad("entry too large"))?)?;
        let rel = safe_relative(&path)?;
        write_entry(&root.join(rel), mode, data)?;
    }
    Ok(())
}

/// A little-endian integer of up to 8 bytes (no panicking conversions:
/// every panic site costs the bootloader size).
pub fn le(bytes: &[u8]) -> u64 {
    bytes.iter().rev().fold(0, |n, b| n << 8 | u64::from(*b))
}

/// Entries are relative `/`-separated paths; `..`, absolute paths and empty
/// components would write outside the extraction dir.
fn safe_relative(path: &str) -> Result<PathBuf, Fail> {
    let mut out = PathBuf::new();
    for part in path.split('/') {
        if part.is_empty()
            || part == "."
            || part == ".."
            || part.contains('\\')
            || part.contains(':')
        {
            return Err(bad(format!(
                "entry `{path}` escapes the extraction dir (corrupted or hostile bundle)"
            )));
        }
        out.push(part);
    }
    if out.as_os_str().is_empty() {
        return Err(bad("empty entry name"));
    }
    Ok(out)
}

fn write_entry(path: &Path, mode: u32, data: &[u8]) -> Result<(), Fail> {
    if let Some(parent) = path.parent() {
        create_private_dirs(parent).map_err(|e| io_fail("create", parent, e))?;
    }
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(if mode & 0o111 != 0 { 0o700 } else { 0o600 });
    }
    let _ = mode;
    let mut f = opts.open(path).map_err(|e| io_fail("create", path, e))?;
    f.write_all(data)
        .and_then(|()| f.sync_all())
        .map_err(|e| io_fail("write", path, e))
}
