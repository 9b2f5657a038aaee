//! Dashboard login sessions: creation, look-up with idle and absolute expiry, and logout.
//! Sessions live in the database, so any instance can serve any moderator; only the
//! SHA-256 of a session id is stored. Time comes from the injected clock.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use rand::RngExt;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

use crate::clock::Clock;
use crate::config::AdminConfig;
use crate::db::Db;
use entity::{moderator, session};

/// A session is touched (its idle timer reset) at most this often, to spare the writer.
const TOUCH_EVERY: Duration = Duration::minutes(1);

#[derive(Clone, Debug)]
pub struct Sessions {
    db: Db,
    clock: Clock,
    idle: Duration,
    absolute: Duration,
}

/// A live session and the moderator it belongs to.
#[derive(Debug, Clone)]
pub struct Session {
    /// The stored hash: what CSRF tokens are bound to.
    pub id_hash: String,
    pub moderator: moderator::Model,
}

impl Sessions {
    pub fn new(db: Db, clock: Clock, cfg: &AdminConfig) -> Sessions {
        Sessions {
            db,
            clock,
            idle: Duration::minutes(i64::from(cfg.session_idle_minutes)),
            absolute: Duration::hours(i64::from(cfg.session_absolute_hours)),
        }
    }

    /// Starts a session and returns the only copy of its id, for the cookie.
    pub async fn create(&self, moderator_id: i64) -> Result<String, DbErr> {
        let raw: [u8; 32] = rand::rng().random();
        let id = URL_SAFE_NO_PAD.encode(raw);
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        // Expired rows are swept here, on the rare write, rather than by a timer.
        session::Entity::delete_many()
            .filter(session::Column::ExpiresAt.lte(now))
            .exec(&tx)
            .await?;
        session::ActiveModel {
            id_hash: Set(hash(&id)),
            moderator_id: Set(moderator_id),
            created_at: Set(now),
            last_seen_at: Set(now),
            expires_at: Set(now + self.absolute),
        }
        .insert(&tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The live session for a cookie value. Expired sessions and deactivated moderators
    /// get nothing; a live session's idle timer is reset.
    pub async fn find(&self, id: &str) -> Result<Option<Session>, DbErr> {
        if id.is_empty() || id.len() > 100 {
            return Ok(None);
        }
        let id_hash = hash(id);
        let Some(row) = session::Entity::find_by_id(id_hash.clone())
            .one(&self.db.reader)
            .await?
        else {
            return Ok(None);
        };
        let now = self.clock.now();
        if !self.is_live(&row, now) {
            return Ok(None);
        }
        let Some(moderator) = moderator::Entity::find_by_id(row.moderator_id)
            .one(&self.db.reader)
            .await?
            .filter(|m| m.disabled_at.is_none())
        else {
            return Ok(None);
        };
        if now - row.last_seen_at >= TOUCH_EVERY {
            let mut am: session::ActiveModel = row.into();
            am.last_seen_at = Set(now);
            am.update(&self.db.writer).await?;
        }
        Ok(Some(Session { id_hash, moderator }))
    }

    fn is_live(&self, row: &session::Model, now: DateTime<Utc>) -> bool {
        now < row.expires_at && now < row.last_seen_at + self.idle
    }

    /// Ends one session (logout).
    pub async fn end(&self, id: &str) -> Result<(), DbErr> {
        session::Entity::delete_by_id(hash(id))
            .exec(&self.db.writer)
            .await?;
        Ok(())
    }
}

fn hash(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}
