//! `cargo freeze cache`: the one-file extractions on this machine, in the
//! default layout the bootloader uses (`{cache}/cargo-freeze/NAME-HASH`,
//! the root defined once in [`super::layout`]): each with its size, last
//! use (the marker's mtime, which warm starts keep current), whether a
//! running program holds it, and whether it is whole. Pruning takes the
//! same exclusive lock the bootloader's housekeeping takes, so a version in
//! use is never removed, and renames before deleting, so no start ever
//! sees half a dir.

use super::Error;
use super::layout::{self, MARKER};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// One directory of the cache.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct CacheEntry {
    pub path: PathBuf,
    /// The bundle's program name and the first 16 hex digits of its hash.
    pub name: String,
    pub hash: String,
    /// Bytes of the files in it.
    pub size: u64,
    /// Seconds since the Unix epoch of the last start (the marker's mtime).
    pub last_used: Option<u64>,
    /// A running program holds it (or, for a temp dir, its extraction runs).
    pub in_use: bool,
    pub state: EntryState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum EntryState {
    /// A finished extraction whose program is there: starts warm.
    Whole,
    /// No marker or no program: the next start extracts it again.
    Damaged,
    /// A temp dir of an extraction, or a retired dir awaiting deletion.
    Leftover,
}

/// What `prune` removes: entries nobody holds, of one bundle name if given,
/// not used for at least `unused_for` if given.
#[derive(Clone, Debug, Default)]
pub struct PruneOptions {
    pub name: Option<String>,
    pub unused_for: Option<Duration>,
    /// Say what would go, remove nothing.
    pub dry_run: bool,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Pruned {
    pub removed: Vec<CacheEntry>,
    /// Selected, but held by a running program.
    pub in_use: Vec<CacheEntry>,
    pub freed: u64,
}

/// The default extraction root, or why there is none.
pub fn default_root() -> Result<PathBuf, Error> {
    layout::default_extraction_root().ok_or(Error::NoCacheRoot)
}

/// Every entry under `root` (none when it does not exist), sorted by name,
/// then last use (newest first).
pub fn list(root: &Path) -> Result<Vec<CacheEntry>, Error> {
    let entries = match fs_err::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("list the cache")(e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(Error::io("list the cache"))?;
        if entry.file_type().is_ok_and(|t| t.is_dir())
            && let Some(found) = describe(&entry.path())?
        {
            out.push(found);
        }
    }
    out.sort_by(|a, b| (&a.name, std::cmp::Reverse(a.last_used)).cmp(&(&b.name, std::cmp::Reverse(b.last_used))));
    Ok(out)
}

/// Removes the selected entries nobody holds.
pub fn prune(root: &Path, options: &PruneOptions) -> Result<Pruned, Error> {
    let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let mut pruned = Pruned::default();
    for entry in list(root)? {
        let named = options.name.as_ref().is_none_or(|n| *n == entry.name);
        let idle = entry.last_used.map_or(u64::MAX, |t| now.saturating_sub(t));
        let old = options.unused_for.is_none_or(|d| idle >= d.as_secs());
        // Leftovers of dead extractions go whatever their age.
        if !named || (!old && entry.state != EntryState::Leftover) {
            continue;
        }
        if entry.in_use {
            pruned.in_use.push(entry);
            continue;
        }
        if !options.dry_run && !remove(&entry)? {
            pruned.in_use.push(entry);
            continue;
        }
        pruned.freed += entry.size;
        pruned.removed.push(entry);
    }
    Ok(pruned)
}

/// An entry, or `None` for a directory that is not the cache's.
fn describe(dir: &Path) -> Result<Option<CacheEntry>, Error> {
    let file = dir.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let (version, leftover_pid) = match file.strip_prefix('.') {
        None => (file.as_str(), None),
        Some(hidden) => match hidden.rsplit_once(".tmp-").or_else(|| hidden.rsplit_once(".del-")) {
            Some((version, pid)) => (version, Some(pid.split('-').next().unwrap_or(pid).to_string())),
            None => return Ok(None),
        },
    };
    let Some((name, hash)) = layout::split_version(version) else { return Ok(None) };
    let marker = dir.join(MARKER);
    let last_used = fs_err::metadata(&marker)
        .ok()
        .and_then(|m| m.modified().ok())
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok().map(|d| d.as_secs()));
    let (state, in_use) = match (&leftover_pid, file.contains(".tmp-")) {
        // An extraction in progress has no marker yet: its process tells.
        (Some(pid), true) => {
            (EntryState::Leftover, !cfg!(target_os = "linux") || Path::new("/proc").join(pid).exists())
        }
        (Some(_), false) => (EntryState::Leftover, held(&marker)),
        (None, _) => (if whole(dir, name) { EntryState::Whole } else { EntryState::Damaged }, held(&marker)),
    };
    Ok(Some(CacheEntry {
        path: dir.to_path_buf(),
        name: name.to_string(),
        hash: hash.to_string(),
        size: size_of(dir)?,
        last_used,
        in_use,
        state,
    }))
}

/// The marker is readable and the program has the size it records.
fn whole(dir: &Path, name: &str) -> bool {
    let text = std::fs::read_to_string(dir.join(MARKER)).unwrap_or_default();
    let program = std::fs::metadata(layout::program_path(dir, name, cfg!(windows)));
    layout::parse_marker(&text).zip(program.ok()).is_some_and(|((_, size), meta)| meta.is_file() && meta.len() == size)
}

fn size_of(dir: &Path) -> Result<u64, Error> {
    let mut total = 0;
    for entry in fs_err::read_dir(dir).map_err(Error::io("measure the cache"))? {
        let entry = entry.map_err(Error::io("measure the cache"))?;
        let meta = fs_err::symlink_metadata(entry.path()).map_err(Error::io("measure the cache"))?;
        total += if meta.is_dir() { size_of(&entry.path())? } else { meta.len() };
    }
    Ok(total)
}

/// Renames the entry aside under its exclusive lock, then deletes it;
/// `false` when a program took the lock meanwhile.
fn remove(entry: &CacheEntry) -> Result<bool, Error> {
    let marker = entry.path.join(MARKER);
    let _lock = match marker.exists() {
        true => match Exclusive::take(&marker) {
            Some(lock) => Some(lock),
            None => return Ok(false),
        },
        false => None,
    };
    let base = entry.path.file_name().unwrap_or_default().to_string_lossy().into_owned();
    let doomed = match base.starts_with('.') {
        true => entry.path.clone(),
        false => entry.path.with_file_name(format!(".{base}.del-{}-0", std::process::id())),
    };
    if doomed != entry.path {
        fs_err::rename(&entry.path, &doomed).map_err(Error::io("retire a cache entry"))?;
    }
    fs_err::remove_dir_all(&doomed).map_err(Error::io("remove a cache entry"))?;
    Ok(true)
}

/// Whether a running program holds the marker's lock.
fn held(marker: &Path) -> bool {
    marker.exists() && Exclusive::take(marker).is_none()
}

/// An exclusive, non-blocking `flock` on a marker, released on drop.
struct Exclusive {
    #[cfg(unix)]
    _file: std::fs::File,
}

impl Exclusive {
    #[cfg(unix)]
    fn take(marker: &Path) -> Option<Exclusive> {
        use std::os::fd::AsRawFd;
        let file = std::fs::File::open(marker).ok()?;
        // SAFETY: a descriptor we own; flock only takes a lock.
        let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        locked.then_some(Exclusive { _file: file })
    }

    /// No `flock` there: a running program's files cannot be deleted
    /// anyway, and the removal reports that.
    #[cfg(not(unix))]
    fn take(_marker: &Path) -> Option<Exclusive> {
        Some(Exclusive {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(root: &Path, dir: &str, program: &[u8], recorded: u64) -> PathBuf {
        let path = root.join(dir);
        std::fs::create_dir_all(&path).unwrap();
        std::fs::write(path.join("app"), program).unwrap();
        std::fs::write(path.join(MARKER), layout::marker_text(&[0; layout::TRAILER_LEN], recorded)).unwrap();
        path
    }

    #[test]
    fn lists_versions_and_leftovers_and_prunes_by_name() {
        let root = tempfile::tempdir().unwrap();
        entry(root.path(), "app-0123456789abcdef", b"12345", 5);
        entry(root.path(), "app-1111111111111111", b"123", 5);
        entry(root.path(), "other-2222222222222222", b"1", 1);
        std::fs::create_dir(root.path().join(".app-3333333333333333.tmp-999999999")).unwrap();
        std::fs::create_dir(root.path().join("not-a-version")).unwrap();
        let listed = list(root.path()).unwrap();
        let states: Vec<(&str, EntryState)> = listed.iter().map(|e| (e.hash.as_str(), e.state)).collect();
        assert_eq!(listed.len(), 4, "{listed:#?}");
        assert!(states.contains(&("0123456789abcdef", EntryState::Whole)), "{states:?}");
        assert!(states.contains(&("1111111111111111", EntryState::Damaged)), "{states:?}");
        assert!(states.contains(&("3333333333333333", EntryState::Leftover)), "{states:?}");
        let options = PruneOptions { name: Some("app".into()), ..PruneOptions::default() };
        let pruned = prune(root.path(), &options).unwrap();
        assert_eq!(pruned.removed.len(), 3, "{pruned:#?}");
        let left: Vec<String> = list(root.path()).unwrap().into_iter().map(|e| e.name).collect();
        assert_eq!(left, ["other"]);
        assert!(root.path().join("not-a-version").exists(), "only the cache's own dirs are touched");
    }

    #[test]
    fn recent_entries_stay_with_unused_for() {
        let root = tempfile::tempdir().unwrap();
        entry(root.path(), "app-0123456789abcdef", b"1", 1);
        let options = PruneOptions { unused_for: Some(Duration::from_secs(3600)), ..PruneOptions::default() };
        assert!(prune(root.path(), &options).unwrap().removed.is_empty());
        let dry = PruneOptions { dry_run: true, ..PruneOptions::default() };
        assert_eq!(prune(root.path(), &dry).unwrap().removed.len(), 1);
        assert_eq!(list(root.path()).unwrap().len(), 1, "a dry run removes nothing");
    }
}
