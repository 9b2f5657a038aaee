//! A commenter's own comment: edit or delete it for a short while after posting, proven by
//! a signed token handed out at submission (no account, no cookie).
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::json;

use super::audit::{self, Actor, Entry};
use super::input::CommentText;
use super::transitions::Deletion;
use super::{Moderation, ModerationError, markdown};
use crate::config::ModerationMode;
use entity::{comment, enums::CommentStatus, page};

const PURPOSE: &str = "own-comment";

/// How long after posting an author may still edit or delete.
pub const EDIT_WINDOW: Duration = Duration::minutes(15);

/// A token proving authorship of `comment_id` until `expires_at`.
pub fn edit_token(keys: &crate::keys::Keys, comment_id: i64, expires_at: DateTime<Utc>) -> String {
    let msg = format!("{comment_id}.{}", expires_at.timestamp());
    format!("{msg}.{}", keys.sign(PURPOSE, &msg))
}

impl Moderation {
    fn check_own(&self, id: i64, token: &str) -> Result<(), ModerationError> {
        let mut parts = token.splitn(3, '.');
        let (Some(tid), Some(exp), Some(tag)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(ModerationError::Forbidden);
        };
        let valid = tid == id.to_string()
            && self.keys.verify(PURPOSE, &format!("{tid}.{exp}"), tag)
            && exp
                .parse::<i64>()
                .is_ok_and(|e| self.clock.now().timestamp() < e);
        if valid {
            Ok(())
        } else {
            Err(ModerationError::Forbidden)
        }
    }

    /// The author edits their text. On sites that moderate, an edited comment waits again,
    /// so approval cannot be used to slip in different text.
    pub async fn edit_own(
        &self,
        id: i64,
        token: &str,
        text: CommentText,
    ) -> Result<comment::Model, ModerationError> {
        self.check_own(id, token)?;
        let tx = self.db.begin_write().await?;
        let (current, page) = comment::Entity::find_by_id(id)
            .find_also_related(page::Entity)
            .one(&tx)
            .await?
            .and_then(|(c, p)| p.map(|p| (c, p)))
            .ok_or(ModerationError::NotFound)?;
        if current.deleted {
            return Err(ModerationError::Deleted);
        }
        let now = self.clock.now();
        let from = current.status;
        let open = self
            .config
            .site(&page.site_id)
            .is_some_and(|s| s.moderation == ModerationMode::None);
        let to = if from == CommentStatus::Approved && !open {
            CommentStatus::Pending
        } else {
            from
        };
        let previous = current.text.clone();
        let mut am: comment::ActiveModel = current.into();
        am.html = Set(markdown::render(text.as_str()));
        am.text = Set(text.into_inner());
        am.status = Set(to);
        am.updated_at = Set(now);
        let updated = am.update(&tx).await?;
        let detail = json!({ "previous_text": previous, "by": "author" });
        audit::record(
            &tx,
            Entry {
                actor: &Actor::Author,
                action: "edit",
                comment_id: Some(id),
                from: Some(from),
                to: Some(to),
                detail,
                at: now,
            },
        )
        .await?;
        self.commit(tx, &[updated.page_id]).await?;
        Ok(updated)
    }

    /// The author deletes their comment within the window.
    pub async fn delete_own(&self, id: i64, token: &str) -> Result<Deletion, ModerationError> {
        self.check_own(id, token)?;
        self.delete(&Actor::Author, id).await
    }
}
