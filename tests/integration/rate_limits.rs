//! Submission rate limits: exact under a concurrent burst, 429 with its headers (JSON and
//! no-JS form), time moved by the injected clock, and forwarding headers believed only
//! from trusted proxies.
use std::time::Duration;

use serde_json::{Value, json};

use crate::backends;
use crate::support::{Backend, TestApp, comment};

async fn limited(b: Backend, trusted_proxy: bool) -> TestApp {
    TestApp::spawn_with(b, |cfg| {
        cfg.rate_limit.enabled = true;
        if trusted_proxy {
            cfg.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        }
    })
    .await
}

/// POSTs a comment as a client behind `xff` (None: no header), returning the response.
async fn post_via(app: &TestApp, xff: Option<&str>, overrides: Value) -> reqwest::Response {
    let mut body = comment(overrides);
    body["form_token"] = json!(app.form_token("blog", "/post"));
    let mut req = app.http.post(app.url("/api/v1/comments")).json(&body);
    if let Some(x) = xff {
        req = req.header("x-forwarded-for", x);
    }
    req.send().await.unwrap()
}

fn nth(i: usize) -> Value {
    json!({"text": format!("Comment number {i}"), "author_email": format!("reader{i}@example.org")})
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

backends! {
    async fn two_hundred_concurrent_submissions_from_one_address_get_exactly_three_through(b) {
        let app = limited(b, false).await;
        let token = app.form_token("blog", "/post");
        let mut set = tokio::task::JoinSet::new();
        for i in 0..200 {
            let http = app.http.clone();
            let url = app.url("/api/v1/comments");
            let mut body = comment(nth(i));
            body["form_token"] = json!(token);
            set.spawn(async move {
                http.post(url).json(&body).send().await.map(|r| r.status().as_u16()).unwrap_or(0)
            });
        }
        let statuses = set.join_all().await;
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 3, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 197, "{statuses:?}");
        let admin = app.token().await;
        let (_, list) = app.admin(&admin, reqwest::Method::GET, "/api/v1/admin/comments").await;
        assert_eq!(list["total"], 3, "exactly three stored");
    }

    async fn over_the_limit_is_429_with_retry_after_until_the_clock_moves_15_seconds(b) {
        let app = limited(b, false).await;
        for i in 0..3 {
            assert_eq!(post_via(&app, None, nth(i)).await.status(), 201);
        }
        let res = post_via(&app, None, nth(3)).await;
        assert_eq!(res.status(), 429);
        let retry: u64 = header(&res, "retry-after").parse().unwrap();
        assert!((1..=15).contains(&retry), "{retry}");
        assert_eq!(header(&res, "ratelimit-policy"), "\"address\";q=3;w=45");
        assert_eq!(header(&res, "ratelimit"), format!("\"address\";r=0;t={retry}"));
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"]["code"], "rate_limited");
        assert_eq!(body["error"]["retry_after"], retry);
        assert!(body["error"]["message"].as_str().unwrap().contains("try again"));

        // The no-JS form gets a page that says when to come back.
        let form = app.http.post(app.url("/api/v1/comments"))
            .form(&[("site", "blog"), ("uri", "/post"), ("author_name", "Ada"),
                    ("author_email", "form@example.org"), ("text", "From the form")])
            .send().await.unwrap();
        assert_eq!(form.status(), 429);
        assert!(header(&form, "content-type").starts_with("text/html"));
        assert!(header(&form, "retry-after").parse::<u64>().is_ok());
        let html = form.text().await.unwrap();
        assert!(html.contains("Please slow down"), "{html}");
        assert!(html.contains(&format!("try again in {retry} seconds")), "{html}");

        app.clock.advance(Duration::from_secs(15));
        assert_eq!(post_via(&app, None, nth(4)).await.status(), 201);
        assert_eq!(post_via(&app, None, nth(5)).await.status(), 429);
    }

    async fn one_email_gets_its_own_quota_whatever_the_address(b) {
        let app = limited(b, true).await;
        for i in 0..3 {
            let xff = format!("198.51.100.{i}");
            let res = post_via(&app, Some(&xff), json!({"text": format!("Post {i}"), "author_email": "ada@example.org"})).await;
            assert_eq!(res.status(), 201);
        }
        let res = post_via(&app, Some("198.51.100.9"), json!({"text": "Post 9", "author_email": "ADA+again@Example.org"})).await;
        assert_eq!(res.status(), 429);
        assert!(header(&res, "ratelimit-policy").starts_with("\"email\""));
    }

    async fn a_spoofed_forwarded_for_from_an_untrusted_peer_buys_no_quota(b) {
        let app = limited(b, false).await;
        for i in 0..3 {
            let xff = format!("198.51.100.{i}");
            assert_eq!(post_via(&app, Some(&xff), nth(i)).await.status(), 201);
        }
        let res = post_via(&app, Some("198.51.100.77"), nth(3)).await;
        assert_eq!(res.status(), 429, "the header was ignored: all four came from 127.0.0.1");
    }

    async fn forwarded_for_from_a_trusted_proxy_gives_each_client_its_own_quota(b) {
        let app = limited(b, true).await;
        for i in 0..3 {
            assert_eq!(post_via(&app, Some("198.51.100.1"), nth(i)).await.status(), 201);
        }
        assert_eq!(post_via(&app, Some("198.51.100.1"), nth(3)).await.status(), 429);
        let res = post_via(&app, Some("203.0.113.5, 198.51.100.2"), nth(4)).await;
        assert_eq!(res.status(), 201, "another client behind the same proxy");
        let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let admin = app.token().await;
        let (_, c) = app.admin(&admin, reqwest::Method::GET, &format!("/api/v1/admin/comments/{id}")).await;
        assert_eq!(c["ip_prefix"], "198.51.100.0/24", "the right-most untrusted hop");
    }
}
