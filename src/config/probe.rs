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
use serde_json::Value;
use std::path::Path;

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

const KEYS: &[&str] = &["cap", "max-depth", "max-detached", "timeout", "args", "env", "skip", "bin"];

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

pub(super) fn parse(value: &Value, manifest: &Path, bad: Bad<'_>) -> Result<ProbeConfig, Error> {
    let unknown = |key: &str| Error::UnknownKey {
        manifest: manifest.to_path_buf(),
        key: key.to_string(),
        hint: format!(" (known keys under probe: {})", KEYS.join(", ")),
    };
    let table = value.as_object().ok_or_else(|| bad("probe", "must be a table"))?;
    let mut config = ProbeConfig::default();
    for (key, value) in table {
        if key == "bin" {
            let bins = value.as_object().ok_or_else(|| bad("probe.bin", "must be a table of binary names"))?;
            for (name, settings) in bins {
                let prefix = format!("probe.bin.{name}");
                let table = settings.as_object().ok_or_else(|| bad(&prefix, "must be a table"))?;
                let mut own = ProbeSettings::default();
                for (key, value) in table {
                    setting(&mut own, key, value, &format!("{prefix}.{key}"), bad, &unknown)?;
                }
                config.bins.push((name.clone(), own));
            }
        } else {
            setting(&mut config.all, key, value, &format!("probe.{key}"), bad, &unknown)?;
        }
    }
    Ok(config)
}

fn setting(
    out: &mut ProbeSettings,
    key: &str,
    value: &Value,
    full: &str,
    bad: Bad<'_>,
    unknown: &dyn Fn(&str) -> Error,
) -> Result<(), Error> {
    let positive = || value.as_u64().filter(|n| *n >= 1 && *n <= u64::from(u32::MAX)).map(|n| n as u32);
    match key {
        "cap" => out.cap = Some(positive().ok_or_else(|| bad(full, "must be a number of tasks >= 1"))?),
        "max-depth" => out.max_depth = Some(positive().ok_or_else(|| bad(full, "must be a number >= 2"))?),
        "max-detached" => out.max_detached = Some(positive().ok_or_else(|| bad(full, "must be a number >= 2"))?),
        "timeout" => {
            out.timeout = Some(value.as_f64().filter(|s| *s > 0.0).ok_or_else(|| bad(full, "must be seconds > 0"))?)
        }
        "args" => {
            let args = value.as_array().and_then(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect());
            out.args = Some(args.ok_or_else(|| bad(full, "must be an array of strings"))?);
        }
        "env" => {
            let env = value.as_object().and_then(|t| {
                t.iter().map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect::<Option<Vec<_>>>()
            });
            out.env = Some(env.ok_or_else(|| bad(full, "must be a table of NAME = \"value\""))?);
        }
        "skip" => out.skip = Some(value.as_bool().ok_or_else(|| bad(full, "must be true or false"))?),
        _ => return Err(unknown(full)),
    }
    Ok(())
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
        assert!(err.contains("`probe.bin.x.cap`") && err.contains(">= 1"), "{err}");
        let value = json!({"probe": {"tiemout": 3}});
        let err = Config::from_metadata(Some(&value), PathBuf::from("Cargo.toml")).unwrap_err().to_string();
        assert!(err.contains("probe.tiemout"), "{err}");
    }
}
