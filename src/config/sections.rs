//! The typed tables of the configuration file other than `[[sites]]`, one struct per table,
//! and the checks of their values that types alone cannot make. Holds no default values:
//! `config/default.toml` names every key, so every field here is required.
use std::net::SocketAddr;

use ipnet::IpNet;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};
use url::Url;

use super::ConfigError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub bind: SocketAddr,
    pub public_url: Url,
    pub trusted_proxies: Vec<IpNet>,
    /// The one header a trusted proxy writes the client's address into (lower case).
    /// `forwarded` is parsed as RFC 7239; any other name as a comma-separated address list.
    pub client_ip_header: String,
    pub body_limit_bytes: usize,
    pub request_timeout_secs: u64,
    pub header_read_timeout_secs: u64,
    /// A connection that has not started a request this long after opening is closed.
    pub first_request_timeout_secs: u64,
    /// A connection with no request in flight for this long is closed.
    pub idle_timeout_secs: u64,
    /// Most connections open at once; more are closed on accept.
    pub max_connections: usize,
    /// Most concurrent streams per HTTP/2 connection.
    pub http2_max_streams: u32,
    /// HTTP/2 keep-alive ping interval, and how long a ping may go unanswered.
    pub http2_keepalive_secs: u64,
    /// Serve `GET /metrics` (Prometheus text format).
    pub metrics: bool,
}

impl ServerConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let name = &self.client_ip_header;
        let token = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
        if name.is_empty() || !name.chars().all(token) {
            return Err(ConfigError::Invalid(
                "server.client_ip_header must be one lower-case header name, such as x-forwarded-for".into(),
            ));
        }
        let bounds = [
            self.first_request_timeout_secs,
            self.idle_timeout_secs,
            self.http2_keepalive_secs,
            u64::from(self.http2_max_streams),
            u64::try_from(self.max_connections).unwrap_or(u64::MAX),
        ];
        if bounds.contains(&0) {
            return Err(ConfigError::Invalid(
                "server timeouts, max_connections and http2_max_streams must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub url: String,
    pub migrate_on_start: bool,
    pub max_connections: u32,
    pub busy_timeout_ms: u64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    /// The install secret. `None` (an empty value in the file): generated on first run and
    /// kept in the database.
    #[serde(deserialize_with = "empty_as_none")]
    pub secret: Option<SecretString>,
}

/// A required secret where the empty string stands for "none given". Unlike a plain
/// `Option`, a missing key is an error, so the key cannot silently fall out of the file.
fn empty_as_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    let secret = SecretString::deserialize(d)?;
    Ok((!secret.expose_secret().is_empty()).then_some(secret))
}

impl SecurityConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let len = self.secret.as_ref().map_or(0, |s| s.expose_secret().len());
        if len != 0 && len < 32 {
            return Err(ConfigError::Invalid(
                "security.secret must be at least 32 characters".into(),
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    Smtp,
    File,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    None,
    Starttls,
    Tls,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailConfig {
    pub transport: MailTransport,
    pub from: String,
    pub file_dir: String,
    /// Run the delivery worker in this process.
    pub worker: bool,
    /// Attempts before a mail that keeps failing temporarily is given up (dead letter).
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt up to `retry_max_secs`, with jitter.
    pub retry_base_secs: u64,
    pub retry_max_secs: u64,
    /// How long a claimed mail stays leased to one worker before another may take it.
    pub lease_secs: u64,
    /// How often the worker looks for due mail when nothing wakes it.
    pub poll_interval_secs: u64,
    /// Mails claimed per worker step.
    pub batch_size: u64,
    pub smtp: SmtpConfig,
    pub dkim: DkimConfig,
}

/// DKIM signing of outgoing mail; off while `domain` is empty.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DkimConfig {
    pub domain: String,
    pub selector: String,
    /// An RSA private key (PKCS#1 PEM) or an Ed25519 seed (base64), by `algorithm`.
    pub key_file: String,
    pub algorithm: DkimAlgorithm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DkimAlgorithm {
    Rsa,
    Ed25519,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: String,
    pub password: SecretString,
    pub timeout_secs: u64,
    /// Most open connections kept to the SMTP server.
    pub pool_size: u32,
}

/// Request quotas. Each `*_burst` is how many may come at once; one more is allowed every
/// `*_period_secs` after that.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimitConfig {
    pub enabled: bool,
    pub address_burst: u32,
    pub address_period_secs: u64,
    pub address_per_hour: u32,
    pub email_burst: u32,
    pub email_period_secs: u64,
    pub email_per_hour: u32,
    pub page_per_minute: u32,
    pub site_per_minute: u32,
    pub login_per_minute: u32,
    /// Moderator sign-in attempts per minute per account, from any address.
    pub login_per_account_per_minute: u32,
    /// Privacy requests (export or erase by email) per hour per client address.
    pub privacy_per_hour: u32,
    /// Reader reports of comments per hour per client address.
    pub report_per_hour: u32,
    pub trim_interval_secs: u64,
    /// `redis://HOST:PORT/DB`: also enforce every limit across all instances. Empty: off.
    pub redis_url: String,
    /// Prefix of every Redis key, so several installs (or tests) can share one Redis.
    pub redis_prefix: String,
    /// Longest a Redis check may take before this instance's own limits decide alone.
    pub redis_timeout_ms: u64,
}

impl RateLimitConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let quotas = [
            self.address_burst,
            self.address_per_hour,
            self.email_burst,
            self.email_per_hour,
            self.page_per_minute,
            self.site_per_minute,
            self.login_per_minute,
            self.login_per_account_per_minute,
            self.privacy_per_hour,
            self.report_per_hour,
        ];
        let periods = [
            self.address_period_secs,
            self.email_period_secs,
            self.trim_interval_secs,
            self.redis_timeout_ms,
        ];
        if quotas.contains(&0) || periods.contains(&0) {
            return Err(ConfigError::Invalid(
                "every [rate_limit] quota and period must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// The built-in `[rate_limit]` table, for unit tests that build limiters without a file.
#[cfg(test)]
impl Default for RateLimitConfig {
    fn default() -> Self {
        super::Config::load(None, Vec::new())
            .unwrap_or_else(|e| panic!("the built-in configuration loads: {e}"))
            .rate_limit
    }
}

/// The spam defences that need numbers: the link hold and the form's time trap.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpamConfig {
    pub max_links: usize,
    pub min_fill_secs: u64,
    pub form_token_max_age_secs: u64,
    pub filter: SpamFilterConfig,
}

/// `[spam.filter]`: the filter that learns from moderators' approve and spam decisions.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpamFilterConfig {
    pub enabled: bool,
    pub spam_threshold: f64,
    pub hold_threshold: f64,
    pub min_decisions: u32,
    pub max_tokens: usize,
}

impl SpamConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.max_links == 0 || self.form_token_max_age_secs <= self.min_fill_secs {
            return Err(ConfigError::Invalid(
                "[spam] max_links must be at least 1 and form_token_max_age_secs above min_fill_secs"
                    .into(),
            ));
        }
        let f = &self.filter;
        if !(0.0 < f.hold_threshold
            && f.hold_threshold <= f.spam_threshold
            && f.spam_threshold <= 1.0)
            || f.max_tokens < 1000
        {
            return Err(ConfigError::Invalid(
                "[spam.filter] needs 0 < hold_threshold <= spam_threshold <= 1 and max_tokens >= 1000"
                    .into(),
            ));
        }
        Ok(())
    }
}

/// The moderation dashboard under `/admin/`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    /// Most password checks (argon2, about 19 MiB each) running at once, over all logins.
    pub max_concurrent_logins: usize,
    pub session_idle_minutes: u32,
    pub session_absolute_hours: u32,
    pub setup_link_minutes: u32,
}

/// Privacy self-service: commenters export or erase what is stored under their address.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyConfig {
    pub link_hours: u32,
}

/// The published-thread cache.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheConfig {
    pub threads: bool,
    pub ttl_secs: u64,
    /// Most (page, offset, limit) answers kept.
    pub max_entries: usize,
    /// Most bytes the kept answers weigh together.
    pub max_bytes: usize,
    /// `Cache-Control: public, max-age=…` on public reads (threads, counts, feeds).
    pub public_max_age_secs: u64,
    /// `stale-while-revalidate=…` on the same reads.
    pub stale_while_revalidate_secs: u64,
}

/// How long things no longer needed are kept, in days (0: for ever), and how often the
/// retention job runs.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    pub address_days: u32,
    pub spam_days: u32,
    pub rejected_days: u32,
    pub sent_mail_days: u32,
    pub interval_minutes: u64,
    pub idempotency_key_hours: u32,
}

impl RetentionConfig {
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if self.interval_minutes == 0 {
            return Err(ConfigError::Invalid(
                "[retention] interval_minutes must be at least 1".into(),
            ));
        }
        Ok(())
    }
}
