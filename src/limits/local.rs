//! This process's limits: one governor keyed limiter per policy of the table, on the injected
//! clock, trimmed from outside. Knows nothing of Redis or of other instances.
//!
//! An entry is keyed by a fingerprint of the key, not the key itself: a 64-bit hash under a
//! key drawn at start-up, so every entry has the same small size whatever a client sends
//! (an unvalidated 60 KB email costs 8 bytes), no address or email is held in the clear, and
//! nobody outside the process can aim two keys at one entry.
use std::hash::{BuildHasher, RandomState};
use std::time::{Duration, Instant};

use governor::clock::Clock as GovernorClock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{NotUntil, Quota, RateLimiter};

use super::policy::{Key, Policy, RateLimited};
use crate::clock::Clock;
use crate::config::RateLimitConfig;

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

/// The fixed-size form in which a key is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint(u64);

type Keyed = RateLimiter<
    Fingerprint,
    DefaultKeyedStateStore<Fingerprint>,
    LimiterClock,
    NoOpMiddleware<Duration>,
>;

/// Every policy's in-process limiter.
pub struct LocalLimits {
    clock: LimiterClock,
    hasher: RandomState,
    limiters: [Keyed; Policy::ALL.len()],
}

impl std::fmt::Debug for LocalLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalLimits").finish_non_exhaustive()
    }
}

impl LocalLimits {
    pub fn new(cfg: &RateLimitConfig, clock: Clock) -> LocalLimits {
        let clock = LimiterClock {
            origin: Instant::now(),
            clock,
        };
        let limiters = Policy::ALL.map(|policy| {
            let rate = policy.rate(cfg);
            let quota = Quota::with_period(rate.interval())
                .unwrap_or_else(|| Quota::per_second(rate.burst()))
                .allow_burst(rate.burst());
            RateLimiter::new(quota, DefaultKeyedStateStore::default(), clock.clone())
        });
        LocalLimits {
            clock,
            hasher: RandomState::new(),
            limiters,
        }
    }

    /// Spends one cell of `policy` for `key`, or says when one will be free.
    pub fn check(&self, policy: Policy, key: &Key<'_>) -> Result<(), RateLimited> {
        self.limiter(policy)
            .check_key(&self.fingerprint(key))
            .map_err(|nu| self.refused(policy, &nu))
    }

    pub fn fingerprint(&self, key: &Key<'_>) -> Fingerprint {
        Fingerprint(self.hasher.hash_one(key))
    }

    /// Keys held by `policy`'s limiter.
    pub fn len(&self, policy: Policy) -> usize {
        self.limiter(policy).len()
    }

    /// Drops entries that have fully refilled, and gives the memory back.
    pub fn trim(&self) {
        for limiter in &self.limiters {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    fn limiter(&self, policy: Policy) -> &Keyed {
        &self.limiters[policy.index()]
    }

    fn refused(&self, policy: Policy, nu: &NotUntil<Duration>) -> RateLimited {
        let wait = nu.wait_time_from(self.clock.now());
        let quota = nu.quota();
        RateLimited {
            policy: policy.name(),
            quota: quota.burst_size().get(),
            window_secs: quota.burst_size_replenished_in().as_secs_f64().ceil() as u64,
            retry_after_secs: (wait.as_secs_f64().ceil() as u64).max(1),
        }
    }
}
