//! The settings of a bundle run: flags over `[package.metadata.freeze]` (a
//! flag given wins; paths from the manifest are relative to the package's
//! directory), the build profile (release unless `--dev`/`--profile`), and
//! the default output per mode: `target/freeze/onedir/NAME/` and
//! `target/freeze/onefile/NAME`, so the two bundles of one binary never
//! meet and `--clean` only ever replaces the kind being built.

use super::bundle::BundleArgs;
use crate::bundle::data::Extra;
use crate::bundle::onedir::{OnedirOptions, UpxOptions};
use crate::cargo::{self, Profile};
use crate::config::{Config, UpxConfig};
use crate::error::Error;
use std::path::{Path, PathBuf};

pub(crate) struct Settings {
    name: Option<String>,
    dist: Option<PathBuf>,
    data: Vec<Extra>,
    binaries: Vec<Extra>,
    exclude_lib: Vec<String>,
    pub(crate) clean: bool,
    pub(crate) runtime_dir: Option<String>,
    pub(crate) upx: Option<UpxOptions>,
    pub(crate) strip: bool,
}

/// `--onedir` or `--onefile`: names the default output folder.
pub(crate) fn mode(args: &BundleArgs) -> &'static str {
    if args.onefile { "onefile" } else { "onedir" }
}

/// Release unless `--dev` or `--profile NAME` says otherwise (`--release`
/// is accepted and changes nothing).
pub(crate) fn profile(args: &BundleArgs) -> Profile {
    match (args.dev, args.cargo.profile.as_deref()) {
        (true, _) => Profile::Dev,
        (false, Some(name)) => Profile::Named(name.to_string()),
        (false, None) => Profile::Release,
    }
}

impl Settings {
    /// Checks every `--add-data`/`--add-binary` source exists.
    pub(crate) fn check_sources(&self) -> Result<(), Error> {
        for extra in self.data.iter().chain(&self.binaries) {
            extra.check()?;
        }
        Ok(())
    }

    /// The bundle's name (the binary's unless set).
    pub(crate) fn name(&self, bin: &str) -> String {
        self.name.clone().unwrap_or_else(|| bin.to_string())
    }

    /// The output folder: as set, else `target/freeze/MODE` under `root`.
    pub(crate) fn dist(&self, root: &Path, mode: &str) -> PathBuf {
        self.dist.clone().unwrap_or_else(|| root.join("target/freeze").join(mode))
    }

    pub(crate) fn into_options(self, bin: &str, artifact: &cargo::Artifact, dist: PathBuf) -> OnedirOptions {
        OnedirOptions {
            binary: artifact.executable.clone(),
            name: self.name(bin),
            dist,
            data: self.data,
            binaries: self.binaries,
            exclude_lib: self.exclude_lib,
            clean: self.clean,
            search_dirs: artifact.link_dirs.clone(),
            upx: self.upx,
            strip: self.strip,
        }
    }

    pub(crate) fn merge(args: &BundleArgs, full: &Config, package_dir: &Path) -> Result<Settings, Error> {
        let config = &full.bundle;
        let extras = |flags: &[String], keys: &[String]| -> Result<Vec<Extra>, Error> {
            if !flags.is_empty() {
                return flags.iter().map(|s| Extra::parse(s).map_err(Error::from)).collect();
            }
            keys.iter()
                .map(|s| {
                    Extra::parse(s).map(|e| Extra { src: package_dir.join(&e.src), dest: e.dest }).map_err(Error::from)
                })
                .collect()
        };
        let mut exclude_lib = config.exclude_lib.clone();
        exclude_lib.extend(args.exclude_lib.iter().cloned());
        Ok(Settings {
            name: args.name.clone().or_else(|| config.name.clone()),
            dist: args.dist.clone().or_else(|| config.dist.as_ref().map(|d| package_dir.join(d))),
            data: extras(&args.add_data, &config.add_data)?,
            binaries: extras(&args.add_binary, &config.add_binary)?,
            exclude_lib,
            clean: args.clean || config.clean == Some(true),
            runtime_dir: args.runtime_dir.clone().or_else(|| config.runtime_dir.clone()),
            upx: upx_options(args, &full.upx, package_dir),
            strip: args.strip || config.strip == Some(true),
        })
    }
}

/// `--upx`/`--upx-dir` and friends over the `upx*` keys; `--noupx` wins.
fn upx_options(args: &BundleArgs, config: &UpxConfig, package_dir: &Path) -> Option<UpxOptions> {
    let dir = args.upx_dir.clone().or_else(|| config.dir.as_ref().map(|d| package_dir.join(d)));
    let wanted = args.upx || dir.is_some() || config.enabled == Some(true);
    if args.noupx || !wanted {
        return None;
    }
    let upx_args = args.upx_args.as_deref().or(config.args.as_deref());
    let mut exclude = config.exclude.clone();
    exclude.extend(args.upx_exclude.iter().cloned());
    Some(UpxOptions {
        dir,
        args: upx_args.map(|a| a.split_whitespace().map(str::to_string).collect()).unwrap_or_default(),
        libs: args.upx_libs || config.libs == Some(true),
        exclude,
    })
}
