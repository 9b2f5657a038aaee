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
use crate::keys::token::{Field, Purpose, SignedToken};
use entity::{comment, enums::CommentStatus, page};

/// How long after posting an author may still edit or delete.
pub const EDIT_WINDOW: Duration = Duration::minutes(15);

/// A token proving authorship of `comment_id` until `expires_at`: `ID.EXPIRES.v1.TAG`.
pub fn edit_token(keys: &crate::keys::Keys, comment_id: i64, expires_at: DateTime<Utc>) -> String {
    SignedToken::new(Purpose::OwnComment, expires_at)
        .int(comment_id)
        .sign(keys, &[])
}

impl Moderation {
    /// Whether `token` is this comment's own, canonical, unexpired edit token.
    fn check_own(&self, id: i64, token: &str) -> Result<(), ModerationError> {
        let now = self.clock.now();
        match SignedToken::verify(&self.keys, Purpose::OwnComment, &[], token, now) {
            Ok(t) if t.fields() == [Field::Int(id)] => Ok(()),
            _ => Err(ModerationError::Forbidden),
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

    /// The author's own comment, for editing it: proven by its edit token, within the window.
    pub async fn own_comment(
        &self,
        id: i64,
        token: &str,
    ) -> Result<comment::Model, ModerationError> {
        self.check_own(id, token)?;
        let c = comment::Entity::find_by_id(id)
            .one(&self.db.reader)
            .await?
            .ok_or(ModerationError::NotFound)?;
        if c.deleted {
            return Err(ModerationError::Deleted);
        }
        Ok(c)
    }

    /// The author deletes their comment within the window.
    pub async fn delete_own(&self, id: i64, token: &str) -> Result<Deletion, ModerationError> {
        self.check_own(id, token)?;
        self.delete(&Actor::Author, id).await
    }
}
