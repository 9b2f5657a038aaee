//! Reader reports: three distinct readers hold a published comment (back to pending with the
//! reason `reported`, the moderators alerted), one reader three times does not; dismissing
//! puts it back and keeps it up; the reported list shows counts, never reporters; each step
//! empties the thread cache and writes an audit row.
use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::TestApp;

async fn spawn(b: crate::support::Backend) -> TestApp {
    TestApp::spawn_with(b, |c| {
        c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await
}

/// Reports comment `id` as the reader at `ip` whose browser keeps `token`.
async fn report(app: &TestApp, id: i64, ip: &str, token: &str, reason: &str) -> (u16, Value) {
    let res = app
        .http
        .post(app.url(&format!("/api/v1/comments/{id}/report")))
        .header("x-forwarded-for", ip)
        .json(&json!({"reason": reason, "note": "Please look", "token": token}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn status_of(app: &TestApp, token: &str, id: i64) -> Value {
    app.admin(token, Method::GET, &format!("/api/v1/admin/comments/{id}"))
        .await
        .1["status"]
        .clone()
}

/// Alerts in the outbox, sent or not yet (the mail worker may have been quick).
async fn alerts(app: &TestApp, token: &str) -> usize {
    let mut n = 0;
    for state in ["pending", "sent"] {
        let (_, rows) = app
            .admin(
                token,
                Method::GET,
                &format!("/api/v1/admin/outbox?state={state}"),
            )
            .await;
        n += rows["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["kind"] == "alert")
            .count();
    }
    n
}

backends! {
    async fn three_distinct_readers_hold_a_comment_and_one_reader_three_times_does_not(b) {
        let app = spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({"site": "open", "text": "A heated take"})).await;
        assert_eq!(app.public_thread("open", "/post").await["total"], 1, "published, now cached");
        for _ in 0..3 {
            assert_eq!(report(&app, id, "192.0.2.1", "browser-one", "abusive").await.0, 202);
        }
        // The same browser from another address, and another browser from the same address.
        assert_eq!(report(&app, id, "192.0.2.9", "browser-one", "spam").await.0, 202);
        assert_eq!(report(&app, id, "192.0.2.1", "browser-nine", "spam").await.0, 202);
        assert_eq!(status_of(&app, &token, id).await, "approved", "one reader counts once");
        assert_eq!(app.public_thread("open", "/post").await["total"], 1);
        let (_, list) = app.admin(&token, Method::GET, "/api/v1/admin/reports").await;
        assert_eq!(list["comments"][0]["total"], 1, "{list}");
        assert_eq!(alerts(&app, &token).await, 0);

        report(&app, id, "192.0.2.2", "browser-two", "spam").await;
        let (status, body) = report(&app, id, "192.0.2.3", "browser-three", "abusive").await;
        assert_eq!((status, &body["reported"]), (202, &json!(true)));
        assert_eq!(status_of(&app, &token, id).await, "pending", "three readers hold it");
        assert_eq!(app.public_thread("open", "/post").await["total"], 0, "the hold empties the cache");
        let (_, c) = app.admin(&token, Method::GET, &format!("/api/v1/admin/comments/{id}")).await;
        let reason = c["reasons"].as_array().unwrap().iter().find(|r| r["rule"] == "reported").cloned();
        assert_eq!(reason.unwrap()["detail"], "3 reports: abusive 2, spam 1");
        assert_eq!(alerts(&app, &token).await, 1, "the moderators are alerted");
        let (_, list) = app.admin(&token, Method::GET, "/api/v1/admin/reports").await;
        let entry = &list["comments"][0];
        assert_eq!((entry["comment"]["id"].as_i64(), &entry["total"]), (Some(id), &json!(3)));
        assert_eq!(entry["counts"], json!({"abusive": 2, "spam": 1}));
        assert_eq!(entry["author_spam_reports"], 1, "spam reports are evidence about the author");
        let text = list.to_string();
        assert!(!text.contains("192.0.2") && !text.contains("browser-"), "reporters never shown: {text}");
        // A held comment takes no further reports.
        assert_eq!(report(&app, id, "192.0.2.4", "browser-four", "spam").await.0, 404);
    }

    async fn dismissing_puts_the_comment_back_and_keeps_it_up(b) {
        let app = spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({"site": "open", "text": "Unpopular but fine"})).await;
        for i in 1..=3 {
            report(&app, id, &format!("198.51.100.{i}"), &format!("b{i}"), "off_topic").await;
        }
        assert_eq!(status_of(&app, &token, id).await, "pending");
        assert_eq!(app.public_thread("open", "/post").await["total"], 0, "cached while held");
        let (status, body) = app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{id}/reports/dismiss")).await;
        assert_eq!((status, &body["status"]), (200, &json!("approved")), "{body}");
        assert!(body["reasons"].as_array().unwrap().iter().all(|r| r["rule"] != "reported"));
        assert_eq!(app.public_thread("open", "/post").await["total"], 1, "the dismissal empties the cache");
        for i in 4..=8 {
            assert_eq!(report(&app, id, &format!("198.51.100.{i}"), &format!("b{i}"), "spam").await.0, 202);
        }
        assert_eq!(status_of(&app, &token, id).await, "approved", "later reports never hold it again");
        let (_, list) = app.admin(&token, Method::GET, "/api/v1/admin/reports").await;
        assert_eq!(list["total"], 0, "dismissed reports leave the list: {list}");
        let (_, audit) = app.admin(&token, Method::GET, &format!("/api/v1/admin/audit?comment_id={id}")).await;
        let actions: Vec<&str> = audit["entries"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
        assert!(actions.contains(&"reported") && actions.contains(&"dismiss_reports"), "{actions:?}");
    }

    async fn reports_are_validated_and_rate_limited(b) {
        let app = TestApp::spawn_with(b, |c| {
            c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
            c.rate_limit.enabled = true;
            c.rate_limit.report_per_hour = 2;
        }).await;
        let id = app.submit(json!({"site": "open", "text": "Something"})).await;
        let (status, body) = report(&app, id, "203.0.113.1", "t", "boring").await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["fields"]["reason"][0], "must be spam, abusive, off_topic or other");
        let long = "x".repeat(501);
        let res = app.http.post(app.url(&format!("/api/v1/comments/{id}/report")))
            .json(&json!({"reason": "other", "note": long})).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 422, "a long note is refused, never cut");
        assert_eq!(report(&app, 999_999, "203.0.113.1", "t", "spam").await.0, 404);
        let held = app.submit(json!({"site": "blog", "text": "Not yet published"})).await;
        assert_eq!(report(&app, held, "203.0.113.1", "t", "spam").await.0, 404, "only published comments");
        let (status, body) = report(&app, id, "203.0.113.1", "t", "spam").await;
        assert_eq!((status, body["error"]["code"].as_str()), (429, Some("rate_limited")), "{body}");
    }

    async fn the_no_js_page_reports_with_a_form_and_comes_back(b) {
        let app = spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({"site": "open", "text": "Read me without JavaScript"})).await;
        let page = app.http.get(app.url(&format!("/embed/thread?site=open&uri=/post&report={id}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("action=\"/api/v1/comments/{id}/report\"")), "{page}");
        assert!(page.contains("name=\"reason\" value=\"off_topic\""));
        let back = "/embed/thread?site=open&uri=%2Fpost&";
        let res = app.http.post(app.url(&format!("/api/v1/comments/{id}/report")))
            .form(&[("reason", "spam"), ("note", ""), ("back", back)]).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let to = res.headers()["location"].to_str().unwrap().to_owned();
        assert_eq!(to, format!("{back}replyd=reported#comment-{id}"));
        let page = app.http.get(app.url(&to)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Thank you for your report"), "{page}");
        let (_, list) = app.admin(&token, Method::GET, "/api/v1/admin/reports").await;
        assert_eq!(list["comments"][0]["counts"], json!({"spam": 1}));
        let res = app.http.post(app.url(&format!("/api/v1/comments/{id}/report")))
            .form(&[("reason", "spam"), ("back", "https://evil.example/")]).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 422, "never a redirect elsewhere");
    }
}
