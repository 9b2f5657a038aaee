//! Unit tests of the request rate limits, with time moved by the injected clock.
use super::*;

fn limits() -> (RateLimits, Clock) {
    let clock = Clock::system();
    (
        RateLimits::new(&RateLimitConfig::default(), clock.clone()),
        clock,
    )
}

fn ip(s: &str) -> Option<IpAddr> {
    s.parse().ok()
}

#[test]
fn three_at_once_then_one_every_fifteen_seconds() {
    let (rl, clock) = limits();
    for i in 0..3 {
        let email = format!("u{i}@example.org");
        assert!(
            rl.local_submission(ip("192.0.2.1"), &email, None, "")
                .is_ok()
        );
    }
    let err = rl
        .local_submission(ip("192.0.2.1"), "u9@example.org", None, "")
        .err();
    assert_eq!(err.as_ref().map(|e| e.policy), Some("address"));
    assert!(err.is_some_and(|e| (14..=15).contains(&e.retry_after_secs) && e.quota == 3));
    clock.advance(Duration::from_secs(15));
    assert!(
        rl.local_submission(ip("192.0.2.1"), "u9@example.org", None, "")
            .is_ok()
    );
    assert!(
        rl.local_submission(ip("192.0.2.2"), "v@example.org", None, "")
            .is_ok()
    );
}

#[test]
fn an_address_gets_about_twenty_an_hour() {
    let (rl, clock) = limits();
    let mut accepted = 0;
    let refusal = loop {
        let email = format!("u{accepted}@example.org");
        match rl.local_submission(ip("192.0.2.1"), &email, None, "") {
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
        assert!(
            rl.local_submission(ip(&format!("2001:db8::{n}")), "", None, "")
                .is_ok()
        );
    }
    assert!(
        rl.local_submission(ip("2001:db8::ffff"), "", None, "")
            .is_err()
    );
}

#[test]
fn disabled_limits_let_submissions_through_but_not_logins() {
    let cfg = RateLimitConfig {
        enabled: false,
        ..RateLimitConfig::default()
    };
    let rl = RateLimits::new(&cfg, Clock::system());
    for _ in 0..10 {
        assert!(
            rl.local_submission(ip("192.0.2.1"), "a@b.org", Some("s"), "/")
                .is_ok()
        );
    }
    for _ in 0..5 {
        assert!(rl.local_login(ip("192.0.2.1")).is_ok());
    }
    assert_eq!(
        rl.local_login(ip("192.0.2.1")).err().map(|e| e.policy),
        Some("login")
    );
    rl.trim();
}
