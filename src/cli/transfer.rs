//! `replyd import`, `replyd export` and `replyd purge`: a site's history in and out, and
//! what retention would remove.
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use crate::config::Config;
use crate::transfer::{self, ExportFormat, ExportOptions, Format, ImportOptions};

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

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Target {
    /// replyd's own JSON, which `replyd import json` reads back.
    Json,
    /// A WordPress export (WXR), for WordPress's importer or `replyd import wordpress`.
    Wxr,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[arg(long)]
    pub site: String,
    #[arg(long, value_enum)]
    pub format: Target,
    /// Include commenters' email addresses (left out by default).
    #[arg(long)]
    pub with_emails: bool,
    /// Write here instead of to standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub async fn export(config: Config, args: ExportArgs) -> anyhow::Result<()> {
    let moderation = super::moderation(config).await?;
    let opts = ExportOptions {
        site: args.site,
        format: match args.format {
            Target::Json => ExportFormat::Json,
            Target::Wxr => ExportFormat::Wxr,
        },
        with_emails: args.with_emails,
    };
    let done = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            transfer::export(&moderation, &opts, &mut out).await?
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            transfer::export(&moderation, &opts, &mut out).await?
        }
    };
    eprintln!(
        "exported {} comments on {} pages",
        done.comments, done.pages
    );
    Ok(())
}

#[derive(Debug, Args)]
pub struct PurgeArgs {
    /// Show what would be removed; remove nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `replyd purge`: one run of the retention job, now.
pub async fn purge(config: Config, args: PurgeArgs) -> anyhow::Result<()> {
    let retention = config.retention.clone();
    let moderation = super::moderation(config.clone()).await?;
    let db = moderation.db().clone();
    let keys = crate::keys::Keys::load(&db.writer, config.security.secret.as_ref()).await?;
    let clock = crate::clock::Clock::system();
    let notify =
        crate::notify::Notifier::new(db, std::sync::Arc::new(config), keys, clock.clone())?;
    let job = crate::retention::Retention::new(moderation, notify, retention, clock);
    print!("{}", job.run_once(args.dry_run).await?);
    Ok(())
}
