//! replyd's own export format, as documented in the README: one JSON document with a
//! header and the site's pages, each with all its comments. Written and read a page at a
//! time, so an export of any size streams both ways.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use entity::enums::CommentStatus;

/// The value of the document's `format` key.
pub const FORMAT: &str = "replyd-export";
pub const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    pub uri: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub wp_post_id: Option<i64>,
    #[serde(default)]
    pub comments_closed: bool,
    #[serde(default)]
    pub comments: Vec<Comment>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    /// This comment's id in the exporting install; `parent_id` refers to it.
    pub id: i64,
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// Where the comment was imported from before (`wordpress:12`); kept by the next
    /// import, so the WordPress form's `comment_parent` still finds it.
    #[serde(default)]
    pub source_id: Option<String>,
    pub status: CommentStatus,
    /// A placeholder for a deleted comment that has replies.
    #[serde(default)]
    pub deleted: bool,
    #[serde(default)]
    pub by_moderator: bool,
    #[serde(default)]
    pub author_name: String,
    /// Only in exports made `--with-emails`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author_email: Option<String>,
    #[serde(default)]
    pub author_url: Option<String>,
    /// The Markdown the comment was written in.
    #[serde(default)]
    pub text: String,
    /// The sanitised HTML it is published as.
    #[serde(default)]
    pub html: String,
    pub created_at: DateTime<Utc>,
}
