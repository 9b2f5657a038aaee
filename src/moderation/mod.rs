//! The moderation domain: what a comment is, how it is judged, and every change to it.
//! Knows nothing of HTTP or email; each operation is one transaction with its audit row.
pub mod audit;
mod ban_author;
mod batch;
pub mod changes;
pub mod closing;
mod context;
pub mod error;
mod feed;
pub mod filter;
pub mod history;
mod html_text;
pub mod idempotency;
pub mod input;
mod link;
mod mail;
pub mod markdown;
pub mod own;
mod pinning;
mod placeholder;
pub mod policy;
pub mod privacy;
mod queue;
mod reply;
pub mod reports;
pub mod retention;
pub mod returning;
pub mod screening;
mod store;
mod submit;
mod thread;
pub mod thread_cache;
mod transitions;
pub mod verdict;
pub mod wordpress;
mod write;

use std::sync::Arc;

pub use audit::Actor;
pub use ban_author::{AuthorBan, BanWhat, Banned};
pub use error::{FieldErrors, ModerationError};
pub use feed::FeedItems;
pub use history::PastComment;
pub use history::import::{
    ImportRun, ImportedBody, ImportedComment, ImportedPage, PageOutcome, PreparedPage,
};
pub use idempotency::{Begun, Claim, OnceKey};
pub use link::{LinkOutcome, SpentLink, is_stale as link_is_stale};
pub use queue::{QueueFilter, QueueOrder, QueuePage};
pub use reply::ReplyAuthor;
pub use submit::{ClientInfo, FormKind, NewComment, Submitted};
pub use thread::{Thread, ThreadView};
pub use transitions::{Action, Deletion};

use crate::clock::Clock;
use crate::config::Config;
use crate::db::Db;
use crate::keys::Keys;

/// The moderation service. Cheap to clone; one per app.
#[derive(Clone, Debug)]
pub struct Moderation {
    db: Db,
    keys: Keys,
    clock: Clock,
    config: Arc<Config>,
    /// Wakes the mail worker once a transaction that enqueued mail has committed.
    mail: crate::notify::Waker,
    /// Serialised public threads, emptied page by page as they change.
    threads: Arc<thread_cache::ThreadCache>,
    /// The word lists and bans, emptied whenever they change.
    lists: screening::ListsCache,
    /// The spam filter models, held in memory and reloaded as they change.
    spam: filter::SpamModels,
    /// Models trained by transactions not yet committed, reloaded after the commit.
    spam_touched: Arc<std::sync::Mutex<Vec<String>>>,
    /// Submissions waiting to be written together.
    group: Arc<batch::Batcher<submit::Prepared, Result<Submitted, ModerationError>>>,
    metrics: crate::metrics::Metrics,
    /// Idempotency keys whose first request is running here.
    once: Arc<idempotency::InFlight>,
}

impl Moderation {
    pub fn new(db: Db, keys: Keys, clock: Clock, config: Arc<Config>) -> Moderation {
        Moderation {
            spam: filter::SpamModels::new(db.clone(), config.spam.filter.max_tokens),
            db,
            keys,
            clock,
            mail: crate::notify::Waker::default(),
            threads: Arc::new(thread_cache::ThreadCache::new(&config.cache)),
            lists: screening::ListsCache::default(),
            spam_touched: Arc::default(),
            group: Arc::new(batch::Batcher::new(write::MAX_BATCH)),
            metrics: crate::metrics::Metrics::default(),
            once: Arc::default(),
            config,
        }
    }

    /// The public-thread cache this service keeps coherent.
    pub fn threads(&self) -> &thread_cache::ThreadCache {
        &self.threads
    }

    /// Submissions waiting for the write transaction that will store them.
    pub fn submissions_waiting(&self) -> usize {
        self.group.waiting()
    }

    /// The word lists and bans this service screens with, and keeps coherent.
    pub fn lists(&self) -> &screening::ListsCache {
        &self.lists
    }

    /// Idempotency keys whose first request is still running on this instance.
    pub fn keys_in_flight(&self) -> usize {
        self.once.len()
    }

    /// Removes the idempotency keys that expired; returns how many.
    pub async fn purge_expired_keys(&self) -> Result<u64, ModerationError> {
        Ok(idempotency::purge_expired(&self.db.writer, self.clock.now()).await?)
    }

    /// Records into the app's metrics (submission batch sizes).
    pub fn with_metrics(mut self, metrics: crate::metrics::Metrics) -> Moderation {
        self.metrics = metrics;
        self
    }

    /// Connects this service to the mail worker's waker.
    pub fn with_mail_waker(mut self, waker: crate::notify::Waker) -> Moderation {
        self.mail = waker;
        self
    }
}
