//! The cold path: the payload verified, decompressed and written into a
//! sibling temp dir, synced, completed with the marker, renamed into place
//! (concurrent first starts: one rename wins, the others use its result).

use crate::decode::{self, Raw};
use crate::dirs::{check_safe, create_private_dirs, sync_dir};
use crate::trailer::{read_payload, Header, Trailer};
use crate::unpack::unpack;
use crate::{bad, io_fail, Fail};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

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
    let parent = dir.parent().ok_or_else(|| bad("runtime dir has no parent"))?;
    create(parent)?;
    check_safe(parent)?;
    let payload = read_payload(file, t)?;
    // Decoding starts now; the hash is checked meanwhile and before
    // anything is written.
    decode::with_decoded(&payload.bytes, t.unpacked, |raw| {
        payload.verify(t)?;
        into_place(raw, h, parent, dir)
    })?
}

/// The temp dir filled, completed with the marker and renamed to `dir`.
fn into_place(raw: &Raw<'_>, h: &Header, parent: &Path, dir: &Path) -> Result<(), ColdError> {
    let base = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
    crate::housekeeping::clean_stale(parent, &h.name);
    let tmp = parent.join(format!(".{base}.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    create(&tmp)?;
    let result = unpack(raw, &tmp).and_then(|()| {
        let marker = tmp.join(MARKER);
        let mut m = File::create(&marker).map_err(|e| io_fail("write", &marker, e))?;
        m.write_all(b"complete\n").and_then(|()| m.sync_all()).map_err(|e| io_fail("write", &marker, e))?;
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
    let payload = read_payload(file, t)?;
    decode::with_decoded(&payload.bytes, t.unpacked, |raw| {
        payload.verify(t)?;
        unpack(raw, dir)
    })?
}
