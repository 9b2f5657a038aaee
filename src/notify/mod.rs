//! Email and webhooks: the durable outbox (rows written in the same transaction as the change that caused
//! them), the delivery worker, the mailer, rendering, and mail subscriptions (double opt-in,
//! unsubscribe), and every link a mail carries (`links`). Request handlers never talk to
//! SMTP: they only enqueue. Never imports moderation.
pub mod backoff;
mod compose;
mod events;
pub mod links;
pub mod mailer;
pub mod outbox;
pub mod render;
mod retention;
pub mod subscriptions;
pub mod webhooks;
pub mod worker;

use std::sync::Arc;

use sea_orm::DbErr;
use tokio::sync::Notify;

pub use events::{Blocked, Change, Event, enqueue, enqueue_privacy, reply_wanted};
pub use links::{LinkError, Scope};
pub use mailer::{Mailer, MailerConfigError};
pub use worker::{Outcome, Worker};

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::keys::Keys;
use crate::metrics::Metrics;
use entity::outbox::Model as OutboxRow;

/// Wakes the worker after a transaction that enqueued mail committed.
#[derive(Clone, Debug, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    pub fn wake(&self) {
        self.0.notify_one();
    }

    pub async fn woken(&self) {
        self.0.notified().await;
    }
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Link(#[from] LinkError),
    #[error("database error")]
    Db(#[from] DbErr),
}

/// The mail service: what HTTP handlers and the app need. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Notifier {
    db: Db,
    config: Arc<Config>,
    keys: Keys,
    clock: Clock,
    mailer: Mailer,
    waker: Waker,
    metrics: Metrics,
    webhooks: webhooks::Clients,
}

impl Notifier {
    pub fn new(
        db: Db,
        config: Arc<Config>,
        keys: Keys,
        clock: Clock,
    ) -> Result<Notifier, MailerConfigError> {
        let mailer = Mailer::from_config(&config)?;
        let webhooks = webhooks::Clients::from_config(&config).map_err(MailerConfigError)?;
        Ok(Notifier {
            webhooks,
            db,
            config,
            keys,
            clock,
            mailer,
            waker: Waker::default(),
            metrics: Metrics::default(),
        })
    }

    /// Counts sent mail and send failures into `metrics`.
    pub fn with_metrics(mut self, metrics: Metrics) -> Notifier {
        self.metrics = metrics;
        self
    }

    pub fn waker(&self) -> Waker {
        self.waker.clone()
    }

    /// A worker over this app's database and mailer. Several may run at once.
    pub fn worker(&self) -> Worker {
        Worker {
            db: self.db.clone(),
            mailer: self.mailer.clone(),
            clock: self.clock.clone(),
            config: self.config.clone(),
            keys: self.keys.clone(),
            metrics: self.metrics.clone(),
            webhooks: self.webhooks.clone(),
        }
    }

    /// Outbox rows in `state`, newest first.
    pub async fn outbox(
        &self,
        state: outbox::State,
        limit: u64,
    ) -> Result<Vec<OutboxRow>, NotifyError> {
        Ok(outbox::list(&self.db, state, limit).await?)
    }

    /// Puts a dead mail back in line and wakes the worker. `None` if no dead row has `id`.
    pub async fn retry(&self, id: i64) -> Result<Option<OutboxRow>, NotifyError> {
        let row = outbox::retry(&self.db, id, self.clock.now()).await?;
        if row.is_some() {
            self.waker.wake();
        }
        Ok(row)
    }

    /// Checks a confirmation link without using it (the landing page).
    pub fn check_confirm(&self, token: &str) -> Result<i64, LinkError> {
        links::verify_confirm(&self.keys, token, self.clock.now())
    }

    /// Confirms the address behind a confirmation link.
    pub async fn confirm(&self, token: &str) -> Result<(), NotifyError> {
        let id = self.check_confirm(token)?;
        let tx = self.db.begin_write().await?;
        subscriptions::confirm(&tx, id, self.clock.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The request and kind a privacy link names: spelling, signature and expiry checked.
    pub fn check_privacy(
        &self,
        token: &str,
    ) -> Result<(i64, entity::enums::PrivacyKind), LinkError> {
        links::verify_privacy(&self.keys, token, self.clock.now())
    }

    /// Checks an unsubscribe link without using it (the landing page).
    pub fn check_unsubscribe(&self, token: &str) -> Result<links::Unsubscribe, LinkError> {
        links::verify_unsubscribe(&self.keys, token, self.clock.now())
    }

    /// Unsubscribes the link's owner: from the link's own scope, or from everything.
    pub async fn unsubscribe(&self, token: &str, everything: bool) -> Result<(), NotifyError> {
        let mut u = self.check_unsubscribe(token)?;
        if everything {
            u.scope = Scope::All;
        }
        let tx = self.db.begin_write().await?;
        subscriptions::unsubscribe(&tx, u).await?;
        tx.commit().await?;
        Ok(())
    }
}
