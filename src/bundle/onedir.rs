//! The one-dir layout: `DIST/NAME/NAME` (the executable, run path
//! `$ORIGIN/lib`), `DIST/NAME/lib/` (every library the loader would find
//! outside the never-bundle policy, found through the executable's run
//! path: [`super::runpath`]), data and extra binaries at their DEST.
//! macOS is laid out alike (`@executable_path/lib`, install names through
//! `@rpath`: [`super::install_name`]); Windows puts DLLs beside `NAME.exe`.
//! Assembled in a stage beside the destination and renamed into place
//! ([`super::stage`]), so a failed run leaves an earlier bundle intact.

use super::data::{Extra, copy_into};
use super::macho_sign::Signature;
use super::resolve::{Library, SearchEnv, Via, resolve};
use super::stage::Stage;
use super::strip::Strip;
use super::upx::{Check, DEFAULT_ARGS, DEFAULT_LIB_ARGS, Outcome, Upx};
use super::{Error, policy, runpath};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Default)]
pub struct OnedirOptions {
    pub binary: PathBuf,
    pub name: String,
    pub dist: PathBuf,
    pub data: Vec<Extra>,
    pub binaries: Vec<Extra>,
    pub exclude_lib: Vec<String>,
    /// Replace an existing one-dir bundle at `DIST/NAME`.
    pub clean: bool,
    /// Searched like `LD_LIBRARY_PATH` (build scripts' link directories).
    pub search_dirs: Vec<PathBuf>,
    /// Compress with UPX (after the run paths are set: a packed file can no
    /// longer be edited).
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
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct UpxRow {
    pub path: String,
    pub before: u64,
    pub after: u64,
    #[serde(flatten)]
    pub outcome: Outcome,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Executable,
    Library,
    Binary,
    Data,
}

/// One file of the finished bundle.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct BundleFile {
    /// Relative to the bundle's directory, `/`-separated.
    pub path: String,
    pub kind: FileKind,
    pub size: u64,
    pub sha256: String,
    /// Where it was copied from, and for libraries how the loader found it.
    pub source: PathBuf,
    pub via: Option<Via>,
    /// macOS: the code signature of the file as bundled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
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
    check_destination(&dest, &o.name, o.clean)?;
    for extra in o.data.iter().chain(&o.binaries) {
        extra.check()?;
    }
    let format = Format::of(&o.binary)?;
    if format == Format::MachO {
        super::preflight::macho(o.strip, o.upx.is_some())?;
    }
    let strip = o.strip.then(|| Strip::find(format == Format::Pe)).transpose()?;
    let upx = o.upx.as_ref().map(|u| Upx::find(u.dir.as_deref())).transpose()?;
    let res = match format {
        Format::Pe => super::pe::resolve(&o.binary, &o.search_dirs)?,
        Format::MachO => super::macho::resolve(&o.binary, &o.search_dirs)?,
        Format::Elf => {
            let mut search: Vec<PathBuf> = std::env::var_os("LD_LIBRARY_PATH")
                .map(|v| std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect())
                .unwrap_or_default();
            search.extend(o.search_dirs.iter().cloned());
            resolve(&o.binary, &SearchEnv::host(search))?
        }
    };
    if !res.missing.is_empty() {
        let list: Vec<String> =
            res.missing.iter().map(|(name, by)| format!("{name} (needed by {})", by.display())).collect();
        return Err(Error::MissingLibraries { binary: o.binary.clone(), list: list.join("\n  ") });
    }
    let stage = Stage::new(&o.dist, &o.name)?;
    let mut report = BundleReport {
        dir: dest.clone(),
        files: Vec::new(),
        left_to_host: Vec::new(),
        replaced: false,
        upx: Vec::new(),
    };
    fill(stage.root(), o, &res.libraries, format, strip.as_ref(), &mut report)?;
    if let (Some(upx), Some(options)) = (&upx, &o.upx) {
        compress(stage.root(), upx, options, verify, &mut report)?;
    }
    report.replaced = stage.place(&dest)?;
    Ok(report)
}

/// An existing `dest` is replaced only with `--clean`, and only when it is
/// a one-dir bundle of `name` (a directory holding the program): never a
/// one-file, or a directory that is something else.
pub fn check_destination(dest: &Path, name: &str, clean: bool) -> Result<(), Error> {
    if dest.symlink_metadata().is_err() {
        return Ok(());
    }
    if !clean {
        return Err(Error::Exists { path: dest.to_path_buf() });
    }
    let bundle = dest.is_dir() && (dest.join(name).is_file() || dest.join(exe_name(name)).is_file());
    match bundle {
        true => Ok(()),
        false => Err(Error::NotABundle { path: dest.to_path_buf(), kind: "one-dir" }),
    }
}

/// The executable format of the binary a bundle is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Elf,
    /// Windows: DLLs next to the exe, no run paths.
    Pe,
    MachO,
}

impl Format {
    fn of(binary: &Path) -> Result<Format, Error> {
        if super::pe::is_pe(binary)? {
            Ok(Format::Pe)
        } else if super::macho::is_macho(binary)? {
            Ok(Format::MachO)
        } else {
            Ok(Format::Elf)
        }
    }
}

/// Copies the executable, the libraries (ELF and Mach-O: into `lib/`,
/// found through the executable's run path; PE: beside the exe) and the
/// extras.
fn fill(
    stage: &Path,
    o: &OnedirOptions,
    libraries: &[Library],
    format: Format,
    strip: Option<&Strip>,
    report: &mut BundleReport,
) -> Result<(), Error> {
    let (exe, lib_dir) = match format {
        Format::Elf | Format::MachO => (stage.join(&o.name), stage.join("lib")),
        Format::Pe => (stage.join(exe_name(&o.name)), stage.to_path_buf()),
    };
    fs_err::create_dir_all(&lib_dir).map_err(Error::Io)?;
    copy(&o.binary, &exe, strip)?;
    let mut copied = Vec::new();
    for lib in libraries {
        if policy::excluded(&lib.name, &o.exclude_lib) {
            report.left_to_host.push(lib.name.clone());
            continue;
        }
        let name = runpath::file_name(&lib.name).to_string();
        if copied.iter().any(|(n, _)| *n == name) {
            return Err(Error::SameFileName { name, binary: o.binary.clone() });
        }
        copy(&lib.real, &lib_dir.join(&name), strip)?;
        copied.push((name, lib));
    }
    let names: Vec<String> = copied.iter().map(|(n, _)| n.clone()).collect();
    let signatures = match format {
        Format::Elf => {
            for name in &names {
                runpath::library(&lib_dir.join(name), &names)?;
            }
            runpath::executable(&exe, &names)?;
            if !names.is_empty() {
                runpath::verify(&exe, &lib_dir, &names)?;
            }
            vec![None; names.len() + 1]
        }
        Format::MachO => super::install_name::apply(&exe, &lib_dir, &names)?.into_iter().map(Some).collect(),
        Format::Pe => vec![None; names.len() + 1],
    };
    record(report, stage, &exe, FileKind::Executable, &o.binary, None, signatures[0])?;
    for ((name, lib), signature) in copied.into_iter().zip(&signatures[1..]) {
        record(report, stage, &lib_dir.join(name), FileKind::Library, &lib.real, Some(lib.via), *signature)?;
    }
    for (extras, kind) in [(&o.binaries, FileKind::Binary), (&o.data, FileKind::Data)] {
        for extra in extras {
            for file in copy_into(&extra.src, &stage.join(&extra.dest))? {
                record(report, stage, &file, kind, &extra.src, None, None)?;
            }
        }
    }
    Ok(())
}

/// Copies `from` to `to` and strips the copy if asked.
fn copy(from: &Path, to: &Path, strip: Option<&Strip>) -> Result<(), Error> {
    fs_err::copy(from, to).map_err(Error::Io)?;
    match strip {
        Some(strip) => strip.strip(to),
        None => Ok(()),
    }
}

/// UPX over the files it should see; sizes and hashes in the report
/// follow. With `verify`, the executable is run before anything is
/// compressed and again after each compressed file it loads (itself, then
/// each library): a file after which it ends differently is put back. UPX
/// 4.2's packed shared libraries crash at load on current glibc (SIGTRAP
/// here), and only running the program shows it.
fn compress(
    stage: &Path,
    upx: &Upx,
    options: &UpxOptions,
    verify: Option<&super::Verify<'_>>,
    report: &mut BundleReport,
) -> Result<(), Error> {
    let args = |defaults: &[&str]| -> Vec<String> {
        match options.args.is_empty() {
            true => defaults.iter().map(std::string::ToString::to_string).collect(),
            false => options.args.clone(),
        }
    };
    let program = report.files.iter().find(|f| f.kind == FileKind::Executable).map(|f| f.path.clone());
    let exe = stage.join(program.clone().unwrap_or_default());
    let run = || verify.map_or_else(|| Err("no check".to_string()), |v| v(&exe));
    let baseline = verify.and_then(|_| run().ok());
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
        let loaded = matches!(file.kind, FileKind::Executable | FileKind::Library);
        let check = baseline.clone().filter(|_| loaded).map(|baseline| Check {
            program: program.clone().unwrap_or_default(),
            baseline,
            run: &run,
        });
        let args = args(if file.kind == FileKind::Library { DEFAULT_LIB_ARGS } else { DEFAULT_ARGS });
        let outcome = upx.compress(&path, &args, check.as_ref())?;
        let bytes = fs_err::read(&path).map_err(Error::Io)?;
        file.size = bytes.len() as u64;
        file.sha256 = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        report.upx.push(UpxRow { path: file.path.clone(), before, after: file.size, outcome });
    }
    Ok(())
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
    signature: Option<Signature>,
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
        signature,
    });
    Ok(())
}
