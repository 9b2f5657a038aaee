//! Privacy by construction: no email, no hash of one, and no raw address leaves the building.
use reqwest::Method;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::backends;
use crate::support::TestApp;

const EMAIL: &str = "Secret.Person@Example.org";

fn assert_no_email(what: &str, body: &str) {
    let lower = EMAIL.to_lowercase();
    for needle in [
        EMAIL.to_owned(),
        lower.clone(),
        hex::encode(Sha256::digest(lower.as_bytes())),
        hex::encode(Sha256::digest(EMAIL.as_bytes())),
        "secret.person".to_owned(),
    ] {
        assert!(
            !body.to_lowercase().contains(&needle.to_lowercase()),
            "{what} leaks {needle}: {body}"
        );
    }
}

backends! {
    async fn the_email_is_absent_from_every_public_response(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let body = json!({"site": "blog", "uri": "/", "author_name": "Sam", "author_email": EMAIL, "text": "Hello there", "author_url": "https://sam.example"});
        let res = app.http.post(app.url("/api/v1/comments")).json(&body).send().await.unwrap();
        let id = {
            let text = res.text().await.unwrap();
            assert_no_email("POST response", &text);
            serde_json::from_str::<serde_json::Value>(&text).unwrap()["id"].as_i64().unwrap()
        };
        let form = [("site", "blog"), ("uri", "/"), ("author_name", "Sam"), ("author_email", EMAIL), ("text", "Second comment")];
        let res = app.http.post(app.url("/api/v1/comments")).form(&form).send().await.unwrap();
        assert_no_email("form redirect", res.headers()["location"].to_str().unwrap());
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{id}/approve")).await;
        let reply = app.submit(json!({"uri": "/", "parent_id": id, "text": "a reply"})).await;
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{reply}/approve")).await;
        for path in ["/api/v1/comments?site=blog&uri=/", "/api/v1/counts?site=blog&uri=/", "/"] {
            let text = app.http.get(app.url(path)).send().await.unwrap().text().await.unwrap();
            assert!(text.contains("Sam") || path.contains("counts"), "{path} shows the comment: {text}");
            assert_no_email(path, &text);
        }
        // Moderators do see it.
        let (_, c) = app.admin(&token, Method::GET, &format!("/api/v1/admin/comments/{id}")).await;
        assert_eq!(c["author_email"], EMAIL);
    }

    async fn the_client_address_is_kept_only_as_hash_and_prefix(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({})).await;
        let (_, c) = app.admin(&token, Method::GET, &format!("/api/v1/admin/comments/{id}")).await;
        assert_eq!(c["ip_prefix"], "127.0.0.0/24");
        let row = entity::comment::Entity::find_by_id(id).one(&app.state.db.reader).await.unwrap().unwrap();
        let hash = row.ip_hash.unwrap();
        assert_eq!(hash.len(), 32);
        assert!(!hash.contains("127.0.0.1"));
        assert_ne!(hash, hex::encode(Sha256::digest(b"127.0.0.1"))[..32], "the hash is keyed");
    }
}

use sea_orm::EntityTrait;
