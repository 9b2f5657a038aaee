//! Redis for the shared rate-limit tests, from `TEST_REDIS_URL`. Each test isolates itself
//! with a random key prefix.
use replyd::config::Config;

/// The Redis URL, if configured. Under CI its absence is a failure, not a skip.
pub fn url() -> Option<String> {
    match std::env::var("TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => {
            panic!(
                "TEST_REDIS_URL must be set in CI: the shared rate-limit tests cannot be skipped"
            )
        }
        _ => {
            eprintln!("TEST_REDIS_URL is not set: skipping a test that needs Redis");
            None
        }
    }
}

/// A key prefix no other test uses.
pub fn prefix() -> String {
    format!("replyd-test-{}:", uuid::Uuid::new_v4().simple())
}

/// Turns submission limits on and shares them through Redis under `prefix`.
pub fn share_limits(cfg: &mut Config, url: &str, prefix: &str) {
    cfg.rate_limit.enabled = true;
    cfg.rate_limit.redis_url = url.to_owned();
    cfg.rate_limit.redis_prefix = prefix.to_owned();
    // Generous, so a loaded test machine never falls back to the local limits.
    cfg.rate_limit.redis_timeout_ms = 10_000;
}
