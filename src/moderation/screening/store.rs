//! What a submission is screened against: the word lists, the bans in force (both kept in
//! memory by `lists_cache`), and whether a fingerprint is already taken on the page.
use chrono::{DateTime, Utc};
use ipnet::IpNet;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use super::bans::{Ban, BanKind, BanTarget};
use super::screen::Lists;
use super::words::{RuleKind, fold};
use entity::{abuse_rule, ban};

/// The word lists (case-folded) and the bans that apply at `now`.
pub async fn load_lists<C: ConnectionTrait>(db: &C, now: DateTime<Utc>) -> Result<Lists, DbErr> {
    let mut lists = Lists::default();
    for rule in abuse_rule::Entity::find().all(db).await? {
        match RuleKind::parse(&rule.kind) {
            Some(RuleKind::ModerationWord) => lists.moderation_words.push(fold(&rule.word)),
            Some(RuleKind::DisallowedWord) => lists.disallowed_words.push(fold(&rule.word)),
            None => {}
        }
    }
    lists.bans = bans_in_force(db, ban::Entity::find(), now).await?;
    Ok(lists)
}

/// The bans of `query` that have not expired at `now`.
async fn bans_in_force<C: ConnectionTrait>(
    db: &C,
    query: sea_orm::Select<ban::Entity>,
    now: DateTime<Utc>,
) -> Result<Vec<Ban>, DbErr> {
    let in_force = ban::Column::ExpiresAt
        .is_null()
        .or(ban::Column::ExpiresAt.gt(now));
    let rows = query.filter(in_force).all(db).await?;
    Ok(rows.iter().filter_map(to_ban).collect())
}

/// Is this email (or its domain) under a ban in force? Mail never goes to banned authors.
pub async fn is_email_banned<C: ConnectionTrait>(
    db: &C,
    email_norm: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let kinds = [BanKind::Email.as_str(), BanKind::EmailDomain.as_str()];
    let query = ban::Entity::find().filter(ban::Column::Kind.is_in(kinds));
    let bans = bans_in_force(db, query, now).await?;
    Ok(bans.iter().any(|b| b.matches(email_norm, None, None)))
}

/// Reads a stored ban back; a row that no longer parses is skipped, not fatal.
pub fn to_ban(row: &ban::Model) -> Option<Ban> {
    let target = match BanKind::parse(&row.kind)? {
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
