//! Handing a change's mail to `notify`, inside the change's own transaction: notify decides
//! who hears about what; moderation tells it who is banned (from the lists in memory), so
//! notify never needs to know what a ban is.
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait};

use super::{Moderation, ModerationError};
use crate::notify::{self, Change, Event};
use entity::page;

impl Moderation {
    /// Enqueues the mail one event calls for; the comment's site is read from its page.
    pub(super) async fn enqueue_mail<C: ConnectionTrait>(
        &self,
        tx: &C,
        event: Event<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), ModerationError> {
        let c = match event {
            Event::Submitted(c)
            | Event::StatusChanged { comment: c, .. }
            | Event::Reported(c)
            | Event::Deleted(c) => c,
        };
        let Some(page) = page::Entity::find_by_id(c.page_id).one(tx).await? else {
            return Ok(());
        };
        let change = Change {
            site: &page.site_id,
            event,
            at: now,
        };
        self.enqueue_changes(tx, &[change], now).await
    }

    /// Enqueues the mail several changes call for, in one insert.
    pub(super) async fn enqueue_changes<C: ConnectionTrait>(
        &self,
        tx: &C,
        changes: &[Change<'_>],
        now: DateTime<Utc>,
    ) -> Result<(), ModerationError> {
        // Read through the transaction when the lists are not in memory, so that a single
        // connection (an in-memory SQLite) cannot wait on itself.
        let lists = self.lists.get(tx, now).await?;
        let blocked = |email_norm: &str| lists.email_banned(email_norm, now);
        notify::enqueue(tx, &self.config, changes, &blocked, now).await?;
        Ok(())
    }
}
