//! One-file bundles: a finished one-dir tree packed behind a small
//! bootloader that extracts it once into a content-addressed cache dir and
//! hands off to the program. The byte layout is documented in FORMAT.md.

mod bootloader;
pub mod cache;
mod format;
#[path = "../../../templates/bootloader/src/format.rs"]
pub mod layout;
mod payload;

pub use format::{Bundle, Entry, read_bundle};
use std::path::PathBuf;

/// What to pack and where.
#[derive(Clone, Debug)]
pub struct PackOptions {
    /// The finished one-dir tree (`DIR/NAME` or `DIR/NAME.exe` is the program).
    pub tree_dir: PathBuf,
    /// The program's name (without `.exe`).
    pub name: String,
    /// The target triple the bootloader is built for (the bundle's target).
    pub target: String,
    /// Extraction root with `{cache}`, `{tmp}`, `{name}`, `{hash}`; `None`
    /// means `{cache}/cargo-freeze/{name}-{hash}`.
    pub runtime_dir: Option<String>,
    /// Nested launches of the same bundle allowed before the storm fuse trips.
    pub fuse_limit: u32,
    /// Where the bootloader build is cached (a target dir or the user cache).
    pub cache_dir: PathBuf,
    /// The one-file to write (atomically).
    pub out: PathBuf,
    /// UPX for the bootloader too: it is compressed before the payload is
    /// appended (UPX drops data appended to an executable; a packed
    /// bootloader still reads its own trailer).
    pub upx: Option<crate::bundle::onedir::UpxOptions>,
}

/// What was written.
#[derive(Clone, Debug)]
pub struct PackReport {
    pub out: PathBuf,
    pub bootloader_size: u64,
    /// Whether the bootloader came from the cache (no cargo run).
    pub bootloader_cached: bool,
    pub entries: usize,
    pub unpacked_size: u64,
    pub payload_size: u64,
    pub total_size: u64,
    pub hash: String,
    /// What UPX did to the bootloader (with `upx`).
    pub bootloader_upx: Option<crate::bundle::onedir::UpxRow>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("failed to {action}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the tree {} has no program `{name}` (expected {name} or {name}.exe at its top); pass the one-dir output", dir.display())]
    NoProgram { dir: PathBuf, name: String },
    #[error("{} is not a cargo-freeze one-file: {reason}", path.display())]
    NotABundle { path: PathBuf, reason: String },
    #[error("{} is corrupted: {reason}; rebuild or download it again", path.display())]
    Corrupted { path: PathBuf, reason: String },
    #[error("entry `{name}` would be written outside the extraction dir; refusing to extract")]
    UnsafeEntry { name: String },
    #[error("failed to build the bootloader")]
    Bootloader(#[from] crate::cargo::Error),
    #[error("failed to compress the bootloader")]
    Upx(#[source] Box<crate::bundle::Error>),
    #[error(
        "building the one-file bootloader for {target} needs a C compiler (its zstd decoder is C), and `{looked}` was not found on PATH\nhelp: install one (Debian: `apt-get install gcc`; for Windows GNU: `gcc-mingw-w64-x86-64`), or set CC"
    )]
    NoCCompiler { target: String, looked: String },
    #[error(
        "no one-file cache here: XDG_CACHE_HOME is not set and HOME is unset or not a directory\nhelp: pass --dir DIR (the directory holding the NAME-HASH extractions)"
    )]
    NoCacheRoot,
}

impl Error {
    pub(crate) fn io(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> Error {
        let action = action.into();
        move |source| Error::Io { action, source }
    }
}

/// An existing one-file at `out` is replaced only with `--clean`, and a
/// directory there (a one-dir bundle, or anything else) never.
pub fn check_destination(out: &std::path::Path, clean: bool) -> Result<(), crate::bundle::Error> {
    match out.symlink_metadata() {
        Err(_) => Ok(()),
        Ok(_) if !clean => Err(crate::bundle::Error::Exists { path: out.to_path_buf() }),
        Ok(meta) if meta.is_dir() => {
            Err(crate::bundle::Error::NotABundle { path: out.to_path_buf(), kind: "one-file" })
        }
        Ok(_) => Ok(()),
    }
}

/// Whether the bootloader for `target` is cached under `cache`; when it is
/// not, checks that it can be built (a C compiler for the target).
pub fn bootloader_prerequisites(target: &str, cache: &std::path::Path) -> Result<bool, Error> {
    bootloader::prerequisites(target, cache)
}

/// Builds (or finds) the bootloader for `target` under `cache`; returns
/// whether it was cached already.
pub fn build_bootloader(target: &str, cache: &std::path::Path) -> Result<bool, Error> {
    bootloader::ensure(target, cache).map(|built| built.cached)
}

/// Packs `options.tree_dir` into a one-file at `options.out`.
pub fn pack(options: &PackOptions) -> Result<PackReport, Error> {
    let entries = payload::collect(&options.tree_dir, &options.name)?;
    let boot = bootloader::ensure(&options.target, &options.cache_dir)?;
    let header = layout::header(&options.name, options.runtime_dir.as_deref().unwrap_or(""));
    let encoded = payload::encode(&entries)?;
    let (bytes, bootloader_upx) = bootloader_bytes(&boot.path, options.upx.as_ref())?;
    let report = format::write(&options.out, &bytes, &encoded, &header, options.fuse_limit)?;
    Ok(PackReport {
        out: options.out.clone(),
        bootloader_size: bytes.len() as u64,
        bootloader_cached: boot.cached,
        entries: entries.len(),
        unpacked_size: encoded.unpacked,
        payload_size: encoded.compressed.len() as u64,
        total_size: report.total,
        hash: report.hash,
        bootloader_upx,
    })
}

/// The bootloader's bytes, compressed by UPX in a scratch copy when asked.
fn bootloader_bytes(
    path: &std::path::Path,
    upx: Option<&crate::bundle::onedir::UpxOptions>,
) -> Result<(Vec<u8>, Option<crate::bundle::onedir::UpxRow>), Error> {
    let read = |p: &std::path::Path| fs_err::read(p).map_err(Error::io("read the bootloader"));
    let Some(options) = upx else { return Ok((read(path)?, None)) };
    let upx = crate::bundle::upx::Upx::find(options.dir.as_deref()).map_err(|e| Error::Upx(Box::new(e)))?;
    let scratch = tempfile::tempdir().map_err(Error::io("make a scratch dir for the bootloader"))?;
    let copy = scratch.path().join(path.file_name().unwrap_or_default());
    fs_err::copy(path, &copy).map_err(Error::io("copy the bootloader"))?;
    let args = if options.args.is_empty() {
        crate::bundle::upx::DEFAULT_ARGS.iter().map(std::string::ToString::to_string).collect()
    } else {
        options.args.clone()
    };
    let outcome = upx.compress(&copy, &args, None).map_err(|e| Error::Upx(Box::new(e)))?;
    let bytes = read(&copy)?;
    let before = fs_err::metadata(path).map_err(Error::io("read the bootloader"))?.len();
    let row =
        crate::bundle::onedir::UpxRow { path: "(bootloader)".to_string(), before, after: bytes.len() as u64, outcome };
    Ok((bytes, Some(row)))
}

/// Reads and verifies a one-file, optionally extracting it into `extract`.
pub fn inspect(path: &std::path::Path, extract: Option<&std::path::Path>) -> Result<Bundle, Error> {
    let bundle = read_bundle(path)?;
    if let Some(dir) = extract {
        payload::extract(&bundle.entries, dir)?;
    }
    Ok(bundle)
}
