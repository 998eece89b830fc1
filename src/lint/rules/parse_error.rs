//! `parse-error`: a source file could not be read or parsed (or a `mod`
//! has no file, or a body the analysis reached does not parse). It is
//! reported once, and the rest of the crate is still analysed.

use crate::diag::{Code, Diagnostic};
use crate::lint::load::Loaded;
use std::path::Path;

pub(crate) fn check(loaded: &Loaded, root: &Path) -> Vec<Diagnostic> {
    loaded
        .files
        .iter()
        .filter_map(|file| {
            let (message, loc) = file.error.clone().or_else(|| file.late.as_ref()?.body_error())?;
            Some(
                Diagnostic::new(Code::ParseError, message, loaded.location(root, loc))
                    .label("cargo-freeze could not analyse this")
                    .help("the rest of the crate is still analysed; spawn sites in this file are not seen"),
            )
        })
        .collect()
}
