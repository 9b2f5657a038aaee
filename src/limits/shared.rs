//! Limits shared by every instance, kept in Redis with GCRA (the generic cell rate algorithm
//! governor uses in-process), over the quotas of the policy table. It is handed a ready
//! connection and never opens one, and knows nothing of this process's own limiters.
//!
//! One Lua script checks all the limits of one request and, only if every one allows it,
//! spends a cell of each: atomically, so concurrent requests on any number of instances get
//! exactly the quota through, and a refusal by a later limit does not use up an earlier one.
//! The time comes from the app's injected clock (passed in milliseconds), never from Redis, so
//! instances need synchronised clocks (NTP) and tests can move time. Each request reads its
//! time before its round trip, so concurrent requests reach Redis a few milliseconds out of
//! order: a cell is therefore granted up to one second early, or the last cell of a burst
//! would be refused to a request whose time was read just before the previous one's. When Redis does not
//! answer, `check` says so and the caller falls back to the local limits (fail-open); Redis is
//! then left alone for a few seconds.
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::aio::ConnectionManager;

use super::policy::{Key, Policy, Rate, RateLimited};
use crate::keys::Keys;

/// `KEYS[i]`: one key per limit. `ARGV[1]`: now in ms; then per key its emission interval in
/// ms and its burst. Returns `{0, 0}` when allowed (every key spent), else `{i, wait_ms}` for
/// the first key that refuses (nothing spent). A cell is granted up to `skew` (1,000 ms)
/// early: more than the spread of the times concurrent requests read before their round
/// trip, far less than any quota's emission interval, so no burst lets more through.
const GCRA: &str = r"
local now = tonumber(ARGV[1])
local skew = 1000
local tats = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key) or now) or now
  if tat < now then tat = now end
  local new_tat = tat + interval
  local allow_at = new_tat - interval * burst
  if allow_at > now + skew then
    return {i, allow_at - now}
  end
  tats[i] = new_tat
end
for i, key in ipairs(KEYS) do
  redis.call('SET', key, string.format('%.0f', tats[i]), 'PX', math.max(1, tats[i] - now))
end
return {0, 0}
";

/// How long Redis is left alone after it failed to answer.
const BACKOFF: Duration = Duration::from_secs(5);

/// One limit of a request: its policy, the key within it, and its quota.
#[derive(Debug, Clone, Copy)]
pub struct Need<'a> {
    pub policy: Policy,
    pub key: &'a Key<'a>,
    pub rate: Rate,
}

impl Need<'_> {
    /// One cell comes back every this many milliseconds…
    fn interval_ms(&self) -> u64 {
        u64::try_from(self.rate.interval().as_millis()).unwrap_or(u64::MAX)
    }

    /// …up to this many at once.
    fn burst(&self) -> u32 {
        self.rate.burst().get()
    }

    fn refused(&self, wait_ms: u64) -> RateLimited {
        let window_ms = self.interval_ms().saturating_mul(u64::from(self.burst()));
        RateLimited {
            policy: self.policy.name(),
            quota: self.burst(),
            window_secs: window_ms.div_ceil(1000),
            retry_after_secs: wait_ms.div_ceil(1000).max(1),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SharedLimitError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("redis did not answer in time")]
    Timeout,
    #[error("redis was unavailable moments ago")]
    BackingOff,
}

struct Inner {
    conn: ConnectionManager,
    script: redis::Script,
    prefix: String,
    keys: Keys,
    timeout: Duration,
    down_until: Mutex<Option<Instant>>,
}

/// The shared limits over one Redis connection. Cheap to clone.
#[derive(Clone)]
pub struct SharedLimits(Arc<Inner>);

impl std::fmt::Debug for SharedLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedLimits")
            .field("prefix", &self.0.prefix)
            .finish_non_exhaustive()
    }
}

impl SharedLimits {
    /// Keys are namespaced by `prefix`; a check that takes longer than `timeout` counts as
    /// Redis being down.
    pub fn new(conn: ConnectionManager, prefix: &str, timeout: Duration, keys: Keys) -> Self {
        SharedLimits(Arc::new(Inner {
            conn,
            script: redis::Script::new(GCRA),
            prefix: prefix.to_owned(),
            keys,
            timeout,
            down_until: Mutex::new(None),
        }))
    }

    /// Checks and, if all allow, spends one cell of every limit in `needs` at `now_ms`.
    /// `Ok(Some(_))` is the first limit that refused.
    pub async fn check(
        &self,
        now_ms: i64,
        needs: &[Need<'_>],
    ) -> Result<Option<RateLimited>, SharedLimitError> {
        let s = &*self.0;
        if self.backing_off() {
            return Err(SharedLimitError::BackingOff);
        }
        let mut call = s.script.prepare_invoke();
        call.arg(now_ms);
        for n in needs {
            call.key(redis_key(&s.prefix, &s.keys, n.policy, n.key));
            call.arg(n.interval_ms().max(1)).arg(n.burst());
        }
        let mut conn = s.conn.clone();
        let answer =
            tokio::time::timeout(s.timeout, call.invoke_async::<(i64, i64)>(&mut conn)).await;
        let result = match answer {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => Err(SharedLimitError::Redis(e)),
            Err(_) => Err(SharedLimitError::Timeout),
        };
        match result {
            Ok((0, _)) => {
                self.mark_up();
                Ok(None)
            }
            Ok((i, wait_ms)) => {
                self.mark_up();
                let index = usize::try_from(i - 1).unwrap_or(0);
                let need = needs.get(index).or(needs.first());
                let wait_ms = u64::try_from(wait_ms).unwrap_or(0);
                Ok(need.map(|n| n.refused(wait_ms)))
            }
            Err(e) => {
                self.mark_down(&e);
                Err(e)
            }
        }
    }

    fn backing_off(&self) -> bool {
        let guard = self.0.down_until.lock().unwrap_or_else(|p| p.into_inner());
        guard.is_some_and(|until| Instant::now() < until)
    }

    fn mark_down(&self, e: &SharedLimitError) {
        let mut guard = self.0.down_until.lock().unwrap_or_else(|p| p.into_inner());
        if guard.is_none() {
            tracing::warn!(error = %e, "shared rate limits unavailable: using this instance's limits only");
        }
        *guard = Some(Instant::now() + BACKOFF);
    }

    fn mark_up(&self) {
        let mut guard = self.0.down_until.lock().unwrap_or_else(|p| p.into_inner());
        if guard.take().is_some() {
            tracing::info!("shared rate limits available again");
        }
    }
}

/// The Redis key of `key` under `policy`: an HMAC under the install secret, which every
/// instance shares, so no address or email is stored in Redis in the clear and the key has
/// the same length whatever the client sent.
pub fn redis_key(prefix: &str, keys: &Keys, policy: Policy, key: &Key<'_>) -> String {
    let tag = keys.sign("rate-limit", &format!("{policy}:{key}"));
    format!("{prefix}rl:{policy}:{tag}")
}
