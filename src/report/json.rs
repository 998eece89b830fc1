//! The JSON contract of `cargo freeze check --format json` (see README.md,
//! "JSON output"). Field names here are the contract: change them only with
//! a version bump.

use super::{CheckReport, slash_path};
use crate::diag::Diagnostic;
use serde_json::{Value, json};
use std::io::Write;

pub(super) const VERSION: u32 = 1;

pub(super) fn write(report: &CheckReport, out: &mut dyn Write) -> std::io::Result<()> {
    let value = to_value(report);
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}

pub(super) fn to_value(report: &CheckReport) -> Value {
    let binaries: Vec<Value> = report
        .binaries
        .iter()
        .map(|bin| {
            let mut value = json!({
                "package": bin.package,
                "name": bin.name,
                "kind": bin.kind,
                "main": bin.main.as_ref().map(|loc| json!({"file": slash_path(&loc.file), "line": loc.line})),
                "verdict": bin.verdict,
                "reason": bin.reason,
                "spawn_sites": bin.spawn_sites.iter().map(|site| json!({
                    "file": slash_path(&site.location.file),
                    "line": site.location.line,
                    "column": site.location.column,
                    "via": site.via,
                    "exe": site.exe,
                    "verdict": site.verdict,
                    "marker": site.marker,
                })).collect::<Vec<_>>(),
                "guards": bin.guards.iter().map(|g| json!({
                    "file": slash_path(&g.file),
                    "line": g.line,
                    "column": g.column,
                })).collect::<Vec<_>>(),
            });
            // Present only when the probe step ran (not with `--static`).
            if let Some(p) = report.probes.iter().find(|p| p.package == bin.package && p.name == bin.name) {
                value["probe"] = p.report.as_ref().map_or_else(
                    || json!({"skipped": true, "reason": p.skipped.as_deref().unwrap_or("config: skip = true")}),
                    super::probe::json_value,
                );
            }
            value
        })
        .collect();
    let diagnostics: Vec<Value> = report.diagnostics.iter().map(diagnostic).collect();
    let mut value = json!({ "version": VERSION, "binaries": binaries, "diagnostics": diagnostics });
    if let Some(fix) = &report.fix {
        value["fix"] = super::fix::json_value(fix);
    }
    value
}

fn diagnostic(d: &Diagnostic) -> Value {
    json!({
        "code": d.code,
        "level": d.level,
        "message": d.message,
        "file": slash_path(&d.location.file),
        "line": d.location.line,
        "column": d.location.column,
        "binary": d.binary,
        "help": d.help,
        "notes": d.notes.iter().map(|n| json!({
            "message": n.message,
            "file": slash_path(&n.location.file),
            "line": n.location.line,
            "column": n.location.column,
        })).collect::<Vec<_>>(),
    })
}
