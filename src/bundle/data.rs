//! `--add-data SRC:DEST` and `--add-binary SRC:DEST`, PyInstaller's syntax:
//! the last `:` separates the destination (so `C:\data:assets` keeps its
//! drive letter); DEST is a directory inside the bundle and may not leave it.

use super::Error;
use std::path::{Component, Path, PathBuf};

/// A file or directory to copy into the bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extra {
    pub src: PathBuf,
    /// Relative to the bundle's root.
    pub dest: PathBuf,
}

impl Extra {
    pub fn parse(spec: &str) -> Result<Extra, Error> {
        let bad = |why: &str| Error::BadSpec { spec: spec.to_string(), why: why.to_string() };
        let (src, dest) = spec.rsplit_once(':').ok_or_else(|| bad("expected SRC:DEST"))?;
        // `C:\x` alone: the only `:` is the drive letter's.
        if src.len() == 1 && dest.starts_with(['\\', '/']) {
            return Err(bad("expected SRC:DEST (the only `:` is a drive letter's)"));
        }
        let dest = if dest.is_empty() || dest == "." { PathBuf::new() } else { PathBuf::from(dest) };
        if dest.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(bad("DEST must be a relative path inside the bundle, without `..`"));
        }
        Ok(Extra { src: PathBuf::from(src), dest })
    }

    /// Checks SRC exists before any work starts.
    pub fn check(&self) -> Result<(), Error> {
        if self.src.exists() { Ok(()) } else { Err(Error::MissingSource { path: self.src.clone() }) }
    }
}

/// Copies `src` (a file or a directory tree) into directory `into`.
pub fn copy_into(src: &Path, into: &Path) -> Result<Vec<PathBuf>, Error> {
    fs_err::create_dir_all(into).map_err(Error::Io)?;
    let name = src.file_name().ok_or_else(|| Error::MissingSource { path: src.to_path_buf() })?;
    let target = into.join(name);
    let mut copied = Vec::new();
    if src.is_dir() {
        for entry in fs_err::read_dir(src).map_err(Error::Io)? {
            copied.extend(copy_into(&entry.map_err(Error::Io)?.path(), &target)?);
        }
    } else {
        fs_err::copy(src, &target).map_err(Error::Io)?;
        copied.push(target);
    }
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        assert_eq!(Extra::parse("assets:share/app").unwrap().dest, PathBuf::from("share/app"));
        assert_eq!(Extra::parse(r"C:\data\x.txt:.").unwrap().src, PathBuf::from(r"C:\data\x.txt"));
        assert!(Extra::parse("assets:../out").unwrap_err().to_string().contains("without `..`"));
        assert!(Extra::parse("assets:/etc").is_err());
        assert!(Extra::parse("assets").is_err());
    }
}
