//! `/metrics` and `/readyz`: requests by route pattern and status class, queue and outbox
//! depth, mail failures and rate-limit refusals; `/metrics` can be turned off and carries no
//! CORS; `/readyz` says 503 when the database is gone.
use serde_json::json;

use crate::backends;
use crate::support::TestApp;
use crate::support::mail;
use crate::support::smtp::{SmtpServer, Stage};

async fn scrape(app: &TestApp) -> String {
    let res = app.http.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let ctype = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ctype.starts_with("text/plain; version=0.0.4"), "{ctype}");
    res.text().await.unwrap()
}

fn has(text: &str, line: &str) {
    assert!(
        text.lines().any(|l| l == line),
        "no line `{line}` in\n{text}"
    );
}

backends! {
    async fn metrics_count_requests_by_route_pattern_and_show_queue_and_outbox_depth(b) {
        let app = TestApp::spawn_with(b, |c| c.mail.worker = false).await;
        let token = app.token().await;
        let first = app.submit(json!({"text": "One"})).await;
        app.submit(json!({"text": "Two"})).await;
        let (status, _) = app.admin(&token, reqwest::Method::GET, &format!("/api/v1/admin/comments/{first}")).await;
        assert_eq!(status, 200);
        app.get_json("/no/such/page").await;
        let text = scrape(&app).await;
        has(&text, "replyd_http_requests_total{route=\"/api/v1/comments\",method=\"POST\",status=\"2xx\"} 2");
        has(&text, "replyd_http_requests_total{route=\"/api/v1/admin/comments/{id}\",method=\"GET\",status=\"2xx\"} 1");
        has(&text, "replyd_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"4xx\"} 1");
        assert!(!text.contains(&format!("/api/v1/admin/comments/{first}\"")), "raw paths never become labels");
        assert!(text.contains("replyd_http_request_duration_seconds_bucket{le=\"0.001\",route=\"/api/v1/comments\",method=\"POST\"}")
            || text.contains("replyd_http_request_duration_seconds_bucket{route=\"/api/v1/comments\",method=\"POST\",le=\"0.001\"}"), "{text}");
        // Both comments wait, and each held comment queued one alert mail.
        has(&text, "replyd_moderation_queue_pending 2");
        has(&text, "replyd_outbox_pending 2");
        has(&text, "replyd_outbox_dead 0");
        has(&text, "replyd_cache_hits_total 0");

        let (_, _) = app.admin(&token, reqwest::Method::POST, &format!("/api/v1/admin/comments/{first}/approve")).await;
        has(&scrape(&app).await, "replyd_moderation_queue_pending 1");
    }

    async fn refusals_are_counted_by_policy(b) {
        let app = TestApp::spawn_with(b, |c| c.rate_limit.enabled = true).await;
        for i in 0..4 {
            app.post_comment(&crate::support::comment(json!({"text": format!("Post {i}"), "author_email": format!("r{i}@example.org")}))).await;
        }
        has(&scrape(&app).await, "replyd_rate_limited_total{policy=\"address\",scope=\"local\"} 1");
    }

    async fn failed_mail_attempts_are_counted(b) {
        let smtp = SmtpServer::start().await;
        let app = mail::spawn(b, &smtp, |_| {}).await;
        smtp.fail_next(Stage::Rcpt, 451, 1);
        app.submit(json!({"text": "Alert me"})).await;
        app.deliver().await;
        let text = scrape(&app).await;
        has(&text, "replyd_mail_send_failures_total{kind=\"temporary\"} 1");
        has(&text, "replyd_mail_sent_total 0");
    }

    async fn metrics_can_be_turned_off_and_never_carry_cors(b) {
        let app = TestApp::spawn(b.clone()).await;
        let res = app.http.get(app.url("/metrics")).header("origin", "http://blog.example:8000").send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers().get("access-control-allow-origin").is_none());
        let off = TestApp::spawn_with(b, |c| c.server.metrics = false).await;
        assert_eq!(off.http.get(off.url("/metrics")).send().await.unwrap().status(), 404);
    }

    async fn readyz_is_503_once_the_database_is_gone(b) {
        let app = TestApp::spawn(b).await;
        assert_eq!(app.http.get(app.url("/readyz")).send().await.unwrap().status(), 200);
        app.state.db.clone().close().await;
        assert_eq!(app.http.get(app.url("/readyz")).send().await.unwrap().status(), 503);
    }
}
