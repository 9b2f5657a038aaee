//! Running an import: the whole source is read once and checked, so that a malformed file
//! imports nothing; then it is read again, page by page, on a thread of its own, while
//! each page is written in its own transaction. Memory holds a few pages at a time.
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio::sync::mpsc;

use super::error::{ReadError, TransferError};
use super::report::Report;
use super::source::Reading;
use super::{Format, disqus, isso, json_read, wxr_read};
use crate::moderation::{ImportRun, ImportedPage, Moderation, PreparedPage};

/// Pages read ahead of the writer.
const AHEAD: usize = 4;

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub format: Format,
    pub path: PathBuf,
    pub site: String,
    pub dry_run: bool,
    pub with_pings: bool,
    /// Draw a progress bar (on a terminal only).
    pub progress: bool,
}

/// Imports a file into a site and reports what it did.
pub async fn import(
    moderation: &Moderation,
    opts: &ImportOptions,
) -> Result<Report, TransferError> {
    if !moderation.has_site(&opts.site) {
        return Err(TransferError::UnknownSite(opts.site.clone()));
    }
    let started = Instant::now();
    let total = match std::fs::metadata(&opts.path) {
        Ok(m) => m.len(),
        Err(source) => {
            return Err(TransferError::Io {
                path: opts.path.clone(),
                source,
            });
        }
    };
    if !opts.dry_run {
        let bar = bar(opts.progress, total, "checking");
        let progress = Arc::new(AtomicU64::new(0));
        let ticking = tick(bar.clone(), progress.clone());
        let checked = read(opts.clone(), progress, |_| true).await;
        ticking.abort();
        bar.finish_and_clear();
        checked.map_err(|e| TransferError::from_read(&opts.path, e))?;
    }
    let bar = bar(
        opts.progress,
        total,
        if opts.dry_run { "dry run" } else { "importing" },
    );
    let mut report = write(moderation, opts, &bar).await?;
    bar.finish_and_clear();
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

async fn write(
    moderation: &Moderation,
    opts: &ImportOptions,
    bar: &ProgressBar,
) -> Result<Report, TransferError> {
    let (tx, mut rx) = mpsc::channel::<PreparedPage>(AHEAD);
    let progress = Arc::new(AtomicU64::new(0));
    let run = ImportRun {
        source: opts.format.name(),
        dry_run: opts.dry_run,
    };
    let (preparer, how) = (moderation.clone(), run.clone());
    // Not `blocking_send`: the Isso reader runs its queries inside `block_on` on this
    // thread, where tokio refuses to block. The writer sets the pace, so the reader waits.
    let reader = tokio::spawn(read(opts.clone(), progress.clone(), move |page| {
        let mut page = preparer.prepare_import(page, &how);
        loop {
            match tx.try_send(page) {
                Ok(()) => return true,
                Err(mpsc::error::TrySendError::Full(p)) => {
                    page = p;
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(mpsc::error::TrySendError::Closed(_)) => return false,
            }
        }
    }));
    let mut report = Report {
        source: opts.format.name().to_owned(),
        dry_run: opts.dry_run,
        ..Report::default()
    };
    while let Some(page) = rx.recv().await {
        let outcome = moderation.import_page(&opts.site, page, &run).await?;
        report.add(&outcome);
        bar.set_position(progress.load(Ordering::Relaxed));
    }
    let skipped = match reader.await {
        Ok(r) => r.map_err(|e| TransferError::from_read(&opts.path, e))?,
        Err(e) => {
            return Err(TransferError::from_read(
                &opts.path,
                ReadError::Io(std::io::Error::other(e)),
            ));
        }
    };
    for (why, n) in skipped {
        report.skip(&why, n);
    }
    Ok(report)
}

/// Reads the whole source on a blocking thread, handing each page to `emit`; returns
/// what the reader skipped, by reason.
async fn read(
    opts: ImportOptions,
    progress: Arc<AtomicU64>,
    mut emit: impl FnMut(ImportedPage) -> bool + Send + 'static,
) -> Result<std::collections::BTreeMap<String, usize>, ReadError> {
    let handle = tokio::runtime::Handle::current();
    let task = tokio::task::spawn_blocking(move || {
        let mut cx = Reading::new(opts.with_pings, progress, &mut emit);
        match opts.format {
            Format::Wordpress => wxr_read::read(&opts.path, &mut cx)?,
            Format::Disqus => disqus::read(&opts.path, &mut cx)?,
            Format::Json => json_read::read(&opts.path, &mut cx)?,
            Format::Isso => handle.block_on(isso::read(&opts.path, &mut cx))?,
        }
        Ok(cx.skipped)
    });
    task.await
        .map_err(|e| ReadError::Io(std::io::Error::other(e)))?
}

fn bar(show: bool, total: u64, what: &'static str) -> ProgressBar {
    if !show || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:>9} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what);
    bar
}

/// Moves the bar while a pass that writes nothing runs.
fn tick(bar: ProgressBar, progress: Arc<AtomicU64>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            bar.set_position(progress.load(Ordering::Relaxed));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
}
