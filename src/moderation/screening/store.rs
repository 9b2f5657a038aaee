//! Reading the word lists and the bans from the database, for `lists` to keep in memory.
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::bans::{Ban, BanKind, BanTarget};
use super::rules::Lists;
use super::words::{RuleKind, fold};
use entity::{abuse_rule, ban};

/// The word lists (case-folded) and the bans that apply at `now`.
pub async fn load_lists<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<Lists, DbErr> {
    let mut lists = Lists::default();
    for rule in abuse_rule::Entity::find().all(db).await? {
        match rule.kind {
            RuleKind::ModerationWord => lists.moderation_words.push(fold(&rule.word)),
            RuleKind::DisallowedWord => lists.disallowed_words.push(fold(&rule.word)),
        }
    }
    let in_force = ban::Column::ExpiresAt
        .is_null()
        .or(ban::Column::ExpiresAt.gt(now));
    let rows = ban::Entity::find().filter(in_force).all(db).await?;
    lists.bans = rows.iter().filter_map(to_ban).collect();
    Ok(lists)
}

/// Reads a stored ban back; a row that no longer parses is skipped, not fatal.
fn to_ban(row: &ban::Model) -> Option<Ban> {
    let target = match row.kind {
        BanKind::Address => BanTarget::Address(row.value.parse::<IpNet>().ok()?),
        BanKind::Email => BanTarget::Email(row.value.clone()),
        BanKind::EmailDomain => BanTarget::EmailDomain(row.value.clone()),
        BanKind::AddressHash => BanTarget::AddressHash(row.value.clone()),
    };
    Some(Ban {
        id: row.id,
        target,
        reason: row.reason.clone(),
        label: row.label.clone(),
        expires_at: row.expires_at,
    })
}
