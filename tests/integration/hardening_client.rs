//! Finding 1: behind a trusted proxy exactly one configured header names the client, and a
//! client cannot pick its address by sending another one.
use serde_json::json;

use crate::backends;
use crate::support::{Backend, TestApp, comment};

async fn behind_proxy(b: Backend, header: &str) -> TestApp {
    let header = header.to_owned();
    TestApp::spawn_with(b, move |c| {
        c.rate_limit.enabled = true;
        c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        c.server.client_ip_header = header;
    })
    .await
}

/// Posts comment `i` with the given extra headers and returns the status.
async fn post(app: &TestApp, i: usize, headers: &[(&str, String)]) -> u16 {
    let mut body = comment(
        json!({"text": format!("Comment {i}"), "author_email": format!("r{i}@example.org")}),
    );
    body["form_token"] = json!(app.form_token("blog", "/post"));
    let mut req = app.http.post(app.url("/api/v1/comments")).json(&body);
    for (k, v) in headers {
        req = req.header(*k, v);
    }
    req.send().await.unwrap().status().as_u16()
}

backends! {
    async fn a_client_sent_forwarded_header_does_not_override_x_forwarded_for(b) {
        let app = behind_proxy(b, "x-forwarded-for").await;
        let mut statuses = Vec::new();
        for i in 0..5 {
            let headers = [
                ("x-forwarded-for", "198.51.100.7".to_owned()),
                ("forwarded", format!("for=203.0.113.{i}")),
            ];
            statuses.push(post(&app, i, &headers).await);
        }
        assert_eq!(statuses, [201, 201, 201, 429, 429], "one address, whatever Forwarded says");
        let other = [("x-forwarded-for", "198.51.100.8".to_owned())];
        assert_eq!(post(&app, 9, &other).await, 201, "the proxy's header still tells clients apart");
    }

    async fn the_configured_header_is_the_only_one_read_with_no_fallback(b) {
        let app = behind_proxy(b, "forwarded").await;
        let mut statuses = Vec::new();
        for i in 0..5 {
            let headers = [
                ("forwarded", "for=\"198.51.100.7:4711\"".to_owned()),
                ("x-forwarded-for", format!("203.0.113.{i}")),
            ];
            statuses.push(post(&app, i, &headers).await);
        }
        assert_eq!(statuses, [201, 201, 201, 429, 429], "X-Forwarded-For is not read");
        // Without the configured header the peer (the proxy) is the client: X-Forwarded-For
        // alone is not a fallback.
        let mut alone = Vec::new();
        for i in 10..14 {
            alone.push(post(&app, i, &[("x-forwarded-for", format!("203.0.113.{i}"))]).await);
        }
        assert_eq!(alone, [201, 201, 201, 429]);
    }
}
