//! `[package.metadata.freeze.probe]`: how `cargo freeze check` runs each
//! binary under the probe. Keys for every binary at the top, and per binary
//! under `bin.NAME` (which win):
//!
//! ```toml
//! [package.metadata.freeze.probe]
//! cap = 256          # tasks
//! max-depth = 4
//! max-detached = 16
//! timeout = 5        # seconds
//! args = ["--help"]
//! env = { RUST_LOG = "off" }
//! [package.metadata.freeze.probe.bin.my-server]
//! skip = true        # e.g. a GUI: needs a display
//! ```

use super::Error;
use super::raw::RawProbeSettings;

/// Probe settings for one binary (or the defaults for all).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ProbeSettings {
    pub cap: Option<u32>,
    pub max_depth: Option<u32>,
    pub max_detached: Option<u32>,
    pub timeout: Option<f64>,
    pub args: Option<Vec<String>>,
    pub env: Option<Vec<(String, String)>>,
    pub skip: Option<bool>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub struct ProbeConfig {
    pub all: ProbeSettings,
    pub bins: Vec<(String, ProbeSettings)>,
}

impl ProbeConfig {
    /// The settings for binary `name`: its own table over the defaults.
    pub fn for_bin(&self, name: &str) -> ProbeSettings {
        let mut out = self.all.clone();
        if let Some((_, own)) = self.bins.iter().find(|(n, _)| n == name) {
            out.cap = own.cap.or(out.cap);
            out.max_depth = own.max_depth.or(out.max_depth);
            out.max_detached = own.max_detached.or(out.max_detached);
            out.timeout = own.timeout.or(out.timeout);
            out.args = own.args.clone().or(out.args);
            out.env = own.env.clone().or(out.env);
            out.skip = own.skip.or(out.skip);
        }
        out
    }
}

type Bad<'a> = &'a dyn Fn(&str, &str) -> Error;

/// The probe table, with the checks serde does not make.
pub(super) fn convert(mut raw: RawProbeSettings, bad: Bad<'_>) -> Result<ProbeConfig, Error> {
    let bins = raw.bin.take().unwrap_or_default();
    let all = settings(raw, "probe", bad)?;
    let mut config = ProbeConfig { all, bins: Vec::new() };
    for (name, own) in bins {
        let prefix = format!("probe.bin.{name}");
        if own.bin.is_some() {
            return Err(bad(&format!("{prefix}.bin"), "is not allowed: per-binary tables do not nest"));
        }
        config.bins.push((name, settings(own, &prefix, bad)?));
    }
    Ok(config)
}

fn settings(raw: RawProbeSettings, prefix: &str, bad: Bad<'_>) -> Result<ProbeSettings, Error> {
    let at_least = |value: Option<u32>, key: &str, min: u32| match value {
        Some(n) if n < min => Err(bad(&format!("{prefix}.{key}"), &format!("must be at least {min}"))),
        other => Ok(other),
    };
    if raw.timeout.is_some_and(|t| t.is_nan() || t <= 0.0) {
        return Err(bad(&format!("{prefix}.timeout"), "must be seconds > 0"));
    }
    Ok(ProbeSettings {
        cap: at_least(raw.cap, "cap", 1)?,
        max_depth: at_least(raw.max_depth, "max-depth", 2)?,
        max_detached: at_least(raw.max_detached, "max-detached", 2)?,
        timeout: raw.timeout,
        args: raw.args,
        env: raw.env.map(|env| env.into_iter().collect()),
        skip: raw.skip,
    })
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use serde_json::json;
    use std::path::PathBuf;

    #[test]
    fn per_binary_settings_win() {
        let value = json!({"probe": {"cap": 48, "args": ["a"], "bin": {"x": {"args": ["b"], "skip": true}}}});
        let config = Config::from_metadata(Some(&value), PathBuf::from("Cargo.toml")).unwrap();
        let x = config.probe.for_bin("x");
        assert_eq!((x.cap, x.args, x.skip), (Some(48), Some(vec!["b".to_string()]), Some(true)));
        assert_eq!(config.probe.for_bin("y").args, Some(vec!["a".to_string()]));
    }

    #[test]
    fn bad_probe_values_are_named() {
        let value = json!({"probe": {"bin": {"x": {"cap": 0}}}});
        let err = Config::from_metadata(Some(&value), PathBuf::from("Cargo.toml")).unwrap_err().to_string();
        assert!(err.contains("`probe.bin.x.cap`") && err.contains("at least 1"), "{err}");
        let value = json!({"probe": {"tiemout": 3}});
        let err = Config::from_metadata(Some(&value), PathBuf::from("Cargo.toml")).unwrap_err().to_string();
        assert!(err.contains("probe.tiemout"), "{err}");
    }
}
