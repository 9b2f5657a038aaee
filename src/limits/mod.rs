//! Request rate limits as a service: comment submissions, moderator sign-ins and privacy
//! requests, checked
//! against the policy table by this process's limiters and then, when configured, by the
//! limits every instance shares. Owns the order of the checks and the fail-open rule; knows
//! nothing of HTTP, and opens no connection (the shared backend is handed one).
//!
//! A submission is checked against its address, its author email, its page and its site,
//! in that order, and stops at the first limiter that refuses. governor cannot check
//! without consuming, so a request refused by a later limiter has already used a cell of
//! the earlier ones. The order is chosen so that this only ever costs the sender: a flood
//! from one address is cut at the address limiter and never eats the page or site quota
//! that everybody else shares. Each limiter is exact under concurrency (a compare-and-swap
//! per key), so a burst of N concurrent requests gets exactly the burst size through.
//!
//! A request this process allows is then checked against the shared limits: all of them at
//! once, spending nothing unless all allow. If Redis does not answer, the local verdict
//! stands (fail-open) and the metrics count it.
pub mod local;
pub mod policy;
pub mod shared;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::RateLimitConfig;
use crate::metrics::Metrics;
use local::LocalLimits;
pub use policy::{CommentKeys, Key, Policy, RateLimited, address_key, email_key};
use shared::{Need, SharedLimits};

/// Every limit of the app. Cheap to clone.
#[derive(Clone)]
pub struct Limits {
    cfg: Arc<RateLimitConfig>,
    clock: Clock,
    local: Arc<LocalLimits>,
    shared: Option<SharedLimits>,
    metrics: Metrics,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits")
            .field("enabled", &self.cfg.enabled)
            .field("shared", &self.shared.is_some())
            .finish_non_exhaustive()
    }
}

impl Limits {
    pub fn new(cfg: &RateLimitConfig, clock: Clock) -> Limits {
        Limits {
            cfg: Arc::new(cfg.clone()),
            local: Arc::new(LocalLimits::new(cfg, clock.clone())),
            clock,
            shared: None,
            metrics: Metrics::default(),
        }
    }

    /// Also enforces every limit across instances.
    pub fn with_shared(mut self, shared: SharedLimits) -> Limits {
        self.shared = Some(shared);
        self
    }

    /// Counts refusals into `metrics`.
    pub fn with_metrics(mut self, metrics: Metrics) -> Limits {
        self.metrics = metrics;
        self
    }

    /// Checks a comment submission in this process and then, when configured, across all
    /// instances. Does nothing when `[rate_limit] enabled = false`.
    pub async fn check_comment(&self, keys: &CommentKeys<'_>) -> Result<(), RateLimited> {
        if !self.cfg.enabled {
            return Ok(());
        }
        let limits = keys.limits();
        self.local_check(&limits)
            .inspect_err(|r| self.metrics.rate_limited(r.policy, false))?;
        self.shared_check(&limits).await
    }

    /// Checks a moderator sign-in attempt from `ip` for the account `email`, here and across
    /// instances: per address, then per account (so many addresses cannot take turns at one
    /// password). Applies even when submission limits are turned off.
    pub async fn check_login(&self, ip: IpAddr, email: &str) -> Result<(), RateLimited> {
        let mut limits = vec![(Policy::Login, Key::Address(address_key(ip)))];
        let account = email_key(email);
        if !account.is_empty() {
            limits.push((Policy::LoginAccount, Key::Email(account)));
        }
        self.local_check(&limits)
            .inspect_err(|r| self.metrics.rate_limited(r.policy, false))?;
        self.shared_check(&limits).await
    }

    /// Checks a privacy request (export or erase by email) from `ip`, here and across
    /// instances. Applies even when submission limits are turned off: each request mails.
    pub async fn check_privacy(&self, ip: IpAddr) -> Result<(), RateLimited> {
        let limits = [(Policy::Privacy, Key::Address(address_key(ip)))];
        self.local_check(&limits)
            .inspect_err(|r| self.metrics.rate_limited(r.policy, false))?;
        self.shared_check(&limits).await
    }

    /// Checks a reader's report of a comment from `ip`, here and across instances. Like
    /// comments, it does nothing when `[rate_limit] enabled = false`.
    pub async fn check_report(&self, ip: IpAddr) -> Result<(), RateLimited> {
        if !self.cfg.enabled {
            return Ok(());
        }
        let limits = [(Policy::Report, Key::Address(address_key(ip)))];
        self.local_check(&limits)
            .inspect_err(|r| self.metrics.rate_limited(r.policy, false))?;
        self.shared_check(&limits).await
    }

    /// This process's verdict alone, stopping at the first refusal.
    fn local_check(&self, limits: &[(Policy, Key<'_>)]) -> Result<(), RateLimited> {
        limits
            .iter()
            .try_for_each(|(policy, key)| self.local.check(*policy, key))
    }

    async fn shared_check(&self, limits: &[(Policy, Key<'_>)]) -> Result<(), RateLimited> {
        let Some(shared) = &self.shared else {
            return Ok(());
        };
        if limits.is_empty() {
            return Ok(());
        }
        let needs: Vec<Need<'_>> = limits
            .iter()
            .map(|(policy, key)| Need {
                policy: *policy,
                key,
                rate: policy.rate(&self.cfg),
            })
            .collect();
        match shared
            .check(self.clock.now().timestamp_millis(), &needs)
            .await
        {
            Ok(None) => Ok(()),
            Ok(Some(refusal)) => {
                self.metrics.rate_limited(refusal.policy, true);
                Err(refusal)
            }
            Err(_) => {
                // Fail-open: this instance's own limits already allowed the request.
                self.metrics.shared_limit_unavailable();
                Ok(())
            }
        }
    }

    /// Drops entries that have fully refilled, and gives the memory back.
    pub fn trim(&self) {
        self.local.trim();
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

#[cfg(test)]
mod tests;
