//! Unit tests of the thread cache: generations, budgets, expiry and counts.
use super::*;

fn cache() -> ThreadCache {
    ThreadCache::new(&CacheConfig {
        threads: true,
        ttl_secs: 60,
        max_entries: 100,
        max_bytes: 1 << 20,
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
        matches!(c.lookup("s", "/a", Variant::window(0, 10), now), Lookup::Hit(b) if b.body[..] == b"v1"[..])
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

#[test]
fn a_miss_stores_nothing_and_the_budgets_hold() {
    let c = ThreadCache::new(&CacheConfig {
        threads: true,
        ttl_secs: 60,
        max_entries: 10,
        max_bytes: 4000,
        public_max_age_secs: 10,
        stale_while_revalidate_secs: 60,
    });
    let now = Utc::now();
    for i in 0..100 {
        let _ = c.lookup("s", &format!("/p{i}"), Variant::window(0, 10), now);
    }
    assert_eq!(c.usage(), (0, 0), "look-ups alone add nothing");
    for i in 0..100 {
        let uri = format!("/p{i}");
        let Lookup::Miss(g) = c.lookup("s", &uri, Variant::window(0, 10), now) else {
            panic!()
        };
        c.store(
            "s",
            &uri,
            Variant::window(0, 10),
            g,
            body(&"x".repeat(300), now),
        );
        let (entries, bytes) = c.usage();
        assert!(
            entries <= 10 && bytes <= 4000,
            "{entries} entries, {bytes} bytes"
        );
    }
    assert!(matches!(
        c.lookup("s", "/p99", Variant::window(0, 10), now),
        Lookup::Hit(_)
    ));
    c.store(
        "s",
        "/big",
        Variant::window(0, 10),
        c.epoch.load(Ordering::Acquire),
        body(&"y".repeat(5000), now),
    );
    assert!(
        matches!(
            c.lookup("s", "/big", Variant::window(0, 10), now),
            Lookup::Miss(_)
        ),
        "too big alone"
    );
}

#[test]
fn a_page_keeps_a_bounded_number_of_variants() {
    let c = cache();
    let now = Utc::now();
    for offset in 0..50 {
        let Lookup::Miss(g) = c.lookup("s", "/a", Variant::window(offset, 10), now) else {
            panic!()
        };
        c.store("s", "/a", Variant::window(offset, 10), g, body("v", now));
    }
    assert_eq!(c.usage().0, MAX_VARIANTS_PER_PAGE);
    assert!(matches!(
        c.lookup("s", "/a", Variant::window(0, 10), now),
        Lookup::Hit(_)
    ));
}

#[test]
fn invalidating_a_page_returns_its_bytes() {
    let c = cache();
    let now = Utc::now();
    let Lookup::Miss(g) = c.lookup("s", "/a", Variant::window(0, 10), now) else {
        panic!()
    };
    c.store("s", "/a", Variant::window(0, 10), g, body("v1", now));
    assert_eq!(c.usage().0, 1);
    c.invalidate("s", "/a");
    assert_eq!(c.usage(), (0, 0));
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
fn count_look_ups_add_nothing_and_counts_keep_to_the_budget() {
    let c = ThreadCache::new(&CacheConfig {
        threads: true,
        ttl_secs: 60,
        max_entries: 10,
        max_bytes: 4000,
        public_max_age_secs: 10,
        stale_while_revalidate_secs: 60,
    });
    let now = Utc::now();
    for i in 0..100 {
        let _ = c.lookup_count("s", &format!("/p{i}"), now);
    }
    assert_eq!(c.usage(), (0, 0), "look-ups alone add nothing");
    for i in 0..100 {
        let uri = format!("/p{i}");
        let CountLookup::Miss(g) = c.lookup_count("s", &uri, now) else {
            panic!()
        };
        c.store_count("s", &uri, g, i, now);
        assert!(c.usage().0 <= 10, "{:?}", c.usage());
    }
    assert!(matches!(
        c.lookup_count("s", "/p99", now),
        CountLookup::Hit(99)
    ));
    c.invalidate("s", "/p99");
    assert!(matches!(
        c.lookup_count("s", "/p99", now),
        CountLookup::Miss(_)
    ));
}
