//! The spam filter models in memory, one per model name, so scoring a submission costs no
//! database round trip. A model is loaded from the database the first time it is needed;
//! after that, a change (a decision on this instance, or a `NOTIFY` from another) marks it
//! stale and a background task reloads it while submissions go on scoring with the copy
//! they have: nothing waits for a reload. A reload that raced a newer change is not kept (a
//! generation count guards it) and runs again.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use sea_orm::DbErr;

use super::store::load_model;
use crate::db::Db;
use crate::spam::{Cutoff, Model};

/// A model shared between the scorers and the reloader.
pub type Shared = Arc<RwLock<Model>>;

#[derive(Debug)]
struct Slot {
    model: Shared,
    /// Bumped by every change; a reload keeps its result only if it did not move.
    generation: u64,
    stale: bool,
    loading: bool,
}

/// A cheaply cloned handle on this instance's models.
#[derive(Debug, Clone)]
pub struct SpamModels {
    db: Db,
    max_tokens: usize,
    slots: Arc<Mutex<HashMap<String, Slot>>>,
}

impl SpamModels {
    pub fn new(db: Db, max_tokens: usize) -> SpamModels {
        SpamModels {
            db,
            max_tokens,
            slots: Arc::default(),
        }
    }

    fn slots(&self) -> MutexGuard<'_, HashMap<String, Slot>> {
        self.slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The model named `name`: loaded now if this instance never had it, otherwise the copy
    /// in memory (a stale one starts its reload in the background).
    pub async fn get(&self, name: &str) -> Result<Shared, DbErr> {
        if let Some(model) = self.cached(name) {
            return Ok(model);
        }
        let mut loaded = load_model(&self.db.reader, name).await?;
        self.forget(name, loaded.prune(self.max_tokens));
        let mut slots = self.slots();
        let slot = slots.entry(name.to_owned()).or_insert_with(|| Slot {
            model: Arc::new(RwLock::new(loaded)),
            generation: 0,
            stale: false,
            loading: false,
        });
        Ok(slot.model.clone())
    }

    fn cached(&self, name: &str) -> Option<Shared> {
        let mut slots = self.slots();
        let slot = slots.get_mut(name)?;
        if slot.stale && !slot.loading {
            slot.loading = true;
            self.spawn_reload(name.to_owned(), slot.generation);
        }
        Some(slot.model.clone())
    }

    /// The model changed in the database: reload it in the background.
    pub fn changed(&self, name: &str) {
        let mut slots = self.slots();
        let Some(slot) = slots.get_mut(name) else {
            return;
        };
        slot.generation += 1;
        slot.stale = true;
        if !slot.loading {
            slot.loading = true;
            self.spawn_reload(name.to_owned(), slot.generation);
        }
    }

    /// Notices may have been missed: reload every model.
    pub fn all_changed(&self) {
        let names: Vec<String> = self.slots().keys().cloned().collect();
        for name in names {
            self.changed(&name);
        }
    }

    fn spawn_reload(&self, name: String, generation: u64) {
        let this = self.clone();
        drop(tokio::spawn(
            async move { this.reload(name, generation).await },
        ));
    }

    async fn reload(self, name: String, generation: u64) {
        let mut loaded = load_model(&self.db.reader, &name).await;
        if let Ok(model) = &mut loaded {
            self.forget(&name, model.prune(self.max_tokens));
        }
        let mut slots = self.slots();
        let Some(slot) = slots.get_mut(&name) else {
            return;
        };
        slot.loading = false;
        match loaded {
            Ok(model) if slot.generation == generation => {
                let mut current = slot
                    .model
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                *current = model;
                slot.stale = false;
            }
            Ok(_) => {
                slot.loading = true;
                self.spawn_reload(name, slot.generation);
            }
            Err(e) => tracing::warn!(error = %e, model = %name, "spam model reload failed"),
        }
    }

    /// Deletes what pruning dropped from the database too, in the background.
    fn forget(&self, name: &str, cut: Option<Cutoff>) {
        let Some(cut) = cut else {
            return;
        };
        let (db, name) = (self.db.clone(), name.to_owned());
        drop(tokio::spawn(async move {
            if let Err(e) = super::store::forget(&db.writer, &name, cut).await {
                tracing::warn!(error = %e, model = %name, "pruning the spam model failed");
            }
        }));
    }

    /// The number of spam and ham decisions the in-memory copy holds (for tests and
    /// metrics); `None` when this instance has not loaded it.
    pub fn trained(&self, name: &str) -> Option<(u32, u32)> {
        let slots = self.slots();
        let slot = slots.get(name)?;
        if slot.stale {
            return None;
        }
        let m = slot.model.read().ok()?;
        Some((m.spam, m.ham))
    }
}
