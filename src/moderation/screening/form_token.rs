//! The time trap: the form carries a token, signed with the install secret, naming the
//! site, the page and when it was served. A comment sent back too soon was typed by a
//! script; one sent back days later, or with a token we never made, is suspect too.
use chrono::{DateTime, Utc};

use crate::keys::Keys;

const PURPOSE: &str = "replyd/form-token/v1";
/// Tokens from a clock slightly ahead (another instance) are still accepted.
const FUTURE_SKEW_MS: i64 = 60_000;

/// What the submitted token says about the submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenCheck {
    Valid,
    Missing,
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

/// A token for the form on `site`'s page `uri`, served at `now`.
pub fn issue(keys: &Keys, site: &str, uri: &str, now: DateTime<Utc>) -> String {
    let issued = now.timestamp_millis();
    let tag = keys.sign(PURPOSE, &message(site, uri, issued));
    format!("v1.{issued}.{tag}")
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
    let mut parts = token.splitn(3, '.');
    let (Some("v1"), Some(issued), Some(tag)) = (parts.next(), parts.next(), parts.next()) else {
        return TokenCheck::Forged;
    };
    let Ok(issued) = issued.parse::<i64>() else {
        return TokenCheck::Forged;
    };
    if !keys.verify(PURPOSE, &message(site, uri, issued), tag) {
        return TokenCheck::Forged;
    }
    let elapsed_ms = now.timestamp_millis().saturating_sub(issued);
    if elapsed_ms < -FUTURE_SKEW_MS {
        return TokenCheck::Forged;
    }
    let min_ms = i64::try_from(min_fill_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    if elapsed_ms < min_ms {
        return TokenCheck::TooFast { elapsed_ms };
    }
    let age_secs = elapsed_ms / 1000;
    if u64::try_from(age_secs).unwrap_or(0) > max_age_secs {
        return TokenCheck::Expired { age_secs };
    }
    TokenCheck::Valid
}

fn message(site: &str, uri: &str, issued_ms: i64) -> String {
    format!("{site}\n{uri}\n{issued_ms}")
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
        let t = issue(&keys(), "blog", "/post", t0);
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
        let t = issue(&keys(), "blog", "/post", t0);
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
        let foreign = issue(&other, "blog", "/post", t0);
        assert_eq!(
            at(&foreign, Duration::seconds(5), "/post"),
            TokenCheck::Forged
        );
        assert_eq!(
            check(&keys(), None, "blog", "/post", t0, 3, 10),
            TokenCheck::Missing
        );
    }
}
