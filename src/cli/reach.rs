//! Which crates a binary's code can call: its own package's library and its
//! path dependencies' libraries, transitively through the workspace's
//! members. The `lint` room gets these as a [`lint::BinaryInput`].
//!
//! Directories are compared as the file system sees them (through symlinks,
//! `..`), since cargo's metadata and a `path = ".."` dependency may spell one
//! directory two ways. Each directory is canonicalised once and looked up in
//! a map: comparing every dependency with every member, pairwise, through
//! `canonicalize` was a tenth of the CPU time of checking a 100-package
//! workspace (issue 18, biome).

use super::deeper::Needles;
use crate::cargo::{self, Package, PathDep, Workspace};
use crate::config::Config;
use crate::lint;
use rustc_hash::{FxHashMap, FxHashSet};
use std::path::{Path, PathBuf};

/// The workspace's members by (canonical) manifest directory.
pub(crate) struct Members<'w> {
    by_dir: FxHashMap<PathBuf, &'w Package>,
    needles: Needles,
}

impl<'w> Members<'w> {
    pub(crate) fn new(workspace: &'w Workspace) -> Self {
        let mut by_dir = FxHashMap::default();
        for package in &workspace.packages {
            // The first member of a directory wins, as a search in order did.
            by_dir.entry(dir_key(&package.manifest_dir)).or_insert(package);
        }
        Members { by_dir, needles: Needles::default() }
    }

    /// The workspace member whose manifest is in `dir`.
    fn get(&self, dir: &Path) -> Option<&'w Package> {
        self.by_dir.get(&dir_key(dir)).copied()
    }

    /// The binary plus every crate its code can call: its own package's
    /// library, its path dependencies' libraries, and the deeper ones that
    /// can hold a self-spawn ([`super::deeper`]).
    pub(crate) fn binary_input(
        &self,
        package: &Package,
        target: &cargo::Target,
        kind: lint::TargetKind,
        config: &Config,
    ) -> lint::BinaryInput {
        let mut crates = Vec::new();
        if let Some(lib) = &package.lib {
            let sees = Some(self.sees(package));
            crates.push(lint::CrateInput { name: lib.name.replace('-', "_"), root: lib.src_path.clone(), sees });
        }
        for PathDep { rename, dir, .. } in &package.path_deps {
            if let Some((lib_name, root)) = self.path_dep_lib(dir) {
                let name = rename.clone().unwrap_or(lib_name).replace('-', "_");
                let sees = self.get(dir).map(|p| self.sees(p));
                crates.push(lint::CrateInput { name, root, sees });
            }
        }
        self.push_deeper(package, &mut crates);
        lint::BinaryInput {
            package: package.name.clone(),
            name: target.name.clone(),
            kind,
            root: target.src_path.clone(),
            crates,
            guards: config.guards.clone(),
        }
    }

    /// Path dependencies of `package`'s path dependencies, and theirs, that
    /// name the own executable or lead to one not read already.
    fn push_deeper(&self, package: &Package, crates: &mut Vec<lint::CrateInput>) {
        let mut wanted = FxHashMap::default();
        for dep in &package.path_deps {
            wanted.insert(dir_key(&dep.dir), false);
        }
        wanted.insert(dir_key(&package.manifest_dir), false);
        let mut queue: Vec<&Package> = package.path_deps.iter().filter_map(|d| self.get(&d.dir)).collect();
        let mut done = FxHashSet::default();
        while let Some(member) = queue.pop() {
            for PathDep { rename, dir, linked } in &member.path_deps {
                if !linked || !self.wanted(dir, &mut wanted) || !done.insert(dir_key(dir)) {
                    continue;
                }
                if let Some((lib_name, root)) = self.path_dep_lib(dir) {
                    let name = rename.clone().unwrap_or(lib_name).replace('-', "_");
                    let sees = self.get(dir).map(|p| self.sees(p));
                    crates.push(lint::CrateInput { name, root, sees });
                }
                queue.extend(self.get(dir));
            }
        }
    }

    /// Whether the library of the crate in `dir`, not read already, names
    /// the own executable in its source directory, or a library linked
    /// below it does. `wanted` starts with the crates read already as
    /// `false`; a cycle ends as `false`.
    fn wanted(&self, dir: &Path, wanted: &mut FxHashMap<PathBuf, bool>) -> bool {
        let key = dir_key(dir);
        if let Some(&known) = wanted.get(&key) {
            return known;
        }
        wanted.insert(key.clone(), false);
        let found =
            self.path_dep_lib(dir).is_some_and(|(_, root)| root.parent().is_some_and(|src| self.needles.named_in(src)))
                || self.get(dir).is_some_and(|m| m.path_deps.iter().any(|d| d.linked && self.wanted(&d.dir, wanted)));
        wanted.insert(key, found);
        found
    }

    /// The library roots `package`'s code can name: its path dependencies
    /// and theirs, through the workspace's members (a dependency outside the
    /// workspace ends the walk: its own dependencies are not described).
    fn sees(&self, package: &Package) -> Vec<PathBuf> {
        let mut roots = Vec::new();
        let mut dirs: Vec<&Path> = package.path_deps.iter().map(|d| d.dir.as_path()).collect();
        let mut done = FxHashSet::default();
        done.insert(dir_key(&package.manifest_dir));
        while let Some(dir) = dirs.pop() {
            if !done.insert(dir_key(dir)) {
                continue;
            }
            if let Some((_, root)) = self.path_dep_lib(dir) {
                roots.push(root);
            }
            if let Some(member) = self.get(dir) {
                dirs.extend(member.path_deps.iter().map(|d| d.dir.as_path()));
            }
        }
        roots
    }

    /// A path dependency's library (name, root): from the workspace metadata
    /// when it is a member, else cargo's default `src/lib.rs` named after the
    /// directory (metadata ran with `--no-deps`, so outside packages are not
    /// described).
    fn path_dep_lib(&self, dir: &Path) -> Option<(String, PathBuf)> {
        match self.get(dir) {
            Some(p) => p.lib.as_ref().map(|l| (l.name.clone(), l.src_path.clone())),
            None => {
                let root = dir.join("src/lib.rs");
                let name = dir.file_name()?.to_string_lossy().into_owned();
                root.is_file().then_some((name, root))
            }
        }
    }
}

/// A directory as the file system resolves it, or as written when it does
/// not exist.
fn dir_key(dir: &Path) -> PathBuf {
    thread_local! {
        static SEEN: std::cell::RefCell<FxHashMap<PathBuf, PathBuf>> = std::cell::RefCell::default();
    }
    SEEN.with_borrow_mut(|seen| {
        if let Some(key) = seen.get(dir) {
            return key.clone();
        }
        let key = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        seen.insert(dir.to_path_buf(), key.clone());
        key
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_directory_spelled_two_ways_is_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let member = dir.path().join("member");
        fs_err::create_dir(&member).unwrap();
        assert_eq!(dir_key(&member), dir_key(&member.join("..").join("member")));
        assert_ne!(dir_key(&member), dir_key(dir.path()));
        let missing = dir.path().join("missing");
        assert_eq!(dir_key(&missing), missing, "a directory that does not exist is kept as written");
    }

    /// A package in `dir` with a library whose text is `lib`, and path
    /// dependencies (directory name, linked).
    fn package(root: &Path, dir: &str, lib: &str, deps: &[(&str, bool)]) -> Package {
        let manifest_dir = root.join(dir);
        fs_err::create_dir_all(manifest_dir.join("src")).unwrap();
        fs_err::write(manifest_dir.join("src/lib.rs"), lib).unwrap();
        let src_path = manifest_dir.join("src/lib.rs");
        let path_deps =
            deps.iter().map(|(d, linked)| PathDep { rename: None, dir: root.join(d), linked: *linked }).collect();
        Package {
            name: dir.to_string(),
            manifest_dir,
            bins: Vec::new(),
            examples: Vec::new(),
            lib: Some(cargo::Target { name: dir.to_string(), src_path, edition: "2021".into() }),
            path_deps,
            freeze_metadata: None,
        }
    }

    #[test]
    fn deeper_crates_are_read_when_they_lead_to_the_own_executable() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let spawn = "pub fn go() { std::env::current_exe(); }";
        let packages = vec![
            package(root, "app", "", &[("front", true)]),
            package(root, "front", "", &[("mid", true), ("parser", true), ("testkit", false)]),
            package(root, "mid", "", &[("daemon", true)]),
            package(root, "daemon", spawn, &[]),
            package(root, "parser", "pub fn parse() {}", &[]),
            package(root, "testkit", spawn, &[]),
        ];
        let workspace = Workspace { root: root.to_path_buf(), packages, default_members: Vec::new() };
        let members = Members::new(&workspace);
        let app = &workspace.packages[0];
        let bin = cargo::Target { name: "app".into(), src_path: root.join("app/src/main.rs"), edition: "2021".into() };
        let input = members.binary_input(app, &bin, lint::TargetKind::Bin, &Config::default());
        let mut names: Vec<&str> = input.crates.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        // `parser` names nothing and leads nowhere; `testkit` is only a
        // dev-dependency; `mid` is read for the way down to `daemon`.
        assert_eq!(names, ["app", "daemon", "front", "mid"]);
    }
}
