//! Response types of the JSON API. Entities are converted here, field by field, so an
//! email address can only appear where a type names it.
use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::moderation::verdict::Reason;
use entity::{audit_log, comment, enums::CommentStatus, page};

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A published comment. Carries no email address and nothing derived from one.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicComment {
    pub id: i64,
    pub parent_id: Option<i64>,
    /// Null for a deleted comment kept as a placeholder.
    pub author_name: Option<String>,
    pub author_url: Option<String>,
    /// Sanitised HTML, rendered when the comment was written.
    pub html: String,
    pub created_at: String,
    /// Initials for an avatar, from the name alone.
    pub avatar: String,
    pub by_moderator: bool,
    pub deleted: bool,
    /// A moderator pinned it to the top of the thread.
    pub pinned: bool,
}

impl From<&comment::Model> for PublicComment {
    fn from(c: &comment::Model) -> Self {
        PublicComment {
            id: c.id,
            parent_id: c.parent_id,
            author_name: (!c.deleted).then(|| c.author_name.clone()),
            author_url: if c.deleted {
                None
            } else {
                c.author_url.clone()
            },
            html: c.html.clone(),
            created_at: rfc3339(c.created_at),
            avatar: if c.deleted {
                String::new()
            } else {
                initials(&c.author_name)
            },
            by_moderator: c.by_moderator,
            deleted: c.deleted,
            pinned: c.pinned_at.is_some(),
        }
    }
}

pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .flat_map(char::to_uppercase)
        .collect()
}

/// What the thread cache holds and every visitor gets.
#[derive(Debug, Serialize)]
pub struct ThreadBody<'a> {
    pub comments: &'a [PublicComment],
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
    pub closed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadResponse {
    pub comments: Vec<PublicComment>,
    /// Approved comments on the page, across all pages of results.
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
    /// The page takes no new comments or replies ("Comments are closed.").
    pub closed: bool,
}

/// A form token, from `GET /api/v1/form-token`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FormTokenResponse {
    /// Send this back as `form_token` with a new comment on this page. It proves the form
    /// came from here and when; a comment without a valid one is never published at once.
    pub form_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubmitResponse {
    pub id: i64,
    /// `approved` when published at once, otherwise `pending`.
    #[schema(value_type = String, example = "pending")]
    pub status: CommentStatus,
    pub created_at: String,
    pub author_name: String,
    pub author_url: Option<String>,
    pub avatar: String,
    /// The rendered comment, so the author can see it while it awaits moderation.
    pub html: String,
    /// Lets the author edit or delete this comment until `edit_expires_at`.
    pub edit_token: String,
    pub edit_expires_at: String,
    /// Keep this (with the commenter's consent) and send it back as `returning_token` with
    /// the next comment from the same email on this site: once this comment is approved,
    /// it is the proof that first-time moderation asks of a returning commenter.
    pub returning_token: String,
}

/// The author's view of their own comment after an edit.
#[derive(Debug, Serialize, ToSchema)]
pub struct OwnCommentResponse {
    pub id: i64,
    #[schema(value_type = String, example = "pending")]
    pub status: CommentStatus,
    pub html: String,
}

/// Page path to number of published comments.
#[derive(Debug, Serialize, ToSchema)]
#[serde(transparent)]
pub struct CountsResponse(pub BTreeMap<String, u64>);

/// A comment as moderators see it, private details included.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminComment {
    pub id: i64,
    pub site: String,
    pub uri: String,
    pub page_title: Option<String>,
    pub parent_id: Option<i64>,
    pub author_name: String,
    pub author_email: String,
    pub author_url: Option<String>,
    pub text: String,
    pub html: String,
    #[schema(value_type = String, example = "pending")]
    pub status: CommentStatus,
    pub reasons: Vec<ReasonView>,
    /// The spam filter's score, 0 (legitimate) to 1 (spam), when the comment arrived; null
    /// while the site's filter was untrained (or for comments from before it).
    pub spam_score: Option<f32>,
    /// The client's network (/24 or /48), never the full address.
    pub ip_prefix: Option<String>,
    pub user_agent: Option<String>,
    pub notify_replies: bool,
    pub by_moderator: bool,
    pub deleted: bool,
    pub created_at: String,
    pub updated_at: String,
    /// Pinned to the top of its thread.
    pub pinned: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonView {
    pub rule: String,
    pub detail: String,
    pub score: f32,
}

impl AdminComment {
    pub fn new(c: &comment::Model, p: &page::Model) -> AdminComment {
        let reasons: Vec<Reason> = serde_json::from_str(&c.reasons).unwrap_or_default();
        AdminComment {
            id: c.id,
            site: p.site_id.clone(),
            uri: p.uri.clone(),
            page_title: p.title.clone(),
            parent_id: c.parent_id,
            author_name: c.author_name.clone(),
            author_email: c.author_email.clone(),
            author_url: c.author_url.clone(),
            text: c.text.clone(),
            html: c.html.clone(),
            status: c.status,
            spam_score: crate::moderation::filter::score_of(&reasons),
            reasons: reasons
                .into_iter()
                .map(|r| ReasonView {
                    rule: r.rule,
                    detail: r.detail,
                    score: r.score,
                })
                .collect(),
            ip_prefix: c.ip_prefix.clone(),
            user_agent: c.user_agent.clone(),
            notify_replies: c.notify_replies,
            by_moderator: c.by_moderator,
            deleted: c.deleted,
            created_at: rfc3339(c.created_at),
            updated_at: rfc3339(c.updated_at),
            pinned: c.pinned_at.is_some(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminCommentList {
    pub comments: Vec<AdminComment>,
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub actor: String,
    pub action: String,
    pub comment_id: Option<i64>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    pub created_at: String,
}

impl From<&audit_log::Model> for AuditEntry {
    fn from(a: &audit_log::Model) -> Self {
        AuditEntry {
            id: a.id,
            actor: crate::moderation::audit::label(a.actor_kind, a.actor_id),
            action: a.action.clone(),
            comment_id: a.comment_id,
            from_status: a.from_status.map(|s| s.as_str().to_owned()),
            to_status: a.to_status.map(|s| s.as_str().to_owned()),
            detail: serde_json::from_str(&a.detail).unwrap_or(serde_json::Value::Null),
            created_at: rfc3339(a.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditList {
    pub entries: Vec<AuditEntry>,
    pub total: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeleteResponse {
    pub id: i64,
    /// True when the comment had replies and stays as an anonymous placeholder.
    pub tombstone: bool,
}
