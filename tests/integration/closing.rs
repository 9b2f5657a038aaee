//! Closing pages: a closed page keeps its comments, says so in the thread JSON and on the
//! no-JS page, and refuses new comments and replies on every path with `comments_closed`;
//! an old page closes by itself (`close_after_days`, by the injected clock); moderators
//! close and reopen pages, each with an audit row, each emptying the thread cache.
use reqwest::{Method, header};
use serde_json::{Value, json};

use crate::backends;
use crate::support::TestApp;
use crate::support::imported::WpComment;

const DAY: std::time::Duration = std::time::Duration::from_secs(86_400);

async fn set_closed(
    app: &TestApp,
    token: &str,
    site: &str,
    uri: &str,
    closed: bool,
) -> (u16, Value) {
    let path = if closed {
        "/api/v1/admin/pages/close"
    } else {
        "/api/v1/admin/pages/open"
    };
    let res = app
        .http
        .post(app.url(path))
        .bearer_auth(token)
        .json(&json!({"site": site, "uri": uri}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn closed_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

backends! {
    async fn a_closed_page_refuses_every_path_with_comments_closed(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let ids = app.import_wordpress_post("open", 7, "/wp-post", &[WpComment {
            id: 41, parent: 0, author: "A WordPress Commenter", text: "Hi, this is a comment.",
        }]).await;
        let first = app.submit(json!({"site": "open", "uri": "/wp-post", "text": "Before closing"})).await;
        assert_eq!(app.public_thread("open", "/wp-post").await["closed"], false, "open, and now cached");
        let (status, body) = set_closed(&app, &token, "open", "/wp-post", true).await;
        assert_eq!((status, &body["closed"]), (200, &json!(true)), "{body}");

        let thread = app.public_thread("open", "/wp-post").await;
        assert_eq!(thread["closed"], true);
        assert_eq!(thread["total"], 2, "its comments stay visible");

        // The JSON API, a new comment and a reply.
        let (status, body) = app.post_comment(&crate::support::comment(json!({"site": "open", "uri": "/wp-post"}))).await;
        assert_eq!((status, closed_code(&body)), (403, "comments_closed"), "{body}");
        let reply = json!({"site": "open", "uri": "/wp-post", "parent_id": first, "text": "A reply"});
        let (status, body) = app.post_comment(&crate::support::comment(reply)).await;
        assert_eq!((status, closed_code(&body)), (403, "comments_closed"), "{body}");

        // The no-JS form: an HTML page.
        let res = app.http.post(app.url("/api/v1/comments")).form(&[
            ("site", "open"), ("uri", "/wp-post"), ("author_name", "Ada"),
            ("author_email", "ada@example.org"), ("text", "From the plain form"),
        ]).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
        assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        assert!(res.text().await.unwrap().contains("Comments are closed."));

        // WordPress's own form.
        let parent = ids[&41].to_string();
        let res = app.http.post(app.url("/wp/open/wp-comments-post.php")).form(&[
            ("comment", "Thanks, this helped a lot."), ("author", "Grace Hopper"),
            ("email", "grace@example.org"), ("comment_post_ID", "7"), ("comment_parent", parent.as_str()),
        ]).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
        assert!(res.text().await.unwrap().contains("Comments are closed."));

        // Isso's API.
        let res = app.http.post(app.url("/isso/open/new?uri=/wp-post"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(json!({"text": "Hello from Isso", "author": "Ada", "email": "ada@example.org"}).to_string())
            .send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
        let body: Value = res.json().await.unwrap();
        assert_eq!(closed_code(&body), "comments_closed", "{body}");

        // The no-JS thread page says so where the form was.
        let res = app.http.get(app.url("/embed/thread?site=open&uri=/wp-post")).send().await.unwrap();
        let html = res.text().await.unwrap();
        assert!(html.contains("Comments are closed."), "{html}");
        assert!(!html.contains("name=\"author_email\""), "no form on a closed page");

        // Reopened, it takes comments again; both steps are in the audit log.
        let (status, body) = set_closed(&app, &token, "open", "/wp-post", false).await;
        assert_eq!((status, &body["closed"]), (200, &json!(false)));
        assert_eq!(app.public_thread("open", "/wp-post").await["closed"], false);
        app.submit(json!({"site": "open", "uri": "/wp-post", "text": "After reopening"})).await;
        let (_, audit) = app.admin(&token, Method::GET, "/api/v1/admin/audit").await;
        let actions: Vec<&str> = audit["entries"].as_array().unwrap().iter()
            .filter_map(|e| e["action"].as_str()).collect();
        assert!(actions.contains(&"close_page") && actions.contains(&"open_page"), "{actions:?}");
    }

    async fn an_old_page_closes_by_itself_and_a_moderator_can_reopen_it(b) {
        let app = TestApp::spawn_with(b, |c| c.sites[1].close_after_days = 7).await;
        let token = app.token().await;
        app.submit(json!({"site": "open", "uri": "/old", "text": "The first comment"})).await;
        let thread = app.public_thread("open", "/old").await;
        assert_eq!(thread["closed"], false, "cached while open");
        app.clock.advance(DAY * 6);
        app.submit(json!({"site": "open", "uri": "/old", "text": "Day six"})).await;
        app.clock.advance(DAY);
        assert_eq!(app.public_thread("open", "/old").await["closed"], true, "a week after the first comment, even though cached");
        let (status, body) = app.post_comment(&crate::support::comment(json!({"site": "open", "uri": "/old", "text": "Day seven"}))).await;
        assert_eq!((status, closed_code(&body)), (403, "comments_closed"), "{body}");
        set_closed(&app, &token, "open", "/old", false).await;
        assert_eq!(app.public_thread("open", "/old").await["closed"], false);
        app.submit(json!({"site": "open", "uri": "/old", "text": "Reopened by hand"})).await;
    }

    async fn the_publication_date_from_the_embed_counts_before_the_first_comment(b) {
        let app = TestApp::spawn_with(b, |c| c.sites[1].close_after_days = 7).await;
        let long_ago = (app.clock.now() - chrono::Duration::days(30)).format("%Y-%m-%d").to_string();
        let path = format!("/api/v1/comments?site=open&uri=/news&published={long_ago}");
        let (status, thread) = app.get_json(&path).await;
        assert_eq!((status, &thread["closed"]), (200, &json!(true)), "{thread}");
        let body = json!({"site": "open", "uri": "/news", "published": long_ago});
        let (status, body) = app.post_comment(&crate::support::comment(body)).await;
        assert_eq!((status, closed_code(&body)), (403, "comments_closed"), "{body}");
        let recent = app.clock.now().to_rfc3339();
        app.submit(json!({"site": "open", "uri": "/fresh", "published": recent, "text": "Fresh news"})).await;
        // The first date given is kept: a later, older one does not close the page.
        let body = json!({"site": "open", "uri": "/fresh", "published": long_ago, "text": "Again"});
        assert_eq!(app.post_comment(&crate::support::comment(body)).await.0, 201);
        let (status, body) = app.get_json("/api/v1/comments?site=open&uri=/x&published=yesterday").await;
        assert_eq!((status, &body["error"]["fields"]["published"][0]), (422, &json!("must be a date (2026-11-30) or an RFC 3339 time")));
    }

    async fn closing_needs_a_moderator_and_a_known_site(b) {
        let app = TestApp::spawn(b).await;
        let res = app.http.post(app.url("/api/v1/admin/pages/close")).json(&json!({"site": "open", "uri": "/p"})).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 401);
        let token = app.token().await;
        assert_eq!(set_closed(&app, &token, "nosuch", "/p", true).await.0, 404);
        let (status, body) = set_closed(&app, &token, "open", "no-slash", true).await;
        assert_eq!(status, 422, "{body}");
        assert!(body["error"]["fields"]["uri"].is_array());
    }
}

/// Two instances on one PostgreSQL database: closing a page through one empties the other's
/// cache, as every change does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_on_one_instance_reaches_the_cache_of_another() {
    let Some(b) = crate::support::pg::backend() else {
        return;
    };
    let (a, other) = TestApp::spawn_pair(b, |_| {}).await;
    let token = a.token().await;
    a.submit(json!({"site": "open", "uri": "/shared", "text": "Seen everywhere"}))
        .await;
    assert_eq!(
        other.public_thread("open", "/shared").await["closed"],
        false
    );
    assert_eq!(
        other.public_thread("open", "/shared").await["closed"],
        false,
        "now cached on the other instance"
    );
    assert_eq!(set_closed(&a, &token, "open", "/shared", true).await.0, 200);
    let seen = tokio::time::timeout(std::time::Duration::from_secs(10), async {
        while other.public_thread("open", "/shared").await["closed"] != true {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(seen.is_ok(), "the other instance never saw the page close");
}
