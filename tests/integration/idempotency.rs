//! `Idempotency-Key` on comment submission: a retry with the same key and body gets the
//! first answer (status and body, the comment id included) and stores nothing new, even when
//! twenty retries arrive at once; the same key with another body is refused with 422; a key
//! is remembered for `retention.idempotency_key_hours`, then forgotten.
use std::time::Duration;

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::backends;
use crate::support::{TestApp, comment};

/// POSTs `body` as JSON with `key`, as the client 203.0.113.9; returns status and body.
async fn post_keyed(app: &TestApp, key: &str, body: &Value) -> (u16, Value) {
    post_keyed_to(app.http.clone(), app.url("/api/v1/comments"), key, body).await
}

/// `post_keyed` with an owned client and URL, for requests spawned onto their own tasks.
async fn post_keyed_to(
    http: reqwest::Client,
    url: String,
    key: &str,
    body: &Value,
) -> (u16, Value) {
    let res = http
        .post(url)
        .header("idempotency-key", key)
        .header("x-forwarded-for", "203.0.113.9")
        .json(body)
        .send()
        .await
        .expect("post");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A comment body with a valid form token, on site `open` (published at once).
fn body(app: &TestApp, text: &str) -> Value {
    let mut b = comment(json!({"site": "open", "uri": "/retry", "text": text}));
    b["form_token"] = Value::String(app.form_token("open", "/retry"));
    b
}

async fn rows(app: &TestApp, sql: &str) -> i64 {
    let db = &app.state.db.reader;
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count")
        .expect("a row");
    row.try_get_by_index::<i64>(0).expect("n")
}

async fn comments(app: &TestApp) -> i64 {
    rows(app, "SELECT COUNT(*) FROM comments").await
}

/// The rate limits on, trusting the test's own address as a proxy: three posts per address.
fn limited(c: &mut replyd::config::Config) {
    c.rate_limit.enabled = true;
    c.server.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
}

backends! {
    async fn idempotency_retry_with_the_same_key_replays_the_first_answer(b) {
        let app = TestApp::spawn_with(b, limited).await;
        let first_body = body(&app, "Retried after a timeout");
        let (status, first) = post_keyed(&app, "k-2f1c", &first_body).await;
        assert_eq!(status, 201, "{first}");
        for _ in 0..5 {
            // Five retries: past the address's burst of three, yet none is refused.
            let (status, again) = post_keyed(&app, "k-2f1c", &first_body).await;
            assert_eq!(status, 201, "{again}");
            assert_eq!(again, first, "the same answer, the same id");
        }
        assert_eq!(comments(&app).await, 1);
        let thread = app.public_thread("open", "/retry").await;
        assert_eq!(thread["total"], 1, "{thread}");

        // Another key is another comment, even for a client that reuses its words later.
        let (status, other) = post_keyed(&app, "k-9a0b", &body(&app, "A second thought")).await;
        assert_eq!(status, 201, "{other}");
        assert_ne!(other["id"], first["id"]);
        assert_eq!(comments(&app).await, 2);
    }

    async fn idempotency_twenty_concurrent_retries_store_one_comment(b) {
        let app = TestApp::spawn_with(b, limited).await;
        let payload = body(&app, "Sent twenty times by a flaky client");
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..20 {
            let (http, url, payload) = (app.http.clone(), app.url("/api/v1/comments"), payload.clone());
            set.spawn(async move { post_keyed_to(http, url, "0d3c7f9e-race", &payload).await });
        }
        let answers = set.join_all().await;
        let first = answers[0].clone();
        assert_eq!(first.0, 201, "{answers:?}");
        assert!(answers.iter().all(|a| *a == first), "identical answers: {answers:?}");
        assert_eq!(comments(&app).await, 1);
        assert_eq!(rows(&app, "SELECT COUNT(*) FROM idempotency_keys").await, 1);
        assert_eq!(app.state.moderation.keys_in_flight(), 0, "no claim left behind");
    }

    async fn idempotency_same_key_with_another_body_is_refused(b) {
        let app = TestApp::spawn(b).await;
        let (status, first) = post_keyed(&app, "key-1", &body(&app, "The original words")).await;
        assert_eq!(status, 201, "{first}");
        let (status, err) = post_keyed(&app, "key-1", &body(&app, "Changed words")).await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(err["error"]["code"], "idempotency_key_reused", "{err}");
        // The key is per site: on another site it names another submission.
        let mut elsewhere = comment(json!({"site": "blog", "uri": "/retry", "text": "Changed words"}));
        elsewhere["form_token"] = Value::String(app.form_token("blog", "/retry"));
        let (status, other) = post_keyed(&app, "key-1", &elsewhere).await;
        assert_eq!(status, 201, "{other}");
        assert_eq!(comments(&app).await, 2);
    }

    async fn idempotency_key_is_bounded_and_stored_hashed(b) {
        let app = TestApp::spawn(b).await;
        let long = "k".repeat(256);
        let (status, err) = post_keyed(&app, &long, &body(&app, "Too long a key")).await;
        assert_eq!(status, 422, "{err}");
        assert!(err["error"]["fields"]["idempotency_key"].is_array(), "{err}");
        let (status, err) = post_keyed(&app, "", &body(&app, "An empty key")).await;
        assert_eq!(status, 422, "{err}");
        assert_eq!(comments(&app).await, 0);

        let (status, _) = post_keyed(&app, "secret-key-42", &body(&app, "Keyed")).await;
        assert_eq!(status, 201);
        let db = &app.state.db.reader;
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT key_hash FROM idempotency_keys",
            ))
            .await
            .unwrap()
            .unwrap();
        let hash: String = row.try_get_by_index(0).unwrap();
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains("secret-key-42"));
    }

    async fn idempotency_key_expires_after_its_hours(b) {
        let app = TestApp::spawn_with(b, |c| c.retention.idempotency_key_hours = 1).await;
        let payload = body(&app, "Posted, then again the next day");
        let (status, first) = post_keyed(&app, "daily", &payload).await;
        assert_eq!(status, 201, "{first}");
        app.clock.advance(Duration::from_secs(2 * 3600));
        // Expired: the key names a new submission; this one is the client's double submit.
        let (status, again) = post_keyed(&app, "daily", &payload).await;
        assert_eq!(status, 409, "{again}");
        assert_eq!(again["error"]["code"], "duplicate_comment");
        let (status, new) = post_keyed(&app, "daily", &body(&app, "Fresh words")).await;
        assert_eq!(status, 201, "{new}");
        assert_ne!(new["id"], first["id"]);
        // The retention job forgets expired keys.
        app.clock.advance(Duration::from_secs(2 * 3600));
        let n = app.state.moderation.purge_expired_keys().await.unwrap();
        assert_eq!(n, 1);
    }

    async fn idempotency_no_js_form_retry_redirects_once(b) {
        let app = TestApp::spawn(b).await;
        let form = [
            ("site", "open"),
            ("uri", "/retry"),
            ("author_name", "Ada"),
            ("author_email", "ada@example.org"),
            ("text", "Posted from the form without JavaScript"),
        ];
        let token = app.form_token("open", "/retry");
        let mut answers = Vec::new();
        for _ in 0..2 {
            let res = app
                .http
                .post(app.url("/api/v1/comments"))
                .header("idempotency-key", "form-1")
                .form(&[&form[..], &[("form_token", token.as_str())]].concat())
                .send()
                .await
                .unwrap();
            let location = res.headers().get("location").map(|v| v.to_str().unwrap().to_owned());
            answers.push((res.status().as_u16(), location));
        }
        assert_eq!(answers[0].0, 303, "{answers:?}");
        assert_eq!(answers[0], answers[1]);
        assert_eq!(comments(&app).await, 1);
    }

    async fn idempotency_isso_client_retry_gets_the_same_comment(b) {
        let app = TestApp::spawn(b).await;
        let body = json!({"text": "Through Isso's client", "author": "Ada",
                          "email": "ada@example.org", "title": "A post", "notification": 0});
        let mut answers = Vec::new();
        for _ in 0..3 {
            let res = app
                .http
                .post(app.url("/isso/open/new?uri=/isso-retry"))
                .header("content-type", "application/json")
                .header("idempotency-key", "isso-1")
                .body(body.to_string())
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            answers.push((status, res.json::<Value>().await.unwrap()));
        }
        assert_eq!(answers[0].0, 201, "{answers:?}");
        assert!(answers.iter().all(|a| *a == answers[0]), "{answers:?}");
        assert_eq!(comments(&app).await, 1);
    }

    async fn idempotency_retries_racing_on_two_instances_store_one_comment(b) {
        let (one, two) = TestApp::spawn_pair(b, |c| {
            c.server.trusted_proxies = vec!["127.0.0.1/32".parse().expect("net")];
        })
        .await;
        let payload = body(&one, "Retried through two instances at once");
        let mut set = tokio::task::JoinSet::new();
        for i in 0..10 {
            let app = if i % 2 == 0 { &one } else { &two };
            let (http, url, payload) = (app.http.clone(), app.url("/api/v1/comments"), payload.clone());
            set.spawn(async move { post_keyed_to(http, url, "across-instances", &payload).await });
        }
        let answers = set.join_all().await;
        assert_eq!(answers[0].0, 201, "{answers:?}");
        assert!(answers.iter().all(|a| *a == answers[0]), "identical answers: {answers:?}");
        assert_eq!(comments(&one).await, 1);
    }
}
