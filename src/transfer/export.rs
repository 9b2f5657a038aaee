//! Exports: a site's pages, a batch at a time, each with every comment on it, handed to the
//! JSON or WXR writer as they are read. Emails go out only when asked for.
use std::io::Write;

use super::error::TransferError;
use super::{json_write, wxr_write};
use crate::moderation::Moderation;
use entity::{comment, page};

/// Pages read per query.
const PAGES_AT_ONCE: u64 = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// replyd's own JSON (the README documents it).
    Json,
    /// A WordPress export (WXR 1.2), as WordPress's importer reads it.
    Wxr,
}

#[derive(Debug, Clone)]
pub struct ExportOptions {
    pub site: String,
    pub format: ExportFormat,
    /// Include commenters' email addresses.
    pub with_emails: bool,
}

/// What an export wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Exported {
    pub pages: usize,
    pub comments: usize,
}

/// One page and its comments, as the writers receive them.
pub struct PageOut {
    pub page: page::Model,
    /// The WordPress post the page came from.
    pub wp_post_id: Option<i64>,
    pub comments: Vec<comment::Model>,
}

pub async fn export(
    moderation: &Moderation,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<Exported, TransferError> {
    let Some(site) = moderation.site(&opts.site).cloned() else {
        return Err(TransferError::UnknownSite(opts.site.clone()));
    };
    let io = |source| TransferError::Io {
        path: "the output".into(),
        source,
    };
    let now = chrono::Utc::now();
    let mut json = json_write::Writer::new(opts.with_emails);
    let posts = moderation.wp_post_ids(&site.id).await?;
    let max_post = posts.values().copied().max().unwrap_or(0);
    let mut wxr = wxr_write::Writer::new(&site, opts.with_emails, max_post);
    match opts.format {
        ExportFormat::Json => json.start(out, &site.id, now).map_err(io)?,
        ExportFormat::Wxr => wxr.start(out, now).map_err(io)?,
    }
    let mut done = Exported::default();
    let mut after = 0;
    loop {
        let pages = moderation
            .pages_after(&site.id, after, PAGES_AT_ONCE)
            .await?;
        let Some(last) = pages.last() else { break };
        after = last.id;
        for page in pages {
            let comments = moderation.page_comments(page.id).await?;
            done.pages += 1;
            done.comments += comments.len();
            let wp_post_id = posts.get(&page.id).copied();
            let p = PageOut {
                page,
                wp_post_id,
                comments,
            };
            match opts.format {
                ExportFormat::Json => json.page(out, &p).map_err(io)?,
                ExportFormat::Wxr => wxr.page(out, &p).map_err(io)?,
            }
        }
    }
    match opts.format {
        ExportFormat::Json => json.finish(out).map_err(io)?,
        ExportFormat::Wxr => wxr.finish(out).map_err(io)?,
    }
    out.flush().map_err(io)?;
    Ok(done)
}
