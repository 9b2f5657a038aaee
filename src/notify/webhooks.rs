//! Webhooks: comment events for `[[webhooks]]` receivers, queued as outbox rows in the
//! change's own transaction (so the same retries and dead letters as mail apply), and
//! delivered by the worker as generic signed JSON or as Slack / Discord incoming-webhook
//! messages. No payload ever carries a commenter's email address.
//!
//! Generic deliveries are signed: `X-Replyd-Timestamp: UNIX_SECONDS` and
//! `X-Replyd-Signature: sha256=HEX(HMAC-SHA256(secret, TIMESTAMP + "." + BODY))`; a receiver
//! recomputes it, refuses a timestamp more than five minutes off its clock, and remembers
//! `X-Replyd-Delivery` ids seen within that window, so a captured request cannot be replayed.
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::{DatabaseConnection, EntityTrait};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use sha2::Sha256;

use super::links;
use super::mailer::SendError;
use super::outbox::{Kind, NewMail};
use crate::config::{Config, WebhookConfig, WebhookEvent, WebhookFormat};
use crate::keys::Keys;
use entity::enums::ModerationAction;
use entity::{comment, outbox, page};

/// The outbox rows for `events` of comment `c` on `site` at `at`: one per receiver and
/// event it asked for.
pub fn rows_for(
    config: &Config,
    site: &str,
    events: &[WebhookEvent],
    c: &comment::Model,
    at: DateTime<Utc>,
) -> Vec<NewMail> {
    let mut rows = Vec::new();
    for (i, hook) in config.webhooks.iter().enumerate() {
        for ev in events.iter().filter(|e| hook.events.contains(e)) {
            rows.push(NewMail {
                kind: Kind::Webhook,
                dedupe_key: format!(
                    "webhook:{i}:{}:{}:{}",
                    ev.as_str(),
                    c.id,
                    at.timestamp_millis()
                ),
                recipient: hook.url.to_string(),
                payload: json!({
                    "hook": i, "event": ev.as_str(), "site": site, "comment_id": c.id,
                    "page_id": c.page_id, "author_name": c.author_name, "text": c.text,
                    "html": c.html, "status": c.status.as_str(), "at": at.timestamp_millis(),
                }),
                due_at: at,
            });
        }
    }
    rows
}

/// Makes ring the process's rustls provider, unless one is set already. reqwest is built
/// without a provider of its own (so no aws-lc-rs): every client needs this first.
pub fn install_tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// One HTTP client per `[[webhooks]]` entry, built at start: each trusts the system's
/// CAs and, when the entry names one, its `ca_file`. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct Clients(Arc<[reqwest::Client]>);

impl Clients {
    pub fn from_config(config: &Config) -> Result<Clients, String> {
        if config.webhooks.is_empty() {
            return Ok(Clients::default());
        }
        install_tls_provider();
        let clients = config
            .webhooks
            .iter()
            .enumerate()
            .map(|(i, h)| client(h).map_err(|e| format!("webhooks[{i}]: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Clients(clients.into()))
    }
}

fn client(hook: &WebhookConfig) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("replyd-webhooks");
    if let Some(file) = &hook.ca_file {
        let bad = |e: &dyn std::fmt::Display| format!("ca_file {}: {e}", file.display());
        let pem = std::fs::read(file).map_err(|e| bad(&e))?;
        let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| bad(&e))?;
        builder = builder.tls_certs_merge(certs);
    }
    builder.build().map_err(|e| e.to_string())
}

/// Delivers one webhook row: `Ok(None)` when the receiver took it, `Ok(Some(why))` when it
/// no longer applies.
pub async fn deliver(
    db: &DatabaseConnection,
    (config, clients): (&Config, &Clients),
    keys: &Keys,
    row: &outbox::Model,
    now: DateTime<Utc>,
) -> Result<Option<&'static str>, SendError> {
    let Ok(p) = serde_json::from_str::<Value>(&row.payload) else {
        return Err(SendError::Permanent("webhook payload is not JSON".into()));
    };
    let index = p["hook"].as_u64().and_then(|i| usize::try_from(i).ok());
    let hook = index.and_then(|i| Some((config.webhooks.get(i)?, clients.0.get(i)?)));
    let Some((hook, client)) = hook.filter(|(h, _)| h.url.as_str() == row.recipient) else {
        return Ok(Some("the webhook is no longer configured"));
    };
    let page = match page::Entity::find_by_id(p["page_id"].as_i64().unwrap_or(0))
        .one(db)
        .await
    {
        Ok(page) => page,
        Err(e) => return Err(SendError::Temporary(format!("database: {e}"))),
    };
    let body = body(config, keys, hook, &p, page.as_ref(), now);
    let mut req = client
        .post(hook.url.clone())
        .header("content-type", "application/json")
        .header("x-replyd-event", p["event"].as_str().unwrap_or_default())
        .header("x-replyd-delivery", row.id.to_string());
    if hook.format == WebhookFormat::Generic {
        let ts = now.timestamp().to_string();
        req = req
            .header("x-replyd-timestamp", &ts)
            .header("x-replyd-signature", sign(hook, &ts, &body));
    }
    match req.body(body).send().await {
        Ok(res) if res.status().is_success() => Ok(None),
        Ok(res) => {
            let s = res.status();
            let msg = format!("receiver answered {s}");
            if s.is_server_error() || s.as_u16() == 408 || s.as_u16() == 429 {
                Err(SendError::Temporary(msg))
            } else {
                Err(SendError::Permanent(msg))
            }
        }
        Err(e) => Err(SendError::Temporary(format!("webhook request: {e}"))),
    }
}

/// `sha256=` and the hex HMAC-SHA256 of `TIMESTAMP.BODY` under the hook's secret.
pub fn sign(hook: &WebhookConfig, timestamp: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(hook.secret.expose_secret().as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

fn body(
    config: &Config,
    keys: &Keys,
    hook: &WebhookConfig,
    p: &Value,
    page: Option<&page::Model>,
    now: DateTime<Utc>,
) -> Vec<u8> {
    let site = config.site(p["site"].as_str().unwrap_or_default());
    let id = p["comment_id"].as_i64().unwrap_or(0);
    let uri = page.map(|pg| pg.uri.as_str()).unwrap_or_default();
    let permalink = site.map(|s| format!("{}{uri}#comment-{id}", s.home_origin()));
    let event = p["event"].as_str().unwrap_or_default();
    let public = config.server.public_url.as_str().trim_end_matches('/');
    let link = |a| links::one_click_link(public, keys, id, a, now);
    let actions = (event == "held").then(|| {
        json!({
            "approve": link(ModerationAction::Approve),
            "reject": link(ModerationAction::Reject),
            "spam": link(ModerationAction::Spam),
        })
    });
    let author = p["author_name"].as_str().unwrap_or_default();
    let site_name = site.map(|s| s.name.as_str()).unwrap_or_default();
    let summary = format!("Comment {event} on {site_name} {uri} by {author}");
    let excerpt = excerpt(p["text"].as_str().unwrap_or_default(), 300);
    let value = match hook.format {
        WebhookFormat::Generic => json!({
            "event": event, "site": p["site"], "page": uri,
            // Deliveries may arrive out of order (retries); this says when it happened.
            "occurred_at": p["at"].as_i64().and_then(DateTime::from_timestamp_millis)
                .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
            "comment": {
                "id": id, "author_name": author, "html": p["html"], "status": p["status"],
                "permalink": permalink,
            },
            "moderate": actions,
        }),
        WebhookFormat::Slack => {
            let text = format!("{summary}\n>{excerpt}");
            json!({ "text": text + &chat_links(actions.as_ref(), |l, u| format!("<{u}|{l}>")) })
        }
        WebhookFormat::Discord => {
            let content = format!("{summary}\n> {excerpt}")
                + &chat_links(actions.as_ref(), |l, u| format!("[{l}]({u})"));
            json!({ "content": content, "allowed_mentions": { "parse": [] } })
        }
    };
    serde_json::to_vec(&value).unwrap_or_default()
}

/// The one-click links of a held comment as one more line of a chat message, each written
/// by `link(label, url)` in the chat's own markup; nothing for other events.
fn chat_links(actions: Option<&Value>, link: impl Fn(&str, &str) -> String) -> String {
    let Some(a) = actions else {
        return String::new();
    };
    let one = |label: &str, key: &str| link(label, a[key].as_str().unwrap_or_default());
    format!(
        "\n{} · {} · {}",
        one("Approve", "approve"),
        one("Reject", "reject"),
        one("Spam", "spam")
    )
}

/// At most `max` characters of `text` on one line, with an ellipsis when cut.
fn excerpt(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max).collect();
    cut.push('…');
    cut
}
