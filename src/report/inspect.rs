//! Renders `cargo freeze inspect`: the trailer fields, then one line per entry.

use crate::bundle::onefile::Bundle;
use std::io::Write;
use std::path::Path;

pub fn render(bundle: &Bundle, extracted: Option<&Path>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "file: {}", bundle.path.display())?;
    writeln!(out, "format version: {}", bundle.version)?;
    writeln!(out, "program: {}", bundle.name)?;
    writeln!(out, "runtime dir: {}", bundle.runtime_dir)?;
    writeln!(out, "storm fuse limit: {}", bundle.fuse_limit)?;
    writeln!(out, "bootloader: {} bytes", bundle.bootloader_size)?;
    writeln!(out, "payload: {} bytes compressed, {} bytes unpacked", bundle.payload_size, bundle.unpacked_size)?;
    writeln!(out, "sha256: {} (verified)", bundle.hash)?;
    writeln!(out, "entries: {}", bundle.entries.len())?;
    for e in &bundle.entries {
        let mode = if e.executable { "rwx" } else { "rw-" };
        writeln!(out, "  {mode} {:>10} {}", e.data.len(), e.path)?;
    }
    if let Some(dir) = extracted {
        writeln!(out, "extracted to {}", dir.display())?;
    }
    Ok(())
}
