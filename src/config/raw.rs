//! The table as written, deserialized with serde: every key of
//! `[package.metadata.freeze]` in kebab-case, unknown keys refused at every
//! level (`deny_unknown_fields`), so a typo never silently turns a setting
//! off. `mod.rs` turns it into the typed [`Config`](super::Config); the
//! value checks serde cannot express (a cap of at least 1, a known
//! diagnostic code) happen there.

use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawConfig {
    #[serde(default)]
    pub lints: BTreeMap<String, String>,
    #[serde(default)]
    pub guards: Vec<String>,
    #[serde(default)]
    pub probe: RawProbeSettings,
    pub name: Option<String>,
    pub dist: Option<String>,
    #[serde(default)]
    pub add_data: Vec<String>,
    #[serde(default)]
    pub add_binary: Vec<String>,
    #[serde(default)]
    pub exclude_lib: Vec<String>,
    pub clean: Option<bool>,
    pub strip: Option<bool>,
    pub runtime_dir: Option<String>,
    pub upx: Option<bool>,
    pub upx_dir: Option<String>,
    pub upx_args: Option<String>,
    #[serde(default)]
    pub upx_exclude: Vec<String>,
    pub upx_libs: Option<bool>,
}

/// `[package.metadata.freeze.probe]`: the settings for every binary, and
/// per binary under `bin.NAME`, whose tables take the same keys but `bin`
/// (refused there when converted).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawProbeSettings {
    pub cap: Option<u32>,
    pub max_depth: Option<u32>,
    pub max_detached: Option<u32>,
    pub timeout: Option<f64>,
    pub args: Option<Vec<String>>,
    pub env: Option<BTreeMap<String, String>>,
    pub skip: Option<bool>,
    pub bin: Option<BTreeMap<String, RawProbeSettings>>,
}
