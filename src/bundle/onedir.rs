//! The one-dir layout: `DIST/NAME/NAME` (the executable, run path
//! `$ORIGIN/lib`), `DIST/NAME/lib/` (every library the loader would find
//! outside the never-bundle policy, run path `$ORIGIN`), data and extra
//! binaries at their DEST. Assembled in a sibling directory and renamed
//! into place, so a failed run leaves an earlier bundle intact.

use super::data::{Extra, copy_into};
use super::elf::ElfInfo;
use super::patchelf::Patchelf;
use super::resolve::{SearchEnv, Via, resolve};
use super::strip::Strip;
use super::upx::{Outcome, Upx};
use super::{Error, policy};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Where the bundled executable finds its libraries.
pub const EXE_RUNPATH: &str = "$ORIGIN/lib";

#[derive(Clone, Debug, Default)]
pub struct OnedirOptions {
    pub binary: PathBuf,
    pub name: String,
    pub dist: PathBuf,
    pub data: Vec<Extra>,
    pub binaries: Vec<Extra>,
    pub exclude_lib: Vec<String>,
    /// Replace an existing bundle at `DIST/NAME`.
    pub clean: bool,
    /// Searched like `LD_LIBRARY_PATH` (build scripts' link directories).
    pub search_dirs: Vec<PathBuf>,
    /// Compress with UPX (after the run paths are set: a packed file can no
    /// longer be patched).
    pub upx: Option<UpxOptions>,
    /// Strip the bundle's executable and libraries (`--strip`).
    pub strip: bool,
}

#[derive(Clone, Debug, Default)]
pub struct UpxOptions {
    /// The directory holding `upx` (`--upx-dir`), else PATH.
    pub dir: Option<PathBuf>,
    pub args: Vec<String>,
    /// Shared libraries too (`--upx-libs`): packed `.so` files are known to
    /// crash when loaded on Linux, so they are left alone by default.
    pub libs: bool,
    /// Globs matched against the bundle-relative path (`--upx-exclude`).
    pub exclude: Vec<String>,
}

/// One file UPX was given.
#[derive(Clone, Debug, serde::Serialize)]
pub struct UpxRow {
    pub path: String,
    pub before: u64,
    pub after: u64,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Executable,
    Library,
    Binary,
    Data,
}

/// One file of the finished bundle.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BundleFile {
    /// Relative to the bundle's directory, `/`-separated.
    pub path: String,
    pub kind: FileKind,
    pub size: u64,
    pub sha256: String,
    /// Where it was copied from, and for libraries how the loader found it.
    pub source: PathBuf,
    pub via: Option<Via>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct BundleReport {
    pub dir: PathBuf,
    pub files: Vec<BundleFile>,
    /// Libraries the binary loads that stay on the host (policy).
    pub left_to_host: Vec<String>,
    /// An earlier bundle was replaced (`--clean`).
    pub replaced: bool,
    /// What UPX did to each file it was given (empty without UPX).
    pub upx: Vec<UpxRow>,
}

pub fn assemble(o: &OnedirOptions) -> Result<BundleReport, Error> {
    assemble_verified(o, None)
}

/// Like [`assemble`]; a compressed executable must also pass `verify`.
pub fn assemble_verified(o: &OnedirOptions, verify: Option<&super::Verify<'_>>) -> Result<BundleReport, Error> {
    let dest = o.dist.join(&o.name);
    if dest.exists() && !o.clean {
        return Err(Error::Exists { path: dest });
    }
    for extra in o.data.iter().chain(&o.binaries) {
        extra.check()?;
    }
    if super::macho::is_macho(&o.binary)? {
        return Err(macho_refusal(&o.binary));
    }
    // A Windows executable finds its DLLs next to itself: no run paths.
    let windows = super::pe::is_pe(&o.binary)?;
    let patchelf = if windows { None } else { Some(Patchelf::find()?) };
    let strip = o.strip.then(|| Strip::find(windows)).transpose()?;
    let upx = o.upx.as_ref().map(|u| Upx::find(u.dir.as_deref())).transpose()?;
    let res = if windows {
        super::pe::resolve(&o.binary, &o.search_dirs)?
    } else {
        let mut search: Vec<PathBuf> = std::env::var_os("LD_LIBRARY_PATH")
            .map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect())
            .unwrap_or_default();
        search.extend(o.search_dirs.iter().cloned());
        resolve(&o.binary, &SearchEnv::host(search))?
    };
    if !res.missing.is_empty() {
        let list: Vec<String> =
            res.missing.iter().map(|(name, by)| format!("{name} (needed by {})", by.display())).collect();
        return Err(Error::MissingLibraries { binary: o.binary.clone(), list: list.join("\n  ") });
    }
    fs_err::create_dir_all(&o.dist).map_err(Error::Io)?;
    let stage = o.dist.join(format!(".{}.partial-{}", o.name, std::process::id()));
    let _ = fs_err::remove_dir_all(&stage);
    let mut report = BundleReport {
        dir: dest.clone(),
        files: Vec::new(),
        left_to_host: Vec::new(),
        replaced: false,
        upx: Vec::new(),
    };
    let filled =
        fill(&stage, o, &res.libraries, patchelf.as_ref(), strip.as_ref(), &mut report).and_then(|()| {
            match (&upx, &o.upx) {
                (Some(upx), Some(options)) => compress(&stage, upx, options, verify, &mut report),
                _ => Ok(()),
            }
        });
    if let Err(err) = filled {
        let _ = fs_err::remove_dir_all(&stage);
        return Err(err);
    }
    report.replaced = place(&stage, &dest)?;
    Ok(report)
}

fn fill(
    stage: &Path,
    o: &OnedirOptions,
    libraries: &[super::resolve::Library],
    patchelf: Option<&Patchelf>,
    strip: Option<&Strip>,
    report: &mut BundleReport,
) -> Result<(), Error> {
    // ELF: `lib/` found through run paths; PE (no patchelf): beside the exe.
    let (exe, lib_dir) = match patchelf {
        Some(_) => (stage.join(&o.name), stage.join("lib")),
        None => (stage.join(exe_name(&o.name)), stage.to_path_buf()),
    };
    fs_err::create_dir_all(&lib_dir).map_err(Error::Io)?;
    fs_err::copy(&o.binary, &exe).map_err(Error::Io)?;
    if let Some(strip) = strip {
        strip.strip(&exe)?;
    }
    // Linked with the run path already (cargo freeze builds it so), or
    // patched: UPX cannot pack a patched executable, so patch only if needed.
    if let Some(patchelf) = patchelf
        && !ElfInfo::read(&exe)?.runpath.iter().any(|p| p == EXE_RUNPATH)
    {
        patchelf.set_runpath(&exe, EXE_RUNPATH)?;
    }
    record(report, stage, &exe, FileKind::Executable, &o.binary, None)?;
    for lib in libraries {
        if policy::excluded(&lib.name, &o.exclude_lib) {
            report.left_to_host.push(lib.name.clone());
            continue;
        }
        let copy = lib_dir.join(&lib.name);
        fs_err::copy(&lib.real, &copy).map_err(Error::Io)?;
        if let Some(strip) = strip {
            strip.strip(&copy)?;
        }
        if let Some(patchelf) = patchelf {
            patchelf.set_runpath(&copy, "$ORIGIN")?;
        }
        record(report, stage, &copy, FileKind::Library, &lib.real, Some(lib.via))?;
    }
    for (extras, kind) in [(&o.binaries, FileKind::Binary), (&o.data, FileKind::Data)] {
        for extra in extras.iter() {
            for file in copy_into(&extra.src, &stage.join(&extra.dest))? {
                record(report, stage, &file, kind, &extra.src, None)?;
            }
        }
    }
    Ok(())
}

/// UPX over the files it should see; sizes and hashes in the report follow.
fn compress(
    stage: &Path,
    upx: &Upx,
    options: &UpxOptions,
    verify: Option<&super::Verify<'_>>,
    report: &mut BundleReport,
) -> Result<(), Error> {
    let args: Vec<String> = if options.args.is_empty() {
        crate::bundle::upx::DEFAULT_ARGS.iter().map(|a| a.to_string()).collect()
    } else {
        options.args.clone()
    };
    for file in &mut report.files {
        let wanted = match file.kind {
            FileKind::Executable | FileKind::Binary => true,
            FileKind::Library => options.libs,
            FileKind::Data => false,
        };
        if !wanted || options.exclude.iter().any(|g| policy::matches(g, &file.path)) {
            continue;
        }
        let path = stage.join(&file.path);
        let before = file.size;
        let check = if file.kind == FileKind::Executable { verify } else { None };
        let outcome = upx.compress(&path, &args, check)?;
        let bytes = fs_err::read(&path).map_err(Error::Io)?;
        file.size = bytes.len() as u64;
        file.sha256 = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        report.upx.push(UpxRow { path: file.path.clone(), before, after: file.size, outcome });
    }
    Ok(())
}

/// Why a Mach-O binary is not bundled, with what it would need.
fn macho_refusal(binary: &Path) -> Error {
    let libraries = match super::macho::resolve(binary) {
        Ok(res) => {
            let found = res.libraries.iter().map(|l| format!("  {} -> {}", l.name, l.path.display()));
            let missing = res.missing.iter().map(|(n, by)| format!("  {n}: not found (needed by {})", by.display()));
            let lines: Vec<String> = found.chain(missing).collect();
            if lines.is_empty() { "  (no libraries beyond the system's)".to_string() } else { lines.join("\n") }
        }
        Err(err) => format!("  (its load commands could not be read: {err})"),
    };
    Error::MachO { path: binary.to_path_buf(), libraries }
}

/// A Windows program's file name: `NAME.exe`.
pub fn exe_name(name: &str) -> String {
    if name.to_ascii_lowercase().ends_with(".exe") { name.to_string() } else { format!("{name}.exe") }
}

fn record(
    report: &mut BundleReport,
    stage: &Path,
    file: &Path,
    kind: FileKind,
    source: &Path,
    via: Option<Via>,
) -> Result<(), Error> {
    let bytes = fs_err::read(file).map_err(Error::Io)?;
    let rel = file.strip_prefix(stage).unwrap_or(file).to_string_lossy().replace('\\', "/");
    let sha256 = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    report.files.push(BundleFile {
        path: rel,
        kind,
        size: bytes.len() as u64,
        sha256,
        source: source.to_path_buf(),
        via,
    });
    Ok(())
}

/// Renames the finished `stage` to `dest`, replacing an existing bundle
/// (moved aside first, removed last); returns whether one was replaced.
fn place(stage: &Path, dest: &Path) -> Result<bool, Error> {
    if !dest.exists() {
        fs_err::rename(stage, dest).map_err(Error::Io)?;
        return Ok(false);
    }
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let old = dest.with_file_name(format!(".{name}.old-{}", std::process::id()));
    fs_err::rename(dest, &old).map_err(Error::Io)?;
    if let Err(err) = fs_err::rename(stage, dest) {
        let _ = fs_err::rename(&old, dest);
        let _ = fs_err::remove_dir_all(stage);
        return Err(Error::Io(err));
    }
    fs_err::remove_dir_all(&old).map_err(Error::Io)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::macho::tests::{LC_LOAD_DYLIB, macho};

    /// A Mach-O is refused by name, with the libraries it would need, and
    /// nothing is written.
    #[test]
    fn a_macho_binary_is_refused_with_its_libraries() {
        let dir = tempfile::tempdir().unwrap();
        let exe = dir.path().join("app");
        std::fs::write(&exe, macho(2, &[(LC_LOAD_DYLIB, "@executable_path/libfoo.dylib")])).unwrap();
        std::fs::write(dir.path().join("libfoo.dylib"), macho(6, &[])).unwrap();
        let options = OnedirOptions {
            binary: exe.clone(),
            name: "app".into(),
            dist: dir.path().join("dist"),
            ..OnedirOptions::default()
        };
        let err = assemble(&options).unwrap_err().to_string();
        assert!(err.contains("is a Mach-O (macOS) binary"), "{err}");
        assert!(err.contains("@executable_path/libfoo.dylib -> "), "{err}");
        assert!(!dir.path().join("dist").exists());
    }
}
