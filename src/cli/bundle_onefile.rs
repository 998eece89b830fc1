//! The one-file half of `cargo freeze --onefile`: the one-dir tree staged
//! in a temp dir beside the destination (removed on every way out), the
//! bootloader built for the target on first use (a step of its own in the
//! progress, ~15-20 s, then cached), the tree packed into the single file
//! `DIST/NAME` (`NAME.exe` for Windows), written atomically.

use crate::bundle::Verify;
use crate::bundle::onedir::{self, BundleReport, OnedirOptions};
use crate::bundle::onefile::{self, PackOptions, PackReport};
use crate::cargo;
use crate::error::Error;
use crate::report::Progress;
use std::path::{Path, PathBuf};

/// Nested launches of one bundle allowed before the bootloader's storm
/// fuse refuses (a guarded program's workers come back through it once).
const FUSE_LIMIT: u32 = 8;

/// What the one-file step needs to know about the run.
pub(crate) struct Target<'a> {
    /// The target triple (`--target`, else the host's).
    pub(crate) triple: &'a str,
    pub(crate) runtime_dir: Option<String>,
    /// Where the bootloader build is cached (`<target dir>/cargo-freeze`).
    pub(crate) cache: &'a Path,
}

/// The single file a one-file bundle of `name` is written to.
pub(crate) fn out_path(dist: &Path, name: &str, triple: &str) -> PathBuf {
    match triple.contains("-windows-") {
        true => dist.join(onedir::exe_name(name)),
        false => dist.join(name),
    }
}

/// Stages the tree, builds the bootloader if needed, packs.
pub(crate) fn make(
    options: &OnedirOptions,
    target: &Target<'_>,
    verify: Option<&Verify<'_>>,
    progress: &mut Progress,
) -> Result<(PackReport, BundleReport), Error> {
    let out = out_path(&options.dist, &options.name, target.triple);
    onefile::check_destination(&out, options.clean)?;
    fs_err::create_dir_all(&options.dist).map_err(|source| Error::Write { path: options.dist.clone(), source })?;
    // Beside the destination (a temp dir may be mounted noexec, and the
    // stage's program is run under the probe to check UPX's output).
    let stage = tempfile::Builder::new()
        .prefix(&format!(".{}.onefile.", options.name))
        .tempdir_in(&options.dist)
        .map_err(|source| Error::Write { path: options.dist.clone(), source })?;
    let staged = OnedirOptions { dist: stage.path().to_path_buf(), clean: false, ..options.clone() };
    let tree = onedir::assemble_verified(&staged, verify)?;
    let cached = onefile::bootloader_prerequisites(target.triple, target.cache)?;
    if !cached {
        let what = format!("the one-file bootloader for {} (first use; cached afterwards)", target.triple);
        progress.step("Building", &what);
        onefile::build_bootloader(target.triple, target.cache)?;
    }
    progress.step("Packing", &format!("{} behind the bootloader ({})", options.name, target.triple));
    let mut packed = onefile::pack(&PackOptions {
        tree_dir: stage.path().join(&options.name),
        name: options.name.clone(),
        target: target.triple.to_string(),
        runtime_dir: target.runtime_dir.clone(),
        fuse_limit: FUSE_LIMIT,
        cache_dir: target.cache.to_path_buf(),
        out,
        upx: options.upx.clone(),
    })?;
    packed.bootloader_cached = cached;
    Ok((packed, tree))
}

/// The host's target triple, from `rustc -vV`.
pub(crate) fn host_triple() -> Result<String, Error> {
    let version = cargo::rustc_version()?;
    Ok(version.lines().find_map(|l| l.strip_prefix("host: ")).unwrap_or("x86_64-unknown-linux-gnu").to_string())
}
