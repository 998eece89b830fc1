//! The cache dir's upkeep (Unix; best effort: a failure here never stops
//! a start). After a cold extraction, other versions of the same name are
//! removed when they were not used for [`MAX_UNUSED_SECS`] or are beyond
//! the newest [`KEEP`] by last use, but only those nobody holds: the
//! exclusive lock comes first, then the dir is renamed away (so no start
//! sees it complete) and deleted. A damaged extraction is retired the same
//! way before its replacement takes its place. Temp dirs of killed
//! extractions (their pid gone) and retired dirs nobody holds are swept.

use crate::entry::Lock;
use crate::format::{self, MARKER};
use std::fs;
use std::path::{Path, PathBuf};

/// Versions of one name kept in the cache, the one just extracted included.
const KEEP: usize = 3;
/// Another version not started for this long is removed (a week).
const MAX_UNUSED_SECS: i64 = 7 * 24 * 3600;

/// After extracting `dir` (`NAME-HASH`): removes the other versions of
/// `name` that are unused or beyond the newest [`KEEP`], unless held.
pub fn remove_old_versions(dir: &Path, name: &str) {
    let (Some(parent), Some(current)) = (dir.parent(), dir.file_name()) else {
        return;
    };
    let ours = |file: &str| format::split_version(file).is_some_and(|(n, _)| n == name);
    // Only the default layout (`NAME-HASH` dirs side by side) is swept.
    if !ours(&current.to_string_lossy()) || !cfg!(unix) {
        return;
    }
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let mut versions: Vec<((i64, i64), PathBuf)> = entries
        .flatten()
        .filter(|e| e.file_name() != current && ours(&e.file_name().to_string_lossy()))
        .map(|e| (last_used(&e.path()), e.path()))
        .collect();
    versions.sort_unstable_by_key(|v| std::cmp::Reverse(v.0));
    let now = now();
    for (i, (used, old)) in versions.into_iter().enumerate() {
        if i + 1 >= KEEP || now.saturating_sub(used.0) > MAX_UNUSED_SECS {
            remove_unless_held(&old);
        }
    }
}

/// Removes an old version, unless a program holds it: then it stays where
/// it is, whole, until a later extraction finds it free.
fn remove_unless_held(dir: &Path) {
    let marker = dir.join(MARKER);
    let lock = if marker.exists() { Lock::open(&marker, true) } else { None };
    if lock.is_none() && marker.exists() {
        return;
    }
    // Renamed first, under the lock: no start sees it complete any more.
    if let Some(doomed) = rename_aside(dir) {
        let _ = fs::remove_dir_all(doomed);
    }
}

/// A damaged extraction, out of the way of its replacement: renamed aside
/// and deleted unless a program still holds it (a later sweep does it).
pub fn retire(dir: &Path) {
    if let Some(doomed) = rename_aside(dir) {
        remove_if_free(&doomed);
    }
}

/// `dir` renamed to `.NAME-HASH.del-PID-N` beside it.
fn rename_aside(dir: &Path) -> Option<PathBuf> {
    let (parent, base) = (dir.parent()?, dir.file_name()?.to_string_lossy());
    (0..4).find_map(|n| {
        let doomed = parent.join(format!(".{base}.del-{}-{n}", std::process::id()));
        fs::rename(dir, &doomed).is_ok().then_some(doomed)
    })
}

/// Deletes a retired dir unless a program still holds its marker.
fn remove_if_free(dir: &Path) {
    let marker = dir.join(MARKER);
    let lock = if marker.exists() { Lock::open(&marker, true) } else { None };
    if lock.is_some() || !marker.exists() {
        let _ = fs::remove_dir_all(dir);
    }
}

/// Sweeps `parent` for leftovers of `name`: temp dirs of extractions whose
/// process is gone, and retired dirs nobody holds any more.
pub fn clean_stale(parent: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{name}-");
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if !file.starts_with(&prefix) {
            continue;
        }
        if let Some((_, pid)) = file.rsplit_once(".tmp-") {
            if !pid_alive(pid) {
                let _ = fs::remove_dir_all(entry.path());
            }
        } else if file.contains(".del-") {
            remove_if_free(&entry.path());
        }
    }
}

/// When the extraction was last started: its marker's mtime, (seconds,
/// nanoseconds) (no marker: a damaged dir, never).
#[cfg(unix)]
fn last_used(dir: &Path) -> (i64, i64) {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(dir.join(MARKER)).map_or((0, 0), |m| (m.mtime(), m.mtime_nsec()))
}

#[cfg(unix)]
fn now() -> i64 {
    // SAFETY: time(NULL) has no preconditions.
    unsafe { libc::time(std::ptr::null_mut()) }
}

#[cfg(not(unix))]
fn last_used(_dir: &Path) -> (i64, i64) {
    (0, 0)
}

#[cfg(not(unix))]
fn now() -> i64 {
    0
}

/// Whether the process that made a temp dir still runs. Linux: its
/// `/proc` entry; other Unix (macOS): `kill(pid, 0)`, which fails with
/// ESRCH only for a pid that is gone (EPERM: another user's, alive).
/// Windows: assumed alive (its leftovers are never removed).
fn pid_alive(pid: &str) -> bool {
    if cfg!(target_os = "linux") {
        return Path::new("/proc").join(pid).exists();
    }
    #[cfg(unix)]
    if let Ok(pid) = pid.parse::<libc::pid_t>() {
        // SAFETY: signal 0 only checks that the process exists.
        return pid > 0
            && (unsafe { libc::kill(pid, 0) } == 0
                || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH));
    }
    true
}
