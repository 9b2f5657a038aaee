//! The shared application state, built in one place by `app::build`: the services every
//! handler reaches. It never imports `http`, which depends on it.
use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::keys::Keys;
use crate::limits::Limits;
use crate::metrics::Metrics;
use crate::moderation::Moderation;
use crate::notify::Notifier;
use crate::team::Team;

/// Cloned for every request by the HTTP layer's state extractor, so it is one reference count.
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

impl AppState {
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What every handler reaches through `AppState`.
#[derive(Debug)]
pub struct Shared {
    pub config: Arc<Config>,
    pub db: Db,
    pub keys: Keys,
    pub clock: Clock,
    pub moderation: Moderation,
    pub notify: Notifier,
    /// Request rate limits: comment submissions and sign-ins.
    pub limits: Limits,
    /// The moderator team: accounts, sessions and API tokens.
    pub team: Team,
    /// The metrics registry served at `/metrics`.
    pub metrics: Metrics,
}
