//! The append-only audit log: one row per moderation action, written in the action's
//! own transaction.
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, NotSet};
use serde_json::Value;

use chrono::{DateTime, Utc};
use entity::{audit_log, enums::CommentStatus};

/// Who did something. `OneClick` is whoever holds a signed link from a notification mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    Moderator {
        id: i64,
    },
    Token {
        id: i64,
    },
    /// The commenter, proven by their edit token.
    Author,
    OneClick,
    System,
}

impl Actor {
    pub fn label(&self) -> String {
        match self {
            Actor::Moderator { id } => format!("moderator:{id}"),
            Actor::Token { id } => format!("token:{id}"),
            Actor::Author => "author".into(),
            Actor::OneClick => "one-click".into(),
            Actor::System => "system".into(),
        }
    }
}

pub struct Entry<'a> {
    pub actor: &'a Actor,
    pub action: &'a str,
    pub comment_id: Option<i64>,
    pub from: Option<CommentStatus>,
    pub to: Option<CommentStatus>,
    pub detail: Value,
    pub at: DateTime<Utc>,
}

impl<'a> Entry<'a> {
    /// An action that concerns no single comment (rules, bans, moderators, seeding).
    pub fn general(
        actor: &'a Actor,
        action: &'a str,
        detail: Value,
        at: DateTime<Utc>,
    ) -> Entry<'a> {
        Entry {
            actor,
            action,
            comment_id: None,
            from: None,
            to: None,
            detail,
            at,
        }
    }
}

pub async fn record<C: ConnectionTrait>(db: &C, e: Entry<'_>) -> Result<(), DbErr> {
    record_all(db, vec![e]).await
}

/// Appends several rows in one statement.
pub async fn record_all<C: ConnectionTrait>(db: &C, entries: Vec<Entry<'_>>) -> Result<(), DbErr> {
    if entries.is_empty() {
        return Ok(());
    }
    let rows = entries.into_iter().map(|e| audit_log::ActiveModel {
        id: NotSet,
        actor: Set(e.actor.label()),
        action: Set(e.action.to_owned()),
        comment_id: Set(e.comment_id),
        from_status: Set(e.from.map(|s| s.as_str().to_owned())),
        to_status: Set(e.to.map(|s| s.as_str().to_owned())),
        detail: Set(e.detail.to_string()),
        created_at: Set(e.at),
    });
    audit_log::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}
