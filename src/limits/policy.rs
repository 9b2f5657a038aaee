//! The policy table: every limited action declared once, with what it counts by and its
//! quota, plus the normalised keys and the refusal both backends share. Pure data: it knows
//! nothing of governor, Redis or the request that is being limited.
use std::fmt;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use crate::config::RateLimitConfig;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// One limit. Its name is what the `RateLimit-Policy` header and the metrics call it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Policy {
    Address,
    AddressHourly,
    Email,
    EmailHourly,
    Page,
    Site,
    Login,
    Privacy,
    /// Reader reports of published comments, per client address.
    Report,
    /// Sign-in attempts per account, from any address.
    LoginAccount,
}

/// What a policy counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The client address (an IPv4 address or an IPv6 /64).
    Address,
    /// The author email, normalised.
    Email,
    /// One page of one configured site.
    Page,
    /// One configured site.
    Site,
}

/// One row of the table.
#[derive(Debug, Clone, Copy)]
pub struct Declaration {
    pub name: &'static str,
    pub subject: Subject,
    pub quota: fn(&RateLimitConfig) -> Rate,
}

impl Policy {
    /// The limits of a comment submission, in the order they are checked: per sender first,
    /// so that a flood from one sender is cut before it eats the quota everybody shares.
    pub const COMMENT: [Policy; 6] = [
        Policy::Address,
        Policy::AddressHourly,
        Policy::Email,
        Policy::EmailHourly,
        Policy::Page,
        Policy::Site,
    ];

    /// Every policy, in the order of [`Policy::index`].
    pub const ALL: [Policy; 10] = [
        Policy::Address,
        Policy::AddressHourly,
        Policy::Email,
        Policy::EmailHourly,
        Policy::Page,
        Policy::Site,
        Policy::Login,
        Policy::Privacy,
        Policy::Report,
        Policy::LoginAccount,
    ];

    /// The table: each policy's name, key and quota, declared here and nowhere else.
    pub const fn declaration(self) -> Declaration {
        let (name, subject, quota): (_, _, fn(&RateLimitConfig) -> Rate) = match self {
            Policy::Address => ("address", Subject::Address, |c| {
                Rate::every(c.address_burst, c.address_period_secs)
            }),
            Policy::AddressHourly => ("address-hourly", Subject::Address, |c| {
                Rate::per(c.address_per_hour, HOUR)
            }),
            Policy::Email => ("email", Subject::Email, |c| {
                Rate::every(c.email_burst, c.email_period_secs)
            }),
            Policy::EmailHourly => ("email-hourly", Subject::Email, |c| {
                Rate::per(c.email_per_hour, HOUR)
            }),
            Policy::Page => ("page", Subject::Page, |c| {
                Rate::per(c.page_per_minute, MINUTE)
            }),
            Policy::Site => ("site", Subject::Site, |c| {
                Rate::per(c.site_per_minute, MINUTE)
            }),
            Policy::Login => ("login", Subject::Address, |c| {
                Rate::per(c.login_per_minute, MINUTE)
            }),
            Policy::Privacy => ("privacy", Subject::Address, |c| {
                Rate::per(c.privacy_per_hour, HOUR)
            }),
            Policy::Report => ("report", Subject::Address, |c| {
                Rate::per(c.report_per_hour, HOUR)
            }),
            Policy::LoginAccount => ("login-account", Subject::Email, |c| {
                Rate::per(c.login_per_account_per_minute, MINUTE)
            }),
        };
        Declaration {
            name,
            subject,
            quota,
        }
    }

    pub const fn name(self) -> &'static str {
        self.declaration().name
    }

    pub const fn subject(self) -> Subject {
        self.declaration().subject
    }

    /// This policy's quota under `cfg`.
    pub fn rate(self, cfg: &RateLimitConfig) -> Rate {
        (self.declaration().quota)(cfg)
    }

    /// The position of this policy in [`Policy::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A quota in GCRA terms: `burst` requests at once, and one more every `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    burst: NonZeroU32,
    interval: Duration,
}

impl Rate {
    /// `burst` at once, then one more every `period_secs` (at least one second).
    pub fn every(burst: u32, period_secs: u64) -> Rate {
        Rate {
            burst: nz(burst),
            interval: Duration::from_secs(period_secs.max(1)),
        }
    }

    /// `n` per `window`, all of them at once if need be; one comes back every `window / n`,
    /// to the nanosecond, as governor's `Quota::per_minute` counts it.
    pub fn per(n: u32, window: Duration) -> Rate {
        let burst = nz(n);
        let ns = window.as_nanos() / u128::from(burst.get());
        Rate {
            burst,
            interval: Duration::from_nanos(u64::try_from(ns).unwrap_or(u64::MAX)),
        }
    }

    pub fn burst(self) -> NonZeroU32 {
        self.burst
    }

    pub fn interval(self) -> Duration {
        self.interval
    }
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

/// A refused request: which policy refused it and when to come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimited {
    /// Policy name for the `RateLimit` headers, e.g. `address`.
    pub policy: &'static str,
    /// Requests the policy allows at once.
    pub quota: u32,
    /// Seconds for a spent quota to refill completely.
    pub window_secs: u64,
    /// Whole seconds until a request may succeed, rounded up.
    pub retry_after_secs: u64,
}

/// What one policy counts for one request, normalised. Its text form (`Display`) is the same
/// on every instance; the local backend keeps only a fixed-size fingerprint of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key<'a> {
    Address(IpAddr),
    Email(String),
    Page { site: &'a str, uri: &'a str },
    Site(&'a str),
}

impl fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Address(ip) => write!(f, "{ip}"),
            Key::Email(email) => f.write_str(email),
            Key::Page { site, uri } => write!(f, "{site}\n{uri}"),
            Key::Site(site) => f.write_str(site),
        }
    }
}

/// What a comment submission is limited by.
#[derive(Debug, Clone, Copy, Default)]
pub struct CommentKeys<'a> {
    /// The client address, when known.
    pub ip: Option<IpAddr>,
    /// The author email as sent, unvalidated: it may be empty or very long.
    pub email: &'a str,
    /// The site, only when it is configured: made-up site names must not grow the tables.
    pub site: Option<&'a str>,
    /// The page on `site`, only when it is one the site could hold (not empty, not longer
    /// than a submission may name).
    pub uri: Option<&'a str>,
}

impl<'a> CommentKeys<'a> {
    /// Each comment policy that applies, with its key, in the order of [`Policy::COMMENT`].
    pub fn limits(&self) -> Vec<(Policy, Key<'a>)> {
        let address = self.ip.map(|ip| Key::Address(address_key(ip)));
        let email = Some(email_key(self.email))
            .filter(|e| !e.is_empty())
            .map(Key::Email);
        let page = self
            .site
            .zip(self.uri)
            .map(|(site, uri)| Key::Page { site, uri });
        let site = self.site.map(Key::Site);
        Policy::COMMENT
            .into_iter()
            .filter_map(|policy| {
                let key = match policy.subject() {
                    Subject::Address => &address,
                    Subject::Email => &email,
                    Subject::Page => &page,
                    Subject::Site => &site,
                };
                key.clone().map(|k| (policy, k))
            })
            .collect()
    }
}

/// IPv4 addresses count one by one; an IPv6 client usually holds a whole /64, so that is
/// the unit.
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => {
            let bits = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(bits.into())
        }
    }
}

/// The email as a limiter key: its canonical mailbox (`mailbox::canonical`: trimmed,
/// lower-cased, no `+tag`, no dots before the `@`, bounded in length), so that
/// `Ada+1@Example.org` and `ada@example.org` share a quota.
pub fn email_key(email: &str) -> String {
    crate::mailbox::canonical(email)
}
