//! A bundle's summary: the profile it was built with, a table of its files
//! (size, where each library came from and how the loader found it) and the
//! libraries left to the host; or, as JSON, the manifest release scripts
//! read (files with sha256 and size; the bundle's paths relative to the
//! workspace root when they are inside it, as every path of the JSON
//! output).

use super::doc::{OnedirDoc, OnefileDoc};
use super::{Built, Gate, Style, paint, plural, size};
use crate::bundle::macho_sign::Signature;
use crate::bundle::onedir::BundleReport;
use crate::bundle::onefile::PackReport;
use crate::bundle::upx::Outcome;
use std::io::Write;

/// The one summary object of a `--onedir` run (README, "JSON output"):
/// the tree's files, `artifacts` (what a release script uploads: every
/// file of the bundle with its path, size and sha256), UPX, the gate.
pub(crate) fn write_json(
    report: &BundleReport,
    gate: &Gate<'_>,
    built: &Built<'_>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &OnedirDoc::new(report, gate, built))?;
    writeln!(out)
}

pub(crate) fn write_human(
    report: &BundleReport,
    style: Style,
    built: &Built<'_>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let total: u64 = report.files.iter().map(|f| f.size).sum();
    let verb = if report.replaced { "Replaced" } else { "Bundled" };
    let verb = paint::paint(paint::GOOD, &format!("{verb:>12}"), style.color);
    writeln!(
        out,
        "{verb} {} ({} profile, {}, {})",
        built.relative(&report.dir),
        built.profile,
        plural(report.files.len(), "file", "files"),
        size(total)
    )?;
    if style.quiet {
        return Ok(());
    }
    for f in &report.files {
        let via = f.via.map(|v| format!(" via {}", serde_json::to_value(v).unwrap_or_default().as_str().unwrap_or("")));
        let signed = f.signature.map(|s| format!(", {} signature", signature_words(s))).unwrap_or_default();
        let from = format!("{}{}{signed}", f.source.display(), via.unwrap_or_default());
        writeln!(out, "  {:<40} {:>10}  {:<10} {from}", f.path, size(f.size), format!("{:?}", f.kind).to_lowercase())?;
    }
    write_signature_notes(report, out)?;
    if !report.left_to_host.is_empty() {
        writeln!(out, "  left to the host (never bundled): {}", report.left_to_host.join(", "))?;
    }
    write_upx(report, out)
}

fn signature_words(signature: Signature) -> &'static str {
    match signature {
        Signature::AdHoc => "ad-hoc",
        Signature::Certificate => "certificate",
        Signature::CertificateReplaced => "ad-hoc (was certificate)",
        Signature::Unsigned | Signature::UnsignedArm64 => "no",
    }
}

/// What a macOS user must do about a signature the bundle could not keep.
fn write_signature_notes(report: &BundleReport, out: &mut dyn Write) -> std::io::Result<()> {
    for f in &report.files {
        match f.signature {
            Some(Signature::CertificateReplaced) => writeln!(
                out,
                "  note: {} was signed with a certificate, which editing its load commands voids: it is signed ad-hoc now; sign the bundle with your identity on a Mac to distribute it (`codesign --force --sign IDENTITY`)",
                f.path
            )?,
            Some(Signature::UnsignedArm64) => writeln!(
                out,
                "  note: {} is arm64 code without a code signature, as its original was: Macs with Apple silicon refuse to load it; sign it on a Mac (`codesign --force --sign - FILE`)",
                f.path
            )?,
            _ => {}
        }
    }
    Ok(())
}

/// UPX's size table: per file before/after, totals, ratio.
fn write_upx(report: &BundleReport, out: &mut dyn Write) -> std::io::Result<()> {
    if report.upx.is_empty() {
        return Ok(());
    }
    writeln!(out, "  UPX:")?;
    for row in &report.upx {
        let result = match &row.outcome {
            Outcome::Compressed => format!("{:.1}%", 100.0 * row.after as f64 / row.before.max(1) as f64),
            Outcome::Skipped(reason) => format!("skipped: {reason}"),
            Outcome::Restored(reason) => format!("restored (not compressed): {reason}"),
        };
        writeln!(out, "    {:<38} {:>10} -> {:>10}  {result}", row.path, size(row.before), size(row.after))?;
    }
    let (before, after) = report.upx.iter().fold((0, 0), |(b, a), r| (b + r.before, a + r.after));
    let ratio = 100.0 * after as f64 / before.max(1) as f64;
    writeln!(out, "    {:<38} {:>10} -> {:>10}  {ratio:.1}%", "total", size(before), size(after))
}

pub(crate) fn write_onefile_human(
    report: &PackReport,
    style: Style,
    built: &Built<'_>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {} ({} profile, {}, {} unpacked in {})",
        paint::paint(paint::GOOD, &format!("{:>12}", "Packed"), style.color),
        built.relative(&report.out),
        built.profile,
        size(report.total_size),
        size(report.unpacked_size),
        plural(report.entries, "file", "files")
    )?;
    if !style.quiet {
        let cached = if report.bootloader_cached { "cached" } else { "built now" };
        writeln!(
            out,
            "  bootloader {} ({cached}), payload {}",
            size(report.bootloader_size),
            size(report.payload_size)
        )?;
        if let Some(row) = &report.bootloader_upx {
            let result = match &row.outcome {
                Outcome::Compressed => format!("{} -> {}", size(row.before), size(row.after)),
                Outcome::Skipped(why) | Outcome::Restored(why) => format!("left as it was: {why}"),
            };
            writeln!(out, "  bootloader UPX: {result}")?;
        }
        writeln!(out, "  sha256 of the payload {}", report.hash)?;
    }
    Ok(())
}

/// The one summary object of a `--onefile` run: the single artifact, the
/// packed tree's files and UPX rows (from the stage), the pack, the gate.
pub(crate) fn write_onefile_json(
    report: &PackReport,
    tree: &BundleReport,
    sha256: &str,
    gate: &Gate<'_>,
    built: &Built<'_>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &OnefileDoc::new(report, tree, sha256, gate, built))?;
    writeln!(out)
}

pub(crate) fn write_gate_human(gate: &Gate<'_>, style: Style, out: &mut dyn Write) -> std::io::Result<()> {
    let Some(check) = gate.check else { return writeln!(out, "  check gate: skipped (--no-check)") };
    if style.quiet {
        return Ok(());
    }
    let verdict = check.binaries.first().map_or("?", |b| b.verdict.as_str());
    writeln!(out, "  static check of the built binary: {verdict}")?;
    for probed in &check.probes {
        writeln!(
            out,
            "  probe of the built binary: {}",
            super::probe::summary(probed.report.as_ref(), probed.skipped.as_deref(), style)
        )?;
    }
    writeln!(out, "  probe of the bundle: {}", super::probe::summary(gate.bundle_probe, gate.bundle_skipped, style))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::onedir::{BundleFile, FileKind};
    use crate::bundle::resolve::Via;
    use std::path::{Path, PathBuf};

    fn file(path: &str, kind: FileKind, signature: Signature) -> BundleFile {
        BundleFile {
            path: path.into(),
            kind,
            size: 2048,
            sha256: String::new(),
            source: PathBuf::from("/build").join(path.rsplit('/').next().unwrap_or(path)),
            via: (kind == FileKind::Library).then_some(Via::SearchDir),
            signature: Some(signature),
        }
    }

    /// A macOS bundle's table names each file's signature, and the two a
    /// user must act on get a note saying what to do.
    #[test]
    fn macos_signatures_in_the_summary() {
        let report = BundleReport {
            dir: PathBuf::from("/ws/dist/app"),
            files: vec![
                file("app", FileKind::Executable, Signature::AdHoc),
                file("lib/libvendor.dylib", FileKind::Library, Signature::CertificateReplaced),
                file("lib/libgo.dylib", FileKind::Library, Signature::UnsignedArm64),
            ],
            left_to_host: Vec::new(),
            replaced: false,
            upx: Vec::new(),
        };
        let style = Style { color: false, quiet: false, verbose: false };
        let mut out = Vec::new();
        write_human(&report, style, &Built { profile: "release", root: Path::new("/ws") }, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let expected = "     Bundled dist/app (release profile, 3 files, 6.0 KiB)
  app                                         2.0 KiB  executable /build/app, ad-hoc signature
  lib/libvendor.dylib                         2.0 KiB  library    /build/libvendor.dylib via search-dir, ad-hoc (was certificate) signature
  lib/libgo.dylib                             2.0 KiB  library    /build/libgo.dylib via search-dir, no signature
  note: lib/libvendor.dylib was signed with a certificate, which editing its load commands voids: it is signed ad-hoc now; sign the bundle with your identity on a Mac to distribute it (`codesign --force --sign IDENTITY`)
  note: lib/libgo.dylib is arm64 code without a code signature, as its original was: Macs with Apple silicon refuse to load it; sign it on a Mac (`codesign --force --sign - FILE`)
";
        assert_eq!(text, expected);
    }
}
