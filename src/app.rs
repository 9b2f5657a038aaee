//! The start-up seam: config in, a running app out. Production and tests both go through
//! `App::build`, so tests exercise the real wiring. It builds and connects the components
//! (database, Redis, services, workers) and owns no behaviour of its own.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::{Config, RateLimitConfig};
use crate::db::Db;
use crate::http;
use crate::keys::Keys;
use crate::limits::Limits;
use crate::limits::shared::SharedLimits;
use crate::metrics::Metrics;
use crate::moderation::Moderation;
use crate::moderation::changes::ChangeListener;
use crate::notify::Notifier;
use crate::state::{AppState, Shared};
use crate::team::Team;

pub struct App {
    listener: TcpListener,
    state: AppState,
    shutdown: CancellationToken,
    /// PostgreSQL only: other instances' change notices for the thread cache.
    changes: Option<ChangeListener>,
}

impl App {
    /// Connects, migrates if configured, loads the install secret and binds the port.
    pub async fn build(config: Config, clock: Clock) -> anyhow::Result<App> {
        let config = Arc::new(config);
        let db = Db::connect(&config.database).await?;
        if config.database.migrate_on_start {
            Migrator::up(&db.writer, None).await?;
        }
        let keys = Keys::load(&db.writer, config.security.secret.as_ref()).await?;
        let listener = TcpListener::bind(config.server.bind).await?;
        let metrics = Metrics::new();
        let notify = Notifier::new(db.clone(), config.clone(), keys.clone(), clock.clone())?
            .with_metrics(metrics.clone());
        let moderation = Moderation::new(db.clone(), keys.clone(), clock.clone(), config.clone())
            .with_mail_waker(notify.waker())
            .with_metrics(metrics.clone());
        let mut limits =
            Limits::new(&config.rate_limit, clock.clone()).with_metrics(metrics.clone());
        if let Some(shared) = shared_limits(&config.rate_limit, &keys)? {
            limits = limits.with_shared(shared);
        }
        let team = Team::new(db.clone(), clock.clone(), keys.clone(), &config.admin);
        let changes = if !config.is_sqlite() {
            Some(ChangeListener::connect(&config.database.url).await?)
        } else {
            None
        };
        let state = AppState::new(Shared {
            limits,
            config,
            db,
            keys,
            clock,
            moderation,
            notify,
            team,
            metrics,
        });
        Ok(App {
            listener,
            state,
            shutdown: CancellationToken::new(),
            changes,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The first-run link for creating the first admin, while no moderator exists.
    pub async fn setup_link(&self) -> anyhow::Result<Option<String>> {
        let Some(token) = self.state.team.open_setup_token().await? else {
            return Ok(None);
        };
        let base = self.state.config.server.public_url.as_str();
        let base = base.trim_end_matches('/');
        Ok(Some(format!("{base}/admin/setup/{token}")))
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Cancelling this token stops the server gracefully.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    pub async fn run_until_stopped(self) {
        let trim_every = Duration::from_secs(self.state.config.rate_limit.trim_interval_secs);
        tokio::spawn(
            self.state
                .limits
                .clone()
                .trim_until(trim_every, self.shutdown.clone()),
        );
        let retention = crate::retention::Retention::new(
            self.state.moderation.clone(),
            self.state.notify.clone(),
            self.state.config.retention.clone(),
            self.state.clock.clone(),
        );
        tokio::spawn(retention.run_until(self.shutdown.child_token()));
        // Other instances on the same PostgreSQL say when a page changed.
        if let Some(listener) = self.changes {
            tokio::spawn(listener.run(self.state.moderation.clone(), self.shutdown.child_token()));
        }
        let router = http::router(self.state.clone());
        let limits = http::serve::ConnLimits::from_config(&self.state.config.server);
        // The mail worker stops with the server; a send in progress is finished first.
        let worker = self.state.config.mail.worker.then(|| {
            let notify = &self.state.notify;
            tokio::spawn(
                notify
                    .worker()
                    .run(notify.waker(), self.shutdown.child_token()),
            )
        });
        http::serve::serve(self.listener, router, limits, self.shutdown.clone()).await;
        self.shutdown.cancel();
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        self.state.db.clone().close().await;
    }
}

/// The Redis connection for the limits shared by every instance, when `redis_url` is set.
/// It is lazy: nothing is sent until the first check, so a Redis that is down at start does
/// not stop the app.
fn shared_limits(rl: &RateLimitConfig, keys: &Keys) -> anyhow::Result<Option<SharedLimits>> {
    if rl.redis_url.is_empty() {
        return Ok(None);
    }
    let timeout = Duration::from_millis(rl.redis_timeout_ms);
    let client = redis::Client::open(rl.redis_url.as_str()).context("invalid redis_url")?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(timeout))
        .set_response_timeout(Some(timeout))
        .set_number_of_retries(1)
        .set_max_delay(Duration::from_secs(1));
    let conn =
        ConnectionManager::new_lazy_with_config(client, config).context("invalid redis_url")?;
    let shared = SharedLimits::new(conn, &rl.redis_prefix, timeout, keys.clone());
    Ok(Some(shared))
}
