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

use serde_json::Value;

/// UPX settings from the manifest.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct UpxConfig {
    pub enabled: Option<bool>,
    pub dir: Option<String>,
    pub args: Option<String>,
    pub exclude: Vec<String>,
    pub libs: Option<bool>,
}

/// The keys this module owns.
pub(super) const KEYS: &[&str] = &["upx", "upx-dir", "upx-args", "upx-exclude", "upx-libs"];

/// Reads one UPX key into `out`; `Err` says what the value must be.
pub(super) fn setting(out: &mut UpxConfig, key: &str, value: &Value) -> Result<(), &'static str> {
    let flag = || value.as_bool().ok_or("must be true or false");
    let text = || value.as_str().map(str::to_string).ok_or("must be a string");
    match key {
        "upx" => out.enabled = Some(flag()?),
        "upx-dir" => out.dir = Some(text()?),
        "upx-args" => out.args = Some(text()?),
        "upx-libs" => out.libs = Some(flag()?),
        "upx-exclude" => {
            out.exclude = value
                .as_array()
                .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect())
                .ok_or("must be an array of globs")?
        }
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
    fn upx_keys() {
        let value = json!({"upx-dir": "tools", "upx-exclude": ["lib/*"], "upx-libs": true});
        let config = Config::from_metadata(Some(&value), PathBuf::from("Cargo.toml")).unwrap();
        assert_eq!(config.upx.dir.as_deref(), Some("tools"));
        assert_eq!(config.upx.exclude, vec!["lib/*".to_string()]);
        assert_eq!(config.upx.libs, Some(true));
        let err = Config::from_metadata(Some(&json!({"upx": "yes"})), PathBuf::from("Cargo.toml")).unwrap_err();
        assert!(err.to_string().contains("`upx` in [package.metadata.freeze] must be true or false"), "{err}");
    }
}
