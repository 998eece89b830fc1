//! Finding an executable's shared libraries the way the glibc loader does,
//! breadth-first from the executable: a `DT_NEEDED` name with a `/` is a
//! path; otherwise `DT_RPATH` of the requesting object and then of each
//! object that loaded it, up to the executable (skipped when the object has
//! `DT_RUNPATH`), `LD_LIBRARY_PATH`, the object's own `DT_RUNPATH`,
//! `/etc/ld.so.cache`, then the default directories. `$ORIGIN`, `$LIB`
//! and `$PLATFORM` are expanded; a candidate must match the class and
//! machine of the executable; a name already loaded (by name or soname) or
//! a file already loaded (by real path) is not loaded again.

use super::Error;
use super::elf::ElfInfo;
use super::ldcache::{self, CacheEntry};
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

/// Where the loader looks, besides each object's own paths.
#[derive(Clone, Debug, Default)]
pub struct SearchEnv {
    pub ld_library_path: Vec<PathBuf>,
    pub cache: Vec<CacheEntry>,
    pub default_dirs: Vec<PathBuf>,
    /// What `$PLATFORM` and `$LIB` expand to.
    pub platform: String,
    pub lib: String,
    /// Objects already read (a library shared by many executables is
    /// parsed once per environment).
    pub read: std::cell::RefCell<HashMap<PathBuf, Option<ElfInfo>>>,
}

impl SearchEnv {
    /// This host's loader configuration (x86-64 Debian-style multiarch
    /// directories, else the classic ones), with `ld_library_path`.
    pub fn host(ld_library_path: Vec<PathBuf>) -> SearchEnv {
        let multiarch = format!("{}-linux-gnu", std::env::consts::ARCH);
        let default_dirs: Vec<PathBuf> =
            [format!("/lib/{multiarch}"), format!("/usr/lib/{multiarch}"), "/lib64".into(), "/usr/lib64".into()]
                .into_iter()
                .chain(["/lib".to_string(), "/usr/lib".to_string()])
                .map(PathBuf::from)
                .filter(|d| d.is_dir())
                .collect();
        let lib = if Path::new("/lib").join(&multiarch).is_dir() { format!("lib/{multiarch}") } else { "lib64".into() };
        SearchEnv {
            ld_library_path,
            cache: ldcache::read(Path::new("/etc/ld.so.cache")),
            default_dirs,
            platform: std::env::consts::ARCH.to_string(),
            lib,
            read: Default::default(),
        }
    }
}

/// How a library was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Via {
    Path,
    Rpath,
    LdLibraryPath,
    Runpath,
    LdSoCache,
    DefaultDir,
    /// Windows: next to the executable.
    ExeDir,
    /// Windows: a build script's link directory.
    SearchDir,
    /// Windows: MinGW's runtime directory.
    MingwRuntime,
    /// macOS: `@loader_path/...`.
    LoaderPath,
    /// macOS: `@executable_path/...`.
    ExecutablePath,
}

/// A library the executable loads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Library {
    /// The `DT_NEEDED` name first asked for, and the library's `DT_SONAME`.
    pub name: String,
    pub soname: Option<String>,
    /// Where the loader finds it, and the file behind any symlinks.
    pub path: PathBuf,
    pub real: PathBuf,
    pub via: Via,
    /// The objects that ask for it.
    pub needed_by: Vec<PathBuf>,
}

#[derive(Clone, Debug, Default)]
pub struct Resolution {
    /// In the loader's (breadth-first) order.
    pub libraries: Vec<Library>,
    /// (name, the object that needs it) for every name not found.
    pub missing: Vec<(String, PathBuf)>,
    pub interpreter: Option<String>,
}

/// An object in the queue: its path, its facts, and the `DT_RPATH`s of
/// it and its loaders (with each one's `$ORIGIN`), nearest first.
struct Pending {
    path: PathBuf,
    info: ElfInfo,
    rpaths: Vec<(Vec<String>, PathBuf)>,
}

pub fn resolve(exe: &Path, env: &SearchEnv) -> Result<Resolution, Error> {
    let info = ElfInfo::read(exe)?;
    // The loader takes the executable's $ORIGIN from /proc/self/exe: the
    // real path.
    let real_exe = fs_err::canonicalize(exe).map_err(Error::Io)?;
    let origin = real_exe.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut out = Resolution { interpreter: info.interpreter.clone(), ..Resolution::default() };
    let top = info.clone();
    let rpaths = vec![(info.rpath.clone(), origin)];
    let mut queue = VecDeque::from([Pending { path: exe.to_path_buf(), info, rpaths }]);
    let mut by_real: HashMap<PathBuf, usize> = HashMap::new();
    // The dynamic loader is loaded before anything else: a DT_NEEDED of it
    // (libc has one) is already satisfied and is not a library to find.
    let loader = loader_names(top.interpreter.as_deref());
    while let Some(obj) = queue.pop_front() {
        for name in &obj.info.needed {
            if loader.iter().any(|l| l == name) {
                continue;
            }
            let loaded = out.libraries.iter().position(|l| l.name == *name || l.soname.as_ref() == Some(name));
            if let Some(i) = loaded {
                push_unique(&mut out.libraries[i].needed_by, &obj.path);
                continue;
            }
            let Some((path, found, via)) = find(name, &obj, &top, env) else {
                out.missing.push((name.clone(), obj.path.clone()));
                continue;
            };
            let real = path.canonicalize().unwrap_or_else(|_| path.clone());
            if let Some(&i) = by_real.get(&real) {
                push_unique(&mut out.libraries[i].needed_by, &obj.path);
                continue;
            }
            by_real.insert(real.clone(), out.libraries.len());
            let origin = path.parent().map(Path::to_path_buf).unwrap_or_default();
            let mut rpaths = vec![(found.rpath.clone(), origin)];
            rpaths.extend(obj.rpaths.iter().cloned());
            out.libraries.push(Library {
                name: name.clone(),
                soname: found.soname.clone(),
                path: path.clone(),
                real,
                via,
                needed_by: vec![obj.path.clone()],
            });
            queue.push_back(Pending { path, info: found, rpaths });
        }
    }
    Ok(out)
}

/// Names the loader itself answers to: its file name and soname. An object
/// without `PT_INTERP` (a shared library) is loaded by the host's loader,
/// the one this program runs under.
fn loader_names(interpreter: Option<&str>) -> Vec<String> {
    let path = match interpreter {
        Some(p) => PathBuf::from(p),
        None => match ElfInfo::read(Path::new("/proc/self/exe")).ok().and_then(|i| i.interpreter) {
            Some(p) => PathBuf::from(p),
            None => return Vec::new(),
        },
    };
    let mut names: Vec<String> = path.file_name().map(|n| n.to_string_lossy().into_owned()).into_iter().collect();
    names.extend(ElfInfo::read(&path).ok().and_then(|i| i.soname));
    names
}

/// The search for one `DT_NEEDED` name of `obj`, in the loader's order.
fn find(name: &str, obj: &Pending, top: &ElfInfo, env: &SearchEnv) -> Option<(PathBuf, ElfInfo, Via)> {
    let origin = &obj.rpaths[0].1;
    if name.contains('/') {
        let path = PathBuf::from(expand(name, origin, env));
        return load(&path, top, env).map(|info| (path, info, Via::Path));
    }
    let try_dirs = |dirs: Vec<PathBuf>, via: Via| {
        dirs.into_iter().find_map(|dir| {
            let path = dir.join(name);
            load(&path, top, env).map(|info| (path, info, via))
        })
    };
    let rpath_dirs = obj.info.runpath.is_empty().then(|| {
        obj.rpaths
            .iter()
            .flat_map(|(list, o)| list.iter().map(|d| PathBuf::from(expand(d, o, env))))
            .collect::<Vec<_>>()
    });
    let runpath: Vec<PathBuf> = obj.info.runpath.iter().map(|d| PathBuf::from(expand(d, origin, env))).collect();
    let arch = ldcache::arch_flags(top.is_64, top.machine);
    try_dirs(rpath_dirs.unwrap_or_default(), Via::Rpath)
        .or_else(|| try_dirs(env.ld_library_path.clone(), Via::LdLibraryPath))
        .or_else(|| try_dirs(runpath, Via::Runpath))
        .or_else(|| {
            env.cache
                .iter()
                .filter(|e| e.soname == name && e.fits(arch))
                .find_map(|e| load(&e.path, top, env).map(|info| (e.path.clone(), info, Via::LdSoCache)))
        })
        .or_else(|| try_dirs(env.default_dirs.clone(), Via::DefaultDir))
}

/// A compatible ELF object at `path`, or nothing (missing, not ELF, other
/// class or machine: the loader skips those and searches on).
fn load(path: &Path, top: &ElfInfo, env: &SearchEnv) -> Option<ElfInfo> {
    if let Some(known) = env.read.borrow().get(path) {
        return known.clone().filter(|info| top.compatible(info));
    }
    let info = if path.is_file() { ElfInfo::read(path).ok() } else { None };
    env.read.borrow_mut().insert(path.to_path_buf(), info.clone());
    info.filter(|info| top.compatible(info))
}

/// `$ORIGIN`, `$LIB`, `$PLATFORM` (also in `${...}` form).
fn expand(entry: &str, origin: &Path, env: &SearchEnv) -> String {
    let origin = origin.to_string_lossy();
    let mut out = entry.to_string();
    for (token, value) in [("ORIGIN", origin.as_ref()), ("LIB", env.lib.as_str()), ("PLATFORM", env.platform.as_str())]
    {
        out = out.replace(&format!("${{{token}}}"), value).replace(&format!("${token}"), value);
    }
    out
}

fn push_unique(list: &mut Vec<PathBuf>, path: &Path) {
    if !list.iter().any(|p| p == path) {
        list.push(path.to_path_buf());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expand() {
        let env = SearchEnv { platform: "x86_64".into(), lib: "lib64".into(), ..SearchEnv::default() };
        let got = expand("$ORIGIN/../${LIB}/$PLATFORM", Path::new("/opt/app/bin"), &env);
        assert_eq!(got, "/opt/app/bin/../lib64/x86_64");
    }

    #[test]
    fn this_test_binary_needs_libc() {
        let env = SearchEnv::host(Vec::new());
        let res = resolve(&std::env::current_exe().unwrap(), &env).unwrap();
        assert!(res.missing.is_empty(), "{:?}", res.missing);
        assert!(res.libraries.iter().any(|l| l.name == "libc.so.6"), "{:?}", res.libraries);
    }
}
