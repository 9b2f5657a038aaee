//! Moving a site's comments in and out: readers for WordPress (WXR), Disqus, Isso and
//! replyd's own JSON, writers for JSON and WXR. Knows nothing of HTTP; writes only
//! through `moderation`'s history API, one transaction per page, and reads back through it.
mod disqus;
mod error;
mod isso;
mod json_read;
mod report;
mod run;
mod source;
mod wp_html;
mod wxr_read;
mod xml;

pub use error::TransferError;
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
