//! Spending a one-click moderation link: the spent-link row, the status change and its
//! audit row commit together, so a link works exactly once.
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::audit::Actor;
use super::one_click::OneClick;
use super::{Action, Moderation, ModerationError};
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
}

impl Moderation {
    /// Whether this (already verified) link token was used, and how.
    pub async fn spent_link(&self, token: &str) -> Result<Option<SpentLink>, ModerationError> {
        let row = spent_link::Entity::find_by_id(token_hash(token))
            .one(&self.db.reader)
            .await?;
        Ok(row.and_then(spent))
    }

    /// Carries out a verified one-click link, once.
    pub async fn act_by_link(
        &self,
        token: &str,
        link: &OneClick,
    ) -> Result<LinkOutcome, ModerationError> {
        let tx = self.db.begin_write().await?;
        let hash = token_hash(token);
        if let Some(used) = spent_link::Entity::find_by_id(hash.clone())
            .one(&tx)
            .await?
        {
            tx.commit().await?;
            return match spent(used) {
                Some(s) => Ok(LinkOutcome::AlreadyUsed(s)),
                None => Err(ModerationError::NotFound),
            };
        }
        let detail = json!({ "via": "one-click link", "expires_at": link.expires_at });
        let updated = self
            .act_in(&tx, &Actor::OneClick, link.comment_id, link.action, detail)
            .await?;
        // A concurrent use of the same link fails here on the primary key and rolls back.
        spent_link::Entity::insert(spent_link::ActiveModel {
            token_hash: Set(hash),
            comment_id: Set(link.comment_id),
            action: Set(link.action.name().to_owned()),
            spent_at: Set(self.clock.now()),
        })
        .exec(&tx)
        .await?;
        self.commit(tx, &[updated.page_id]).await?;
        Ok(LinkOutcome::Done(Box::new(updated)))
    }
}

fn spent(row: spent_link::Model) -> Option<SpentLink> {
    Action::parse(&row.action).map(|action| SpentLink {
        action,
        at: row.spent_at,
    })
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
