//! The published-thread cache: serialised public thread pages, kept until something on the
//! page changes (or a safety TTL passes). It holds opaque bytes; the HTTP layer decides what
//! they are. Invalidation bumps a generation, so a read that started before a change can
//! never store what it read after the change.
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
}

impl Cached {
    pub fn new(body: Vec<u8>, built_at: DateTime<Utc>) -> Cached {
        let etag = hex::encode(&Sha256::digest(&body)[..12]);
        Cached {
            body,
            etag,
            built_at,
        }
    }
}

/// What a look-up found: the body, or the generation to hand back to [`ThreadCache::store`].
pub enum Lookup {
    Hit(Arc<Cached>),
    Miss(u64),
}

/// At most this many (offset, limit) pages of one thread are kept; further variants of
/// the same page are served, but not stored.
const MAX_VARIANTS_PER_PAGE: usize = 8;

struct PageEntry {
    generation: u64,
    /// Keyed by the page of results: (offset, limit).
    variants: HashMap<(u64, u64), Arc<Cached>>,
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

/// What one stored variant weighs: its body, its page's key and a fixed overhead.
fn weight(key: &str, cached: &Cached) -> usize {
    cached.body.len() + cached.etag.len() + key.len() + 64
}

impl Pages {
    /// Forgets one page, returning its weight to the budget.
    fn remove(&mut self, key: &str) {
        if let Some(entry) = self.map.remove(key) {
            self.entries -= entry.variants.len();
            self.bytes -= entry
                .variants
                .values()
                .map(|c| weight(key, c))
                .sum::<usize>();
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

    /// Looks a variant up. A miss stores nothing: only [`ThreadCache::store`], after a
    /// successful read, adds to the cache.
    pub fn lookup(&self, site: &str, uri: &str, variant: (u64, u64), now: DateTime<Utc>) -> Lookup {
        if !self.enabled {
            return Lookup::Miss(0);
        }
        let epoch = self.epoch.load(Ordering::Acquire);
        let pages = self.pages();
        let Some(entry) = pages.map.get(&key(site, uri)) else {
            return Lookup::Miss(epoch);
        };
        match entry.variants.get(&variant) {
            Some(c) if now - c.built_at < self.ttl => Lookup::Hit(c.clone()),
            _ => Lookup::Miss(entry.generation),
        }
    }

    /// Keeps `cached` unless the page changed since the look-up that returned `generation`
    /// (for a page not cached then: unless anything changed), within the entry and byte
    /// budgets.
    pub fn store(
        &self,
        site: &str,
        uri: &str,
        variant: (u64, u64),
        generation: u64,
        cached: Arc<Cached>,
    ) {
        if !self.enabled {
            return;
        }
        let k = key(site, uri);
        let w = weight(&k, &cached);
        if w > self.max_bytes {
            return;
        }
        let mut pages = self.pages();
        match pages.map.get(&k) {
            Some(e) if e.generation != generation => return,
            Some(e)
                if e.variants.len() >= MAX_VARIANTS_PER_PAGE
                    && !e.variants.contains_key(&variant) =>
            {
                return;
            }
            None if self.epoch.load(Ordering::Acquire) != generation => return,
            _ => {}
        }
        let old = pages
            .map
            .get_mut(&k)
            .and_then(|e| e.variants.remove(&variant));
        if let Some(old) = old {
            pages.entries -= 1;
            pages.bytes -= weight(&k, &old);
        }
        pages.make_room(w, self.max_entries, self.max_bytes);
        // Eviction may have taken this very page: start it again at the same generation,
        // which is still current (changes bump the epoch and remove the page).
        let entry = pages.map.entry(k).or_insert_with(|| PageEntry {
            generation,
            variants: HashMap::new(),
        });
        entry.variants.insert(variant, cached);
        pages.entries += 1;
        pages.bytes += w;
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

    /// How many variants are stored, and what they weigh in bytes.
    pub fn usage(&self) -> (usize, usize) {
        let pages = self.pages();
        (pages.entries, pages.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache() -> ThreadCache {
        ThreadCache::new(&CacheConfig {
            threads: true,
            ttl_secs: 60,
            max_entries: 100,
            max_bytes: 1 << 20,
        })
    }

    fn body(s: &str, at: DateTime<Utc>) -> Arc<Cached> {
        Arc::new(Cached::new(s.as_bytes().to_vec(), at))
    }

    #[test]
    fn a_stored_page_is_served_until_invalidated() {
        let c = cache();
        let now = Utc::now();
        let Lookup::Miss(g) = c.lookup("s", "/a", (0, 10), now) else {
            panic!("empty cache hit")
        };
        c.store("s", "/a", (0, 10), g, body("v1", now));
        assert!(matches!(c.lookup("s", "/a", (0, 10), now), Lookup::Hit(b) if b.body == b"v1"));
        assert!(
            matches!(c.lookup("s", "/a", (10, 10), now), Lookup::Miss(_)),
            "other variants are separate"
        );
        c.invalidate("s", "/a");
        assert!(matches!(c.lookup("s", "/a", (0, 10), now), Lookup::Miss(_)));
    }

    #[test]
    fn a_read_that_raced_a_change_is_not_stored() {
        let c = cache();
        let now = Utc::now();
        let Lookup::Miss(g) = c.lookup("s", "/a", (0, 10), now) else {
            panic!()
        };
        c.invalidate("s", "/a"); // a write commits while the read is in flight
        c.store("s", "/a", (0, 10), g, body("stale", now));
        assert!(matches!(c.lookup("s", "/a", (0, 10), now), Lookup::Miss(_)));
        // Also when the page was never looked up before the change.
        let Lookup::Miss(g) = c.lookup("s", "/new", (0, 10), now) else {
            panic!()
        };
        c.clear();
        c.store("s", "/new", (0, 10), g, body("stale", now));
        assert!(matches!(
            c.lookup("s", "/new", (0, 10), now),
            Lookup::Miss(_)
        ));
    }

    #[test]
    fn entries_expire_after_the_ttl() {
        let c = cache();
        let now = Utc::now();
        let Lookup::Miss(g) = c.lookup("s", "/a", (0, 10), now) else {
            panic!()
        };
        c.store("s", "/a", (0, 10), g, body("v1", now));
        assert!(matches!(
            c.lookup("s", "/a", (0, 10), now + Duration::seconds(61)),
            Lookup::Miss(_)
        ));
    }

    #[test]
    fn a_miss_stores_nothing_and_the_budgets_hold() {
        let c = ThreadCache::new(&CacheConfig {
            threads: true,
            ttl_secs: 60,
            max_entries: 10,
            max_bytes: 4000,
        });
        let now = Utc::now();
        for i in 0..100 {
            let _ = c.lookup("s", &format!("/p{i}"), (0, 10), now);
        }
        assert_eq!(c.usage(), (0, 0), "look-ups alone add nothing");
        for i in 0..100 {
            let uri = format!("/p{i}");
            let Lookup::Miss(g) = c.lookup("s", &uri, (0, 10), now) else {
                panic!()
            };
            c.store("s", &uri, (0, 10), g, body(&"x".repeat(300), now));
            let (entries, bytes) = c.usage();
            assert!(
                entries <= 10 && bytes <= 4000,
                "{entries} entries, {bytes} bytes"
            );
        }
        assert!(matches!(
            c.lookup("s", "/p99", (0, 10), now),
            Lookup::Hit(_)
        ));
        c.store(
            "s",
            "/big",
            (0, 10),
            c.epoch.load(Ordering::Acquire),
            body(&"y".repeat(5000), now),
        );
        assert!(
            matches!(c.lookup("s", "/big", (0, 10), now), Lookup::Miss(_)),
            "too big alone"
        );
    }

    #[test]
    fn a_page_keeps_a_bounded_number_of_variants() {
        let c = cache();
        let now = Utc::now();
        for offset in 0..50 {
            let Lookup::Miss(g) = c.lookup("s", "/a", (offset, 10), now) else {
                panic!()
            };
            c.store("s", "/a", (offset, 10), g, body("v", now));
        }
        assert_eq!(c.usage().0, MAX_VARIANTS_PER_PAGE);
        assert!(matches!(c.lookup("s", "/a", (0, 10), now), Lookup::Hit(_)));
    }

    #[test]
    fn invalidating_a_page_returns_its_bytes() {
        let c = cache();
        let now = Utc::now();
        let Lookup::Miss(g) = c.lookup("s", "/a", (0, 10), now) else {
            panic!()
        };
        c.store("s", "/a", (0, 10), g, body("v1", now));
        assert_eq!(c.usage().0, 1);
        c.invalidate("s", "/a");
        assert_eq!(c.usage(), (0, 0));
    }
}
