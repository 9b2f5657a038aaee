//! The shared application state, built in one place by `app::build`.
use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::http::admin::LoginLimiter;
use crate::keys::Keys;
use crate::moderation::Moderation;
use crate::sessions::Sessions;

#[derive(Clone, Debug)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub keys: Keys,
    pub clock: Clock,
    pub moderation: Moderation,
    /// Dashboard login sessions.
    pub sessions: Sessions,
    /// Dashboard login attempts per client address.
    pub login_limiter: LoginLimiter,
}
