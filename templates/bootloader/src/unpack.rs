//! The decoded entry list written out as files: names checked so nothing
//! lands outside the extraction dir, data written as soon as the frames
//! holding it are decoded, the disk's writeback started at once, and the
//! files synced in batches (one journal commit covers many files).

use crate::decode::Raw;
use crate::dirs::create_private_dirs;
use crate::format::le;
use crate::{bad, io_fail, Fail};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Written files waiting for their fsync; bounded so that thousands of
/// entries never exhaust file descriptors.
const SYNC_BATCH: usize = 64;

/// `u32 count`, then per entry `u32 len, path, u32 mode, u64 size, data`
/// (FORMAT.md). Every byte is read through [`Raw::upto`], so a truncated or
/// lying list is an error, never an out-of-bounds read.
pub fn unpack(raw: &Raw<'_>, root: &Path) -> Result<(), Fail> {
    let mut pos = 0usize;
    let mut pending: Vec<(File, PathBuf)> = Vec::new();
    let count = le(take(raw, &mut pos, 4)?) as u32;
    for _ in 0..count {
        let path_len = le(take(raw, &mut pos, 4)?) as usize;
        let path = std::str::from_utf8(take(raw, &mut pos, path_len)?).map_err(|_| bad("entry name is not UTF-8"))?;
        let path = root.join(safe_relative(path)?);
        let mode = le(take(raw, &mut pos, 4)?) as u32;
        let size = usize::try_from(le(take(raw, &mut pos, 8)?)).map_err(|_| bad("entry too large"))?;
        let end = pos.checked_add(size).filter(|e| *e <= raw.len());
        let end = end.ok_or_else(|| bad("payload entry list is truncated"))?;
        pending.push((write_entry(raw, &path, mode, pos..end)?, path));
        pos = end;
        if pending.len() >= SYNC_BATCH {
            sync_all(&mut pending)?;
        }
    }
    // Every frame decoded cleanly, the ones after the list included.
    raw.upto(raw.len())?;
    sync_all(&mut pending)
}

fn take<'r>(raw: &'r Raw<'_>, pos: &mut usize, n: usize) -> Result<&'r [u8], Fail> {
    let end = pos.checked_add(n).ok_or_else(|| bad("payload entry list is truncated"))?;
    let bytes = raw.upto(end)?.get(*pos..end).ok_or_else(|| bad("payload entry list is truncated"))?;
    *pos = end;
    Ok(bytes)
}

/// Entries are relative `/`-separated paths; `..`, absolute paths and empty
/// components would write outside the extraction dir.
fn safe_relative(path: &str) -> Result<PathBuf, Fail> {
    let mut out = PathBuf::new();
    for part in path.split('/') {
        if part.is_empty() || part == "." || part == ".." || part.contains('\\') || part.contains(':') {
            return Err(bad(format!("entry `{path}` escapes the extraction dir (corrupted or hostile bundle)")));
        }
        out.push(part);
    }
    if out.as_os_str().is_empty() {
        return Err(bad("empty entry name"));
    }
    Ok(out)
}

/// Writes `data` of the raw payload into a new file, piece by piece as it
/// is decoded; the file is returned for the batched fsync.
fn write_entry(raw: &Raw<'_>, path: &Path, mode: u32, data: std::ops::Range<usize>) -> Result<File, Fail> {
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
    let mut at = data.start;
    while at < data.end {
        // Wait for at least one more piece, then take all that is ready.
        let ready = raw.upto(data.end.min(at.saturating_add(PIECE)))?;
        let piece = ready.get(at..data.end.min(ready.len())).unwrap_or_default();
        f.write_all(piece).map_err(|e| io_fail("write", path, e))?;
        start_writeback(&f, (at - data.start) as u64, piece.len() as u64);
        at += piece.len();
    }
    Ok(f)
}

/// How much of an entry is awaited before writing: small enough that a big
/// file's first pieces go to disk while later frames decode.
const PIECE: usize = 4 << 20;

/// Starts writing the range to disk without waiting, so the fsync later
/// finds most of the work done (it overlaps with decoding meanwhile).
#[cfg(target_os = "linux")]
fn start_writeback(f: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid descriptor; the call only schedules I/O.
    unsafe {
        libc::sync_file_range(f.as_raw_fd(), offset as i64, len as i64, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_writeback(_f: &File, _offset: u64, _len: u64) {}

fn sync_all(pending: &mut Vec<(File, PathBuf)>) -> Result<(), Fail> {
    for (f, path) in pending.drain(..) {
        f.sync_all().map_err(|e| io_fail("write", &path, e))?;
    }
    Ok(())
}
