//! The JSON documents cargo-freeze prints, as types: what `--format json`
//! (`check`, `probe`), `--message-format json` (bundles) and `cache -f
//! json` write is exactly a serialization of these, so the JSON Schemas
//! under `schema/` are generated from them (`schemars`) and a test keeps
//! the committed files equal to what the code generates. Every document
//! carries `version` (README, "JSON output"): a field is renamed or removed
//! only with a version bump; new fields may appear.

mod bundle;
mod cache;
mod check;

pub(crate) use bundle::{OnedirDoc, OnefileDoc};
pub(crate) use cache::{CacheListDoc, CachePrunedDoc};
pub(crate) use check::{CheckDoc, ProbeDoc};

/// The version of every document.
pub(crate) const VERSION: u32 = 1;

/// Each document's JSON Schema, by its file name under `schema/`.
pub fn schemas() -> Vec<(&'static str, schemars::Schema)> {
    vec![
        ("check.json", schemars::schema_for!(CheckDoc)),
        ("probe.json", schemars::schema_for!(ProbeDoc)),
        ("onedir.json", schemars::schema_for!(OnedirDoc)),
        ("onefile.json", schemars::schema_for!(OnefileDoc)),
        ("cache-list.json", schemars::schema_for!(CacheListDoc)),
        ("cache-prune.json", schemars::schema_for!(CachePrunedDoc)),
    ]
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// `schema/` holds what the types generate. After a deliberate change
    /// of a document, regenerate with `CARGO_FREEZE_WRITE_SCHEMA=1 cargo
    /// test --lib schema` and review the diff.
    #[test]
    fn committed_schemas_match_the_types() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
        let write = std::env::var_os("CARGO_FREEZE_WRITE_SCHEMA").is_some();
        for (name, schema) in super::schemas() {
            let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
            let path = dir.join(name);
            if write {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &text).unwrap();
            }
            let committed = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                committed == text,
                "{} differs from the {name} the types generate (see this test's doc)",
                path.display()
            );
        }
    }
}
