//! How a macOS one-dir bundle's images find `lib/`, with no external tool
//! (no `install_name_tool`, no `codesign`). The executable carries one
//! `LC_RPATH`, `@executable_path/lib`: `cargo freeze` links it in
//! ([`link_args`], with `-headerpad_max_install_names` so that later edits
//! have room), and for an executable built otherwise it is added in the
//! header padding. Its load commands of bundled dylibs become
//! `@rpath/NAME`; other run paths (pointing at the build machine) go. Each
//! copied dylib gets the id `@rpath/NAME`, loads the other bundled dylibs
//! as `@loader_path/NAME` (beside itself in `lib/`, however it is reached:
//! through the executable, or a `dlopen`), and keeps no run path. The
//! edits are made in-process, in place ([`super::macho_edit`]), each slice
//! of a universal file alike; an edited image's code signature is made
//! valid again ([`super::macho_sign`]). Last, dyld's search is run on the
//! staged bundle ([`super::macho::resolve`]): every bundled dylib must be
//! found in `lib/`. Dylibs of the system (`/usr/lib/`, `/System/`) are
//! never touched.

use super::Error;
use super::macho::{is_system, resolve};
use super::macho_edit::{Commands, EditError, images};
use super::macho_sign::{self, Signature};
use super::runpath::file_name;
use std::path::Path;

/// Where the bundled executable finds its dylibs.
pub const EXE_RPATH: &str = "@executable_path/lib";

/// The link arguments that give an executable [`EXE_RPATH`], and room in
/// its header for longer install names.
pub fn link_args() -> Vec<String> {
    [format!("link-arg=-Wl,-rpath,{EXE_RPATH}"), "link-arg=-Wl,-headerpad_max_install_names".to_string()]
        .into_iter()
        .flat_map(|arg| ["-C".to_string(), arg])
        .collect()
}

/// Edits the staged bundle (each copied dylib in `lib_dir`, then the
/// executable) and checks it with dyld's search. Returns the signatures:
/// the executable's, then each dylib's in the order of `bundled`.
pub fn apply(exe: &Path, lib_dir: &Path, bundled: &[String]) -> Result<Vec<Signature>, Error> {
    let mut libraries = Vec::with_capacity(bundled.len());
    for name in bundled {
        libraries.push(library(&lib_dir.join(name), name, bundled)?);
    }
    let mut signatures = vec![executable(exe, bundled)?];
    signatures.extend(libraries);
    if !bundled.is_empty() {
        verify(exe, lib_dir, bundled)?;
    }
    Ok(signatures)
}

/// The bundle's executable: loads of bundled dylibs become `@rpath/NAME`,
/// and its one run path is [`EXE_RPATH`] (nothing changes without
/// bundled dylibs).
pub fn executable(exe: &Path, bundled: &[String]) -> Result<Signature, Error> {
    let hint = "link it with `-C link-arg=-Wl,-headerpad_max_install_names` (`cargo freeze --onedir` links the binary it builds so)";
    edit(exe, hint, |c| {
        if bundled.is_empty() {
            return Ok(());
        }
        rename_loads(c, bundled, "@rpath")?;
        c.retain_rpaths(&[EXE_RPATH]);
        if c.rpaths().is_empty() {
            c.push_rpath(EXE_RPATH);
        }
        Ok(())
    })
}

/// A copied dylib named `name` in `lib/`: its id becomes `@rpath/NAME`,
/// its loads of bundled dylibs `@loader_path/NAME`, its run paths go.
pub fn library(lib: &Path, name: &str, bundled: &[String]) -> Result<Signature, Error> {
    let hint = "relink the library with `-Wl,-headerpad_max_install_names`, or give it the install name `@rpath/NAME` when it is linked, which needs no room";
    edit(lib, hint, |c| {
        let id = format!("@rpath/{name}");
        if c.id().is_some_and(|old| old != id) {
            c.set_id(&id)?;
        }
        rename_loads(c, bundled, "@loader_path")?;
        c.retain_rpaths(&[]);
        Ok(())
    })
}

/// Points every load of a bundled dylib (by file name) at `PREFIX/NAME`.
fn rename_loads(c: &mut Commands, bundled: &[String], prefix: &str) -> Result<(), EditError> {
    for (index, name) in c.loads() {
        let file = file_name(&name);
        let wanted = format!("{prefix}/{file}");
        if !is_system(&name) && bundled.iter().any(|b| b == file) && name != wanted {
            c.set_name(index, &wanted)?;
        }
    }
    Ok(())
}

/// Runs dyld's search on the staged executable (no search directories):
/// every bundled dylib, under whatever name an image loads it, must come
/// from `lib_dir`.
pub fn verify(exe: &Path, lib_dir: &Path, bundled: &[String]) -> Result<(), Error> {
    let resolution = resolve(exe, &[])?;
    let lib_dir = fs_err::canonicalize(lib_dir).map_err(Error::Io)?;
    let not_from_bundle = |library: &str, found: String| Error::NotFromBundle { library: library.to_string(), found };
    if let Some((name, _)) = resolution.missing.iter().find(|(n, _)| bundled.iter().any(|b| b == file_name(n))) {
        return Err(not_from_bundle(name, "nowhere".into()));
    }
    for lib in resolution.libraries.iter().filter(|l| bundled.iter().any(|b| b == file_name(&l.name))) {
        if lib.real.parent() != Some(lib_dir.as_path()) {
            return Err(not_from_bundle(&lib.name, lib.real.display().to_string()));
        }
    }
    for name in bundled {
        if !resolution.libraries.iter().any(|l| file_name(&l.name) == name) {
            return Err(not_from_bundle(name, "nowhere".into()));
        }
    }
    Ok(())
}

/// Applies `change` to the load commands of each image of the file (a
/// thin file has one), writes the commands of each image it changed and
/// makes that image's signature valid again, then writes the file back if
/// anything changed. Returns the signature, the worst of the slices'.
fn edit(
    path: &Path,
    hint: &'static str,
    change: impl Fn(&mut Commands) -> Result<(), EditError>,
) -> Result<Signature, Error> {
    let before = fs_err::read(path).map_err(Error::Io)?;
    let mut bytes = before.clone();
    let failed = |e: EditError| match e {
        EditError::NoRoom { needed, available } => {
            Error::NoHeaderRoom { path: path.to_path_buf(), needed, available, hint }
        }
        EditError::Malformed(reason) => Error::MachOEdit { path: path.to_path_buf(), reason },
    };
    let unsigned = |reason: String| Error::MachOEdit { path: path.to_path_buf(), reason };
    let mut worst = Signature::AdHoc;
    for range in images(&bytes).map_err(failed)? {
        let image = &mut bytes[range];
        let original = Commands::read(image).map_err(failed)?;
        let mut commands = original.clone();
        change(&mut commands).map_err(failed)?;
        let signature = commands.code_signature();
        let kind = if commands == original {
            macho_sign::kind(image, signature).map_err(unsigned)?
        } else {
            commands.write(image).map_err(failed)?;
            macho_sign::refresh(image, signature).map_err(unsigned)?
        };
        worst = worst.max(kind);
    }
    if bytes != before {
        fs_err::write(path, &bytes).map_err(Error::Io)?;
    }
    Ok(worst)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::macho_edit::tests::{LC_ID, LC_LOAD, RPATH, image};
    use crate::bundle::onedir::{OnedirOptions, assemble};
    use goblin::mach::MachO;

    /// (libs, rpaths) as goblin reads them; libs[0] is the id or "self".
    fn read(path: &Path) -> (Vec<String>, Vec<String>) {
        let bytes = std::fs::read(path).unwrap();
        let m = MachO::parse(&bytes, 0).unwrap();
        (
            m.libs.iter().map(std::string::ToString::to_string).collect(),
            m.rpaths.iter().map(std::string::ToString::to_string).collect(),
        )
    }

    fn signature_is_valid(path: &Path) -> bool {
        let bytes = std::fs::read(path).unwrap();
        let sig = Commands::read(&bytes).unwrap().code_signature().unwrap();
        macho_sign::stale_pages(&bytes, sig) == Ok(vec![])
    }

    /// A program loading a dylib by its full path and one through an
    /// absolute run path, the first loading the second through `@rpath`
    /// (found by dyld through the program's run path) and carrying a run
    /// path of its own: both land in `lib/`, every load points inside the
    /// bundle, run paths from the build machine are gone, an image that
    /// needed no edit is byte for byte its original, and every signature
    /// matches its file.
    #[test]
    fn a_synthetic_program_and_its_dylibs_are_bundled() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for sub in ["build", "private", "other"] {
            std::fs::create_dir_all(d.join(sub)).unwrap();
        }
        let (foo, other) = (d.join("private/libfoo.dylib"), d.join("other"));
        let (foo_s, other_s) = (foo.to_string_lossy().into_owned(), other.to_string_lossy().into_owned());
        let exe = d.join("build/app");
        let exe_commands = [
            (LC_LOAD, "/usr/lib/libSystem.B.dylib"),
            (LC_LOAD, foo_s.as_str()),
            (LC_LOAD, "@rpath/libbar.dylib"),
            (RPATH, other_s.as_str()),
        ];
        std::fs::write(&exe, image(2, &exe_commands, 8192, true)).unwrap();
        let foo_commands = [(LC_ID, foo_s.as_str()), (LC_LOAD, "@rpath/libbar.dylib"), (RPATH, "/nonexistent")];
        std::fs::write(&foo, image(6, &foo_commands, 4096, true)).unwrap();
        let bar = image(6, &[(LC_ID, "@rpath/libbar.dylib"), (LC_LOAD, "/usr/lib/libSystem.B.dylib")], 4096, true);
        std::fs::write(other.join("libbar.dylib"), &bar).unwrap();
        let options =
            OnedirOptions { binary: exe, name: "app".into(), dist: d.join("dist"), ..OnedirOptions::default() };
        let report = assemble(&options).unwrap();
        let files: Vec<(&str, Option<Signature>)> =
            report.files.iter().map(|f| (f.path.as_str(), f.signature)).collect();
        let ad_hoc = Some(Signature::AdHoc);
        assert_eq!(files, [("app", ad_hoc), ("lib/libfoo.dylib", ad_hoc), ("lib/libbar.dylib", ad_hoc)]);
        let bundle = d.join("dist/app");
        let (libs, rpaths) = read(&bundle.join("app"));
        assert_eq!(libs[1..], ["/usr/lib/libSystem.B.dylib", "@rpath/libfoo.dylib", "@rpath/libbar.dylib"]);
        assert_eq!(rpaths, [EXE_RPATH]);
        let (libs, rpaths) = read(&bundle.join("lib/libfoo.dylib"));
        assert_eq!((libs, rpaths), (vec!["@rpath/libfoo.dylib".into(), "@loader_path/libbar.dylib".into()], vec![]));
        assert_eq!(std::fs::read(bundle.join("lib/libbar.dylib")).unwrap(), bar, "nothing to edit: untouched");
        for file in ["app", "lib/libfoo.dylib", "lib/libbar.dylib"] {
            assert!(signature_is_valid(&bundle.join(file)), "{file}");
        }
    }

    /// An executable built without the run path and without header room
    /// for it is refused, naming the sizes and how to link it; nothing is
    /// left behind.
    #[test]
    fn no_room_for_the_run_path_is_an_error_that_says_how_to_link() {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("libfoo.dylib");
        std::fs::write(&lib, image(6, &[(LC_ID, "@rpath/libfoo.dylib")], 4096, false)).unwrap();
        let load = format!("{}/libfoo.dylib", dir.path().display());
        // Header 32 + segment 152 + the dylib command: not a byte to spare.
        let command_len = (24 + load.len() + 1).div_ceil(8) * 8;
        let exe = dir.path().join("app");
        std::fs::write(&exe, image(2, &[(LC_LOAD, &load)], 32 + 152 + command_len, false)).unwrap();
        let dist = dir.path().join("dist");
        let options = OnedirOptions { binary: exe.clone(), name: "app".into(), dist, ..OnedirOptions::default() };
        let err = assemble(&options).unwrap_err().to_string();
        let staged = "app has no room for its new load commands: they need";
        assert!(err.contains(staged), "{err}");
        assert!(err.contains(&format!("and its header has {} before the first section", 152 + command_len)), "{err}");
        assert!(err.ends_with("help: link it with `-C link-arg=-Wl,-headerpad_max_install_names` (`cargo freeze --onedir` links the binary it builds so)"), "{err}");
        assert!(!dir.path().join("dist/app").exists());
    }
}
