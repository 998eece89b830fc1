//! The bundle keys of `[package.metadata.freeze]`, the same as the flags of
//! `cargo freeze --onedir/--onefile` (flags win):
//!
//! ```toml
//! [package.metadata.freeze]
//! name = "app"
//! dist = "dist"
//! add-data = ["assets:share/assets"]
//! add-binary = []
//! exclude-lib = ["libssl*"]
//! clean = true
//! strip = true
//! runtime-dir = "{cache}/my-app/{hash}"
//! ```

use serde_json::Value;

/// Bundle settings from the manifest.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct BundleConfig {
    pub name: Option<String>,
    pub dist: Option<String>,
    pub add_data: Vec<String>,
    pub add_binary: Vec<String>,
    pub exclude_lib: Vec<String>,
    pub clean: Option<bool>,
    pub strip: Option<bool>,
    pub runtime_dir: Option<String>,
}

/// The keys this module owns.
pub(super) const KEYS: &[&str] =
    &["name", "dist", "add-data", "add-binary", "exclude-lib", "clean", "strip", "runtime-dir"];

/// Reads one bundle key into `out`; `Err` says what the value must be.
pub(super) fn setting(out: &mut BundleConfig, key: &str, value: &Value) -> Result<(), &'static str> {
    let text = || value.as_str().map(str::to_string).ok_or("must be a string");
    let list = || -> Result<Vec<String>, &'static str> {
        value
            .as_array()
            .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect())
            .ok_or("must be an array of strings")
    };
    match key {
        "name" => out.name = Some(text()?),
        "dist" => out.dist = Some(text()?),
        "runtime-dir" => out.runtime_dir = Some(text()?),
        "add-data" => out.add_data = list()?,
        "add-binary" => out.add_binary = list()?,
        "exclude-lib" => out.exclude_lib = list()?,
        "clean" => out.clean = Some(value.as_bool().ok_or("must be true or false")?),
        "strip" => out.strip = Some(value.as_bool().ok_or("must be true or false")?),
        _ => unreachable!("only KEYS are passed"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use serde_json::json;
    use std::path::PathBuf;

    #[test]
    fn bundle_keys() {
        let value = json!({"name": "app", "add-data": ["a:b"], "clean": true});
        let config = Config::from_metadata(Some(&value), PathBuf::from("Cargo.toml")).unwrap();
        assert_eq!(config.bundle.name.as_deref(), Some("app"));
        assert_eq!(config.bundle.add_data, vec!["a:b".to_string()]);
        assert_eq!(config.bundle.clean, Some(true));
        let bad = json!({"clean": "yes"});
        let err = Config::from_metadata(Some(&bad), PathBuf::from("Cargo.toml")).unwrap_err().to_string();
        assert!(err.contains("`clean`") && err.contains("true or false"), "{err}");
    }
}
