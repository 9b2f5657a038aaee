//! The forms and clients a site already has, in real headless Chromium: WordPress's own
//! default comment form (only its `action` changed) replying to an imported comment, and
//! Isso 0.14's own `embed.min.js` posting into the moderation queue.
use std::path::{Path, PathBuf};

use replyd::config::ModerationMode;
use reqwest::Method;
use serde_json::json;

use crate::support::browser::Browser;
use crate::support::imported::WpComment;
use crate::support::widget::{add_site, host_listener, serve_host, spawn_app, wait_shadow_text};

fn wordpress_form() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/integration/fixtures/wordpress/comment-form.html");
    std::fs::read_to_string(path).expect("the WordPress form fixture")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wordpress_s_own_form_posts_a_reply_that_lands_under_the_imported_comment() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let (listener, origin) = host_listener().await;
    let app = spawn_app(|cfg| {
        add_site(cfg, "wp", &origin);
        if let Some(site) = cfg.sites.iter_mut().find(|s| s.id == "wp") {
            site.moderation = ModerationMode::None;
        }
    })
    .await;
    let uri = "/2024/01/hello-world/";
    let ids = app
        .import_wordpress_post(
            "wp",
            7,
            uri,
            &[
                WpComment {
                    id: 41,
                    parent: 0,
                    author: "A WordPress Commenter",
                    text: "Hi, this is a comment.",
                },
                WpComment {
                    id: 42,
                    parent: 41,
                    author: "Ada Lovelace",
                    text: "A reply from the old site.",
                },
            ],
        )
        .await;
    let form = wordpress_form().replace("{{ACTION}}", &app.url("/wp/wp/wp-comments-post.php"));
    let page = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Hello world!</title></head>
<body><article><h1>Hello world!</h1><p>Welcome to WordPress.</p></article>
<div data-replyd data-site="wp" data-uri="{uri}"></div>
<script src="{}/embed.js" defer></script>
{form}</body></html>"#,
        app.base
    );
    serve_host(listener, vec![("/2024/01/hello-world/", page)]);
    b.goto(&format!("{origin}{uri}?replytocom=42")).await;
    wait_shadow_text(
        &b,
        &format!("#comment-{}", ids[&42]),
        "A reply from the old site.",
    )
    .await;

    b.type_into("#comment", "Moving to replyd kept this thread whole.")
        .await;
    b.type_into("#author", "Grace Hopper").await;
    b.type_into("#email", "grace@example.org").await;
    b.find("#wp-comment-cookies-consent")
        .await
        .click()
        .await
        .unwrap();
    b.find("#submit").await.click().await.unwrap();

    // WordPress's answer: back to the post, at the new comment's anchor.
    let url = b
        .wait_js(
            "return location.hash.indexOf('#comment-') === 0 && location.href;",
            vec![],
        )
        .await;
    let url = url.as_str().unwrap().to_owned();
    assert!(url.starts_with(&format!("{origin}{uri}#comment-")), "{url}");
    let id: i64 = url.rsplit("#comment-").next().unwrap().parse().unwrap();
    let nested = format!("#comment-{} ol.replies #comment-{id}", ids[&42]);
    wait_shadow_text(&b, &nested, "Moving to replyd kept this thread whole.").await;
    let stored = app.stored(id).await.unwrap();
    assert_eq!(
        (stored.parent_id, stored.author_email.as_str()),
        (Some(ids[&42]), "grace@example.org")
    );
    b.close().await;
}

/// Isso's client from the `isso` sdist (`.ci/run` unpacks it into `tests/browser/isso/`).
fn isso_client() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/isso");
    if dir.join("embed.min.js").exists() {
        return Some(dir);
    }
    let msg = "the Isso browser test needs Isso 0.14's client in tests/browser/isso/ (.ci/run: pip download --no-deps --no-binary :all: isso==0.14.0)";
    if std::env::var_os("CI").is_some() {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn isso_s_own_client_posts_a_comment_into_the_moderation_queue() {
    let Some(client) = isso_client() else {
        return;
    };
    let Some(b) = Browser::start().await else {
        return;
    };
    let (listener, origin) = host_listener().await;
    let app = spawn_app(|cfg| add_site(cfg, "isso", &origin)).await;
    let approved = app
        .submit(json!({"site": "isso", "uri": "/notes/moving/", "author_name": "Old Reader", "text": "Published before the move."}))
        .await;
    crate::support::widget::approve(&app, approved).await;
    let script = std::fs::read_to_string(client.join("embed.min.js")).expect("embed.min.js");
    let page = format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Moving</title></head>
<body><article><h1>Moving</h1></article>
<section id="isso-thread" data-title="Moving"></section>
<script data-isso="{}/isso/isso" data-isso-css="false" data-isso-lang="en" src="/js/embed.min.js"></script>
</body></html>"#,
        app.base
    );
    serve_host_with_script(listener, vec![("/notes/moving/", page)], script);
    b.goto(&format!("{origin}/notes/moving/")).await;
    b.wait_for_text("#isso-thread", "Published before the move.")
        .await;

    b.type_into(
        ".isso-postbox .isso-textarea",
        "Isso's client works against replyd.",
    )
    .await;
    b.type_into("#isso-postbox-author", "Grace Hopper").await;
    b.type_into("#isso-postbox-email", "grace@example.org")
        .await;
    b.find(".isso-postbox .isso-post-action input[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    b.wait_for_text("#isso-root", "Isso's client works against replyd.")
        .await;

    let token = app.token().await;
    let (_, queue) = app
        .admin(
            &token,
            Method::GET,
            "/api/v1/admin/comments?status=pending&site=isso",
        )
        .await;
    let held = &queue["comments"][0];
    assert_eq!(
        held["text"], "Isso's client works against replyd.",
        "{queue}"
    );
    assert_eq!(
        (held["author_name"].clone(), held["author_email"].clone()),
        (json!("Grace Hopper"), json!("grace@example.org"))
    );
    assert_eq!(
        (held["uri"].clone(), held["page_title"].clone()),
        (json!("/notes/moving/"), json!("Moving"))
    );
    // The client stored the edit cookie on the page's own origin, as Isso's server has it do.
    let id = held["id"].as_i64().unwrap();
    let cookie = b.js("return document.cookie;", vec![]).await;
    assert!(
        cookie.as_str().unwrap().contains(&format!("isso-{id}=")),
        "{cookie}"
    );
    b.close().await;
}

/// Serves `pages` and Isso's client script (as JavaScript) from the host origin.
fn serve_host_with_script(
    listener: tokio::net::TcpListener,
    pages: Vec<(&'static str, String)>,
    script: String,
) {
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
    router = router.route(
        "/js/embed.min.js",
        axum::routing::get(move || {
            let script = script.clone();
            async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "application/javascript")],
                    script,
                )
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await });
}
