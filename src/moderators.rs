//! The moderator team as the dashboard manages it: listing, adding and deactivating
//! accounts (each with its audit row), and the one-time first-run setup link.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::json;

use crate::accounts::{self, AccountError, NewModerator};
use crate::clock::Clock;
use crate::db::Db;
use crate::keys::Keys;
use crate::moderation::Actor;
use crate::moderation::audit::{self, Entry};
use entity::{moderator, setting};

const SETUP_USED_KEY: &str = "setup_link_used";

pub async fn list(db: &Db) -> Result<Vec<moderator::Model>, sea_orm::DbErr> {
    moderator::Entity::find()
        .order_by_asc(moderator::Column::Id)
        .all(&db.reader)
        .await
}

pub async fn count(db: &Db) -> Result<u64, sea_orm::DbErr> {
    moderator::Entity::find().count(&db.reader).await
}

/// Adds a moderator on an admin's behalf, with an audit row.
pub async fn add(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    new: NewModerator<'_>,
) -> Result<moderator::Model, AccountError> {
    let tx = db.begin_write().await?;
    let m = accounts::add_moderator(&tx, clock, new).await?;
    record(&tx, actor, "moderator_add", &m, clock.now()).await?;
    tx.commit().await?;
    Ok(m)
}

/// Deactivates (`active = false`) or reactivates a moderator. A deactivated moderator's
/// sessions stop working at once.
pub async fn set_active(
    db: &Db,
    clock: &Clock,
    actor: &Actor,
    id: i64,
    active: bool,
) -> Result<moderator::Model, AccountError> {
    let tx = db.begin_write().await?;
    let m = moderator::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .ok_or(AccountError::UnknownModerator)?;
    let now = clock.now();
    let mut am: moderator::ActiveModel = m.into();
    am.disabled_at = Set((!active).then_some(now));
    let m = am.update(&tx).await?;
    let action = if active {
        "moderator_reactivate"
    } else {
        "moderator_deactivate"
    };
    record(&tx, actor, action, &m, now).await?;
    tx.commit().await?;
    Ok(m)
}

async fn record<C: sea_orm::ConnectionTrait>(
    tx: &C,
    actor: &Actor,
    action: &str,
    m: &moderator::Model,
    at: DateTime<Utc>,
) -> Result<(), sea_orm::DbErr> {
    let detail = json!({ "moderator_id": m.id, "name": m.name, "role": m.role });
    audit::record(tx, Entry::general(actor, action, detail, at)).await
}

/// The token of the first-run setup link, valid for `ttl`: `EXPIRES.v1.TAG`.
pub fn setup_token(keys: &Keys, now: DateTime<Utc>, ttl: Duration) -> String {
    use crate::keys::token::{Purpose, SignedToken};
    SignedToken::new(Purpose::Setup, now + ttl).sign(keys, &[])
}

/// Whether a setup token is canonical, authentic and unexpired (not whether setup is still
/// open).
pub fn setup_token_valid(keys: &Keys, token: &str, now: DateTime<Utc>) -> bool {
    use crate::keys::token::{Purpose, SignedToken};
    SignedToken::verify(keys, Purpose::Setup, &[], token, now).is_ok()
}

/// Creates the first admin, only while there is no moderator at all. The setting row makes
/// the link single-use even when two requests race.
pub async fn create_first_admin(
    db: &Db,
    clock: &Clock,
    new: NewModerator<'_>,
) -> Result<Option<moderator::Model>, AccountError> {
    let tx = db.begin_write().await?;
    if moderator::Entity::find().count(&tx).await? > 0 {
        return Ok(None);
    }
    let now = clock.now();
    setting::ActiveModel {
        key: Set(SETUP_USED_KEY.into()),
        value: Set(now.to_rfc3339()),
    }
    .insert(&tx)
    .await?;
    let m = accounts::add_moderator(&tx, clock, new).await?;
    record(&tx, &Actor::System, "moderator_add", &m, now).await?;
    tx.commit().await?;
    Ok(Some(m))
}
