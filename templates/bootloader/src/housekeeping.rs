//! The cache dir's upkeep. A running program holds a shared `flock` on its
//! extraction's marker (the descriptor is inherited through exec and by its
//! children); when a new version is extracted, older versions of the same
//! name beyond the newest few are removed, but only those nobody holds:
//! an exclusive lock is taken first, then the dir is renamed away (so no
//! start sees it complete) and deleted. A start that raced with a removal
//! finds its marker gone after taking the lock and extracts afresh. Temp
//! dirs of killed extractions and removals are swept too.

use crate::dirs::check_safe;
use crate::extract::MARKER;
use crate::Fail;
use std::fs;
use std::path::Path;

/// Versions of one name kept in the cache, the one just extracted included.
const KEEP: usize = 3;

/// A shared lock on a complete extraction, held across exec (Unix).
pub struct Lock {
    #[cfg(unix)]
    _fd: i32,
}

/// The complete extraction at `dir`, locked for use; `None` when there is
/// none (never extracted, or removed while we waited for the lock).
pub fn use_complete(dir: &Path) -> Result<Option<Lock>, Fail> {
    let marker = dir.join(MARKER);
    if !marker.exists() {
        return Ok(None);
    }
    check_safe(dir)?;
    lock(&marker, false).map_or(Ok(None), |lock| Ok(marker.exists().then_some(lock)))
}

#[cfg(unix)]
fn lock(marker: &Path, exclusive: bool) -> Option<Lock> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(marker.as_os_str().as_bytes()).ok()?;
    // Not O_CLOEXEC: the program inherits the descriptor, and the lock.
    let flags = if exclusive { libc::O_RDONLY | libc::O_CLOEXEC } else { libc::O_RDONLY };
    // SAFETY: a valid NUL-terminated path; the fd is owned by the Lock.
    let fd = unsafe { libc::open(path.as_ptr(), flags) };
    if fd < 0 {
        return None;
    }
    let operation = if exclusive { libc::LOCK_EX | libc::LOCK_NB } else { libc::LOCK_SH };
    // SAFETY: fd was just opened.
    if unsafe { libc::flock(fd, operation) } != 0 {
        unsafe { libc::close(fd) };
        return None;
    }
    Some(Lock { _fd: fd })
}

#[cfg(not(unix))]
fn lock(_marker: &Path, _exclusive: bool) -> Option<Lock> {
    Some(Lock {})
}

/// After extracting `dir` (`NAME-HASH`): removes the older versions of
/// `name` beyond the newest [`KEEP`] that no program holds. Best effort.
pub fn remove_old_versions(dir: &Path, name: &str) {
    let (Some(parent), Some(current)) = (dir.parent(), dir.file_name()) else {
        return;
    };
    let is_version = |file: &str| {
        file.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix('-'))
            .is_some_and(|hash| hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    // Only the default layout (`NAME-HASH` dirs side by side) is swept.
    if !is_version(&current.to_string_lossy()) || !cfg!(unix) {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let mut versions: Vec<(std::time::SystemTime, std::path::PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_name() != current && is_version(&e.file_name().to_string_lossy()))
        .filter_map(|e| Some((fs::metadata(e.path().join(MARKER)).ok()?.modified().ok()?, e.path())))
        .collect();
    versions.sort_unstable_by_key(|v| std::cmp::Reverse(v.0));
    for (_, old) in versions.into_iter().skip(KEEP - 1) {
        // Held by a running program: keep it.
        let Some(_held) = lock(&old.join(MARKER), true) else {
            continue;
        };
        let file = old.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let doomed = parent.join(format!(".{file}.del-{}", std::process::id()));
        if fs::rename(&old, &doomed).is_ok() {
            let _ = fs::remove_dir_all(&doomed);
        }
    }
}

/// Removes temp dirs of killed extractions and removals (their pid is
/// gone).
pub fn clean_stale(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefix = format!("{name}-");
    for entry in entries.flatten() {
        let fname = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = fname.strip_prefix('.') else {
            continue;
        };
        let Some((_, pid)) = rest.rsplit_once(".tmp-").or_else(|| rest.rsplit_once(".del-")) else {
            continue;
        };
        if rest.starts_with(&prefix) && !pid_alive(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

fn pid_alive(pid: &str) -> bool {
    if cfg!(target_os = "linux") {
        Path::new("/proc").join(pid).exists()
    } else {
        true
    }
}
