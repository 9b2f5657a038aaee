//! Pinning a published comment to the top of its thread, and unpinning it. A page holds at
//! most the site's `max_pinned`; the thread lists pinned comments first, in pin order.
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
};
use serde_json::json;

use super::audit::{self, Actor, Entry};
use super::transitions::live_comment;
use super::{Moderation, ModerationError};
use entity::{comment, enums::CommentStatus, page};

impl Moderation {
    /// Pins (`pinned`) or unpins a comment. Doing it twice changes nothing the second time.
    pub async fn set_pinned(
        &self,
        actor: &Actor,
        id: i64,
        pinned: bool,
    ) -> Result<comment::Model, ModerationError> {
        let tx = self.db.begin_write().await?;
        let current = live_comment(&tx, id).await?;
        if current.pinned_at.is_some() == pinned {
            return Ok(current);
        }
        if pinned {
            self.check_pinnable(&tx, &current).await?;
        }
        let now = self.clock.now();
        let page_id = current.page_id;
        let status = current.status;
        let mut am: comment::ActiveModel = current.into();
        am.pinned_at = Set(pinned.then_some(now));
        let updated = am.update(&tx).await?;
        let entry = Entry {
            actor,
            action: if pinned { "pin" } else { "unpin" },
            comment_id: Some(id),
            from: Some(status),
            to: Some(status),
            detail: json!({}),
            at: now,
        };
        audit::record(&tx, entry).await?;
        self.commit(tx, &[page_id]).await?;
        Ok(updated)
    }

    /// Only a published comment may be pinned, and only while the page has room.
    async fn check_pinnable(
        &self,
        tx: &sea_orm::DatabaseTransaction,
        c: &comment::Model,
    ) -> Result<(), ModerationError> {
        if c.status != CommentStatus::Approved {
            return Err(ModerationError::field(
                "id",
                "only a published comment can be pinned",
            ));
        }
        let site = page::Entity::find_by_id(c.page_id)
            .one(tx)
            .await?
            .and_then(|p| self.config.site(&p.site_id).cloned())
            .ok_or(ModerationError::UnknownSite)?;
        let pinned = comment::Entity::find()
            .filter(comment::Column::PageId.eq(c.page_id))
            .filter(comment::Column::PinnedAt.is_not_null())
            .count(tx)
            .await?;
        if pinned >= u64::from(site.max_pinned) {
            return Err(ModerationError::TooManyPinned(site.max_pinned));
        }
        Ok(())
    }
}
