//! `cargo freeze cache [list|prune]`: the one-file extractions in the
//! default cache (`$XDG_CACHE_HOME/cargo-freeze`, `~/.cache/cargo-freeze`),
//! or in `--dir`; `prune` removes those no running program holds.

use crate::bundle::onefile::cache::{self, PruneOptions};
use crate::error::{Error, exit};
use crate::report;
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Args)]
pub(crate) struct CacheArgs {
    #[command(subcommand)]
    command: Option<CacheCommand>,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Args)]
struct Common {
    /// The extraction root (default: the cache's cargo-freeze directory).
    #[arg(long, value_name = "DIR", global = true)]
    dir: Option<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = CacheFormat::Human, global = true)]
    format: CacheFormat,
}

#[derive(Debug, Subcommand)]
enum CacheCommand {
    /// List the extractions: size, last use, whether a program holds them (the default).
    List,
    /// Remove extractions no running program holds, and leftovers of killed ones.
    Prune {
        /// Only the extractions of this bundle name.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Only those not started for at least DAYS days.
        #[arg(long, value_name = "DAYS")]
        unused_for: Option<u64>,
        /// Print what would be removed; remove nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CacheFormat {
    Human,
    Json,
}

pub(crate) fn run(args: &CacheArgs) -> Result<u8, Error> {
    let root = match &args.common.dir {
        Some(dir) => dir.clone(),
        None => cache::default_root()?,
    };
    let json = args.common.format == CacheFormat::Json;
    let mut out = std::io::stdout().lock();
    let written = match &args.command {
        None | Some(CacheCommand::List) => report::cache_list(&root, &cache::list(&root)?, json, &mut out),
        Some(CacheCommand::Prune { name, unused_for, dry_run }) => {
            let options = PruneOptions {
                name: name.clone(),
                unused_for: unused_for.map(|days| Duration::from_secs(days.saturating_mul(86400))),
                dry_run: *dry_run,
            };
            report::cache_pruned(&root, &cache::prune(&root, &options)?, *dry_run, json, &mut out)
        }
    };
    written.map_err(Error::Output)?;
    Ok(exit::CLEAN)
}
