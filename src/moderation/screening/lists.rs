//! The word lists and bans in force, kept in memory between changes so a submission reads
//! them without a database round trip.
//!
//! Every change to the lists commits through [`ListsCache::commit`]: on PostgreSQL it sends
//! `NOTIFY` inside the transaction, so every instance empties its copy once the change is
//! committed (the change listener in `moderation::changes` hears it); this instance empties
//! its own at once. A load that raced a change is not kept (a generation count guards it),
//! so a ban applies to the very next comment. Expired bans are skipped when the lists are
//! used, not when they are loaded.
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr};

use super::rules::Lists;
use super::store::load_lists;
use crate::db::notify_on_commit;

/// The PostgreSQL channel that announces a change to the lists.
pub const CHANNEL: &str = "replyd_lists";

#[derive(Debug, Default)]
struct State {
    generation: u64,
    lists: Option<Arc<Lists>>,
}

/// A shared, cheaply cloned handle on this instance's copy of the lists.
#[derive(Debug, Clone, Default)]
pub struct ListsCache {
    state: Arc<Mutex<State>>,
}

impl ListsCache {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The lists, loaded through `db` when this instance holds no current copy.
    pub async fn get<C: ConnectionTrait>(
        &self,
        db: &C,
        now: DateTime<Utc>,
    ) -> Result<Arc<Lists>, DbErr> {
        let generation = {
            let state = self.state();
            if let Some(lists) = &state.lists {
                return Ok(lists.clone());
            }
            state.generation
        };
        let lists = Arc::new(load_lists(db, now).await?);
        let mut state = self.state();
        if state.generation == generation {
            state.lists = Some(lists.clone());
        }
        Ok(lists)
    }

    /// Forgets this instance's copy; the next submission loads the lists afresh.
    pub fn invalidate(&self) {
        let mut state = self.state();
        state.generation += 1;
        state.lists = None;
    }

    /// Tells every other instance, when `tx` commits, that the lists changed.
    pub async fn announce(&self, tx: &DatabaseTransaction) -> Result<(), DbErr> {
        notify_on_commit(tx, CHANNEL, "").await
    }

    /// Commits a transaction that changed the lists, announcing it to every instance.
    pub async fn commit(&self, tx: DatabaseTransaction) -> Result<(), DbErr> {
        self.announce(&tx).await?;
        tx.commit().await?;
        self.invalidate();
        Ok(())
    }
}
