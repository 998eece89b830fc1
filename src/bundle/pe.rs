//! Windows PE dependencies, resolved the way the bundle will load them: the
//! executable's DLL imports (goblin), found next to the executable, in the
//! build scripts' link directories (where a cross-built program's own DLLs
//! are), then in MinGW's runtime directories; breadth-first, each DLL's own
//! imports too. DLLs that come with Windows (`templates/windows-system-dlls.txt`:
//! KnownDLLs, `api-ms-win-*`/`ext-ms-*` API sets, the system's own) are never
//! looked for. Names compare without regard to case, as Windows does.

use super::Error;
use super::policy;
use super::resolve::{Library, Resolution, Via};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Whether `path` starts like a PE file (`MZ`).
pub fn is_pe(path: &Path) -> Result<bool, Error> {
    Ok(super::head::<2>(path)? == Some(*b"MZ"))
}

/// The machine and the imported DLL names of a PE file.
fn imports(path: &Path) -> Result<(u16, Vec<String>), Error> {
    let bytes = fs_err::read(path).map_err(Error::Io)?;
    let pe = goblin::pe::PE::parse(&bytes)
        .map_err(|e| Error::NotLoadable { path: path.to_path_buf(), reason: format!("a malformed PE file ({e})") })?;
    Ok((pe.header.coff_header.machine, pe.libraries.iter().map(std::string::ToString::to_string).collect()))
}

/// Resolves every non-system DLL `exe` loads; system DLLs are not listed,
/// unknown ones are `missing` with the file that imports them.
pub fn resolve(exe: &Path, search_dirs: &[PathBuf]) -> Result<Resolution, Error> {
    let (machine, first) = imports(exe)?;
    let mut dirs: Vec<(PathBuf, Via)> = exe.parent().map(|d| (d.to_path_buf(), Via::ExeDir)).into_iter().collect();
    dirs.extend(search_dirs.iter().map(|d| (d.clone(), Via::SearchDir)));
    dirs.extend(mingw_runtime_dirs().into_iter().map(|d| (d, Via::MingwRuntime)));
    let mut listing = Listing::default();
    let mut out = Resolution::default();
    let mut queue = vec![(exe.to_path_buf(), first)];
    while let Some((needer, names)) = queue.pop() {
        for name in names {
            let known = out.libraries.iter_mut().find(|l| l.name.eq_ignore_ascii_case(&name));
            if let Some(known) = known {
                known.needed_by.push(needer.clone());
                continue;
            }
            if policy::windows_system(&name) || out.missing.iter().any(|(m, _)| m.eq_ignore_ascii_case(&name)) {
                continue;
            }
            match find(&name, &dirs, machine, &mut listing)? {
                Some((path, via, deps)) => {
                    let real = fs_err::canonicalize(&path).map_err(Error::Io)?;
                    queue.insert(0, (path.clone(), deps));
                    let needed_by = vec![needer.clone()];
                    out.libraries.push(Library { name, soname: None, path, real, via, needed_by });
                }
                None => out.missing.push((name, needer.clone())),
            }
        }
    }
    Ok(out)
}

/// The first directory holding a DLL of that name (any case) built for the
/// same machine, with its imports.
fn find(
    name: &str,
    dirs: &[(PathBuf, Via)],
    machine: u16,
    listing: &mut Listing,
) -> Result<Option<(PathBuf, Via, Vec<String>)>, Error> {
    for (dir, via) in dirs {
        let Some(path) = listing.find(dir, name) else { continue };
        // A DLL of another machine (32-bit MinGW's) is skipped, as Windows would.
        if let Ok((found, deps)) = imports(&path)
            && found == machine
        {
            return Ok(Some((path, *via, deps)));
        }
    }
    Ok(None)
}

/// Where Debian's MinGW-w64 keeps its runtime DLLs (libgcc_s_seh-1.dll,
/// libstdc++-6.dll, libwinpthread-1.dll).
fn mingw_runtime_dirs() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from("/usr/x86_64-w64-mingw32/lib")];
    if let Ok(entries) = std::fs::read_dir("/usr/lib/gcc/x86_64-w64-mingw32") {
        let mut versions: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        versions.sort();
        out.extend(versions);
    }
    out
}

/// Directory listings by lower-cased name, each read once.
#[derive(Default)]
struct Listing {
    dirs: HashMap<PathBuf, HashMap<String, PathBuf>>,
}

impl Listing {
    fn find(&mut self, dir: &Path, name: &str) -> Option<PathBuf> {
        let entries = self.dirs.entry(dir.to_path_buf()).or_insert_with(|| {
            let Ok(read) = std::fs::read_dir(dir) else { return HashMap::new() };
            read.flatten().map(|e| (e.file_name().to_string_lossy().to_ascii_lowercase(), e.path())).collect()
        });
        entries.get(&name.to_ascii_lowercase()).cloned()
    }
}
