//! The moderator API for word rules and bans: add, list, delete, validation, audit rows,
//! authentication, and the OpenAPI document.
use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::TestApp;

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    let res = app
        .http
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

async fn actions(app: &TestApp, token: &str) -> Vec<String> {
    let (_, log) = app.admin(token, Method::GET, "/api/v1/admin/audit").await;
    log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

backends! {
    async fn word_rules_are_added_listed_deleted_and_audited(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let (status, rule) = post(&app, &token, "/api/v1/admin/rules", json!({"kind": "moderation_word", "word": "  Σπαμ "})).await;
        assert_eq!(status, 201, "{rule}");
        assert_eq!((rule["kind"].as_str(), rule["word"].as_str()), (Some("moderation_word"), Some("Σπαμ")));
        let id = rule["id"].as_i64().unwrap();
        post(&app, &token, "/api/v1/admin/rules", json!({"kind": "disallowed_word", "word": "casino"})).await;
        let (_, list) = app.admin(&token, Method::GET, "/api/v1/admin/rules").await;
        let words: Vec<&str> = list["rules"].as_array().unwrap().iter().map(|r| r["word"].as_str().unwrap()).collect();
        assert_eq!(words, ["Σπαμ", "casino"]);

        let (status, body) = app.admin(&token, Method::DELETE, &format!("/api/v1/admin/rules/{id}")).await;
        assert_eq!(status, 200, "{body}");
        let (status, _) = app.admin(&token, Method::DELETE, &format!("/api/v1/admin/rules/{id}")).await;
        assert_eq!(status, 404);
        let (_, list) = app.admin(&token, Method::GET, "/api/v1/admin/rules").await;
        assert_eq!(list["rules"].as_array().unwrap().len(), 1);

        let (_, log) = app.admin(&token, Method::GET, "/api/v1/admin/audit").await;
        let removed = &log["entries"][0];
        assert_eq!(removed["action"], "rule_removed");
        assert!(removed["actor"].as_str().unwrap().starts_with("token:"));
        assert_eq!(removed["detail"]["word"], "Σπαμ");
        assert_eq!(actions(&app, &token).await, ["rule_removed", "rule_added", "rule_added"]);
    }

    async fn bans_are_added_listed_deleted_and_audited(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let (status, ban) = post(&app, &token, "/api/v1/admin/bans", json!({"kind": "address", "value": "203.0.113.9/24", "reason": "flood"})).await;
        assert_eq!(status, 201, "{ban}");
        assert_eq!(ban["value"], "203.0.113.0/24");
        assert_eq!(ban["active"], true);
        assert!(ban["expires_at"].is_null());
        let (_, timed) = post(&app, &token, "/api/v1/admin/bans", json!({"kind": "email_domain", "value": "@Spam.Example", "duration_secs": 3600})).await;
        assert_eq!(timed["value"], "spam.example");
        assert!(timed["expires_at"].is_string());
        let (status, at) = post(&app, &token, "/api/v1/admin/bans", json!({"kind": "email", "value": "a@b.example", "expires_at": "2999-01-01T00:00:00Z"})).await;
        assert_eq!((status, at["expires_at"].as_str()), (201, Some("2999-01-01T00:00:00.000Z")));

        app.clock.advance(std::time::Duration::from_secs(3601));
        let (_, list) = app.admin(&token, Method::GET, "/api/v1/admin/bans").await;
        let active: Vec<bool> = list["bans"].as_array().unwrap().iter().map(|b| b["active"].as_bool().unwrap()).collect();
        assert_eq!(active, [true, false, true]);

        let id = ban["id"].as_i64().unwrap();
        let (status, _) = app.admin(&token, Method::DELETE, &format!("/api/v1/admin/bans/{id}")).await;
        assert_eq!(status, 200);
        let (_, list) = app.admin(&token, Method::GET, "/api/v1/admin/bans").await;
        assert_eq!(list["bans"].as_array().unwrap().len(), 2);
        assert_eq!(actions(&app, &token).await, ["ban_removed", "ban_added", "ban_added", "ban_added"]);
        let (_, log) = app.admin(&token, Method::GET, "/api/v1/admin/audit").await;
        assert_eq!(log["entries"][0]["detail"]["reason"], "flood");
    }

    async fn bad_rules_and_bans_get_422_with_field_errors(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let (status, body) = post(&app, &token, "/api/v1/admin/rules", json!({"kind": "regex", "word": " "})).await;
        assert_eq!(status, 422);
        assert_eq!(body["error"]["code"], "validation_failed");
        assert!(body["error"]["fields"]["kind"].is_array() && body["error"]["fields"]["word"].is_array(), "{body}");
        for (ban, field) in [
            (json!({"kind": "address", "value": "not-an-ip"}), "value"),
            (json!({"kind": "email", "value": "nope"}), "value"),
            (json!({"kind": "user", "value": "x"}), "kind"),
            (json!({"kind": "email", "value": "a@b.example", "duration_secs": 0}), "duration_secs"),
            (json!({"kind": "email", "value": "a@b.example", "duration_secs": 5, "expires_at": "2999-01-01T00:00:00Z"}), "duration_secs"),
            (json!({"kind": "email", "value": "a@b.example", "expires_at": "2000-01-01T00:00:00Z"}), "expires_at"),
            (json!({"kind": "email", "value": "a@b.example", "expires_at": "tomorrow"}), "expires_at"),
        ] {
            let (status, body) = post(&app, &token, "/api/v1/admin/bans", ban.clone()).await;
            assert_eq!(status, 422, "{ban}: {body}");
            assert!(body["error"]["fields"][field].is_array(), "{ban}: {body}");
        }
        assert!(actions(&app, &token).await.is_empty(), "nothing was written");
    }

    async fn the_rules_and_bans_api_needs_a_moderator_token(b) {
        let app = TestApp::spawn(b).await;
        for (method, path) in [
            (Method::GET, "/api/v1/admin/rules"), (Method::POST, "/api/v1/admin/rules"),
            (Method::DELETE, "/api/v1/admin/rules/1"), (Method::GET, "/api/v1/admin/bans"),
            (Method::POST, "/api/v1/admin/bans"), (Method::DELETE, "/api/v1/admin/bans/1"),
        ] {
            let res = app.http.request(method.clone(), app.url(path)).json(&json!({"kind": "email", "value": "a@b.example"})).send().await.unwrap();
            assert_eq!(res.status(), 401, "{method} {path}");
            let (status, _) = app.admin("not-a-token", method.clone(), path).await;
            assert_eq!(status, 401, "{method} {path} with a bad token");
        }
        let (_, doc) = app.get_json("/api/v1/openapi.json").await;
        for path in ["/api/v1/admin/rules", "/api/v1/admin/rules/{id}", "/api/v1/admin/bans", "/api/v1/admin/bans/{id}"] {
            assert!(doc["paths"][path].is_object(), "{path} is documented");
        }
        assert!(doc["paths"]["/api/v1/comments"]["post"]["responses"]["429"].is_object());
    }
}
