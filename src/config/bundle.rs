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
        assert!(err.contains("`clean` in [package.metadata.freeze] must be a boolean, not string \"yes\""), "{err}");
    }
}
