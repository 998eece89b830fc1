//! Where extraction goes: the runtime-dir spec resolved (`{cache}`, `{tmp}`,
//! `{name}`, `{hash}`; the cache root is defined once, in `format`),
//! private (0700) directory creation, the ownership check that refuses a
//! dir another user could tamper with, and the private temp dir of the
//! fallback (no cache, or one that cannot be written).

#[cfg(unix)]
use crate::io_fail;
#[cfg(unix)]
use crate::EXIT_IO;
use crate::{bad, format, Fail};
use std::env;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// The extraction dir the spec names (`{cache}`, `{tmp}`, `{name}`,
/// `{hash}`); `None` when it needs `{cache}` and there is no cache root
/// (no XDG_CACHE_HOME, HOME unset or missing): the caller falls back to a
/// private temp dir rather than create a home directory.
pub fn resolve_spec(spec: &str, name: &str, hex: &str) -> Result<Option<PathBuf>, Fail> {
    let spec = if spec.is_empty() { format::DEFAULT_SPEC } else { spec };
    let mut out = spec.replace("{name}", name).replace("{hash}", hex);
    if out.contains("{cache}") {
        let Some(cache) = format::cache_root() else { return Ok(None) };
        out = out.replace("{cache}", &cache.to_string_lossy());
    }
    if out.contains("{tmp}") {
        out = out.replace("{tmp}", &env::temp_dir().to_string_lossy());
    }
    let dir = PathBuf::from(out);
    if !dir.is_absolute() {
        return Err(bad(format!("runtime dir {} is not absolute", dir.display())));
    }
    Ok(Some(dir))
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
