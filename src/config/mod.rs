//! The typed configuration tree: built-in defaults, then `--config FILE`, then `REPLYD__*`
//! environment variables. Loading is pure; `validate` runs once at boot.
use std::net::SocketAddr;
use std::path::Path;

use ipnet::IpNet;
use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

mod database_url;

const DEFAULTS: &str = include_str!("../../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    #[serde(default)]
    pub security: SecurityConfig,
    pub mail: MailConfig,
    #[serde(default)]
    pub rate_limit: RateLimitConfig,
    #[serde(default)]
    pub spam: SpamConfig,
    #[serde(default)]
    pub admin: AdminConfig,
    #[serde(default)]
    pub cache: CacheConfig,
    pub sites: Vec<SiteConfig>,
}

/// Request quotas. Each `*_burst` is how many may come at once; one more is allowed every
/// `*_period_secs` after that.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
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
    pub trim_interval_secs: u64,
    /// `redis://HOST:PORT/DB`: also enforce every limit across all instances. Empty: off.
    pub redis_url: String,
    /// Prefix of every Redis key, so several installs (or tests) can share one Redis.
    pub redis_prefix: String,
    /// Longest a Redis check may take before this instance's own limits decide alone.
    pub redis_timeout_ms: u64,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        RateLimitConfig {
            enabled: true,
            address_burst: 3,
            address_period_secs: 15,
            address_per_hour: 20,
            email_burst: 3,
            email_period_secs: 15,
            email_per_hour: 20,
            page_per_minute: 30,
            site_per_minute: 300,
            login_per_minute: 5,
            trim_interval_secs: 60,
            redis_url: String::new(),
            redis_prefix: "replyd:".into(),
            redis_timeout_ms: 250,
        }
    }
}

/// The spam defences that need numbers: the link hold and the form's time trap.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpamConfig {
    pub max_links: usize,
    pub min_fill_secs: u64,
    pub form_token_max_age_secs: u64,
}

impl Default for SpamConfig {
    fn default() -> Self {
        SpamConfig {
            max_links: 2,
            min_fill_secs: 3,
            form_token_max_age_secs: 86_400,
        }
    }
}

/// The published-thread cache.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheConfig {
    pub threads: bool,
    pub ttl_secs: u64,
    pub max_pages: usize,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            threads: true,
            ttl_secs: 300,
            max_pages: 10_000,
        }
    }
}

/// The moderation dashboard under `/admin/`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdminConfig {
    pub session_idle_minutes: u32,
    pub session_absolute_hours: u32,
    pub setup_link_minutes: u32,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            session_idle_minutes: 120,
            session_absolute_hours: 12,
            setup_link_minutes: 60,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub bind: SocketAddr,
    pub public_url: Url,
    #[serde(default)]
    pub trusted_proxies: Vec<IpNet>,
    pub body_limit_bytes: usize,
    pub request_timeout_secs: u64,
    pub header_read_timeout_secs: u64,
    /// Serve `GET /metrics` (Prometheus text format).
    #[serde(default = "default_true")]
    pub metrics: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    pub url: String,
    pub migrate_on_start: bool,
    pub max_connections: u32,
    pub busy_timeout_ms: u64,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityConfig {
    #[serde(default)]
    pub secret: Option<SecretString>,
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModerationMode {
    All,
    FirstTime,
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteConfig {
    pub id: String,
    pub name: String,
    pub origins: Vec<Url>,
    #[serde(default = "default_mode")]
    pub moderation: ModerationMode,
    #[serde(default)]
    pub notify: Vec<String>,
    /// Which comments alert the `notify` list, and how.
    #[serde(default)]
    pub alerts: AlertMode,
    /// Tell an author (confirmed and opted in) when their held comment is approved.
    #[serde(default = "default_true")]
    pub approval_notice: bool,
}

/// When moderators hear about new comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AlertMode {
    /// One mail per comment, held or not.
    Every,
    /// One mail per comment that waits for moderation.
    #[default]
    Held,
    /// One mail per hour listing the comments held in that hour.
    DigestHourly,
    /// One mail per day (UTC) listing the comments held that day.
    DigestDaily,
    /// No alerts.
    Off,
}

fn default_true() -> bool {
    true
}

fn default_mode() -> ModerationMode {
    ModerationMode::All
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read configuration: {0}")]
    Load(#[from] config::ConfigError),
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Layers the built-in defaults, an optional file and the given environment variables.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let env: config::Map<String, String> = env
            .into_iter()
            .filter(|(k, _)| k.starts_with("REPLYD__"))
            .collect();
        let mut builder = config::Config::builder()
            .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
        if let Some(path) = file {
            builder = builder.add_source(config::File::from(path).format(config::FileFormat::Toml));
        }
        let cfg = builder
            .add_source(
                config::Environment::with_prefix("REPLYD")
                    .prefix_separator("__")
                    .separator("__")
                    .list_separator(",")
                    .with_list_parse_key("server.trusted_proxies")
                    .try_parsing(true)
                    .source(Some(env)),
            )
            .build()?;
        let mut config: Config = cfg.try_deserialize()?;
        config.database.url = database_url::loopback_without_tls(&config.database.url);
        config.validate()?;
        Ok(config)
    }

    /// Checks what types alone cannot: unique sites, usable origins.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.sites.is_empty() {
            return Err(ConfigError::Invalid(
                "at least one [[sites]] entry is needed".into(),
            ));
        }
        let mut ids = std::collections::HashSet::new();
        for site in &self.sites {
            if site.id.is_empty() || site.id.len() > 64 {
                return Err(ConfigError::Invalid(format!(
                    "site id {:?} must be 1-64 characters",
                    site.id
                )));
            }
            if !ids.insert(site.id.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "site id {:?} appears twice",
                    site.id
                )));
            }
            if site.origins.is_empty() {
                return Err(ConfigError::Invalid(format!(
                    "site {:?} needs at least one origin",
                    site.id
                )));
            }
            for o in &site.origins {
                if !matches!(o.scheme(), "http" | "https") || o.host_str().is_none() {
                    return Err(ConfigError::Invalid(format!(
                        "site {:?}: origin {o} must be an http(s) URL",
                        site.id
                    )));
                }
            }
        }
        let rl = &self.rate_limit;
        let quotas = [
            rl.address_burst,
            rl.address_per_hour,
            rl.email_burst,
            rl.email_per_hour,
            rl.page_per_minute,
            rl.site_per_minute,
            rl.login_per_minute,
        ];
        let periods = [
            rl.address_period_secs,
            rl.email_period_secs,
            rl.trim_interval_secs,
            rl.redis_timeout_ms,
        ];
        if quotas.contains(&0) || periods.contains(&0) {
            return Err(ConfigError::Invalid(
                "every [rate_limit] quota and period must be at least 1".into(),
            ));
        }
        if self.spam.max_links == 0 || self.spam.form_token_max_age_secs <= self.spam.min_fill_secs
        {
            return Err(ConfigError::Invalid(
                "[spam] max_links must be at least 1 and form_token_max_age_secs above min_fill_secs"
                    .into(),
            ));
        }
        if let Some(secret) = &self.security.secret {
            use secrecy::ExposeSecret;
            let len = secret.expose_secret().len();
            if len != 0 && len < 32 {
                return Err(ConfigError::Invalid(
                    "security.secret must be at least 32 characters".into(),
                ));
            }
        }
        Ok(())
    }

    pub fn site(&self, id: &str) -> Option<&SiteConfig> {
        self.sites.iter().find(|s| s.id == id)
    }

    pub fn is_sqlite(&self) -> bool {
        self.database.url.starts_with("sqlite:")
    }
}

impl SiteConfig {
    /// The origin the no-JS form returns to, as `scheme://host[:port]` with no trailing slash.
    pub fn home_origin(&self) -> String {
        self.origins
            .first()
            .map(|o| o.origin().ascii_serialization())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_documented_example_file_is_accepted_and_replaces_the_demo_site() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/example.toml");
        let cfg = Config::load(Some(&path), env(&[])).unwrap_or_else(|e| panic!("{e}"));
        let ids: Vec<&str> = cfg.sites.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["blog"]);
        assert_eq!(cfg.mail.transport, MailTransport::Smtp);
        assert_eq!(cfg.server.trusted_proxies.len(), 1);
        assert_eq!(cfg.sites[0].home_origin(), "http://127.0.0.1:8000");
    }

    #[test]
    fn a_loopback_database_url_is_loaded_without_tls() {
        let cfg = Config::load(
            None,
            env(&[("REPLYD__DATABASE__URL", "postgres://x@127.0.0.1/y")]),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.database.url, "postgres://x@127.0.0.1/y?sslmode=disable");
    }

    #[test]
    fn environment_variables_override_files() {
        let cfg = Config::load(
            None,
            env(&[
                ("REPLYD__DATABASE__URL", "postgres://x@db.internal/y"),
                ("REPLYD__SERVER__TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1/32"),
            ]),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.database.url, "postgres://x@db.internal/y");
        assert_eq!(cfg.server.trusted_proxies.len(), 2);
    }

    #[test]
    fn rate_limits_and_spam_settings_default_and_can_be_overridden() {
        let cfg = Config::load(None, env(&[])).unwrap_or_else(|e| panic!("{e}"));
        assert!(cfg.rate_limit.enabled);
        assert_eq!(cfg.rate_limit.address_burst, 3);
        assert_eq!(cfg.spam.max_links, 2);
        let cfg = Config::load(
            None,
            env(&[
                ("REPLYD__RATE_LIMIT__ENABLED", "false"),
                ("REPLYD__SPAM__MIN_FILL_SECS", "5"),
            ]),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!cfg.rate_limit.enabled);
        assert_eq!(cfg.spam.min_fill_secs, 5);
        let zero = Config::load(None, env(&[("REPLYD__RATE_LIMIT__ADDRESS_BURST", "0")]));
        assert!(zero.is_err());
    }

    #[test]
    fn shared_limits_are_off_and_metrics_on_by_default() {
        let cfg = Config::load(None, env(&[])).unwrap_or_else(|e| panic!("{e}"));
        assert!(cfg.rate_limit.redis_url.is_empty());
        assert_eq!(cfg.rate_limit.redis_prefix, "replyd:");
        assert!(cfg.server.metrics);
        let cfg = Config::load(
            None,
            env(&[
                ("REPLYD__RATE_LIMIT__REDIS_URL", "redis://127.0.0.1:6379/0"),
                ("REPLYD__SERVER__METRICS", "false"),
            ]),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.rate_limit.redis_url, "redis://127.0.0.1:6379/0");
        assert!(!cfg.server.metrics);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        let dir = std::env::temp_dir().join(format!("replyd-cfg-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("typo.toml");
        let _ = std::fs::write(&path, "[server]\nbindd = \"127.0.0.1:1\"\n");
        let err = Config::load(Some(&path), env(&[]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("bindd"), "{err}");
    }
}
