//! The JSON contract of `cargo freeze check --format json` (see README.md,
//! "JSON output"): a serialization of [`CheckDoc`], whose schema is
//! `schema/check.json`.

use super::CheckReport;
use super::doc::CheckDoc;
use std::io::Write;

pub(super) fn write(report: &CheckReport, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &CheckDoc::new(report))?;
    writeln!(out)
}
