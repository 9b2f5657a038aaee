//! Idempotent submission: a client that sends a key with its comment (`Idempotency-Key`)
//! gets the same answer however often it retries, and exactly one comment is stored. The
//! key, hashed, is written with the first answer in the transaction that stores the comment
//! (`write`), so an acknowledged key always has its comment and a crash loses neither.
//! Retries on this instance wait for the first request to finish (`InFlight`); a retry on
//! another instance that races past the look-up meets the key's primary key in the database
//! and replays the answer once the first transaction committed. Only a submission that
//! stored a comment keeps its key: a refused one may be retried with the same key.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};
use sha2::{Digest, Sha256};
use tokio::sync::OwnedMutexGuard;

use super::input::AuthorUrl;
use super::submit::{KeyRow, NewComment, Submitted};
use super::{Moderation, ModerationError};
use entity::idempotency_key;

/// The longest key accepted, in bytes (Stripe's limit).
pub const MAX_KEY_LEN: usize = 255;

/// How long a retry waits for the first request with its key before it is told to come back.
const WAIT_FOR_FIRST: Duration = Duration::from_secs(10);

/// A client's key for one submission, hashed, with a fingerprint of what it submitted.
#[derive(Debug, Clone)]
pub struct OnceKey {
    site: String,
    key_hash: String,
    fingerprint: String,
}

impl OnceKey {
    /// The key a client sent with `new`: 1 to 255 visible ASCII characters.
    pub fn new(raw: &str, new: &NewComment) -> Result<OnceKey, ModerationError> {
        let ok = !raw.is_empty()
            && raw.len() <= MAX_KEY_LEN
            && raw.bytes().all(|b| b.is_ascii_graphic());
        if !ok {
            return Err(ModerationError::field(
                "idempotency_key",
                format!("must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
            ));
        }
        let site = new.site.id.clone();
        let key_hash = hex::encode(Sha256::digest(raw.as_bytes()));
        Ok(OnceKey {
            fingerprint: fingerprint(new),
            site,
            key_hash,
        })
    }

    /// The key's primary key: in the database and in [`InFlight`].
    fn id(&self) -> (String, String) {
        (self.site.clone(), self.key_hash.clone())
    }
}

/// What the request sent, as one hash: the same key with other fields is a client error.
fn fingerprint(new: &NewComment) -> String {
    let fields = serde_json::json!([
        new.site.id,
        new.uri.as_str(),
        new.title.as_ref().map(|t| t.as_str()),
        new.parent_id,
        new.author_name.as_str(),
        new.author_email.as_str(),
        new.author_url.as_ref().map(AuthorUrl::as_str),
        new.text.as_str(),
        new.notify_replies,
        new.published,
    ]);
    hex::encode(Sha256::digest(fields.to_string().as_bytes()))
}

/// What the look-up of a key found.
#[derive(Debug)]
pub enum Begun {
    /// The key already stored a comment: its first answer.
    Replay(Box<Submitted>),
    /// The key is new: submit with this claim, which holds off retries on this instance.
    Fresh(Claim),
}

/// The right to submit under a key on this instance, until dropped.
#[derive(Debug)]
pub struct Claim {
    key: OnceKey,
    slot: Slot,
    guard: Option<OwnedMutexGuard<()>>,
    inflight: Arc<InFlight>,
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.guard.take();
        self.inflight.release(&self.key, &self.slot);
    }
}

/// The keys whose first request is running on this instance. An entry lives only while
/// some request holds or waits for it, so the map is bounded by the requests in flight.
#[derive(Debug, Default)]
pub(super) struct InFlight {
    slots: Mutex<HashMap<(String, String), Slot>>,
}

/// One key's turn: held by the request that runs, awaited by its retries.
type Slot = Arc<tokio::sync::Mutex<()>>;

impl InFlight {
    fn slot(&self, key: &OnceKey) -> Slot {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        slots.entry(key.id()).or_default().clone()
    }

    fn release(&self, key: &OnceKey, slot: &Slot) {
        let mut slots = self.slots.lock().unwrap_or_else(|p| p.into_inner());
        // The map's and this claim's: nobody else waits.
        if Arc::strong_count(slot) <= 2 {
            slots.remove(&key.id());
        }
    }

    /// Keys in flight (for tests of the bound).
    pub(super) fn len(&self) -> usize {
        self.slots.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl Moderation {
    /// Waits for any request with the same key on this instance, then looks the key up.
    pub async fn begin_once(&self, key: OnceKey) -> Result<Begun, ModerationError> {
        let slot = self.once.slot(&key);
        let waited = tokio::time::timeout(WAIT_FOR_FIRST, slot.clone().lock_owned()).await;
        let claim = Claim {
            key,
            slot,
            guard: waited.ok(),
            inflight: self.once.clone(),
        };
        if claim.guard.is_none() {
            return Err(ModerationError::KeyInProgress);
        }
        match self.stored_answer(&claim.key).await? {
            Some(answer) => Ok(Begun::Replay(Box::new(answer))),
            None => Ok(Begun::Fresh(claim)),
        }
    }

    /// Submits `new` as `once` says: without a key, under a fresh claim, or not at all when
    /// the key already has its answer.
    pub async fn submit_keyed(
        &self,
        new: NewComment,
        once: Option<Begun>,
    ) -> Result<Submitted, ModerationError> {
        match once {
            None => self.submit(new).await,
            Some(Begun::Replay(answer)) => Ok(*answer),
            Some(Begun::Fresh(claim)) => self.submit_once(new, claim).await,
        }
    }

    /// Submits under a claimed key: the key is stored with the comment. A retry that raced
    /// past the look-up (from another instance) gets the first answer.
    pub async fn submit_once(
        &self,
        new: NewComment,
        claim: Claim,
    ) -> Result<Submitted, ModerationError> {
        // The claim holds off this instance's retries until the answer is back.
        let key = &claim.key;
        match self.write_keyed(new, key).await {
            Err(e @ (ModerationError::Duplicate | ModerationError::KeyInProgress)) => {
                match self.stored_answer(key).await? {
                    Some(answer) => Ok(answer),
                    None => Err(e),
                }
            }
            other => other,
        }
    }

    /// Prepares `new` and writes it with its key's row.
    async fn write_keyed(
        &self,
        new: NewComment,
        key: &OnceKey,
    ) -> Result<Submitted, ModerationError> {
        let hours = i64::from(self.config.retention.idempotency_key_hours);
        let mut prepared = self.prepare(new).await?;
        prepared.once = Some(KeyRow {
            site: key.site.clone(),
            key_hash: key.key_hash.clone(),
            fingerprint: key.fingerprint.clone(),
            expires_at: prepared.now + chrono::Duration::hours(hours),
        });
        self.write_submission(prepared).await
    }

    /// The first answer under `key`, unless it expired; a reuse with other fields is refused.
    async fn stored_answer(&self, key: &OnceKey) -> Result<Option<Submitted>, ModerationError> {
        let row = idempotency_key::Entity::find_by_id(key.id())
            .filter(idempotency_key::Column::ExpiresAt.gt(self.clock.now()))
            .one(&self.db.reader)
            .await?;
        let Some(row) = row else { return Ok(None) };
        if row.fingerprint != key.fingerprint {
            return Err(ModerationError::KeyReused);
        }
        serde_json::from_str(&row.answer)
            .map(Some)
            .map_err(|e| ModerationError::Db(DbErr::Custom(format!("stored answer: {e}"))))
    }
}

/// Stores the keys of the submissions just written, with their answers, in their
/// transaction. An expired row of the same key goes first; a live one makes the whole
/// transaction fail with `KeyInProgress` (the batch is then written one by one).
pub(super) async fn store_keys(
    tx: &DatabaseTransaction,
    keyed: &[(&KeyRow, &Submitted)],
    now: DateTime<Utc>,
) -> Result<(), ModerationError> {
    if keyed.is_empty() {
        return Ok(());
    }
    // Expired rows of these keys, in one statement.
    let these = keyed.iter().fold(Condition::any(), |any, (row, _)| {
        any.add(
            Condition::all()
                .add(idempotency_key::Column::Site.eq(row.site.as_str()))
                .add(idempotency_key::Column::KeyHash.eq(row.key_hash.as_str())),
        )
    });
    idempotency_key::Entity::delete_many()
        .filter(these)
        .filter(idempotency_key::Column::ExpiresAt.lte(now))
        .exec(tx)
        .await?;
    let mut rows = Vec::with_capacity(keyed.len());
    for (row, answer) in keyed {
        let json = serde_json::to_string(answer)
            .map_err(|e| ModerationError::Db(DbErr::Custom(format!("answer: {e}"))))?;
        rows.push(idempotency_key::ActiveModel {
            site: Set(row.site.clone()),
            key_hash: Set(row.key_hash.clone()),
            fingerprint: Set(row.fingerprint.clone()),
            comment_id: Set(answer.id),
            answer: Set(json),
            created_at: Set(now),
            expires_at: Set(row.expires_at),
        });
    }
    idempotency_key::Entity::insert_many(rows)
        .exec_without_returning(tx)
        .await
        .map_err(|e| match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => ModerationError::KeyInProgress,
            _ => ModerationError::Db(e),
        })?;
    Ok(())
}

/// Forgets the stored answers of comments emptied to placeholders: they repeat the author's
/// name and text. (A removed comment takes its key with it: the foreign key cascades.)
pub(super) async fn forget(tx: &DatabaseTransaction, comment_ids: &[i64]) -> Result<(), DbErr> {
    idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CommentId.is_in(comment_ids.iter().copied()))
        .exec(tx)
        .await?;
    Ok(())
}

/// Removes the keys that expired before `now`; returns how many.
pub(super) async fn purge_expired(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected)
}
