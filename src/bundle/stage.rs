//! Where a bundle is assembled: a temp dir beside its destination (same
//! file system, so the finished tree is renamed into place in one step),
//! removed on every way out by its guard. An existing bundle is replaced
//! only by [`Stage::place`]: moved into the temp dir, the new one renamed
//! in, the old one deleted with the temp dir (or moved back if the rename
//! fails), so a failed run never leaves a half-written bundle where a good
//! one was.

use super::Error;
use std::path::{Path, PathBuf};

pub struct Stage {
    /// Removed (with whatever is left in it) when the stage is dropped.
    dir: tempfile::TempDir,
    root: PathBuf,
}

impl Stage {
    /// A stage for `name` in `dist` (created if missing): `root()` is an
    /// empty directory made like any other (the user's umask applies; the
    /// temp dir around it is private).
    pub fn new(dist: &Path, name: &str) -> Result<Stage, Error> {
        fs_err::create_dir_all(dist).map_err(Error::Io)?;
        let dir = tempfile::Builder::new().prefix(&format!(".{name}.")).tempdir_in(dist).map_err(|e| {
            Error::Io(std::io::Error::new(e.kind(), format!("failed to create a stage in {}: {e}", dist.display())))
        })?;
        let root = dir.path().join(name);
        fs_err::create_dir(&root).map_err(Error::Io)?;
        Ok(Stage { dir, root })
    }

    /// The directory to fill.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Renames the finished root to `dest`, replacing what is there (the
    /// caller checked it may); returns whether something was replaced.
    pub fn place(self, dest: &Path) -> Result<bool, Error> {
        let replaced = dest.symlink_metadata().is_ok();
        let old = self.dir.path().join(".old");
        if replaced {
            fs_err::rename(dest, &old).map_err(Error::Io)?;
        }
        if let Err(err) = fs_err::rename(&self.root, dest) {
            if replaced {
                let _ = fs_err::rename(&old, dest);
            }
            return Err(Error::Io(err));
        }
        Ok(replaced)
    }
}
