//! Request rate limits: governor keyed limiters held in `AppState` (never in statics),
//! trimmed by a background task that stops with the app.
//!
//! A submission is checked against its address, its author email, its page and its site,
//! in that order, and stops at the first limiter that refuses. governor cannot check
//! without consuming, so a request refused by a later limiter has already used a cell of
//! the earlier ones. The order is chosen so that this only ever costs the sender: a flood
//! from one address is cut at the address limiter and never eats the page or site quota
//! that everybody else shares. Each limiter is exact under concurrency (a compare-and-swap
//! per key), so a burst of N concurrent requests gets exactly the burst size through.
//!
//! With `[rate_limit] redis_url` set, a request this process allows is then checked against
//! the same limits shared by every instance (`shared_limit`): all of them at once, spending
//! nothing unless all allow. If Redis does not answer, the local verdict stands (fail-open).
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::{Duration, Instant};

use governor::clock::Clock as GovernorClock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{NotUntil, Quota, RateLimiter};
use tokio_util::sync::CancellationToken;

use super::shared_limit::{Need, SharedLimits, login_need, submission_needs};
use crate::clock::Clock;
use crate::config::RateLimitConfig;
use crate::metrics::Metrics;

/// governor's view of the injected clock: monotonic time since start-up plus the offset
/// tests add with `Clock::advance`.
#[derive(Debug, Clone)]
pub struct LimiterClock {
    origin: Instant,
    clock: Clock,
}

impl GovernorClock for LimiterClock {
    type Instant = Duration;

    fn now(&self) -> Duration {
        self.origin.elapsed() + self.clock.offset()
    }
}

type Keyed<K> = RateLimiter<K, DefaultKeyedStateStore<K>, LimiterClock, NoOpMiddleware<Duration>>;

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

struct Limiter<K: std::hash::Hash + Eq + Clone> {
    name: &'static str,
    inner: Keyed<K>,
}

impl<K: std::hash::Hash + Eq + Clone> Limiter<K> {
    fn new(name: &'static str, quota: Quota, clock: &LimiterClock) -> Self {
        Limiter {
            name,
            inner: RateLimiter::new(quota, DefaultKeyedStateStore::default(), clock.clone()),
        }
    }

    fn check(&self, key: &K, clock: &LimiterClock) -> Result<(), RateLimited> {
        self.inner
            .check_key(key)
            .map_err(|nu| refused(self.name, &nu, clock))
    }

    fn trim(&self) {
        self.inner.retain_recent();
        self.inner.shrink_to_fit();
    }
}

fn refused(policy: &'static str, nu: &NotUntil<Duration>, clock: &LimiterClock) -> RateLimited {
    let wait = nu.wait_time_from(clock.now());
    let quota = nu.quota();
    RateLimited {
        policy,
        quota: quota.burst_size().get(),
        window_secs: quota.burst_size_replenished_in().as_secs_f64().ceil() as u64,
        retry_after_secs: (wait.as_secs_f64().ceil() as u64).max(1),
    }
}

struct Limits {
    enabled: bool,
    cfg: RateLimitConfig,
    clock: LimiterClock,
    address: Limiter<IpAddr>,
    address_hourly: Limiter<IpAddr>,
    email: Limiter<String>,
    email_hourly: Limiter<String>,
    page: Limiter<(String, String)>,
    site: Limiter<String>,
    login: Limiter<IpAddr>,
}

/// Every limiter of the app. Cheap to clone.
#[derive(Clone)]
pub struct RateLimits {
    limits: Arc<Limits>,
    shared: Option<SharedLimits>,
    metrics: Metrics,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits")
            .field("enabled", &self.limits.enabled)
            .field("shared", &self.shared.is_some())
            .finish_non_exhaustive()
    }
}

fn nz(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn every(burst: u32, period_secs: u64) -> Quota {
    Quota::with_period(Duration::from_secs(period_secs.max(1)))
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(nz(burst))
}

impl RateLimits {
    pub fn new(cfg: &RateLimitConfig, clock: Clock) -> RateLimits {
        let clock = LimiterClock {
            origin: Instant::now(),
            clock,
        };
        let c = &clock;
        let limits = Limits {
            enabled: cfg.enabled,
            cfg: cfg.clone(),
            address: Limiter::new(
                "address",
                every(cfg.address_burst, cfg.address_period_secs),
                c,
            ),
            address_hourly: Limiter::new(
                "address-hourly",
                Quota::per_hour(nz(cfg.address_per_hour)),
                c,
            ),
            email: Limiter::new("email", every(cfg.email_burst, cfg.email_period_secs), c),
            email_hourly: Limiter::new("email-hourly", Quota::per_hour(nz(cfg.email_per_hour)), c),
            page: Limiter::new("page", Quota::per_minute(nz(cfg.page_per_minute)), c),
            site: Limiter::new("site", Quota::per_minute(nz(cfg.site_per_minute)), c),
            login: Limiter::new("login", Quota::per_minute(nz(cfg.login_per_minute)), c),
            clock,
        };
        RateLimits {
            limits: Arc::new(limits),
            shared: None,
            metrics: Metrics::default(),
        }
    }

    /// Also enforces every limit across instances through Redis.
    pub fn with_shared(mut self, shared: SharedLimits) -> RateLimits {
        self.shared = Some(shared);
        self
    }

    /// Counts refusals into `metrics`.
    pub fn with_metrics(mut self, metrics: Metrics) -> RateLimits {
        self.metrics = metrics;
        self
    }

    /// Checks a comment submission in this process and then, when configured, across all
    /// instances. `site` is `None` for a site that is not configured, so made-up site names
    /// cannot grow the page and site tables. Does nothing when `[rate_limit] enabled = false`.
    pub async fn check_submission(
        &self,
        ip: Option<IpAddr>,
        email: &str,
        site: Option<&str>,
        uri: &str,
    ) -> Result<(), RateLimited> {
        if !self.limits.enabled {
            return Ok(());
        }
        self.local_submission(ip, email, site, uri)
            .inspect_err(|r| self.metrics.rate_limited(r.policy, false))?;
        let needs = submission_needs(&self.limits.cfg, ip, email, site, uri);
        self.check_shared(&needs).await
    }

    /// Checks a moderator sign-in attempt from `ip`, here and across instances. Applies even
    /// when submission limits are turned off. For the dashboard's login handler.
    pub async fn check_login(&self, ip: Option<IpAddr>) -> Result<(), RateLimited> {
        let Some(key) = ip.map(address_key) else {
            return Ok(());
        };
        self.local_login(Some(key))
            .inspect_err(|r| self.metrics.rate_limited(r.policy, false))?;
        let needs = [login_need(&self.limits.cfg, key)];
        self.check_shared(&needs).await
    }

    async fn check_shared(&self, needs: &[Need]) -> Result<(), RateLimited> {
        let Some(shared) = &self.shared else {
            return Ok(());
        };
        if needs.is_empty() {
            return Ok(());
        }
        let now_ms = self.limits.clock.clock.now().timestamp_millis();
        match shared.check(now_ms, needs).await {
            Ok(None) => Ok(()),
            Ok(Some(refusal)) => {
                let need = needs.get(refusal.index).unwrap_or(&needs[0]);
                self.metrics.rate_limited(need.policy, true);
                let window_ms = need.interval_ms.saturating_mul(u64::from(need.burst));
                Err(RateLimited {
                    policy: need.policy,
                    quota: need.burst,
                    window_secs: window_ms.div_ceil(1000),
                    retry_after_secs: (refusal.wait.as_millis().div_ceil(1000) as u64).max(1),
                })
            }
            Err(_) => {
                // Fail-open: this instance's own limits already allowed the request.
                self.metrics.shared_limit_unavailable();
                Ok(())
            }
        }
    }

    /// Checks a comment submission against this process's limiters only.
    pub fn local_submission(
        &self,
        ip: Option<IpAddr>,
        email: &str,
        site: Option<&str>,
        uri: &str,
    ) -> Result<(), RateLimited> {
        let l = &*self.limits;
        if !l.enabled {
            return Ok(());
        }
        let c = &l.clock;
        if let Some(key) = ip.map(address_key) {
            l.address.check(&key, c)?;
            l.address_hourly.check(&key, c)?;
        }
        let email = email_key(email);
        if !email.is_empty() {
            l.email.check(&email, c)?;
            l.email_hourly.check(&email, c)?;
        }
        if let Some(site) = site {
            if !uri.is_empty() && uri.len() <= crate::moderation::input::URI_MAX {
                l.page.check(&(site.to_owned(), uri.to_owned()), c)?;
            }
            l.site.check(&site.to_owned(), c)?;
        }
        Ok(())
    }

    /// Checks a moderator sign-in attempt against this process's limiter only.
    pub fn local_login(&self, ip: Option<IpAddr>) -> Result<(), RateLimited> {
        let l = &*self.limits;
        match ip.map(address_key) {
            Some(key) => l.login.check(&key, &l.clock),
            None => Ok(()),
        }
    }

    /// Drops entries that have fully refilled, and gives the memory back.
    pub fn trim(&self) {
        let l = &*self.limits;
        l.address.trim();
        l.address_hourly.trim();
        l.email.trim();
        l.email_hourly.trim();
        l.page.trim();
        l.site.trim();
        l.login.trim();
    }

    /// Trims every `every` until `shutdown` is cancelled.
    pub async fn trim_until(self, every: Duration, shutdown: CancellationToken) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = tick.tick() => self.trim(),
            }
        }
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

/// The email as a limiter key: trimmed, lower-cased, without a `+tag`, so that
/// `Ada+1@Example.org` and `ada@example.org` share a quota.
pub fn email_key(email: &str) -> String {
    let e = email.trim().to_lowercase();
    match e.rsplit_once('@') {
        Some((local, domain)) => {
            let local = local.split('+').next().unwrap_or(local);
            format!("{local}@{domain}")
        }
        None => e,
    }
}

#[cfg(test)]
#[path = "rate_limit_tests.rs"]
mod tests;
