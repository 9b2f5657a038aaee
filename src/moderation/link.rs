//! Spending a one-click moderation link: the spent-link row, the status change and its
//! audit row commit together, so a link works exactly once. A link is also stale once the
//! comment changed after the link was made, by any path (the dashboard, the API, another
//! link, the author's edit): it then acts no more. `notify::links` checks links; this file
//! only spends verified ones.
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::audit::Actor;
use super::{Action, Moderation, ModerationError};
use crate::notify::links::OneClick;
use entity::enums::CommentStatus;
use entity::{comment, spent_link};

/// A link that was already used: what it did and when.
#[derive(Debug, Clone)]
pub struct SpentLink {
    pub action: Action,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub enum LinkOutcome {
    Done(Box<comment::Model>),
    AlreadyUsed(SpentLink),
    /// The comment changed after the link was made; it is in this status now.
    Stale(CommentStatus),
}

/// Whether `c` changed after `link` was made. Compared in whole seconds, the precision of
/// the link's expiry: a change in the same second as the mail was written is not seen.
pub fn is_stale(link: &OneClick, c: &comment::Model) -> bool {
    c.updated_at.timestamp() > link.issued_at_secs()
}

impl Moderation {
    /// Whether this verified link was used, and how.
    pub async fn spent_link(&self, link: &OneClick) -> Result<Option<SpentLink>, ModerationError> {
        let row = spent_link::Entity::find_by_id(token_hash(link))
            .one(&self.db.reader)
            .await?;
        Ok(row.map(spent))
    }

    /// Carries out a verified one-click link, once.
    pub async fn act_by_link(&self, link: &OneClick) -> Result<LinkOutcome, ModerationError> {
        let tx = self.db.begin_write().await?;
        let hash = token_hash(link);
        if let Some(used) = spent_link::Entity::find_by_id(hash.clone())
            .one(&tx)
            .await?
        {
            tx.commit().await?;
            return Ok(LinkOutcome::AlreadyUsed(spent(used)));
        }
        if let Some(c) = comment::Entity::find_by_id(link.comment_id)
            .one(&tx)
            .await?
            && is_stale(link, &c)
        {
            tx.commit().await?;
            return Ok(LinkOutcome::Stale(c.status));
        }
        let detail = json!({ "via": "one-click link", "expires_at": link.expires_at });
        let updated = self
            .act_in(&tx, &Actor::OneClick, link.comment_id, link.action, detail)
            .await?;
        // A concurrent use of the same link fails here on the primary key and rolls back.
        spent_link::Entity::insert(spent_link::ActiveModel {
            token_hash: Set(hash),
            comment_id: Set(link.comment_id),
            action: Set(link.action),
            spent_at: Set(self.clock.now()),
        })
        .exec(&tx)
        .await?;
        self.commit(tx, &[updated.page_id]).await?;
        Ok(LinkOutcome::Done(Box::new(updated)))
    }
}

fn spent(row: spent_link::Model) -> SpentLink {
    SpentLink {
        action: row.action,
        at: row.spent_at,
    }
}

/// Single use is keyed by the hash of the link's canonical text. A verified link's token is
/// that text itself: verification refuses every other spelling (a leading zero, a `+`, other
/// base64 bits), so one link cannot be spent twice under two spellings.
fn token_hash(link: &OneClick) -> String {
    hex::encode(Sha256::digest(link.token.as_bytes()))
}
