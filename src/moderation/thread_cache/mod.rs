//! The published-thread cache: serialised public thread pages and each page's published-comment
//! count, kept until something on the page changes (or a safety TTL passes). It holds opaque
//! bytes; the HTTP layer decides what they are. Invalidation bumps a generation, so a read that
//! started before a change can never store what it read after the change. Only successful reads
//! are stored, within a budget of entries and bytes; a look-up alone adds nothing.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use crate::config::CacheConfig;

#[cfg(test)]
mod tests;

/// One cached response body, with its validator.
#[derive(Debug)]
pub struct Cached {
    /// Shared, so serving it is a reference count, not a copy.
    pub body: Bytes,
    /// A hash of `body`, quoted: a strong entity tag.
    pub etag: String,
    pub built_at: DateTime<Utc>,
    /// When the body goes stale by itself (the page closes with age then).
    pub fresh_until: Option<DateTime<Utc>>,
}

impl Cached {
    pub fn new(body: impl Into<Bytes>, built_at: DateTime<Utc>) -> Cached {
        let body = body.into();
        let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..12]));
        Cached {
            body,
            etag,
            built_at,
            fresh_until: None,
        }
    }

    /// The same body, stale from `at` on.
    pub fn until(mut self, at: Option<DateTime<Utc>>) -> Cached {
        self.fresh_until = at;
        self
    }
}

/// Which view of a page's thread a body is: its window of results, its order, and the
/// publication date the embed gave (it can decide whether the page is closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Variant {
    pub offset: u64,
    pub limit: u64,
    pub newest_first: bool,
    pub published: Option<i64>,
}

impl Variant {
    /// Oldest first, with no publication date.
    pub fn window(offset: u64, limit: u64) -> Variant {
        Variant {
            offset,
            limit,
            newest_first: false,
            published: None,
        }
    }
}

/// What a look-up found: the body, or the generation to hand back to [`ThreadCache::store`].
pub enum Lookup {
    Hit(Arc<Cached>),
    Miss(u64),
}

/// What a count look-up found: the count, or the generation to hand back to
/// [`ThreadCache::store_count`].
pub enum CountLookup {
    Hit(u64),
    Miss(u64),
}

/// At most this many variants of one thread are kept; further variants of the same page are
/// served, but not stored.
const MAX_VARIANTS_PER_PAGE: usize = 8;

struct PageEntry {
    generation: u64,
    variants: HashMap<Variant, Arc<Cached>>,
    /// The page's published-comment count, and when it was read.
    count: Option<(u64, DateTime<Utc>)>,
}

/// The pages, and what they weigh: the sum of every stored body and its key.
#[derive(Default)]
struct Pages {
    map: HashMap<String, PageEntry>,
    entries: usize,
    bytes: usize,
}

#[derive(Debug)]
pub struct ThreadCache {
    enabled: bool,
    ttl: Duration,
    max_entries: usize,
    max_bytes: usize,
    epoch: AtomicU64,
    pages: Mutex<Pages>,
}

/// By hand, so `ThreadCache` can derive `Debug` without printing bodies.
impl std::fmt::Debug for Pages {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pages({} entries, {} bytes)", self.entries, self.bytes)
    }
}

fn key(site: &str, uri: &str) -> String {
    let mut k = String::with_capacity(site.len() + uri.len() + 1);
    k.push_str(site);
    k.push('\n');
    k.push_str(uri);
    k
}

/// What one stored item weighs: its body (none for a count), its page's key and a fixed
/// overhead.
fn weight(key: &str, body: usize) -> usize {
    body + key.len() + 64
}

fn body_weight(key: &str, cached: &Cached) -> usize {
    weight(key, cached.body.len() + cached.etag.len())
}

impl Pages {
    /// Forgets one page, returning its weight to the budget.
    fn remove(&mut self, key: &str) {
        if let Some(entry) = self.map.remove(key) {
            self.entries -= entry.variants.len();
            self.bytes -= entry
                .variants
                .values()
                .map(|c| body_weight(key, c))
                .sum::<usize>();
            if entry.count.is_some() {
                self.entries -= 1;
                self.bytes -= weight(key, 0);
            }
        }
    }

    /// Evicts arbitrary pages until `incoming` more bytes and one more entry fit.
    fn make_room(&mut self, incoming: usize, max_entries: usize, max_bytes: usize) {
        while !self.map.is_empty()
            && (self.entries >= max_entries || self.bytes + incoming > max_bytes)
        {
            let Some(victim) = self.map.keys().next().cloned() else {
                break;
            };
            self.remove(&victim);
        }
    }

    /// Whether a read that looked the page up at `generation` may still store what it read:
    /// not when the page (or, for a page not cached then, anything) changed since.
    fn current(&self, k: &str, generation: u64, epoch: u64) -> bool {
        match self.map.get(k) {
            Some(e) => e.generation == generation,
            None => epoch == generation,
        }
    }

    /// The page's entry after making room for `w` more bytes; eviction may have taken this
    /// very page, so it starts again at `generation`, which is still current (changes bump the
    /// epoch and remove the page).
    fn room_for(
        &mut self,
        k: String,
        w: usize,
        generation: u64,
        limits: (usize, usize),
    ) -> &mut PageEntry {
        self.make_room(w, limits.0, limits.1);
        self.entries += 1;
        self.bytes += w;
        self.map.entry(k).or_insert_with(|| PageEntry {
            generation,
            variants: HashMap::new(),
            count: None,
        })
    }
}

impl ThreadCache {
    pub fn new(cfg: &CacheConfig) -> ThreadCache {
        ThreadCache {
            enabled: cfg.threads,
            ttl: Duration::seconds(i64::try_from(cfg.ttl_secs).unwrap_or(300)),
            max_entries: cfg.max_entries.max(1),
            max_bytes: cfg.max_bytes,
            epoch: AtomicU64::new(1),
            pages: Mutex::new(Pages::default()),
        }
    }

    fn pages(&self) -> MutexGuard<'_, Pages> {
        // A panic while holding the lock cannot leave the map inconsistent: recover it.
        self.pages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn limits(&self) -> (usize, usize) {
        (self.max_entries, self.max_bytes)
    }

    /// Looks a variant up. A miss stores nothing: only [`ThreadCache::store`], after a
    /// successful read, adds to the cache.
    pub fn lookup(&self, site: &str, uri: &str, variant: Variant, now: DateTime<Utc>) -> Lookup {
        if !self.enabled {
            return Lookup::Miss(0);
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let pages = self.pages();
        let Some(entry) = pages.map.get(&key(site, uri)) else {
            return Lookup::Miss(epoch);
        };
        match entry.variants.get(&variant) {
            Some(c) if now - c.built_at < self.ttl && c.fresh_until.is_none_or(|t| now < t) => {
                Lookup::Hit(c.clone())
            }
            _ => Lookup::Miss(entry.generation),
        }
    }

    /// Keeps `cached` unless the page changed since the look-up that returned `generation`,
    /// within the entry and byte budgets.
    pub fn store(
        &self,
        site: &str,
        uri: &str,
        variant: Variant,
        generation: u64,
        cached: Arc<Cached>,
    ) {
        if !self.enabled {
            return;
        }
        let k = key(site, uri);
        let w = body_weight(&k, &cached);
        if w > self.max_bytes {
            return;
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let mut pages = self.pages();
        if !pages.current(&k, generation, epoch) {
            return;
        }
        if let Some(e) = pages.map.get(&k)
            && e.variants.len() >= MAX_VARIANTS_PER_PAGE
            && !e.variants.contains_key(&variant)
        {
            return;
        }
        let old = pages
            .map
            .get_mut(&k)
            .and_then(|e| e.variants.remove(&variant));
        if let Some(old) = old {
            pages.entries -= 1;
            pages.bytes -= body_weight(&k, &old);
        }
        let limits = self.limits();
        pages
            .room_for(k, w, generation, limits)
            .variants
            .insert(variant, cached);
    }

    /// The page's cached published-comment count. A miss stores nothing.
    pub fn lookup_count(&self, site: &str, uri: &str, now: DateTime<Utc>) -> CountLookup {
        let mut found = self.lookup_counts(site, std::iter::once(uri), now);
        found.pop().unwrap_or(CountLookup::Miss(0))
    }

    /// The cached counts of several pages of one site, in order, under one lock and with
    /// one key buffer. A miss stores nothing.
    pub fn lookup_counts<'a>(
        &self,
        site: &str,
        uris: impl IntoIterator<Item = &'a str>,
        now: DateTime<Utc>,
    ) -> Vec<CountLookup> {
        let uris = uris.into_iter();
        if !self.enabled {
            return uris.map(|_| CountLookup::Miss(0)).collect();
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let pages = self.pages();
        let mut k = key(site, "");
        uris.map(|uri| {
            k.truncate(site.len() + 1);
            k.push_str(uri);
            let Some(entry) = pages.map.get(&k) else {
                return CountLookup::Miss(epoch);
            };
            match entry.count {
                Some((n, at)) if now - at < self.ttl => CountLookup::Hit(n),
                _ => CountLookup::Miss(entry.generation),
            }
        })
        .collect()
    }

    /// Keeps `count` unless the page changed since the look-up that returned `generation`,
    /// within the same budgets as the bodies.
    pub fn store_count(
        &self,
        site: &str,
        uri: &str,
        generation: u64,
        count: u64,
        now: DateTime<Utc>,
    ) {
        if !self.enabled {
            return;
        }
        let k = key(site, uri);
        let epoch = self.epoch.load(Ordering::Acquire);
        let mut pages = self.pages();
        if !pages.current(&k, generation, epoch) {
            return;
        }
        if let Some(e) = pages.map.get_mut(&k)
            && e.count.is_some()
        {
            e.count = Some((count, now));
            return;
        }
        let (w, limits) = (weight(&k, 0), self.limits());
        pages.room_for(k, w, generation, limits).count = Some((count, now));
    }

    /// Forgets everything cached for one page.
    pub fn invalidate(&self, site: &str, uri: &str) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.pages().remove(&key(site, uri));
    }

    /// Forgets everything (when change notices may have been missed).
    pub fn clear(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        *self.pages() = Pages::default();
    }

    /// How many bodies and counts are stored, and what they weigh in bytes.
    pub fn usage(&self) -> (usize, usize) {
        let pages = self.pages();
        (pages.entries, pages.bytes)
    }
}
