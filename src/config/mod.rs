//! The typed configuration tree: the built-in `config/default.toml`, then `--config FILE`,
//! then `REPLYD__*` environment variables. Loading is pure; `validate` runs once at boot.
//! Every default value lives in `default.toml` alone. A leaf: it imports no other module of
//! the service.
use std::path::Path;

use serde::Deserialize;

mod database_url;
#[cfg(test)]
mod props;
mod sections;
mod sites;
#[cfg(test)]
mod tests;
mod webhooks;

pub use sections::{
    AdminConfig, CacheConfig, DatabaseConfig, DkimAlgorithm, DkimConfig, MailConfig, MailTransport,
    PrivacyConfig, RateLimitConfig, RetentionConfig, SecurityConfig, ServerConfig, SmtpConfig,
    SmtpSecurity, SpamConfig, SpamFilterConfig,
};
pub use sites::{AlertMode, ModerationMode, SiteConfig};
use sites::{SiteDefaults, SiteEntry};
pub use webhooks::{WebhookConfig, WebhookEvent, WebhookFormat};

const DEFAULTS: &str = include_str!("../../config/default.toml");

#[derive(Debug, Clone)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub security: SecurityConfig,
    pub mail: MailConfig,
    pub rate_limit: RateLimitConfig,
    pub spam: SpamConfig,
    pub admin: AdminConfig,
    pub cache: CacheConfig,
    pub retention: RetentionConfig,
    pub privacy: PrivacyConfig,
    pub sites: Vec<SiteConfig>,
    pub webhooks: Vec<WebhookConfig>,
}

/// The layered document as written: `Config` before the sites are resolved.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Layered {
    server: ServerConfig,
    database: DatabaseConfig,
    security: SecurityConfig,
    mail: MailConfig,
    rate_limit: RateLimitConfig,
    spam: SpamConfig,
    admin: AdminConfig,
    cache: CacheConfig,
    retention: RetentionConfig,
    privacy: PrivacyConfig,
    site_defaults: SiteDefaults,
    sites: Vec<SiteEntry>,
    webhooks: Vec<WebhookConfig>,
}

impl Layered {
    fn resolve(self) -> Config {
        let defaults = self.site_defaults;
        Config {
            server: self.server,
            database: self.database,
            security: self.security,
            mail: self.mail,
            rate_limit: self.rate_limit,
            spam: self.spam,
            admin: self.admin,
            cache: self.cache,
            retention: self.retention,
            privacy: self.privacy,
            sites: self
                .sites
                .into_iter()
                .map(|s| s.resolve(&defaults))
                .collect(),
            webhooks: self.webhooks,
        }
    }
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
        let layered: Layered = layers(file, env)?.try_deserialize()?;
        let mut config = layered.resolve();
        config.database.url = database_url::loopback_without_tls(&config.database.url);
        config.validate()?;
        Ok(config)
    }

    /// Checks what types alone cannot: unique sites, usable origins, quotas, the secret.
    pub fn validate(&self) -> Result<(), ConfigError> {
        sites::validate(&self.sites)?;
        self.server.validate()?;
        self.rate_limit.validate()?;
        self.spam.validate()?;
        self.retention.validate()?;
        webhooks::validate(&self.webhooks)?;
        self.security.validate()
    }

    pub fn site(&self, id: &str) -> Option<&SiteConfig> {
        self.sites.iter().find(|s| s.id == id)
    }

    pub fn is_sqlite(&self) -> bool {
        self.database.url.starts_with("sqlite:")
    }
}

/// The three sources, merged in order; later ones win key by key, and an array (such as
/// `[[sites]]`) is replaced whole.
fn layers(
    file: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<config::Config, config::ConfigError> {
    let env: config::Map<String, String> = env
        .into_iter()
        .filter(|(k, _)| k.starts_with("REPLYD__"))
        .collect();
    let mut builder = config::Config::builder()
        .add_source(config::File::from_str(DEFAULTS, config::FileFormat::Toml));
    if let Some(path) = file {
        builder = builder.add_source(config::File::from(path).format(config::FileFormat::Toml));
    }
    builder
        .add_source(
            config::Environment::with_prefix("REPLYD")
                .prefix_separator("__")
                .separator("__")
                .list_separator(",")
                .with_list_parse_key("server.trusted_proxies")
                .try_parsing(true)
                .source(Some(env)),
        )
        .build()
}
