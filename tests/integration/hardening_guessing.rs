//! Finding 8 (in part): a duplicate from another client is held, not refused with a 409,
//! so posting a visible comment's text under a guessed email confirms nothing.
use serde_json::{Value, json};

use crate::backends;
use crate::support::{TestApp, comment};

async fn post_from(app: &TestApp, ip: &str, overrides: Value) -> (u16, Value) {
    let mut body = comment(overrides);
    body["form_token"] = json!(app.form_token("open", "/post"));
    app.post_comment_as(Some(ip), &body).await
}

backends! {
    async fn a_duplicate_from_another_client_is_held_and_the_same_clients_is_refused(b) {
        let app = TestApp::spawn_with(b, |c| c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()]).await;
        let original = json!({"site": "open", "author_email": "ada@example.org", "text": "A distinctive remark"});
        let (status, first) = post_from(&app, "198.51.100.1", original.clone()).await;
        assert_eq!((status, first["status"].as_str()), (201, Some("approved")), "{first}");
        let (status, guess) = post_from(&app, "203.0.113.9", original.clone()).await;
        assert_eq!(status, 201, "no 409 to confirm the guessed email: {guess}");
        assert_eq!(guess["status"], "pending", "held for a moderator");
        assert_eq!(app.public_thread("open", "/post").await["total"], 1, "not published twice");
        let (status, again) = post_from(&app, "198.51.100.1", original).await;
        assert_eq!(status, 409, "the author's own double submit is still refused: {again}");
        let token = app.token().await;
        let id = guess["id"].as_i64().unwrap();
        let (_, c) = app.admin(&token, reqwest::Method::GET, &format!("/api/v1/admin/comments/{id}")).await;
        assert!(c.to_string().contains("duplicate_from_another_client"), "{c}");
    }
}
