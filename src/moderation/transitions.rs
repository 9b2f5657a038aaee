//! Moderator actions on one comment: status changes, edits and deletion. Each runs in one
//! write transaction together with its audit row.
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, EntityTrait, ModelTrait,
    PaginatorTrait, QueryFilter,
};
use serde_json::json;

use super::audit::{self, Actor, Entry};
use super::input::CommentText;
use super::{Moderation, ModerationError, markdown, reports};
use crate::notify::Event;
use entity::comment;

/// A moderator's decision; the type lives in `entity` so that mail links can name it too.
pub use entity::enums::ModerationAction as Action;

/// What deleting did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// The row is gone.
    Removed,
    /// Replies hang off it, so it stays as an anonymous "deleted" placeholder.
    Tombstone,
}

impl Moderation {
    /// Moves a comment to the action's status. Doing it twice changes nothing the second time.
    pub async fn act(
        &self,
        actor: &Actor,
        id: i64,
        action: Action,
    ) -> Result<comment::Model, ModerationError> {
        let tx = self.db.begin_write().await?;
        let updated = self.act_in(&tx, actor, id, action, json!({})).await?;
        self.commit(tx, &[updated.page_id]).await?;
        Ok(updated)
    }

    /// [`Moderation::act`] inside the caller's transaction, so that other rows can be
    /// written atomically with the change and its audit row.
    pub(super) async fn act_in(
        &self,
        tx: &DatabaseTransaction,
        actor: &Actor,
        id: i64,
        action: Action,
        detail: serde_json::Value,
    ) -> Result<comment::Model, ModerationError> {
        let current = live_comment(tx, id).await?;
        let now = self.clock.now();
        // Acting on a comment answers its reports, whatever the action.
        reports::resolve(tx, actor, &current, action, now).await?;
        let from = current.status;
        let to = action.target();
        if from == to {
            // A moderator confirming what the filter did on its own (marking spam a comment
            // it stored as spam) is still a decision: it trains the filter, once. Without
            // this, every comment the filter caught during a replay was never learned from.
            self.train(tx, &current, to).await?;
            return Ok(current);
        }
        let republished = reports::held_by_reports(&current);
        let mut am: comment::ActiveModel = current.into();
        am.status = Set(to);
        am.updated_at = Set(now);
        let updated = am.update(tx).await?;
        self.train(tx, &updated, to).await?;
        audit::record(
            tx,
            Entry {
                actor,
                action: action.name(),
                comment_id: Some(id),
                from: Some(from),
                to: Some(to),
                detail,
                at: now,
            },
        )
        .await?;
        let event = Event::StatusChanged {
            from,
            comment: &updated,
            republished,
        };
        self.enqueue_mail(tx, event, now).await?;
        Ok(updated)
    }

    /// Replaces a comment's text; the previous text is kept in the audit row.
    pub async fn edit(
        &self,
        actor: &Actor,
        id: i64,
        text: CommentText,
    ) -> Result<comment::Model, ModerationError> {
        let tx = self.db.begin_write().await?;
        let current = live_comment(&tx, id).await?;
        let now = self.clock.now();
        let previous = current.text.clone();
        let status = current.status;
        let mut am: comment::ActiveModel = current.into();
        am.html = Set(markdown::render(text.as_str()));
        am.text = Set(text.into_inner());
        am.updated_at = Set(now);
        let updated = am.update(&tx).await?;
        audit::record(
            &tx,
            Entry {
                actor,
                action: "edit",
                comment_id: Some(id),
                from: Some(status),
                to: Some(status),
                detail: json!({ "previous_text": previous }),
                at: now,
            },
        )
        .await?;
        self.commit(tx, &[updated.page_id]).await?;
        Ok(updated)
    }

    /// Deletes a comment. One with replies becomes a tombstone stripped of everything
    /// personal, so the thread keeps its shape.
    pub async fn delete(&self, actor: &Actor, id: i64) -> Result<Deletion, ModerationError> {
        let tx = self.db.begin_write().await?;
        let current = live_comment(&tx, id).await?;
        let now = self.clock.now();
        let status = current.status;
        let page_id = current.page_id;
        let before = current.clone();
        let replies = comment::Entity::find()
            .filter(comment::Column::ParentId.eq(id))
            .count(&tx)
            .await?;
        let outcome = if replies > 0 {
            let mut am: comment::ActiveModel = current.into();
            super::placeholder::erase(&mut am);
            am.notify_replies = Set(false);
            am.updated_at = Set(now);
            am.update(&tx).await?;
            super::idempotency::forget(&tx, &[id]).await?;
            Deletion::Tombstone
        } else {
            current.delete(&tx).await?;
            Deletion::Removed
        };
        audit::record(
            &tx,
            Entry {
                actor,
                action: "delete",
                comment_id: Some(id),
                from: Some(status),
                to: None,
                detail: json!({ "tombstone": outcome == Deletion::Tombstone }),
                at: now,
            },
        )
        .await?;
        self.enqueue_mail(&tx, Event::Deleted(&before), now).await?;
        self.commit(tx, &[page_id]).await?;
        Ok(outcome)
    }
}

pub(super) async fn live_comment(
    tx: &DatabaseTransaction,
    id: i64,
) -> Result<comment::Model, ModerationError> {
    let c = comment::Entity::find_by_id(id)
        .one(tx)
        .await?
        .ok_or(ModerationError::NotFound)?;
    if c.deleted {
        return Err(ModerationError::Deleted);
    }
    Ok(c)
}
