//! The time trap: the form carries a token, signed with the install secret, naming the
//! site, the page and when it was served. A comment sent back too soon was typed by a
//! script; one sent back days later, or with a token we never made, is suspect too.
//! The token is a `keys::token::SignedToken`; this file owns only the timing rules.
use chrono::{DateTime, Utc};

use crate::keys::Keys;
use crate::keys::token::{Field, Purpose, SignedToken};

/// The token's first field. Form tokens have always started with `v1.`, and pages, the
/// widget and the tests tell one by it; the MAC covers it like any field.
const LEAD: &str = "v1";
/// Tokens from a clock slightly ahead (another instance) are still accepted.
const FUTURE_SKEW_MS: i64 = 60_000;

/// What the submitted token says about the submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    Valid,
    Missing,
    /// The comment came through a form that cannot carry a token (`FormKind::Foreign`).
    NotCarried,
    /// Not made by us, or made for another page.
    Forged,
    /// Sent back after this many milliseconds, under the minimum.
    TooFast {
        elapsed_ms: i64,
    },
    /// Sent back after this many seconds, over the maximum.
    Expired {
        age_secs: i64,
    },
}

/// A token for the form on `site`'s page `uri`, served at `now`, good for `max_age_secs`:
/// `v1.ISSUED_MS.EXPIRES.v1.TAG`, with the site and page in the MAC only.
pub fn issue(keys: &Keys, site: &str, uri: &str, now: DateTime<Utc>, max_age_secs: u64) -> String {
    let issued = now.timestamp_millis();
    SignedToken::new(Purpose::FormToken, expiry(issued, max_age_secs))
        .word(LEAD)
        .int(issued)
        .sign(keys, &[site, uri])
}

/// The first whole second at which a token issued at `issued_ms` is past `max_age_secs`
/// (the age is counted in whole seconds, so that is one second after the maximum).
fn expiry(issued_ms: i64, max_age_secs: u64) -> DateTime<Utc> {
    let max_ms = i64::try_from(max_age_secs.saturating_add(1).saturating_mul(1000));
    let deadline_ms = issued_ms.saturating_add(max_ms.unwrap_or(i64::MAX));
    let secs = deadline_ms.div_euclid(1000) + i64::from(deadline_ms.rem_euclid(1000) > 0);
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Checks a submitted token against the page it claims and the clock.
pub fn check(
    keys: &Keys,
    token: Option<&str>,
    site: &str,
    uri: &str,
    now: DateTime<Utc>,
    min_fill_secs: u64,
    max_age_secs: u64,
) -> TokenCheck {
    let Some(token) = token.map(str::trim).filter(|t| !t.is_empty()) else {
        return TokenCheck::Missing;
    };
    // `open` leaves the clock alone: the age is judged below, finer than the expiry.
    let Ok(signed) = SignedToken::open(keys, Purpose::FormToken, &[site, uri], token) else {
        return TokenCheck::Forged;
    };
    let [Field::Word(lead), Field::Int(issued)] = signed.fields() else {
        return TokenCheck::Forged;
    };
    if lead != LEAD {
        return TokenCheck::Forged;
    }
    let elapsed_ms = now.timestamp_millis().saturating_sub(*issued);
    if elapsed_ms < -FUTURE_SKEW_MS {
        return TokenCheck::Forged;
    }
    let min_ms = i64::try_from(min_fill_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    if elapsed_ms < min_ms {
        return TokenCheck::TooFast { elapsed_ms };
    }
    let age_secs = elapsed_ms / 1000;
    // The signed expiry holds the maximum of when it was served; the configured one now
    // may be shorter.
    if signed.is_expired(now) || u64::try_from(age_secs).unwrap_or(0) > max_age_secs {
        return TokenCheck::Expired { age_secs };
    }
    TokenCheck::Valid
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn keys() -> Keys {
        Keys::from_secret(b"0123456789abcdef0123456789abcdef")
    }

    fn at(token: &str, later: Duration, uri: &str) -> TokenCheck {
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default() + later;
        check(&keys(), Some(token), "blog", uri, now, 3, 86_400)
    }

    #[test]
    fn a_token_is_valid_between_the_minimum_and_the_maximum_age() {
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let t = issue(&keys(), "blog", "/post", t0, 86_400);
        assert_eq!(
            at(&t, Duration::milliseconds(2_999), "/post"),
            TokenCheck::TooFast { elapsed_ms: 2_999 }
        );
        assert_eq!(at(&t, Duration::seconds(3), "/post"), TokenCheck::Valid);
        assert_eq!(at(&t, Duration::hours(24), "/post"), TokenCheck::Valid);
        assert_eq!(
            at(&t, Duration::hours(25), "/post"),
            TokenCheck::Expired { age_secs: 90_000 }
        );
    }

    #[test]
    fn tokens_for_other_pages_or_altered_ones_are_forged() {
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let t = issue(&keys(), "blog", "/post", t0, 86_400);
        assert_eq!(at(&t, Duration::seconds(5), "/other"), TokenCheck::Forged);
        let earlier = t.replacen("v1.1800000000000", "v1.1799999000000", 1);
        assert_eq!(
            at(&earlier, Duration::seconds(5), "/post"),
            TokenCheck::Forged
        );
        assert_eq!(
            at("garbage", Duration::seconds(5), "/post"),
            TokenCheck::Forged
        );
        let other = Keys::from_secret(b"another secret of 32 characters!");
        let foreign = issue(&other, "blog", "/post", t0, 86_400);
        assert_eq!(
            at(&foreign, Duration::seconds(5), "/post"),
            TokenCheck::Forged
        );
        assert_eq!(
            check(&keys(), None, "blog", "/post", t0, 3, 10),
            TokenCheck::Missing
        );
    }

    #[test]
    fn a_respelled_token_is_forged() {
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let t = issue(&keys(), "blog", "/post", t0, 86_400);
        assert!(t.starts_with("v1.1800000000000.1800086401.v1."), "{t}");
        for bad in [
            t.replacen("v1.1800000000000", "v1.01800000000000", 1),
            t.replacen("v1.1800000000000", "v1.+1800000000000", 1),
            t.replacen("v1.", "V1.", 1),
            format!("{t}."),
        ] {
            assert_eq!(at(&bad, Duration::seconds(5), "/post"), TokenCheck::Forged);
        }
    }

    #[test]
    fn a_shorter_maximum_configured_later_still_applies() {
        let t0 = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let t = issue(&keys(), "blog", "/post", t0, 86_400);
        let now = t0 + Duration::seconds(61);
        assert_eq!(
            check(&keys(), Some(&t), "blog", "/post", now, 3, 60),
            TokenCheck::Expired { age_secs: 61 }
        );
        let short = issue(&keys(), "blog", "/post", t0, 60);
        let later = t0 + Duration::seconds(61);
        assert_eq!(
            check(&keys(), Some(&short), "blog", "/post", later, 3, 86_400),
            TokenCheck::Expired { age_secs: 61 }
        );
    }
}
