//! The documents of `cargo freeze cache list|prune -f json`.

use super::VERSION;
use crate::bundle::onefile::cache::{CacheEntry, Pruned};
use schemars::JsonSchema;
use serde::Serialize;
use std::path::Path;

#[derive(Serialize, JsonSchema)]
pub(crate) struct CacheListDoc {
    pub version: u32,
    /// The extraction root listed.
    pub dir: String,
    pub entries: Vec<CacheEntry>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct CachePrunedDoc {
    pub version: u32,
    pub dir: String,
    pub dry_run: bool,
    pub removed: Vec<CacheEntry>,
    /// Selected, but held by a running program: kept.
    pub in_use: Vec<CacheEntry>,
    /// Bytes removed (or that would be, with `--dry-run`).
    pub freed: u64,
}

impl CacheListDoc {
    pub(crate) fn new(root: &Path, entries: &[CacheEntry]) -> CacheListDoc {
        CacheListDoc { version: VERSION, dir: root.display().to_string(), entries: entries.to_vec() }
    }
}

impl CachePrunedDoc {
    pub(crate) fn new(root: &Path, pruned: &Pruned, dry_run: bool) -> CachePrunedDoc {
        CachePrunedDoc {
            version: VERSION,
            dir: root.display().to_string(),
            dry_run,
            removed: pruned.removed.clone(),
            in_use: pruned.in_use.clone(),
            freed: pruned.freed,
        }
    }
}
