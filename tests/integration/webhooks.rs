//! Webhooks through the durable outbox: a local receiver that fails, then accepts, gets
//! each event once retried, signed (generic) or shaped for Slack and Discord with one-click
//! links for held comments, and never a commenter's email.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, KeyInit, Mac};
use replyd::config::{WebhookConfig, WebhookEvent, WebhookFormat};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::backends;
use crate::support::{mail, smtp::SmtpServer};

const SECRET: &str = "a-webhook-secret-of-some-length";

#[derive(Clone, Default)]
struct Receiver {
    /// Answers 503 this many more times.
    failures: Arc<Mutex<usize>>,
    got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    attempts: Arc<Mutex<usize>>,
}

impl Receiver {
    async fn start(failures: usize) -> (Receiver, String) {
        let r = Receiver {
            failures: Arc::new(Mutex::new(failures)),
            ..Receiver::default()
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let app = r.app();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (r, url)
    }

    /// The same receiver over HTTPS, with a certificate for `localhost` issued by the test
    /// CA in `fixtures/tls` (`ca.pem`), which nothing trusts unless told to.
    async fn start_tls(failures: usize) -> (Receiver, String) {
        use hyper_util::rt::{TokioExecutor, TokioIo};
        use rustls::pki_types::pem::PemObject;
        use rustls::pki_types::{CertificateDer, PrivateKeyDer};
        let r = Receiver {
            failures: Arc::new(Mutex::new(failures)),
            ..Receiver::default()
        };
        replyd::notify::webhooks::install_tls_provider();
        let certs: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(tls_fixture("receiver.pem"))
                .unwrap()
                .map(Result::unwrap)
                .collect();
        let key = PrivateKeyDer::from_pem_file(tls_fixture("receiver.key")).unwrap();
        let tls = rustls::ServerConfig::builder()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!(
            "https://localhost:{}/hook",
            listener.local_addr().unwrap().port()
        );
        let service = hyper_util::service::TowerToHyperService::new(r.app());
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else {
                    return;
                };
                let (acceptor, service) = (acceptor.clone(), service.clone());
                tokio::spawn(async move {
                    // A client that refuses the certificate ends the handshake: nothing to serve.
                    let Ok(stream) = acceptor.accept(tcp).await else {
                        return;
                    };
                    let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        (r, url)
    }

    fn app(&self) -> axum::Router {
        let state = self.clone();
        axum::Router::new().route(
            "/hook",
            axum::routing::post(move |h: HeaderMap, body: String| {
                let s = state.clone();
                async move {
                    *s.attempts.lock().unwrap() += 1;
                    let mut f = s.failures.lock().unwrap();
                    if *f > 0 {
                        *f -= 1;
                        return StatusCode::SERVICE_UNAVAILABLE;
                    }
                    s.got.lock().unwrap().push((h, body));
                    StatusCode::NO_CONTENT
                }
            }),
        )
    }

    fn bodies(&self) -> Vec<(HeaderMap, Value)> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|(h, b)| (h.clone(), serde_json::from_str(b).unwrap()))
            .collect()
    }
}

fn hook(url: &str, format: WebhookFormat, events: &[WebhookEvent]) -> WebhookConfig {
    WebhookConfig {
        url: url.parse().unwrap(),
        events: events.to_vec(),
        secret: SECRET.to_owned().into(),
        format,
        ca_file: None,
    }
}

fn tls_fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/integration/fixtures/tls")
        .join(name)
}

backends! {
    async fn a_generic_webhook_is_retried_through_the_outbox_and_signed(b) {
        let (rx, url) = Receiver::start(2).await;
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| {
            c.webhooks = vec![hook(&url, WebhookFormat::Generic, &[WebhookEvent::Held, WebhookEvent::Approved, WebhookEvent::Deleted])];
            c.mail.retry_base_secs = 30;
        }).await;
        let token = app.token().await;
        let id = app.submit(json!({"text": "Please look at this", "author_email": "secret.person@example.org"})).await;
        app.deliver().await;
        assert_eq!(*rx.attempts.lock().unwrap(), 1, "tried once, failed");
        assert!(rx.bodies().is_empty());
        for _ in 0..2 {
            app.clock.advance(Duration::from_secs(3600));
            app.deliver().await;
        }
        assert_eq!(*rx.attempts.lock().unwrap(), 3, "retried with backoff until accepted");
        let got = rx.bodies();
        assert_eq!(got.len(), 1);
        let (h, body) = &got[0];
        assert_eq!(body["event"], "held");
        assert_eq!(body["comment"]["id"], id);
        assert_eq!(body["comment"]["permalink"], format!("http://blog.example:8000/post#comment-{id}"));
        assert!(body["moderate"]["approve"].as_str().unwrap().contains("/admin/act/"), "{body}");
        assert!(!body.to_string().contains("secret.person"), "no email: {body}");
        let ts = h["x-replyd-timestamp"].to_str().unwrap();
        let raw = rx.got.lock().unwrap()[0].1.clone();
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
        mac.update(format!("{ts}.{raw}").as_bytes());
        let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert_eq!(h["x-replyd-signature"].to_str().unwrap(), expected);
        let now = app.clock.now().timestamp();
        assert!((ts.parse::<i64>().unwrap() - now).abs() < 60, "timestamped with the send time");

        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{id}/approve")).await;
        app.admin(&token, Method::DELETE, &format!("/api/v1/admin/comments/{id}")).await;
        app.deliver().await;
        // Deliveries carry when each event happened; they may arrive in any order.
        let mut got = rx.bodies();
        got.sort_by_key(|(_, b)| b["occurred_at"].as_str().unwrap().to_owned());
        let events: Vec<Value> = got.iter().map(|(_, b)| b["event"].clone()).collect();
        let mut names: Vec<String> = events.iter().map(|e| e.as_str().unwrap().to_owned()).collect();
        names.sort();
        assert_eq!(names, ["approved", "deleted", "held"]);
        let approved = got.iter().find(|(_, b)| b["event"] == "approved").unwrap();
        assert!(approved.1["moderate"].is_null(), "one-click links only for held comments");
    }

    async fn a_webhook_that_keeps_failing_becomes_a_dead_letter(b) {
        let (rx, url) = Receiver::start(1000).await;
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| {
            c.webhooks = vec![hook(&url, WebhookFormat::Generic, &[WebhookEvent::Submitted])];
            c.mail.max_attempts = 2;
        }).await;
        let token = app.token().await;
        app.submit(json!({"site": "open"})).await;
        for _ in 0..3 {
            app.deliver().await;
            app.clock.advance(Duration::from_secs(7200));
        }
        assert_eq!(*rx.attempts.lock().unwrap(), 2);
        let (_, dead) = app.admin(&token, Method::GET, "/api/v1/admin/outbox?state=dead").await;
        assert!(dead.to_string().contains("webhook"), "{dead}");
    }

    async fn slack_and_discord_get_their_own_payloads_with_one_click_links(b) {
        let (slack, slack_url) = Receiver::start(0).await;
        let (discord, discord_url) = Receiver::start(0).await;
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| {
            c.webhooks = vec![
                hook(&slack_url, WebhookFormat::Slack, &[WebhookEvent::Held]),
                hook(&discord_url, WebhookFormat::Discord, &[WebhookEvent::Held]),
            ];
        }).await;
        app.submit(json!({"text": "Held for a moderator", "author_name": "Ada Lovelace", "author_email": "ada.private@example.org"})).await;
        app.deliver().await;
        let s = &slack.bodies()[0].1;
        let text = s["text"].as_str().unwrap();
        assert!(text.contains("Ada Lovelace") && text.contains("Held for a moderator"), "{text}");
        assert!(text.contains("/admin/act/") && text.contains("|Approve>"), "{text}");
        let d = &discord.bodies()[0].1;
        let content = d["content"].as_str().unwrap();
        assert!(content.contains("[Approve](") && content.contains("/admin/act/"), "{content}");
        assert_eq!(d["allowed_mentions"]["parse"], json!([]));
        for body in [s.to_string(), d.to_string()] {
            assert!(!body.contains("ada.private"), "no email: {body}");
        }
        assert!(slack.bodies()[0].0.get("x-replyd-signature").is_none());
    }

    async fn a_webhook_is_delivered_over_https_to_a_receiver_whose_ca_it_is_given(b) {
        let (rx, url) = Receiver::start_tls(0).await;
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| {
            let mut h = hook(&url, WebhookFormat::Generic, &[WebhookEvent::Submitted]);
            h.ca_file = Some(tls_fixture("ca.pem"));
            c.webhooks = vec![h];
        }).await;
        let id = app.submit(json!({"site": "open", "text": "Over TLS"})).await;
        app.deliver().await;
        let got = rx.bodies();
        assert_eq!(got.len(), 1, "delivered once over HTTPS");
        assert_eq!(got[0].1["event"], "submitted");
        assert_eq!(got[0].1["comment"]["id"], id);
        assert!(got[0].0.contains_key("x-replyd-signature"));
    }

    async fn a_webhook_to_a_receiver_with_an_untrusted_certificate_is_retried_not_sent(b) {
        let (rx, url) = Receiver::start_tls(0).await;
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |c| {
            c.webhooks = vec![hook(&url, WebhookFormat::Generic, &[WebhookEvent::Submitted])];
        }).await;
        let token = app.token().await;
        app.submit(json!({"site": "open"})).await;
        app.deliver().await;
        assert_eq!(*rx.attempts.lock().unwrap(), 0, "the handshake fails before any request");
        let (_, sent) = app.admin(&token, Method::GET, "/api/v1/admin/outbox?state=sent").await;
        assert!(!sent.to_string().contains("webhook"), "not sent: {sent}");
        let (_, pending) = app.admin(&token, Method::GET, "/api/v1/admin/outbox?state=pending").await;
        let row = pending["items"].as_array().unwrap().iter().find(|r| r["kind"] == "webhook").cloned();
        let row = row.unwrap_or_else(|| panic!("the webhook waits for a retry: {pending}"));
        assert_eq!(row["attempts"], 1, "{row}");
        assert!(row["last_error"].as_str().unwrap().contains("webhook request"), "{row}");
    }
}
