//! First run: while no moderator exists, a signed, expiring setup link creates the first
//! admin and signs them in. Once any moderator exists the link stops working.
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, PaginatorTrait};

use super::{NewModerator, Team, TeamError, accounts, moderators};
use crate::keys::Keys;
use crate::keys::token::{Purpose, SignedToken};
use crate::moderation::Actor;
use entity::{enums::Role, moderator, setting};

const SETUP_USED_KEY: &str = "setup_link_used";

/// The first admin, as typed into the setup page. The role is always admin.
pub struct FirstAdmin<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password: &'a str,
}

/// The token of the first-run setup link, valid for `ttl`: `EXPIRES.v1.TAG`.
pub fn setup_token(keys: &Keys, now: DateTime<Utc>, ttl: Duration) -> String {
    SignedToken::new(Purpose::Setup, now + ttl).sign(keys, &[])
}

/// Whether a setup token is canonical, authentic and unexpired (not whether setup is still
/// open).
pub fn setup_token_valid(keys: &Keys, token: &str, now: DateTime<Utc>) -> bool {
    SignedToken::verify(keys, Purpose::Setup, &[], token, now).is_ok()
}

impl Team {
    /// A fresh setup token while no moderator exists, for the link `serve` logs.
    pub async fn open_setup_token(&self) -> Result<Option<String>, TeamError> {
        if self.count().await? > 0 {
            return Ok(None);
        }
        Ok(Some(setup_token(
            &self.keys,
            self.clock.now(),
            self.setup_ttl,
        )))
    }

    /// Whether this setup link still works: authentic, unexpired, and no moderator yet.
    pub async fn setup_open(&self, token: &str) -> Result<bool, TeamError> {
        Ok(setup_token_valid(&self.keys, token, self.clock.now()) && self.count().await? == 0)
    }

    /// Creates the first admin through a setup link and signs them in: the session id is
    /// returned for the cookie. The setting row makes the link single-use even when two
    /// requests race.
    pub async fn set_up_first_admin(
        &self,
        token: &str,
        admin: FirstAdmin<'_>,
    ) -> Result<String, TeamError> {
        if !self.setup_open(token).await? {
            return Err(TeamError::SetupClosed);
        }
        let checked = NewModerator {
            email: admin.email,
            name: admin.name,
            password: admin.password,
            role: Role::Admin,
        }
        .check()
        .await?;
        let now = self.clock.now();
        let tx = self.db.begin_write().await?;
        if moderator::Entity::find().count(&tx).await? > 0 {
            return Err(TeamError::SetupClosed);
        }
        setting::ActiveModel {
            key: Set(SETUP_USED_KEY.into()),
            value: Set(now.to_rfc3339()),
        }
        .insert(&tx)
        .await?;
        let m = accounts::insert(&tx, checked, now).await?;
        moderators::record(&tx, &Actor::System, "moderator_add", &m, now).await?;
        tx.commit().await?;
        self.start_session(m.id).await
    }
}
