//! Logging in and dashboard sessions: the password check, session creation, look-up with
//! idle and absolute expiry, and logout. Sessions live in the database, so any instance
//! can serve any moderator; only the SHA-256 of a session id is stored. Time comes from
//! the injected clock.
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use rand::RngExt;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::{Acting, Team, TeamError, accounts, passwords, stored_hash as hash};
use entity::{moderator, session};

/// A session is touched (its idle timer reset) at most this often, to spare the writer.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A live session and the moderator it belongs to.
#[derive(Debug, Clone)]
pub struct Session {
    /// The stored hash: what CSRF tokens are bound to.
    pub id_hash: String,
    pub moderator: moderator::Model,
}

impl Session {
    /// The moderator of this session, as the team's rules see them.
    pub fn acting(&self) -> Acting {
        Acting::Moderator {
            id: self.moderator.id,
            role: self.moderator.role,
        }
    }
}

impl Team {
    /// Checks a login and starts a session: the only copy of its id, for the cookie.
    /// Unknown emails, wrong passwords and deactivated accounts all get `None`, in the same
    /// time. Past `admin.max_concurrent_logins` checks at once: `TeamError::Busy`.
    pub async fn log_in(&self, email: &str, password: &str) -> Result<Option<String>, TeamError> {
        let found = accounts::by_email(&self.db.reader, email).await?;
        let hash = found
            .as_ref()
            .map_or(passwords::DUMMY_HASH.to_owned(), |m| {
                m.password_hash.clone()
            });
        // The permit is held by the check itself, so a client that hangs up cannot free
        // its slot while the hash still runs.
        let permit = self
            .verifications
            .clone()
            .try_acquire_owned()
            .map_err(|_| TeamError::Busy)?;
        let ok = passwords::verify(password, hash, permit, &self.password_checks).await;
        match found.filter(|m| ok && m.disabled_at.is_none()) {
            Some(m) => Ok(Some(self.start_session(m.id).await?)),
            None => Ok(None),
        }
    }

    /// Starts a session and returns the only copy of its id.
    pub(super) async fn start_session(&self, moderator_id: i64) -> Result<String, TeamError> {
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
            expires_at: Set(now + self.session_absolute),
        }
        .insert(&tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The live session for a cookie value. Expired sessions and deactivated moderators
    /// get nothing, so deactivation stops a session at its next request; a live
    /// session's idle timer is reset.
    pub async fn session(&self, id: &str) -> Result<Option<Session>, TeamError> {
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
        now < row.expires_at && now < row.last_seen_at + self.session_idle
    }

    /// Ends one session (logout).
    pub async fn log_out(&self, id: &str) -> Result<(), TeamError> {
        session::Entity::delete_by_id(hash(id))
            .exec(&self.db.writer)
            .await?;
        Ok(())
    }
}
