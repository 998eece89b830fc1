//! The payload: every file of the tree, sorted by path, with only the exec
//! bit kept (no mtimes, no owners), as one to four zstd frames. Same tree,
//! same bytes.

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
/// once and started many times).
const LEVEL: i32 = 19;
/// Frames are at least this big: each frame starts without history, and at
/// level 19 (8 MiB window) cutting 64 MiB into 16 MiB frames costs ~1.5% of
/// size, into 4 MiB frames ~6% (measured on shared libraries).
const MIN_FRAME: usize = 8 << 20;
/// The bootloader decodes frames in parallel, up to this many at a time.
const MAX_FRAMES: usize = 4;

/// Cuts `raw` into 1 to 4 equal parts (a rule of the size only, so the same
/// input gives the same bytes on any machine) and packs each as its own zstd
/// frame recording its content size, in parallel, one thread per frame.
fn compress(raw: &[u8]) -> std::io::Result<Vec<u8>> {
    let frames = (raw.len() / MIN_FRAME).clamp(1, MAX_FRAMES);
    let part = raw.len().div_ceil(frames).max(1);
    let packed: Vec<std::io::Result<Vec<u8>>> = std::thread::scope(|s| {
        let workers: Vec<_> = raw.chunks(part).map(|c| s.spawn(move || zstd::bulk::compress(c, LEVEL))).collect();
        workers.into_iter().map(|w| w.join().unwrap_or_else(|_| Err(std::io::Error::other("zstd panicked")))).collect()
    });
    let mut out = Vec::with_capacity(raw.len() / 3);
    for frame in packed {
        out.extend_from_slice(&frame?);
    }
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::{MIN_FRAME, compress};

    /// The frame sizes recorded in a packed payload, frame by frame.
    fn frame_sizes(mut packed: &[u8]) -> Vec<u64> {
        let mut out = Vec::new();
        while !packed.is_empty() {
            let len = zstd::zstd_safe::find_frame_compressed_size(packed).expect("a frame");
            out.push(zstd::zstd_safe::get_frame_content_size(packed).expect("a size").expect("recorded"));
            packed = &packed[len..];
        }
        out
    }

    #[test]
    fn frames_follow_the_size_rule_and_record_their_sizes() {
        // Zeros pack in milliseconds even at level 19.
        for (len, sizes) in [
            (2 * MIN_FRAME - 1, vec![2 * MIN_FRAME as u64 - 1]),
            (2 * MIN_FRAME + 2, vec![MIN_FRAME as u64 + 1; 2]),
            (5 * MIN_FRAME, vec![5 * MIN_FRAME as u64 / 4; 4]),
        ] {
            let raw = vec![0u8; len];
            let packed = compress(&raw).unwrap();
            assert_eq!(frame_sizes(&packed), sizes, "{len} bytes");
            assert!(zstd::decode_all(&packed[..]).unwrap() == raw, "{len} bytes: one stream, the same bytes");
        }
    }
}
