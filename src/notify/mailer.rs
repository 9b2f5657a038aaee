//! Sending one finished message: SMTP through lettre's pooled async transport, or `.eml`
//! files for development. Classifies failures as temporary or permanent.
use std::path::PathBuf;
use std::time::Duration;

use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{MailConfig, MailTransport, SmtpSecurity};

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
    pub fn from_config(cfg: &MailConfig) -> Result<Mailer, MailerConfigError> {
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
