//! The document of `cargo freeze check --format json`, and the probe's (a
//! `check` document holds one per binary).

use super::VERSION;
use crate::diag::{Code, Diagnostic, Level, Location};
use crate::lint::{TargetKind, Verdict};
use crate::probe::ProbeReport;
use crate::report::{CheckReport, FixOutcome, ProbedBinary, slash_path};
use schemars::JsonSchema;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Serialize, JsonSchema)]
pub(crate) struct CheckDoc {
    pub version: u32,
    pub binaries: Vec<BinaryDoc>,
    pub diagnostics: Vec<DiagnosticDoc>,
    /// What `--fix` did (or would do, with `--dry-run`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<FixDoc>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct BinaryDoc {
    pub package: String,
    pub name: String,
    pub kind: TargetKind,
    pub main: Option<FileLine>,
    pub verdict: Verdict,
    /// Why `undecided`: the value the check could not know.
    pub reason: Option<String>,
    pub spawn_sites: Vec<SiteDoc>,
    /// Where the guards that make it `guarded` are.
    pub guards: Vec<Place>,
    /// The probe run (absent with `--static`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<ProbeEntry>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct FileLine {
    pub file: String,
    pub line: u32,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct Place {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct SiteDoc {
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// How the program is started (`std::process::Command`, ...).
    pub via: String,
    /// How the program names itself (`current_exe()`, ...).
    pub exe: String,
    pub verdict: Verdict,
    /// The marker the child gets (env and arguments), as the check saw it.
    pub marker: serde_json::Value,
}

/// A probe run, or why there was none.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
pub(crate) enum ProbeEntry {
    Ran(Box<ProbeDoc>),
    Skipped { skipped: bool, reason: String },
}

/// The document of `cargo freeze probe --format json`.
#[derive(Serialize, JsonSchema)]
pub(crate) struct ProbeDoc {
    pub version: u32,
    #[serde(flatten)]
    pub report: ProbeReport,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct DiagnosticDoc {
    pub code: Code,
    pub level: Level,
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    /// `package/bin` it belongs to.
    pub binary: Option<String>,
    pub help: Option<String>,
    pub notes: Vec<NoteDoc>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct NoteDoc {
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct FixDoc {
    pub applied: bool,
    pub files: Vec<FixFileDoc>,
    pub skipped: Vec<FixSkipDoc>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct FixFileDoc {
    pub path: String,
    pub changes: Vec<String>,
    /// Formatted with rustfmt (else indented like its neighbours).
    pub formatted: bool,
    pub diff: String,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct FixSkipDoc {
    pub binary: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub reason: String,
}

impl CheckDoc {
    pub(crate) fn new(report: &CheckReport) -> CheckDoc {
        let binaries = report
            .binaries
            .iter()
            .map(|bin| BinaryDoc {
                package: bin.package.clone(),
                name: bin.name.clone(),
                kind: bin.kind,
                main: bin.main.as_ref().map(|l| FileLine { file: slash_path(&l.file), line: l.line }),
                verdict: bin.verdict,
                reason: bin.reason.clone(),
                spawn_sites: bin.spawn_sites.iter().map(site).collect(),
                guards: bin.guards.iter().map(place).collect(),
                probe: report.probes.iter().find(|p| p.package == bin.package && p.name == bin.name).map(probe_entry),
            })
            .collect();
        CheckDoc {
            version: VERSION,
            binaries,
            diagnostics: report.diagnostics.iter().map(diagnostic).collect(),
            fix: report.fix.as_ref().map(fix),
        }
    }
}

impl ProbeDoc {
    /// The report with its paths `/`-separated, as every path of the JSON.
    pub(crate) fn new(report: &ProbeReport) -> ProbeDoc {
        let slashed = |p: &PathBuf| PathBuf::from(slash_path(p));
        let mut report = report.clone();
        report.tmpdir = slashed(&report.tmpdir);
        report.cgroup = report.cgroup.as_ref().map(slashed);
        report.cgroup_v2 = report.cgroup_v2.as_ref().map(slashed);
        ProbeDoc { version: VERSION, report }
    }
}

fn probe_entry(p: &ProbedBinary) -> ProbeEntry {
    match &p.report {
        Some(report) => ProbeEntry::Ran(Box::new(ProbeDoc::new(report))),
        None => ProbeEntry::Skipped {
            skipped: true,
            reason: p.skipped.clone().unwrap_or_else(|| "config: skip = true".to_string()),
        },
    }
}

fn place(l: &Location) -> Place {
    Place { file: slash_path(&l.file), line: l.line, column: l.column }
}

fn site(s: &crate::lint::SiteReport) -> SiteDoc {
    let Place { file, line, column } = place(&s.location);
    SiteDoc { file, line, column, via: s.via.clone(), exe: s.exe.clone(), verdict: s.verdict, marker: s.marker.clone() }
}

fn diagnostic(d: &Diagnostic) -> DiagnosticDoc {
    let Place { file, line, column } = place(&d.location);
    let notes = d
        .notes
        .iter()
        .map(|n| {
            let Place { file, line, column } = place(&n.location);
            NoteDoc { message: n.message.clone(), file, line, column }
        })
        .collect();
    DiagnosticDoc {
        code: d.code,
        level: d.level,
        message: d.message.clone(),
        file,
        line,
        column,
        binary: d.binary.clone(),
        help: d.help.clone(),
        notes,
    }
}

fn fix(f: &FixOutcome) -> FixDoc {
    let files = f
        .plan
        .files
        .iter()
        .map(|file| FixFileDoc {
            path: slash_path(&file.display),
            changes: file.changes.clone(),
            formatted: file.formatting == crate::lint::fix::Formatting::Rustfmt,
            diff: crate::report::fix::diff(file),
        })
        .collect();
    let skipped = f
        .plan
        .skipped
        .iter()
        .map(|s| FixSkipDoc {
            binary: s.binary.clone(),
            file: s.location.as_ref().map(|l| slash_path(&l.file)),
            line: s.location.as_ref().map(|l| l.line),
            reason: s.reason.clone(),
        })
        .collect();
    FixDoc { applied: f.applied, files, skipped }
}
