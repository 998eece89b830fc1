//! `[package.metadata.freeze]` in Cargo.toml -> the same settings the flags
//! give. Unknown keys and values are errors that name the key, so a typo never
//! silently turns a lint off.

mod bundle;
mod probe;
pub mod template;
mod upx;

use crate::diag::{Code, Level};
pub use bundle::BundleConfig;
pub use probe::{ProbeConfig, ProbeSettings};
use serde_json::Value;
use std::path::PathBuf;
pub use upx::UpxConfig;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: unknown key `{key}` in [package.metadata.freeze]{hint}", manifest.display())]
    UnknownKey { manifest: PathBuf, key: String, hint: String },
    #[error("{}: `{key}` in [package.metadata.freeze] {expected}", manifest.display())]
    BadValue { manifest: PathBuf, key: String, expected: String },
}

/// The package's freeze settings; the CLI merges flags over these.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Config {
    /// Level overrides from `[package.metadata.freeze.lints]`.
    pub lints: Vec<(Code, Level)>,
    /// Extra functions that act as a child-dispatch guard when called
    /// (`guards = ["my_crate::worker::dispatch"]`).
    pub guards: Vec<String>,
    /// How `check` runs each binary under the probe.
    pub probe: ProbeConfig,
    /// Defaults for `cargo freeze --onedir/--onefile`.
    pub bundle: BundleConfig,
    /// UPX defaults for bundles.
    pub upx: UpxConfig,
}

/// Every top-level key, for "did you mean" hints.
fn known_keys() -> Vec<&'static str> {
    ["lints", "guards", "probe"]
        .into_iter()
        .chain(bundle::KEYS.iter().copied())
        .chain(upx::KEYS.iter().copied())
        .collect()
}

impl Config {
    /// Reads the `freeze` value of a package's metadata; `manifest` is only
    /// used to name the file in errors.
    pub fn from_metadata(value: Option<&Value>, manifest: PathBuf) -> Result<Config, Error> {
        let mut config = Config::default();
        let Some(value) = value else {
            return Ok(config);
        };
        let bad = |key: &str, expected: &str| Error::BadValue {
            manifest: manifest.clone(),
            key: key.to_string(),
            expected: expected.to_string(),
        };
        let table = value.as_object().ok_or_else(|| bad("freeze", "must be a table"))?;
        for (key, value) in table {
            match key.as_str() {
                "lints" => config.lints = lints(value, &bad)?,
                "guards" => {
                    config.guards = strings(value)
                        .ok_or_else(|| bad(key, "must be an array of paths like \"my_crate::dispatch\""))?
                }
                "probe" => config.probe = probe::parse(value, &manifest, &bad)?,
                k if bundle::KEYS.contains(&k) => {
                    bundle::setting(&mut config.bundle, k, value).map_err(|e| bad(k, e))?
                }
                k if upx::KEYS.contains(&k) => upx::setting(&mut config.upx, k, value).map_err(|e| bad(k, e))?,
                _ => return Err(unknown(&manifest, key)),
            }
        }
        Ok(config)
    }
}

fn lints(value: &Value, bad: &dyn Fn(&str, &str) -> Error) -> Result<Vec<(Code, Level)>, Error> {
    let table =
        value.as_object().ok_or_else(|| bad("lints", "must be a table of code = \"allow\" | \"warn\" | \"deny\""))?;
    let mut out = Vec::new();
    for (name, level) in table {
        let key = format!("lints.{name}");
        let code = Code::parse(name).ok_or_else(|| {
            let known: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
            bad(&key, &format!("is not a known diagnostic code (known: {})", known.join(", ")))
        })?;
        let level = level
            .as_str()
            .and_then(Level::parse)
            .ok_or_else(|| bad(&key, "must be \"allow\", \"warn\" or \"deny\""))?;
        out.push((code, level));
    }
    Ok(out)
}

fn strings(value: &Value) -> Option<Vec<String>> {
    value.as_array()?.iter().map(|v| v.as_str().map(str::to_string)).collect()
}

fn unknown(manifest: &std::path::Path, key: &str) -> Error {
    // Compare by characters: a key is user text and may not be ASCII.
    let prefix: String = key.chars().take(3).collect();
    let keys = known_keys();
    let hint = keys
        .iter()
        .find(|k| !prefix.is_empty() && k.starts_with(&prefix))
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_else(|| format!(" (known keys: {})", keys.join(", ")));
    Error::UnknownKey { manifest: manifest.to_path_buf(), key: key.to_string(), hint }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Result<Config, Error> {
        Config::from_metadata(Some(&value), PathBuf::from("Cargo.toml"))
    }

    #[test]
    fn reads_lints_and_guards() {
        let config = parse(json!({"lints": {"late-guard": "deny"}, "guards": ["a::b"]})).unwrap();
        assert_eq!(config.lints, vec![(Code::LateGuard, Level::Deny)]);
        assert_eq!(config.guards, vec!["a::b".to_string()]);
    }

    #[test]
    fn unknown_key_is_named() {
        let err = parse(json!({"lint": {}})).unwrap_err().to_string();
        assert_eq!(err, "Cargo.toml: unknown key `lint` in [package.metadata.freeze] (did you mean `lints`?)");
    }

    #[test]
    fn non_ascii_unknown_key_is_named_without_panicking() {
        let err = parse(json!({"é€x": 1})).unwrap_err().to_string();
        assert!(err.contains("unknown key `é€x`") && err.contains("known keys: lints, guards, probe, name"), "{err}");
    }

    #[test]
    fn unknown_code_and_level_are_named() {
        let err = parse(json!({"lints": {"nope": "deny"}})).unwrap_err().to_string();
        assert!(err.contains("`lints.nope`"), "{err}");
        let err = parse(json!({"lints": {"late-guard": "loud"}})).unwrap_err().to_string();
        assert!(err.contains("must be \"allow\""), "{err}");
    }
}
