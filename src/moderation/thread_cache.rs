//! The published-thread cache: serialised public thread pages, kept until something on the
//! page changes (or a safety TTL passes). It holds opaque bytes; the HTTP layer decides what
//! they are. Invalidation bumps a generation, so a read that started before a change can
//! never store what it read after the change. Each page's published-comment count lives in
//! the same entry, so the change that empties a page's thread empties its count too.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

use crate::config::CacheConfig;

/// One cached response body, with its validator.
#[derive(Debug)]
pub struct Cached {
    pub body: Vec<u8>,
    /// A hash of `body`, usable as an entity tag.
    pub etag: String,
    pub built_at: DateTime<Utc>,
    /// When the body goes stale by itself (the page closes with age then).
    pub fresh_until: Option<DateTime<Utc>>,
}

impl Cached {
    pub fn new(body: Vec<u8>, built_at: DateTime<Utc>) -> Cached {
        let etag = hex::encode(&Sha256::digest(&body)[..12]);
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

#[derive(Default)]
struct PageEntry {
    generation: u64,
    variants: HashMap<Variant, Arc<Cached>>,
    /// The page's published-comment count, and when it was read.
    count: Option<(u64, DateTime<Utc>)>,
}

/// What a count look-up found: the count, or the generation to hand back to
/// [`ThreadCache::store_count`].
pub enum CountLookup {
    Hit(u64),
    Miss(u64),
}

#[derive(Debug)]
pub struct ThreadCache {
    enabled: bool,
    ttl: Duration,
    max_pages: usize,
    epoch: AtomicU64,
    pages: Mutex<HashMap<String, PageEntryBox>>,
}

/// `PageEntry` behind a newtype so `ThreadCache` can derive `Debug` without printing bodies.
struct PageEntryBox(PageEntry);

impl std::fmt::Debug for PageEntryBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PageEntry(gen {}, {} variants)",
            self.0.generation,
            self.0.variants.len()
        )
    }
}

fn key(site: &str, uri: &str) -> String {
    let mut k = String::with_capacity(site.len() + uri.len() + 1);
    k.push_str(site);
    k.push('\n');
    k.push_str(uri);
    k
}

impl ThreadCache {
    pub fn new(cfg: &CacheConfig) -> ThreadCache {
        ThreadCache {
            enabled: cfg.threads,
            ttl: Duration::seconds(i64::try_from(cfg.ttl_secs).unwrap_or(300)),
            max_pages: cfg.max_pages.max(1),
            epoch: AtomicU64::new(1),
            pages: Mutex::new(HashMap::new()),
        }
    }

    fn pages(&self) -> MutexGuard<'_, HashMap<String, PageEntryBox>> {
        // A panic while holding the lock cannot leave the map inconsistent: recover it.
        self.pages
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn lookup(&self, site: &str, uri: &str, variant: Variant, now: DateTime<Utc>) -> Lookup {
        if !self.enabled {
            return Lookup::Miss(0);
        }
        let mut pages = self.pages();
        let entry = self.entry(&mut pages, site, uri);
        match entry.variants.get(&variant) {
            Some(c) if now - c.built_at < self.ttl && c.fresh_until.is_none_or(|t| now < t) => {
                Lookup::Hit(c.clone())
            }
            _ => Lookup::Miss(entry.generation),
        }
    }

    /// The page's entry, made (at the current epoch) when there is none.
    fn entry<'m>(
        &self,
        pages: &'m mut HashMap<String, PageEntryBox>,
        site: &str,
        uri: &str,
    ) -> &'m mut PageEntry {
        let epoch = self.epoch.load(Ordering::Acquire);
        &mut pages
            .entry(key(site, uri))
            .or_insert_with(|| {
                PageEntryBox(PageEntry {
                    generation: epoch,
                    ..PageEntry::default()
                })
            })
            .0
    }

    /// The page's cached published-comment count.
    pub fn lookup_count(&self, site: &str, uri: &str, now: DateTime<Utc>) -> CountLookup {
        if !self.enabled {
            return CountLookup::Miss(0);
        }
        let mut pages = self.pages();
        let entry = self.entry(&mut pages, site, uri);
        match entry.count {
            Some((n, at)) if now - at < self.ttl => CountLookup::Hit(n),
            _ => CountLookup::Miss(entry.generation),
        }
    }

    /// Keeps `count` unless the page changed since the look-up that returned `generation`.
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
        let mut pages = self.pages();
        if pages.len() > self.max_pages {
            pages.clear();
            self.epoch.fetch_add(1, Ordering::AcqRel);
            return;
        }
        if let Some(PageEntryBox(entry)) = pages.get_mut(&key(site, uri))
            && entry.generation == generation
        {
            entry.count = Some((count, now));
        }
    }

    /// Keeps `cached` unless the page changed since the look-up that returned `generation`.
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
        let mut pages = self.pages();
        if pages.len() > self.max_pages {
            // Crude but bounded: start over rather than track recency on the hot path.
            pages.clear();
            self.epoch.fetch_add(1, Ordering::AcqRel);
            return;
        }
        if let Some(PageEntryBox(entry)) = pages.get_mut(&key(site, uri))
            && entry.generation == generation
        {
            entry.variants.insert(variant, cached);
        }
    }

    /// Forgets everything cached for one page.
    pub fn invalidate(&self, site: &str, uri: &str) {
        let generation = self.epoch.fetch_add(1, Ordering::AcqRel) + 1;
        let mut pages = self.pages();
        let entry = &mut pages
            .entry(key(site, uri))
            .or_insert_with(|| PageEntryBox(PageEntry::default()))
            .0;
        entry.generation = generation;
        entry.variants.clear();
        entry.count = None;
    }

    /// Forgets everything (when change notices may have been missed).
    pub fn clear(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
        self.pages().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> ThreadCache {
        ThreadCache::new(&CacheConfig {
            threads: true,
            ttl_secs: 60,
            max_pages: 100,
            public_max_age_secs: 10,
            stale_while_revalidate_secs: 60,
        })
    }

    fn body(s: &str, at: DateTime<Utc>) -> Arc<Cached> {
        Arc::new(Cached::new(s.as_bytes().to_vec(), at))
    }

    #[test]
    fn a_stored_page_is_served_until_invalidated() {
        let c = cache();
        let now = Utc::now();
        let Lookup::Miss(g) = c.lookup("s", "/a", Variant::window(0, 10), now) else {
            panic!("empty cache hit")
        };
        c.store("s", "/a", Variant::window(0, 10), g, body("v1", now));
        assert!(
            matches!(c.lookup("s", "/a", Variant::window(0, 10), now), Lookup::Hit(b) if b.body == b"v1")
        );
        assert!(
            matches!(
                c.lookup("s", "/a", Variant::window(10, 10), now),
                Lookup::Miss(_)
            ),
            "other variants are separate"
        );
        c.invalidate("s", "/a");
        assert!(matches!(
            c.lookup("s", "/a", Variant::window(0, 10), now),
            Lookup::Miss(_)
        ));
    }

    #[test]
    fn a_read_that_raced_a_change_is_not_stored() {
        let c = cache();
        let now = Utc::now();
        let Lookup::Miss(g) = c.lookup("s", "/a", Variant::window(0, 10), now) else {
            panic!()
        };
        c.invalidate("s", "/a"); // a write commits while the read is in flight
        c.store("s", "/a", Variant::window(0, 10), g, body("stale", now));
        assert!(matches!(
            c.lookup("s", "/a", Variant::window(0, 10), now),
            Lookup::Miss(_)
        ));
        // Also when the page was never looked up before the change.
        let Lookup::Miss(g) = c.lookup("s", "/new", Variant::window(0, 10), now) else {
            panic!()
        };
        c.clear();
        c.store("s", "/new", Variant::window(0, 10), g, body("stale", now));
        assert!(matches!(
            c.lookup("s", "/new", Variant::window(0, 10), now),
            Lookup::Miss(_)
        ));
    }

    #[test]
    fn a_body_goes_stale_when_its_page_closes_by_age() {
        let c = cache();
        let now = Utc::now();
        let Lookup::Miss(g) = c.lookup("s", "/a", Variant::window(0, 10), now) else {
            panic!()
        };
        let closes = now + Duration::seconds(5);
        let stored = Cached::new(b"open".to_vec(), now).until(Some(closes));
        c.store("s", "/a", Variant::window(0, 10), g, Arc::new(stored));
        assert!(matches!(
            c.lookup(
                "s",
                "/a",
                Variant::window(0, 10),
                closes - Duration::seconds(1)
            ),
            Lookup::Hit(_)
        ));
        assert!(matches!(
            c.lookup("s", "/a", Variant::window(0, 10), closes),
            Lookup::Miss(_)
        ));
    }

    #[test]
    fn a_count_is_kept_until_its_page_changes() {
        let c = cache();
        let now = Utc::now();
        let CountLookup::Miss(g) = c.lookup_count("s", "/a", now) else {
            panic!("empty cache hit")
        };
        c.store_count("s", "/a", g, 3, now);
        assert!(matches!(
            c.lookup_count("s", "/a", now),
            CountLookup::Hit(3)
        ));
        assert!(matches!(
            c.lookup_count("s", "/b", now),
            CountLookup::Miss(_)
        ));
        c.invalidate("s", "/a");
        let CountLookup::Miss(stale) = c.lookup_count("s", "/a", now) else {
            panic!("a change empties the count")
        };
        c.invalidate("s", "/a"); // a change while the count was being read
        c.store_count("s", "/a", stale, 9, now);
        assert!(matches!(
            c.lookup_count("s", "/a", now),
            CountLookup::Miss(_)
        ));
        assert!(matches!(
            c.lookup_count("s", "/a", now + Duration::seconds(61)),
            CountLookup::Miss(_)
        ));
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let c = cache();
        let now = Utc::now();
        let Lookup::Miss(g) = c.lookup("s", "/a", Variant::window(0, 10), now) else {
            panic!()
        };
        c.store("s", "/a", Variant::window(0, 10), g, body("v1", now));
        assert!(matches!(
            c.lookup(
                "s",
                "/a",
                Variant::window(0, 10),
                now + Duration::seconds(61)
            ),
            Lookup::Miss(_)
        ));
    }
}
