//! WordPress's own comment form posting to `/wp/{site}/wp-comments-post.php`: the page from
//! `comment_post_ID` (or the Referer), the reply target from `comment_parent`, and the
//! answers WordPress gives (302 to `#comment-N`, error pages naming what is missing with a
//! way back, 409, 429).
use reqwest::header;
use serde_json::json;

use crate::backends;
use crate::support::imported::WpComment;
use crate::support::{Backend, TestApp};

const ORIGIN: &str = "http://open.example:8000";

/// What `comment_form()` sends, with `extra` fields set or replaced.
fn fields<'a>(
    post_id: &'a str,
    parent: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("comment", "Thanks, this helped a lot."),
        ("author", "Grace Hopper"),
        ("email", "grace@example.org"),
        ("url", ""),
        ("wp-comment-cookies-consent", "yes"),
        ("submit", "Post Comment"),
        ("comment_post_ID", post_id),
        ("comment_parent", parent),
    ];
    for (k, v) in extra {
        f.retain(|(name, _)| name != k);
        f.push((k, v));
    }
    f
}

async fn post_form(
    app: &TestApp,
    site: &str,
    fields: &[(&str, &str)],
    referer: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .http
        .post(app.url(&format!("/wp/{site}/wp-comments-post.php")))
        .form(fields);
    if let Some(r) = referer {
        req = req.header(header::REFERER, r);
    }
    req.send().await.expect("post the form")
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn imported(app: &TestApp, site: &str) -> std::collections::HashMap<i64, i64> {
    let comments = [
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
            text: "And a reply to it.",
        },
    ];
    app.import_wordpress_post(site, 7, "/2024/01/hello-world/", &comments)
        .await
}

backends! {
    async fn a_comment_on_an_imported_post_redirects_back_to_it_with_its_anchor(b) {
        let app = TestApp::spawn(b).await;
        imported(&app, "open").await;
        let res = post_form(&app, "open", &fields("7", "0", &[]), None).await;
        assert_eq!(res.status(), 302);
        let to = location(&res);
        let id: i64 = to.rsplit("#comment-").next().unwrap().parse().unwrap();
        assert_eq!(to, format!("{ORIGIN}/2024/01/hello-world/#comment-{id}"));
        let thread = app.public_thread("open", "/2024/01/hello-world/").await;
        let mine = thread["comments"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap().clone();
        assert_eq!(mine["author_name"], "Grace Hopper");
        assert_eq!(mine["parent_id"], serde_json::Value::Null);
        assert!(mine["html"].as_str().unwrap().contains("Thanks, this helped a lot."));
    }

    async fn a_reply_to_an_imported_wordpress_comment_lands_under_it(b) {
        let app = TestApp::spawn(b).await;
        let ids = imported(&app, "open").await;
        let res = post_form(&app, "open", &fields("7", "42", &[]), None).await;
        assert_eq!(res.status(), 302, "{}", res.text().await.unwrap());
        let id: i64 = location(&res).rsplit("#comment-").next().unwrap().parse().unwrap();
        let stored = app.stored(id).await.unwrap();
        assert_eq!(stored.parent_id, Some(ids[&42]));
        // A replyd comment id works as well, for a reply to a comment posted here.
        let res = post_form(&app, "open", &fields("7", &id.to_string(), &[("comment", "A reply to the reply.")]), None).await;
        assert_eq!(res.status(), 302);
        let second: i64 = location(&res).rsplit("#comment-").next().unwrap().parse().unwrap();
        assert_eq!(app.stored(second).await.unwrap().parent_id, Some(id));
    }

    async fn a_held_comment_comes_back_marked_unapproved_as_wordpress_marks_it(b) {
        let app = TestApp::spawn(b).await;
        imported(&app, "blog").await;
        let res = post_form(&app, "blog", &fields("7", "0", &[]), None).await;
        assert_eq!(res.status(), 302);
        let to = location(&res);
        let id = to.rsplit("#comment-").next().unwrap().to_owned();
        assert!(
            to.starts_with(&format!("http://blog.example:8000/2024/01/hello-world/?unapproved={id}&moderation-hash=")),
            "{to}"
        );
        let token = app.token().await;
        let (_, queue) = app.admin(&token, reqwest::Method::GET, "/api/v1/admin/comments?status=pending").await;
        let held = &queue["comments"][0];
        assert_eq!(held["id"].to_string(), id);
        assert_eq!(held["author_email"], "grace@example.org");
        assert_eq!(held["uri"], "/2024/01/hello-world/");
    }

    async fn without_an_imported_post_the_referer_on_the_site_names_the_page(b) {
        let app = TestApp::spawn(b).await;
        let referer = format!("{ORIGIN}/notes/first/?replytocom=3&lang=en#respond");
        let res = post_form(&app, "open", &fields("123", "0", &[]), Some(&referer)).await;
        assert_eq!(res.status(), 302);
        let to = location(&res);
        assert!(to.starts_with(&format!("{ORIGIN}/notes/first/?lang=en#comment-")), "{to}");
        let thread = app.public_thread("open", "/notes/first/?lang=en").await;
        assert_eq!(thread["total"], 1);
    }

    async fn a_form_that_names_no_known_page_gets_a_clear_error_page(b) {
        let app = TestApp::spawn(b).await;
        for referer in [None, Some("https://elsewhere.example/2024/01/hello-world/")] {
            let res = post_form(&app, "open", &fields("99", "0", &[]), referer).await;
            assert_eq!(res.status(), 422);
            assert!(res.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
            let body = res.text().await.unwrap();
            assert!(body.contains("does not say which page of Site open it belongs to"), "{body}");
            assert!(body.contains(&format!("href=\"{ORIGIN}/\"")), "a way back: {body}");
        }
        let thread = app.public_thread("open", "/2024/01/hello-world/").await;
        assert_eq!(thread["total"], 0);
    }

    async fn missing_fields_are_named_on_a_page_with_a_link_back_to_the_post(b) {
        let app = TestApp::spawn(b).await;
        imported(&app, "open").await;
        let res = post_form(
            &app,
            "open",
            &fields("7", "0", &[("author", ""), ("email", "not-an-address"), ("comment", "")]),
            None,
        )
        .await;
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        for line in ["Comment: is required", "Name: is required", "Email: must be a valid email address"] {
            assert!(body.contains(line), "{line}: {body}");
        }
        assert!(body.contains(&format!("href=\"{ORIGIN}/2024/01/hello-world/\"")), "{body}");
        let thread = app.public_thread("open", "/2024/01/hello-world/").await;
        assert_eq!(thread["total"], 2, "nothing was posted");
    }

    async fn a_reply_to_a_comment_on_another_page_is_refused_by_name(b) {
        let app = TestApp::spawn(b).await;
        imported(&app, "open").await;
        let other = app.submit(json!({"site": "open", "uri": "/other"})).await;
        let res = post_form(&app, "open", &fields("7", &other.to_string(), &[]), None).await;
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains("The comment you reply to: must name an approved comment on the same page"), "{body}");
    }

    async fn the_same_comment_twice_is_a_409_page(b) {
        let app = TestApp::spawn(b).await;
        imported(&app, "open").await;
        assert_eq!(post_form(&app, "open", &fields("7", "0", &[]), None).await.status(), 302);
        let res = post_form(&app, "open", &fields("7", "0", &[]), None).await;
        assert_eq!(res.status(), 409);
        let body = res.text().await.unwrap();
        assert!(body.contains("You already posted this comment"), "{body}");
        assert!(body.contains(&format!("href=\"{ORIGIN}/2024/01/hello-world/\"")), "{body}");
    }

    async fn the_form_passes_the_same_screening_as_every_comment(b) {
        let app = TestApp::spawn(b).await;
        imported(&app, "open").await;
        let token = app.token().await;
        let res = app.http.post(app.url("/api/v1/admin/rules")).bearer_auth(&token)
            .json(&json!({"kind": "disallowed_word", "word": "casino"})).send().await.unwrap();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let res = post_form(&app, "open", &fields("7", "0", &[("comment", "Best casino bonus here")]), None).await;
        assert_eq!(res.status(), 302);
        assert!(location(&res).contains("unapproved="), "spam reads as held: {}", location(&res));
        let (_, spam) = app.admin(&token, reqwest::Method::GET, "/api/v1/admin/comments?status=spam").await;
        assert_eq!(spam["total"], 1, "{spam}");
        // Without a form token (WordPress's form has none), an open site still publishes.
        let res = post_form(&app, "open", &fields("7", "0", &[("comment", "Plain and kind.")]), None).await;
        assert!(!location(&res).contains("unapproved="), "{}", location(&res));
    }

    async fn an_unknown_site_is_a_404_page(b) {
        let app = TestApp::spawn(b).await;
        let res = post_form(&app, "nosuch", &fields("7", "0", &[]), None).await;
        assert_eq!(res.status(), 404);
        assert!(res.text().await.unwrap().contains("No site with that id"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posting_too_quickly_is_a_429_page_with_the_wait() {
    let app = TestApp::spawn_with(Backend::Sqlite, |cfg| {
        cfg.rate_limit.enabled = true;
        cfg.rate_limit.address_burst = 1;
        cfg.rate_limit.address_period_secs = 60;
    })
    .await;
    imported(&app, "open").await;
    assert_eq!(
        post_form(&app, "open", &fields("7", "0", &[]), None)
            .await
            .status(),
        302
    );
    let res = post_form(
        &app,
        "open",
        &fields("7", "0", &[("comment", "Another one.")]),
        None,
    )
    .await;
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body = res.text().await.unwrap();
    assert!(
        body.contains(&format!("try again in {wait} seconds")),
        "{body}"
    );
    assert!(
        body.contains(&format!("href=\"{ORIGIN}/2024/01/hello-world/\"")),
        "{body}"
    );
}
