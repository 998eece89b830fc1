//! Where extraction goes: the runtime-dir spec resolved (`{cache}`, `{tmp}`,
//! `{name}`, `{hash}`), the per-user cache root, private (0700) directory
//! creation, the ownership check that refuses a dir another user could
//! tamper with, and the private temp dir of the read-only-cache fallback.

#[cfg(unix)]
use crate::io_fail;
use crate::{bad, Fail, EXIT_IO};
use std::env;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

pub fn resolve_spec(spec: &str, name: &str, hex: &str) -> Result<PathBuf, Fail> {
    let spec = if spec.is_empty() { "{cache}/cargo-freeze/{name}-{hash}" } else { spec };
    let mut out = spec.replace("{name}", name).replace("{hash}", hex);
    if out.contains("{cache}") {
        out = out.replace("{cache}", &cache_dir()?.to_string_lossy());
    }
    if out.contains("{tmp}") {
        out = out.replace("{tmp}", &env::temp_dir().to_string_lossy());
    }
    let dir = PathBuf::from(out);
    if !dir.is_absolute() {
        return Err(bad(format!("runtime dir {} is not absolute", dir.display())));
    }
    Ok(dir)
}

fn cache_dir() -> Result<PathBuf, Fail> {
    #[cfg(windows)]
    {
        if let Some(d) = env::var_os("LOCALAPPDATA") {
            return Ok(PathBuf::from(d));
        }
    }
    #[cfg(target_os = "macos")]
    {
        if let Some(h) = env::var_os("HOME") {
            return Ok(PathBuf::from(h).join("Library/Caches"));
        }
    }
    if let Some(d) = env::var_os("XDG_CACHE_HOME").filter(|d| Path::new(d).is_absolute()) {
        return Ok(PathBuf::from(d));
    }
    if let Some(h) = env::var_os("HOME").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(h).join(".cache"));
    }
    Err((EXIT_IO, "no cache dir: set XDG_CACHE_HOME or HOME, or build with --runtime-dir".into()))
}

#[cfg(unix)]
pub fn check_safe(dir: &Path) -> Result<(), Fail> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::symlink_metadata(dir).map_err(|e| io_fail("inspect", dir, e))?;
    let uid = own_uid();
    if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o022 != 0 {
        return Err((
            EXIT_IO,
            format!("refusing to use {}: it is not a directory owned by you (uid {uid}) and unwritable by others; remove it or fix its permissions (chmod go-w)", dir.display()),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn check_safe(_dir: &Path) -> Result<(), Fail> {
    Ok(())
}

#[cfg(unix)]
fn own_uid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

pub fn create_private_dirs(dir: &Path) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

pub fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// A new private (0700) dir under the temp dir for one run of `name`, for
/// when the cache cannot be written.
pub fn private_temp_dir(name: &str) -> std::io::Result<PathBuf> {
    let base = env::temp_dir();
    #[cfg_attr(not(unix), expect(unused_mut, reason = "the mode is Unix-only"))]
    let mut builder = fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    let mut attempt = 0u32;
    loop {
        let dir = base.join(format!("cargo-freeze-{name}-{}-{attempt}", std::process::id()));
        match builder.create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    }
}
