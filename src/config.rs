//! The typed configuration tree: built-in defaults, then `--config FILE`, then `REPLYD__*`
//! environment variables. Loading is pure; `validate` runs once at boot.
use std::net::SocketAddr;
use std::path::Path;

use ipnet::IpNet;
use secrecy::SecretString;
use serde::Deserialize;
use url::Url;

const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    #[serde(default)]
    pub security: SecurityConfig,
    pub mail: MailConfig,
    #[serde(default)]
    pub admin: AdminConfig,
    pub sites: Vec<SiteConfig>,
}

/// The moderation dashboard under `/admin/`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdminConfig {
    pub session_idle_minutes: u32,
    pub session_absolute_hours: u32,
    pub login_attempts_per_minute: u32,
    pub setup_link_minutes: u32,
}

impl Default for AdminConfig {
    fn default() -> Self {
        AdminConfig {
            session_idle_minutes: 120,
            session_absolute_hours: 12,
            login_attempts_per_minute: 5,
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
        let config: Config = cfg.try_deserialize()?;
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
    fn environment_variables_override_files() {
        let cfg = Config::load(
            None,
            env(&[
                ("REPLYD__DATABASE__URL", "postgres://x@127.0.0.1/y"),
                ("REPLYD__SERVER__TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1/32"),
            ]),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(cfg.database.url, "postgres://x@127.0.0.1/y");
        assert_eq!(cfg.server.trusted_proxies.len(), 2);
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
