//! Moving a site's comments in and out: readers for WordPress (WXR), Disqus, Isso and
//! replyd's own JSON, writers for JSON and WXR. Knows nothing of HTTP; writes only
//! through `moderation`'s history API, one transaction per page, and reads back through it.
mod disqus;
mod error;
mod export;
mod isso;
mod json;
mod json_read;
mod json_write;
mod report;
mod run;
mod source;
mod wp_html;
mod wxr_read;
mod wxr_write;
mod xml;

pub use error::TransferError;
pub use export::{ExportFormat, ExportOptions, Exported, export};
pub use report::Report;
pub use run::{ImportOptions, import};

/// The systems an import reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A WordPress export (WXR).
    Wordpress,
    /// A Disqus XML export.
    Disqus,
    /// An Isso SQLite database.
    Isso,
    /// replyd's own export.
    Json,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Wordpress => "wordpress",
            Format::Disqus => "disqus",
            Format::Isso => "isso",
            Format::Json => "json",
        }
    }
}
