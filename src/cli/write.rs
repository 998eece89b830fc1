//! Writing a user's file without ever leaving it half-written: a temporary
//! file beside it, synced, given the original's permissions, renamed over it.

use crate::error::Error;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `text` to `path` atomically; a new file gets default permissions.
pub(crate) fn atomically(path: &Path, text: &str) -> Result<(), Error> {
    let fail = |source: std::io::Error| Error::Write { path: path.to_path_buf(), source };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let permissions = fs_err::metadata(path).ok().map(|m| m.permissions());
    let mut temp = tempfile::Builder::new().prefix(".cargo-freeze-").tempfile_in(&dir).map_err(fail)?;
    temp.write_all(text.as_bytes()).map_err(fail)?;
    temp.as_file().sync_all().map_err(fail)?;
    match permissions {
        Some(permissions) => fs_err::set_permissions(temp.path(), permissions).map_err(fail)?,
        // tempfile creates 0600; a new file gets what `create` would give.
        None => set_default_mode(temp.path()).map_err(fail)?,
    }
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

#[cfg(unix)]
fn set_default_mode(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // 0666 less the process umask, read without changing it for long.
    let umask = current_umask();
    fs_err::set_permissions(path, std::fs::Permissions::from_mode(0o666 & !umask))
}

#[cfg(not(unix))]
fn set_default_mode(_: &Path) -> std::io::Result<()> {
    Ok(())
}

/// The umask, from /proc (no `umask(2)` round trip that would briefly
/// change it for other threads); 022 when unknown.
#[cfg(unix)]
fn current_umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("Umask:").map(|v| v.trim().to_string())))
        .and_then(|v| u32::from_str_radix(&v, 8).ok())
        .unwrap_or(0o022)
}
