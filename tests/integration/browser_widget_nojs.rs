//! The demo page and `/embed/thread` with JavaScript off in real Chromium: the plain HTML
//! form posts, comes back with the moderation notice, names invalid fields, and shows the
//! comment once approved.
use reqwest::Method;

use crate::browser_widget::AWAITING;
use crate::support::browser::{Browser, Options};
use crate::support::widget::{approve, spawn_app};

/// Posts through the plain HTML form with JavaScript off.
async fn no_js_post(b: &Browser, url: &str, website: &str, text: &str) {
    b.goto(url).await;
    b.type_into("#replyd-author_name", "Ada Lovelace").await;
    b.type_into("#replyd-author_email", "reader@example.org")
        .await;
    if !website.is_empty() {
        b.type_into("#replyd-author_url", website).await;
    }
    b.type_into("#replyd-text", text).await;
    b.find("#respond button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_the_demo_and_embed_pages_post_and_show_errors() {
    let Some(b) = Browser::start_opts(Options {
        javascript: false,
        ..Options::default()
    })
    .await
    else {
        return;
    };
    let app = spawn_app(|_| {}).await;
    let embed = app.url("/embed/thread?site=blog&uri=%2F");
    for (page, start) in [("demo", app.url("/")), ("embed", embed.clone())] {
        let text = format!("Posted without scripts on the {page} page");
        no_js_post(&b, &start, "", &text).await;
        b.wait_for_text(".notice", AWAITING).await;
        let url = b.client.current_url().await.unwrap();
        assert!(url.as_str().contains("replyd=pending"), "{page}: {url}");
        assert_eq!(
            url.origin().ascii_serialization(),
            app.base,
            "{page}: back on this server"
        );
        assert_eq!(
            b.count(".replyd-thread li.comment").await,
            if page == "demo" { 0 } else { 1 },
            "{page}: pending stays hidden (the demo's one was approved below)"
        );

        no_js_post(&b, &start, "http://[bad", "A bad website").await;
        b.wait_for_text("h1", "Your comment could not be posted")
            .await;
        b.wait_for_text("[role=alert]", "Website must be a valid http or https URL")
            .await;
        let field = b.find("#replyd-author_url").await;
        assert_eq!(
            field.attr("aria-invalid").await.unwrap().as_deref(),
            Some("true")
        );
        assert_eq!(
            b.find("#replyd-text")
                .await
                .prop("value")
                .await
                .unwrap()
                .as_deref(),
            Some("A bad website"),
            "{page}: nothing typed is lost"
        );

        let thread = app.token().await;
        let (_, queue) = app
            .admin(
                &thread,
                Method::GET,
                "/api/v1/admin/comments?status=pending",
            )
            .await;
        let id = queue["comments"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["text"] == text.as_str()))
            .and_then(|c| c["id"].as_i64())
            .unwrap_or_else(|| panic!("{page}: pending comment not found in {queue}"));
        approve(&app, id).await;
        b.goto(&start).await;
        b.wait_for_text(&format!("#comment-{id}"), &text).await;
    }
    b.close().await;
}
