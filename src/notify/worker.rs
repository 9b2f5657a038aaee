//! The delivery worker: claim due outbox rows under a lease, compose, send, record. One
//! `run_once` step is what the loop repeats and what tests call directly.
use std::sync::Arc;
use std::time::Duration;

use rand::RngExt;
use sea_orm::DbErr;
use tokio_util::sync::CancellationToken;

use super::Waker;
use super::backoff;
use super::compose::{ComposeError, Composed, Composer};
use super::mailer::{Mailer, SendError};
use super::outbox::{self, State};
use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::keys::Keys;
use crate::metrics::Metrics;
use entity::outbox::Model as Row;

/// What one attempt at one row came to.
#[derive(Debug)]
pub enum Outcome {
    Sent,
    Skipped(&'static str),
    Temporary(String),
    /// The mail server could not be reached: retried like `Temporary`, and the rest of the
    /// batch waits with it (see [`Worker::run`]).
    ServerTrouble(String),
    Permanent(String),
}

#[derive(Clone, Debug)]
pub struct Worker {
    pub(super) db: Db,
    pub(super) mailer: Mailer,
    pub(super) clock: Clock,
    pub(super) config: Arc<Config>,
    pub(super) keys: Keys,
    pub(super) metrics: Metrics,
    pub(super) webhooks: super::webhooks::Clients,
}

impl Worker {
    /// Claims one batch of due rows and delivers each. Returns how many rows it handled.
    pub async fn run_once(&self) -> Result<usize, DbErr> {
        self.step(&CancellationToken::new()).await
    }

    /// One step that stops between rows once `shutdown` is cancelled, handing the rows it
    /// did not get to back to the outbox.
    async fn step(&self, shutdown: &CancellationToken) -> Result<usize, DbErr> {
        Ok(self.step_until_trouble(shutdown).await?.0)
    }

    /// A step that also stops at the first mail the mail server could not take: the rows
    /// after it go back to the outbox untried, and the answer says the server is in trouble.
    /// Trying each due mail in turn against a server that is down would only add a failed
    /// attempt, and a write on the database that submissions share, per mail.
    async fn step_until_trouble(
        &self,
        shutdown: &CancellationToken,
    ) -> Result<(usize, bool), DbErr> {
        let rows = self.claim().await?;
        let mut trouble = false;
        for row in &rows {
            if shutdown.is_cancelled() || trouble {
                outbox::release(&self.db, row).await?;
                continue;
            }
            let outcome = self.deliver(row).await;
            trouble = matches!(outcome, Outcome::ServerTrouble(_));
            self.record(row, outcome).await?;
        }
        Ok((rows.len(), trouble))
    }

    /// Leases due rows to this worker.
    pub async fn claim(&self) -> Result<Vec<Row>, DbErr> {
        let mail = &self.config.mail;
        let lease = chrono::Duration::seconds(i64::try_from(mail.lease_secs).unwrap_or(120));
        outbox::claim(&self.db, self.clock.now(), lease, mail.batch_size.max(1)).await
    }

    /// Composes and sends one claimed row. Writes nothing to the database.
    pub async fn deliver(&self, row: &Row) -> Outcome {
        if row.kind == outbox::Kind::Webhook {
            let now = self.clock.now();
            let sent = super::webhooks::deliver(
                &self.db.reader,
                (&self.config, &self.webhooks),
                &self.keys,
                row,
                now,
            )
            .await;
            return match sent {
                Ok(None) => Outcome::Sent,
                Ok(Some(why)) => Outcome::Skipped(why),
                Err(SendError::Temporary(e) | SendError::Unreachable(e)) => Outcome::Temporary(e),
                Err(SendError::Permanent(e)) => Outcome::Permanent(e),
            };
        }
        let composer = Composer {
            db: &self.db.reader,
            config: &self.config,
            keys: &self.keys,
            now: self.clock.now(),
        };
        let message = match composer.compose(row).await {
            Ok(Composed::Send(m)) => m,
            Ok(Composed::Skip(why)) => return Outcome::Skipped(why),
            Err(ComposeError::Db(e)) => return Outcome::Temporary(format!("database: {e}")),
            Err(e) => return Outcome::Permanent(e.to_string()),
        };
        match self
            .mailer
            .send(&message, &format!("outbox-{}", row.id))
            .await
        {
            Ok(()) => Outcome::Sent,
            Err(SendError::Temporary(e)) => Outcome::Temporary(e),
            Err(SendError::Unreachable(e)) => Outcome::ServerTrouble(e),
            Err(SendError::Permanent(e)) => Outcome::Permanent(e),
        }
    }

    /// Stores the outcome: sent, skipped, rescheduled with backoff, or dead.
    pub async fn record(&self, row: &Row, outcome: Outcome) -> Result<(), DbErr> {
        let now = self.clock.now();
        let mail = &self.config.mail;
        let attempts = u32::try_from(row.attempts).unwrap_or(0);
        match &outcome {
            Outcome::Sent => self.metrics.mail_sent(),
            Outcome::Temporary(_) | Outcome::ServerTrouble(_) => {
                self.metrics.mail_failure("temporary")
            }
            Outcome::Permanent(_) => self.metrics.mail_failure("permanent"),
            Outcome::Skipped(_) => {}
        }
        let (state, due, error) = match outcome {
            Outcome::Sent => (State::Sent, row.due_at, None),
            Outcome::Skipped(why) => (State::Skipped, row.due_at, Some(why.to_owned())),
            Outcome::Permanent(e) => (State::Dead, row.due_at, Some(e)),
            Outcome::Temporary(e) | Outcome::ServerTrouble(e) if attempts >= mail.max_attempts => (
                State::Dead,
                row.due_at,
                Some(format!("gave up after {attempts} attempts: {e}")),
            ),
            Outcome::Temporary(e) | Outcome::ServerTrouble(e) => {
                let jitter: f64 = rand::rng().random();
                let wait = backoff::delay(
                    attempts,
                    Duration::from_secs(mail.retry_base_secs),
                    Duration::from_secs(mail.retry_max_secs),
                    jitter,
                );
                let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(1));
                (State::Pending, now + wait, Some(e))
            }
        };
        match state {
            State::Dead => tracing::warn!(id = row.id, kind = row.kind.as_str(), "mail given up"),
            State::Pending => tracing::info!(id = row.id, attempts, "mail will be retried"),
            _ => tracing::debug!(id = row.id, state = state.as_str(), "mail done"),
        }
        outbox::finish(&self.db, row, state, due, error, now).await?;
        Ok(())
    }

    /// Runs steps until `shutdown`: at once when woken, otherwise every poll interval. A send
    /// in progress is finished before it stops. After mail server trouble, it tries again
    /// only once `retry_base_secs` have passed (by the injected clock), however often it is
    /// woken: new mail waits in the outbox meanwhile, and submissions are not slowed by a
    /// worker failing mail after mail.
    pub async fn run(self, waker: Waker, shutdown: CancellationToken) {
        let poll = Duration::from_secs(self.config.mail.poll_interval_secs.max(1));
        let batch = usize::try_from(self.config.mail.batch_size).unwrap_or(1);
        let pause = chrono::Duration::seconds(
            i64::try_from(self.config.mail.retry_base_secs).unwrap_or(30),
        );
        let mut paused_until = None;
        loop {
            let handled = match paused_until {
                Some(t) if self.clock.now() < t => 0,
                _ => match self.step_until_trouble(&shutdown).await {
                    Ok((n, trouble)) => {
                        paused_until = trouble.then(|| self.clock.now() + pause);
                        if trouble {
                            tracing::warn!(
                                "the mail server is in trouble: mail waits in the outbox"
                            );
                        }
                        n
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "outbox step failed");
                        0
                    }
                },
            };
            if shutdown.is_cancelled() {
                break;
            }
            if handled >= batch.max(1) && paused_until.is_none() {
                continue;
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = waker.woken() => {}
                () = tokio::time::sleep(poll) => {}
            }
        }
    }
}
