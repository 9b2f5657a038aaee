//! A commenter's own comment: edit or delete it for a short while after posting, proven by
//! a signed token handed out at submission (no account, no cookie).
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::json;

use super::audit::{self, Actor, Entry};
use super::input::CommentText;
use super::policy::{self, Decision, Facts};
use super::screening::{self, Submission, TokenCheck};
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

    /// The author edits their text. The new text is screened as a new comment would be: a
    /// spam finding sends it to spam and a hold finding takes it off the page, even on a
    /// site that publishes at once. On sites that moderate, an edited comment waits again,
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
        let screened = self.screen_edit(&current, text.as_str(), now).await?;
        let to = match screened.status {
            CommentStatus::Spam => CommentStatus::Spam,
            CommentStatus::Pending if from == CommentStatus::Approved => CommentStatus::Pending,
            _ if from == CommentStatus::Approved && !open => CommentStatus::Pending,
            _ => from,
        };
        let previous = current.text.clone();
        let mut am: comment::ActiveModel = current.into();
        am.html = Set(markdown::render(text.as_str()));
        am.text = Set(text.into_inner());
        am.status = Set(to);
        if !screened.reasons.is_empty() {
            am.reasons = Set(serde_json::to_string(&screened.reasons).unwrap_or_default());
        }
        am.updated_at = Set(now);
        let updated = am.update(&tx).await?;
        let detail =
            json!({ "previous_text": previous, "by": "author", "reasons": screened.reasons });
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

    /// The edited text through the same screening as a new comment (lists, bans, links),
    /// with what is kept of its author. The decision counts findings only: whether the site
    /// moderates is `edit_own`'s business.
    async fn screen_edit(
        &self,
        current: &comment::Model,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Decision, ModerationError> {
        let lists = self.lists.get(&self.db.reader, now).await?;
        let submission = Submission {
            name: &current.author_name,
            email: &current.email_norm,
            url: current.author_url.as_deref(),
            text,
            ip: None,
            ip_hash: current.ip_hash.as_deref(),
            user_agent: current.user_agent.as_deref(),
            honeypot: None,
            // The edit token proved the author; the form's time trap was passed at posting.
            token: TokenCheck::Valid,
        };
        let findings =
            screening::screen_submission(&submission, &lists, self.config.spam.max_links, now);
        Ok(policy::decide(&Facts {
            mode: ModerationMode::None,
            author_known: true,
            findings,
        }))
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
