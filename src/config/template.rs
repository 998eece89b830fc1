//! `cargo freeze init`: the commented `[package.metadata.freeze]` section of
//! `templates/freeze-config.toml`, added to a manifest. The manifest is read
//! with `toml_edit` (a format-preserving parser) to find its `[package]` and
//! any existing section; the section is appended, so every byte already in
//! the file stays where it was, and the result is parsed again before the
//! caller writes it.

use std::path::{Path, PathBuf};
use toml_edit::DocumentMut;

/// The section `init` adds.
pub const SECTION: &str = include_str!("../../templates/freeze-config.toml");

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("{} is not valid TOML: {reason}\nhelp: fix the manifest first (`cargo metadata` shows the same error)", manifest.display())]
    NotToml { manifest: PathBuf, reason: String },
    #[error("{} has no [package] table (a virtual workspace manifest?)\nhelp: run `cargo freeze init` on a member's manifest (-p NAME or --manifest-path)", manifest.display())]
    NoPackage { manifest: PathBuf },
    #[error("{} cannot take a [package.metadata.freeze] table: {reason}\nhelp: add the section from templates/freeze-config.toml by hand", manifest.display())]
    Conflict { manifest: PathBuf, reason: String },
}

/// The manifest `text` with the section appended, or `None` when it already
/// has a `[package.metadata.freeze]` table (init never rewrites one).
pub fn add_section(manifest: &Path, text: &str) -> Result<Option<String>, InitError> {
    let doc: DocumentMut =
        text.parse().map_err(|e| InitError::NotToml { manifest: manifest.to_path_buf(), reason: first_line(&e) })?;
    let package = doc.get("package").and_then(|p| p.as_table_like());
    let Some(package) = package else { return Err(InitError::NoPackage { manifest: manifest.to_path_buf() }) };
    if package.get("metadata").and_then(|m| m.as_table_like()).is_some_and(|m| m.contains_key("freeze")) {
        return Ok(None);
    }
    let separator = match text {
        "" => "",
        t if t.ends_with("\n\n") => "",
        t if t.ends_with('\n') => "\n",
        _ => "\n\n",
    };
    let added = format!("{text}{separator}{SECTION}");
    // An inline `metadata = { .. }` cannot be extended by a table header.
    added
        .parse::<DocumentMut>()
        .map_err(|e| InitError::Conflict { manifest: manifest.to_path_buf(), reason: first_line(&e) })?;
    Ok(Some(added))
}

fn first_line(err: &toml_edit::TomlError) -> String {
    err.message().lines().next().unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str =
        "[package]\nname = \"a\"   # the name\nversion = \"0.1.0\"\n\n[dependencies]\nx = { path = \"x\" }";

    #[test]
    fn appends_and_keeps_every_byte() {
        let added = add_section(Path::new("Cargo.toml"), MANIFEST).unwrap().unwrap();
        assert!(added.starts_with(MANIFEST));
        assert!(added[MANIFEST.len()..].starts_with("\n\n# cargo-freeze settings"), "{added}");
        assert_eq!(add_section(Path::new("Cargo.toml"), &added).unwrap(), None, "a second init adds nothing");
    }

    #[test]
    fn refuses_what_it_cannot_extend() {
        let path = Path::new("ws/Cargo.toml");
        let virtual_manifest = "[workspace]\nmembers = [\"a\"]\n";
        assert!(matches!(add_section(path, virtual_manifest), Err(InitError::NoPackage { .. })));
        let inline = "[package]\nname = \"a\"\nmetadata = { docs = 1 }\n";
        let err = add_section(path, inline).unwrap_err().to_string();
        assert!(err.starts_with("ws/Cargo.toml cannot take a [package.metadata.freeze] table"), "{err}");
        assert!(matches!(add_section(path, "[package"), Err(InitError::NotToml { .. })));
    }
}
