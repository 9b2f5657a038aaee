//! The append-only audit log: one row per moderation action, written in the action's
//! own transaction. Who acted is stored as a kind and an id; it never reads a row back.
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, NotSet};
use serde_json::Value;

use chrono::{DateTime, Utc};
use entity::{
    audit_log,
    enums::{ActorKind, CommentStatus},
};

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
    /// The operator at the server's command line.
    Cli,
}

impl Actor {
    /// The `actor_kind` column.
    pub fn kind(&self) -> ActorKind {
        match self {
            Actor::Moderator { .. } => ActorKind::Moderator,
            Actor::Token { .. } => ActorKind::Token,
            Actor::Author => ActorKind::Author,
            Actor::OneClick => ActorKind::OneClick,
            Actor::System => ActorKind::System,
            Actor::Cli => ActorKind::Cli,
        }
    }

    /// The `actor_id` column: the moderator's or the token's id.
    pub fn id(&self) -> Option<i64> {
        match self {
            Actor::Moderator { id } | Actor::Token { id } => Some(*id),
            _ => None,
        }
    }

    pub fn label(&self) -> String {
        label(self.kind(), self.id())
    }
}

/// The public spelling of an actor, as the API shows it: `moderator:3`, `token:2`,
/// `author`, `one-click`, `system`, `cli`.
pub fn label(kind: ActorKind, id: Option<i64>) -> String {
    let word = match kind {
        ActorKind::Moderator => "moderator",
        ActorKind::Token => "token",
        ActorKind::Author => "author",
        ActorKind::OneClick => "one-click",
        ActorKind::System => "system",
        ActorKind::Cli => "cli",
    };
    match id {
        Some(id) => format!("{word}:{id}"),
        None => word.to_owned(),
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
        actor_kind: Set(e.actor.kind()),
        actor_id: Set(e.actor.id()),
        action: Set(e.action.to_owned()),
        comment_id: Set(e.comment_id),
        from_status: Set(e.from),
        to_status: Set(e.to),
        detail: Set(e.detail.to_string()),
        created_at: Set(e.at),
    });
    audit_log::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_actor_keeps_the_label_it_always_had() {
        let cases = [
            (Actor::Moderator { id: 3 }, "moderator:3"),
            (Actor::Token { id: 2 }, "token:2"),
            (Actor::Author, "author"),
            (Actor::OneClick, "one-click"),
            (Actor::System, "system"),
            (Actor::Cli, "cli"),
        ];
        for (actor, want) in cases {
            assert_eq!(actor.label(), want);
            assert_eq!(label(actor.kind(), actor.id()), want);
        }
    }
}
