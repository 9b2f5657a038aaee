//! Moderators managing the word lists and bans. Input is checked field by field; each
//! change is one transaction together with its audit row, and reaches every instance's
//! copy of the lists (`lists`).
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, NotSet,
    QueryFilter, QueryOrder,
};
use serde_json::json;

use super::bans::{BanKind, BanTarget};
use super::words::RuleKind;
use crate::moderation::audit::{self, Actor, Entry};
use crate::moderation::{FieldErrors, Moderation, ModerationError};
use entity::{abuse_rule, ban};

const WORD_MAX: usize = 100;
const REASON_MAX: usize = 500;
pub const MAX_BAN_SECS: u64 = 10 * 366 * 24 * 3600;

/// A checked ban, ready to insert.
#[derive(Debug, Clone)]
pub struct NewBan {
    pub target: BanTarget,
    pub reason: String,
    /// What people read instead of the value (address-hash bans).
    pub label: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    /// The comment the ban was made from, for the audit log.
    pub comment_id: Option<i64>,
}

/// A ban as a moderator asked for it, before checking.
#[derive(Debug, Clone, Default)]
pub struct BanRequest<'a> {
    pub kind: &'a str,
    pub value: &'a str,
    pub reason: Option<&'a str>,
    /// RFC 3339.
    pub expires_at: Option<&'a str>,
    pub duration_secs: Option<u64>,
}

impl Moderation {
    /// Every word rule, oldest first.
    pub async fn rules(&self) -> Result<Vec<abuse_rule::Model>, ModerationError> {
        Ok(abuse_rule::Entity::find()
            .order_by_asc(abuse_rule::Column::Id)
            .all(&self.db.reader)
            .await?)
    }

    /// Adds a word rule of `kind` (`moderation_word` or `disallowed_word`).
    pub async fn add_rule(
        &self,
        actor: &Actor,
        kind: &str,
        word: &str,
    ) -> Result<abuse_rule::Model, ModerationError> {
        let (kind, word) = check_rule(kind, word)?;
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let row = abuse_rule::ActiveModel {
            id: NotSet,
            kind: Set(kind),
            word: Set(word.to_owned()),
            created_at: Set(now),
        }
        .insert(&tx)
        .await?;
        let detail = rule_detail(&row);
        audit::record(&tx, Entry::general(actor, "rule_added", detail, now)).await?;
        self.lists.commit(tx).await?;
        Ok(row)
    }

    /// Removes a word rule.
    pub async fn delete_rule(&self, actor: &Actor, id: i64) -> Result<(), ModerationError> {
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let row = abuse_rule::Entity::find_by_id(id)
            .one(&tx)
            .await?
            .ok_or(ModerationError::NotFound)?;
        abuse_rule::Entity::delete_by_id(id).exec(&tx).await?;
        audit::record(
            &tx,
            Entry::general(actor, "rule_removed", rule_detail(&row), now),
        )
        .await?;
        self.lists.commit(tx).await?;
        Ok(())
    }

    /// Every ban, expired ones too, oldest first.
    pub async fn bans(&self) -> Result<Vec<ban::Model>, ModerationError> {
        Ok(ban::Entity::find()
            .order_by_asc(ban::Column::Id)
            .all(&self.db.reader)
            .await?)
    }

    /// Adds a ban a moderator typed in.
    pub async fn add_ban(
        &self,
        actor: &Actor,
        req: &BanRequest<'_>,
    ) -> Result<ban::Model, ModerationError> {
        let now = self.clock.now();
        let (target, reason, expires_at) = check_ban(req, now)?;
        let new = NewBan {
            target,
            reason,
            label: None,
            expires_at,
            comment_id: None,
        };
        let tx = self.db.begin_write().await?;
        let row = insert_ban(&tx, actor, &new, now).await?;
        self.lists.commit(tx).await?;
        Ok(row)
    }

    /// Lifts a ban.
    pub async fn delete_ban(&self, actor: &Actor, id: i64) -> Result<(), ModerationError> {
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        let row = ban::Entity::find_by_id(id)
            .one(&tx)
            .await?
            .ok_or(ModerationError::NotFound)?;
        ban::Entity::delete_by_id(id).exec(&tx).await?;
        let entry = Entry::general(actor, "ban_removed", ban_detail(&row), now);
        audit::record(&tx, entry).await?;
        self.lists.commit(tx).await?;
        Ok(())
    }
}

fn check_rule<'w>(kind: &str, word: &'w str) -> Result<(RuleKind, &'w str), ModerationError> {
    let mut errors = FieldErrors::new();
    let kind = RuleKind::parse(kind);
    if kind.is_none() {
        add(
            &mut errors,
            "kind",
            "must be moderation_word or disallowed_word",
        );
    }
    let word = word.trim();
    let n = word.chars().count();
    if n == 0 {
        add(&mut errors, "word", "is required");
    } else if n > WORD_MAX || word.chars().any(char::is_control) {
        add(
            &mut errors,
            "word",
            "must be at most 100 characters, without control characters",
        );
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok((kind, word)),
        _ => Err(ModerationError::Invalid(errors)),
    }
}

/// Inserts a ban and its audit row on the caller's transaction.
pub async fn insert_ban<C: ConnectionTrait>(
    tx: &C,
    actor: &Actor,
    new: &NewBan,
    now: DateTime<Utc>,
) -> Result<ban::Model, DbErr> {
    let row = ban::ActiveModel {
        id: NotSet,
        kind: Set(new.target.kind()),
        value: Set(new.target.value()),
        reason: Set(new.reason.clone()),
        label: Set(new.label.clone()),
        expires_at: Set(new.expires_at),
        created_at: Set(now),
    }
    .insert(tx)
    .await?;
    let mut e = Entry::general(actor, "ban_added", ban_detail(&row), now);
    e.comment_id = new.comment_id;
    audit::record(tx, e).await?;
    Ok(row)
}

/// Is `target` already banned at `now` until at least `expires_at` (`None`: for ever)?
pub async fn already_banned<C: ConnectionTrait>(
    tx: &C,
    target: &BanTarget,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let rows = ban::Entity::find()
        .filter(ban::Column::Kind.eq(target.kind()))
        .filter(ban::Column::Value.eq(target.value()))
        .filter(
            ban::Column::ExpiresAt
                .is_null()
                .or(ban::Column::ExpiresAt.gt(now)),
        )
        .all(tx)
        .await?;
    Ok(rows.iter().any(|r| match (r.expires_at, expires_at) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(have), Some(want)) => have >= want,
    }))
}

type CheckedBan = (BanTarget, String, Option<DateTime<Utc>>);

fn check_ban(req: &BanRequest<'_>, now: DateTime<Utc>) -> Result<CheckedBan, ModerationError> {
    let mut errors = FieldErrors::new();
    let target = match BanKind::parse(req.kind) {
        None => {
            add(
                &mut errors,
                "kind",
                "must be email, address or email_domain",
            );
            None
        }
        Some(kind) => BanTarget::parse(kind, req.value)
            .map_err(|m| add(&mut errors, "value", &m))
            .ok(),
    };
    let reason = req.reason.unwrap_or_default().trim().to_owned();
    if reason.chars().count() > REASON_MAX {
        add(&mut errors, "reason", "must be at most 500 characters");
    }
    let expires_at = match (req.expires_at.filter(|s| !s.is_empty()), req.duration_secs) {
        (Some(_), Some(_)) => {
            add(
                &mut errors,
                "duration_secs",
                "give expires_at or duration_secs, not both",
            );
            None
        }
        (Some(at), None) => match DateTime::parse_from_rfc3339(at) {
            Ok(t) if t > now => Some(t.with_timezone(&Utc)),
            Ok(_) => {
                add(&mut errors, "expires_at", "must be in the future");
                None
            }
            Err(_) => {
                add(&mut errors, "expires_at", "must be an RFC 3339 date-time");
                None
            }
        },
        (None, Some(secs)) if (1..=MAX_BAN_SECS).contains(&secs) => {
            Some(now + Duration::seconds(i64::try_from(secs).unwrap_or(i64::MAX)))
        }
        (None, Some(_)) => {
            add(
                &mut errors,
                "duration_secs",
                "must be between 1 and 10 years in seconds",
            );
            None
        }
        (None, None) => None,
    };
    match target {
        Some(t) if errors.is_empty() => Ok((t, reason, expires_at)),
        _ => Err(ModerationError::Invalid(errors)),
    }
}

fn add(errors: &mut FieldErrors, field: &str, message: &str) {
    errors
        .entry(field.to_owned())
        .or_default()
        .push(message.to_owned());
}

fn rule_detail(row: &abuse_rule::Model) -> serde_json::Value {
    json!({"rule_id": row.id, "kind": row.kind.as_str(), "word": row.word})
}

fn ban_detail(row: &ban::Model) -> serde_json::Value {
    json!({
        "ban_id": row.id,
        "kind": row.kind.as_str(),
        "value": row.value,
        "reason": row.reason,
        "label": row.label,
        "expires_at": row.expires_at.map(|t| t.to_rfc3339()),
    })
}
