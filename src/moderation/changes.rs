//! Telling readers that a page changed. Every write that can change a public thread commits
//! through [`Moderation::commit`]: on PostgreSQL it sends `NOTIFY` inside the transaction
//! (delivered only if the change commits, to every instance), then it empties this
//! instance's cache for the page at once and wakes the mail worker.
//!
//! Why NOTIFY rather than a short TTL with version checks: a version check costs a database
//! round trip on every read, which is exactly what the cache exists to avoid; NOTIFY costs
//! nothing on reads and reaches other instances within milliseconds. If the listening
//! connection drops, notices may be lost, so the listener clears the whole cache when it
//! reconnects, and a TTL (`cache.ttl_secs`) bounds staleness in any case.
use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{DatabaseTransaction, DbErr, EntityTrait};
use tokio_util::sync::CancellationToken;

use super::Moderation;
use crate::db::notify_on_commit;
use entity::page;

pub const CHANNEL: &str = "replyd_pages";

impl Moderation {
    /// Commits `tx`, telling every instance that `pages` changed.
    pub(super) async fn commit(&self, tx: DatabaseTransaction, pages: &[i64]) -> Result<(), DbErr> {
        for id in pages {
            notify_on_commit(&tx, CHANNEL, &id.to_string()).await?;
        }
        tx.commit().await?;
        self.spam_settle();
        for id in pages {
            self.page_changed(*id).await;
        }
        self.mail.wake();
        Ok(())
    }

    /// Empties this instance's cache for one page.
    pub async fn page_changed(&self, page_id: i64) {
        match page::Entity::find_by_id(page_id).one(&self.db.reader).await {
            Ok(Some(p)) => self.threads.invalidate(&p.site_id, &p.uri),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "page look-up failed; clearing the thread cache");
                self.threads.clear();
            }
        }
    }
}

/// A connection listening for other instances' changes to pages, to the word lists and
/// bans (`screening::lists`) and to the spam filter models (`filter`).
pub struct ChangeListener {
    url: String,
    listener: PgListener,
}

impl ChangeListener {
    /// Connects and subscribes before the server starts, so no change can slip past.
    pub async fn connect(url: &str) -> Result<ChangeListener, sea_orm::sqlx::Error> {
        let mut listener = PgListener::connect(url).await?;
        listener
            .listen_all([
                CHANNEL,
                super::screening::lists::CHANNEL,
                super::filter::CHANNEL,
            ])
            .await?;
        Ok(ChangeListener {
            url: url.to_owned(),
            listener,
        })
    }

    /// Empties the cache for every page another instance changed, until `stop`. A lost
    /// connection is re-established, and the whole cache emptied since notices were missed.
    pub async fn run(mut self, moderation: Moderation, stop: CancellationToken) {
        let mut delay = Duration::from_millis(200);
        loop {
            let err = tokio::select! {
                n = self.listener.recv() => match n {
                    Ok(n) if n.channel() == CHANNEL => {
                        if let Ok(id) = n.payload().parse::<i64>() {
                            moderation.page_changed(id).await;
                        }
                        delay = Duration::from_millis(200);
                        continue;
                    }
                    Ok(n) if n.channel() == super::filter::CHANNEL => {
                        moderation.spam.changed(n.payload());
                        delay = Duration::from_millis(200);
                        continue;
                    }
                    Ok(_) => {
                        moderation.lists.invalidate();
                        delay = Duration::from_millis(200);
                        continue;
                    }
                    Err(e) => e,
                },
                () = stop.cancelled() => return,
            };
            tracing::warn!(error = %err, "change listener lost its connection; reconnecting");
            loop {
                moderation.threads.clear();
                moderation.lists.invalidate();
                moderation.spam.all_changed();
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = stop.cancelled() => return,
                }
                delay = (delay * 2).min(Duration::from_secs(10));
                match ChangeListener::connect(&self.url).await {
                    Ok(fresh) => {
                        self.listener = fresh.listener;
                        moderation.threads.clear();
                        moderation.lists.invalidate();
                        moderation.spam.all_changed();
                        break;
                    }
                    Err(e) => tracing::warn!(error = %e, "change listener could not reconnect"),
                }
            }
        }
    }
}
