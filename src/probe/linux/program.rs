//! What "the same program" as the target is, by file identity (device and
//! inode, so a relative path, a symlink or `sh` in between changes
//! nothing): the file the probe was given, whatever the root process runs
//! (a script's interpreter, or what a launcher execs in place), and the
//! program a one-file bundle of it extracted. A one-file bundle's
//! bootloader execs its extracted program with `CARGO_FREEZE_BUNDLE` (the
//! bundle's path) and `CARGO_FREEZE_DIR` (the extraction directory) in the
//! environment (FORMAT.md), and the program's children inherit both; a
//! process running a file inside that directory, whose bundle is the
//! target, is the target, even when it was started by exec'ing the
//! extracted file directly.

use super::procfs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

pub(crate) struct Program {
    ids: Vec<(u64, u64)>,
}

impl Program {
    /// The program at `path`, plus what `root` runs now (not under the
    /// namespace helper, whose root is the helper).
    pub(super) fn new(path: &Path, root: Option<u32>) -> Program {
        let mut program = Program { ids: Vec::new() };
        program.add(id_of(path));
        if let Some(root) = root {
            program.adopt_root(root);
        }
        program
    }

    /// Whatever the root runs is the program.
    pub(super) fn adopt_root(&mut self, root: u32) {
        self.add(procfs::exe_id(root));
    }

    /// Whether process `pid` runs the program.
    pub(super) fn runs(&mut self, pid: u32) -> bool {
        let Some(id) = procfs::exe_id(pid) else { return false };
        if self.ids.contains(&id) {
            return true;
        }
        if self.extracted_by_bundle(pid) {
            self.add(Some(id));
            return true;
        }
        false
    }

    /// The process runs a file of a one-file extraction whose bundle is
    /// the program.
    fn extracted_by_bundle(&self, pid: u32) -> bool {
        let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else { return false };
        let var = |name: &[u8]| environ.split(|b| *b == 0).find_map(|kv| kv.strip_prefix(name)?.strip_prefix(b"="));
        let (Some(bundle), Some(dir)) = (var(b"CARGO_FREEZE_BUNDLE"), var(b"CARGO_FREEZE_DIR")) else {
            return false;
        };
        use std::os::unix::ffi::OsStrExt;
        let (bundle, dir) = (Path::new(std::ffi::OsStr::from_bytes(bundle)), std::ffi::OsStr::from_bytes(dir));
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
        id_of(bundle).is_some_and(|b| self.ids.contains(&b)) && exe.starts_with(PathBuf::from(dir))
    }

    fn add(&mut self, id: Option<(u64, u64)>) {
        if let Some(id) = id.filter(|id| !self.ids.contains(id)) {
            self.ids.push(id);
        }
    }
}

fn id_of(path: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_and_the_root_are_the_program() {
        let me = std::process::id();
        let mut by_path = Program::new(&std::env::current_exe().unwrap(), None);
        assert!(by_path.runs(me));
        let mut by_root = Program::new(Path::new("/nonexistent"), Some(me));
        assert!(by_root.runs(me));
        let mut other = Program::new(Path::new("/bin/sh"), None);
        assert!(!other.runs(me));
    }
}
