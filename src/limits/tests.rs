//! Unit tests of the request rate limits, with time moved by the injected clock.
use super::*;

fn limits() -> (Limits, Clock) {
    let clock = Clock::system();
    (
        Limits::new(&RateLimitConfig::default(), clock.clone()),
        clock,
    )
}

fn ip(s: &str) -> Option<IpAddr> {
    s.parse().ok()
}

/// A submission checked by this process only (no shared limits are configured here).
fn local_submission(
    rl: &Limits,
    ip: Option<IpAddr>,
    email: &str,
    site: Option<&str>,
    uri: &str,
) -> Result<(), RateLimited> {
    let keys = CommentKeys {
        ip,
        email,
        site,
        uri: Some(uri).filter(|u| !u.is_empty()),
    };
    block_on(rl.check_comment(&keys))
}

fn local_login(rl: &Limits, ip: Option<IpAddr>) -> Result<(), RateLimited> {
    ip.map_or(Ok(()), |ip| block_on(rl.check_login(ip, "")))
}

/// Runs a check to completion: without shared limits it never waits.
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap_or_else(|_| unreachable!())
        .block_on(f)
}

#[test]
fn three_at_once_then_one_every_fifteen_seconds() {
    let (rl, clock) = limits();
    for i in 0..3 {
        let email = format!("u{i}@example.org");
        assert!(local_submission(&rl, ip("192.0.2.1"), &email, None, "").is_ok());
    }
    let err = local_submission(&rl, ip("192.0.2.1"), "u9@example.org", None, "").err();
    assert_eq!(err.as_ref().map(|e| e.policy), Some("address"));
    assert!(err.is_some_and(|e| (14..=15).contains(&e.retry_after_secs) && e.quota == 3));
    clock.advance(Duration::from_secs(15));
    assert!(local_submission(&rl, ip("192.0.2.1"), "u9@example.org", None, "").is_ok());
    assert!(local_submission(&rl, ip("192.0.2.2"), "v@example.org", None, "").is_ok());
}

#[test]
fn an_address_gets_about_twenty_an_hour() {
    let (rl, clock) = limits();
    let mut accepted = 0;
    let refusal = loop {
        let email = format!("u{accepted}@example.org");
        match local_submission(&rl, ip("192.0.2.1"), &email, None, "") {
            Ok(()) => accepted += 1,
            Err(e) => break e,
        }
        clock.advance(Duration::from_secs(15));
    };
    assert_eq!(refusal.policy, "address-hourly");
    // 20 at once, plus the ones that refilled (one every 3 minutes) meanwhile.
    assert!((20..=22).contains(&accepted), "{accepted}");
}

#[test]
fn ipv6_clients_share_their_64_and_emails_their_plus_tags() {
    assert_eq!(
        address_key(
            "2001:db8:1:2:aaaa::1"
                .parse()
                .unwrap_or_else(|_| unreachable!())
        ),
        "2001:db8:1:2::"
            .parse::<IpAddr>()
            .unwrap_or_else(|_| unreachable!())
    );
    assert_eq!(email_key(" Ada+news@Example.ORG"), "ada@example.org");
    let (rl, _) = limits();
    for n in 1..=3 {
        assert!(local_submission(&rl, ip(&format!("2001:db8::{n}")), "", None, "").is_ok());
    }
    assert!(local_submission(&rl, ip("2001:db8::ffff"), "", None, "").is_err());
}

#[test]
fn disabled_limits_let_submissions_through_but_not_logins() {
    let cfg = RateLimitConfig {
        enabled: false,
        ..RateLimitConfig::default()
    };
    let rl = Limits::new(&cfg, Clock::system());
    for _ in 0..10 {
        assert!(local_submission(&rl, ip("192.0.2.1"), "a@b.org", Some("s"), "/").is_ok());
    }
    for _ in 0..5 {
        assert!(local_login(&rl, ip("192.0.2.1")).is_ok());
    }
    assert_eq!(
        local_login(&rl, ip("192.0.2.1")).err().map(|e| e.policy),
        Some("login")
    );
    rl.trim();
}

#[test]
fn a_sixty_kilobyte_email_is_held_as_a_bounded_key() {
    let (rl, _) = limits();
    let flood = |c: char| format!("{}@example.org", c.to_string().repeat(60 * 1024));
    let (a, b) = (flood('a'), flood('b'));
    let key = |email: &str| Key::Email(email_key(email));
    // The in-process entry is a fixed-size fingerprint, distinct per email...
    assert_eq!(std::mem::size_of::<local::Fingerprint>(), 8);
    assert_ne!(
        rl.local.fingerprint(&key(&a)),
        rl.local.fingerprint(&key(&b))
    );
    assert_eq!(
        rl.local.fingerprint(&key(&a)),
        rl.local.fingerprint(&key(&a.to_uppercase()))
    );
    // ...and the shared one a MAC, as short as any other.
    let keys = crate::keys::Keys::from_secret(b"test secret");
    let redis_key = shared::redis_key("replyd:", &keys, Policy::Email, &key(&a));
    let short = shared::redis_key("replyd:", &keys, Policy::Email, &key("ada@example.org"));
    assert_eq!(redis_key.len(), short.len());
    assert!(redis_key.len() < 80, "{redis_key}");
    // The flood is still limited by its email, one entry per limiter.
    for n in 0..3 {
        let from = format!("192.0.2.{n}");
        assert!(local_submission(&rl, ip(&from), &a, None, "").is_ok());
    }
    let err = local_submission(&rl, ip("192.0.2.9"), &a, None, "").err();
    assert_eq!(err.map(|e| e.policy), Some("email"));
    assert_eq!(rl.local.len(Policy::Email), 1);
}

#[test]
fn the_table_lists_every_policy_once_in_index_order() {
    for (i, policy) in Policy::ALL.into_iter().enumerate() {
        assert_eq!(policy.index(), i);
    }
    let names: Vec<&str> = Policy::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(
        names,
        [
            "address",
            "address-hourly",
            "email",
            "email-hourly",
            "page",
            "site",
            "login",
            "privacy",
            "report",
            "login-account"
        ]
    );
}

#[test]
fn the_table_keeps_the_quotas_of_the_config() {
    use governor::Quota;
    let cfg = RateLimitConfig::default();
    let n = |n: u32| std::num::NonZeroU32::new(n).unwrap_or(std::num::NonZeroU32::MIN);
    let rate = |p: Policy| (p.rate(&cfg).burst(), p.rate(&cfg).interval());
    assert_eq!(rate(Policy::Address), (n(3), Duration::from_secs(15)));
    assert_eq!(rate(Policy::Email), (n(3), Duration::from_secs(15)));
    let hourly = (n(20), Quota::per_hour(n(20)).replenish_interval());
    assert_eq!(rate(Policy::AddressHourly), hourly);
    assert_eq!(rate(Policy::EmailHourly), hourly);
    let page = (n(30), Quota::per_minute(n(30)).replenish_interval());
    assert_eq!(rate(Policy::Page), page);
    let site = (n(300), Quota::per_minute(n(300)).replenish_interval());
    assert_eq!(rate(Policy::Site), site);
    let login = (n(5), Quota::per_minute(n(5)).replenish_interval());
    assert_eq!(rate(Policy::Login), login);
    let privacy = (n(5), Quota::per_hour(n(5)).replenish_interval());
    assert_eq!(rate(Policy::Privacy), privacy);
}
