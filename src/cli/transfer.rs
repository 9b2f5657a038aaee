//! `replyd import`, `replyd export` and `replyd purge`: a site's history in and out, and
//! what retention would remove.
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::config::Config;
use crate::transfer::{self, Format, ImportOptions};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Source {
    /// A WordPress export (Tools → Export, a WXR file).
    Wordpress,
    /// A Disqus XML export.
    Disqus,
    /// An Isso SQLite database file (opened read-only).
    Isso,
    /// replyd's own JSON export.
    Json,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// What the file is.
    #[arg(value_enum)]
    pub source: Source,
    pub file: PathBuf,
    /// The site (a `[[sites]]` id) the comments belong to.
    #[arg(long)]
    pub site: String,
    /// Read and check everything, report what would be imported, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Import pingbacks and trackbacks as comments too (they are skipped by default).
    #[arg(long)]
    pub with_pings: bool,
}

pub async fn import(config: Config, args: ImportArgs) -> anyhow::Result<()> {
    let moderation = super::moderation(config).await?;
    let format = match args.source {
        Source::Wordpress => Format::Wordpress,
        Source::Disqus => Format::Disqus,
        Source::Isso => Format::Isso,
        Source::Json => Format::Json,
    };
    let opts = ImportOptions {
        format,
        path: args.file,
        site: args.site,
        dry_run: args.dry_run,
        with_pings: args.with_pings,
        progress: true,
    };
    let report = transfer::import(&moderation, &opts).await?;
    print!("{report}");
    Ok(())
}
