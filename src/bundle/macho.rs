//! Mach-O (macOS) dependencies, resolved the way dyld would: what a macOS
//! one-dir bundle copies into `lib/` ([`super::install_name`] then points
//! the images at the copies). Load commands `LC_LOAD_DYLIB`, weak,
//! re-export and upward (goblin), with `@executable_path`, `@loader_path`
//! and `@rpath` (the `LC_RPATH`s of the requesting image, then of the
//! images that loaded it, as dyld does). A name not found so is looked for
//! by its file name in the search directories: the build scripts' link
//! directories, where `cargo run` lets dyld find a library a build script
//! made (through `DYLD_FALLBACK_LIBRARY_PATH`). Two names of one file (by
//! real path) are one library. System libraries (`/usr/lib/`, `/System/`)
//! are not looked for.

use super::Error;
use super::resolve::{Library, Resolution, Via};
use goblin::mach::{Mach, MachO, SingleArch};
use std::path::{Path, PathBuf};

/// Whether `path` starts with a Mach-O or universal ("fat") magic.
pub fn is_macho(path: &Path) -> Result<bool, Error> {
    const MAGICS: [[u8; 4]; 6] = [
        [0xfe, 0xed, 0xfa, 0xce],
        [0xce, 0xfa, 0xed, 0xfe],
        [0xfe, 0xed, 0xfa, 0xcf],
        [0xcf, 0xfa, 0xed, 0xfe],
        [0xca, 0xfe, 0xba, 0xbe],
        [0xbe, 0xba, 0xfe, 0xca],
    ];
    Ok(super::head::<4>(path)?.is_some_and(|head| MAGICS.contains(&head)))
}

/// One image's install names and run paths (a universal binary: its first
/// architecture).
struct Image {
    libs: Vec<String>,
    rpaths: Vec<String>,
}

fn read(path: &Path) -> Result<Image, Error> {
    let bytes = fs_err::read(path).map_err(Error::Io)?;
    let malformed = |e: goblin::error::Error| Error::NotLoadable {
        path: path.to_path_buf(),
        reason: format!("a malformed Mach-O file ({e})"),
    };
    let from = |m: &MachO| Image {
        // libs[0] is the image's own id ("self").
        libs: m.libs.iter().skip(1).map(std::string::ToString::to_string).collect(),
        rpaths: m.rpaths.iter().map(std::string::ToString::to_string).collect(),
    };
    match Mach::parse(&bytes).map_err(malformed)? {
        Mach::Binary(m) => Ok(from(&m)),
        Mach::Fat(fat) => match fat.get(0).map_err(malformed)? {
            SingleArch::MachO(m) => Ok(from(&m)),
            SingleArch::Archive(_) => {
                Err(Error::NotLoadable { path: path.to_path_buf(), reason: "a static archive".into() })
            }
        },
    }
}

/// Libraries that come with macOS.
pub fn is_system(install_name: &str) -> bool {
    install_name.starts_with("/usr/lib/") || install_name.starts_with("/System/")
}

/// Resolves every non-system dylib `exe` loads, breadth-first; names dyld
/// would not find are looked for by file name in `search_dirs`.
pub fn resolve(exe: &Path, search_dirs: &[PathBuf]) -> Result<Resolution, Error> {
    let exe_dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    // Loaded images: (path, image, index of the image that loaded it).
    let mut images: Vec<(PathBuf, Image, Option<usize>)> = vec![(exe.to_path_buf(), read(exe)?, None)];
    let mut out = Resolution::default();
    let mut next = 0;
    while next < images.len() {
        for lib in images[next].1.libs.clone() {
            if is_system(&lib) {
                continue;
            }
            if let Some(known) = out.libraries.iter_mut().find(|l| l.name == lib) {
                known.needed_by.push(images[next].0.clone());
                continue;
            }
            let found = locate(&lib, next, &images, &exe_dir).or_else(|| search(&lib, search_dirs));
            match found {
                Some((path, via)) => {
                    let real = fs_err::canonicalize(&path).map_err(Error::Io)?;
                    if let Some(same) = out.libraries.iter_mut().find(|l| l.real == real) {
                        same.needed_by.push(images[next].0.clone());
                        continue;
                    }
                    let needed_by = vec![images[next].0.clone()];
                    out.libraries.push(Library { name: lib, soname: None, path: path.clone(), real, via, needed_by });
                    images.push((path.clone(), read(&path)?, Some(next)));
                }
                None => out.missing.push((lib, images[next].0.clone())),
            }
        }
        next += 1;
    }
    Ok(out)
}

/// `lib`'s file name in the first search directory that has it.
fn search(lib: &str, search_dirs: &[PathBuf]) -> Option<(PathBuf, Via)> {
    let file = lib.rsplit('/').next().filter(|f| !f.is_empty())?;
    let found = search_dirs.iter().map(|dir| dir.join(file)).find(|path| path.is_file());
    found.map(|path| (path, Via::SearchDir))
}

/// Expands an install name for the image at `from`; the first candidate
/// that exists wins.
fn locate(
    lib: &str,
    from: usize,
    images: &[(PathBuf, Image, Option<usize>)],
    exe_dir: &Path,
) -> Option<(PathBuf, Via)> {
    let expand = |s: &str, at: usize| -> PathBuf {
        let loader_dir = images[at].0.parent().map(Path::to_path_buf).unwrap_or_default();
        PathBuf::from(
            s.replace("@executable_path", &exe_dir.to_string_lossy())
                .replace("@loader_path", &loader_dir.to_string_lossy()),
        )
    };
    if let Some(rest) = lib.strip_prefix("@rpath/") {
        let mut at = Some(from);
        while let Some(i) = at {
            for rpath in &images[i].1.rpaths {
                let candidate = expand(rpath, i).join(rest);
                if candidate.is_file() {
                    return Some((candidate, Via::Rpath));
                }
            }
            at = images[i].2;
        }
        return None;
    }
    let via = if lib.starts_with("@loader_path") {
        Via::LoaderPath
    } else if lib.starts_with("@executable_path") {
        Via::ExecutablePath
    } else {
        Via::Path
    };
    let candidate = expand(lib, from);
    candidate.is_file().then_some((candidate, via))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const LC_LOAD_DYLIB: u32 = 0xc;
    const LC_RPATH: u32 = 0x8000_001c;

    /// A minimal 64-bit x86_64 Mach-O with these load commands: (`cmd`,
    /// string) pairs, the string at the command's usual offset.
    pub(crate) fn macho(filetype: u32, commands: &[(u32, &str)]) -> Vec<u8> {
        let mut cmds = Vec::new();
        for (cmd, text) in commands {
            let offset: u32 = if *cmd == LC_RPATH { 12 } else { 24 };
            let size = (offset as usize + text.len() + 1).div_ceil(8) * 8;
            let mut c = Vec::new();
            c.extend_from_slice(&cmd.to_le_bytes());
            c.extend_from_slice(&(size as u32).to_le_bytes());
            c.extend_from_slice(&offset.to_le_bytes());
            if *cmd != LC_RPATH {
                c.extend_from_slice(&[2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0]); // timestamp, versions
            }
            c.extend_from_slice(text.as_bytes());
            c.resize(size, 0);
            cmds.extend(c);
        }
        let mut out = Vec::new();
        for word in [0xfeed_facf_u32, 0x0100_0007, 3, filetype, commands.len() as u32, cmds.len() as u32, 0, 0] {
            out.extend_from_slice(&word.to_le_bytes());
        }
        out.extend(cmds);
        out
    }

    #[test]
    fn rpath_loader_path_and_system_libraries() {
        let dir = tempfile::tempdir().unwrap();
        let (bin, lib, frameworks) = (dir.path().join("bin"), dir.path().join("lib"), dir.path().join("Frameworks"));
        for d in [&bin, &lib, &frameworks] {
            std::fs::create_dir_all(d).unwrap();
        }
        let exe = bin.join("app");
        std::fs::write(
            &exe,
            macho(
                2,
                &[
                    (LC_LOAD_DYLIB, "/usr/lib/libSystem.B.dylib"),
                    (LC_LOAD_DYLIB, "@rpath/libfoo.dylib"),
                    (LC_LOAD_DYLIB, "@executable_path/../Frameworks/libbar.dylib"),
                    (LC_RPATH, "@loader_path/../lib"),
                ],
            ),
        )
        .unwrap();
        // libfoo finds libbaz through the executable's run path (dyld walks
        // the loaders' LC_RPATHs), libbar needs one that is missing.
        std::fs::write(lib.join("libfoo.dylib"), macho(6, &[(LC_LOAD_DYLIB, "@rpath/libbaz.dylib")])).unwrap();
        std::fs::write(lib.join("libbaz.dylib"), macho(6, &[(LC_LOAD_DYLIB, "/System/Library/Foundation")])).unwrap();
        std::fs::write(frameworks.join("libbar.dylib"), macho(6, &[(LC_LOAD_DYLIB, "@loader_path/libgone.dylib")]))
            .unwrap();
        assert!(is_macho(&exe).unwrap());
        let res = resolve(&exe, &[]).unwrap();
        let found: Vec<(&str, Via)> = res.libraries.iter().map(|l| (l.name.as_str(), l.via)).collect();
        assert_eq!(
            found,
            [
                ("@rpath/libfoo.dylib", Via::Rpath),
                ("@executable_path/../Frameworks/libbar.dylib", Via::ExecutablePath),
                ("@rpath/libbaz.dylib", Via::Rpath),
            ]
        );
        assert_eq!(res.libraries[0].real, lib.join("libfoo.dylib").canonicalize().unwrap());
        let needer = bin.join("../Frameworks/libbar.dylib");
        assert_eq!(res.missing, vec![("@loader_path/libgone.dylib".to_string(), needer)]);
    }

    /// A name dyld would not find (an `@rpath` with no matching run path)
    /// is found by file name in the search directories (a build script's
    /// output); a second name of the same file is the same library.
    #[test]
    fn search_directories_and_one_file_under_two_names() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        std::fs::create_dir_all(&out).unwrap();
        let full = out.join("libhelper.dylib").display().to_string();
        let exe = dir.path().join("app");
        let loads = [(LC_LOAD_DYLIB, "@rpath/libgreet.dylib"), (LC_LOAD_DYLIB, full.as_str())];
        std::fs::write(&exe, macho(2, &loads)).unwrap();
        std::fs::write(out.join("libgreet.dylib"), macho(6, &[(LC_LOAD_DYLIB, "@rpath/libhelper.dylib")])).unwrap();
        std::fs::write(out.join("libhelper.dylib"), macho(6, &[])).unwrap();
        assert_eq!(resolve(&exe, &[]).unwrap().missing.len(), 1, "not found without the search dirs");
        let res = resolve(&exe, std::slice::from_ref(&out)).unwrap();
        let found: Vec<(&str, Via, usize)> =
            res.libraries.iter().map(|l| (l.name.as_str(), l.via, l.needed_by.len())).collect();
        assert_eq!(found, [("@rpath/libgreet.dylib", Via::SearchDir, 1), (full.as_str(), Via::Path, 2)]);
        assert!(res.missing.is_empty(), "{:?}", res.missing);
    }
}
