//! The one summary object of `cargo freeze --onedir`/`--onefile
//! --message-format json` (README, "JSON output"): what a release script
//! reads.

use super::{CheckDoc, ProbeDoc, VERSION};
use crate::bundle::onedir::{BundleFile, BundleReport, UpxRow};
use crate::bundle::onefile::PackReport;
use crate::report::{Built, Gate};
use schemars::JsonSchema;
use serde::Serialize;

#[derive(Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Mode {
    Onedir,
    Onefile,
}

/// A file to upload: its path (relative to the workspace root when inside
/// it), size and sha256.
#[derive(Serialize, JsonSchema)]
pub(crate) struct Artifact {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// The check gate: the static check and probe of the built binary, and
/// the probe of the bundle (nulls with `--no-check`).
#[derive(Serialize, JsonSchema)]
pub(crate) struct GateDoc {
    pub check: Option<CheckDoc>,
    pub bundle_probe: Option<ProbeDoc>,
    pub bundle_probe_skipped: Option<String>,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct OnedirDoc {
    pub version: u32,
    pub mode: Mode,
    /// The cargo profile the binary was built with.
    pub profile: String,
    /// The bundle's folder.
    pub dir: String,
    /// Every file of the bundle, to upload.
    pub artifacts: Vec<Artifact>,
    pub files: Vec<BundleFile>,
    /// Libraries the binary loads that stay on the host (policy).
    pub left_to_host: Vec<String>,
    /// An earlier bundle was replaced (`--clean`).
    pub replaced: bool,
    /// What UPX did to each file it was given.
    pub upx: Vec<UpxRow>,
    pub gate: GateDoc,
}

#[derive(Serialize, JsonSchema)]
pub(crate) struct OnefileDoc {
    pub version: u32,
    pub mode: Mode,
    pub profile: String,
    /// The one file, to upload.
    pub artifacts: Vec<Artifact>,
    /// The one file's path, sha256 and size.
    pub out: String,
    pub sha256: String,
    pub total_size: u64,
    /// The packed tree (as a one-dir bundle would hold it).
    pub files: Vec<BundleFile>,
    pub left_to_host: Vec<String>,
    /// UPX rows of the packed tree and of the bootloader.
    pub upx: Vec<UpxRow>,
    pub bootloader_size: u64,
    pub bootloader_cached: bool,
    pub entries: usize,
    pub unpacked_size: u64,
    pub payload_size: u64,
    /// sha256 of the content the bootloader checks (payload and trailer).
    pub payload_sha256: String,
    pub gate: GateDoc,
}

impl GateDoc {
    pub(crate) fn new(gate: &Gate<'_>) -> GateDoc {
        GateDoc {
            check: gate.check.map(CheckDoc::new),
            bundle_probe: gate.bundle_probe.map(ProbeDoc::new),
            bundle_probe_skipped: gate.bundle_skipped.map(str::to_string),
        }
    }
}

impl OnedirDoc {
    pub(crate) fn new(report: &BundleReport, gate: &Gate<'_>, built: &Built<'_>) -> OnedirDoc {
        let dir = built.relative(&report.dir);
        let artifacts = report
            .files
            .iter()
            .map(|f| Artifact { path: format!("{dir}/{}", f.path), size: f.size, sha256: f.sha256.clone() })
            .collect();
        OnedirDoc {
            version: VERSION,
            mode: Mode::Onedir,
            profile: built.profile.to_string(),
            dir,
            artifacts,
            files: report.files.clone(),
            left_to_host: report.left_to_host.clone(),
            replaced: report.replaced,
            upx: report.upx.clone(),
            gate: GateDoc::new(gate),
        }
    }
}

impl OnefileDoc {
    pub(crate) fn new(
        report: &PackReport,
        tree: &BundleReport,
        sha256: &str,
        gate: &Gate<'_>,
        built: &Built<'_>,
    ) -> Self {
        let out = built.relative(&report.out);
        OnefileDoc {
            version: VERSION,
            mode: Mode::Onefile,
            profile: built.profile.to_string(),
            artifacts: vec![Artifact { path: out.clone(), size: report.total_size, sha256: sha256.to_string() }],
            out,
            sha256: sha256.to_string(),
            total_size: report.total_size,
            files: tree.files.clone(),
            left_to_host: tree.left_to_host.clone(),
            upx: tree.upx.iter().chain(&report.bootloader_upx).cloned().collect(),
            bootloader_size: report.bootloader_size,
            bootloader_cached: report.bootloader_cached,
            entries: report.entries,
            unpacked_size: report.unpacked_size,
            payload_size: report.payload_size,
            payload_sha256: report.hash.clone(),
            gate: GateDoc::new(gate),
        }
    }
}
