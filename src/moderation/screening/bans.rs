//! Bans: by email, by address or network, by email domain, or by the keyed hash of one
//! client address (made from a comment, since the raw address is never stored). Optionally
//! timed; an expired ban no longer applies. Parsing normalises what moderators type,
//! matching is pure.
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use ipnet::IpNet;

pub use entity::enums::BanKind;

/// What a ban matches, in its normal form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BanTarget {
    /// A whole address, lower-cased.
    Email(String),
    /// One address (as a /32 or /128) or a network.
    Address(IpNet),
    /// A domain, lower-cased, without `@`; its subdomains match too.
    EmailDomain(String),
    /// The keyed hash of one address (`Keys::address_hash`), taken from a comment.
    AddressHash(String),
}

impl BanTarget {
    /// Parses what a moderator typed for a ban of `kind`. Address hashes cannot be typed:
    /// they come from a comment (`moderation::Moderation::ban_author`).
    pub fn parse(kind: BanKind, value: &str) -> Result<BanTarget, String> {
        let v = value.trim();
        if v.is_empty() {
            return Err("is required".into());
        }
        if v.chars().count() > 254 || v.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err("must be at most 254 characters, without spaces".into());
        }
        match kind {
            BanKind::Email => {
                if !validator::ValidateEmail::validate_email(&v) {
                    return Err("must be an email address".into());
                }
                Ok(BanTarget::Email(v.to_lowercase()))
            }
            BanKind::Address => {
                let net = match v.parse::<IpAddr>() {
                    // One IPv6 client holds its whole /64: "this address" means all of it.
                    Ok(IpAddr::V6(v6)) => IpNet::V6(
                        ipnet::Ipv6Net::new(v6, 64).unwrap_or_else(|_| ipnet::Ipv6Net::from(v6)),
                    ),
                    Ok(ip) => IpNet::from(ip),
                    Err(_) => v
                        .parse::<IpNet>()
                        .map_err(|_| "must be an IP address or a CIDR network".to_owned())?,
                };
                Ok(BanTarget::Address(net.trunc()))
            }
            BanKind::EmailDomain => {
                let d = v.trim_start_matches('@').to_lowercase();
                let ok = d.contains('.')
                    && !d.starts_with('.')
                    && !d.ends_with('.')
                    && d.chars()
                        .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
                if !ok {
                    return Err("must be a domain such as example.org".into());
                }
                Ok(BanTarget::EmailDomain(d))
            }
            BanKind::AddressHash => {
                Err("an exact address is banned from one of its comments".into())
            }
        }
    }

    pub fn kind(&self) -> BanKind {
        match self {
            BanTarget::Email(_) => BanKind::Email,
            BanTarget::Address(_) => BanKind::Address,
            BanTarget::EmailDomain(_) => BanKind::EmailDomain,
            BanTarget::AddressHash(_) => BanKind::AddressHash,
        }
    }

    /// The stored, displayed form.
    pub fn value(&self) -> String {
        match self {
            BanTarget::Email(e) | BanTarget::EmailDomain(e) | BanTarget::AddressHash(e) => {
                e.clone()
            }
            BanTarget::Address(net) => net.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ban {
    pub id: i64,
    pub target: BanTarget,
    pub reason: String,
    /// What people read instead of the value (address-hash bans).
    pub label: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl Ban {
    pub fn active_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|t| t > now)
    }

    /// Does this ban cover an author with this (lower-cased) email, from this address
    /// (given raw, and as its keyed hash)?
    pub fn matches(&self, email_norm: &str, ip: Option<IpAddr>, ip_hash: Option<&str>) -> bool {
        match &self.target {
            // Compared without `+tag`, so `troll+2@` is `troll@`.
            BanTarget::Email(e) => {
                crate::mailbox::without_tag(e) == crate::mailbox::without_tag(email_norm)
            }
            BanTarget::AddressHash(h) => ip_hash == Some(h.as_str()),
            BanTarget::Address(net) => ip.is_some_and(|ip| net.contains(&ip)),
            BanTarget::EmailDomain(d) => {
                let domain = email_norm.rsplit_once('@').map_or("", |(_, d)| d);
                domain == d
                    || domain
                        .strip_suffix(d.as_str())
                        .is_some_and(|rest| rest.ends_with('.'))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ban(kind: BanKind, v: &str) -> Ban {
        Ban {
            id: 1,
            target: BanTarget::parse(kind, v).unwrap_or_else(|e| panic!("{e}")),
            reason: String::new(),
            label: None,
            expires_at: None,
        }
    }

    fn ip(s: &str) -> Option<IpAddr> {
        s.parse().ok()
    }

    #[test]
    fn each_kind_matches_what_it_names() {
        let e = ban(BanKind::Email, " Spammer@Example.ORG ");
        assert!(e.matches("spammer@example.org", None, None));
        assert!(!e.matches("other@example.org", None, None));

        let net = ban(BanKind::Address, "203.0.113.77/24");
        assert_eq!(net.target.value(), "203.0.113.0/24");
        assert!(net.matches("a@b.c", ip("203.0.113.5"), None));
        assert!(!net.matches("a@b.c", ip("203.0.114.5"), None));
        assert!(!net.matches("a@b.c", None, None));
        let one = ban(BanKind::Address, "2001:db8::1");
        assert!(one.matches("a@b.c", ip("2001:db8::1"), None));
        assert!(
            one.matches("a@b.c", ip("2001:db8::2"), None),
            "the same /64"
        );
        assert!(!one.matches("a@b.c", ip("2001:db8:0:1::1"), None));
        assert_eq!(one.target.value(), "2001:db8::/64");
        assert!(
            e.matches("spammer+x@example.org", None, None),
            "plus-tag variants"
        );

        let d = ban(BanKind::EmailDomain, "@Spam.example");
        assert!(d.matches("x@spam.example", None, None));
        assert!(d.matches("x@mail.spam.example", None, None));
        assert!(!d.matches("x@notspam.example", None, None));

        let hashed = Ban {
            target: BanTarget::AddressHash("abc123".into()),
            ..ban(BanKind::Email, "a@b.org")
        };
        assert!(hashed.matches("x@y.org", ip("192.0.2.1"), Some("abc123")));
        assert!(!hashed.matches("x@y.org", ip("192.0.2.1"), Some("abc124")));
        assert!(
            !hashed.matches("a@b.org", None, None),
            "matches only the hash"
        );
    }

    #[test]
    fn bad_values_are_refused() {
        assert!(BanTarget::parse(BanKind::Email, "nope").is_err());
        assert!(BanTarget::parse(BanKind::Address, "10.0.0.0/33").is_err());
        assert!(BanTarget::parse(BanKind::EmailDomain, "localhost").is_err());
        assert!(BanTarget::parse(BanKind::EmailDomain, "").is_err());
        assert!(BanTarget::parse(BanKind::AddressHash, "abc123").is_err());
    }

    #[test]
    fn an_expired_ban_is_inactive() {
        let now = Utc::now();
        let mut b = ban(BanKind::Email, "a@b.org");
        assert!(b.active_at(now));
        b.expires_at = Some(now - chrono::Duration::seconds(1));
        assert!(!b.active_at(now));
    }
}
