//! A moderator's reply: published at once and marked as coming from a moderator. Replying
//! to a pending comment approves it too, as the reply would otherwise hang in mid-air.
//! Moderators may reply on a closed page (as in WordPress): closing stops readers only.
use sea_orm::{ActiveModelTrait, ActiveValue::Set, NotSet};
use serde_json::json;

use super::audit::{self, Actor, Entry};
use super::input::CommentText;
use super::transitions::live_comment;
use super::{Action, Moderation, ModerationError, markdown};
use crate::notify::Event;
use entity::{comment, enums::CommentStatus};

/// Who the reply is shown as: the moderator's own name and email.
#[derive(Debug, Clone)]
pub struct ReplyAuthor {
    pub name: String,
    pub email: String,
}

impl Moderation {
    /// Publishes `text` as a reply to `parent_id`, in one transaction with its audit rows.
    pub async fn reply_as_moderator(
        &self,
        actor: &Actor,
        author: &ReplyAuthor,
        parent_id: i64,
        text: CommentText,
    ) -> Result<comment::Model, ModerationError> {
        let tx = self.db.begin_write().await?;
        let parent = live_comment(&tx, parent_id).await?;
        match parent.status {
            CommentStatus::Approved => {}
            CommentStatus::Pending => {
                self.act_in(
                    &tx,
                    actor,
                    parent_id,
                    Action::Approve,
                    json!({"by_reply": true}),
                )
                .await?;
            }
            CommentStatus::Rejected | CommentStatus::Spam => {
                return Err(ModerationError::field(
                    "parent_id",
                    "can only reply to a pending or approved comment",
                ));
            }
        }
        let now = self.clock.now();
        let row = reply_row(&parent, author, text, now).insert(&tx).await?;
        audit::record(
            &tx,
            Entry {
                actor,
                action: "reply",
                comment_id: Some(row.id),
                from: None,
                to: Some(CommentStatus::Approved),
                detail: json!({ "parent_id": parent_id }),
                at: now,
            },
        )
        .await?;
        // The parent's author may have asked to hear about replies.
        self.enqueue_mail(&tx, Event::Submitted(&row), now).await?;
        self.commit(tx, &[row.page_id]).await?;
        Ok(row)
    }
}

/// A moderator's reply to `parent`: published, marked as a moderator's, and without any of
/// the client details a commenter's comment carries.
fn reply_row(
    parent: &comment::Model,
    author: &ReplyAuthor,
    text: CommentText,
    now: chrono::DateTime<chrono::Utc>,
) -> comment::ActiveModel {
    comment::ActiveModel {
        id: NotSet,
        page_id: Set(parent.page_id),
        parent_id: Set(Some(parent.id)),
        author_name: Set(author.name.clone()),
        author_email: Set(author.email.clone()),
        email_norm: Set(author.email.trim().to_lowercase()),
        author_url: Set(None),
        html: Set(markdown::render(text.as_str())),
        text: Set(text.into_inner()),
        status: Set(CommentStatus::Approved),
        reasons: Set("[]".into()),
        ip_hash: Set(None),
        ip_prefix: Set(None),
        user_agent: Set(None),
        notify_replies: Set(false),
        by_moderator: Set(true),
        deleted: Set(false),
        dup_key: Set(None),
        source_id: Set(None),
        pinned_at: Set(None),
        reports_dismissed: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
}
