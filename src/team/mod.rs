//! The moderator team, as one service: accounts and their passwords, the moderators an
//! admin manages, the first admin of a fresh install, dashboard sessions and API tokens.
//! It owns its pool choice (the reader for reads, one write transaction per change), its
//! audit rows and its rules: who may manage the team, and what deactivation stops. It
//! knows nothing of HTTP; the moderation domain never imports it.
mod accounts;
mod moderators;
mod passwords;
mod sessions;
mod setup;
mod tokens;

use chrono::Duration;

pub use accounts::NewModerator;
pub use sessions::Session;
pub use setup::{FirstAdmin, setup_token, setup_token_valid};
pub use tokens::TokenHolder;

use crate::clock::Clock;
use crate::config::AdminConfig;
use crate::db::Db;
use crate::keys::Keys;
use crate::moderation::Actor;
use entity::enums::Role;

/// What the team service refuses, and why.
#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    /// A field the caller typed is not acceptable; the text says which and why.
    #[error("{0}")]
    Invalid(String),
    #[error("a moderator with that email already exists")]
    Exists,
    #[error("no moderator with that email or id")]
    UnknownModerator,
    #[error("no API token with that id")]
    UnknownToken,
    #[error("only admins may do this")]
    Forbidden,
    #[error("a moderator cannot deactivate themself")]
    CannotDeactivateSelf,
    /// The setup link is forged, expired or spent (a moderator exists).
    #[error("the setup link is closed")]
    SetupClosed,
    #[error("password hashing failed")]
    Hash,
    /// Every password-check slot is taken: try again in a moment.
    #[error("too many sign-ins at once")]
    Busy,
    #[error("database error: {0}")]
    Db(#[from] sea_orm::DbErr),
}

/// Who asks the team for something, and so what they may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acting {
    /// A signed-in moderator, with the role their session found.
    Moderator { id: i64, role: Role },
    /// A bearer token, tied to a moderator's account or to none.
    Token { id: i64, moderator_id: Option<i64> },
    /// The operator at the server's command line, who can do anything.
    Cli,
}

impl Acting {
    /// The actor the audit log names.
    pub fn actor(&self) -> Actor {
        match self {
            Acting::Moderator { id, .. } => Actor::Moderator { id: *id },
            Acting::Token { id, .. } => Actor::Token { id: *id },
            Acting::Cli => Actor::Cli,
        }
    }

    /// Admins and the operator. A token is no admin here: the API has its own rules, and
    /// manages no part of the team.
    pub fn is_admin(&self) -> bool {
        match self {
            Acting::Moderator { role, .. } => *role == Role::Admin,
            Acting::Token { .. } => false,
            Acting::Cli => true,
        }
    }

    fn require_admin(&self) -> Result<(), TeamError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(TeamError::Forbidden)
        }
    }

    fn is_moderator(&self, id: i64) -> bool {
        matches!(self, Acting::Moderator { id: me, .. } if *me == id)
    }
}

/// The team service. Cheap to clone; one per app.
#[derive(Clone, Debug)]
pub struct Team {
    db: Db,
    clock: Clock,
    keys: Keys,
    /// A session ends this long after its last use.
    session_idle: Duration,
    /// A session ends this long after it began, however busy.
    session_absolute: Duration,
    /// How long a first-run setup link lasts.
    setup_ttl: Duration,
    /// One permit per password check allowed to run at once.
    verifications: std::sync::Arc<tokio::sync::Semaphore>,
    /// Argon2 checks run so far (`password_checks`).
    password_checks: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl Team {
    pub fn new(db: Db, clock: Clock, keys: Keys, cfg: &AdminConfig) -> Team {
        Team {
            db,
            clock,
            keys,
            session_idle: Duration::minutes(i64::from(cfg.session_idle_minutes)),
            session_absolute: Duration::hours(i64::from(cfg.session_absolute_hours)),
            setup_ttl: Duration::minutes(i64::from(cfg.setup_link_minutes)),
            verifications: std::sync::Arc::new(tokio::sync::Semaphore::new(
                cfg.max_concurrent_logins.max(1),
            )),
            password_checks: std::sync::Arc::default(),
        }
    }

    /// How many password checks (argon2 runs) this process has made: an unknown email
    /// costs one, as a known one does, so timing tells no one which emails have accounts.
    pub fn password_checks(&self) -> u64 {
        self.password_checks
            .load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// What is stored of a secret handed out once (a session id, an API token): its SHA-256,
/// so a copy of the database lets no one in.
fn stored_hash(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_admins_and_the_operator_manage_the_team() {
        let admin = Acting::Moderator {
            id: 1,
            role: Role::Admin,
        };
        let moderator = Acting::Moderator {
            id: 2,
            role: Role::Moderator,
        };
        let token = Acting::Token {
            id: 1,
            moderator_id: None,
        };
        assert!(admin.require_admin().is_ok());
        assert!(Acting::Cli.require_admin().is_ok());
        assert!(matches!(
            moderator.require_admin(),
            Err(TeamError::Forbidden)
        ));
        assert!(matches!(token.require_admin(), Err(TeamError::Forbidden)));
        assert_eq!(Acting::Cli.actor(), Actor::Cli);
        assert_eq!(moderator.actor(), Actor::Moderator { id: 2 });
        assert!(admin.is_moderator(1) && !admin.is_moderator(2));
    }
}
