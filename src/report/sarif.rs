//! SARIF 2.1.0 output, the subset GitHub code scanning reads: one run, one
//! rule per diagnostic code, one result per diagnostic.

use super::{CheckReport, slash_path};
use crate::diag::{Code, Level};
use serde_json::{Value, json};
use std::io::Write;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub(super) fn write(report: &CheckReport, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &to_value(report))?;
    writeln!(out)
}

fn to_value(report: &CheckReport) -> Value {
    let rules: Vec<Value> = Code::ALL.iter().map(|code| rule(*code)).collect();
    let results: Vec<Value> = report
        .diagnostics
        .iter()
        .filter(|d| d.level != Level::Allow)
        .map(|d| {
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code),
                "level": sarif_level(d.level),
                "message": {"text": text},
                "locations": [location(&d.location)],
                "relatedLocations": d.notes.iter().enumerate().map(|(i, n)| {
                    let mut loc = location(&n.location);
                    loc["id"] = json!(i);
                    loc["message"] = json!({"text": n.message});
                    loc
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "cargo-freeze",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://crates.io/crates/cargo-freeze",
                "rules": rules,
            }},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    })
}

fn rule(code: Code) -> Value {
    json!({
        "id": code.as_str(),
        "name": code.as_str(),
        "shortDescription": {"text": code.description()},
        "fullDescription": {"text": code.description()},
        "defaultConfiguration": {"level": sarif_level(code.default_level())},
        "help": {"text": format!("See the `{}` entry in cargo-freeze's README.", code.as_str())},
    })
}

fn location(loc: &crate::diag::Location) -> Value {
    json!({"physicalLocation": {
        "artifactLocation": {"uri": slash_path(&loc.file), "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": loc.line.max(1), "startColumn": loc.column.max(1)},
    }})
}

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Deny => "error",
        Level::Warn => "warning",
        Level::Allow => "none",
    }
}
