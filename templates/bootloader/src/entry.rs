//! One extraction in the cache, as the warm path sees it: its marker,
//! locked shared for as long as the program runs (the descriptor is
//! inherited through exec and by the program's children), and the cheap
//! wholeness check that decides between exec and a fresh extraction: the
//! marker records the trailer the extraction was verified against and the
//! program's size, and the program must still be a regular, executable
//! file of that size. A warm start also keeps the marker's mtime as the
//! time of last use (at most one update an hour), which housekeeping ages
//! versions by.

use crate::dirs::check_safe;
use crate::format::{self, MARKER, TRAILER_LEN};
use crate::Fail;
use std::path::Path;

/// A lock on an extraction's marker; closed on drop (a shared lock is
/// inherited by the program through exec, where no drop runs).
pub struct Lock {
    #[cfg(unix)]
    fd: i32,
}

/// The whole extraction at `dir`, locked for use; `None` when there is
/// none: never extracted, removed while we waited for the lock, or not
/// whole (the cold path then extracts it again).
pub fn use_complete(dir: &Path, name: &str, trailer: &[u8; TRAILER_LEN]) -> Result<Option<Lock>, Fail> {
    let marker = dir.join(MARKER);
    if !marker.exists() {
        return Ok(None);
    }
    check_safe(dir)?;
    let Some(lock) = Lock::open(&marker, false) else { return Ok(None) };
    let whole = lock.read(&marker).is_some_and(|text| is_whole(dir, name, trailer, &text));
    // A removal may have won the lock first: then the marker is gone.
    if !whole || !marker.exists() {
        return Ok(None);
    }
    lock.touch();
    Ok(Some(lock))
}

/// Whether `dir` holds a whole extraction of this trailer, by its marker's
/// `text` (read without a lock: for the cold path's race with another start).
pub fn is_whole(dir: &Path, name: &str, trailer: &[u8; TRAILER_LEN], text: &str) -> bool {
    program_size(dir, name).is_some_and(|size| text == format::marker_text(trailer, size))
}

/// A small file's text (a marker), or `None`.
pub fn read_small(path: &Path) -> Option<String> {
    use std::io::Read;
    let mut buf = [0u8; 512];
    let n = std::fs::File::open(path).and_then(|mut f| f.read(&mut buf)).ok()?;
    String::from_utf8(buf.get(..n)?.to_vec()).ok()
}

/// The size of the extraction's program when it is a regular file the
/// owner can execute.
pub fn program_size(dir: &Path, name: &str) -> Option<u64> {
    let meta = std::fs::symlink_metadata(format::program_path(dir, name, cfg!(windows))).ok()?;
    #[cfg(unix)]
    let executable = std::os::unix::fs::PermissionsExt::mode(&meta.permissions()) & 0o100 != 0;
    #[cfg(not(unix))]
    let executable = true;
    (meta.is_file() && executable).then_some(meta.len())
}

#[cfg(unix)]
impl Lock {
    /// Opens `marker` and locks it: shared (blocking: a removal holds the
    /// exclusive lock only briefly) or exclusive (non-blocking: `None` when
    /// a program holds it). A shared lock's descriptor is not close-on-exec.
    pub fn open(marker: &Path, exclusive: bool) -> Option<Lock> {
        use std::os::unix::ffi::OsStrExt;
        let path = std::ffi::CString::new(marker.as_os_str().as_bytes()).ok()?;
        let flags = if exclusive { libc::O_RDONLY | libc::O_CLOEXEC } else { libc::O_RDONLY };
        // SAFETY: a valid NUL-terminated path; the fd is owned by the Lock.
        let fd = unsafe { libc::open(path.as_ptr(), flags) };
        if fd < 0 {
            return None;
        }
        let lock = Lock { fd };
        let operation = if exclusive { libc::LOCK_EX | libc::LOCK_NB } else { libc::LOCK_SH };
        // SAFETY: fd was just opened.
        (unsafe { libc::flock(fd, operation) } == 0).then_some(lock)
    }

    /// The marker's text (it is small), read through the locked descriptor.
    fn read(&self, _marker: &Path) -> Option<String> {
        let mut buf = [0u8; 512];
        // SAFETY: reads at most buf.len() bytes into buf.
        let n = unsafe { libc::pread(self.fd, buf.as_mut_ptr().cast(), buf.len(), 0) };
        let n = usize::try_from(n).ok()?;
        String::from_utf8(buf.get(..n)?.to_vec()).ok()
    }

    /// Marks the extraction used now, when the last mark is over an hour old.
    fn touch(&self) {
        // SAFETY: fstat fills `st`; futimens with NULL sets both times to
        // now on our own file (check_safe: we own the dir and the marker).
        unsafe {
            let mut st: libc::stat = std::mem::zeroed();
            let now = libc::time(std::ptr::null_mut());
            if libc::fstat(self.fd, &mut st) == 0 && now - st.st_mtime > 3600 {
                libc::futimens(self.fd, std::ptr::null());
            }
        }
    }
}

#[cfg(unix)]
impl Drop for Lock {
    fn drop(&mut self) {
        // SAFETY: the Lock owns fd.
        unsafe { libc::close(self.fd) };
    }
}

#[cfg(not(unix))]
impl Lock {
    pub fn open(marker: &Path, _exclusive: bool) -> Option<Lock> {
        marker.exists().then_some(Lock {})
    }

    fn read(&self, marker: &Path) -> Option<String> {
        read_small(marker)
    }

    fn touch(&self) {}
}
