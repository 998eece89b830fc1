//! The UPX keys of `[package.metadata.freeze]`, the same as the flags of
//! `cargo freeze --onedir/--onefile` (flags win; `--noupx` beats both):
//!
//! ```toml
//! [package.metadata.freeze]
//! upx = true
//! upx-dir = "tools/upx"       # implies upx = true
//! upx-args = "--best --lzma"
//! upx-exclude = ["lib/*"]
//! upx-libs = false
//! ```

/// UPX settings from the manifest.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct UpxConfig {
    pub enabled: Option<bool>,
    pub dir: Option<String>,
    pub args: Option<String>,
    pub exclude: Vec<String>,
    pub libs: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use serde_json::json;
    use std::path::PathBuf;

    #[test]
    fn upx_keys() {
        let value = json!({"upx-dir": "tools", "upx-exclude": ["lib/*"], "upx-libs": true});
        let config = Config::from_metadata(Some(&value), PathBuf::from("Cargo.toml")).unwrap();
        assert_eq!(config.upx.dir.as_deref(), Some("tools"));
        assert_eq!(config.upx.exclude, vec!["lib/*".to_string()]);
        assert_eq!(config.upx.libs, Some(true));
        let err = Config::from_metadata(Some(&json!({"upx": "yes"})), PathBuf::from("Cargo.toml")).unwrap_err();
        assert!(err.to_string().contains("`upx` in [package.metadata.freeze] must be a boolean"), "{err}");
    }
}
