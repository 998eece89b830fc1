//! The cold path: the payload verified, decompressed and written into a
//! sibling temp dir, its program checked, synced, completed with the
//! marker, renamed into place (concurrent first starts: one rename wins,
//! the others use its result; a damaged extraction in the way is retired
//! first, so a cache heals instead of failing every start).

use crate::decode;
use crate::dirs::{check_safe, create_private_dirs, sync_dir};
use crate::entry::{is_whole, program_size, read_small};
use crate::format::{marker_text, MARKER};
use crate::trailer::{read_payload, Header, Trailer};
use crate::unpack::unpack;
use crate::{bad, io_fail, Fail};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

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

/// Permission refused, a read-only file system, or a path through a file:
/// not an error of the bundle, a reason to extract elsewhere.
fn unwritable(e: &io::Error) -> bool {
    // EPERM, EROFS, ENOTDIR.
    e.kind() == io::ErrorKind::PermissionDenied || matches!(e.raw_os_error(), Some(1 | 30 | 20))
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
    crate::housekeeping::clean_stale(parent, &h.name);
    let base = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let tmp = parent.join(format!(".{base}.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    create(&tmp)?;
    let result = extract_into(file, t, h, &tmp).and_then(|size| {
        let marker = tmp.join(MARKER);
        let mut m = File::create(&marker).map_err(|e| io_fail("write", &marker, e))?;
        m.write_all(marker_text(&t.raw, size).as_bytes())
            .and_then(|()| m.sync_all())
            .map_err(|e| io_fail("write", &marker, e))?;
        sync_dir(&tmp);
        Ok(())
    });
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e.into());
    }
    place(&tmp, t, h, dir)
}

/// Renames the finished `tmp` to `dir`; another start's whole result there
/// is used instead, a damaged extraction in the way is retired first.
fn place(tmp: &Path, t: &Trailer, h: &Header, dir: &Path) -> Result<(), ColdError> {
    let mut attempt = 0;
    loop {
        match fs::rename(tmp, dir) {
            Ok(()) => {
                sync_dir(dir.parent().unwrap_or(dir));
                return Ok(());
            }
            // Another first start won the race: use its result.
            Err(_) if read_small(&dir.join(MARKER)).is_some_and(|text| is_whole(dir, &h.name, &t.raw, &text)) => {
                let _ = fs::remove_dir_all(tmp);
                return Ok(());
            }
            Err(_) if attempt < 3 && dir.exists() => {
                crate::housekeeping::retire(dir);
                attempt += 1;
            }
            Err(e) => {
                let _ = fs::remove_dir_all(tmp);
                return Err(io_fail("rename into place", dir, e).into());
            }
        }
    }
}

/// Verifies the payload (before anything is written) and unpacks it into
/// `dir` as it decodes; returns the program's size. A payload whose
/// program is missing or not an executable file (a hand-made or damaged
/// bundle) is refused, so nothing is ever committed without one.
pub fn extract_into(file: &mut File, t: &Trailer, h: &Header, dir: &Path) -> Result<u64, Fail> {
    let payload = read_payload(file, t)?;
    decode::with_decoded(&payload.bytes, t.fields.unpacked, |raw| {
        payload.verify(h, t)?;
        unpack(raw, dir)?;
        program_size(dir, &h.name).ok_or_else(|| {
            bad(format!("the payload has no program `{}` (an executable file at its top); corrupted", h.name))
        })
    })?
}
