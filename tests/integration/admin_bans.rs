//! Banning authors from the dashboard: from one comment or a selection, by email, by exact
//! address (known only by its keyed hash) or by network, timed or for ever, audited.
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::{TestApp, comment};
use entity::enums::Role;

async fn status_of(app: &TestApp, token: &str, id: i64) -> Value {
    let (_, c) = app
        .admin(token, Method::GET, &format!("/api/v1/admin/comments/{id}"))
        .await;
    c["status"].clone()
}

/// Posts a comment as if from `ip` (believed because the app trusts 127.0.0.1).
async fn post_from(app: &TestApp, ip: &str, overrides: Value) -> i64 {
    let mut body = comment(overrides);
    body["form_token"] = json!(app.form_token("blog", "/post"));
    let (status, res) = app.post_comment_as(Some(ip), &body).await;
    assert_eq!(status, 201, "{res}");
    res["id"].as_i64().unwrap()
}

async fn actions_for(app: &TestApp, token: &str, id: i64) -> Vec<String> {
    let (_, log) = app
        .admin(
            token,
            Method::GET,
            &format!("/api/v1/admin/audit?comment_id={id}"),
        )
        .await;
    log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

backends! {
    async fn banning_the_email_from_a_comment_sends_the_authors_next_comment_to_spam(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let first = app.submit(json!({"author_email": "troll@example.org"})).await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        assert!(d.get("/admin/").await.body.contains("Ban email"));
        let res = d.post(&format!("/admin/comments/{first}/ban"),
            &[("ban", "email"), ("duration", ""), ("spam", "1"), ("reason", "trolling"), ("back", "/admin/")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(res.location(), "/admin/?done=ban_email&n=1");
        assert!(d.get(res.location()).await.body.contains("Banned the email of the author of 1 comment."));
        assert_eq!(status_of(&app, &token, first).await, "spam", "marked spam in the same step");
        assert_eq!(actions_for(&app, &token, first).await[..2], ["spam", "ban_added"]);

        let next = app.submit(json!({"author_email": "Troll@Example.org", "text": "Me again"})).await;
        assert_eq!(status_of(&app, &token, next).await, "spam");
        let other = app.submit(json!({"author_email": "kind@example.org", "text": "Hello"})).await;
        assert_eq!(status_of(&app, &token, other).await, "pending");
        let (_, bans) = app.admin(&token, Method::GET, "/api/v1/admin/bans").await;
        assert_eq!(bans["bans"].as_array().unwrap().len(), 1);
        assert_eq!(bans["bans"][0]["value"], "troll@example.org");
        assert_eq!(bans["bans"][0]["reason"], "trolling");

        // Banning again changes nothing but still answers.
        let again = d.post(&format!("/admin/comments/{next}/ban"), &[("ban", "email"), ("back", "/admin/")]).await;
        assert_eq!(again.status, 303);
        let (_, bans) = app.admin(&token, Method::GET, "/api/v1/admin/bans").await;
        assert_eq!(bans["bans"].as_array().unwrap().len(), 1, "no duplicate ban");
    }

    async fn banning_the_address_from_a_comment_catches_only_that_exact_address(b) {
        let app = TestApp::spawn_with(b, |c| {
            c.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
        }).await;
        let token = app.token().await;
        let first = app.submit(json!({"author_email": "a@example.org"})).await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let res = d.post(&format!("/admin/comments/{first}/ban"), &[("ban", "address"), ("duration", "30"), ("back", "/admin/")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(status_of(&app, &token, first).await, "pending", "not marked spam unless asked");
        assert_eq!(actions_for(&app, &token, first).await, ["ban_added", "submitted"]);

        let same = app.submit(json!({"author_email": "new-name@example.org", "text": "From the same machine"})).await;
        assert_eq!(status_of(&app, &token, same).await, "spam");
        let elsewhere = post_from(&app, "198.51.100.7", json!({"author_email": "b@example.org", "text": "Elsewhere"})).await;
        assert_eq!(status_of(&app, &token, elsewhere).await, "pending");
        let neighbour = post_from(&app, "127.0.0.9", json!({"author_email": "c@example.org", "text": "Neighbour"})).await;
        assert_eq!(status_of(&app, &token, neighbour).await, "pending", "the exact address, not its network");

        let (_, bans) = app.admin(&token, Method::GET, "/api/v1/admin/bans").await;
        let ban = &bans["bans"][0];
        assert_eq!(ban["kind"], "address_hash");
        assert!(!ban["value"].as_str().unwrap().contains("127.0.0.1"), "the raw address is never stored");
        assert_eq!(ban["label"], format!("address of comment #{first} (prefix 127.0.0.0/24)"));
        let (_, c) = app.admin(&token, Method::GET, &format!("/api/v1/admin/comments/{same}")).await;
        assert!(c.to_string().contains(&format!("address of comment #{first} (prefix 127.0.0.0/24)")), "{c}");

        // The whole network, from the same comment.
        let res = d.post(&format!("/admin/comments/{first}/ban"), &[("ban", "network"), ("back", "/admin/")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let later = post_from(&app, "127.0.0.200", json!({"author_email": "d@example.org", "text": "Same network"})).await;
        assert_eq!(status_of(&app, &token, later).await, "spam");
    }

    async fn a_timed_ban_from_a_comment_expires(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let first = app.submit(json!({"author_email": "hot@example.org"})).await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let res = d.post(&format!("/admin/comments/{first}/ban"), &[("ban", "email"), ("duration", "1"), ("back", "/admin/")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        let bad = d.post(&format!("/admin/comments/{first}/ban"), &[("ban", "email"), ("duration", "9999"), ("back", "/admin/")]).await;
        assert_eq!(bad.status, 422);
        let during = app.submit(json!({"author_email": "hot@example.org", "text": "Still angry"})).await;
        assert_eq!(status_of(&app, &token, during).await, "spam");
        app.clock.advance(Duration::from_secs(86_401));
        let after = app.submit(json!({"author_email": "hot@example.org", "text": "Calmer now"})).await;
        assert_eq!(status_of(&app, &token, after).await, "pending");
    }

    async fn bulk_bans_ban_each_selected_author_and_mark_their_comments_spam(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let one = app.submit(json!({"author_email": "one@example.org"})).await;
        let two = app.submit(json!({"author_email": "two@example.org"})).await;
        let kept = app.submit(json!({"author_email": "three@example.org"})).await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let (a, b2) = (one.to_string(), two.to_string());
        let res = d.post("/admin/bulk", &[("action", "ban_email"), ("ban_for", "7"), ("ids", &a), ("ids", &b2), ("back", "/admin/")]).await;
        assert_eq!(res.status, 303, "{}", res.body);
        assert_eq!(res.location(), "/admin/?done=ban_email&n=2");
        for id in [one, two] {
            assert_eq!(status_of(&app, &token, id).await, "spam");
            assert_eq!(actions_for(&app, &token, id).await[..2], ["spam", "ban_added"]);
        }
        assert_eq!(status_of(&app, &token, kept).await, "pending");
        let again = app.submit(json!({"author_email": "two@example.org", "text": "Back"})).await;
        assert_eq!(status_of(&app, &token, again).await, "spam");
        let (_, bans) = app.admin(&token, Method::GET, "/api/v1/admin/bans").await;
        assert!(bans["bans"].as_array().unwrap().iter().all(|b| b["expires_at"].is_string()));
    }

    async fn ban_forms_refuse_a_missing_csrf_token(b) {
        let app = TestApp::spawn(b).await;
        let id = app.submit(json!({})).await;
        let d = app.logged_in("mo@example.org", Role::Moderator).await;
        let res = d.post_raw(&format!("/admin/comments/{id}/ban"), &[("ban", "email")]).await;
        assert_eq!(res.status, 403);
        let res = d.post_raw("/admin/bulk", &[("action", "ban_email"), ("ids", &id.to_string()), ("csrf", "forged")]).await;
        assert_eq!(res.status, 403);
        let token = app.token().await;
        let (_, bans) = app.admin(&token, Method::GET, "/api/v1/admin/bans").await;
        assert_eq!(bans["bans"], json!([]));
    }
}
