//! `cargo freeze inspect FILE [--extract DIR]`: reads a one-file, verifies
//! its hash, lists its entries, optionally extracts them.

use crate::bundle::onefile;
use crate::report;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(super) struct InspectArgs {
    /// The one-file bundle to read.
    pub file: PathBuf,
    /// Extract the verified entries into this directory.
    #[arg(long, value_name = "DIR")]
    pub extract: Option<PathBuf>,
}

pub(super) fn run(args: &InspectArgs) -> Result<u8, crate::error::Error> {
    let bundle = onefile::inspect(&args.file, args.extract.as_deref())?;
    report::inspect::render(&bundle, args.extract.as_deref()).map_err(crate::error::Error::Output)?;
    Ok(crate::error::exit::CLEAN)
}
