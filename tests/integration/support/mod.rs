//! Test support: spawn the real app on a random port with a fresh database of its own,
//! on SQLite, or on PostgreSQL when `TEST_DATABASE_URL` is set.
#![allow(dead_code)]

pub mod browser;
pub mod dashboard;
pub mod imported;
pub mod mail;
pub mod nginx;
pub mod pg;
pub mod python;
pub mod redis;
pub mod samples;
pub mod smtp;
pub mod spam_corpus;
pub mod widget;

use std::net::SocketAddr;
use std::path::PathBuf;

use replyd::app::App;
use replyd::clock::Clock;
use replyd::config::{AlertMode, Config, ModerationMode, SiteConfig};
use replyd::state::AppState;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// Which database a test runs on.
#[derive(Debug, Clone)]
pub enum Backend {
    Sqlite,
    Postgres(String),
}

/// Declares each test twice, once per backend: `mod NAME { fn sqlite; fn postgres }`.
/// The PostgreSQL variant runs when `TEST_DATABASE_URL` is set, and fails under CI
/// when it is not, so a missing database can never pass as a skipped test.
#[macro_export]
macro_rules! backends {
    ($(async fn $name:ident($b:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let $b = $crate::support::Backend::Sqlite;
                    $body
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    let Some($b) = $crate::support::pg::backend() else { return };
                    $body
                }
            }
        )*
    };
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub http: reqwest::Client,
    pub clock: Clock,
    pub state: AppState,
    pub config: Config,
    /// How often the default comment text was posted, so repeats stay distinct.
    default_text_uses: std::sync::atomic::AtomicUsize,
    shutdown: CancellationToken,
    _db: DbGuard,
    _dir: TempDir,
}

/// The sites every test app has: one per moderation mode.
pub fn test_sites() -> Vec<SiteConfig> {
    let site = |id: &str, mode| SiteConfig {
        id: id.into(),
        name: format!("Site {id}"),
        origins: vec![
            format!("http://{id}.example:8000")
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        ],
        moderation: mode,
        notify: vec![format!("mods@{id}.example")],
        alerts: AlertMode::Held,
        approval_notice: true,
        close_after_days: 0,
        report_threshold: 3,
        max_pinned: 3,
        spam_model: id.into(),
    };
    vec![
        site("blog", ModerationMode::All),
        site("open", ModerationMode::None),
        site("first", ModerationMode::FirstTime),
    ]
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> TestApp {
        TestApp::spawn_on(backend, None, tweak).await
    }

    /// A second instance on this app's database, as another process behind the same load
    /// balancer would be: its own port, clock, limiters and workers. The first app owns the
    /// database and drops it.
    pub async fn spawn_beside(&self, tweak: impl FnOnce(&mut Config)) -> TestApp {
        let url = self.config.database.url.clone();
        TestApp::spawn_on(Backend::Sqlite, Some(url), tweak).await
    }

    /// Two instances on one fresh database, both configured by `tweak`.
    pub async fn spawn_pair(backend: Backend, tweak: impl Fn(&mut Config)) -> (TestApp, TestApp) {
        let a = TestApp::spawn_with(backend, &tweak).await;
        let b = a.spawn_beside(&tweak).await;
        (a, b)
    }

    async fn spawn_on(
        backend: Backend,
        shared_db: Option<String>,
        tweak: impl FnOnce(&mut Config),
    ) -> TestApp {
        // reqwest shares replyd's build, which brings no rustls provider of its own.
        replyd::notify::webhooks::install_tls_provider();
        let dir = TempDir::new();
        let mut config = Config::load(None, Vec::new()).expect("default config loads");
        config.server.bind = "127.0.0.1:0".parse().expect("addr");
        config.sites = test_sites();
        config.mail.file_dir = dir.path.join("mail").display().to_string();
        let db = match &backend {
            _ if shared_db.is_some() => {
                config.database.url = shared_db.unwrap_or_default();
                config.database.max_connections = 4;
                DbGuard::None
            }
            Backend::Sqlite => {
                config.database.url =
                    format!("sqlite://{}?mode=rwc", dir.path.join("replyd.db").display());
                DbGuard::None
            }
            Backend::Postgres(admin_url) => {
                let (url, guard) = pg::fresh_database(admin_url).await;
                config.database.url = url;
                config.database.max_connections = 4;
                guard
            }
        };
        // Most tests post several comments from 127.0.0.1 within seconds; the rate-limit
        // tests turn the limits back on in their `tweak`.
        config.rate_limit.enabled = false;
        config.rate_limit.login_per_minute = 1000;
        config.rate_limit.privacy_per_hour = 1000;
        tweak(&mut config);
        let clock = Clock::system();
        let app = App::build(config.clone(), clock.clone())
            .await
            .expect("app builds");
        let addr = app.local_addr().expect("bound");
        let state = app.state().clone();
        let shutdown = app.shutdown_token();
        tokio::spawn(app.run_until_stopped());
        TestApp {
            addr,
            base: format!("http://{addr}"),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            clock,
            state,
            config,
            default_text_uses: std::sync::atomic::AtomicUsize::new(0),
            shutdown,
            _db: db,
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A moderator API token, made through the same code as `replyd token create`.
    pub async fn token(&self) -> String {
        self.state
            .team
            .create_token(&replyd::team::Acting::Cli, "test", None)
            .await
            .expect("token")
    }

    /// A valid time-trap token for the page, as the form would carry it after a person
    /// spent ten seconds typing. Made with the app's own key and clock, so the test clock
    /// is not moved.
    pub fn form_token(&self, site: &str, uri: &str) -> String {
        let served = self.clock.now() - chrono::Duration::seconds(10);
        let max_age = self.config.spam.form_token_max_age_secs;
        replyd::moderation::screening::form_token::issue(
            &self.state.keys,
            site,
            uri,
            served,
            max_age,
        )
    }

    /// The token `GET /api/v1/form-token` hands out for the page, issued now.
    pub async fn fetch_form_token(&self, site: &str, uri: &str) -> String {
        let path = format!("/api/v1/form-token?site={site}&uri={}", urlencode(uri));
        let (status, body) = self.get_json(&path).await;
        assert_eq!(status, 200, "{body}");
        body["form_token"].as_str().expect("form_token").to_owned()
    }

    /// POSTs JSON to the comment endpoint and returns status and body. Like the real form,
    /// it carries a valid `form_token` for its page unless the body has one of its own.
    pub async fn post_comment(&self, body: &Value) -> (u16, Value) {
        let mut body = body.clone();
        // Tests that post the default text more than once mean different comments, not
        // duplicates: the first keeps the exact text (email snapshots rely on it).
        if let Some(obj) = body.as_object_mut()
            && obj.get("text").and_then(Value::as_str) == Some(DEFAULT_TEXT)
        {
            let n = self
                .default_text_uses
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if n > 0 {
                obj.insert(
                    "text".into(),
                    Value::String(format!("{DEFAULT_TEXT} ({})", n + 1)),
                );
            }
        }
        if let Some(obj) = body.as_object_mut()
            && !obj.contains_key("form_token")
        {
            let site = obj.get("site").and_then(Value::as_str).unwrap_or_default();
            let uri = obj.get("uri").and_then(Value::as_str).unwrap_or_default();
            let token = self.form_token(site, uri);
            obj.insert("form_token".into(), Value::String(token));
        }
        self.post_comment_raw(&body).await
    }

    /// POSTs JSON exactly as given: no form token is added.
    pub async fn post_comment_raw(&self, body: &Value) -> (u16, Value) {
        self.post_comment_as(None, body).await
    }

    /// POSTs JSON exactly as given, as the client `ip` when one is named (an
    /// `X-Forwarded-For` the app believes only when it trusts 127.0.0.1).
    pub async fn post_comment_as(&self, ip: Option<&str>, body: &Value) -> (u16, Value) {
        let mut req = self.http.post(self.url("/api/v1/comments")).json(body);
        if let Some(ip) = ip {
            req = req.header("x-forwarded-for", ip);
        }
        let res = req.send().await.expect("post");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Submits a valid comment with the given overrides and returns its id.
    pub async fn submit(&self, overrides: Value) -> i64 {
        let (status, body) = self.post_comment(&comment(overrides)).await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_i64().expect("id")
    }

    /// The body of a GET of `path`, as text.
    pub async fn get_text(&self, path: &str) -> String {
        let res = self.http.get(self.url(path)).send().await.expect("get");
        res.text().await.expect("body")
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let res = self.http.get(self.url(path)).send().await.expect("get");
        (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        )
    }

    pub async fn admin(&self, token: &str, method: reqwest::Method, path: &str) -> (u16, Value) {
        let res = self
            .http
            .request(method, self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("admin request");
        (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        )
    }

    pub async fn public_thread(&self, site: &str, uri: &str) -> Value {
        let path = format!("/api/v1/comments?site={site}&uri={}", urlencode(uri));
        let (status, body) = self.get_json(&path).await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

pub fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// A valid comment body for site `blog`, page `/post`, with `overrides` merged in.
pub const DEFAULT_TEXT: &str = "A thoughtful comment.";

pub fn comment(overrides: Value) -> Value {
    let mut base = json!({
        "site": "blog",
        "uri": "/post",
        "author_name": "Ada Lovelace",
        "author_email": "ada@example.org",
        "text": DEFAULT_TEXT,
    });
    if let (Some(b), Some(o)) = (base.as_object_mut(), overrides.as_object()) {
        for (k, v) in o {
            if v.is_null() {
                b.remove(k);
            } else {
                b.insert(k.clone(), v.clone());
            }
        }
    }
    base
}

/// Drops the per-test PostgreSQL database when the test ends.
pub enum DbGuard {
    None,
    Postgres { admin_url: String, name: String },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let DbGuard::Postgres { admin_url, name } = self {
            pg::drop_database(admin_url.clone(), name.clone());
        }
    }
}

pub struct TempDir {
    pub path: PathBuf,
}

impl TempDir {
    pub fn new() -> TempDir {
        let path =
            std::env::temp_dir().join(format!("replyd-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir { path }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
