//! Retention: how long replyd keeps what it no longer needs (`[retention]`), enforced by a
//! job inside the server on the injected clock, and shown or done at once by `replyd purge`.
//! Moderation forgets addresses and old spam and rejected comments; notify forgets mail.
use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::RetentionConfig;
use crate::moderation::{Moderation, ModerationError};
use crate::notify::Notifier;
use entity::enums::CommentStatus;

#[derive(Clone, Debug)]
pub struct Retention {
    moderation: Moderation,
    notify: Notifier,
    config: RetentionConfig,
    clock: Clock,
}

/// What one run removed (or, in a dry run, would remove).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    pub dry_run: bool,
    /// Comments whose client address (hash, prefix, user agent) was forgotten.
    pub addresses: u64,
    pub spam: u64,
    pub rejected: u64,
    /// Sent or skipped mail rows.
    pub mail: u64,
}

impl Retention {
    pub fn new(
        moderation: Moderation,
        notify: Notifier,
        config: RetentionConfig,
        clock: Clock,
    ) -> Retention {
        Retention {
            moderation,
            notify,
            config,
            clock,
        }
    }

    /// One pass over everything `[retention]` limits.
    pub async fn run_once(&self, dry_run: bool) -> Result<Purged, ModerationError> {
        let c = &self.config;
        let mut out = Purged {
            dry_run,
            ..Purged::default()
        };
        if let Some(t) = self.before(c.address_days) {
            out.addresses = self.moderation.purge_addresses(t, dry_run).await?;
        }
        if let Some(t) = self.before(c.spam_days) {
            out.spam = self
                .moderation
                .purge_status(CommentStatus::Spam, t, dry_run)
                .await?;
        }
        if let Some(t) = self.before(c.rejected_days) {
            out.rejected = self
                .moderation
                .purge_status(CommentStatus::Rejected, t, dry_run)
                .await?;
        }
        if let Some(t) = self.before(c.sent_mail_days) {
            out.mail = self.notify.purge_done(t, dry_run).await?;
        }
        if !dry_run {
            self.moderation.purge_expired_keys().await?;
        }
        Ok(out)
    }

    /// Runs every `interval_minutes` until `stop`, the first time one interval after
    /// start-up (so that a server that starts does its work first).
    pub async fn run_until(self, stop: CancellationToken) {
        let every = Duration::from_secs(self.config.interval_minutes.saturating_mul(60));
        loop {
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = stop.cancelled() => return,
            }
            match self.run_once(false).await {
                Ok(p) if p != Purged::default() => tracing::info!(
                    addresses = p.addresses,
                    spam = p.spam,
                    rejected = p.rejected,
                    mail = p.mail,
                    "retention removed what it no longer needs"
                ),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "the retention job failed; it runs again later")
                }
            }
        }
    }

    fn before(&self, days: u32) -> Option<DateTime<Utc>> {
        (days > 0).then(|| self.clock.now() - chrono::Duration::days(i64::from(days)))
    }
}

impl fmt::Display for Purged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run {
            "would remove"
        } else {
            "removed"
        };
        writeln!(f, "retention {verb}:")?;
        writeln!(f, "  client addresses of {} comments", self.addresses)?;
        writeln!(f, "  {} spam comments", self.spam)?;
        writeln!(f, "  {} rejected comments", self.rejected)?;
        writeln!(f, "  {} sent mail rows", self.mail)
    }
}
