//! Rate limits shared by every instance, kept in Redis with GCRA (the generic cell rate
//! algorithm governor uses in-process). One Lua script checks all the limits of one request
//! and, only if every one allows it, spends a cell of each: atomically, so concurrent requests
//! on any number of instances get exactly the quota through, and a refusal by a later limit
//! does not use up an earlier one. The time comes from the app's injected clock (passed in
//! milliseconds), never from Redis, so instances need synchronised clocks (NTP) and tests can
//! move time. When Redis does not answer, `check` says so and the caller falls back to the
//! local limits (fail-open); Redis is then left alone for a few seconds.
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::config::RateLimitConfig;
use crate::keys::Keys;

/// `KEYS[i]`: one key per limit. `ARGV[1]`: now in ms; then per key its emission interval in
/// ms and its burst. Returns `{0, 0}` when allowed (every key spent), else `{i, wait_ms}` for
/// the first key that refuses (nothing spent).
const GCRA: &str = r"
local now = tonumber(ARGV[1])
local tats = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i])
  local burst = tonumber(ARGV[2 * i + 1])
  local tat = tonumber(redis.call('GET', key) or now) or now
  if tat < now then tat = now end
  local new_tat = tat + interval
  local allow_at = new_tat - interval * burst
  if allow_at > now then
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
#[derive(Debug, Clone)]
pub struct Need {
    pub policy: &'static str,
    pub key: String,
    /// One cell comes back every this many milliseconds…
    pub interval_ms: u64,
    /// …up to this many at once.
    pub burst: u32,
}

/// The first limit that refused, and how long until it would allow a request.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub index: usize,
    pub wait: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum SharedLimitError {
    #[error("invalid redis_url: {0}")]
    Url(#[source] redis::RedisError),
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

/// The connection to the shared limits. Cheap to clone.
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
    /// Prepares a lazy connection: nothing is sent until the first check, so a Redis that is
    /// down at start does not stop the app.
    pub fn new(
        url: &str,
        prefix: &str,
        timeout: Duration,
        keys: Keys,
    ) -> Result<SharedLimits, SharedLimitError> {
        let client = redis::Client::open(url).map_err(SharedLimitError::Url)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(timeout))
            .set_response_timeout(Some(timeout))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(1));
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(SharedLimitError::Url)?;
        Ok(SharedLimits(Arc::new(Inner {
            conn,
            script: redis::Script::new(GCRA),
            prefix: prefix.to_owned(),
            keys,
            timeout,
            down_until: Mutex::new(None),
        })))
    }

    /// Checks and, if all allow, spends one cell of every limit in `needs` at `now_ms`.
    pub async fn check(
        &self,
        now_ms: i64,
        needs: &[Need],
    ) -> Result<Option<Refusal>, SharedLimitError> {
        let s = &*self.0;
        if self.backing_off() {
            return Err(SharedLimitError::BackingOff);
        }
        let mut call = s.script.prepare_invoke();
        call.arg(now_ms);
        for n in needs {
            // Keys are HMACs of the client address or email under the install secret, which
            // every instance shares: no address or email is stored in Redis in the clear.
            let tag = s
                .keys
                .sign("rate-limit", &format!("{}:{}", n.policy, n.key));
            call.key(format!("{}rl:{}:{tag}", s.prefix, n.policy));
            call.arg(n.interval_ms.max(1)).arg(n.burst.max(1));
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
                Ok(Some(Refusal {
                    index: usize::try_from(i - 1).unwrap_or(0),
                    wait: Duration::from_millis(u64::try_from(wait_ms).unwrap_or(0)),
                }))
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

/// The shared limits of a submission, in the order of the local checks.
pub fn submission_needs(
    c: &RateLimitConfig,
    ip: Option<IpAddr>,
    email: &str,
    site: Option<&str>,
    uri: &str,
) -> Vec<Need> {
    let every = |policy, key: String, burst: u32, period_secs: u64| Need {
        policy,
        key,
        interval_ms: period_secs.max(1).saturating_mul(1000),
        burst,
    };
    let spread = |policy, key: String, n: u32, window_ms: u64| Need {
        policy,
        key,
        interval_ms: window_ms / u64::from(n.max(1)),
        burst: n,
    };
    let mut needs = Vec::with_capacity(6);
    if let Some(key) = ip.map(crate::http::rate_limit::address_key) {
        let key = key.to_string();
        needs.push(every(
            "address",
            key.clone(),
            c.address_burst,
            c.address_period_secs,
        ));
        needs.push(spread("address-hourly", key, c.address_per_hour, 3_600_000));
    }
    let email = crate::http::rate_limit::email_key(email);
    if !email.is_empty() {
        needs.push(every(
            "email",
            email.clone(),
            c.email_burst,
            c.email_period_secs,
        ));
        needs.push(spread("email-hourly", email, c.email_per_hour, 3_600_000));
    }
    if let Some(site) = site {
        if !uri.is_empty() && uri.len() <= crate::moderation::input::URI_MAX {
            needs.push(spread(
                "page",
                format!("{site}\n{uri}"),
                c.page_per_minute,
                60_000,
            ));
        }
        needs.push(spread("site", site.to_owned(), c.site_per_minute, 60_000));
    }
    needs
}

/// The shared limit of a sign-in attempt from `key` (an address key).
pub fn login_need(c: &RateLimitConfig, key: IpAddr) -> Need {
    let per_minute = c.login_per_minute.max(1);
    Need {
        policy: "login",
        key: key.to_string(),
        interval_ms: 60_000 / u64::from(per_minute),
        burst: per_minute,
    }
}
