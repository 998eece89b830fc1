//! The payload: every file of the tree, sorted by path, with only the exec
//! bit kept (no mtimes, no owners), as one zstd frame. Same tree, same bytes.

use super::Error;
use super::format::Entry;
use fs_err as fs;
use std::path::Path;

pub(crate) struct Encoded {
    pub compressed: Vec<u8>,
    pub unpacked: u64,
}

/// Walks the tree; symlinks are followed (the tree is the packer's input).
pub(crate) fn collect(dir: &Path, name: &str) -> Result<Vec<Entry>, Error> {
    if !dir.join(name).is_file() && !dir.join(format!("{name}.exe")).is_file() {
        return Err(Error::NoProgram { dir: dir.to_path_buf(), name: name.to_string() });
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out)?;
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<Entry>) -> Result<(), Error> {
    for entry in fs::read_dir(dir).map_err(Error::io("list the tree"))? {
        let entry = entry.map_err(Error::io(format!("list {}", dir.display())))?;
        let name =
            entry.file_name().into_string().map_err(|n| Error::UnsafeEntry { name: n.to_string_lossy().into() })?;
        let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let path = entry.path();
        let meta = fs::metadata(&path).map_err(Error::io("read the tree"))?;
        if meta.is_dir() {
            walk(&path, &rel, out)?;
        } else {
            let data = fs::read(&path).map_err(Error::io("read the tree"))?;
            out.push(Entry { path: rel, executable: is_executable(&meta), data });
        }
    }
    Ok(())
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    false
}

/// `u32 count`, then per entry `u32 len, path, u32 mode, u64 size, data`.
pub(crate) fn encode(entries: &[Entry]) -> Result<Encoded, Error> {
    let mut raw = Vec::new();
    raw.extend_from_slice(&(entries.len() as u32).to_le_bytes());
    for e in entries {
        raw.extend_from_slice(&(e.path.len() as u32).to_le_bytes());
        raw.extend_from_slice(e.path.as_bytes());
        let mode: u32 = if e.executable { 0o755 } else { 0o644 };
        raw.extend_from_slice(&mode.to_le_bytes());
        raw.extend_from_slice(&(e.data.len() as u64).to_le_bytes());
        raw.extend_from_slice(&e.data);
    }
    let compressed = compress(&raw).map_err(Error::io("compress the payload with zstd"))?;
    Ok(Encoded { compressed, unpacked: raw.len() as u64 })
}

/// zstd level 19 (the bootloader decodes any level; a release is packed
/// once and started many times), on a fixed number of worker threads: zstd's
/// multi-threaded output depends on the parameters, not on the machine, so
/// the same input still gives the same bytes (tested).
const LEVEL: i32 = 19;
const WORKERS: u32 = 4;

fn compress(raw: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = zstd::stream::Encoder::new(Vec::with_capacity(raw.len() / 3), LEVEL)?;
    encoder.multithread(WORKERS)?;
    encoder.set_pledged_src_size(Some(raw.len() as u64))?;
    encoder.include_contentsize(true)?;
    std::io::Write::write_all(&mut encoder, raw)?;
    encoder.finish()
}

/// The inverse of [`encode`] on the decompressed bytes; never panics.
pub(crate) fn decode(raw: &[u8]) -> Result<Vec<Entry>, String> {
    let mut pos = 0usize;
    let mut take = |n: usize| -> Result<&[u8], String> {
        let end = pos.checked_add(n).filter(|e| *e <= raw.len()).ok_or("the entry list is truncated")?;
        let s = &raw[pos..end];
        pos = end;
        Ok(s)
    };
    let u32_of = |b: &[u8]| u32::from_le_bytes(b.try_into().unwrap_or_default());
    let count = u32_of(take(4)?);
    let mut out = Vec::new();
    for _ in 0..count {
        let len = u32_of(take(4)?) as usize;
        let path = String::from_utf8(take(len)?.to_vec()).map_err(|_| "an entry name is not UTF-8")?;
        let mode = u32_of(take(4)?);
        let size = u64::from_le_bytes(take(8)?.try_into().unwrap_or_default());
        let data = take(usize::try_from(size).map_err(|_| "an entry is too large")?)?.to_vec();
        out.push(Entry { path, executable: mode & 0o111 != 0, data });
    }
    Ok(out)
}

/// Extracts entries under `dir`, refusing `..`, absolute or empty names.
pub(crate) fn extract(entries: &[Entry], dir: &Path) -> Result<(), Error> {
    for e in entries {
        let mut path = dir.to_path_buf();
        for part in e.path.split('/') {
            if part.is_empty() || part == "." || part == ".." || part.contains('\\') {
                return Err(Error::UnsafeEntry { name: e.path.clone() });
            }
            path.push(part);
        }
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(Error::io("create the extraction dir"))?;
        }
        fs::write(&path, &e.data).map_err(Error::io("extract"))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = if e.executable { 0o755 } else { 0o644 };
            fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).map_err(Error::io("extract"))?;
        }
    }
    Ok(())
}
