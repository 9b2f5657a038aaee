//! Comments that already happened: written as they are, with the status and time they
//! come with, for demo seeding (here) and imports (`import`, planned by `plan`; found again
//! through `lookup`; read back for exports by `export`). No screening and no mail, since
//! nothing here is new; the HTML is rendered and sanitised as for every comment, and each
//! batch or page is one transaction with one audit row.
mod export;
pub mod import;
pub mod lookup;
mod plan;
mod rows;

use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, EntityTrait, NotSet};
use serde_json::json;

use crate::moderation::audit::{self, Actor, Entry};
use crate::moderation::input::PageUri;
use crate::moderation::{Moderation, ModerationError, markdown, store};
use entity::{comment, enums::CommentStatus};

/// One comment from the past.
#[derive(Debug, Clone)]
pub struct PastComment {
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    /// Markdown source, rendered here like any other comment's.
    pub text: String,
    pub status: CommentStatus,
    pub created_at: DateTime<Utc>,
}

impl Moderation {
    /// Writes `comments` onto one page in one transaction, with one audit row naming
    /// `why` (e.g. `seed`). Returns the new ids, in order.
    pub async fn write_history(
        &self,
        site: &str,
        uri: &PageUri,
        comments: Vec<PastComment>,
        why: &str,
    ) -> Result<Vec<i64>, ModerationError> {
        self.config.site(site).ok_or(ModerationError::UnknownSite)?;
        if comments.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let page = store::page_for(&tx, site, uri.as_str(), None, now).await?;
        let n = comments.len();
        let status = comments.first().map(|c| c.status);
        let rows = comments.into_iter().map(|c| row(page.id, c));
        let written = comment::Entity::insert_many(rows)
            .exec_with_returning(&tx)
            .await?;
        let detail = json!({ "site": site, "uri": uri.as_str(), "comments": n });
        let mut entry = Entry::general(&Actor::System, why, detail, now);
        entry.to = status;
        audit::record(&tx, entry).await?;
        self.commit(tx, &[page.id]).await?;
        Ok(written.into_iter().map(|m| m.id).collect())
    }
}

fn row(page_id: i64, c: PastComment) -> comment::ActiveModel {
    comment::ActiveModel {
        id: NotSet,
        page_id: Set(page_id),
        parent_id: Set(c.parent_id),
        author_name: Set(c.author_name),
        email_norm: Set(c.author_email.trim().to_lowercase()),
        author_email: Set(c.author_email),
        author_url: Set(c.author_url),
        html: Set(markdown::render(&c.text)),
        text: Set(c.text),
        status: Set(c.status),
        reasons: Set("[]".into()),
        ip_hash: Set(None),
        ip_prefix: Set(None),
        user_agent: Set(None),
        notify_replies: Set(false),
        by_moderator: Set(false),
        deleted: Set(false),
        dup_key: Set(None),
        source_id: Set(None),
        pinned_at: Set(None),
        reports_dismissed: Set(false),
        created_at: Set(c.created_at),
        updated_at: Set(c.created_at),
    }
}
