//! The dashboard in real headless Chromium: keyboard-only moderation, bulk actions, and
//! (with `REPLYD_SCREENSHOTS=1`) the screenshots in `docs/`.
use std::path::Path;

use reqwest::Method;
use serde_json::json;

use crate::support::browser::{Browser, Window};
use crate::support::dashboard::PASSWORD;
use crate::support::{Backend, TestApp};
use entity::enums::Role;

const ENTER: &str = "\u{E007}";

async fn log_in(browser: &Browser, app: &TestApp, email: &str) {
    browser.goto(&app.url("/admin/")).await;
    browser.type_into("#email", email).await;
    browser
        .type_into("#password", &format!("{PASSWORD}{ENTER}"))
        .await;
    browser.wait_for_text("h1", "Pending comments").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keyboard_alone_approves_a_pending_comment() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await;
    let first = app.submit(json!({"text": "The first comment"})).await;
    let second = app.submit(json!({"text": "The second comment"})).await;
    let third = app.submit(json!({"text": "The third comment"})).await;
    app.add_moderator("mo@example.org", "Mo", Role::Moderator)
        .await;
    log_in(&browser, &app, "mo@example.org").await;

    // Newest first: j, j, k lands on the newest comment.
    browser.press("jjk").await;
    assert_eq!(browser.focused_id().await, format!("c-{third}"));
    browser.press("?").await;
    assert!(
        browser
            .find("#help")
            .await
            .attr("open")
            .await
            .unwrap()
            .is_some(),
        "? opens the help"
    );
    browser.press("?").await;
    browser.press("j").await;
    assert_eq!(browser.focused_id().await, format!("c-{second}"));
    browser.press("k").await;
    browser.press("a").await;
    browser.wait_for_text("#live", "Approved 1 comment.").await;
    assert_eq!(
        browser.focused_id().await,
        format!("c-{second}"),
        "focus moves on to the next comment"
    );

    // Typing in a field is typing, not a shortcut.
    browser.type_into("#f-q", "as").await;
    assert_eq!(browser.focused_id().await, "f-q");
    let typed = browser.find("#f-q").await.prop("value").await.unwrap();
    assert_eq!(typed.as_deref(), Some("as"), "the keys reached the field");
    let thread = app.public_thread("blog", "/post").await;
    assert_eq!(thread["total"], 1, "{thread}");
    assert_eq!(thread["comments"][0]["id"], third);
    let token = app.token().await;
    let (_, c) = app
        .admin(
            &token,
            Method::GET,
            &format!("/api/v1/admin/comments/{first}"),
        )
        .await;
    assert_eq!(c["status"], "pending");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_comments_are_marked_as_spam_in_one_bulk_action() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut ids = Vec::new();
    for i in 0..4 {
        ids.push(
            app.submit(json!({"text": format!("Buy cheap things {i}")}))
                .await,
        );
    }
    app.add_moderator("mo@example.org", "Mo", Role::Moderator)
        .await;
    log_in(&browser, &app, "mo@example.org").await;
    for id in &ids[..3] {
        browser
            .find(&format!("#pick-{id}"))
            .await
            .click()
            .await
            .unwrap();
    }
    browser
        .find("#bulk-action")
        .await
        .select_by_value("spam")
        .await
        .unwrap();
    browser
        .find("#bulk button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_for_text("#live", "Marked 3 comments as spam.")
        .await;
    assert_eq!(browser.count("#cards .card").await, 1);

    let token = app.token().await;
    for (i, id) in ids.iter().enumerate() {
        let (_, c) = app
            .admin(&token, Method::GET, &format!("/api/v1/admin/comments/{id}"))
            .await;
        assert_eq!(
            c["status"],
            if i < 3 { "spam" } else { "pending" },
            "comment {id}"
        );
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_all_selects_every_comment_on_the_page() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = TestApp::spawn(Backend::Sqlite).await;
    for i in 0..3 {
        app.submit(json!({"text": format!("Comment {i}")})).await;
    }
    app.add_moderator("mo@example.org", "Mo", Role::Moderator)
        .await;
    log_in(&browser, &app, "mo@example.org").await;
    browser.find("#select-all").await.click().await.unwrap();
    browser
        .find("#bulk-action")
        .await
        .select_by_value("approve")
        .await
        .unwrap();
    browser
        .find("#bulk button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser.wait_for_text("#live", "Approved 3 comments.").await;
    assert_eq!(app.public_thread("blog", "/post").await["total"], 3);
    browser.close().await;
}

/// Seeds a realistic queue and writes `docs/screenshots/queue-{desktop,phone}.png`.
/// Runs only with `REPLYD_SCREENSHOTS=1` (see the README).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screenshots_of_the_queue() {
    if std::env::var("REPLYD_SCREENSHOTS").as_deref() != Ok("1") {
        return;
    }
    let app = TestApp::spawn(Backend::Sqlite).await;
    let token = app.token().await;
    let parent = app.submit(json!({"author_name": "Grace Hopper", "author_email": "grace@example.org", "text": "Compilers are just programs that write programs."})).await;
    app.admin(
        &token,
        Method::POST,
        &format!("/api/v1/admin/comments/{parent}/approve"),
    )
    .await;
    app.submit(json!({"uri": "/2026/compilers", "author_name": "Alan Turing", "author_email": "alan@example.org", "text": "Can machines think? I would rather ask whether they can *moderate*."})).await;
    app.submit(json!({"site": "first", "uri": "/notes/markdown", "author_name": "Margaret Hamilton", "author_email": "margaret@example.org", "author_url": "https://margaret.example/", "text": "Nice write-up. One nit: the second example is missing a `)`."})).await;
    app.submit(json!({"parent_id": parent, "author_name": "Ada Lovelace", "text": "Indeed, and the *Analytical Engine* weaves algebraic patterns just as the Jacquard loom weaves flowers and leaves."})).await;
    app.add_moderator("mo@example.org", "Mo Derator", Role::Admin)
        .await;
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/screenshots");
    for (window, name) in [
        (
            Window::Desktop {
                width: 1280,
                height: 900,
            },
            "queue-desktop.png",
        ),
        (
            Window::Phone {
                width: 390,
                height: 844,
            },
            "queue-phone.png",
        ),
    ] {
        let browser = Browser::start_with(window)
            .await
            .expect("screenshots need Chromium");
        log_in(&browser, &app, "mo@example.org").await;
        browser.press("j").await;
        browser
            .client
            .execute("window.scrollTo(0, 0)", Vec::new())
            .await
            .unwrap();
        browser.screenshot(&docs.join(name)).await;
        browser.close().await;
    }
}
