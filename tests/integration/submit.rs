//! Submitting comments through the JSON API, and the three moderation modes.
use serde_json::json;

use crate::backends;
use crate::support::{TestApp, comment};

backends! {
    async fn submit_returns_201_pending_and_hides_the_comment(b) {
        let app = TestApp::spawn(b).await;
        let (status, body) = app.post_comment(&comment(json!({}))).await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["status"], "pending");
        assert!(body["id"].as_i64().is_some());
        let thread = app.public_thread("blog", "/post").await;
        assert_eq!(thread["total"], 0);
        assert_eq!(thread["comments"], json!([]));
        let (_, counts) = app.get_json("/api/v1/counts?site=blog&uri=/post").await;
        assert_eq!(counts, json!({"/post": 0}));
    }

    async fn approving_publishes_the_comment(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let id = app.submit(json!({"text": "Hello *there*"})).await;
        let (status, body) = app.admin(&token, reqwest::Method::POST, &format!("/api/v1/admin/comments/{id}/approve")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], "approved");
        let thread = app.public_thread("blog", "/post").await;
        assert_eq!(thread["total"], 1);
        let c = &thread["comments"][0];
        assert_eq!(c["id"], id);
        assert_eq!(c["author_name"], "Ada Lovelace");
        assert_eq!(c["html"], "<p>Hello <em>there</em></p>\n");
        assert!(c["parent_id"].is_null());
        let (_, counts) = app.get_json("/api/v1/counts?site=blog&uri=/post&uri=/other").await;
        assert_eq!(counts, json!({"/post": 1, "/other": 0}));
    }

    async fn mode_none_publishes_at_once(b) {
        let app = TestApp::spawn(b).await;
        let (status, body) = app.post_comment(&comment(json!({"site": "open"}))).await;
        assert_eq!(status, 201);
        assert_eq!(body["status"], "approved");
        assert_eq!(app.public_thread("open", "/post").await["total"], 1);
    }

    async fn mode_first_time_holds_only_unknown_authors(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let (_, first) = app.post_comment(&comment(json!({"site": "first"}))).await;
        let proof = first["returning_token"].as_str().unwrap().to_owned();
        let id = first["id"].as_i64().unwrap();
        let (_, again) = app.post_comment(&comment(json!({"site": "first", "text": "Second try", "returning_token": proof}))).await;
        assert_eq!(again["status"], "pending", "nothing approved yet, so still held");
        app.admin(&token, reqwest::Method::POST, &format!("/api/v1/admin/comments/{id}/approve")).await;
        let (_, known) = app.post_comment(&comment(json!({"site": "first", "text": "Now I am known", "author_email": "ADA@example.org", "returning_token": proof}))).await;
        assert_eq!(known["status"], "approved", "same address, any case, with the proof");
        let (_, typed) = app.post_comment(&comment(json!({"site": "first", "text": "Only typed the address"}))).await;
        assert_eq!(typed["status"], "pending", "a known email without proof waits");
        let (_, other) = app.post_comment(&comment(json!({"site": "first", "author_email": "bob@example.org", "returning_token": proof}))).await;
        assert_eq!(other["status"], "pending");
        let (_, elsewhere) = app.post_comment(&comment(json!({"site": "blog", "text": "Other site"}))).await;
        assert_eq!(elsewhere["status"], "pending", "site `blog` holds everything");
    }

    async fn a_reply_must_name_an_approved_comment_on_the_same_page(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let parent = app.submit(json!({})).await;
        let (status, body) = app.post_comment(&comment(json!({"parent_id": parent}))).await;
        assert_eq!(status, 422, "pending parent: {body}");
        assert!(body["error"]["fields"]["parent_id"].is_array());
        app.admin(&token, reqwest::Method::POST, &format!("/api/v1/admin/comments/{parent}/approve")).await;
        let (status, _) = app.post_comment(&comment(json!({"parent_id": parent, "uri": "/elsewhere"}))).await;
        assert_eq!(status, 422, "parent on another page");
        let (status, _) = app.post_comment(&comment(json!({"parent_id": 999_999}))).await;
        assert_eq!(status, 422, "no such parent");
        let reply = app.submit(json!({"parent_id": parent})).await;
        app.admin(&token, reqwest::Method::POST, &format!("/api/v1/admin/comments/{reply}/approve")).await;
        let thread = app.public_thread("blog", "/post").await;
        assert_eq!(thread["comments"][1]["parent_id"], parent);
    }

    async fn unicode_is_stored_and_returned_byte_exact(b) {
        let app = TestApp::spawn(b).await;
        let token = app.token().await;
        let name = "Zoë 👩🏽‍💻 مرحبا";
        let text = "e\u{301}te\u{301} — שלום עולם 🎉 كيف حالك";
        let id = app.submit(json!({"author_name": name, "text": text})).await;
        let (_, c) = app.admin(&token, reqwest::Method::GET, &format!("/api/v1/admin/comments/{id}")).await;
        assert_eq!(c["author_name"], name);
        assert_eq!(c["text"], text);
        app.admin(&token, reqwest::Method::POST, &format!("/api/v1/admin/comments/{id}/approve")).await;
        let thread = app.public_thread("blog", "/post").await;
        assert_eq!(thread["comments"][0]["author_name"], name);
        assert_eq!(thread["comments"][0]["html"], format!("<p>{text}</p>\n"));
    }

    async fn the_thread_is_oldest_first_and_paginates(b) {
        let app = TestApp::spawn(b).await;
        for i in 0..5 {
            app.submit(json!({"site": "open", "text": format!("comment number {i}")})).await;
        }
        let (_, page) = app.get_json("/api/v1/comments?site=open&uri=/post&offset=1&limit=2").await;
        assert_eq!(page["total"], 5);
        let htmls: Vec<&str> = page["comments"].as_array().unwrap().iter().map(|c| c["html"].as_str().unwrap()).collect();
        assert_eq!(htmls, ["<p>comment number 1</p>\n", "<p>comment number 2</p>\n"]);
    }
}
