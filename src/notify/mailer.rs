//! Sending one finished message: SMTP through lettre's pooled async transport, or `.eml`
//! files for development. Classifies failures as temporary or permanent.
use std::path::PathBuf;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{Config, MailTransport, SmtpSecurity};

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
            Mailer::File(dir) => write!(f, "Mailer::File({})", dir.display()),
        }
    }
}

/// Why a send failed, and so whether it is worth trying again.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// 4xx, connection refused, time-out: try again later.
    #[error("temporary: {0}")]
    Temporary(String),
    /// 5xx: this message will never go through as it is.
    #[error("permanent: {0}")]
    Permanent(String),
}

#[derive(Debug, thiserror::Error)]
#[error("invalid mail configuration: {0}")]
pub struct MailerConfigError(String);

impl Mailer {
    /// Builds the transport, and checks every address mail is sent from or to by config,
    /// so that a typo stops the start instead of filling the dead letters.
    pub fn from_config(config: &Config) -> Result<Mailer, MailerConfigError> {
        let cfg = &config.mail;
        if cfg.from.parse::<Mailbox>().is_err() {
            return Err(MailerConfigError(format!(
                "mail.from {:?} is not an address",
                cfg.from
            )));
        }
        for site in &config.sites {
            if let Some(bad) = site
                .notify
                .iter()
                .find(|a| a.trim().parse::<Address>().is_err())
            {
                return Err(MailerConfigError(format!(
                    "site {:?}: notify address {bad:?} is not an address",
                    site.id
                )));
            }
        }
        if cfg.transport == MailTransport::File {
            return Ok(Mailer::File(PathBuf::from(&cfg.file_dir)));
        }
        let smtp = &cfg.smtp;
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| MailerConfigError(e.to_string()))
        };
        let tls = match smtp.security {
            SmtpSecurity::None => Tls::None,
            SmtpSecurity::Starttls => Tls::Required(tls(&smtp.host)?),
            SmtpSecurity::Tls => Tls::Wrapper(tls(&smtp.host)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
            .port(smtp.port)
            .tls(tls)
            .timeout(Some(Duration::from_secs(smtp.timeout_secs)))
            .pool_config(PoolConfig::new().max_size(smtp.pool_size.max(1)));
        if !smtp.username.is_empty() {
            builder = builder.credentials(Credentials::new(
                smtp.username.clone(),
                smtp.password.expose_secret().to_owned(),
            ));
        }
        Ok(Mailer::Smtp(builder.build()))
    }

    pub async fn send(&self, message: &Message, file_stem: &str) -> Result<(), SendError> {
        match self {
            Mailer::Smtp(t) => t.send(message.clone()).await.map(drop).map_err(classify),
            Mailer::File(dir) => {
                let write = async {
                    tokio::fs::create_dir_all(dir).await?;
                    let path = dir.join(format!("{file_stem}.eml"));
                    tokio::fs::write(path, message.formatted()).await
                };
                write
                    .await
                    .map_err(|e| SendError::Temporary(format!("writing mail file: {e}")))
            }
        }
    }
}

fn classify(e: lettre::transport::smtp::Error) -> SendError {
    if e.is_permanent() {
        SendError::Permanent(e.to_string())
    } else {
        SendError::Temporary(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistyped_address_in_config_stops_the_start() {
        let mut c = Config::load(None, Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        assert!(Mailer::from_config(&c).is_ok());
        c.sites[0].notify = vec!["owner at example.org".into()];
        assert!(Mailer::from_config(&c).is_err());
        c.sites[0].notify = vec!["owner@example.org".into()];
        c.mail.from = "replyd <nobody>".into();
        assert!(Mailer::from_config(&c).is_err());
    }
}
