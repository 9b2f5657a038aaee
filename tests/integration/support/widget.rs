//! Driving the comment widget in Chromium: its shadow root, its form, a host page on another
//! loopback origin, and axe-core accessibility scans (from `tests/browser/node_modules`).
use std::path::Path;

use fantoccini::elements::Element;
use replyd::config::Config;
use reqwest::Method;
use serde_json::{Value, json};

use super::browser::Browser;
use super::{Backend, TestApp};

pub const TAB: &str = "\u{E004}";
pub const ENTER: &str = "\u{E007}";

/// Script prelude: `root` is the first widget's shadow root (or null before it exists).
const ROOT: &str =
    "var host = document.querySelector('[data-replyd]'); var root = host && host.shadowRoot;";

/// A test app whose public URL is its own address, so no-JS redirects land back on it, and
/// whose time trap is off (a browser fills the form in milliseconds).
pub async fn spawn_app(tweak: impl FnOnce(&mut Config)) -> TestApp {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    TestApp::spawn_with(Backend::Sqlite, |cfg| {
        cfg.server.bind = format!("127.0.0.1:{port}").parse().unwrap();
        cfg.server.public_url = format!("http://127.0.0.1:{port}/").parse().unwrap();
        cfg.spam.min_fill_secs = 0;
        tweak(cfg);
    })
    .await
}

/// Runs `body` with `root` (the widget's shadow root) and `host` defined.
pub async fn in_widget(b: &Browser, body: &str, args: Vec<Value>) -> Value {
    b.js(&format!("{ROOT} {body}"), args).await
}

/// Waits until `body` (with `root` defined) returns something truthy.
pub async fn wait_widget(b: &Browser, body: &str, args: Vec<Value>) -> Value {
    b.wait_js(&format!("{ROOT} if (!root) return null; {body}"), args)
        .await
}

/// The element matching `css` inside the widget, waiting for it.
pub async fn shadow(b: &Browser, css: &str) -> Element {
    let v = wait_widget(
        b,
        "return root.querySelector(arguments[0]);",
        vec![json!(css)],
    )
    .await;
    b.element(&v)
}

/// The text of the element matching `css` inside the widget ("" when absent).
pub async fn shadow_text(b: &Browser, css: &str) -> String {
    let v = in_widget(
        b,
        "var e = root && root.querySelector(arguments[0]); return e ? e.textContent : '';",
        vec![json!(css)],
    )
    .await;
    v.as_str().unwrap_or_default().to_owned()
}

/// Waits until the element matching `css` inside the widget contains `text`.
pub async fn wait_shadow_text(b: &Browser, css: &str, text: &str) {
    wait_widget(
        b,
        "var e = root.querySelector(arguments[0]); return !!e && e.textContent.indexOf(arguments[1]) >= 0;",
        vec![json!(css), json!(text)],
    )
    .await;
}

/// Waits until the widget has loaded its thread (the heading shows the count).
pub async fn loaded(b: &Browser) {
    wait_widget(
        b,
        "var h = root.querySelector('#replyd-count'); return !!h && /\\d/.test(h.textContent);",
        vec![],
    )
    .await;
}

/// Fills the widget's form (wherever it is) and presses its submit button.
pub async fn post(b: &Browser, name: &str, url: &str, text: &str) {
    for (css, value) in [
        ("#replyd-author_name", name),
        ("#replyd-author_email", "reader@example.org"),
        ("#replyd-author_url", url),
        ("#replyd-text", text),
    ] {
        let field = shadow(b, css).await;
        field.clear().await.expect("clear");
        if !value.is_empty() {
            field.send_keys(value).await.expect("type");
        }
    }
    shadow(b, "form .submit")
        .await
        .click()
        .await
        .expect("submit");
}

/// The id of the widget's newest pending comment, once it shows.
pub async fn pending_id(b: &Browser, text: &str) -> i64 {
    let v = wait_widget(
        b,
        "var want = arguments[0]; var hit = Array.from(root.querySelectorAll('.comment.pending')).find(function (li) { return li.textContent.indexOf(want) >= 0; }); return hit ? hit.id.replace('comment-', '') : null;",
        vec![json!(text)],
    )
    .await;
    v.as_str()
        .and_then(|s| s.parse().ok())
        .expect("a comment id")
}

/// The id of the focused element inside the widget ("" when the focus is outside it).
pub async fn focused_in_widget(b: &Browser) -> String {
    let v = in_widget(
        b,
        "return root && root.activeElement ? root.activeElement.id || root.activeElement.className : '';",
        vec![],
    )
    .await;
    v.as_str().unwrap_or_default().to_owned()
}

/// Approves comment `id` through the moderator API.
pub async fn approve(app: &TestApp, id: i64) {
    let token = app.token().await;
    let (status, body) = app
        .admin(
            &token,
            Method::POST,
            &format!("/api/v1/admin/comments/{id}/approve"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

/// The `serious` and `critical` axe-core violations on the current page, shadow DOM
/// included; `None` (with a notice) when axe-core is not installed, except under CI.
pub async fn axe_violations(b: &Browser) -> Option<Vec<Value>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/browser/node_modules/axe-core/axe.min.js");
    let Ok(src) = std::fs::read_to_string(&path) else {
        let msg = "the accessibility scan needs axe-core: npm ci --prefix tests/browser";
        if std::env::var_os("CI").is_some() {
            panic!("{msg}");
        }
        eprintln!("SKIPPED: {msg}");
        return None;
    };
    b.js(&format!("{src}\n;return typeof axe;"), vec![]).await;
    let found = b
        .client
        .execute_async(
            "var done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then(function (r) {
               done(r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })
                 .map(function (v) { return { id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.map(function (n) { return [n.target, n.failureSummary]; }) }; }));
             }).catch(function (e) { done([{ id: 'axe-error', help: String(e) }]); });",
            vec![],
        )
        .await
        .expect("axe runs");
    Some(found.as_array().cloned().unwrap_or_default())
}

/// Asserts the scan found nothing serious; `what` names the page state in the message.
pub async fn assert_accessible(b: &Browser, what: &str) {
    if let Some(v) = axe_violations(b).await {
        assert!(
            v.is_empty(),
            "{what}: {}",
            serde_json::to_string_pretty(&v).unwrap()
        );
    }
}

/// Serves `pages` (path, html) from a tiny server on `listener` (bind it first with
/// [`host_listener`] so the app can list its origin among a site's).
pub fn serve_host(listener: tokio::net::TcpListener, pages: Vec<(&'static str, String)>) {
    let mut router = axum::Router::new();
    for (path, html) in pages {
        router = router.route(
            path,
            axum::routing::get(move || {
                let html = html.clone();
                async move { axum::response::Html(html) }
            }),
        );
    }
    tokio::spawn(async move { axum::serve(listener, router).await });
}

/// A listener on a free loopback port and its origin (`http://127.0.0.1:PORT`).
pub async fn host_listener() -> (tokio::net::TcpListener, String) {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind host page");
    let origin = format!("http://{}", l.local_addr().expect("addr"));
    (l, origin)
}

/// Adds a site `id` (moderating everything) whose pages live on `origin`.
pub fn add_site(cfg: &mut Config, id: &str, origin: &str) {
    let mut site = cfg.sites[0].clone();
    site.id = id.into();
    site.name = format!("Site {id}");
    site.origins = vec![origin.parse().unwrap()];
    cfg.sites.push(site);
}
