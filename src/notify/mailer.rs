//! Sending one finished message: SMTP through lettre's pooled async transport, or `.eml`
//! files for development, DKIM-signed when `[mail.dkim]` is set. Classifies failures as
//! temporary or permanent.
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::dkim::{
    DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm,
    DkimSigningKey,
};
use lettre::message::header::HeaderName;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::config::{self, Config, DkimAlgorithm, MailTransport, SmtpSecurity};

/// The headers every signature covers. One that a mail lacks is signed as absent, so it
/// cannot be added on the way.
const SIGNED: [&str; 7] = [
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
];

/// Where mail goes, and the key it is signed with.
#[derive(Clone)]
pub struct Mailer {
    route: Route,
    dkim: Option<Arc<DkimConfig>>,
}

#[derive(Clone)]
enum Route {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.route {
            Route::Smtp(_) => f.write_str("Mailer::Smtp")?,
            Route::File(dir) => write!(f, "Mailer::File({})", dir.display())?,
        }
        if self.dkim.is_some() {
            f.write_str(" (DKIM)")?;
        }
        Ok(())
    }
}

/// The signing configuration, read from the key file; `None` while `domain` is empty.
fn dkim(cfg: &config::DkimConfig) -> Result<Option<Arc<DkimConfig>>, MailerConfigError> {
    if cfg.domain.is_empty() {
        return Ok(None);
    }
    if cfg.selector.is_empty() || cfg.key_file.is_empty() {
        return Err(MailerConfigError(
            "mail.dkim: domain is set, so selector and key_file must be too".into(),
        ));
    }
    let key = std::fs::read_to_string(&cfg.key_file)
        .map_err(|e| MailerConfigError(format!("mail.dkim.key_file {:?}: {e}", cfg.key_file)))?;
    let algorithm = match cfg.algorithm {
        DkimAlgorithm::Rsa => DkimSigningAlgorithm::Rsa,
        DkimAlgorithm::Ed25519 => DkimSigningAlgorithm::Ed25519,
    };
    let key = DkimSigningKey::new(key.trim(), algorithm).map_err(|e| {
        MailerConfigError(format!(
            "mail.dkim.key_file {:?}: not a {:?} key ({e}); RSA keys must be PKCS#1 PEM",
            cfg.key_file, cfg.algorithm
        ))
    })?;
    let headers = SIGNED
        .iter()
        .map(|h| HeaderName::new_from_ascii_str(h))
        .collect();
    let relaxed = DkimCanonicalization {
        header: DkimCanonicalizationType::Relaxed,
        body: DkimCanonicalizationType::Relaxed,
    };
    Ok(Some(Arc::new(DkimConfig::new(
        cfg.selector.clone(),
        cfg.domain.clone(),
        key,
        headers,
        relaxed,
    ))))
}

/// Why a send failed, and so whether it is worth trying again.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// A 4xx answer, or trouble on this side: try this message again later.
    #[error("temporary: {0}")]
    Temporary(String),
    /// The mail server could not be reached or did not answer (refused, timed out, TLS or
    /// network failure): no message will go through until it is back.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// 5xx: this message will never go through as it is.
    #[error("permanent: {0}")]
    Permanent(String),
}

#[derive(Debug, thiserror::Error)]
#[error("invalid mail configuration: {0}")]
pub struct MailerConfigError(pub(super) String);

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
        let dkim = dkim(&cfg.dkim)?;
        if cfg.transport == MailTransport::File {
            let route = Route::File(PathBuf::from(&cfg.file_dir));
            return Ok(Mailer { route, dkim });
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
        Ok(Mailer {
            route: Route::Smtp(builder.build()),
            dkim,
        })
    }

    /// Sends `message`, signed first when DKIM is configured (each attempt signs afresh).
    pub async fn send(&self, message: &Message, file_stem: &str) -> Result<(), SendError> {
        let mut message = message.clone();
        if let Some(dkim) = &self.dkim {
            message.sign(dkim);
        }
        match &self.route {
            Route::Smtp(t) => t.send(message).await.map(drop).map_err(classify),
            Route::File(dir) => {
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
    } else if e.is_response() || e.is_client() {
        SendError::Temporary(e.to_string())
    } else {
        SendError::Unreachable(e.to_string())
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

    #[test]
    fn a_dkim_domain_without_a_readable_key_stops_the_start() {
        let mut c = Config::load(None, Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        c.mail.dkim.domain = "example.org".into();
        let err = |c: &Config| Mailer::from_config(c).err().map(|e| e.to_string());
        assert!(err(&c).is_some_and(|e| e.contains("selector and key_file")));
        c.mail.dkim.selector = "s1".into();
        c.mail.dkim.key_file = "/nonexistent/dkim.pem".into();
        assert!(err(&c).is_some_and(|e| e.contains("key_file")));
    }
}
