//! `[package.metadata.freeze]` in Cargo.toml -> the same settings the flags
//! give. The table is deserialized with serde ([`raw`]); unknown keys and
//! bad values are errors that name the key's full path (with a "did you
//! mean" for a typo), so a typo never silently turns a lint off.

mod bundle;
mod probe;
mod raw;
pub mod template;
mod upx;

use crate::diag::{Code, Level};
pub use bundle::BundleConfig;
pub use probe::{ProbeConfig, ProbeSettings};
use raw::RawConfig;
use serde_json::Value;
use std::collections::BTreeMap;
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

impl Config {
    /// Reads the `freeze` value of a package's metadata; `manifest` is only
    /// used to name the file in errors.
    pub fn from_metadata(value: Option<&Value>, manifest: PathBuf) -> Result<Config, Error> {
        let Some(value) = value else {
            return Ok(Config::default());
        };
        let raw: RawConfig = serde_path_to_error::deserialize(value).map_err(|e| refusal(&manifest, e))?;
        let bad = |key: &str, expected: &str| Error::BadValue {
            manifest: manifest.clone(),
            key: key.to_string(),
            expected: expected.to_string(),
        };
        Ok(Config {
            lints: lints(&raw.lints, &bad)?,
            probe: probe::convert(raw.probe, &bad)?,
            bundle: BundleConfig {
                name: raw.name,
                dist: raw.dist,
                add_data: raw.add_data,
                add_binary: raw.add_binary,
                exclude_lib: raw.exclude_lib,
                clean: raw.clean,
                strip: raw.strip,
                runtime_dir: raw.runtime_dir,
            },
            upx: UpxConfig {
                enabled: raw.upx,
                dir: raw.upx_dir,
                args: raw.upx_args,
                exclude: raw.upx_exclude,
                libs: raw.upx_libs,
            },
            guards: raw.guards,
        })
    }
}

fn lints(table: &BTreeMap<String, String>, bad: &dyn Fn(&str, &str) -> Error) -> Result<Vec<(Code, Level)>, Error> {
    let mut out = Vec::new();
    for (name, level) in table {
        let key = format!("lints.{name}");
        let code = Code::parse(name).ok_or_else(|| {
            let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
            let hint = suggest(name, &known).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
            bad(&key, &format!("is not a known diagnostic code{hint}; known: {}", known.join(", ")))
        })?;
        let level = Level::parse(level).ok_or_else(|| bad(&key, "must be \"allow\", \"warn\" or \"deny\""))?;
        out.push((code, level));
    }
    Ok(out)
}

/// serde's refusal, with the key's full path: an unknown key gets a
/// "did you mean" from the keys allowed where it stands.
fn refusal(manifest: &std::path::Path, err: serde_path_to_error::Error<serde_json::Error>) -> Error {
    // The path includes the offending key itself.
    let path = err.path().to_string();
    let message = err.into_inner().to_string();
    if let Some((key, known)) = unknown_field(&message) {
        let hint = match suggest(&key, &known) {
            Some(s) => format!(" (did you mean `{s}`?)"),
            None => format!(" (known keys here: {})", known.join(", ")),
        };
        return Error::UnknownKey { manifest: manifest.to_path_buf(), key: path, hint };
    }
    let key = if path == "." { "freeze".to_string() } else { path };
    Error::BadValue { manifest: manifest.to_path_buf(), key, expected: expectation(&message) }
}

/// serde's `invalid type: string "yes", expected a boolean` as
/// `must be a boolean, not string "yes"`.
fn expectation(message: &str) -> String {
    let found = message.strip_prefix("invalid type: ").or_else(|| message.strip_prefix("invalid value: "));
    match found.and_then(|rest| rest.split_once(", expected ")) {
        Some((got, want)) => format!("must be {want}, not {got}"),
        None => format!("is invalid: {message}"),
    }
}

/// serde's `unknown field `x`, expected one of `a`, `b`` (the wording of
/// `serde::de::Error::unknown_field`): the field and the expected ones.
fn unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let known = rest.split('`').skip(1).step_by(2).map(str::to_string).collect();
    Some((field.to_string(), known))
}

/// The known name closest to `typo`, when it is close enough to be meant.
fn suggest(typo: &str, known: &[impl AsRef<str>]) -> Option<String> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(typo, k.as_ref()), k.as_ref()))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k.to_string())
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
    fn nested_unknown_keys_are_named_by_their_path() {
        let err = parse(json!({"probe": {"bin": {"x": {"tiemout": 3}}}})).unwrap_err().to_string();
        assert!(err.contains("unknown key `probe.bin.x.tiemout`") && err.contains("did you mean `timeout`?"), "{err}");
        let err = parse(json!({"upx-dir": 3})).unwrap_err().to_string();
        assert!(err.contains("`upx-dir` in [package.metadata.freeze] must be a string, not integer `3`"), "{err}");
    }

    #[test]
    fn non_ascii_unknown_key_is_named_without_panicking() {
        let err = parse(json!({"é€x": 1})).unwrap_err().to_string();
        assert!(
            err.contains("unknown key `é€x`") && err.contains("known keys here: lints, guards, probe, name"),
            "{err}"
        );
    }

    #[test]
    fn unknown_code_and_level_are_named() {
        let err = parse(json!({"lints": {"nope": "deny"}})).unwrap_err().to_string();
        assert!(err.contains("`lints.nope`"), "{err}");
        let err = parse(json!({"lints": {"late-gaurd": "deny"}})).unwrap_err().to_string();
        assert!(err.contains("did you mean `late-guard`?"), "{err}");
        let err = parse(json!({"lints": {"late-guard": "loud"}})).unwrap_err().to_string();
        assert!(err.contains("must be \"allow\""), "{err}");
    }
}
