//! `[[webhooks]]`: where comment events are POSTed, which events, how they are signed and
//! in which shape (generic JSON, Slack or Discord incoming webhooks).
use secrecy::SecretString;
use serde::Deserialize;

use super::ConfigError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: url::Url,
    pub events: Vec<WebhookEvent>,
    /// The HMAC-SHA256 key of generic deliveries (`X-Replyd-Signature`).
    #[serde(default = "empty_secret")]
    pub secret: SecretString,
    #[serde(default)]
    pub format: WebhookFormat,
    /// A PEM file of CA certificates trusted for this receiver, besides the system's (an
    /// internal receiver with its own CA, or a self-signed one).
    #[serde(default)]
    pub ca_file: Option<std::path::PathBuf>,
}

fn empty_secret() -> SecretString {
    SecretString::from(String::new())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookEvent {
    Submitted,
    Held,
    Approved,
    Spammed,
    Rejected,
    Deleted,
}

impl WebhookEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::Submitted => "submitted",
            WebhookEvent::Held => "held",
            WebhookEvent::Approved => "approved",
            WebhookEvent::Spammed => "spammed",
            WebhookEvent::Rejected => "rejected",
            WebhookEvent::Deleted => "deleted",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    #[default]
    Generic,
    Slack,
    Discord,
}

pub(super) fn validate(hooks: &[WebhookConfig]) -> Result<(), ConfigError> {
    use secrecy::ExposeSecret;
    for (i, h) in hooks.iter().enumerate() {
        if !matches!(h.url.scheme(), "http" | "https") {
            return Err(ConfigError::Invalid(format!(
                "webhooks[{i}]: url must be http or https"
            )));
        }
        if h.events.is_empty() {
            return Err(ConfigError::Invalid(format!(
                "webhooks[{i}]: list at least one event"
            )));
        }
        if let Some(f) = &h.ca_file {
            let pem = std::fs::read_to_string(f).map_err(|e| {
                ConfigError::Invalid(format!("webhooks[{i}]: ca_file {}: {e}", f.display()))
            })?;
            if !pem.contains("-----BEGIN CERTIFICATE-----") {
                return Err(ConfigError::Invalid(format!(
                    "webhooks[{i}]: ca_file {} holds no PEM certificate",
                    f.display()
                )));
            }
        }
        if h.format == WebhookFormat::Generic && h.secret.expose_secret().len() < 16 {
            return Err(ConfigError::Invalid(format!(
                "webhooks[{i}]: a generic webhook needs a secret of 16+ characters"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn load(toml: &str) -> Result<Config, ConfigError> {
        let path = std::env::temp_dir().join(format!("replyd-hooks-{}.toml", uuid::Uuid::new_v4()));
        std::fs::write(&path, toml).map_err(|e| ConfigError::Invalid(e.to_string()))?;
        let c = Config::load(Some(&path), Vec::new());
        let _ = std::fs::remove_file(&path);
        c
    }

    #[test]
    fn webhooks_parse_and_a_generic_one_needs_a_secret() {
        let c = load(
            "[[webhooks]]\nurl = \"https://hooks.slack.com/services/x\"\nevents = [\"held\", \"approved\"]\nformat = \"slack\"\n",
        );
        let c = c.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(c.webhooks.len(), 1);
        assert_eq!(
            c.webhooks[0].events,
            [WebhookEvent::Held, WebhookEvent::Approved]
        );
        let err = load("[[webhooks]]\nurl = \"https://example.org/h\"\nevents = [\"held\"]\n");
        assert!(err.is_err_and(|e| e.to_string().contains("secret")));
        let err =
            load("[[webhooks]]\nurl = \"https://example.org/h\"\nevents = [\"held\"]\nbogus = 1\n");
        assert!(err.is_err(), "unknown keys are rejected");
        let err = load(
            "[[webhooks]]\nurl = \"https://example.org/h\"\nevents = [\"exploded\"]\nsecret = \"0123456789abcdef\"\n",
        );
        assert!(err.is_err(), "unknown events are rejected");
    }

    #[test]
    fn a_webhook_ca_file_must_exist_and_hold_a_certificate() {
        let hook = "[[webhooks]]\nurl = \"https://example.org/h\"\nevents = [\"held\"]\nformat = \"slack\"\n";
        let err = load(&format!("{hook}ca_file = \"/nonexistent/ca.pem\"\n"));
        assert!(err.is_err_and(|e| e.to_string().contains("ca_file")));
        let not_pem = std::env::temp_dir().join(format!("replyd-ca-{}.txt", uuid::Uuid::new_v4()));
        std::fs::write(&not_pem, "hello").unwrap_or_else(|e| panic!("{e}"));
        let err = load(&format!(
            "{hook}ca_file = {:?}\n",
            not_pem.display().to_string()
        ));
        let _ = std::fs::remove_file(&not_pem);
        assert!(err.is_err_and(|e| e.to_string().contains("no PEM certificate")));
    }
}
