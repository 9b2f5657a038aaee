//! The moderator API: authentication, listing, actions, edits, deletion and the audit log.
use reqwest::Method;
use serde_json::{Value, json};

use crate::backends;
use crate::support::{TestApp, comment};

async fn audit_for(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    let (status, body) = app
        .admin(
            token,
            Method::GET,
            &format!("/api/v1/admin/audit?comment_id={id}"),
        )
        .await;
    assert_eq!(status, 200);
    body["entries"].as_array().unwrap().clone()
}

backends! {
    async fn the_moderator_api_needs_a_valid_token(b) {
        let app = TestApp::spawn(b).await;
        let id = app.submit(json!({})).await;
        for (method, path) in [
            (Method::GET, "/api/v1/admin/comments".to_owned()),
            (Method::POST, format!("/api/v1/admin/comments/{id}/approve")),
            (Method::DELETE, format!("/api/v1/admin/comments/{id}")),
        ] {
            let res = app.http.request(method.clone(), app.url(&path)).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 401, "{method} {path}");
            assert_eq!(res.headers()["www-authenticate"], "Bearer");
            let (status, body) = app.admin("rpd_not-a-real-token", method, &path).await;
            assert_eq!(status, 401);
            assert_eq!(body["error"]["code"], "unauthorized");
        }
        assert_eq!(app.public_thread("blog", "/post").await["total"], 0, "nothing was approved");
    }

    async fn the_queue_filters_searches_and_paginates(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let a = app.submit(json!({"text": "about rust"})).await;
        app.submit(json!({"text": "about go", "author_email": "bob@example.org", "author_name": "Bob"})).await;
        app.submit(json!({"site": "open", "text": "published at once"})).await;
        let (_, pending) = app.admin(&token, Method::GET, "/api/v1/admin/comments?status=pending").await;
        assert_eq!(pending["total"], 2);
        assert_eq!(pending["comments"][0]["status"], "pending");
        assert!(pending["comments"][0]["author_email"].is_string());
        assert!(pending["comments"][0]["reasons"].as_array().is_some_and(|r| !r.is_empty()));
        let (_, by_site) = app.admin(&token, Method::GET, "/api/v1/admin/comments?site=open").await;
        assert_eq!(by_site["total"], 1);
        let (_, found) = app.admin(&token, Method::GET, "/api/v1/admin/comments?q=RUST").await;
        assert_eq!(found["total"], 1);
        assert_eq!(found["comments"][0]["id"], a);
        let (_, by_email) = app.admin(&token, Method::GET, "/api/v1/admin/comments?q=bob@exa").await;
        assert_eq!(by_email["total"], 1);
        let (_, page) = app.admin(&token, Method::GET, "/api/v1/admin/comments?limit=1&offset=1&order=oldest").await;
        assert_eq!(page["total"], 3);
        assert_eq!(page["comments"].as_array().unwrap().len(), 1);
        let (status, _) = app.admin(&token, Method::GET, "/api/v1/admin/comments?status=bogus").await;
        assert_eq!(status, 422);
    }

    async fn each_action_moves_the_status_and_writes_one_audit_row(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({})).await;
        for (action, status) in [("approve", "approved"), ("reject", "rejected"), ("spam", "spam"), ("approve", "approved")] {
            let (code, body) = app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{id}/{action}")).await;
            assert_eq!(code, 200);
            assert_eq!(body["status"], status);
        }
        let entries = audit_for(&app, &token, id).await;
        let actions: Vec<&str> = entries.iter().rev().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["submitted", "approve", "reject", "spam", "approve"]);
        assert_eq!(entries[0]["from_status"], "spam");
        assert_eq!(entries[0]["to_status"], "approved");
        assert!(entries[0]["actor"].as_str().unwrap().starts_with("token:"));
        // Approving an approved comment changes nothing and writes nothing.
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{id}/approve")).await;
        assert_eq!(audit_for(&app, &token, id).await.len(), 5);
        let (status, _) = app.admin(&token, Method::POST, "/api/v1/admin/comments/999999/approve").await;
        assert_eq!(status, 404);
        let (status, _) = app.admin(&token, Method::POST, "/api/v1/admin/comments/abc/approve").await;
        assert_eq!(status, 404);
    }

    async fn rejected_and_spam_comments_stay_hidden(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let r = app.submit(json!({"text": "reject me"})).await;
        let s = app.submit(json!({"text": "spam me"})).await;
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{r}/reject")).await;
        app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{s}/spam")).await;
        assert_eq!(app.public_thread("blog", "/post").await["total"], 0);
        let (_, counts) = app.get_json("/api/v1/counts?site=blog&uri=/post").await;
        assert_eq!(counts["/post"], 0);
    }

    async fn editing_rerenders_and_keeps_the_old_text_in_the_audit_log(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({"site": "open", "text": "Original"})).await;
        let res = app.http.patch(app.url(&format!("/api/v1/admin/comments/{id}"))).bearer_auth(&token).json(&json!({"text": "Now **bold**"})).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert_eq!(app.public_thread("open", "/post").await["comments"][0]["html"], "<p>Now <strong>bold</strong></p>\n");
        let entries = audit_for(&app, &token, id).await;
        assert_eq!(entries[0]["action"], "edit");
        assert_eq!(entries[0]["detail"]["previous_text"], "Original");
        let res = app.http.patch(app.url(&format!("/api/v1/admin/comments/{id}"))).bearer_auth(&token).json(&json!({"text": "x"})).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 422);
    }

    async fn deleting_a_comment_with_replies_leaves_a_tombstone(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let parent = app.submit(json!({"site": "open", "text": "Parent text", "author_url": "https://ada.example"})).await;
        let reply = app.submit(json!({"site": "open", "parent_id": parent, "text": "Reply text", "author_name": "Bob", "author_email": "bob@example.org"})).await;
        let lonely = app.submit(json!({"site": "open", "text": "Lonely"})).await;
        let (status, body) = app.admin(&token, Method::DELETE, &format!("/api/v1/admin/comments/{parent}")).await;
        assert_eq!(status, 200);
        assert_eq!(body["tombstone"], true);
        let (_, body) = app.admin(&token, Method::DELETE, &format!("/api/v1/admin/comments/{lonely}")).await;
        assert_eq!(body["tombstone"], false);
        let thread = app.public_thread("open", "/post").await;
        let comments = thread["comments"].as_array().unwrap();
        assert_eq!(comments.len(), 2, "the tombstone and the reply: {thread}");
        assert_eq!(comments[0]["id"], parent);
        assert_eq!(comments[0]["deleted"], true);
        assert!(comments[0]["author_name"].is_null());
        assert!(comments[0]["author_url"].is_null());
        assert_eq!(comments[0]["html"], "");
        assert_eq!(comments[1]["id"], reply);
        assert_eq!(comments[1]["parent_id"], parent);
        let (_, counts) = app.get_json("/api/v1/counts?site=open&uri=/post").await;
        assert_eq!(counts["/post"], 1, "tombstones are not counted");
        let (_, stored) = app.admin(&token, Method::GET, &format!("/api/v1/admin/comments/{parent}")).await;
        assert_eq!(stored["author_email"], "", "personal data is erased");
        assert_eq!(stored["text"], "");
        let (status, _) = app.admin(&token, Method::GET, &format!("/api/v1/admin/comments/{lonely}")).await;
        assert_eq!(status, 404);
        let entries = audit_for(&app, &token, lonely).await;
        assert_eq!(entries[0]["action"], "delete");
        let (status, _) = app.admin(&token, Method::POST, &format!("/api/v1/admin/comments/{parent}/approve")).await;
        assert_eq!(status, 410, "a tombstone cannot be acted on");
        let (status, _) = app.post_comment(&comment(json!({"site": "open", "parent_id": parent}))).await;
        assert_eq!(status, 422, "no replies to a deleted comment");
    }
}
